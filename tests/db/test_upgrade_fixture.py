"""A database written by an earlier release (schema 0008, kept as a fixture) opened by this one: migrated at first
start with every row kept, and a copy of it as it was taken first.

The fixture ``fixtures/release-0008.sqlite3`` was made by the desk of commit 22c8980 (the last on main at schema
0008: `mustafid-admin init --policy qader-tabuk` then `demo-data --beneficiaries 40 --seed 3`), VACUUMed.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from db.engine import BEFORE_UPGRADE_DIR, HEAD_REVISION, Database
from desktop.workspace import DATABASE_FILE, Workspace

FIXTURE = Path(__file__).parent / "fixtures" / "release-0008.sqlite3"


def _rows(path: Path) -> dict[str, set[tuple[object, ...]]]:
    """Every user table's rows as (rowid or primary key, all columns) — the FTS index and SQLite's own aside."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' AND name <> 'alembic_version'")]
        found: dict[str, set[tuple[object, ...]]] = {}
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            keyed = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")') if row[5]] or ["rowid"]
            select = ", ".join(f'"{c}"' if c != "rowid" else "rowid" for c in keyed)
            found[table] = {tuple(row) for row in connection.execute(f'SELECT {select} FROM "{table}"')}
            found[table + ":columns"] = {tuple(columns)}
        return found
    finally:
        connection.close()


def _open_copy(tmp_path: Path) -> Path:
    data_dir = tmp_path / "desk"
    data_dir.mkdir()
    shutil.copyfile(FIXTURE, data_dir / DATABASE_FILE)
    return data_dir


def test_the_fixture_is_the_earlier_release() -> None:
    """The fixture is at schema 0008 and holds cases, beneficiaries and decisions to keep."""
    assert Database(FIXTURE).current_revision() == "0008"
    rows = _rows(FIXTURE)
    assert len(rows["case"]) >= 50 and len(rows["beneficiary"]) == 40 and len(rows["committee_decision"]) >= 40


def test_an_earlier_release_database_is_migrated_with_every_row_kept(tmp_path: Path) -> None:
    """Opened by this version: at HEAD, every table of the old file still there with every row it had."""
    data_dir = _open_copy(tmp_path)
    before = _rows(data_dir / DATABASE_FILE)
    workspace = Workspace.open(data_dir)
    try:
        profile = workspace.active_profile()
        assert profile is not None and profile.id == "qader-tabuk"
    finally:
        workspace.close()
    assert Database(data_dir / DATABASE_FILE).current_revision() == HEAD_REVISION
    after = _rows(data_dir / DATABASE_FILE)
    lost = {table: len(keys - after.get(table, set())) for table, keys in before.items()
            if not table.endswith(":columns") and keys - after.get(table, set())}
    assert lost == {}
    for table in (t for t in before if t.endswith(":columns")):
        (old_columns,), (new_columns,) = before[table], after[table]
        assert set(old_columns) <= set(new_columns), table  # no column of the old release dropped


def test_a_copy_is_taken_before_migrating_and_only_then(tmp_path: Path) -> None:
    """The first start copies the 0008 file (whole, readable, still 0008); a start at HEAD copies nothing."""
    data_dir = _open_copy(tmp_path)
    Workspace.open(data_dir).close()
    copies = sorted((data_dir / BEFORE_UPGRADE_DIR).iterdir())
    assert [c.name.split("-")[1:4] for c in copies] == [["0008", "to", HEAD_REVISION]]
    assert Database(copies[0]).current_revision() == "0008"
    assert _rows(copies[0]) == _rows(FIXTURE)
    Workspace.open(data_dir).close()
    assert len(list((data_dir / BEFORE_UPGRADE_DIR).iterdir())) == 1


def test_a_new_database_takes_no_copy(tmp_path: Path) -> None:
    """A first start on an empty data directory has nothing to keep."""
    Workspace.open(tmp_path / "fresh").close()
    assert not (tmp_path / "fresh" / BEFORE_UPGRADE_DIR).exists()
