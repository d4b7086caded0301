"""The wizard never calls the service on the GUI thread: every database session of a whole reception is opened
on a worker thread (`ui.ops`), and a second Enter while a step is being recorded records nothing twice."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from db.models import StepCompletion
from desktop.casedesk import CommitteeService, DecisionInput
from tests.accounts import committee_present
from desktop.identity import make_saudi_id
from desktop.workspace import Workspace
from tests.ui.reception.driver import Officer, draw_signature, future_hijri, make_scan
from ui.ops import operations
from ui.reception.page import ReceptionPage
from tests.accounts import sign_in_desk


class SessionWatch:
    """Wraps the workspace's `Database.session`: notes where a session is opened on the GUI (main) thread."""

    def __init__(self, workspace: Workspace) -> None:
        self.watching = False
        self.on_gui_thread: list[str] = []
        self.on_workers = 0
        self._database = workspace.db
        self._session = workspace.db.session
        workspace.db.session = self._watched  # type: ignore[method-assign]

    def _watched(self, *args: Any, **kwargs: Any) -> AbstractContextManager[Any]:
        if self.watching:
            if threading.current_thread() is threading.main_thread():
                self.on_gui_thread.append("".join(traceback.format_stack(limit=8)))
            else:
                self.on_workers += 1
        return self._session(*args, **kwargs)

    def restore(self) -> None:
        """Put the database's own method back."""
        del self._database.session


@pytest.fixture
def watched(open_reception, workspace: Workspace) -> Iterator[Callable[[str], tuple[ReceptionPage, Officer, SessionWatch]]]:
    """A reception page on a policy whose database sessions are watched from the page's first moment."""
    watches: list[SessionWatch] = []

    def opened(profile_id: str) -> tuple[ReceptionPage, Officer, SessionWatch]:
        workspace.adopt_builtin_profile(profile_id)
        sign_in_desk(workspace)
        watch = SessionWatch(workspace)
        watches.append(watch)
        watch.watching = True
        page, officer = open_reception(profile_id)
        page.wizard.printer.renderer = None  # printing stops at the stored PDF (no page renderer needed)
        return page, officer, watch

    yield opened
    for watch in watches:
        watch.restore()


def _read_back(watch: SessionWatch, read: Callable[[], Any]) -> Any:
    """The test's own look at the records (on the test's thread, not the wizard's)."""
    watch.watching = False
    try:
        return read()
    finally:
        watch.watching = True


def test_a_whole_reception_opens_no_session_on_the_gui_thread(watched, tmp_path: Path) -> None:
    """Start, look-up, greet, verify with a scan, refer and answer, sign, notify, print, register, serve, resume."""
    page, officer, watch = watched("mafateeh-alkhair")
    wizard = page.wizard
    officer.start_contact("interview", "service_request", make_saudi_id("101234567"))
    officer.greet("سأل عن المستندات")
    verify = officer.on("verification")
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_expiry=future_hijri(), mobile="0551234567")
    officer.mark_documents(attach={verify.document_rows[0].name: make_scan(tmp_path)})
    officer.wait_saved()
    verify.full_name.setFocus()
    officer.enter()
    refer = officer.on("referral")
    officer.type(refer.note, "لم تتضح له الشروط")
    officer.alt_n()
    officer.type(officer.on("referral").answer, "أُجيب")
    officer.alt_n()
    declare = officer.on("declaration")
    assert "محمد عبدالله أحمد الزهراني" in declare.declaration_label.text()
    draw_signature(declare.pad)
    officer.alt_n()
    officer.alt_n()
    notify = officer.on("committee_notice")
    notify.print_receipt.click()
    officer.settle()
    assert wizard.context.documents_made[-1].kind == "receipt"
    number = wizard.case.case_number
    officer.alt_n()
    officer.on("summary")  # the reception ends at the committee notice
    case_id = wizard.case.case_id
    _read_back(watch, lambda: CommitteeService(page.service._workspace).decide(  # the secretary's own desk
        case_id, DecisionInput("accept", "", **committee_present(page.service._workspace))))
    QTest.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    officer.on("contact")
    officer.type(page.case_number, number)
    QTest.keyClick(page.case_number, Qt.Key.Key_Return)
    officer.type(officer.on("registration").note, "اكتمل الملف")
    officer.alt_n()
    serve = officer.on("service")
    officer.type(serve.service_kind.lineEdit(), "مساعدة مالية")
    officer.type(serve.amount, "1500")
    serve.amount.setFocus()
    officer.enter()
    officer.on("summary")
    assert page.check_drafts() == 0
    assert watch.on_gui_thread == [], watch.on_gui_thread[0]
    assert watch.on_workers > 20
    view = _read_back(watch, lambda: page.service.case(wizard.case.case_id))
    assert view.status == "served"
    page.service.case(view.case_id)  # the watch notices a call made on the GUI thread
    assert len(watch.on_gui_thread) == 1


def test_a_rescue_report_opens_no_session_on_the_gui_thread(watched) -> None:
    """Report, escalation, the roster read and a member added, dispatch and help: all off the GUI thread."""
    page, officer, watch = watched("daam-rescue")
    officer.start_contact("phone", "report", "")
    officer.greet()
    report = officer.on("verify_report")
    for widget, text in ((report.reporter_name, "فهد سالم"), (report.place, "الرياض"), (report.latitude, "24.7136"),
                         (report.longitude, "46.6753"), (report.what_happened, "سيارة متعطلة")):
        officer.type(widget, text)
    officer.alt_n()
    officer.type(officer.on("escalate").note, "موقع غير دقيق")
    officer.alt_n()
    dispatch = officer.on("dispatch")
    for widget, text in ((dispatch.new_name, "عضو قريب"), (dispatch.new_phone, "0501000002"),
                         (dispatch.new_latitude, "24.72"), (dispatch.new_longitude, "46.68")):
        officer.type(widget, text)
    dispatch.add_button.click()
    officer.settle()
    assert [m.name for m in dispatch.members()] == ["عضو قريب"]
    officer.enter()
    officer.type(officer.on("help").help_given, "سُحبت السيارة")
    officer.alt_n()
    officer.on("summary")
    assert watch.on_gui_thread == [], watch.on_gui_thread[0]


def test_a_second_enter_while_the_step_is_recorded_records_nothing_twice(watched) -> None:
    """Two Enters in a row on the greet page: one completion, the verify page next (not skipped past)."""
    page, officer, watch = watched("mafateeh-alkhair")
    wizard = page.wizard
    officer.start_contact("interview", None, "")
    officer.on("reception")
    focus = QApplication.focusWidget() or wizard
    QTest.keyClick(focus, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert wizard.busy() and not wizard.next_button.isEnabled()
    QTest.keyClick(focus, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    officer.on("verification")
    assert not wizard.busy() and wizard.next_button.isEnabled()

    def greetings() -> int:
        with page.workspace.db.session(read_only=True) as session:
            return int(session.scalar(
                select(func.count()).select_from(StepCompletion).where(StepCompletion.step_id == "reception")
            ))

    assert _read_back(watch, greetings) == 1
    assert operations().wait()


def test_idle_work_never_hides_the_page_on_screen(open_reception) -> None:
    """A page the idle work was preparing when it came to the front stays on screen, the keyboard in it."""
    page, officer = open_reception("mafateeh-alkhair")
    wizard = page.wizard
    officer.start_contact("interview", None, "")
    greet = officer.on("reception")
    for stage in range(6):
        wizard._warming = (greet, stage)  # noqa: SLF001 - as if preparing it had begun before it was shown
        wizard._build_spare_page()  # noqa: SLF001
        assert greet.isVisible() and wizard.current_page() is greet
    assert greet.isAncestorOf(QApplication.focusWidget())
