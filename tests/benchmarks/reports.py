"""Benchmark: dashboard refresh, period report PDF and Excel export on the 1,000,000-beneficiary demo database.

Targets (issue 6): dashboard refresh ≤ 500 ms; period report PDF ≤ 3 s; Excel export ≤ 5 s. The dashboard is
measured for a typical Gregorian month (a year before the last), the busiest month of the database (the demo
puts its open cases in its last weeks) and a Hijri year (the refresh a quality manager preparing the board's
annual report does); the PDF and the workbook for that Hijri year. All three dashboard figures must meet the
target. Each series reports its median and its p95 (nearest rank).

The figures read the summary tables kept by triggers (desktop.reports.summaries). A database generated before
the demo made survey responses and suggestions gets the survey aggregates measured apart, on a temporary database
with 50,000 generated responses. The script never writes to the demo database (opening it only upgrades its
schema: pass a copy with --data-dir). Baseline, in the same run: ``SELECT count(*) FROM "case"`` (one pass over
the smallest case index).

Usage: python tests/benchmarks/reports.py [--beneficiaries N] [--rounds R] [--data-dir COPY]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _common import Timing, default_cache_dir, demo_workspace, emit_json, say

TARGET_DASHBOARD_MS = 500.0
TARGET_PDF_S = 3.0
TARGET_XLSX_S = 5.0


def _p95(timing: Timing) -> float:
    """The 95th percentile of the samples (nearest rank)."""
    ordered = sorted(timing.samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _describe(timing: Timing) -> str:
    return f"{timing.describe()}, p95 {_p95(timing):.3f} s"


def _timed(func: Callable[[], object], rounds: int, warmup: int = 1) -> Timing:
    samples: list[float] = []
    for index in range(rounds + warmup):
        started = time.perf_counter()
        func()
        elapsed = time.perf_counter() - started
        if index >= warmup:
            samples.append(elapsed)
    return Timing(tuple(samples))


def _survey_workspace(responses: int) -> tuple[Callable[[], object], Path]:
    """A temporary workspace with `responses` anonymous responses over one Hijri year; returns the figures call."""
    from sqlalchemy import text

    from desktop.reports import DashboardService, Period
    from desktop.workspace import Workspace

    directory = Path(tempfile.mkdtemp(prefix="mustafid-survey-bench-"))
    ws = Workspace.open(directory)
    ws.adopt_builtin_profile("mafateeh-alkhair")
    year = Period.hijri_year(1446)
    rnd = random.Random(5)
    with ws.db.session() as session:
        association = session.execute(text("SELECT id FROM association")).scalar_one()
        rows = []
        for _ in range(responses):
            day = year.start + timedelta(days=rnd.randrange(year.days))
            at = datetime(day.year, day.month, day.day, rnd.randrange(5, 14), tzinfo=UTC)
            answers = {q: rnd.randint(1, 5) for q in ("reception", "clarity", "speed", "overall")}
            answers["recommend"] = rnd.randint(0, 10)
            stamp = at.strftime("%Y-%m-%d %H:%M:%S.000000")
            rows.append({"id": uuid.uuid4().hex, "a": association, "ans": json.dumps(answers), "at": stamp})
        session.execute(
            text(
                "INSERT INTO survey_response (id, association_id, mode, answers, answered_at, version, created_at, "
                "updated_at) VALUES (:id, :a, 'kiosk', :ans, :at, 1, :at, :at)"
            ),
            rows,
        )
    service = DashboardService(ws)
    return (lambda: service.figures(year)), directory


def main() -> int:
    """Run the measurements and print the figures, the JSON line last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beneficiaries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="a copy of the demo data directory to use instead (its schema is upgraded on opening)")
    args = parser.parse_args()

    from sqlalchemy import text

    from desktop.reports import DashboardService, Period, ReportService
    from desktop.workspace import Workspace

    data_dir = args.data_dir or demo_workspace(default_cache_dir(), args.beneficiaries)
    say(f"opening {data_dir} (upgrades the schema once, builds the dashboard indexes)")
    started = time.perf_counter()
    ws = Workspace.open(data_dir)
    opened = time.perf_counter() - started
    say(f"opened in {opened:.1f} s")
    with ws.db.session(read_only=True) as session:
        last = session.execute(text('SELECT max(submitted_at) FROM "case"')).scalar_one()
        busiest_row = session.execute(
            text("SELECT substr(day, 1, 7) AS month, sum(cases) AS n FROM report_contact_day "
                 "GROUP BY month ORDER BY n DESC LIMIT 1")
        ).one()
        has_responses = session.execute(text("SELECT count(*) FROM survey_response")).scalar_one() > 0
    last_day = date.fromisoformat(str(last)[:10])
    first_of_month = last_day.replace(day=1)
    previous = first_of_month - timedelta(days=1)
    busiest = Period.gregorian_month(int(busiest_row[0][:4]), int(busiest_row[0][5:7]))
    # The demo generator puts most open cases in its last weeks: a month a year earlier is a typical one.
    typical = Period.gregorian_month(previous.year - 1, previous.month)
    from desktop.hijri import HijriDate

    hijri_year = HijriDate.from_gregorian(last_day).year - 1
    year = Period.hijri_year(hijri_year)
    dashboard = DashboardService(ws)
    reports = ReportService(ws)

    def baseline() -> object:
        with ws.db.session(read_only=True) as session:
            return session.execute(text('SELECT count(*) FROM "case"')).scalar_one()

    rounds = args.rounds
    base = _timed(baseline, rounds)
    dash_busiest = _timed(lambda: dashboard.figures(busiest), rounds * 4)
    dash_typical = _timed(lambda: dashboard.figures(typical), rounds * 4)
    dash_year = _timed(lambda: dashboard.figures(year), rounds * 4)
    busiest_contacts = dashboard.figures(busiest).contacts_total
    typical_contacts = dashboard.figures(typical).contacts_total
    pdf_year = _timed(lambda: reports.period_report_pdf(year), rounds)
    xlsx_year = _timed(lambda: reports.period_report_xlsx(year), rounds)
    figures = dashboard.figures(year)
    ws.close()
    survey: Timing | None = None
    survey_dir: Path | None = None
    if not has_responses:
        say("no survey responses in this database: building 50,000 in a temporary one")
        survey_call, survey_dir = _survey_workspace(50_000)
        survey = _timed(survey_call, rounds)

    dashboard_ok = all(t.median * 1000 <= TARGET_DASHBOARD_MS for t in (dash_busiest, dash_typical, dash_year))
    print(f"database: {data_dir} (opened and upgraded in {opened:.1f} s)")
    print(f"year {year.label_ar}: {figures.contacts_total:,} contacts, {figures.decisions:,} decisions, "
          f"{figures.survey_responses:,} survey responses, {figures.complaints.opened:,} complaints, "
          f"overdue now {figures.overdue_now:,}")
    print(f"dashboard refresh, busiest month ({busiest.label_ar}, {busiest_contacts:,} contacts): "
          f"{_describe(dash_busiest)}")
    print(f"dashboard refresh, typical month ({typical.label_ar}, {typical_contacts:,} contacts): "
          f"{_describe(dash_typical)}")
    print(f"dashboard refresh, Hijri year: {_describe(dash_year)}")
    print(f"period report PDF, Hijri year: {_describe(pdf_year)}")
    print(f"Excel export, Hijri year: {_describe(xlsx_year)}")
    if survey is not None:
        print(f"dashboard over 50,000 survey responses (temporary database {survey_dir}): {_describe(survey)}")
    print(f"baseline count(*) over the cases: {_describe(base)}")
    emit_json(
        {
            "benchmark": "reports",
            "beneficiaries": args.beneficiaries,
            "year_survey_responses": figures.survey_responses,
            "dashboard_busiest_month_median_ms": round(dash_busiest.median * 1000, 1),
            "dashboard_busiest_month_p95_ms": round(_p95(dash_busiest) * 1000, 1),
            "dashboard_typical_month_median_ms": round(dash_typical.median * 1000, 1),
            "dashboard_typical_month_p95_ms": round(_p95(dash_typical) * 1000, 1),
            "dashboard_year_median_ms": round(dash_year.median * 1000, 1),
            "dashboard_year_p95_ms": round(_p95(dash_year) * 1000, 1),
            "target_dashboard_ms": TARGET_DASHBOARD_MS,
            "pdf_year_median_s": round(pdf_year.median, 3),
            "pdf_year_p95_s": round(_p95(pdf_year), 3),
            "target_pdf_s": TARGET_PDF_S,
            "xlsx_year_median_s": round(xlsx_year.median, 3),
            "xlsx_year_p95_s": round(_p95(xlsx_year), 3),
            "target_xlsx_s": TARGET_XLSX_S,
            "survey_50k_dashboard_median_ms": round(survey.median * 1000, 1) if survey is not None else None,
            "baseline_case_count_median_ms": round(base.median * 1000, 1),
            "meets_targets": dashboard_ok and pdf_year.median <= TARGET_PDF_S and xlsx_year.median <= TARGET_XLSX_S,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
