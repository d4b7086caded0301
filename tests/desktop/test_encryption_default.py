"""Encryption is the default (issue 14): the first administrator encrypts a new desk, an administrator encrypts a
plaintext one in place from the desk (the settings' call), and a password changed on another desk rewraps its key.

Real SQLCipher (sqlcipher3), real Argon2id at the tests' low cost, real files.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AppUser, Attachment, Beneficiary
from desktop.attachments import MIME_PDF
from desktop.demo_data import generate_demo_data
from desktop.encryption_core import NO_SQLCIPHER, EncryptionError
from desktop.keystore import Keystore
from desktop.staff import StaffError
from desktop.workspace import DATABASE_FILE, ENCRYPT_ENV, PasswordChangedElsewhere, Workspace
from tests.accounts import ADMIN_LOGIN, ADMIN_NAME, ADMIN_PIN, PASSWORD, TEST_HASH, add_account
from tests.row_counts import table_counts
from tests.templates import seed_data_dir

NAME = "زبرجد بن ياقوت الفيروزي"
ID_NUMBER = "1098765432"
NEW_PASSWORD = "kalimat-jadida-2027"


def _counts(connection: sqlite3.Connection) -> dict[str, int]:
    return table_counts(connection)


def _new_desk(tmp_path: Path) -> Workspace:
    ws = Workspace.open(seed_data_dir(tmp_path / "desk"))
    ws.hash_parameters = TEST_HASH
    ws.adopt_builtin_profile("baraah")
    return ws


def _reopen(directory: Path) -> Workspace:
    ws = Workspace.open(directory)
    ws.hash_parameters = TEST_HASH
    return ws


def test_the_first_administrator_encrypts_a_new_desk_and_its_recovery_key_is_given_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENCRYPT_ENV, "1")
    ws = _new_desk(tmp_path)
    directory = ws.data_dir
    try:
        identity = ws.create_first_administrator(ADMIN_LOGIN, ADMIN_NAME, PASSWORD, ADMIN_PIN)
        assert ws.is_encrypted and not ws.is_locked and ws.signed_in == identity
        recovery = ws.take_recovery_key()
        assert recovery is not None and len(recovery.split("-")) == 8
        assert ws.take_recovery_key() is None  # shown once, then forgotten
        assert ws.encryption_state().encrypted
        # the desk keeps working signed in: a person and a scan naming them are stored
        generate_demo_data(ws.db, beneficiaries=5)
        with ws.db.session() as session:
            person = session.scalars(select(Beneficiary).limit(1)).one()
            person.full_name, person.id_number = NAME, ID_NUMBER
        scan = ws.attachments.put(f"%PDF-1.4 ({NAME} {ID_NUMBER})".encode(), MIME_PDF)
        assert ws.attachments.sealed
    finally:
        ws.close()
    raw = b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())
    for secret in (NAME.encode(), ID_NUMBER.encode(), NAME.encode("utf-16-le")):
        assert secret not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(directory / DATABASE_FILE).execute("SELECT count(*) FROM sqlite_master").fetchone()
    ws = _reopen(directory)
    try:
        assert ws.is_locked
        ws.sign_in_with_password(ADMIN_LOGIN, PASSWORD)
        assert hashlib.sha256(ws.attachments.read(scan.relative_path, scan.sha256)).hexdigest() == scan.sha256
    finally:
        ws.close()
    # every password lost: the recovery key opens the desk and sets a new one
    ws = _reopen(directory)
    try:
        ws.open_with_recovery_key(recovery)
        ws.staff().recover_administrator(ADMIN_LOGIN, NEW_PASSWORD)
    finally:
        ws.close()
    ws = _reopen(directory)
    try:
        assert ws.sign_in_with_password(ADMIN_LOGIN, NEW_PASSWORD).login == ADMIN_LOGIN
    finally:
        ws.close()


def test_the_opt_out_and_a_missing_sqlcipher_leave_a_working_plaintext_desk_that_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENCRYPT_ENV, "0")
    ws = _new_desk(tmp_path / "a")
    try:
        ws.create_first_administrator(ADMIN_LOGIN, ADMIN_NAME, PASSWORD, ADMIN_PIN)
        assert not ws.is_encrypted and ws.take_recovery_key() is None
        state = ws.encryption_state()
        assert not state.encrypted and state.available and f"{ENCRYPT_ENV}=0" in state.reason_ar
    finally:
        ws.close()

    import db.engine

    monkeypatch.setenv(ENCRYPT_ENV, "1")
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # the module cannot be imported on this PC
    monkeypatch.setitem(sys.modules, "sqlcipher3.dbapi2", None)
    monkeypatch.setattr(db.engine, "_sqlcipher", None)
    ws = _new_desk(tmp_path / "b")
    try:
        ws.create_first_administrator(ADMIN_LOGIN, ADMIN_NAME, PASSWORD, ADMIN_PIN)
        assert not ws.is_encrypted and ws.signed_in is not None
        assert ws.staff().has_administrator()  # it works
        state = ws.encryption_state()
        assert not state.available and state.reason_ar == NO_SQLCIPHER
        with pytest.raises(EncryptionError):
            ws.encrypt(PASSWORD)
        assert not ws.is_encrypted and ws.staff().has_administrator()
    finally:
        ws.close()


def _plain_desk_with_cases(tmp_path: Path) -> Workspace:
    ws = _new_desk(tmp_path)
    ws.create_first_administrator(ADMIN_LOGIN, ADMIN_NAME, PASSWORD, ADMIN_PIN)  # MUSTAFID_ENCRYPT=0 in the tests
    generate_demo_data(ws.db, beneficiaries=40)
    for index in range(3):
        scan = ws.attachments.put(f"%PDF-1.4 scan {index} {ID_NUMBER}".encode(), MIME_PDF)
        with ws.db.session() as session:
            session.add(Attachment(sha256=scan.sha256, size=scan.size, mime=scan.mime,
                                   stored_path=scan.relative_path))
    return ws


def test_an_administrator_encrypts_a_plaintext_desk_with_cases_in_place_and_stays_signed_in(
        tmp_path: Path) -> None:
    ws = _plain_desk_with_cases(tmp_path)
    directory = ws.data_dir
    try:
        with ws.db.session(read_only=True) as session:
            files = {row.stored_path: row.sha256 for row in session.scalars(select(Attachment))}
        before = _counts(ws.db.connect())
        assert before["case"] >= 40 and len(files) == 3
        with pytest.raises(StaffError):
            ws.encrypt("not-the-password")
        assert not ws.is_encrypted
        seen: list[tuple[float, str]] = []
        recovery = ws.encrypt(PASSWORD, lambda fraction, stage: seen.append((fraction, stage)))
        assert recovery and ws.is_encrypted and not ws.is_locked and ws.signed_in is not None
        fractions = [f for f, _ in seen]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert any("من" in stage for _, stage in seen)  # the tables verified so far
        after = _counts(ws.db.connect())
        # the password's confirmation is a sign-in: audited and queued for sync; nothing else moved
        moved = {"audit_event", "sync_outbox"}
        assert {t: n for t, n in after.items() if t not in moved} == {t: n for t, n in before.items() if t not in moved}
        for relative, sha in files.items():
            assert hashlib.sha256(ws.attachments.read(relative, sha)).hexdigest() == sha
        generate_demo_data(ws.db, beneficiaries=2)  # it keeps working
    finally:
        ws.close()
    assert sorted(p.name for p in directory.iterdir() if p.name.startswith(DATABASE_FILE)) == [DATABASE_FILE]
    ws = _reopen(directory)
    try:
        assert ws.is_locked
        ws.sign_in_with_password(ADMIN_LOGIN, PASSWORD)
    finally:
        ws.close()


def test_an_encryption_that_fails_leaves_the_plaintext_desk_as_it_was(tmp_path: Path, short_busy_wait: None) -> None:
    ws = _plain_desk_with_cases(tmp_path)
    directory = ws.data_dir
    try:
        before = _counts(ws.db.connect())
        holder = sqlite3.connect(directory / DATABASE_FILE)  # another program reading: the file is held
        holder.execute("BEGIN")
        holder.execute("SELECT count(*) FROM beneficiary").fetchone()
        try:
            with pytest.raises(EncryptionError) as refused:
                ws.encrypt(PASSWORD)
        finally:
            holder.close()
        assert "\u0600" <= refused.value.message_ar[0] <= "\u06ff"
        assert not ws.is_encrypted and Keystore.load(directory) is None
        after = _counts(ws.db.connect())
        assert {t: n for t, n in after.items() if t not in {"audit_event", "sync_outbox"}} == \
            {t: n for t, n in before.items() if t not in {"audit_event", "sync_outbox"}}
        generate_demo_data(ws.db, beneficiaries=1)  # still working, plaintext
    finally:
        ws.close()
    assert sorted(p.name for p in directory.iterdir() if p.name.startswith(DATABASE_FILE)) in (
        [DATABASE_FILE], [DATABASE_FILE, f"{DATABASE_FILE}-shm", f"{DATABASE_FILE}-wal"])


def _encrypted_with_officer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv(ENCRYPT_ENV, "1")
    ws = _new_desk(tmp_path)
    ws.create_first_administrator(ADMIN_LOGIN, ADMIN_NAME, PASSWORD, ADMIN_PIN)
    add_account(ws, "salem", "سالم بن علي", ["officer"])
    keystore = ws.keystore
    assert keystore is not None and keystore.has("salem")  # the administrator wrapped the key for the new account
    return ws


def _password_changed_on_another_desk(ws: Workspace, login: str, password: str) -> None:
    """What a sync pull does when the account's password was changed elsewhere: its synced hash is replaced."""
    with ws.db.session() as session:
        user = session.scalars(select(AppUser).where(AppUser.username == login)).one()
        user.password_hash = ws.staff().hash_secret(password)


def test_a_password_changed_on_another_desk_is_asked_for_and_rewraps_this_desks_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _encrypted_with_officer(tmp_path, monkeypatch)
    directory = ws.data_dir
    try:
        _password_changed_on_another_desk(ws, "salem", NEW_PASSWORD)
    finally:
        ws.close()
    ws = _reopen(directory)
    try:
        with pytest.raises(StaffError):  # the new password does not open this desk's keys (yet)
            ws.sign_in_with_password("salem", NEW_PASSWORD)
        with pytest.raises(PasswordChangedElsewhere):  # the one this desk knows: asked for the new one
            ws.sign_in_with_password("salem", PASSWORD)
        assert ws.is_locked  # nobody signed in: the keys went again
        with pytest.raises(StaffError):
            ws.sign_in_with_changed_password("salem", PASSWORD, "not-the-new-one")
        assert ws.is_locked
        identity = ws.sign_in_with_changed_password("salem", PASSWORD, NEW_PASSWORD)
        assert identity.login == "salem" and not ws.is_locked
        ws.sign_out()
        assert ws.sign_in_with_password("salem", NEW_PASSWORD).login == "salem"
        ws.sign_out()
        with pytest.raises(StaffError) as old:
            ws.sign_in_with_password("salem", PASSWORD)
        assert not isinstance(old.value, PasswordChangedElsewhere)
    finally:
        ws.close()


def test_a_password_reset_elsewhere_is_rewrapped_when_the_person_signs_in_on_an_open_desk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An administrator reset the officer's password on another desk (the officer forgot the old one): at this
    desk, open under the administrator, the officer signs in at the lock with the new one and from then on it
    opens this desk by itself."""
    ws = _encrypted_with_officer(tmp_path, monkeypatch)
    directory = ws.data_dir
    try:
        _password_changed_on_another_desk(ws, "salem", NEW_PASSWORD)
        assert ws.sign_in_with_password("salem", NEW_PASSWORD).login == "salem"  # «دخول موظف آخر» at the lock
        keystore = ws.keystore
        assert keystore is not None and keystore.opens("salem", NEW_PASSWORD)
        assert not keystore.opens("salem", PASSWORD)
    finally:
        ws.close()
    ws = _reopen(directory)
    try:
        assert ws.sign_in_with_password("salem", NEW_PASSWORD).login == "salem"
    finally:
        ws.close()
