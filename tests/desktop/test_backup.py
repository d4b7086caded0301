"""Backups that restore (issue 14, item 3): backup → damage the live file → restore → equal; verify; prune."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from db.models import Attachment
from desktop.attachments import MIME_PNG, AttachmentStore
from desktop.backup import (
    BACKUPS_DIR,
    BackupError,
    BackupKind,
    create_backup,
    latest_backup,
    list_backups,
    prune_backups,
    restore_backup,
    verify_backup,
)
from desktop.demo_data import generate_demo_data
from desktop.workspace import DATABASE_FILE, Workspace, WorkspaceError
from tests.templates import seed_data_dir

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f50000000049454e44ae426082"
)


def _desk(data_dir: Path, beneficiaries: int = 40) -> Path:
    seed_data_dir(data_dir)
    ws = Workspace.open(data_dir)
    try:
        profile = ws.adopt_builtin_profile("mafateeh-alkhair")
        generate_demo_data(ws.db, beneficiaries=beneficiaries, profile=profile)
        stored = AttachmentStore(data_dir).put(PNG, MIME_PNG)
        with ws.db.session() as session:
            session.add(Attachment(sha256=stored.sha256, size=stored.size, mime=MIME_PNG,
                                   stored_path=stored.relative_path))
    finally:
        ws.close()
    return data_dir


def _table_digest(path: Path) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a hash of its rows in order (what "equal" means after a restore)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        result: dict[str, tuple[int, str]] = {}
        for table in tables:
            rows = sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"').fetchall()))
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return result
    finally:
        connection.close()


def _files(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_backup_damage_restore_gives_back_equal_data(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk")
    before = _table_digest(data_dir / DATABASE_FILE)
    attachments_before = _files(data_dir / "attachments")
    seen: list[tuple[int, int]] = []
    info = create_backup(data_dir, tmp_path / "usb", progress=lambda done, total: seen.append((done, total)))

    assert info.path.parent == tmp_path / "usb" and info.path.name.startswith("mustafid-backup-")
    assert info.counts is not None and info.counts.beneficiaries == 40 and info.counts.attachments == 1
    assert info.counts.cases > 0
    assert seen and seen[-1][0] == seen[-1][1] and all(a <= b for a, b in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # the bar only moves forward
    assert verify_backup(info.path).ok
    assert not list((tmp_path / "usb").glob(".partial-*"))

    # The live file is damaged: its middle overwritten, its log gone.
    live = data_dir / DATABASE_FILE
    raw = bytearray(live.read_bytes())
    raw[8192:8192 + 20000] = b"\xde\xad" * 10000
    live.write_bytes(bytes(raw))
    (data_dir / "attachments").joinpath(next(iter(attachments_before))).unlink()
    damaged = live.read_bytes()

    result = restore_backup(info.path, data_dir)

    assert _table_digest(live) == before
    assert _files(data_dir / "attachments") == attachments_before
    assert result.attachments_added == 1
    assert result.safety_copy is not None and result.safety_copy.parent == data_dir / BACKUPS_DIR
    assert (result.safety_copy / DATABASE_FILE).read_bytes() == damaged  # the damaged file kept, not lost
    ws = Workspace.open(data_dir)  # the desk opens on the restored data
    ws.close()


def test_verify_finds_a_changed_part_and_restore_refuses_it(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk", beneficiaries=5)
    info = create_backup(data_dir, tmp_path / "usb")
    copy = info.path / DATABASE_FILE
    raw = bytearray(copy.read_bytes())
    raw[-100] ^= 0xFF
    copy.write_bytes(bytes(raw))
    result = verify_backup(info.path)
    assert not result.ok and any("بصمته" in problem for problem in result.problems)
    live_before = (data_dir / DATABASE_FILE).read_bytes()
    with pytest.raises(BackupError) as raised:
        restore_backup(info.path, data_dir)
    assert "لا يمكن الاستعادة" in raised.value.message_ar
    assert (data_dir / DATABASE_FILE).read_bytes() == live_before


def test_a_backup_is_consistent_while_another_connection_writes(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk", beneficiaries=5)
    writer = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    writes = [0]

    def progress(_done: int, _total: int) -> None:
        writer.execute("UPDATE association SET city = ?", (f"مدينة {writes[0]}",))
        writes[0] += 1

    from desktop import backup as backup_module

    original = backup_module._PAGES_PER_STEP
    backup_module._PAGES_PER_STEP = 2  # many steps, a write between each
    try:
        info = create_backup(data_dir, tmp_path / "usb", progress=progress)
    finally:
        backup_module._PAGES_PER_STEP = original
        writer.close()
    assert writes[0] > 3
    assert verify_backup(info.path).ok


def test_list_latest_and_prune_keep_manual_and_safety_backups(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk", beneficiaries=3)
    folder = data_dir / BACKUPS_DIR
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for day in range(5):
        create_backup(data_dir, folder, kind=BackupKind.DAILY, now=start + dt.timedelta(days=day))
    create_backup(data_dir, folder, kind=BackupKind.MANUAL, now=start - dt.timedelta(days=1))
    assert len(list_backups(folder)) == 6
    removed = prune_backups(folder, keep=2)
    assert len(removed) == 3
    kinds = [(info.kind, info.created_at.day) for info in list_backups(folder)]
    assert kinds == [(BackupKind.DAILY, 5), (BackupKind.DAILY, 4), (BackupKind.MANUAL, 31)]
    latest = latest_backup(data_dir)
    assert latest is not None and latest.created_at.day == 5


def test_a_backup_to_a_folder_that_cannot_be_written_leaves_nothing(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk", beneficiaries=3)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(BackupError) as raised:
        create_backup(data_dir, blocker / "inside")
    assert raised.value.message_ar


def test_an_empty_database_file_is_refused_and_kept(tmp_path: Path) -> None:
    data_dir = tmp_path / "desk"
    data_dir.mkdir()
    (data_dir / DATABASE_FILE).write_bytes(b"")
    with pytest.raises(WorkspaceError) as raised:
        Workspace.open(data_dir)
    assert "فارغ" in raised.value.message_ar
    assert (data_dir / DATABASE_FILE).read_bytes() == b""  # never re-created as a new, empty database


def test_the_backup_commands_create_list_verify_and_restore(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    data_dir = _desk(tmp_path / "desk", beneficiaries=4)
    before = _table_digest(data_dir / DATABASE_FILE)
    usb = tmp_path / "usb"
    assert main(["--data-dir", str(data_dir), "backup", "create", "--to", str(usb)]) == 0
    out = capsys.readouterr().out
    folder = Path(out.split("\t")[0])
    assert folder.parent == usb and "يدوية" in out and "مستفيد" in out

    assert main(["--data-dir", str(data_dir), "backup", "list", "--in", str(usb)]) == 0
    assert str(folder) in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "backup", "verify", str(folder)]) == 0
    assert "النسخة سليمة" in capsys.readouterr().out

    assert main(["--data-dir", str(data_dir), "backup", "restore", str(folder)]) == 0  # without --yes: a preview
    assert "--yes" in capsys.readouterr().out
    (data_dir / DATABASE_FILE).write_bytes(b"")
    assert main(["--data-dir", str(data_dir), "backup", "restore", str(folder), "--yes"]) == 0
    assert "استُعيدت النسخة" in capsys.readouterr().out
    assert _table_digest(data_dir / DATABASE_FILE) == before

    (folder / "manifest.json").write_text("{", encoding="utf-8")
    assert main(["--data-dir", str(data_dir), "backup", "verify", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("خطأ: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
