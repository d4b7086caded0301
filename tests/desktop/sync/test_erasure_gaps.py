"""The erasure's gaps closed (issue 14), on the real server and real PostgreSQL: an append-only row naming the
person that reaches the server after the case's erasure (a desk that was offline wrote it) is erased on arrival by
the server, and by a desk that pulls its own such row back, so no desk and no server holds the name again; the
server removes an erased case's stored files and keeps those another case or association still holds."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, insert, select, text

from db.erasure import MARKER
from db.models import Case, StepCompletion
from desktop.audit import record_audit
from desktop.retention import run_retention
from desktop.server.models import server_attachment
from desktop.server.store import normalize_db_url
from desktop.sync.outcome import SyncError
from tests.accounts import sign_in_desk
from tests.desktop.reception.conftest import ID_NUMBER, NAME
from tests.desktop.sync.conftest import Desk, assert_converged
from tests.desktop.sync.test_erasure import LONG_AGO, RECENTLY, _closed_case, _raw_bytes, _server_text


def _note_offline(desk: Desk, case_id: uuid.UUID, officer: uuid.UUID, words: str) -> None:
    """What a desk records about the case while it cannot reach the server: a step note naming the person and
    the audit events about it and about the case."""
    with desk.ws.db.session() as session:
        case = session.get_one(Case, case_id)
        step = StepCompletion(case_id=case.id, step_id="follow_up", step_kind="note", officer_id=officer,
                              completed_at=dt.datetime.now(dt.UTC), policy_version_id=case.policy_version_id,
                              note=words)
        session.add(step)
        session.flush()
        for entity, entity_id in (("step_completion", step.id), ("case", case.id)):
            record_audit(session, action="note_added", entity=entity, entity_id=entity_id, actor_id=officer,
                         association_id=case.association_id, details={"note": words})


def _holds(desk: Desk) -> bool:
    raw = _raw_bytes(desk.ws)
    return NAME.encode() in raw or ID_NUMBER.encode() in raw


def test_a_note_pushed_after_the_erasure_is_erased_on_arrival_everywhere(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    first, late = make_desk("first"), make_desk("late")
    manager = sign_in_desk(first.ws)
    case_id = _closed_case(first.ws, closed_for=LONG_AGO, opened=first.settle)
    first.settle()
    late.settle()  # the late desk holds the case, then writes about the person...
    _note_offline(late, case_id, manager.account_id, f"اتصل {NAME} ({ID_NUMBER}) يسأل عن طلبه")
    late.transport.unreachable_once.add("/v1/push")  # ...and its batch, composed with the name, is not delivered
    with pytest.raises(SyncError):
        late.round()
    assert late.scalar("SELECT count(*) FROM sync_batch") == 1

    run_retention(first.ws.db, first.ws.data_dir, apply=True, actor_id=manager.account_id)
    first.settle()  # the erasure reaches the server before the late desk's note
    late.settle()  # the late desk pulls the erasure, then resends its batch as it was: erased on arrival
    first.settle()
    server = _server_text(sync_server.db_url, first)
    assert NAME not in server and ID_NUMBER not in server and MARKER in server
    newcomer = make_desk("newcomer")
    newcomer.settle()
    refused = [(c.table, c.reason_ar) for c in first.sync.refused()[0]]
    assert not refused, refused
    assert_converged(sync_server, first, late, newcomer)
    for desk in (first, late, newcomer):
        assert not _holds(desk), desk.name
        with desk.ws.db.session(read_only=True) as session:
            notes = session.scalars(select(StepCompletion.note).where(StepCompletion.case_id == case_id,
                                                                      StepCompletion.step_id == "follow_up"))
            assert notes.all() == [MARKER], desk.name


def test_a_desk_that_pulls_its_own_late_note_back_erased_erases_its_copy(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    first, late = make_desk("first"), make_desk("late")
    manager = sign_in_desk(first.ws)
    case_id = _closed_case(first.ws, closed_for=LONG_AGO, opened=first.settle)
    first.settle()
    run_retention(first.ws.db, first.ws.data_dir, apply=True, actor_id=manager.account_id)
    first.settle()
    late.settle()  # the late desk already holds the erasure...
    assert not _holds(late)
    _note_offline(late, case_id, manager.account_id, f"عاد {NAME} يسأل")  # ...and writes about the person again
    assert _holds(late)
    late.settle()  # pushed, erased by the server, pulled back: the desk's own copy is erased as it arrives
    first.settle()
    assert not _holds(late)
    assert not _holds(first)
    assert NAME not in _server_text(sync_server.db_url, first)
    assert_converged(sync_server, first, late)


def _case_files(desk: Desk, case_id: uuid.UUID) -> set[str]:
    """The SHA-256 of every file a case's rows reference (documents, signature, declaration PDF, letters)."""
    with desk.ws.db.engine.connect() as conn:
        return {str(sha) for (sha,) in conn.execute(text(
            "SELECT a.sha256 FROM attachment AS a WHERE a.id IN ("
            " SELECT attachment_id FROM required_document WHERE case_id = :c"
            " UNION SELECT signature_attachment_id FROM declaration WHERE case_id = :c"
            " UNION SELECT pdf_attachment_id FROM declaration WHERE case_id = :c"
            " UNION SELECT attachment_id FROM decision_letter WHERE case_id = :c)"), {"c": case_id.hex})}


def _server_files(db_url: str, association: uuid.UUID) -> set[str]:
    engine = create_engine(normalize_db_url(db_url))
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT sha256 FROM server_attachment WHERE association_id = :a"),
                                    {"a": association}).scalars())
    finally:
        engine.dispose()


def test_the_server_removes_an_erased_cases_scans_and_keeps_those_still_used(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk("desk")
    manager = sign_in_desk(desk.ws)
    old = _closed_case(desk.ws, closed_for=LONG_AGO, opened=desk.settle)
    recent = _closed_case(desk.ws, closed_for=RECENTLY, name="سارة خالد عبد الله العتيبي", id_number="1044455556",
                          opened=desk.settle)
    desk.settle()
    association = uuid.UUID(hex=str(desk.scalar("SELECT id FROM association")))
    mine, kept = _case_files(desk, old), _case_files(desk, recent)
    only_mine = mine - kept
    assert only_mine and mine & kept  # its declaration's PDF is its own; the scans are the same files
    assert mine | kept <= _server_files(sync_server.db_url, association)
    neighbour = uuid.uuid4()  # another association holding the same file: its own row, never touched
    engine = create_engine(normalize_db_url(sync_server.db_url))
    try:
        with engine.begin() as conn:
            conn.execute(insert(server_attachment).values(association_id=neighbour, sha256=sorted(only_mine)[0],
                                                          size=1, content=b"x", stored_at=dt.datetime.now(dt.UTC)))
    finally:
        engine.dispose()

    run_retention(desk.ws.db, desk.ws.data_dir, apply=True, actor_id=manager.account_id)
    desk.settle()
    held = _server_files(sync_server.db_url, association)
    assert not only_mine & held  # the erased case's own files are gone from the server
    assert kept <= held  # the files the other case still uses stay
    assert _server_files(sync_server.db_url, neighbour) == {sorted(only_mine)[0]}
    assert not [c for c in desk.sync.refused()[0]]
