"""The case file of a rescue report (000): the report's particulars and course, its actions, no request wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton

from desktop.casedesk import CaseDesk
from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.desktop.casedesk._listing_world import ListingClock
from tests.ui.cases.conftest import idle
from ui.cases.case_file import CaseFileDialog
from ui.cases.report_file import CloseReportDialog, DispatchDialog
from ui.printing import pdf_renderer_name
from tests.accounts import sign_in_desk

T0 = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
_NOT_FOR_REPORTS = ("لجنة", "قرار", "إقرار", "مستند", "المستفيد", "الطلب", "الاستحقاق", "خدمة")


def _visible_texts(dialog: CaseFileDialog) -> list[str]:
    """Every text an officer sees in the dialog: labels, buttons, group titles, timeline lines."""
    texts = [dialog.windowTitle()]
    texts += [w.text() for w in dialog.findChildren(QLabel) if w.isVisibleTo(dialog)]
    texts += [w.text() for w in dialog.findChildren(QPushButton) if w.isVisibleTo(dialog)]
    texts += [w.title() for w in dialog.findChildren(QGroupBox) if w.isVisibleTo(dialog)]
    texts += [dialog.timeline.item(i).text() for i in range(dialog.timeline.count())]
    return texts


@pytest.fixture
def report_dialog(qtbot, workspace: Workspace) -> CaseFileDialog:
    """A report received on WhatsApp (not yet escalated or dispatched), its case file open at 1366×768."""
    workspace.adopt_builtin_profile("daam-rescue")
    sign_in_desk(workspace)
    clock = ListingClock(T0)
    reception = ReceptionService(workspace, clock=clock)
    reception.add_member("ماجد الحربي", "0553334444", "24.72", "46.68")
    reception.add_member("فهد الشمري", "0551112222", "21.50", "39.20")
    view = reception.start_contact("phone", "report")
    reception.complete_greet(view.case_id)
    reception.record_report(view.case_id, reporter_name="عبد الله سالم الدوسري", reporter_phone="0501234567",
                            platform="whatsapp", place="طريق الثمامة", latitude="24.80", longitude="46.70",
                            what_happened="سيارة عالقة في الرمال")
    clock.now = T0 + timedelta(minutes=7)
    dialog = CaseFileDialog(CaseDesk(workspace, clock=clock), view.case_id)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.report_panel is not None and dialog.report_panel.file is not None, timeout=15000)
    qtbot.waitUntil(idle(dialog), timeout=15000)
    return dialog


def test_report_file_shows_the_report_and_no_request_wording(report_dialog: CaseFileDialog) -> None:
    """Caller, phone, platform, place, coordinates, what happened, times; no committee/decision/document words."""
    dialog = report_dialog
    panel = dialog.report_panel
    assert panel is not None
    assert "عبد الله سالم الدوسري" in dialog.title.text() and "البلاغ" in dialog.title.text()
    values = [w.text() for w in panel.particulars_box.findChildren(QLabel)]
    joined = " ".join(values)
    for expected in ("عبد الله سالم الدوسري", "050 123 4567", "واتساب", "طريق الثمامة", "٢٤",
                     "سيارة عالقة في الرمال"):
        assert expected in joined
    course = " ".join(w.text() for w in panel.course_box.findChildren(QLabel))
    assert "استُلم البلاغ" in course and "وُجّه العضو" in course and "أُغلق البلاغ" in course
    assert not dialog.documents_box.isVisibleTo(dialog) and not dialog.decision_box.isVisibleTo(dialog)
    assert not dialog.eligibility_button.isVisibleTo(dialog) and not dialog.close_case_button.isVisibleTo(dialog)
    assert panel.escalate_button.isVisibleTo(dialog) and panel.dispatch_button.isVisibleTo(dialog)
    assert "مدير العمليات المركزية" in panel.escalate_button.text()
    assert panel.print_button.isVisibleTo(dialog)
    texts = _visible_texts(dialog)
    offending = [t for t in texts for word in _NOT_FOR_REPORTS if word in t]
    assert offending == []


def test_dispatch_then_close_through_the_service(qtbot, report_dialog: CaseFileDialog) -> None:
    """The dispatch dialog offers the nearest member first; saving dispatches; closing records the help."""
    dialog = report_dialog
    panel = dialog.report_panel
    assert panel is not None
    dispatch = panel.open_dispatch()
    assert isinstance(dispatch, DispatchDialog)
    qtbot.waitUntil(lambda: dispatch.save_button.isEnabled(), timeout=10000)
    assert dispatch.member.currentText().startswith("ماجد الحربي")
    assert dispatch.no_escalation.text()  # the escalation is passed with the usual reason, editable
    dispatch.submit()
    qtbot.waitUntil(lambda: panel.file is not None and panel.file.next_action == "close", timeout=15000)
    qtbot.waitUntil(idle(dialog), timeout=15000)
    assert panel.file.report is not None and panel.file.report.dispatched_member == "ماجد الحربي"
    assert panel.close_button.isVisibleTo(dialog) and not panel.dispatch_button.isVisibleTo(dialog)
    course = " ".join(w.text() for w in panel.course_box.findChildren(QLabel))
    assert "بعد ٧ دقائق" in course
    assert any("توجيه" in dialog.timeline.item(i).text() or "وُجّه" in dialog.timeline.item(i).text()
               for i in range(dialog.timeline.count()))
    closing = panel.open_close()
    assert isinstance(closing, CloseReportDialog)
    closing.submit()
    assert "المساعدة" in closing.form.errors["help_given"].text()  # required, said inline
    closing.help_given.setText("سُحبت السيارة")
    closing.submit()
    qtbot.waitUntil(lambda: panel.file is not None and panel.file.closed, timeout=15000)
    qtbot.waitUntil(idle(dialog), timeout=15000)
    assert panel.next_label.text() == "أُغلق البلاغ."
    assert not any(b.isVisibleTo(dialog) for b in (panel.escalate_button, panel.dispatch_button, panel.close_button))


@pytest.mark.skipif(pdf_renderer_name() is None, reason="no PDF page renderer on this machine")
def test_report_record_prints(qtbot, report_dialog: CaseFileDialog) -> None:
    """«طباعة سجل البلاغ» opens the print preview of the report record."""
    panel = report_dialog.report_panel
    assert panel is not None
    with qtbot.waitSignal(panel.printer.sig_preview_opened, timeout=30000) as opened:
        panel.print_button.click()
    assert opened.args[0].isVisible()
    opened.args[0].close()
