"""The erasure's late arrivals (issue 14): an append-only row naming the person that reaches the real server on
real PostgreSQL after the case's erasure (a desk that was offline wrote it) is erased on arrival by the server,
and by a desk that pulls its own such row back, so no desk and no server holds the name again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from db.erasure import MARKER
from db.models import Case, StepCompletion
from desktop.audit import record_audit
from desktop.retention import run_retention
from desktop.sync.outcome import SyncError
from tests.accounts import sign_in_desk
from tests.desktop.reception.conftest import ID_NUMBER, NAME
from tests.desktop.sync.conftest import Desk, assert_converged
from tests.desktop.sync.test_erasure import LONG_AGO, _closed_case, _raw_bytes, _server_text


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
