"""The summary tables stay equal to a from-scratch recomputation whatever is written, and the figures read from them
equal the definitions computed in Python from the source rows."""

from __future__ import annotations

import json
import sqlite3
import statistics
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from db.engine import Database, alembic_config
from db.models import (
    Association,
    Case,
    CommitteeDecision,
    Declaration,
    PolicyVersion,
    RequiredDocument,
    RescueReport,
    Suggestion,
    SurveyResponse,
)
from desktop.reports import DashboardService, Period
from desktop.reports.dashboard import UNDECIDED_STATUSES
from desktop.reports.summaries import SUMMARY_TABLES, TRIGGERS, missing_triggers, rebuild_summaries, recompute, snapshot
from desktop.workspace import Workspace
from tests.templates import seed_data_dir

STATUSES = ("draft", "received", "awaiting_committee", "more_info_requested", "accepted", "served", "closed")
CHANNELS = ("phone", "interview", "website")
BASE = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
NOW = datetime(2025, 3, 12, 6, 0, tzinfo=UTC)

# Moments around Riyadh midnights (21:00 UTC) so that day boundaries are exercised.
moments = st.builds(lambda d, m: BASE + timedelta(days=d, minutes=m), st.integers(0, 9), st.sampled_from(
    [0, 60, 20 * 60 + 59, 21 * 60, 21 * 60 + 1, 23 * 60 + 59]))
maybe_moments = st.none() | moments
days = st.builds(lambda d: date(2025, 3, 1) + timedelta(days=d), st.integers(0, 12))
maybe_days = st.none() | days
answers = st.dictionaries(
    st.sampled_from(["reception", "speed", "overall", "recommend", "suggestion", "old"]),
    st.integers(-1, 11) | st.sampled_from(["نص", 3.5, True, None]),
    max_size=5,
)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("case"), st.sampled_from(CHANNELS), st.sampled_from(STATUSES), maybe_moments, maybe_days,
                  st.booleans(), st.booleans()),
        st.tuples(st.just("case_update"), st.integers(0, 50), st.sampled_from(
            ["status", "channel_id", "submitted_at", "promised_decision_date", "deleted_at", "signature_pending",
             "undelete"]), st.integers(0, 100), st.booleans()),
        st.tuples(st.just("case_hard_delete"), st.integers(0, 50)),
        st.tuples(st.just("decision"), st.integers(0, 50), st.sampled_from(["accept", "reject", "more_info"]), moments,
                  st.booleans()),
        st.tuples(st.just("document"), st.integers(0, 50), st.booleans(), maybe_days),
        st.tuples(st.just("document_update"), st.integers(0, 50), st.sampled_from(
            ["provided", "valid_until", "deleted_at", "case_id", "hard_delete"]), st.integers(0, 100)),
        st.tuples(st.just("declaration"), st.integers(0, 50)),
        st.tuples(st.just("rescue"), st.integers(0, 50), st.booleans()),
        st.tuples(st.just("response"), answers, moments, st.booleans()),
        st.tuples(st.just("suggestion"), st.sampled_from(["suggestion", "complaint"]), moments, maybe_moments,
                  st.booleans()),
        st.tuples(st.just("suggestion_update"), st.integers(0, 50), st.sampled_from(
            ["close", "reopen", "kind", "deleted_at", "created_at", "hard_delete"]), moments),
    ),
    max_size=30,
)


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class _World:
    """Applies generated operations through the ORM or raw SQL."""

    def __init__(self, ws: Workspace, raw: sqlite3.Connection) -> None:
        self.ws = ws
        self.raw = raw
        with ws.db.session(read_only=True) as session:
            self.association = session.scalars(select(Association)).one().id
            self.version = session.scalars(select(PolicyVersion)).first().id  # type: ignore[union-attr]
        self.number = 0

    def _pick(self, table: str, index: int) -> str | None:
        rows = self.raw.execute(f'SELECT id FROM "{table}" ORDER BY rowid').fetchall()
        return rows[index % len(rows)][0] if rows else None

    def apply(self, op: tuple[Any, ...]) -> None:
        getattr(self, f"_{op[0]}")(*op[1:])

    def _case(self, channel: str, status: str, submitted: datetime | None, promised: date | None, pending: bool,
              orm: bool) -> None:
        self.number += 1
        if orm:
            with self.ws.db.session() as session:
                session.add(Case(association_id=self.association, case_number=f"H-{self.number}",
                                 policy_version_id=self.version, channel_id=channel, case_kind_id="support",
                                 status=status, submitted_at=submitted, promised_decision_date=promised,
                                 signature_pending=pending))
        else:
            with self.raw:
                self.raw.execute(
                    'INSERT INTO "case" (id, association_id, case_number, policy_version_id, channel_id, case_kind_id, '
                    "status, submitted_at, promised_decision_date, signature_pending, version, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 'support', ?, ?, ?, ?, 1, '2025-01-01', '2025-01-01')",
                    (uuid.uuid4().hex, self.association.hex, f"H-{self.number}", self.version.hex, channel, status,
                     _stamp(submitted), promised.isoformat() if promised else None, int(pending)),
                )

    def _case_update(self, index: int, what: str, value: int, orm: bool) -> None:
        case_id = self._pick("case", index)
        if case_id is None:
            return
        new: Any = {
            "status": STATUSES[value % len(STATUSES)],
            "channel_id": CHANNELS[value % len(CHANNELS)],
            "submitted_at": None if value % 7 == 0 else BASE + timedelta(hours=value * 5),
            "promised_decision_date": None if value % 5 == 0 else date(2025, 3, 1) + timedelta(days=value % 13),
            "deleted_at": BASE + timedelta(days=20),
            "signature_pending": bool(value % 2),
            "undelete": None,
        }[what]
        column = "deleted_at" if what == "undelete" else what
        if orm:
            with self.ws.db.session() as session:
                case = session.get(Case, uuid.UUID(hex=case_id))
                assert case is not None
                setattr(case, column, new)
        else:
            stored = _stamp(new) if isinstance(new, datetime) else new.isoformat() if isinstance(new, date) else new
            with self.raw:
                self.raw.execute(f'UPDATE "case" SET {column} = ? WHERE id = ?', (stored, case_id))

    def _case_hard_delete(self, index: int) -> None:
        case_id = self._pick("case", index)
        if case_id is None:
            return
        for child in ("committee_decision", "declaration"):  # append-only children: keep such cases
            if self.raw.execute(f"SELECT 1 FROM {child} WHERE case_id = ?", (case_id,)).fetchone():
                return
        with self.raw:
            self.raw.execute("DELETE FROM required_document WHERE case_id = ?", (case_id,))
            self.raw.execute("DELETE FROM rescue_report WHERE case_id = ?", (case_id,))
            self.raw.execute('DELETE FROM "case" WHERE id = ?', (case_id,))

    def _decision(self, index: int, decision: str, at: datetime, orm: bool) -> None:
        case_id = self._pick("case", index)
        if case_id is None:
            return
        if orm:
            with self.ws.db.session() as session:
                session.add(CommitteeDecision(case_id=uuid.UUID(hex=case_id), decision=decision, decided_at=at))
        else:
            with self.raw:
                self.raw.execute(
                    "INSERT INTO committee_decision (id, case_id, decision, members, decided_at, version, created_at, "
                    "updated_at) VALUES (?, ?, ?, '[]', ?, 1, '2025-01-01', '2025-01-01')",
                    (uuid.uuid4().hex, case_id, decision, _stamp(at)),
                )

    def _document(self, index: int, provided: bool, valid_until: date | None) -> None:
        case_id = self._pick("case", index)
        if case_id is not None:
            with self.ws.db.session() as session:
                session.add(RequiredDocument(case_id=uuid.UUID(hex=case_id), name="هوية", provided=provided,
                                             valid_until=valid_until))

    def _document_update(self, index: int, what: str, value: int) -> None:
        doc_id = self._pick("required_document", index)
        if doc_id is None:
            return
        with self.raw:
            if what == "hard_delete":
                self.raw.execute("DELETE FROM required_document WHERE id = ?", (doc_id,))
            elif what == "case_id":
                self.raw.execute("UPDATE required_document SET case_id = ? WHERE id = ?",
                                 (self._pick("case", value), doc_id))
            else:
                new = {"provided": value % 2, "valid_until": (date(2025, 3, 1) + timedelta(days=value % 13)).isoformat(),
                       "deleted_at": None if value % 3 == 0 else "2025-03-20 00:00:00.000000"}[what]
                self.raw.execute(f"UPDATE required_document SET {what} = ? WHERE id = ?", (new, doc_id))

    def _declaration(self, index: int) -> None:
        case_id = self._pick("case", index)
        if case_id is not None:
            with self.ws.db.session() as session:
                session.add(Declaration(case_id=uuid.UUID(hex=case_id), text="إقرار", signature_kind="pad",
                                        signed_at=NOW))

    def _rescue(self, index: int, remove: bool) -> None:
        case_id = self._pick("case", index)
        if case_id is None:
            return
        existing = self.raw.execute("SELECT id FROM rescue_report WHERE case_id = ?", (case_id,)).fetchone()
        if existing is not None:
            with self.raw:
                if remove:
                    self.raw.execute("DELETE FROM rescue_report WHERE id = ?", (existing[0],))
                else:
                    other = self._pick("case", index + 1)
                    if not self.raw.execute("SELECT 1 FROM rescue_report WHERE case_id = ?", (other,)).fetchone():
                        self.raw.execute("UPDATE rescue_report SET case_id = ? WHERE id = ?", (other, existing[0]))
            return
        with self.ws.db.session() as session:
            session.add(RescueReport(case_id=uuid.UUID(hex=case_id), reporter_name="مبلغ", place="طريق",
                                     what_happened="عطل", received_at=NOW))

    def _response(self, values: dict[str, Any], at: datetime, orm: bool) -> None:
        if orm:
            with self.ws.db.session() as session:
                session.add(SurveyResponse(association_id=self.association, mode="kiosk", answers=values,
                                           answered_at=at))
        else:
            body = json.dumps(values) if values else "[5, 4]"  # an array: keys are positions, never questions
            with self.raw:
                self.raw.execute(
                    "INSERT INTO survey_response (id, association_id, mode, answers, answered_at, version, created_at, "
                    "updated_at) VALUES (?, ?, 'kiosk', ?, ?, 1, '2025-01-01', '2025-01-01')",
                    (uuid.uuid4().hex, self.association.hex, body, _stamp(at)),
                )

    def _suggestion(self, kind: str, opened: datetime, closed: datetime | None, answered: bool) -> None:
        with self.ws.db.session() as session:
            session.add(Suggestion(association_id=self.association, kind=kind, channel_id="phone", text="نص",
                                   created_at=opened, closed_at=closed,
                                   status="closed" if closed else "answered" if answered else "open"))

    def _suggestion_update(self, index: int, what: str, at: datetime) -> None:
        row_id = self._pick("suggestion", index)
        if row_id is None:
            return
        if what == "hard_delete":
            with self.raw:
                self.raw.execute("DELETE FROM suggestion WHERE id = ?", (row_id,))
            return
        with self.ws.db.session() as session:
            row = session.get(Suggestion, uuid.UUID(hex=row_id))
            assert row is not None
            if what == "close":
                row.status, row.closed_at = "closed", at
            elif what == "reopen":
                row.status, row.closed_at = "in_progress", None
            elif what == "kind":
                row.kind = "complaint" if row.kind == "suggestion" else "suggestion"
            elif what == "deleted_at":
                row.deleted_at = None if row.deleted_at else at
            else:
                row.created_at = at


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_World]:
    """One workspace reused by every example (each example adds to what the previous ones wrote); a copy of the
    template with the policy adopted (the migration's own backfill is test_migration_backfills_existing_rows)."""
    ws = Workspace.open(seed_data_dir(tmp_path_factory.mktemp("summaries"), profile="mafateeh-alkhair"))
    raw = sqlite3.connect(ws.db.path, isolation_level=None, timeout=30)  # autocommit: each statement alone
    yield _World(ws, raw)
    raw.close()
    ws.close()


def _stored_and_expected(world: _World) -> tuple[dict[str, set[tuple[Any, ...]]], dict[str, set[tuple[Any, ...]]]]:
    return snapshot(world.raw), recompute(world.raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_triggers_keep_the_summaries_equal_to_a_recomputation(world: _World, ops: list[tuple[Any, ...]]) -> None:
    for op in ops:
        world.apply(op)
    stored, expected = _stored_and_expected(world)
    assert set(stored) == set(SUMMARY_TABLES)
    for table in SUMMARY_TABLES:
        assert stored[table] == expected[table], table


def _python_figures(world: _World, period: Period, today: date) -> dict[str, Any]:
    """The views' definitions computed in Python from the source rows (no summary table involved)."""
    from desktop.hijri import local_date

    with world.ws.db.session(read_only=True) as session:
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.deleted_at.is_(None)))}
        decisions = session.scalars(select(CommitteeDecision).where(CommitteeDecision.deleted_at.is_(None))).all()
        responses = session.scalars(select(SurveyResponse).where(SurveyResponse.deleted_at.is_(None))).all()
        suggestions = session.scalars(select(Suggestion).where(Suggestion.deleted_at.is_(None))).all()

    def inside(moment: datetime | None) -> bool:
        return moment is not None and period.start <= local_date(moment) <= period.end

    contacts = Counter(c.channel_id for c in cases.values() if inside(c.submitted_at))
    statuses = Counter(c.status for c in cases.values() if inside(c.submitted_at))
    first: dict[uuid.UUID, CommitteeDecision] = {}
    for d in sorted(decisions, key=lambda d: (d.decided_at, d.id.hex)):
        if d.decision in ("accept", "reject"):
            first.setdefault(d.case_id, d)
    taken, within, with_promise = [], 0, 0
    for case_id, d in first.items():
        case = cases.get(case_id)
        if case is None or case.submitted_at is None or not inside(d.decided_at):
            continue
        decided = local_date(d.decided_at)
        taken.append((decided - local_date(case.submitted_at)).days)
        if case.promised_decision_date is not None:
            with_promise += 1
            within += decided <= case.promised_decision_date
    overdue = sum(
        1 for c in cases.values()
        if c.status in UNDECIDED_STATUSES and c.promised_decision_date is not None and c.promised_decision_date < today
    )
    answered = [r.answers for r in responses if inside(r.answered_at) and isinstance(r.answers, dict)]
    scale = [v for values in answered for k, v in values.items()
             if k in ("reception", "clarity", "speed", "overall") and type(v) is int and 1 <= v <= 5]
    recommend = [v for values in answered for k, v in values.items()
                 if k == "recommend" and type(v) is int and 0 <= v <= 10]
    follow: dict[str, tuple[int, int, int]] = {}
    for kind in ("suggestion", "complaint"):
        rows = [s for s in suggestions if s.kind == kind]
        follow[kind] = (sum(inside(s.created_at) for s in rows), sum(inside(s.closed_at) for s in rows),
                        sum(s.closed_at is None and s.status != "closed" for s in rows))
    return {
        "contacts": {k: v for k, v in contacts.items()},
        "statuses": dict(statuses),
        "decisions": len(taken),
        "median": float(statistics.median(taken)) if taken else None,
        "within": (within, with_promise),
        "overdue": overdue,
        "responses": sum(inside(r.answered_at) for r in responses),
        "mean": sum(scale) / len(scale) if scale else None,
        "recommend": (len(recommend), sum(v >= 9 for v in recommend), sum(v <= 6 for v in recommend)),
        "follow": follow,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, start=st.integers(0, 9), length=st.integers(0, 9))
def test_figures_equal_the_definitions_computed_in_python(
    world: _World, ops: list[tuple[Any, ...]], start: int, length: int
) -> None:
    for op in ops:
        world.apply(op)
    first = date(2025, 3, 1) + timedelta(days=start)
    period = Period.custom(first, first + timedelta(days=length))
    figures = DashboardService(world.ws, clock=lambda: NOW).figures(period)
    expected = _python_figures(world, period, date(2025, 3, 12))
    assert {c.channel_id: c.count for c in figures.contacts_by_channel if c.count} == expected["contacts"]
    assert {s.status: s.count for s in figures.cases_by_status} == expected["statuses"]
    assert figures.decisions == expected["decisions"]
    assert figures.median_days_to_decision == expected["median"]
    assert (figures.decided_within_promise, figures.decisions_with_promise) == expected["within"]
    assert figures.overdue_now == expected["overdue"]
    assert figures.survey_responses == expected["responses"]
    assert figures.satisfaction_mean == pytest.approx(expected["mean"]) if expected["mean"] is not None else (
        figures.satisfaction_mean is None)
    assert figures.recommendation is not None
    rec = figures.recommendation
    assert (rec.answers, rec.promoters, rec.detractors) == expected["recommend"]
    assert (figures.suggestions.opened, figures.suggestions.closed, figures.suggestions.open_now) == (
        expected["follow"]["suggestion"])
    assert (figures.complaints.opened, figures.complaints.closed, figures.complaints.open_now) == (
        expected["follow"]["complaint"])


def test_rebuild_repairs_tampered_summaries_and_keeps_the_triggers(world: _World) -> None:
    with world.raw:
        world.raw.execute("DELETE FROM report_contact_day")
        world.raw.execute("UPDATE report_answer_day SET answers = answers + 7")
    world.raw.execute("BEGIN IMMEDIATE")
    rebuild_summaries(world.raw)
    world.raw.execute("COMMIT")
    stored, expected = _stored_and_expected(world)
    assert stored == expected
    assert missing_triggers(world.raw) == []
    assert len(TRIGGERS) == 28


def test_migration_backfills_existing_rows(tmp_path: Path) -> None:
    """Rows written before revision 0006 are summarised by its back-fill exactly as the triggers would."""
    from alembic import command

    db = Database.open(tmp_path / "old.sqlite3")
    with db.engine.connect() as connection, connection.begin():
        command.upgrade(alembic_config(connection), "0005")
    raw = sqlite3.connect(tmp_path / "old.sqlite3")
    association, version = uuid.uuid4().hex, uuid.uuid4().hex
    with raw:
        raw.execute("INSERT INTO association (id, name, profile_id, version, created_at, updated_at) "
                    "VALUES (?, 'جمعية', 'p', 1, '2025-01-01', '2025-01-01')", (association,))
        raw.execute("INSERT INTO policy_version (id, association_id, profile_id, version_label, content_hash, "
                    "source_text, adopted_at, version, created_at, updated_at) VALUES (?, ?, 'p', '1', 'h', '', "
                    "'2025-01-01', 1, '2025-01-01', '2025-01-01')", (version, association))
        for n in range(40):
            case_id = uuid.uuid4().hex
            submitted = None if n % 9 == 0 else f"2025-03-{1 + n % 10:02d} {(n * 5) % 24:02d}:30:00.000000"
            raw.execute(
                'INSERT INTO "case" (id, association_id, case_number, policy_version_id, channel_id, case_kind_id, '
                "status, submitted_at, promised_decision_date, signature_pending, deleted_at, version, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, 'support', ?, ?, ?, ?, ?, 1, '2025-01-01', '2025-01-01')",
                (case_id, association, f"M-{n}", version, CHANNELS[n % 3], STATUSES[n % 7], submitted,
                 f"2025-03-{5 + n % 9:02d}" if n % 4 else None, n % 2, "2025-04-01" if n % 13 == 5 else None),
            )
            for k in range(n % 3):
                raw.execute(
                    "INSERT INTO committee_decision (id, case_id, decision, members, decided_at, version, created_at, "
                    "updated_at) VALUES (?, ?, ?, '[]', ?, 1, '2025-01-01', '2025-01-01')",
                    (uuid.uuid4().hex, case_id, ("accept", "reject", "more_info")[(n + k) % 3],
                     f"2025-03-{8 + k + n % 5:02d} 22:00:00.000000"),
                )
            if n % 5 == 0:
                raw.execute("INSERT INTO required_document (id, case_id, name, provided, valid_until, version, "
                            "created_at, updated_at) VALUES (?, ?, 'هوية', ?, '2025-03-03', 1, '2025-01-01', "
                            "'2025-01-01')", (uuid.uuid4().hex, case_id, n % 2))
            raw.execute(
                "INSERT INTO survey_response (id, association_id, mode, answers, answered_at, version, created_at, "
                "updated_at) VALUES (?, ?, 'kiosk', ?, ?, 1, '2025-01-01', '2025-01-01')",
                (uuid.uuid4().hex, association, json.dumps({"overall": 1 + n % 5, "recommend": n % 11, "t": "x"}),
                 f"2025-03-{1 + n % 10:02d} 21:00:00.000000"),
            )
            raw.execute(
                "INSERT INTO suggestion (id, association_id, kind, text, status, closed_at, version, created_at, "
                "updated_at) VALUES (?, ?, ?, 'نص', ?, ?, 1, ?, '2025-01-01')",
                (uuid.uuid4().hex, association, ("suggestion", "complaint")[n % 2], "closed" if n % 3 else "open",
                 "2025-03-09 12:00:00.000000" if n % 3 else None, f"2025-03-{1 + n % 8:02d} 20:59:59.000000"),
            )
    raw.close()
    db.upgrade()
    db.close()
    raw = sqlite3.connect(tmp_path / "old.sqlite3")
    stored, expected = snapshot(raw), recompute(raw)
    assert all(stored[t] for t in ("report_contact_day", "report_decision", "report_answer_day",
                                   "report_follow_up_day", "report_case_file"))
    assert stored == expected
    assert missing_triggers(raw) == []
    raw.close()


def test_summaries_are_local_tables_without_sync_columns() -> None:
    from db.models import SYNC_COLUMN_NAMES, Base

    for name in SUMMARY_TABLES:
        table = Base.metadata.tables[name]
        assert not set(SYNC_COLUMN_NAMES) <= set(table.columns.keys())


def test_dashboard_reads_no_source_table(world: _World) -> None:
    """The figures of a year read only summary tables (what keeps them fast on a million cases)."""
    from sqlalchemy import event

    statements: list[str] = []

    def remember(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = world.ws.db._readonly_engine()  # the engine read-only sessions use
    event.listen(engine, "before_cursor_execute", remember)
    try:
        DashboardService(world.ws, clock=lambda: NOW).figures(Period.gregorian_year(2025))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    figures_sql = [s for s in statements if "report_" in s or '"case"' in s or "survey_response" in s
                   or "committee_decision" in s or "suggestion" in s]
    assert figures_sql and all("FROM report_" in s for s in figures_sql), figures_sql
