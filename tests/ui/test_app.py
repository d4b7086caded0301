"""Start-up of the desk: right-to-left Arabic Qt, Qt's own buttons in Arabic, the bundled font, start-up errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QWidget,
    QWizard,
)

from desktop.startup import read_snapshot, snapshot_path
from desktop.workspace import Workspace
from tests.ui.helpers import when_modal
from ui import app as desk
from ui.first_run import FirstRunDialog


def test_application_is_right_to_left_arabic(desk_app: QApplication) -> None:
    """Layout direction, default locale and names are set as the desk needs them."""
    assert desk_app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert QLocale().language() == QLocale.Language.Arabic
    assert QLocale().territory() == QLocale.Country.SaudiArabia
    assert desk_app.applicationName() == desk.APPLICATION_NAME
    assert desk_app.organizationName() == desk.ORGANIZATION_NAME
    assert QWidget().layoutDirection() == Qt.LayoutDirection.RightToLeft


def test_bundled_arabic_font_is_the_application_font(desk_app: QApplication) -> None:
    """The UI face shipped in resources/fonts (IBM Plex Sans Arabic) is registered and used on screens."""
    font = desk_app.font()
    assert font.family() == "IBM Plex Sans Arabic"
    assert font.pointSize() == desk.FONT_POINT_SIZE
    assert QFontInfo(QLabel("مرحبًا").font()).family() == "IBM Plex Sans Arabic"


def test_message_box_buttons_are_arabic(qtbot) -> None:
    """Qt's own QMessageBox buttons come from qtbase_ar.qm."""
    box = QMessageBox(
        QMessageBox.Icon.Question, "سؤال", "هل تريد المتابعة؟",
        QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Close,
    )
    qtbot.addWidget(box)
    assert box.button(QMessageBox.StandardButton.Ok).text() == "حسنًا"
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "ألغِ"
    assert box.button(QMessageBox.StandardButton.Close).text() == "أغلق"


def test_dialog_button_box_and_wizard_are_arabic(qtbot) -> None:
    """QDialogButtonBox and QWizard buttons read in Arabic, not English."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "ألغِ"
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "حسنًا"
    wizard = QWizard()
    qtbot.addWidget(wizard)
    assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "ألغِ"
    assert "Next" not in wizard.buttonText(QWizard.WizardButton.NextButton)
    assert "التالي" in wizard.buttonText(QWizard.WizardButton.NextButton).replace("&", "").replace("\u0651", "")


@pytest.mark.parametrize(
    ("environ", "chosen"),
    [
        ({}, True),
        ({"DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"QT_QPA_PLATFORM": "xcb"}, False),
    ],
)
def test_headless_linux_falls_back_to_offscreen(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], environ: dict[str, str], chosen: bool
) -> None:
    """With no display and no platform chosen, offscreen is chosen and said on stderr."""
    monkeypatch.setattr(desk.sys, "platform", "linux")
    env = dict(environ)
    assert desk.ensure_platform(env) is chosen
    err = capsys.readouterr().err
    if chosen:
        assert env["QT_QPA_PLATFORM"] == "offscreen"
        assert "offscreen" in err and "لا توجد شاشة" in err
    else:
        assert err == ""
        assert env.get("QT_QPA_PLATFORM") == environ.get("QT_QPA_PLATFORM")


def test_workspace_error_at_start_up_shows_arabic_message(tmp_path: Path) -> None:
    """A data directory that cannot be created gives an Arabic message box and a non-zero exit."""
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x", encoding="utf-8")
    seen: list[tuple[str, str, list[str]]] = []

    def close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append((box.windowTitle(), box.text(), [b.text() for b in box.buttons()]))
        box.done(QMessageBox.StandardButton.Close)

    when_modal(QMessageBox, close)
    code = desk.run(["--data-dir", str(not_a_folder)])

    assert code == desk.EXIT_STARTUP_ERROR
    assert len(seen) == 1
    title, text, buttons = seen[0]
    assert title == "تعذّر فتح مكتب المستفيد"
    assert "مجلد البيانات" in text and str(not_a_folder) in text
    assert buttons == ["أغلق"]


_DRIVE_STARTUP_FAILURE = """
import json, sys
from PySide6.QtWidgets import QMessageBox
from tests.ui.helpers import when_modal
from ui import app as desk

seen = []

def close(box):
    seen.append({"title": box.windowTitle(), "details": box.informativeText()})
    box.done(QMessageBox.StandardButton.Close)

application = desk.create_application([])
when_modal(QMessageBox, close, tries=3000)
code = desk.run(["--data-dir", sys.argv[1]])
print(json.dumps({"code": code, "seen": seen}, ensure_ascii=False))
"""


@pytest.mark.parametrize("with_snapshot", [True, False], ids=["window-first", "database-first"])
def test_broken_stored_policy_at_start_up_lists_problems(adopted_workspace: Workspace, with_snapshot: bool) -> None:
    """A stored policy that no longer validates is reported with its problems, one per line, and exit 1.

    Both start-up paths: the window shown from the snapshot while the workspace opens behind it, and the
    database opened first. Run in a subprocess because the first path runs the event loop to its end.
    """
    import json

    from sqlalchemy import update

    from db.models import PolicyVersion

    with adopted_workspace.db.session() as session:
        session.execute(update(PolicyVersion).values(source_text="schema_version = 1\nid = 'x'\n"))
    data_dir = adopted_workspace.data_dir
    adopted_workspace.close()
    if not with_snapshot:
        snapshot_path(data_dir).unlink()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _DRIVE_STARTUP_FAILURE, str(data_dir)],
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.splitlines()[-1])
    assert outcome["code"] == desk.EXIT_STARTUP_ERROR
    assert len(outcome["seen"]) == 1
    assert outcome["seen"][0]["title"] == "تعذّر قراءة سياسة الجمعية"
    lines = outcome["seen"][0]["details"].splitlines()
    assert len(lines) > 1 and all(line.startswith("• ") for line in lines)
    assert any("مفتاح مطلوب غير موجود" in line for line in lines)


def test_cancelling_first_run_exits_cleanly(workspace: Workspace) -> None:
    """Cancelling the policy choice ends the program with exit code 0 and adopts nothing."""
    data_dir = workspace.data_dir
    workspace.close()
    when_modal(FirstRunDialog, lambda dialog: dialog.reject())

    assert desk.run(["--data-dir", str(data_dir)]) == desk.EXIT_OK

    reopened = Workspace.open(data_dir)
    try:
        assert reopened.active_profile() is None
    finally:
        reopened.close()


def test_started_program_shows_the_window_and_reports_ready(adopted_workspace: Workspace) -> None:
    """`python -m desktop --data-dir DIR` in its own process reaches the idle main window and says so.

    Run in a subprocess: once QApplication.exec() has returned, Qt refuses to activate windows in that
    process, which would spoil the other tests of the session.
    """
    data_dir = adopted_workspace.data_dir
    adopted_workspace.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{desk.STARTUP_PROBE_ENV: "1"})
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    # The window comes first (from the desk snapshot), the database opens behind it.
    assert done.stdout.splitlines()[-2:] == [desk.READY_MARKER, desk.WORKSPACE_READY_MARKER]


def test_without_a_snapshot_the_workspace_opens_before_the_window(adopted_workspace: Workspace) -> None:
    """A lost or unreadable desk snapshot only costs speed: the workspace opens first, then the window."""
    data_dir = adopted_workspace.data_dir
    adopted_workspace.close()
    snapshot = snapshot_path(data_dir)
    snapshot.write_text("{not json", encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{desk.STARTUP_PROBE_ENV: "1"})
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == [desk.WORKSPACE_READY_MARKER, desk.READY_MARKER]
    assert read_snapshot(data_dir) is not None  # written again for the next start


@pytest.mark.slow
def test_probe_on_first_run_reports_the_policy_dialog(data_dir: Path) -> None:
    """With no policy adopted yet, the first screen is the policy dialog: the probe reports it and adopts nothing."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{desk.STARTUP_PROBE_ENV: "1"})
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == desk.READY_MARKER
    reopened = Workspace.open(data_dir)
    try:
        assert reopened.active_profile() is None
    finally:
        reopened.close()


def test_qt_arguments_are_left_to_qt() -> None:
    """--data-dir is the desk's; Qt's own options (e.g. -platform) pass through untouched."""
    arguments, rest = desk.parse_arguments(["--data-dir", "/tmp/x", "-platform", "offscreen"])
    assert arguments.data_dir == Path("/tmp/x")
    assert rest == ["-platform", "offscreen"]
