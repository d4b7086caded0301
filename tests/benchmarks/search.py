"""Search and case list benchmark: search p95 for ID prefix, phone and Arabic name, and the case list's first page.

On the demo database (1,000,000 beneficiaries, about 1.5 million cases; opening it upgrades its schema to
head, its data is only read): 200 searches of each kind with values sampled from the database, each in
its own read-only session as the case list and the reception look-up make them, beside a plain
``LIKE '%…%'`` scan of the same values (the baseline; fewer runs, it is slow); then the case list's first
page (100 rows) at the service level for the default sort and several filters. Prints the figures and, as
the last line, one JSON object.

    python tests/benchmarks/search.py                         # 1,000,000 beneficiaries
    python tests/benchmarks/search.py --beneficiaries 10000 --queries 50
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from _common import default_cache_dir, demo_workspace, emit_json, say

if TYPE_CHECKING:
    from db.engine import Database
    from desktop.casedesk import CaseFilter, CaseSort

TARGET_SEARCH_P95_MS = 30.0
TARGET_FIRST_PAGE_MS = 150.0
TARGET_ROLE_CHECK_PCT = 5.0


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def sampled_queries(db: Database, rng: random.Random, count: int) -> dict[str, list[str]]:
    """`count` searches of each kind (ID prefix, phone, two name parts) made from people sampled in `db`."""
    from sqlalchemy import text

    with db.session(read_only=True) as session:
        top = session.execute(text("SELECT max(rowid) FROM beneficiary")).scalar_one()
        picks = [rng.randint(1, top) for _ in range(count * 2)]
        sample = session.execute(
            text("SELECT id_number, mobile, name_key FROM beneficiary WHERE rowid IN (SELECT value FROM json_each(:r))"),
            {"r": str(picks)},
        ).all()
    rng.shuffle(sample)
    sample = [row for row in sample if row.mobile][:count]
    return {
        "id_prefix": [row.id_number[: rng.randint(5, 8)] for row in sample],
        "phone": [rng.choice(("0{}", "+966 {}", "00966{}", "0{}")).format(row.mobile[4:]) for row in sample],
        "name": [_two_parts(row.name_key, rng) for row in sample],
    }


def first_page_queries(today: date, some_name: str) -> dict[str, tuple[CaseFilter, CaseSort]]:
    """The case list's first pages timed: the default sort, filters and sorts (also used by encryption.py)."""
    from desktop.casedesk import CaseFilter, CaseSort

    return {
        "default (newest)": (CaseFilter(), CaseSort.NEWEST),
        "status awaiting committee": (CaseFilter(statuses=frozenset({"awaiting_committee"})), CaseSort.NEWEST),
        "two statuses": (CaseFilter(statuses=frozenset({"received", "referred"})), CaseSort.NEWEST),
        "channel letters": (CaseFilter(channel_ids=frozenset({"letters"})), CaseSort.NEWEST),
        "kind inquiry": (CaseFilter(case_kind_ids=frozenset({"inquiry"})), CaseSort.NEWEST),
        "overdue by promised date": (CaseFilter(overdue=True), CaseSort.PROMISED),
        "overdue newest": (CaseFilter(overdue=True), CaseSort.NEWEST),
        "signature pending": (CaseFilter(signature_pending=True), CaseSort.NEWEST),
        "referred to me": (CaseFilter(referred_to_me=True), CaseSort.NEWEST),
        "missing documents": (CaseFilter(missing_documents=True), CaseSort.NEWEST),
        "last 30 days": (CaseFilter(date_from=today - timedelta(days=30), date_to=today), CaseSort.OLDEST),
        "name search": (CaseFilter(text=some_name), CaseSort.NEWEST),
        "sort by name": (CaseFilter(), CaseSort.NAME),
        "sort by status": (CaseFilter(), CaseSort.STATUS),
        "sort by case number": (CaseFilter(), CaseSort.CASE_NUMBER),
    }


def main(argv: list[str] | None = None) -> int:
    """Open (or build) the demo database, time the searches and the first pages, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--beneficiaries", type=int, default=1_000_000, help="beneficiaries in the database")
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    parser.add_argument("--baseline-queries", type=int, default=5, help="LIKE scans of each kind (slow)")
    parser.add_argument("--role-runs", type=int, default=21,
                        help="interleaved runs with and without the role check, per page and look-up")
    parser.add_argument("--page-runs", type=int, default=7, help="timed runs of each first page")
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir(), help="where databases are kept")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)

    from sqlalchemy import text

    from desktop.casedesk import CaseFilter, CaseListService, CaseSort, beneficiary_ids, understand
    from desktop.workspace import Workspace

    data_dir = demo_workspace(args.cache_dir, args.beneficiaries)
    say(f"opening {data_dir} (schema upgraded to head if needed)")
    started = time.perf_counter()
    workspace = Workspace.open(data_dir)
    say(f"opened in {time.perf_counter() - started:.1f} s")
    db = workspace.db
    rng = random.Random(args.seed)
    try:
        queries = sampled_queries(db, rng, args.queries)
        baseline_sql = {
            "id_prefix": "SELECT id FROM beneficiary WHERE id_number LIKE :a LIMIT 50",
            "phone": "SELECT id FROM beneficiary WHERE mobile LIKE :a LIMIT 50",
            "name": "SELECT id FROM beneficiary WHERE full_name LIKE :a AND full_name LIKE :b LIMIT 50",
        }

        def ours(value: str) -> float:
            t0 = time.perf_counter()
            with db.session(read_only=True) as session:
                found = beneficiary_ids(session, understand(value), limit=50)
            elapsed = time.perf_counter() - t0
            if not found:
                raise SystemExit(f"nothing found for {value!r}: the sample is wrong")
            return elapsed * 1000

        def like(kind: str, value: str) -> float:
            parts = value.split() if kind == "name" else [value.replace("+966 ", "").replace("00966", "")]
            params = {"a": f"%{parts[0]}%", "b": f"%{parts[-1]}%"}
            t0 = time.perf_counter()
            with db.session(read_only=True) as session:
                session.execute(text(baseline_sql[kind]), params).all()
            return (time.perf_counter() - t0) * 1000

        search: dict[str, dict[str, float]] = {}
        for kind, values in queries.items():
            for value in values[:10]:
                ours(value)  # warm the page cache the same way for both
            timings = [ours(value) for value in values]
            base = [like(kind, value) for value in values[: args.baseline_queries]]
            search[kind] = {
                "p95_ms": round(p95(timings), 2),
                "median_ms": round(statistics.median(timings), 2),
                "max_ms": round(max(timings), 2),
                "like_median_ms": round(statistics.median(base), 1),
                "ratio": round(statistics.median(base) / statistics.median(timings), 1),
            }
            s = search[kind]
            print(f"search {kind:9s}: p95 {s['p95_ms']:6.2f} ms, median {s['median_ms']:6.2f} ms "
                  f"(n={len(timings)}, target p95 <= {TARGET_SEARCH_P95_MS:g} ms); "
                  f"LIKE '%…%' median {s['like_median_ms']:8.1f} ms (n={len(base)}), {s['ratio']:g}x slower")

        service = CaseListService(workspace)
        today = datetime.now(UTC).date()
        some_name = queries["name"][0]
        pages = first_page_queries(today, some_name)
        first_page: dict[str, float] = {}
        for label, (flt, sort) in pages.items():
            run: Callable[[], object] = lambda flt=flt, sort=sort: service.page(flt, sort, limit=100)
            run()
            samples = []
            for _ in range(args.page_runs):
                t0 = time.perf_counter()
                run()
                samples.append((time.perf_counter() - t0) * 1000)
            first_page[label] = round(statistics.median(samples), 1)
            print(f"case list first page, {label:26s}: median {first_page[label]:7.1f} ms "
                  f"(max {max(samples):7.1f}, n={len(samples)}; target <= {TARGET_FIRST_PAGE_MS:g} ms)")
        role_check = _role_check(workspace, pages, queries, args.role_runs)
        t0 = time.perf_counter()
        counted = service.count(CaseFilter())
        count_ms = (time.perf_counter() - t0) * 1000
        print(f"status bar count (capped): {counted} in {count_ms:.1f} ms")
    finally:
        workspace.close()

    worst_search = max(s["p95_ms"] for s in search.values())
    worst_page = max(first_page.values())
    emit_json(
        {
            "benchmark": "search",
            "beneficiaries": args.beneficiaries,
            "search": search,
            "target_search_p95_ms": TARGET_SEARCH_P95_MS,
            "like_ratio": {kind: s["ratio"] for kind, s in search.items()},
            "first_page_median_ms": first_page,
            "target_first_page_ms": TARGET_FIRST_PAGE_MS,
            "count_ms": round(count_ms, 1),
            "role_check": role_check,
            "target_role_check_overhead_pct": TARGET_ROLE_CHECK_PCT,
            "meets_target": worst_search <= TARGET_SEARCH_P95_MS and worst_page <= TARGET_FIRST_PAGE_MS
            and max(role_check["case_list_overhead_pct"], role_check["lookup_overhead_pct"]) <= TARGET_ROLE_CHECK_PCT,
        }
    )
    return 0


def _role_check(workspace: object, pages: dict[str, tuple[object, object]], queries: dict[str, list[str]],
                runs: int) -> dict[str, object]:
    """What the role check (issue 13, `desktop.permissions`) adds to the case list's pages and the reception's
    look-up: an officer account of the demo data signed in (nothing written), each call timed with the check
    (the service method) and without it (the same method unwrapped, `__wrapped__`), interleaved in one run."""
    from sqlalchemy import select

    from db.models import AppUser
    from desktop.casedesk import CaseListService
    from desktop.reception import ReceptionService
    from desktop.session_identity import SessionIdentity
    from desktop.workspace import Workspace

    assert isinstance(workspace, Workspace)
    with workspace.db.session(read_only=True) as session:
        user = session.scalars(select(AppUser).where(AppUser.deleted_at.is_(None), AppUser.active.is_(True),
                                                     AppUser.role == "officer").limit(1)).one()
        identity = SessionIdentity(user.id, user.username, user.full_name, user.role_list)
    workspace.sign_in(identity)
    try:
        service, reception = CaseListService(workspace), ReceptionService(workspace)
        page_unchecked = CaseListService.page.__wrapped__  # type: ignore[attr-defined]
        lookup_unchecked = ReceptionService.lookup.__wrapped__  # type: ignore[attr-defined]

        def timed(call: Callable[[], object]) -> float:
            t0 = time.perf_counter()
            call()
            return (time.perf_counter() - t0) * 1000

        def compare(checked: Callable[[], object], unchecked: Callable[[], object]) -> tuple[float, float]:
            checked(), unchecked()
            with_check, without = [], []
            for index in range(runs):  # alternate which goes first: neither gets the warmer cache always
                pair = (checked, unchecked) if index % 2 == 0 else (unchecked, checked)
                first, second = timed(pair[0]), timed(pair[1])
                with_check.append(first if index % 2 == 0 else second)
                without.append(second if index % 2 == 0 else first)
            return statistics.median(with_check), statistics.median(without)

        pages_with = pages_without = 0.0
        for flt, sort in pages.values():
            a, b = compare(lambda flt=flt, sort=sort: service.page(flt, sort, limit=100),  # type: ignore[misc]
                           lambda flt=flt, sort=sort: page_unchecked(service, flt, sort, limit=100))  # type: ignore[misc]
            pages_with, pages_without = pages_with + a, pages_without + b
        lookups_with = lookups_without = 0.0
        for value in [v for values in queries.values() for v in values[:10]]:
            a, b = compare(lambda value=value: reception.lookup(value),  # type: ignore[misc]
                           lambda value=value: lookup_unchecked(reception, value))  # type: ignore[misc]
            lookups_with, lookups_without = lookups_with + a, lookups_without + b
    finally:
        workspace.sign_out()
    result = {
        "case_list_with_ms": round(pages_with, 2), "case_list_without_ms": round(pages_without, 2),
        "case_list_overhead_pct": round(100 * (pages_with - pages_without) / pages_without, 2),
        "lookup_with_ms": round(lookups_with, 2), "lookup_without_ms": round(lookups_without, 2),
        "lookup_overhead_pct": round(100 * (lookups_with - lookups_without) / lookups_without, 2),
        "runs": runs,
    }
    print(f"role check: case list pages {result['case_list_with_ms']} ms with, {result['case_list_without_ms']} ms "
          f"without ({result['case_list_overhead_pct']:+.2f}%); reception look-ups {result['lookup_with_ms']} ms "
          f"with, {result['lookup_without_ms']} ms without ({result['lookup_overhead_pct']:+.2f}%); "
          f"target <= {TARGET_ROLE_CHECK_PCT:g}% (sums of per-call medians, n={runs} each)")
    return result


def _two_parts(name_key: str, rng: random.Random) -> str:
    """Two parts of a real name as an officer types them: the first name and another, in either order."""
    parts = name_key.split()
    chosen = [parts[0], rng.choice(parts[1:])] if len(parts) > 1 else parts
    if rng.random() < 0.3:
        chosen.reverse()
    return " ".join(chosen)


if __name__ == "__main__":
    raise SystemExit(main())
