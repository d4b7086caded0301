"""The case file: opened from the list with Enter, its timeline, documents, and the actions of its status."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.casedesk import CommitteeService, DecisionInput
from tests.accounts import committee_present
from tests.ui.cases.conftest import idle
from tests.ui.cases.world import World
from tests.ui.reception.driver import type_text
from ui.cases import CasesPage
from ui.cases.case_file import CaseFileDialog
from ui.cases.dialogs import CloseDialog, InformedDialog, ServiceDialog
from ui.cases.eligibility import EligibilityDialog
from ui.printing import pdf_renderer_name


def _open_with_enter(qtbot, page: CasesPage, number: str) -> CaseFileDialog:
    table = page.case_list.table
    model = page.case_list.model
    row = next(i for i, r in enumerate(model.rows()) if r.case_number == number)
    table.setFocus()
    table.setCurrentIndex(model.index(row, 0))
    QTest.keyClick(table, Qt.Key.Key_Return)
    dialog = page.case_file
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    return dialog


def _settle(qtbot, page: CasesPage) -> None:
    qtbot.waitUntil(idle(page), timeout=15000)


def test_enter_opens_the_case_file_with_its_timeline(qtbot, cases_page: CasesPage, world: World) -> None:
    """Beneficiary, documents with validity in words, and the service's timeline newest first."""
    dialog = _open_with_enter(qtbot, cases_page, world.numbers["missing"])
    file = dialog.file
    assert file is not None and file.case_number == world.numbers["missing"]
    assert "فاطمة" in dialog.title.text()
    entries = dialog.timeline.entries()
    assert entries == list(file.timeline) and len(entries) >= 3
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    first_text = dialog.timeline.item(0).text()
    assert entries[0].title in first_text and entries[0].at_text in first_text
    cells = [dialog.documents.item(r, 2).text() for r in range(dialog.documents.rowCount())]
    assert "لم يُقدَّم" in cells  # the missing family record, said in words
    assert dialog.eligibility_button.isVisible()
    assert not dialog.service_button.isVisible()  # not accepted: no service yet


@pytest.mark.skipif(pdf_renderer_name() is None, reason="no PDF page renderer on this machine")
def test_a_pdf_entry_opens_the_print_preview(qtbot, cases_page: CasesPage, world: World) -> None:
    """Double-clicking a stored document in the timeline previews it for printing."""
    dialog = cases_page.open_case(world.cases["due"])
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    position = next(i for i, e in enumerate(dialog.timeline.entries()) if e.document_kind)
    item = dialog.timeline.item(position)
    with qtbot.waitSignal(dialog.printer.sig_preview_opened, timeout=30000) as opened:
        dialog.timeline.setCurrentItem(item)
        QTest.keyClick(dialog.timeline, Qt.Key.Key_Return)
    assert opened.args[0].isVisible()
    opened.args[0].close()


def test_eligibility_document_check_interview_and_recommendation(qtbot, cases_page: CasesPage, world: World) -> None:
    """Each tab saves through the service; a missing reason is refused inline; the timeline shows the records."""
    file_dialog = cases_page.open_case(world.cases["missing"])
    qtbot.waitUntil(lambda: file_dialog.file is not None, timeout=10000)
    dialog = file_dialog.open_eligibility()
    assert isinstance(dialog, EligibilityDialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=10000)
    assert len(dialog.document_rows) == 2
    for document, combo, note in dialog.document_rows:
        combo.setCurrentIndex(combo.findData("valid" if document.provided else "missing"))
    dialog.document_rows[0][1].setCurrentIndex(dialog.document_rows[0][1].findData("invalid"))
    dialog.submit_documents()
    assert "سبب" in dialog.message.text()  # invalid needs a reason
    type_text(dialog.document_rows[0][2], "الصورة غير واضحة")
    with qtbot.waitSignal(dialog.sig_changed, timeout=10000):
        dialog.submit_documents()
    assert dialog.view is not None and dialog.view.documents_checked_at is not None

    assert dialog.answer_rows
    dialog.submit_interview()
    assert dialog.message.isVisible()  # unanswered questions are named
    for _qid, combo, _note in dialog.answer_rows:
        combo.setCurrentIndex(combo.findData("met"))
    dialog.interview_notes.setText("الأسرة ستة أفراد والدخل محدود")
    with qtbot.waitSignal(dialog.sig_changed, timeout=10000):
        dialog.submit_interview()
    assert dialog.view.interview_complete

    dialog.recommendation_buttons["accept"].setChecked(True)
    dialog.submit_recommendation()
    assert "سبب التوصية" in dialog.message.text()
    dialog.recommendation_reason.setText("مستحق وفق المعايير")
    with qtbot.waitSignal(dialog.sig_changed, timeout=10000):
        dialog.submit_recommendation()
    assert dialog.view.recommendation is not None and dialog.view.recommendation.recommendation == "accept"
    dialog.accept()
    qtbot.waitUntil(lambda: file_dialog.file is not None and any(
        e.kind in ("assessment", "recommendation") for e in file_dialog.file.timeline), timeout=10000)


def test_service_informed_and_close_on_an_accepted_case(qtbot, cases_page: CasesPage, world: World) -> None:
    """After acceptance: record a service, that the beneficiary was informed, and close with a reason."""
    service = CommitteeService(world.workspace)
    service.decide(world.cases["due"], DecisionInput("accept", "مستحق", **committee_present(world.workspace, "أ. خالد")))
    world.reception().complete_register(world.cases["due"], "اكتمل الملف")  # the policy's registration step
    dialog = cases_page.open_case(world.cases["due"])
    qtbot.waitUntil(lambda: dialog.file is not None and dialog.file.decision is not None, timeout=10000)
    assert dialog.service_button.isVisible() and dialog.informed_button.isVisible()

    served = dialog.open_service()
    assert isinstance(served, ServiceDialog)
    served.submit()
    assert served.form.error("kind")  # the kind is required
    type_text(served.kind, "سلة غذائية")
    type_text(served.in_kind, "سلة غذائية شهرية")
    with qtbot.waitSignal(dialog.sig_changed, timeout=10000):
        served.submit()
    qtbot.waitUntil(lambda: dialog.file is not None and len(dialog.file.services) == 1, timeout=10000)
    assert "سلة غذائية" in dialog.decision_label.text()

    informed = dialog.open_informed()
    assert isinstance(informed, InformedDialog)
    informed.submit()
    assert informed.form.error("how")
    informed.how.setCurrentIndex(informed.how.findData("phone"))
    with qtbot.waitSignal(dialog.sig_changed, timeout=10000):
        informed.submit()
    qtbot.waitUntil(lambda: dialog.file is not None and len(dialog.file.informed) == 1, timeout=10000)

    _settle(qtbot, cases_page)
    assert dialog.file is not None
    if dialog.file.can_close:
        closing = dialog.open_close()
        assert isinstance(closing, CloseDialog)
        closing.submit()
        assert closing.form.error("reason")
        closing.reason.setText("اكتملت الخدمة")
        with qtbot.waitSignal(dialog.sig_changed, timeout=10000):
            closing.submit()
        qtbot.waitUntil(lambda: dialog.file is not None and dialog.file.closed_at is not None, timeout=10000)
        assert dialog.file.status == "closed"


@pytest.mark.skipif(pdf_renderer_name() is None, reason="no PDF page renderer on this machine")
def test_the_beneficiarys_data_export_is_previewed_for_printing(qtbot, cases_page: CasesPage, world: World) -> None:
    """«بيانات المستفيد (حق الاطلاع)»: everything held about the person, previewed to print and hand over."""
    dialog = cases_page.open_case(world.cases["due"])
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    assert dialog.export_button.isVisible()
    with qtbot.waitSignal(dialog.printer.sig_preview_opened, timeout=30000) as opened:
        dialog.export_button.click()
    assert opened.args[0].isVisible()
    opened.args[0].close()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10000)
