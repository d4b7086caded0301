"""The outbox is written by triggers in the same transaction as each local change; bulk SQL does not escape it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from db.models import Case
from db.outbox import install_outbox_triggers, outbox_triggers_current, resume_outbox, suppress_outbox
from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.templates import seed_data_dir


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.open(seed_data_dir(tmp_path / "desk"))
    workspace.adopt_builtin_profile("mafateeh-alkhair")
    yield workspace
    workspace.close()


def _outbox(ws: Workspace) -> list[tuple[str, str, str, str | None, int | None]]:
    with ws.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT table_name, row_id, op, columns, base_version FROM sync_outbox ORDER BY seq"))]


def test_a_reception_action_writes_its_rows_and_their_outbox_entries_together(ws: Workspace) -> None:
    before = len(_outbox(ws))
    service = ReceptionService(ws)
    profile = service.profile
    view = service.start_contact(profile.channels[0].id, profile.case_kinds[0].id)
    entries = _outbox(ws)[before:]
    assert ("case", view.case_id.hex, "insert", None, None) in entries
    assert any(e[0] == "audit_event" and e[2] == "insert" for e in entries)


def test_a_rolled_back_change_leaves_no_outbox_entry(ws: Workspace) -> None:
    before = _outbox(ws)
    with pytest.raises(RuntimeError), ws.db.session() as session:
        session.execute(text("UPDATE app_user SET full_name = 'x'"))
        raise RuntimeError("the action fails after writing")
    assert _outbox(ws) == before


def test_a_raw_bulk_update_is_captured_with_only_the_changed_columns(ws: Workspace) -> None:
    service = ReceptionService(ws)
    profile = service.profile
    ids = [service.start_contact(profile.channels[0].id, profile.case_kinds[0].id).case_id for _ in range(3)]
    before = len(_outbox(ws))
    with ws.db.session() as session:
        session.execute(text('UPDATE "case" SET branch = \'جدة\''))
        session.execute(text('UPDATE "case" SET branch = branch'))  # no change: nothing recorded
    entries = _outbox(ws)[before:]
    assert sorted(e[1] for e in entries) == sorted(i.hex for i in ids)
    assert {e[2:] for e in entries} == {("update", "branch", None)}


def test_a_soft_delete_is_a_delete_and_the_base_is_the_server_version(ws: Workspace) -> None:
    service = ReceptionService(ws)
    profile = service.profile
    case_id = service.start_contact(profile.channels[0].id, profile.case_kinds[0].id).case_id
    with ws.db.session() as session:  # as if pulled: the server's version 7 and sequence 40
        session.execute(text("DELETE FROM sync_outbox"))
        session.execute(text('UPDATE "case" SET version = 7, server_seq = 40 WHERE id = :i'), {"i": case_id.hex})
    with ws.db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.summary = "ملخص"
    with ws.db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.version == 8
        case.deleted_at = case.updated_at
    assert _outbox(ws) == [
        ("case", case_id.hex, "update", "summary", 7),
        ("case", case_id.hex, "delete", "deleted_at", 7),  # still based on the server's 7, not the local 8
    ]


def test_suppressed_changes_are_not_recorded_and_the_switch_is_never_left_on(ws: Workspace) -> None:
    before = _outbox(ws)
    with ws.db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("BEGIN IMMEDIATE")
        suppress_outbox(raw)
        raw.execute("UPDATE app_user SET full_name = 'مستلم من الخادم'")
        resume_outbox(raw)
        raw.execute("COMMIT")
        assert raw.execute("SELECT suppressed FROM sync_switch").fetchone()[0] == 0
    assert _outbox(ws) == before


def test_triggers_follow_the_live_schema_and_are_repaired(ws: Workspace) -> None:
    from desktop.sync.service import SyncService

    SyncService(ws)  # repairs triggers missing after a migration that added synced tables
    with ws.db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert outbox_triggers_current(raw)
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE 'sync_outbox_%'")}
        assert "sync_outbox_case_update" in names
        assert not any(n.startswith(("sync_outbox_device_", "sync_outbox_reception_draft_")) for n in names)
        raw.execute("BEGIN")
        raw.execute('DROP TRIGGER "sync_outbox_case_update"')
        raw.execute("ALTER TABLE beneficiary ADD COLUMN nickname TEXT")
        assert not outbox_triggers_current(raw)
        install_outbox_triggers(raw)
        assert outbox_triggers_current(raw)
        raw.execute("ROLLBACK")
