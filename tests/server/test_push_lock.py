"""What the association's counter row covers in a push (issue 15): only the ordered writes and the commit.

A push paused in its unordered part (validation, merge) holds back neither another PC's push nor a pull;
a push touching the same row waits for it and merges onto its result; numbers stay gapless, committed in
order, and a pull never misses one; a resent batch racing itself is applied once; bucket sums stay those
of the stored rows; a repair waits for a push holding its row instead of deadlocking with it.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from desktop.server.models import sync_bucket, sync_row
from desktop.server.repair import inspect_rows, repair_row
from desktop.server.store import DeviceContext
from desktop.sync import protocol as p
from tests.server.helpers import Desk, LiveServer

#: A bound on waiting for something that must happen (a lock wait to show, a thread to finish); never a timing.
WAIT_SECONDS = 60.0


class Pause:
    """Holds every push of one device inside its merge (`ServerStore._apply`) until released."""

    def __init__(self, server: LiveServer, device_id: uuid.UUID | None, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        original = server.store._apply  # noqa: SLF001 - the pause point inside the unordered part

        def paused(ctx: DeviceContext, *args: Any, **kwargs: Any) -> Any:
            if ctx.device_id == device_id:
                self.entered.set()
                self.release.wait(WAIT_SECONDS)
            return original(ctx, *args, **kwargs)

        monkeypatch.setattr(server.store, "_apply", paused)


def in_thread(action: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `action` on a thread; its result (or exception) lands in the returned list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(action())
        except BaseException as exc:  # noqa: BLE001 - inspected by the test
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def start_paused_push(server: LiveServer, desk: Desk, mutation: dict[str, Any],
                      monkeypatch: pytest.MonkeyPatch) -> tuple[Pause, threading.Thread, list[Any]]:
    """`desk` pushes `mutation` on a thread, held inside its merge until the returned pause is released."""
    pause = Pause(server, desk.device_id, monkeypatch)
    thread, out = in_thread(lambda: desk.push(mutation))
    assert pause.entered.wait(WAIT_SECONDS)
    return pause, thread, out


def wait_for_lock_wait(db_url: str) -> None:
    """Return once some session of the database waits on a lock (PostgreSQL's own view); fail after a bound."""
    deadline = time.monotonic() + WAIT_SECONDS
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                   " AND wait_event_type = 'Lock'").fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.02)
    pytest.fail("no session ever waited on a lock")


@pytest.fixture
def pair(server: LiveServer) -> Iterator[tuple[Desk, Desk]]:
    """Two PCs of one association (its policy version already pushed by the first)."""
    first = server.desk(name="PC1")
    association_id = first.association_id
    second = server.desk(association_id=association_id, name="PC2")
    first.policy_version()
    yield first, second


def test_a_paused_push_holds_back_neither_another_push_nor_a_pull(
        server: LiveServer, pair: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch) -> None:
    slow, fast = pair
    cursor = slow.head()
    slow_id, slow_fields = slow.beneficiary()
    pause, thread, out = start_paused_push(server, slow, slow.mutation("beneficiary", slow_id, slow_fields),
                                           monkeypatch)

    fast_id, fast_fields = fast.beneficiary()
    (fast_result,) = fast.push(fast.mutation("beneficiary", fast_id, fast_fields))  # not behind the paused one
    assert fast_result["status"] == "applied"
    page = fast.pull(cursor)
    assert [r["row_id"] for r in page["rows"]] == [str(fast_id)]
    assert page["head_seq"] == fast_result["server_seq"] == cursor + 1

    pause.release.set()
    thread.join(WAIT_SECONDS)
    ((slow_result,),) = out
    assert slow_result["status"] == "applied"
    assert slow_result["server_seq"] == fast_result["server_seq"] + 1  # numbered when it wrote, after the fast one
    later = fast.pull(page["next_after"])  # the pull between them missed nothing
    assert [r["row_id"] for r in later["rows"]] == [str(slow_id)]
    seqs = sorted(r["server_seq"] for r in fast.pull_all().values())
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_push_on_the_same_row_waits_and_merges_onto_the_paused_one(
        server: LiveServer, pair: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch) -> None:
    slow, fast = pair
    row_id, fields = slow.beneficiary()
    slow.push(slow.mutation("beneficiary", row_id, fields))
    pause, slow_thread, slow_out = start_paused_push(
        server, slow, slow.mutation("beneficiary", row_id, {"city": "جدة"}, base=1), monkeypatch)
    fast_thread, fast_out = in_thread(lambda: fast.push(fast.mutation("beneficiary", row_id, {"city": "مكة"},
                                                                       base=1, hlc=fast.hlc(plus_ms=60_000))))
    wait_for_lock_wait(server.db_url)  # the second push waits on the row the paused one holds
    assert fast_thread.is_alive() and not fast_out

    pause.release.set()
    slow_thread.join(WAIT_SECONDS)
    fast_thread.join(WAIT_SECONDS)
    ((slow_result,),) = slow_out
    ((fast_result,),) = fast_out
    assert (slow_result["status"], slow_result["version"]) == ("applied", 2)
    assert (fast_result["status"], fast_result["version"]) == ("conflict", 3)  # the concurrent edit is not lost
    rows = fast.pull_all()
    assert rows[("beneficiary", str(row_id))]["fields"]["city"] == "مكة"  # the later stamp wins
    (conflict,) = [r for (table, _), r in rows.items() if table == p.SYNC_CONFLICT_TABLE_NAME]
    assert (conflict["fields"]["value_a"], conflict["fields"]["value_b"]) == ("جدة", "مكة")
    assert slow_result["server_seq"] < fast_result["server_seq"] == fast.head()


def test_a_repair_waits_for_a_push_holding_its_row(
        server: LiveServer, pair: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch) -> None:
    slow, _ = pair
    row_id, fields = slow.beneficiary()
    slow.push(slow.mutation("beneficiary", row_id, fields))
    pause, push_thread, push_out = start_paused_push(
        server, slow, slow.mutation("beneficiary", row_id, {"city": "جدة"}, base=1), monkeypatch)
    repair_thread, repair_out = in_thread(lambda: repair_row(server.store, "جمعية البر", row_id,
                                                             set_fields={"household_size": 7}))
    wait_for_lock_wait(server.db_url)
    pause.release.set()
    push_thread.join(WAIT_SECONDS)
    repair_thread.join(WAIT_SECONDS)
    ((push_result,),) = push_out
    (said,) = repair_out
    assert push_result["status"] == "applied" and isinstance(said, str)
    row = slow.pull_all()[("beneficiary", str(row_id))]
    assert (row["version"], row["fields"]["city"], row["fields"]["household_size"]) == (3, "جدة", 7)
    assert_buckets_match_rows(server)


def test_a_batch_resent_while_it_is_applied_counts_once(server: LiveServer, pair: tuple[Desk, Desk]) -> None:
    desk, _ = pair
    row_id, fields = desk.beneficiary()
    batch = [desk.mutation("beneficiary", row_id, fields)]
    batch_id = str(uuid.uuid4())
    threads = [in_thread(lambda: desk.push_raw(batch, batch_id=batch_id)) for _ in range(4)]
    statuses = []
    for thread, out in threads:
        thread.join(WAIT_SECONDS)
        (response,) = out
        assert response.status_code == 200, response.text
        statuses.append(response.json()["results"][0]["status"])
    assert sorted(statuses) == ["applied", "duplicate", "duplicate", "duplicate"]
    assert desk.pull_all()[("beneficiary", str(row_id))]["version"] == 1


def test_many_pushes_on_shared_rows_at_once_lose_nothing_and_keep_the_sums(
        server: LiveServer, pair: tuple[Desk, Desk]) -> None:
    first, second = pair
    third = server.desk(association_id=first.association_id, name="PC3")
    desks = [first, second, third]
    shared = []
    for _ in range(3):
        row_id, fields = first.beneficiary()
        first.push(first.mutation("beneficiary", row_id, fields))
        shared.append(row_id)
    pushes_each = 6
    made: list[uuid.UUID] = []

    def work(desk: Desk) -> None:
        for n in range(pushes_each):
            new_id, new_fields = desk.beneficiary()
            made.append(new_id)
            desk.push(*[desk.mutation("beneficiary", row_id, {"city": f"{desk.device_id}-{n}"}, base=1)
                        for row_id in shared], desk.mutation("beneficiary", new_id, new_fields))

    threads = [in_thread(functools.partial(work, desk)) for desk in desks]
    for thread, out in threads:
        thread.join(WAIT_SECONDS * 2)
        assert out == [None]
    rows = first.pull_all()
    for row_id in shared:  # every push changed every shared row once: none was merged onto a stale copy
        assert rows[("beneficiary", str(row_id))]["version"] == 1 + len(desks) * pushes_each
    assert all(("beneficiary", str(row_id)) in rows for row_id in made)
    seqs = sorted(r["server_seq"] for r in rows.values())
    assert len(set(seqs)) == len(seqs)
    assert max(seqs) == first.head()
    assert_buckets_match_rows(server)
    assert inspect_rows(server.store, "جمعية البر") == []


def assert_buckets_match_rows(server: LiveServer) -> None:
    """Every bucket sum (and table root) is the count and digest sum of the stored rows; each digest is right."""
    tables = p.synced_tables()
    with server.store.engine.connect() as conn:
        for table, row_id, version, fields, digest in conn.execute(
                select(sync_row.c.table_name, sync_row.c.row_id, sync_row.c.version, sync_row.c.fields,
                       sync_row.c.digest)):
            assert int(digest) == p.row_digest(tables[table], row_id, version, fields), (table, row_id)
        expected: dict[tuple[str, int], tuple[int, int]] = {}
        for table, bucket, count, total in conn.execute(
                select(sync_row.c.table_name, sync_row.c.bucket, func.count(), func.sum(sync_row.c.digest))
                .group_by(sync_row.c.table_name, sync_row.c.bucket)):
            expected[(table, int(bucket))] = (int(count), int(total))
            root = expected.get((table, -1), (0, 0))
            expected[(table, -1)] = (root[0] + int(count), root[1] + int(total))
        stored = {(t, int(b)): (int(c), int(x)) for t, b, c, x in conn.execute(
            select(sync_bucket.c.table_name, sync_bucket.c.bucket, sync_bucket.c.count, sync_bucket.c.total))
            if c or x}
    assert stored == expected


def test_a_push_that_lost_the_race_for_a_new_row_is_applied_again_onto_it(
        server: LiveServer, pair: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch) -> None:
    slow, fast = pair
    row_id, fields = slow.beneficiary()
    pause, slow_thread, slow_out = start_paused_push(  # the slow push takes the row for new
        server, slow, slow.mutation("beneficiary", row_id, fields), monkeypatch)
    (fast_result,) = fast.push(fast.mutation("beneficiary", row_id, {**fields, "city": "مكة"}))
    assert (fast_result["status"], fast_result["version"]) == ("applied", 1)
    pause.release.set()  # its INSERT meets the fast one's row: the push is applied again, as an update of it
    slow_thread.join(WAIT_SECONDS)
    ((slow_result,),) = slow_out
    assert slow_result["status"] in ("applied", "merged", "conflict") and slow_result["version"] == 2
    row = slow.pull_all()[("beneficiary", str(row_id))]
    assert row["version"] == 2 and row["server_seq"] == slow_result["server_seq"] == slow.head()
    assert_buckets_match_rows(server)
