"""Retention reaches the append-only records (issue 14): a sanctioned erasure, audited and synced through the real
server on real PostgreSQL, leaves no name or ID in any table of either desk, keeps the dashboard's figures and
the audit chain whole; the server refuses an erasure of a case not past its period or by a role that may not."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from db.erasure import MARKER
from db.models import Case, CommitteeDecision, Declaration, Erasure, StepCompletion
from desktop.audit_verify import EXIT_OK, verify_chains
from desktop.casedesk import CommitteeService, DecisionInput
from desktop.cli import main
from desktop.reception import ReceptionService
from desktop.reports.dashboard import DashboardService
from desktop.reports.views import Period
from desktop.retention import run_retention
from desktop.server.store import normalize_db_url
from desktop.workspace import Workspace
from tests.accounts import PASSWORD, add_account, committee_present, sign_in_desk
from tests.desktop.reception.conftest import ID_NUMBER, NAME, documents, particulars, signature_png
from tests.desktop.sync.conftest import Desk, assert_converged

#: mafateeh-alkhair keeps a closed case five years.
LONG_AGO = dt.timedelta(days=6 * 366)
RECENTLY = dt.timedelta(days=366)


def _closed_case(ws: Workspace, *, closed_for: dt.timedelta, name: str = NAME, id_number: str = ID_NUMBER,
                 opened: Callable[[], object] = lambda: None) -> uuid.UUID:
    """A case received, signed, refused by the committee (a reason naming the person) and closed `closed_for` ago.

    `opened` runs once the case is open, before the person is attached: the desks sync there, since a case
    pushed in the same batch as its new beneficiary, before it, is refused by the server on main today.
    """
    reception = ReceptionService(ws)
    view = reception.start_contact("interview", "service_request")
    reception.complete_greet(view.case_id)
    opened()
    reception.complete_verify(view.case_id, particulars(full_name=name, id_number=id_number), documents())
    reception.skip_step(view.case_id, "referral", f"لا حاجة، أفاد {name} بذلك")
    reception.sign_declaration(view.case_id, signature_png())
    reception.notify_committee(view.case_id)
    CommitteeService(ws).decide(view.case_id, DecisionInput("reject", f"دخل {name} يتجاوز الحد",
                                                            **committee_present(ws)))
    with ws.db.session() as session:
        case = session.get_one(Case, view.case_id)
        case.status = "closed"
        case.closed_at = dt.datetime.now(dt.UTC) - closed_for
    return view.case_id


def _raw_bytes(ws: Workspace) -> bytes:
    """The database file's bytes once its WAL is checkpointed into it and it is vacuumed (free pages gone)."""
    with ws.db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{ws.db.path}-wal")
    return ws.db.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _server_text(db_url: str, desk: Desk) -> str:
    """Every row the server holds for `desk`'s association, as text (the run's other tests share the server and
    use the same person's name)."""
    association = uuid.UUID(hex=str(desk.scalar("SELECT id FROM association")))
    engine = create_engine(normalize_db_url(db_url))
    try:
        with engine.connect() as conn:
            return "\n".join(f"{fields} {meta}" for fields, meta in conn.execute(
                text("SELECT fields::text, meta::text FROM sync_row WHERE association_id = :a"), {"a": association}))
    finally:
        engine.dispose()


def test_a_retention_erasure_reaches_every_desk_and_the_server(sync_server, make_desk: Callable[..., Desk],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    first, second = make_desk("first"), make_desk("second")
    manager = sign_in_desk(first.ws)  # every role: receives, decides, runs retention
    case_id = _closed_case(first.ws, closed_for=LONG_AGO, opened=first.settle)
    first.settle()
    second.settle()
    assert NAME.encode() in _raw_bytes(second.ws)  # the other desk held the person before
    period = Period(dt.date(2015, 1, 1), dt.date(2035, 12, 31), "الفترة")
    moment = dt.datetime.now(dt.UTC)
    before = DashboardService(first.ws, clock=lambda: moment).figures(period)

    done = run_retention(first.ws.db, first.ws.data_dir, apply=True, actor_id=manager.account_id)
    assert (done.cases, done.beneficiaries) == (1, 1)
    first.settle()
    second.settle()
    first.settle()
    refused = {(c.table, c.reason_ar[:90]) for c in first.sync.refused()[0]}
    assert not refused, "\n".join(map(str, refused))
    assert_converged(sync_server, first, second)  # the same erased content everywhere (digests per row)

    for desk in (first, second):
        with desk.ws.db.session(read_only=True) as session:
            erasure = session.scalars(select(Erasure)).one()
            assert (erasure.case_id, erasure.erased_by, erasure.retention_years) == (case_id, manager.account_id, 5)
            assert session.scalars(select(Declaration.text).where(Declaration.case_id == case_id)).all() == [MARKER]
            assert session.scalars(select(CommitteeDecision.reason)).all() == [MARKER]
            assert MARKER in session.scalars(select(StepCompletion.skip_reason)).all()
        raw = _raw_bytes(desk.ws)
        assert NAME.encode() not in raw, desk.name
        assert ID_NUMBER.encode() not in raw, desk.name
        with sqlite3.connect(desk.ws.db.path) as conn:
            assert verify_chains(conn).problem is None, desk.name
    assert DashboardService(first.ws, clock=lambda: moment).figures(period) == before
    server = _server_text(sync_server.db_url, first)
    assert NAME not in server and ID_NUMBER not in server and MARKER in server

    first.ws.close()
    assert main(["--data-dir", str(first.ws.data_dir), "audit", "verify"]) == EXIT_OK
    assert "سجل التدقيق سليم" in capsys.readouterr().out


def test_the_server_refuses_an_erasure_not_past_the_period_or_by_a_role_that_may_not(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk("forger")
    manager = sign_in_desk(desk.ws)
    add_account(desk.ws, "amal", "أمل سعد الدوسري", ["officer"])
    recent = _closed_case(desk.ws, closed_for=RECENTLY, opened=desk.settle)
    old = _closed_case(desk.ws, closed_for=LONG_AGO, name="سارة خالد عبد الله العتيبي", id_number="1044455556",
                       opened=desk.settle)
    desk.settle()
    with desk.ws.db.session() as session:
        officer = session.execute(text("SELECT id FROM app_user WHERE username = 'amal'")).scalar_one()
        for case_id, by in ((recent, manager.account_id), (old, uuid.UUID(hex=officer))):
            case = session.get_one(Case, case_id)
            assert case.closed_at is not None
            session.add(Erasure(association_id=case.association_id, case_id=case.id, beneficiary_id=None,
                                policy_version_id=case.policy_version_id, retention_years=5,
                                closed_at=case.closed_at, erased_by=by, erased_at=dt.datetime.now(dt.UTC)))
    desk.settle()
    rejected, _kept = desk.sync.refused()
    reasons = sorted(change.reason_ar for change in rejected if change.table == "erasure")
    assert len(reasons) == 2, reasons
    assert any("لم تنقضِ مدة الاحتفاظ" in reason for reason in reasons)
    assert any("لا يملك صلاحية" in reason for reason in reasons)
    server = _server_text(sync_server.db_url, desk)
    assert NAME in server and '"table_name": "erasure"' not in server  # nothing erased, no erasure stored


def test_the_guards_allow_only_the_marker_and_only_with_an_erasure(make_desk: Callable[..., Desk]) -> None:
    desk = make_desk("alone", enroll=False)
    sign_in_desk(desk.ws)
    case_id = _closed_case(desk.ws, closed_for=LONG_AGO)
    conn = sqlite3.connect(desk.ws.db.path, isolation_level=None)
    try:
        for sql in ("UPDATE declaration SET text = ? WHERE case_id = ?",  # no erasure yet: refused
                    "UPDATE step_completion SET skip_reason = ? WHERE case_id = ?"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql, (MARKER, case_id.hex))
    finally:
        conn.close()
    manager = desk.ws.signed_in
    assert manager is not None
    run_retention(desk.ws.db, desk.ws.data_dir, apply=True, actor_id=manager.account_id)
    conn = sqlite3.connect(desk.ws.db.path, isolation_level=None)
    try:
        for sql, value in (("UPDATE declaration SET text = ? WHERE case_id = ?", "نص آخر"),  # not the marker
                           ("UPDATE declaration SET pdf_sha256 = ? WHERE case_id = ?", "0" * 64),  # another column
                           ("UPDATE committee_decision SET decision = ? WHERE case_id = ?", "accept")):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql, (value, case_id.hex))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE erasure SET case_id = ? WHERE case_id = ?", (uuid.uuid4().hex, case_id.hex))
        assert verify_chains(conn).problem is None
        # A hand edit dressed as an erasure (no such erasure) is still found.
        conn.execute("DROP TRIGGER audit_event_append_only_update")
        target = conn.execute("SELECT id FROM audit_event WHERE action = 'signed_in' LIMIT 1").fetchone()[0]
        conn.execute("UPDATE audit_event SET details = ? WHERE id = ?",
                     (f'{{"erased": "{MARKER}", "sha256": "{"1" * 64}", "erasure": "{"2" * 32}", "chain": 2}}',
                      target))
        problem = verify_chains(conn).problem
        assert problem is not None and problem.kind == "edited"
    finally:
        conn.close()


def test_retention_by_an_account_without_a_retention_role_is_refused(make_desk: Callable[..., Desk]) -> None:
    from desktop.errors import InputError

    desk = make_desk("officer", enroll=False)
    sign_in_desk(desk.ws)
    add_account(desk.ws, "amal", "أمل سعد الدوسري", ["officer", "researcher"])
    _closed_case(desk.ws, closed_for=LONG_AGO)
    officer = desk.ws.sign_in_with_password("amal", PASSWORD)
    with pytest.raises(InputError, match="مدير الجمعية"):
        run_retention(desk.ws.db, desk.ws.data_dir, apply=True, actor_id=officer.account_id)
    assert run_retention(desk.ws.db, desk.ws.data_dir, apply=False).cases == 1  # nothing changed
