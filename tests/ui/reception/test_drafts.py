"""Drafts: every change saved as it is made; a re-created page or a killed process gets everything back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.identity import make_saudi_id
from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.ui.reception.driver import Officer, draw_signature, future_hijri
from ui.main_window import MainWindow
from ui.ops import operations
from ui.reception.page import ReceptionPage

ROOT = Path(__file__).resolve().parents[3]


def _new_page(qtbot, workspace: Workspace) -> tuple[ReceptionPage, Officer]:
    page = ReceptionPage(workspace)
    qtbot.addWidget(page)
    page.resize(1280, 860)
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.isActiveWindow)
    return page, Officer(qtbot, page)


def test_fields_come_back_after_recreating_the_page(qtbot, adopted_workspace: Workspace) -> None:
    """Half-typed particulars and a half-drawn signature are restored when the page is built again."""
    page, officer = _new_page(qtbot, adopted_workspace)
    officer.start_contact("interview", None, make_saudi_id("101234567"))
    officer.greet("سأل عن المدة")
    verify = officer.on("verification")
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_expiry=future_hijri(), mobile="0551234567",
                             city="جدة")
    QTest_space(verify.document_rows[0].provided)
    officer.wait_saved()
    case_id = page.wizard.case.case_id
    assert page.service.draft_fields(case_id, "verification")["full_name"] == "محمد عبدالله أحمد الزهراني"
    page.close()
    page.deleteLater()
    qtbot.wait(10)

    again, officer = _new_page(qtbot, adopted_workspace)
    assert again.check_drafts() == 1 and again.banner.isVisible()
    assert again.banner.drafts()[0].case_id == case_id
    again.banner.resume_button.click()
    verify = officer.on("verification")
    assert verify.full_name.text() == "محمد عبدالله أحمد الزهراني"
    assert verify.id_number.text() == make_saudi_id("101234567")
    assert verify.city.text() == "جدة" and verify.mobile.text() == "0551234567"
    assert verify.document_rows[0].provided.isChecked()
    assert not again.banner.isVisible()
    officer.enter()
    officer.on("referral")
    officer.type(officer.page.note, "سؤال عن الشروط")
    officer.alt_n()
    officer.type(officer.page.answer, "أُجيب")
    officer.alt_n()
    declare = officer.on("declaration")
    draw_signature(declare.pad)
    officer.wait_saved()
    strokes = declare.pad.strokes()
    again.close()
    again.deleteLater()
    qtbot.wait(10)

    third, officer = _new_page(qtbot, adopted_workspace)
    third.resume(case_id)
    declare = officer.on("declaration")
    assert declare.pad.strokes() == strokes
    officer.alt_n()
    officer.on("committee_notice")


def QTest_space(widget) -> None:  # noqa: N802 - reads like the QTest call it wraps
    """Press Space on a widget (ticks a check box)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_Space)


def test_abandoned_case_is_not_offered(qtbot, adopted_workspace: Workspace) -> None:
    """A case the officer leaves on purpose is closed as abandoned and not offered for resuming."""
    page, officer = _new_page(qtbot, adopted_workspace)
    officer.start_contact("interview", None, "")
    case_id = page.wizard.case.case_id
    assert page.wizard.abandon("لم يكمل المستفيد")
    officer.on("contact")
    assert page.service.case(case_id).status == "closed"
    assert page.check_drafts() == 0


_TYPE_THEN_WAIT = r"""
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from ui.app import configure_application
app = QApplication([])
configure_application(app)
from desktop.identity import make_saudi_id
from desktop.workspace import Workspace
from tests.ui.reception.driver import Officer, future_hijri

class Bot:
    def waitUntil(self, condition, timeout=3000):
        end = time.monotonic() + timeout / 1000
        while not condition():
            app.processEvents()
            if time.monotonic() > end:
                raise TimeoutError
            time.sleep(0.01)

from ui.reception.page import ReceptionPage
from tests.accounts import sign_in_desk
workspace = Workspace.open(Path(sys.argv[1]))
sign_in_desk(workspace)  # the desk has accounts (issue 13): the officer signs in before receiving anyone
page = ReceptionPage(workspace)
page.resize(1280, 860)
page.show()
page.activateWindow()
app.processEvents()
officer = Officer(Bot(), page)
officer.start_contact("phone", None, make_saudi_id("101234567"))
officer.greet("اتصل يسأل")
officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_expiry=future_hijri(), mobile="0551234567")
officer.wait_saved()
print("TYPED", page.wizard.case.case_id, flush=True)
while True:
    app.processEvents()
    time.sleep(0.05)
"""


@pytest.mark.slow
def test_draft_survives_a_killed_process(qtbot, adopted_workspace: Workspace) -> None:
    """The desk is killed (SIGKILL) after typing: the next start offers the case and the fields are all there."""
    data_dir = adopted_workspace.data_dir
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", _TYPE_THEN_WAIT, str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if line.startswith("TYPED") or not line:
                break
        assert line.startswith("TYPED"), process.stderr.read() if process.stderr else ""
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL

    window = MainWindow(adopted_workspace)
    qtbot.addWidget(window)
    window.show()
    assert window.offer_draft_resume() == 1
    page = window.reception_page()
    assert page is not None and page.banner.isVisible()
    assert window.current_section() == "reception"
    page.banner.resume_button.click()
    operations().wait()
    verify = page.wizard.current_page()
    assert verify.key == "verification"
    assert verify.full_name.text() == "محمد عبدالله أحمد الزهراني"
    assert verify.mobile.text() == "0551234567"
    assert verify.id_number.text() == make_saudi_id("101234567")
    view = ReceptionService(adopted_workspace).case(page.wizard.case.case_id)
    assert next(s for s in view.steps if s.step_id == "reception").note == "اتصل يسأل"
