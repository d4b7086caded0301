"""The daily integrity check (issue 14, item 5): a page of a real SQLite desk overwritten is found after start-up
(the header check lets it through), worded as the start-up's damaged-file refusal naming the latest good backup;
a sound desk is checked at most once a day, remembered beside the database; nothing is written to a damaged file."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import DatabaseDamagedError, quick_check
from db.models import Association, Beneficiary
from desktop.backup import BACKUPS_DIR, BackupKind, backup_summary, create_backup
from desktop.integrity import RECORD_FILE, check_database, check_due, last_healthy_check
from desktop.workspace import DATABASE_FILE, Workspace
from tests.templates import seed_data_dir

NOON = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _desk(data_dir: Path, people: int = 400) -> Path:
    """An adopted desk with `people` beneficiaries (their table spans many pages)."""
    seed_data_dir(data_dir)
    ws = Workspace.open(data_dir)
    try:
        ws.adopt_builtin_profile("mafateeh-alkhair")
        with ws.db.session() as session:
            association = session.scalars(select(Association.id)).first()
            assert association is not None
            for number in range(people):
                session.add(Beneficiary(association_id=association, full_name=f"مستفيد رقم {number}",
                                        name_key=uuid.uuid4().hex, id_number=f"1{number:09d}", id_kind="national",
                                        city="الرياض"))
    finally:
        ws.close()
    return data_dir


def damage_a_page(database: Path) -> int:
    """Overwrite one page of the beneficiary table (not its root, not the schema's) with garbage: the header
    stays valid, so the start-up check and the opening pass. Returns the page number overwritten."""
    connection = sqlite3.connect(database)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'beneficiary'").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    finally:
        connection.close()
    victim = root if root > 1 else pages // 2
    with database.open("r+b") as handle:
        handle.seek((victim - 1) * page_size)
        handle.write(bytes([0x0D]) + b"\xa5" * (page_size - 1))  # a leaf page's type byte, its cells nonsense
    return victim


def test_a_sound_desk_is_checked_once_a_day_and_remembered(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk", people=20)
    ws = Workspace.open(data_dir)
    try:
        assert check_due(data_dir, NOON)
        assert check_database(ws, now=NOON) is None
        assert last_healthy_check(data_dir) == NOON
        assert (data_dir / RECORD_FILE).stat().st_mode & 0o777 == 0o600
        assert not check_due(data_dir, NOON + dt.timedelta(hours=23))
        assert check_due(data_dir, NOON + dt.timedelta(hours=24))
        assert check_due(data_dir, NOON - dt.timedelta(hours=1))  # a clock set back: checked again
        (data_dir / RECORD_FILE).write_text("{not json", encoding="utf-8")
        assert check_due(data_dir, NOON)
    finally:
        ws.close()


def test_a_page_overwritten_is_found_after_start_up_and_names_the_latest_good_backup(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk")
    info = create_backup(data_dir, data_dir / BACKUPS_DIR, kind=BackupKind.CLOSE)
    live = data_dir / DATABASE_FILE
    damage_a_page(live)
    damaged = live.read_bytes()

    ws = Workspace.open(data_dir)  # the cheap start-up check lets it through: the desk opens
    try:
        finding = check_database(ws, now=NOON)
        assert finding is not None
        assert finding.restore_from == info.path
        assert finding.message_ar.startswith("ملف قاعدة البيانات تالف")
        assert f"آخر نسخة احتياطية سليمة: {backup_summary(info)}" in finding.message_ar
        assert last_healthy_check(data_dir) is None  # not remembered: the next start checks (and says) it again
        assert check_database(ws, now=NOON) is not None
    finally:
        ws.close()
    assert live.read_bytes() == damaged  # nothing written to the damaged file


def test_a_damaged_desk_without_backups_says_so(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk")
    damage_a_page(data_dir / DATABASE_FILE)
    with pytest.raises(DatabaseDamagedError):
        quick_check(data_dir / DATABASE_FILE)
    ws = Workspace.open(data_dir)
    try:
        finding = check_database(ws, now=NOON)
    finally:
        ws.close()
    assert finding is not None and finding.restore_from is None
    assert "ولا توجد نسخة احتياطية" in finding.message_ar
