"""The sign-in gate takes a password before the workspace is open (issue 10): the facts it needs are read without
SQLAlchemy (`desktop.gate_facts`), its check is queued on the writer behind the opening and waits there, never on
the GUI thread; an opening that fails leaves the check refused quietly (the opening's own refusal is what the
officer reads). Real workspaces, real threads, the real program for the probe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.gate_facts import GateFacts, read_gate_facts
from desktop.startup import read_snapshot
from desktop.workspace import Workspace
from tests.ui.accounts import ADMIN_LOGIN, PASSWORD, create_first_administrator_at_gate
from tests.ui.gui_thread import no_service_calls_on_the_gui_thread
from ui import app as desk
from ui.app import DeskOpening, OpenedDesk
from ui.identity.gate import NOT_OPENED, DeskGate, GateMode
from ui.main_window import MainWindow
from ui.ops import operations

ROOT = Path(__file__).resolve().parents[2]


def _window_opening(qtbot, data_dir: Path) -> tuple[MainWindow, DeskOpening]:
    """The window from the snapshot and the workspace's opening started on the writer (attached when done)."""
    snapshot = read_snapshot(data_dir)
    assert snapshot is not None
    window = MainWindow(None, snapshot=snapshot)
    qtbot.addWidget(window)
    window.show()
    opening = DeskOpening(data_dir, gate_only=True)

    def attach() -> None:
        opened = opening.outcome
        assert isinstance(opened, OpenedDesk)
        window.attach_workspace(opened.workspace, opened.state, has_administrator=opened.has_administrator)

    opening.sig_finished.connect(attach)
    opening.start()
    return window, opening


def _close(window: MainWindow) -> None:
    """Close the window, let the queued work finish, close the workspace it opened."""
    window.close()
    operations().wait()
    if window.workspace is not None:
        window.workspace.close()


def test_a_password_given_before_the_database_is_open_waits_for_it_and_signs_in(
        qtbot, adopted_workspace: Workspace) -> None:
    data_dir = adopted_workspace.data_dir
    adopted_workspace.close()
    facts = read_gate_facts(data_dir)
    assert facts == GateFacts(encrypted=False, has_administrator=True)
    with no_service_calls_on_the_gui_thread() as calls:
        window, opening = _window_opening(qtbot, data_dir)
        gate = window.gate
        assert not gate.is_ready()
        gate.await_workspace(opening.workspace_on_writer, facts.has_administrator)
        assert gate.is_ready() and not gate.has_workspace() and gate.sign_in_button.isEnabled()
        assert gate.mode is GateMode.SIGN_IN and gate.sign_in_card.message.text() == ""
        gate.login_edit.setText(ADMIN_LOGIN)
        gate.password_edit.setText(PASSWORD)
        qtbot.keyClick(gate.password_edit, Qt.Key.Key_Return)
        assert opening.outcome is None and window.workspace is None  # the check waits behind the opening
        assert gate.password_edit.text() == ""  # cleared at once, as ever
        qtbot.waitUntil(lambda: not window.is_covered(), timeout=20_000)
        operations().wait()
    try:
        assert calls == []
        assert gate.has_workspace() and window.workspace is not None
        assert window.identity is not None and window.identity.login == ADMIN_LOGIN
    finally:
        _close(window)


def test_the_first_administrator_is_asked_for_before_the_database_is_open(qtbot, workspace: Workspace) -> None:
    """A desk without an administrator: its form takes the keys at once, and the account is made once open."""
    workspace.adopt_builtin_profile("baraah")
    data_dir = workspace.data_dir
    workspace.close()
    facts = read_gate_facts(data_dir)
    assert facts == GateFacts(encrypted=False, has_administrator=False)
    window, opening = _window_opening(qtbot, data_dir)
    try:
        window.gate.await_workspace(opening.workspace_on_writer, facts.has_administrator)
        assert window.gate.mode is GateMode.FIRST_ADMIN and window.gate.first_button.isEnabled()
        create_first_administrator_at_gate(qtbot, window)
        assert window.identity is not None and window.identity.login == ADMIN_LOGIN
    finally:
        _close(window)


def test_a_check_behind_an_opening_that_failed_is_refused_in_arabic(qtbot) -> None:
    """The opening failed (its refusal is shown by the start-up): the queued check says so, no incident."""
    gate = DeskGate()
    qtbot.addWidget(gate)
    gate.await_workspace(lambda: None, True)
    gate.login_edit.setText(ADMIN_LOGIN)
    gate.password_edit.setText(PASSWORD)
    gate.submit_sign_in()
    qtbot.waitUntil(lambda: gate.sign_in_card.message.text() == NOT_OPENED, timeout=10_000)
    operations().wait()
    assert gate.sign_in_card.message.property("error") == "true" and gate.sign_in_button.isEnabled()
    assert not gate.has_workspace()


def test_the_started_program_takes_the_password_at_once_and_reports_the_database_open(
        adopted_workspace: Workspace) -> None:
    """`python -m desktop` with the probe signing in at once: the gate's mark, the landing page's, and the moment
    the database was open (stderr) after the gate's."""
    data_dir = adopted_workspace.data_dir
    adopted_workspace.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MUSTAFID_AUTO_BACKUP="0",
               **{desk.STARTUP_PROBE_ENV: "1", desk.PROBE_LOGIN_ENV: ADMIN_LOGIN, desk.PROBE_PASSWORD_ENV: PASSWORD})
    done = subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(data_dir)], capture_output=True,
                          text=True, env=env, timeout=120, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-3:] == [desk.READY_MARKER, desk.WORKSPACE_READY_MARKER, desk.SIGNED_IN_MARKER]
    figures = {line.split("=")[0] + "=": float(line.split("=")[1]) for line in done.stderr.splitlines()
               if line.startswith("MUSTAFID_") and "=" in line}
    assert figures[desk.DATABASE_OPEN_AT_PREFIX] >= figures[desk.USABLE_AT_PREFIX]
    assert figures[desk.DATABASE_OPEN_CPU_PREFIX] >= figures[desk.USABLE_CPU_PREFIX]
