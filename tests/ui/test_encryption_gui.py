"""Encryption on screen (issue 14): the first administrator made at the gate encrypts the new desk and shows its
recovery key once; an administrator encrypts a plaintext desk from the settings with a progress bar (every row and
attachment kept); a password changed on another desk is asked for at the gate. Real SQLCipher, real widgets."""

from __future__ import annotations

import hashlib
import sqlite3
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from PySide6.QtTest import QTest
from sqlalchemy import select

from db.models import AppUser, Attachment
from desktop.attachments import MIME_PDF
from desktop.demo_data import generate_demo_data
from desktop.keystore import Keystore
from desktop.workspace import DATABASE_FILE, ENCRYPT_ENV, PASSWORD_CHANGED_ELSEWHERE, Workspace
from tests.row_counts import table_counts
from tests.ui.accounts import (
    ADMIN_LOGIN,
    ADMIN_NAME,
    ADMIN_PIN,
    ALL_ROLES,
    PASSWORD,
    add_account,
    sign_in_at_gate,
)
from tests.ui.reception.driver import Officer
from desktop.identity import make_saudi_id
from ui.identity.gate import GateMode
from ui.identity.recovery_key import RecoveryKeyDialog
from ui.encryption_box import EXPLANATION, EncryptionSettingsBox
from ui.main_window import MainWindow
from ui.ops import operations, run_write
from ui.sections import section_index

ID_NUMBER = make_saudi_id("109876543")


def _window(qtbot, workspace: Workspace) -> MainWindow:
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.gate.is_ready, timeout=10_000)
    return window


def _recovery_dialog(qtbot, window: MainWindow) -> RecoveryKeyDialog:
    qtbot.waitUntil(lambda: window.gate.recovery_dialog is not None, timeout=20_000)
    dialog = window.gate.recovery_dialog
    assert isinstance(dialog, RecoveryKeyDialog)
    qtbot.waitExposed(dialog)
    return dialog


def test_the_first_administrator_at_the_gate_encrypts_the_desk_and_shows_the_recovery_key_once(
        qtbot, unsigned_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENCRYPT_ENV, "1")
    workspace = unsigned_workspace
    directory = workspace.data_dir
    window = _window(qtbot, workspace)
    gate = window.gate
    qtbot.waitUntil(lambda: gate.mode is GateMode.FIRST_ADMIN, timeout=10_000)
    gate.first_name_edit.setText(ADMIN_NAME)
    gate.first_login_edit.setText(ADMIN_LOGIN)
    gate.first_password_edit.setText(PASSWORD)
    gate.first_again_edit.setText(PASSWORD)
    gate.first_pin_edit.setText(ADMIN_PIN)
    QTest.keyClick(gate.first_pin_edit, Qt.Key.Key_Return)
    dialog = _recovery_dialog(qtbot, window)
    assert workspace.is_encrypted and window.is_covered()  # the desk opens only once the key is dealt with
    key = dialog.key_label.text()
    groups = [g for g in key.replace("\n", "-").split("-") if g.strip("\u202a\u202c\u202d\u2066\u2067\u2068\u2069")]
    assert len(groups) == 8 and dialog.key_label.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert dialog.key_label.font().fixedPitch() or dialog.key_label.font().styleHint() == dialog.key_label.font().StyleHint.Monospace
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert not dialog.continue_button.isEnabled()  # the tick first

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert len(copied.split("-")) == 8 and copied.replace("-", "") in key.replace("-", "").replace("\n", "")

    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # Escape without the tick asks; «ارجع إلى المفتاح» keeps it
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(), timeout=5_000)
    question = dialog.question
    assert question is not None and "لن يُعرض مرة أخرى" in question.text()
    back = question.findChild(type(dialog.continue_button), "recovery_close_back")
    back.click()
    qtbot.waitUntil(lambda: dialog.question is None)
    assert dialog.isVisible() and window.is_covered()
    dialog.close()  # the window's close button asks too
    qtbot.waitUntil(lambda: dialog.question is not None, timeout=5_000)
    dialog.question.findChild(type(dialog.continue_button), "recovery_close_back").click()
    qtbot.waitUntil(lambda: dialog.question is None)
    assert dialog.isVisible()

    dialog.saved_tick.setChecked(True)
    assert dialog.continue_button.isEnabled()
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: not window.is_covered(), timeout=20_000)
    assert workspace.take_recovery_key() is None  # shown once, kept nowhere

    # a reception on the encrypted desk (the administrator takes the officer's role too, and signs in again):
    # its name and ID never reach the files in clear
    identity = workspace.signed_in
    assert identity is not None
    workspace.staff().update_account(identity, ADMIN_LOGIN, roles=ALL_ROLES)
    window.lock_action.trigger()
    qtbot.waitUntil(window.is_covered)
    gate.show_sign_in()
    sign_in_at_gate(qtbot, window)
    qtbot.waitUntil(lambda: window.idle.armed, timeout=10_000)
    page = window.reception_page()
    assert page is not None
    officer = Officer(qtbot, page)
    officer.start_contact("interview", None, ID_NUMBER)  # the reception opens a case for this ID
    officer.settle()
    assert "بدأت الحالة" in officer.wizard.message_text()
    operations().wait()
    window.close()
    workspace.close()
    raw = b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())
    for secret in (ID_NUMBER.encode(), ID_NUMBER.encode("utf-16-le"), ADMIN_NAME.encode()):
        assert secret not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(directory / DATABASE_FILE).execute("SELECT count(*) FROM sqlite_master").fetchone()
    reopened = Workspace.open(directory)  # the ID is there, for whoever signs in
    reopened.hash_parameters = workspace.hash_parameters
    try:
        reopened.sign_in_with_password(ADMIN_LOGIN, PASSWORD)
        connection = reopened.db.connect()
        try:
            tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            assert any(ID_NUMBER in repr(row) for table in tables
                       for row in connection.execute(f'SELECT * FROM "{table}"'))
        finally:
            connection.close()
    finally:
        reopened.close()


def test_the_recovery_key_dialog_prints_its_sheet_and_closing_without_the_tick_is_asked(
        qtbot) -> None:
    key = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z2345-67ABC-DEFGH"
    dialog = RecoveryKeyDialog(key, "جمعية براعة التعليمية", ADMIN_LOGIN)
    qtbot.addWidget(dialog)
    done: list[bool] = []
    dialog.sig_done.connect(lambda: done.append(True))
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.print_button.click()  # rendered off the GUI thread, then Qt's print preview of the one page
    qtbot.waitUntil(lambda: dialog.printer.preview is not None or bool(dialog.message.text()), timeout=30_000)
    sheet = dialog.sheet_path()
    assert sheet.read_bytes().startswith(b"%PDF") and (sheet.stat().st_mode & 0o077) == 0
    if dialog.printer.preview is not None:
        assert len(dialog.printer.pages) == 1
        dialog.printer.preview.close()

    dialog.reject()
    qtbot.waitUntil(lambda: dialog.question is not None, timeout=5_000)
    dialog.question.findChild(type(dialog.print_button), "recovery_close_anyway").click()
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    assert not dialog.isVisible() and not sheet.exists() and dialog.key_label.text() == ""


def test_a_password_changed_on_another_desk_is_asked_for_at_the_gate(
        qtbot, unsigned_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENCRYPT_ENV, "1")
    workspace = unsigned_workspace
    workspace.create_first_administrator(ADMIN_LOGIN, ADMIN_NAME, PASSWORD, ADMIN_PIN)
    assert workspace.is_encrypted and workspace.take_recovery_key()
    add_account(workspace, "salem", "سالم بن علي", ["officer"])
    new = "kalimat-jadida-2027"
    with workspace.db.session() as session:  # what a pull brings when the password was changed elsewhere
        user = session.scalars(select(AppUser).where(AppUser.username == "salem")).one()
        user.password_hash = workspace.staff().hash_secret(new)
    workspace.sign_out()
    assert workspace.is_locked
    window = _window(qtbot, workspace)
    gate = window.gate
    gate.login_edit.setText("salem")
    gate.password_edit.setText(PASSWORD)
    QTest.keyClick(gate.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: gate.sign_in_card.message.text() == PASSWORD_CHANGED_ELSEWHERE, timeout=10_000)
    assert window.is_covered() and gate.password_edit.text() == ""
    assert "الجديدة" in gate.sign_in_card.note.text()
    gate.password_edit.setText(new)
    QTest.keyClick(gate.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_covered(), timeout=20_000)
    assert workspace.signed_in is not None and workspace.signed_in.login == "salem"
    keystore = workspace.keystore
    assert keystore is not None and keystore.opens("salem", new) and not keystore.opens("salem", PASSWORD)


def _plain_desk_with_cases(workspace: Workspace) -> dict[str, str]:
    """Forty people with their cases and three scans on the (plaintext) test desk: {stored path: sha256}."""
    generate_demo_data(workspace.db, beneficiaries=40)
    files: dict[str, str] = {}
    for index in range(3):
        scan = workspace.attachments.put(f"%PDF-1.4 scan {index} {ID_NUMBER}".encode(), MIME_PDF)
        with workspace.db.session() as session:
            session.add(Attachment(sha256=scan.sha256, size=scan.size, mime=scan.mime,
                                   stored_path=scan.relative_path))
        files[scan.relative_path] = scan.sha256
    return files


def _counts(workspace: Workspace) -> dict[str, int]:
    return table_counts(workspace.db.connect(), skip={"audit_event", "sync_outbox"})  # the password's check is audited


def _settings_box(qtbot, workspace: Workspace) -> tuple[MainWindow, EncryptionSettingsBox]:
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_section(section_index("settings"))
    box = window.encryption_box
    assert box is not None and box.isVisible()
    qtbot.waitUntil(lambda: box.encrypt_button.isEnabled(), timeout=20_000)
    assert "غير مشفّرة" in box.state_label.text()
    return window, box


def test_an_administrator_encrypts_a_plaintext_desk_from_the_settings_with_a_progress_bar(
        qtbot, adopted_workspace: Workspace) -> None:
    workspace = adopted_workspace
    assert not workspace.is_encrypted
    files = _plain_desk_with_cases(workspace)
    before = _counts(workspace)
    assert before["case"] >= 40
    window, box = _settings_box(qtbot, workspace)
    box.encrypt_button.click()
    qtbot.waitUntil(lambda: box.dialog is not None and box.dialog.isVisible(), timeout=5_000)
    dialog = box.dialog
    assert dialog is not None and dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.explanation.text() == EXPLANATION
    seen: list[int] = []
    dialog.relay.sig_progress.connect(lambda permille, _stage: seen.append(permille))
    running: list[bool] = []
    box.sig_running.connect(running.append)
    stopped: list[int] = []
    real_stop = window.stop_sync
    window.stop_sync = lambda: (stopped.append(1), real_stop())[1]  # type: ignore[method-assign]

    dialog.password_edit.setText("not-my-password")  # a wrong password: refused, nothing changed
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled(), timeout=20_000)
    assert "تعذّر" in dialog.stage.text() and not workspace.is_encrypted

    dialog.password_edit.setText(PASSWORD)
    QTest.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.password_edit.text() == ""  # sent, cleared
    qtbot.waitUntil(lambda: box.recovery_dialog is not None, timeout=60_000)
    assert seen and seen[-1] == 1000 and seen == sorted(seen)
    assert running == [True, False, True, False] and len(stopped) >= 2  # the sync paused for both tries
    assert window.sync is not None  # and started again on the encrypted desk
    assert workspace.is_encrypted and not workspace.is_locked and workspace.signed_in is not None
    recovery = box.recovery_dialog
    assert isinstance(recovery, RecoveryKeyDialog) and not recovery.continue_button.isEnabled()
    recovery.saved_tick.setChecked(True)
    recovery.continue_button.click()
    qtbot.waitUntil(lambda: box.recovery_dialog is None, timeout=5_000)
    qtbot.waitUntil(lambda: not box.encrypt_button.isVisible() and "مشفّرة:" in box.state_label.text(),
                    timeout=10_000)
    assert not window.is_covered()
    assert _counts(workspace) == before  # every row
    for relative, sha in files.items():  # every attachment, sealed now, the same bytes
        assert hashlib.sha256(workspace.attachments.read(relative, sha)).hexdigest() == sha
        assert (workspace.data_dir / relative).read_bytes()[:4] != b"%PDF"
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(workspace.data_dir / DATABASE_FILE).execute("SELECT count(*) FROM sqlite_master").fetchone()
    window.close()
    operations().wait()


def test_the_encryption_dialog_asks_before_stopping_and_a_stop_leaves_the_plaintext_desk(
        qtbot, adopted_workspace: Workspace) -> None:
    workspace = adopted_workspace
    before = _counts(workspace)
    window, box = _settings_box(qtbot, workspace)
    box.encrypt_button.click()
    qtbot.waitUntil(lambda: box.dialog is not None and box.dialog.isVisible(), timeout=5_000)
    dialog = box.dialog
    assert dialog is not None
    release = threading.Event()
    run_write(None, lambda: release.wait(30), lambda _r: None, where="test.hold_the_writer")  # queued first
    dialog.password_edit.setText(PASSWORD)
    dialog.start_button.click()
    assert dialog.running
    dialog.close()  # the window's close button while it runs: asked, not closed
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(), timeout=5_000)
    assert dialog.isVisible() and "أتوقف التشفير" in dialog.question.text()
    dialog.question.findChild(QPushButton, "encryption_go_on").click()
    qtbot.waitUntil(lambda: dialog.question is None)
    assert dialog.isVisible() and dialog.running
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible(), timeout=5_000)
    dialog.question.findChild(QPushButton, "encryption_stop").click()
    release.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert "أُوقف التشفير" in dialog.stage.text() and dialog.isVisible()
    assert not workspace.is_encrypted and Keystore.load(workspace.data_dir) is None
    assert _counts(workspace) == before
    dialog.cancel_button.click()  # idle now: it closes at once
    qtbot.waitUntil(lambda: box.dialog is None, timeout=5_000)
    window.close()
    operations().wait()


def test_the_settings_say_why_a_desk_is_plaintext_and_hold_the_button_without_sqlcipher(qtbot) -> None:
    from desktop.encryption_core import NO_SQLCIPHER
    from desktop.workspace import EncryptionState

    box = EncryptionSettingsBox()
    qtbot.addWidget(box)
    box.show()
    box.show_state(EncryptionState(False, False, NO_SQLCIPHER))
    assert NO_SQLCIPHER in box.state_label.text() and "غير مشفّرة" in box.state_label.text()
    assert box.encrypt_button.isVisible() and not box.encrypt_button.isEnabled()
    box.show_state(EncryptionState(True, True, ""))
    assert not box.encrypt_button.isVisible() and "مشفّرة:" in box.state_label.text()
