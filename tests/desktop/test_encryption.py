"""The encrypted desk (issue 14): a plaintext desk encrypted in place, a stolen file, wrong keys, owner-only files.

Real SQLCipher (sqlcipher3), real Argon2id and AES-GCM; the Argon2 cost is lowered (the parameters are data).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database, DatabaseSealedError, WrongKeyError
from db.models import Assessment, Attachment, Beneficiary, Case
from desktop.attachments import MIME_PDF, AttachmentStore, is_sealed
from desktop.demo_data import generate_demo_data
from desktop.errors import AttachmentError
from desktop.encryption import EncryptionError, encrypt_desk
from desktop.keystore import KdfCost, Keystore, KeystoreError
from desktop.staff import HashParameters, StaffError
from desktop.workspace import DATABASE_FILE, Workspace
from tests.row_counts import table_counts
from tests.templates import seed_data_dir

#: The commands run in-process hash at the tests' cost (the command, not Argon2, is under test).
pytestmark = pytest.mark.usefixtures("cheap_hashing")

QUICK = HashParameters(time_cost=1, memory_kib=8192)
COST = KdfCost(time_cost=1, memory_kib=8192)
PASSWORD = "كلمة-سر-المسؤول-2026"
NAME = "زبرجد بن ياقوت الفيروزي"
ID_NUMBER = "1098765432"
NOTE = "ملاحظة المقابلة النفسية: قلق شديد منذ الحادثة"
SECRETS = [NAME.encode(), ID_NUMBER.encode(), NOTE.encode(), NAME.encode("utf-16-le")]


def _counts(connection: sqlite3.Connection) -> dict[str, int]:
    return table_counts(connection)


def _files(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (directory / "attachments").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def _plain_desk_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plaintext desk as wave 1 left it: a policy, an administrator, 30 demo people and one known person with a
    note and a scan naming them (made once per module, closed; each test works on its own copy)."""
    directory = seed_data_dir(tmp_path_factory.mktemp("plain") / "desk")
    ws = Workspace.open(directory)
    ws.hash_parameters = QUICK
    try:
        ws.adopt_builtin_profile("baraah")
        ws.staff().create_first_administrator("walid", "وليد بن سعد العتيبي", PASSWORD)
        generate_demo_data(ws.db, beneficiaries=30)
        store = AttachmentStore(directory)
        scan = store.put(f"%PDF-1.4\n({NAME} {ID_NUMBER} {NOTE})\n%%EOF\n".encode(), MIME_PDF)
        with ws.db.session() as session:
            person = session.scalars(select(Beneficiary).limit(1)).one()
            person.full_name, person.id_number = NAME, ID_NUMBER
            case = session.scalars(select(Case).where(Case.beneficiary_id == person.id).limit(1)).first()
            if case is None:
                case = session.scalars(select(Case).limit(1)).one()
            session.add(Assessment(case_id=case.id, kind="social", notes=NOTE))
            session.add(Attachment(sha256=scan.sha256, size=scan.size, mime=scan.mime, stored_path=scan.relative_path))
    finally:
        ws.close()
    return directory


@pytest.fixture(scope="module")
def _encrypted_desk_made(_plain_desk_made: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """That desk encrypted by `encrypt_desk` (made once per module; each test works on its own copy)."""
    directory = _copy_desk(_plain_desk_made, tmp_path_factory.mktemp("encrypted") / "desk")
    result = encrypt_desk(directory, "walid", PASSWORD, cost=COST)
    return directory, result.recovery_key


def _copy_desk(source: Path, target: Path) -> Path:
    """A closed desk's data directory copied whole (files and their owner-only modes)."""
    shutil.copytree(source, target)
    return target


@pytest.fixture
def plain_desk(_plain_desk_made: Path, tmp_path: Path) -> Path:
    """This test's own copy of the plaintext desk."""
    return _copy_desk(_plain_desk_made, tmp_path / "desk")


@pytest.fixture
def encrypted_desk(_encrypted_desk_made: tuple[Path, str], tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """This test's own copy of the encrypted desk, with its recovery key."""
    made, recovery_key = _encrypted_desk_made
    yield _copy_desk(made, tmp_path / "desk"), recovery_key


def _open(directory: Path) -> Workspace:
    ws = Workspace.open(directory)
    ws.hash_parameters = QUICK
    return ws


def test_encrypting_a_plaintext_desk_keeps_every_row_and_attachment(plain_desk: Path) -> None:
    path = plain_desk / DATABASE_FILE
    before_rows, before_files = _counts(sqlite3.connect(path)), _files(plain_desk)
    assert before_rows["beneficiary"] >= 30 and before_rows["beneficiary_fts"] and before_rows["sync_outbox"]
    seen: list[tuple[float, str]] = []

    result = encrypt_desk(plain_desk, "walid", PASSWORD, progress=lambda f, s: seen.append((f, s)), cost=COST)

    keystore = Keystore.load(plain_desk)
    assert keystore is not None
    after_rows = _counts(Database.open(path, key=keystore.unlock("walid", PASSWORD).database).connect())
    assert result.rows == sum(after_rows.values()) and result.tables == len(after_rows) == len(before_rows)
    # the administrator's sign-in that authorised the encryption is audited (and queued for sync): nothing else moved
    signed_in = {"audit_event", "sync_outbox"}
    assert {t: n for t, n in after_rows.items() if t not in signed_in} == \
        {t: n for t, n in before_rows.items() if t not in signed_in}
    assert all(after_rows[t] >= before_rows[t] for t in signed_in)
    assert result.attachments == len(before_files)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all("\u0600" <= stage[0] <= "\u06ff" for _, stage in seen)  # every stage is worded in Arabic
    leftovers = sorted(p.name for p in plain_desk.iterdir() if p.name.startswith(DATABASE_FILE))
    assert leftovers == [DATABASE_FILE]  # no plaintext copy, no -wal/-shm of it, no temporary file
    ws = _open(plain_desk)
    try:
        assert ws.is_encrypted and ws.is_locked
        ws.sign_in_with_password("walid", PASSWORD)
        store = ws.attachments
        with ws.db.session(read_only=True) as session:
            rows = session.scalars(select(Attachment)).all()
            for row in rows:
                assert hashlib.sha256(store.read(row.stored_path, row.sha256)).hexdigest() == row.sha256
            assert session.scalars(select(Beneficiary).where(Beneficiary.full_name == NAME)).one().id_number == ID_NUMBER
        # every stored file is sealed, under its plaintext's hash as before
        assert {p.name for p in (plain_desk / "attachments").rglob("*") if p.is_file()} == set(before_files)
        assert all(is_sealed(p.read_bytes()) for p in (plain_desk / "attachments").rglob("*") if p.is_file())
    finally:
        ws.close()


def test_a_stolen_file_opens_nothing_and_shows_no_name_id_or_note(encrypted_desk: tuple[Path, str]) -> None:
    directory, _recovery = encrypted_desk
    path = directory / DATABASE_FILE
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    # with the keystore beside it but no password: locked, nothing read
    ws = _open(directory)
    try:
        assert ws.is_locked
        with pytest.raises(DatabaseSealedError) as locked:
            with ws.db.session(read_only=True) as session:
                session.scalars(select(Beneficiary)).all()
        assert "سجّل الدخول" in locked.value.message_ar
        scan = next(p for p in (directory / "attachments").rglob("*") if p.is_file())
        with pytest.raises(AttachmentError, match="سجّل الدخول"):
            ws.attachments.read(scan.relative_to(directory).as_posix(), scan.stem)
    finally:
        ws.close()
    everything = b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file() and "logs" not in p.parts)
    for secret in SECRETS:
        assert secret not in everything


def test_a_wrong_password_or_key_is_refused_in_arabic(encrypted_desk: tuple[Path, str]) -> None:
    directory, recovery = encrypted_desk
    ws = _open(directory)
    try:
        for login, password in (("walid", "كلمة-خاطئة-تماما"), ("nobody", PASSWORD)):
            with pytest.raises(StaffError) as refused:
                ws.sign_in_with_password(login, password)
            assert refused.value.message_ar.startswith("تعذّر الدخول")
            assert ws.is_locked
    finally:
        ws.close()
    with pytest.raises(WrongKeyError) as wrong:
        Database.open(directory / DATABASE_FILE, key=bytes(32)).current_revision()
    assert "مفتاح التشفير لا يفتح" in wrong.value.message_ar
    keystore = Keystore.load(directory)
    assert keystore is not None
    with pytest.raises(KeystoreError) as bad_recovery:
        keystore.unlock_with_recovery("AAAAA-" * 7 + "AAAAA")
    assert "مفتاح الاسترداد غير صحيح" in bad_recovery.value.message_ar
    # the recovery key as printed (case and spaces do not matter) opens the desk
    ws = _open(directory)
    try:
        ws.open_with_recovery_key(recovery.lower().replace("-", " "))
        assert not ws.is_locked
    finally:
        ws.close()


def test_the_keys_stay_through_the_idle_lock_and_go_at_sign_out(encrypted_desk: tuple[Path, str]) -> None:
    directory, _recovery = encrypted_desk
    ws = _open(directory)
    try:
        admin = ws.sign_in_with_password("walid", PASSWORD)
        ws.staff().set_pin(admin, "walid", "4826")
        assert ws.unlock_with_pin("4826").login == "walid"  # the idle lock: the database stayed open
        with ws.db.session(read_only=True) as session:
            assert session.scalars(select(Beneficiary).where(Beneficiary.full_name == NAME)).one()
            scan = session.scalars(select(Attachment)).first()
            assert scan is not None
        viewed = ws.attachments.readable_copy(scan.stored_path, scan.sha256)  # what a viewer opens
        assert hashlib.sha256(viewed.read_bytes()).hexdigest() == scan.sha256
        assert stat.S_IMODE(viewed.stat().st_mode) == 0o600 and stat.S_IMODE(viewed.parent.stat().st_mode) == 0o700
        ws.sign_out()
        assert not viewed.exists()  # the decrypted copy went with the keys
        assert ws.is_locked and ws.keyring is None
        with pytest.raises(DatabaseSealedError):
            ws.db.current_revision()
        with pytest.raises(StaffError):
            ws.unlock_with_pin("4826")
    finally:
        ws.close()


def test_an_administrator_wraps_the_keys_for_an_account_and_a_disabled_one_loses_them(
        encrypted_desk: tuple[Path, str]) -> None:
    directory, _recovery = encrypted_desk
    ws = _open(directory)
    try:
        admin = ws.sign_in_with_password("walid", PASSWORD)
        ws.staff().create_account(admin, "huda", "هدى بنت علي", ["officer"], password="كلمة-مرور-هدى-1")
        ws.staff().create_account(admin, "sami", "سامي", ["officer"])  # no password yet: no wrap
        keystore = Keystore.load(directory)
        assert keystore is not None and keystore.logins() == ["huda", "walid"]
        ws.staff().set_password(admin, "sami", "كلمة-مرور-سامي-2")
        ws.staff().set_password(admin, "huda", "كلمة-مرور-هدى-3")
        ws.staff().disable_account(admin, "sami")
        ws.sign_out()
        with pytest.raises(StaffError):
            ws.sign_in_with_password("huda", "كلمة-مرور-هدى-1")  # the old password no longer opens the desk
        assert ws.sign_in_with_password("huda", "كلمة-مرور-هدى-3").login == "huda"
        ws.sign_out()
        with pytest.raises(StaffError):
            ws.sign_in_with_password("sami", "كلمة-مرور-سامي-2")
        assert ws.is_locked
    finally:
        ws.close()
    text = (directory / "keystore.json").read_text(encoding="utf-8")
    assert "هدى" not in text and PASSWORD not in text and "huda" in text


def test_every_file_the_encrypted_desk_makes_is_owner_only(encrypted_desk: tuple[Path, str]) -> None:
    directory, _recovery = encrypted_desk
    ws = _open(directory)
    try:
        ws.sign_in_with_password("walid", PASSWORD)
        ws.attachments.put(b"%PDF-1.4\n(new scan)\n%%EOF\n", MIME_PDF)
        with ws.db.session() as session:  # a write: the -wal and -shm exist now
            session.scalars(select(Beneficiary).limit(1)).one().city = "الرياض"
        made = [directory / DATABASE_FILE, directory / f"{DATABASE_FILE}-wal", directory / f"{DATABASE_FILE}-shm",
                directory / "keystore.json", *[p for p in (directory / "attachments").rglob("*") if p.is_file()]]
        for path in made:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    finally:
        ws.close()


def test_a_new_database_is_created_owner_only(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "new.sqlite3")
    db.upgrade()
    db.close()
    assert stat.S_IMODE((tmp_path / "new.sqlite3").stat().st_mode) == 0o600


def test_encryption_needs_an_administrator_and_a_second_run_is_refused(plain_desk: Path) -> None:
    with pytest.raises(StaffError):
        encrypt_desk(plain_desk, "walid", "كلمة-خاطئة-تماما", cost=COST)
    assert Keystore.load(plain_desk) is None  # nothing changed
    encrypt_desk(plain_desk, "walid", PASSWORD, cost=COST)
    with pytest.raises(EncryptionError, match="مشفّرة بالفعل"):
        encrypt_desk(plain_desk, "walid", PASSWORD, cost=COST)


def test_mustafid_admin_encrypt_prints_one_progress_line_and_the_recovery_key_once(
        plain_desk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", PASSWORD)
    assert main(["--data-dir", str(plain_desk), "encrypt", "--as", "walid"]) == 0
    out, err = capsys.readouterr()
    assert "مفتاح الاسترداد" in out and "\n" not in err.strip()  # the progress rewrites one line
    recovery = out.rsplit(": ", 1)[1].strip()
    keystore = Keystore.load(plain_desk)
    assert keystore is not None and keystore.unlock_with_recovery(recovery)
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", "كلمة-خاطئة-تماما")
    assert main(["--data-dir", str(plain_desk), "encrypt", "--as", "walid"]) != 0


def test_audit_verify_and_diagnostics_on_an_encrypted_desk(
        encrypted_desk: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main
    from desktop.diagnostics import collect

    directory, _recovery = encrypted_desk
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", PASSWORD)
    assert main(["--data-dir", str(directory), "audit", "verify", "--as", "walid"]) == 0
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", "كلمة-خاطئة-تماما")
    assert main(["--data-dir", str(directory), "audit", "verify", "--as", "walid"]) != 0
    assert "تعذّر الدخول" in capsys.readouterr().err
    facts = collect(directory)
    assert '"encrypted": true' in json.dumps(facts) and NAME not in json.dumps(facts, ensure_ascii=False)


def test_init_encrypt_makes_a_new_desk_encrypted_from_the_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    directory = tmp_path / "new-desk"
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", PASSWORD)
    assert main(["--data-dir", str(directory), "init", "--policy", "baraah", "--admin-login", "walid",
                 "--admin-name", "وليد بن سعد", "--encrypt"]) == 0
    assert "مفتاح الاسترداد" in capsys.readouterr().out
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(directory / DATABASE_FILE).execute("SELECT 1 FROM sqlite_master").fetchone()
    ws = _open(directory)
    try:
        assert ws.is_locked
        assert ws.sign_in_with_password("walid", PASSWORD).login == "walid"
        assert ws.active_profile() is not None
    finally:
        ws.close()


def test_init_encrypts_by_default_and_plain_or_the_variable_opts_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`init` agrees with the gate: the desk it makes with its first administrator is encrypted unless `--plain`
    or ``MUSTAFID_ENCRYPT=0`` (the suite sets it: taken away here)."""
    from desktop.cli import main

    monkeypatch.delenv("MUSTAFID_ENCRYPT", raising=False)
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", PASSWORD)
    admin = ["--policy", "baraah", "--admin-login", "walid", "--admin-name", "وليد بن سعد"]
    encrypted = tmp_path / "encrypted"
    assert main(["--data-dir", str(encrypted), "init", *admin]) == 0
    assert "مفتاح الاسترداد" in capsys.readouterr().out
    assert Keystore.load(encrypted) is not None
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(encrypted / DATABASE_FILE).execute("SELECT 1 FROM sqlite_master").fetchone()

    plain = tmp_path / "plain"
    assert main(["--data-dir", str(plain), "init", *admin, "--plain"]) == 0
    assert "دون تشفير" in capsys.readouterr().out
    monkeypatch.setenv("MUSTAFID_ENCRYPT", "0")
    by_variable = tmp_path / "by-variable"
    assert main(["--data-dir", str(by_variable), "init", *admin]) == 0
    for directory in (plain, by_variable):
        assert Keystore.load(directory) is None
        connection = sqlite3.connect(directory / DATABASE_FILE)
        assert connection.execute("SELECT count(*) FROM app_user WHERE username = 'walid'").fetchone()[0] == 1
        connection.close()
    with pytest.raises(SystemExit) as refused:
        main(["--data-dir", str(tmp_path / "both"), "init", *admin, "--plain", "--encrypt"])
    assert refused.value.code == 2 and capsys.readouterr().err.startswith("خطأ:")


def test_init_without_sqlcipher_says_so_in_one_arabic_line_unless_plain(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop import encryption_core
    from desktop.cli import main

    monkeypatch.delenv("MUSTAFID_ENCRYPT", raising=False)
    monkeypatch.setattr(encryption_core, "encryption_available", lambda: False)
    directory = tmp_path / "desk"
    assert main(["--data-dir", str(directory), "init", "--policy", "baraah"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("خطأ:") and "SQLCipher" in err[0] and "--plain" in err[0]
    assert not (directory / DATABASE_FILE).exists()  # nothing made
    assert main(["--data-dir", str(directory), "init", "--policy", "baraah", "--plain"]) == 0
    assert (directory / DATABASE_FILE).exists() and Keystore.load(directory) is None


def test_every_password_lost_the_recovery_key_gives_an_administrator_a_new_one(
        encrypted_desk: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    directory, recovery = encrypted_desk
    monkeypatch.setenv("MUSTAFID_RECOVERY_KEY", "AAAAA-" * 7 + "AAAAA")
    monkeypatch.setenv("MUSTAFID_NEW_PASSWORD", "كلمة-مرور-بعد-الاسترداد-9")
    assert main(["--data-dir", str(directory), "recover", "--as", "walid"]) == 2
    assert "مفتاح الاسترداد غير صحيح" in capsys.readouterr().err
    assert main(["--data-dir", str(directory), "recover", "--recovery-key", recovery]) != 0  # never an argument
    monkeypatch.setenv("MUSTAFID_RECOVERY_KEY", recovery)
    assert main(["--data-dir", str(directory), "recover", "--as", "walid"]) == 0
    ws = _open(directory)
    try:
        with pytest.raises(StaffError):
            ws.sign_in_with_password("walid", PASSWORD)
        assert ws.sign_in_with_password("walid", "كلمة-مرور-بعد-الاسترداد-9").login == "walid"
    finally:
        ws.close()


def test_a_backup_of_an_encrypted_desk_stays_encrypted_verifies_and_restores(
        encrypted_desk: tuple[Path, str], tmp_path: Path) -> None:
    """The backup (issue 14 item 3) of an encrypted desk is copied with its data key: its file is no plaintext
    SQLite and shows no name, it verifies with the key, and a restore brings back every row; without the key the
    command is refused in Arabic and nothing is written."""
    from desktop.backup import BackupError, create_backup, restore_backup, verify_backup

    directory, _recovery = encrypted_desk
    ws = _open(directory)
    try:
        ws.sign_in_with_password("walid", PASSWORD)
        key = ws.db.data_key
        assert key is not None
        info = create_backup(directory, tmp_path / "backups", key=key)
    finally:
        ws.close()
    copied = (info.path / DATABASE_FILE).read_bytes()
    assert not copied.startswith(b"SQLite format 3") and not any(secret in copied for secret in SECRETS)
    assert verify_backup(info.path, key=key).ok
    assert not verify_backup(info.path).ok  # without the key it does not open
    with pytest.raises(BackupError):
        create_backup(directory, tmp_path / "refused")
    assert not (tmp_path / "refused").exists() or not any((tmp_path / "refused").iterdir())

    (directory / DATABASE_FILE).write_bytes(b"\0" * 4096)  # the live file damaged
    restore_backup(info.path, directory, key=key)
    ws = _open(directory)
    try:
        ws.sign_in_with_password("walid", PASSWORD)
        with ws.db.session(read_only=True) as session:
            assert session.scalars(select(Beneficiary).where(Beneficiary.full_name == NAME)).one()
    finally:
        ws.close()
