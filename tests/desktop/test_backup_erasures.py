"""Backups honour erasures (issue 14, PDPL «beyond use»): backup → retention erases a case → restore the old backup →
the person's name, ID and notes are absent from the restored file (raw bytes for a plain desk, through the key for
an encrypted one), the counts kept; the preview and `backup verify` say how many cases a restore erases again."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from db.engine import connect_keyed
from db.models import (
    Assessment,
    Attachment,
    Beneficiary,
    Case,
    CaseStatus,
    Erasure,
    RequiredDocument,
    SyncOutbox,
)
from desktop.attachments import MIME_PDF, AttachmentStore
from desktop.backup import (
    BACKUPS_DIR,
    BackupKind,
    create_backup,
    known_erasures,
    read_backup,
    restore_backup,
    verify_backup,
)
from desktop.backup_desk import BackupDesk
from desktop.backup_erasures import LEDGER_FILE, read_ledger, write_ledger
from desktop.demo_data import generate_demo_data
from desktop.retention import ANONYMISED_NAME, run_retention
from desktop.staff import HashParameters
from desktop.workspace import DATABASE_FILE, Workspace
from tests.templates import seed_data_dir

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
NAME = "زبرجد بن ياقوت الفيروزي"
NAME_KEY = "زبرجد ياقوت فيروزي"
ID_NUMBER = "1098765432"
NOTE = "ملاحظة المقابلة النفسية: قلق شديد منذ الحادثة"
SUMMARY = "ملخص الحالة: دين متراكم لدى مؤجر المنزل"
SECRETS = [text.encode() for text in (NAME, NAME_KEY, ID_NUMBER, NOTE, SUMMARY)] + [NAME.encode("utf-16-le")]
PASSWORD = "كلمة-سر-المسؤول-2026"
QUICK = HashParameters(time_cost=1, memory_kib=8192)


def _desk(data_dir: Path, *, administrator: bool = False) -> tuple[uuid.UUID, str]:
    """A desk of جمعية مفاتيح الخير (five years' retention) whose one known person's only case closed six years
    before `NOW`, with a note and a scan naming them; returns the case and the scan's stored path."""
    seed_data_dir(data_dir)
    ws = Workspace.open(data_dir)
    ws.hash_parameters = QUICK
    try:
        profile = ws.adopt_builtin_profile("mafateeh-alkhair")
        if administrator:
            ws.staff().create_first_administrator("walid", "وليد بن سعد العتيبي", PASSWORD)
        generate_demo_data(ws.db, beneficiaries=40, profile=profile)
        scan = AttachmentStore(data_dir).put(f"%PDF-1.4\n({NAME} {ID_NUMBER})\n%%EOF\n".encode(), MIME_PDF)
        with ws.db.session() as session:
            single = (select(Case.beneficiary_id).group_by(Case.beneficiary_id)
                      .having(func.count() == 1).scalar_subquery())
            case = session.scalars(select(Case).where(Case.status == CaseStatus.CLOSED.value,
                                                      Case.beneficiary_id.in_(single)).limit(1)).one()
            session.execute(update(Beneficiary).where(Beneficiary.id == case.beneficiary_id).values(
                full_name=NAME, name_key=NAME_KEY, id_number=ID_NUMBER))
            session.execute(update(Case).where(Case.id == case.id).values(
                summary=SUMMARY, closed_at=NOW - dt.timedelta(days=6 * 365 + 2)))
            session.add(Assessment(case_id=case.id, kind="social", notes=NOTE))
            attachment = Attachment(sha256=scan.sha256, size=scan.size, mime=scan.mime,
                                    stored_path=scan.relative_path)
            session.add(attachment)
            session.flush()
            session.add(RequiredDocument(case_id=case.id, name="صورة الهوية", provided=True,
                                         attachment_id=attachment.id))
            return case.id, scan.relative_path
    finally:
        ws.close()


def _retention(data_dir: Path, *, signed_in: bool = False) -> tuple[int, bytes | None]:
    ws = Workspace.open(data_dir)
    ws.hash_parameters = QUICK
    try:
        actor = ws.sign_in_with_password("walid", PASSWORD).account_id if signed_in else None
        report = run_retention(ws.db, ws.data_dir, apply=True, actor_id=actor, now=NOW)
        return report.cases, ws.db.data_key
    finally:
        ws.close()


def _text_of(connection: sqlite3.Connection) -> str:
    """Every row of every table (FTS index shadow tables too) as text (the connection closed after)."""
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for table in tables if not table.endswith("_fts")
                         for row in connection.execute(f'SELECT * FROM "{table}"'))
    finally:
        connection.close()


def _pending_erasures(data_dir: Path) -> int:
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    try:
        return int(connection.execute("SELECT count(*) FROM sync_outbox WHERE table_name = 'erasure' "
                                      "AND state = 'pending'").fetchone()[0])
    finally:
        connection.close()


def test_a_restored_backup_taken_before_retention_opens_already_erased(tmp_path: Path) -> None:
    data_dir = tmp_path / "desk"
    case_id, scan = _desk(data_dir)
    backup = create_backup(data_dir, data_dir / BACKUPS_DIR, kind=BackupKind.DAILY, now=NOW - dt.timedelta(days=1))
    assert any(secret in (backup.path / DATABASE_FILE).read_bytes() for secret in SECRETS)  # the backup holds them

    erased, _key = _retention(data_dir)
    assert erased >= 1
    assert case_id.hex in {str(row["case_id"]) for row in read_ledger(data_dir).values()}
    assert NAME not in (data_dir / LEDGER_FILE).read_text(encoding="utf-8")  # the ledger names nobody

    # Nothing but the ledger knows the erasure: the live database is gone (damaged), the backup predates it.
    (data_dir / DATABASE_FILE).write_bytes(b"\0" * 4096)
    checked = verify_backup(backup.path, known=known_erasures(data_dir))
    assert checked.ok and checked.erase_again == erased

    result = restore_backup(backup.path, data_dir)
    assert result.erased_again == erased
    restored = data_dir / DATABASE_FILE
    assert not any(secret in restored.read_bytes() for secret in SECRETS)  # not in a free page either
    connection = sqlite3.connect(restored)
    connection.execute("VACUUM")
    connection.close()
    assert not any(secret in restored.read_bytes() for secret in SECRETS)
    assert not AttachmentStore(data_dir).path_of(scan).exists()  # the scan naming them went with the case

    ws = Workspace.open(data_dir)
    try:
        with ws.db.session(read_only=True) as session:
            counts = (session.scalar(select(func.count()).select_from(Beneficiary)),
                      session.scalar(select(func.count()).select_from(Case)))
            case = session.get(Case, case_id)
            assert case is not None and case.summary is None
            person = session.get(Beneficiary, case.beneficiary_id)
            assert person is not None and person.full_name == ANONYMISED_NAME
            assert session.scalar(select(func.count()).select_from(Erasure)) == erased
            # Never sent to the server (no sync here): the outbox records the erasure again, to be pushed.
            assert session.scalar(select(func.count()).select_from(SyncOutbox).where(
                SyncOutbox.table_name == "erasure", SyncOutbox.state == "pending")) == erased
        assert backup.counts is not None and counts == (backup.counts.beneficiaries, backup.counts.cases)
        assert run_retention(ws.db, ws.data_dir, apply=True, now=NOW).cases == 0  # not erased a second time
    finally:
        ws.close()


def test_each_later_backup_carries_the_ledger_and_verify_says_what_a_restore_erases(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    data_dir = tmp_path / "desk"
    _desk(data_dir)
    before = create_backup(data_dir, tmp_path / "usb")
    erased, _key = _retention(data_dir)
    after = create_backup(data_dir, tmp_path / "usb")
    assert LEDGER_FILE in after.parts and LEDGER_FILE not in before.parts
    assert verify_backup(after.path, known=known_erasures(data_dir)).erase_again == 0

    assert main(["--data-dir", str(data_dir), "backup", "verify", str(before.path)]) == 0
    out = capsys.readouterr().out
    assert "النسخة سليمة" in out and "تُحذف من جديد" in out
    assert main(["--data-dir", str(data_dir), "backup", "verify", str(after.path)]) == 0
    assert "تُحذف من جديد" not in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "backup", "restore", str(before.path)]) == 0  # the preview only
    assert "تُحذف من جديد البيانات الشخصية في" in capsys.readouterr().out

    ws = Workspace.open(data_dir)  # the settings' preview, the desk open
    try:
        assert BackupDesk(ws).preview(before.path).erase_again == erased
        assert BackupDesk(ws).preview(after.path).erase_again == 0
    finally:
        ws.close()

    # The ledger lost too (a new PC): the later backup's own copy still erases the earlier one's cases.
    (data_dir / LEDGER_FILE).unlink()
    restore_backup(after.path, data_dir)
    assert read_ledger(data_dir)
    # As if the server had acknowledged them: their rows (and the ledger) carry its sequence number.
    write_ledger(data_dir, {key: {**row, "server_seq": 41} for key, row in read_ledger(data_dir).items()})
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    connection.execute("UPDATE erasure SET server_seq = 41")
    connection.commit()
    connection.close()
    assert _pending_erasures(data_dir) == erased  # the later backup's own, as it was taken
    result = restore_backup(before.path, data_dir)
    assert result.erased_again == erased
    assert _pending_erasures(data_dir) == 0  # the server holds them: nothing to send again
    assert read_backup(before.path).counts == before.counts  # the backup itself is never edited


def test_an_encrypted_desk_restored_from_before_retention_is_erased_through_its_key(tmp_path: Path) -> None:
    from desktop.encryption import encrypt_desk
    from desktop.keystore import KdfCost

    data_dir = tmp_path / "desk"
    _desk(data_dir, administrator=True)
    encrypt_desk(data_dir, "walid", PASSWORD, cost=KdfCost(time_cost=1, memory_kib=8192))
    ws = Workspace.open(data_dir)
    ws.hash_parameters = QUICK
    try:
        ws.sign_in_with_password("walid", PASSWORD)
        key = ws.db.data_key
        assert key is not None
        backup = create_backup(data_dir, data_dir / BACKUPS_DIR, kind=BackupKind.CLOSE, key=key)
    finally:
        ws.close()
    assert NAME in _text_of(connect_keyed(str(backup.path / DATABASE_FILE), key))

    erased, _ = _retention(data_dir, signed_in=True)
    assert verify_backup(backup.path, key=key, known=known_erasures(data_dir, key)).erase_again == erased
    result = restore_backup(backup.path, data_dir, key=key)
    assert result.erased_again == erased
    restored = data_dir / DATABASE_FILE
    assert not restored.read_bytes().startswith(b"SQLite format 3")
    text = _text_of(connect_keyed(str(restored), key))
    assert not any(secret in text for secret in (NAME, NAME_KEY, ID_NUMBER, NOTE, SUMMARY))
    assert ANONYMISED_NAME in text


def test_the_retention_run_counts_and_offers_to_remove_the_automatic_backups_made_before_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.backup import backups_before_erasure, list_backups
    from desktop.cli import main

    data_dir = tmp_path / "desk"
    _desk(data_dir)
    folder = data_dir / BACKUPS_DIR
    daily = create_backup(data_dir, folder, kind=BackupKind.DAILY, now=NOW - dt.timedelta(days=2))
    closing = create_backup(data_dir, folder, kind=BackupKind.CLOSE, now=NOW - dt.timedelta(days=1))
    manual = create_backup(data_dir, folder, kind=BackupKind.MANUAL, now=NOW - dt.timedelta(days=1, hours=1))
    assert backups_before_erasure(data_dir) == []  # nothing erased yet
    _retention(data_dir)
    later = create_backup(data_dir, folder, kind=BackupKind.DAILY)  # after the erasure: kept
    assert {info.path for info in backups_before_erasure(data_dir)} == {daily.path, closing.path}

    args = ["--data-dir", str(data_dir), "retention", "run"]
    assert main([*args, "--remove-old-backups"]) == 2  # only with --apply
    assert "--apply" in capsys.readouterr().err
    assert main(args) == 0
    assert "نسخ احتياطية تلقائية أُخذت قبل الحذف: ٢" in capsys.readouterr().out
    assert main([*args, "--apply", "--remove-old-backups"]) == 0
    assert "أُزيلت النسخ الاحتياطية التلقائية المأخوذة قبل الحذف: ٢" in capsys.readouterr().out
    assert {info.path for info in list_backups(folder)} == {manual.path, later.path}
