"""Revision 0002 adds the reception tables to a database made at 0001 without touching its data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from db.engine import HEAD_REVISION, Database, alembic_config


def test_upgrade_from_0001_keeps_data_and_adds_the_tables(tmp_path: Path) -> None:
    """A 0001 database with an association upgrades to head; search triggers and guards stay."""
    db = Database.open(tmp_path / "old.db")
    with db.engine.connect() as connection, connection.begin():
        command.upgrade(alembic_config(connection), "0001")
    db.close()
    with sqlite3.connect(tmp_path / "old.db") as raw:
        raw.execute(
            "INSERT INTO association (id, name, profile_id, version, created_at, updated_at) "
            "VALUES ('0123456789abcdef0123456789abcdef', 'جمعية', 'baraah', 1, '2025-01-01 00:00:00.000000', "
            "'2025-01-01 00:00:00.000000')"
        )
    again = Database.open(tmp_path / "old.db")
    assert again.current_revision() == "0001"
    again.upgrade()
    assert again.current_revision() == HEAD_REVISION == "0023"
    tables = set(inspect(again.engine).get_table_names())
    assert {"reception_draft", "rescue_member", "rescue_report", "beneficiary_fts"} <= tables
    with again.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT name FROM association").scalar_one() == "جمعية"
        triggers = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert "step_completion_append_only_update" in triggers and "beneficiary_fts_after_insert" in triggers
    again.close()
