"""Screenshots of every case desk screen and dialog at 1280×800, saved to $MUSTAFID_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from desktop.casedesk import CaseDesk, DecisionInput, SuggestionInput
from tests.accounts import add_account, committee_present
from tests.ui.accounts import tick_member_account
from tests.ui.cases.conftest import idle
from tests.ui.cases.world import World
from tests.ui.reception.driver import type_text
from ui.cases import CasesPage
from ui.committee import CommitteePage
from ui.ops import operations

SCREENSHOTS_ENV = "MUSTAFID_SCREENSHOTS"


def _save(qtbot, widget: QWidget, name: str) -> QImage:
    """Grab a widget; write <name>.png into $MUSTAFID_SCREENSHOTS when set."""
    qtbot.wait(30)
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 200 and image.height() > 200
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert image.save(str(Path(folder) / f"casedesk_{name}.png"))
    return image


def test_case_desk_screens(qtbot, cases_page: CasesPage, world: World) -> None:
    """The list, a search, filters, the case file, eligibility, service, follow-ups, suggestions, committee."""
    page = cases_page
    _save(qtbot, page, "01_case_list")
    panel = page.case_list
    type_text(panel.search, "فاطمه الزهرانى")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and idle(page)(), timeout=10000)
    _save(qtbot, page, "02_search_name")
    panel.search.clear()
    panel.filters.overdue.setChecked(True)
    type_text(panel.filters.date_from, "1447/01/01")
    qtbot.waitUntil(idle(page), timeout=10000)
    _save(qtbot, page, "03_filters")
    panel.filters.clear()
    qtbot.waitUntil(idle(page), timeout=10000)

    file_dialog = page.open_case(world.cases["missing"])
    qtbot.waitUntil(lambda: file_dialog.file is not None and idle(page)(), timeout=10000)
    _save(qtbot, file_dialog, "04_case_file")
    eligibility = file_dialog.open_eligibility()
    qtbot.waitUntil(lambda: eligibility.view is not None, timeout=10000)  # type: ignore[attr-defined]
    _save(qtbot, eligibility, "05_eligibility_documents")
    eligibility.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    _save(qtbot, eligibility, "06_eligibility_interview")
    eligibility.tabs.setCurrentIndex(2)  # type: ignore[attr-defined]
    _save(qtbot, eligibility, "07_eligibility_recommendation")
    eligibility.accept()
    file_dialog.accept()

    service = CaseDesk(world.workspace)
    service.committee.decide(world.cases["due"], DecisionInput("accept", "مستحق وفق المعايير", **committee_present(world.workspace, "أ. خالد", "د. سارة")))
    world.reception().complete_register(world.cases["due"], "اكتمل الملف")
    accepted = page.open_case(world.cases["due"])
    qtbot.waitUntil(lambda: accepted.file is not None and accepted.file.decision is not None and idle(page)(),
                    timeout=10000)
    _save(qtbot, accepted, "08_case_file_accepted")
    served = accepted.open_service()
    _save(qtbot, served, "09_service_dialog")
    served.reject()
    informed = accepted.open_informed()
    _save(qtbot, informed, "10_informed_dialog")
    informed.reject()
    closing = accepted.open_close()
    closing.submit()  # shows the inline error
    _save(qtbot, closing, "11_close_dialog_error")
    closing.reject()
    accepted.accept()

    page.tabs.setCurrentWidget(page.follow_ups)
    qtbot.waitUntil(lambda: page.follow_ups.follow_ups is not None and idle(page)(), timeout=10000)
    page.follow_ups.show_list("decisions_overdue")
    _save(qtbot, page, "12_follow_ups")

    service.suggestions.receive_suggestion(SuggestionInput("complaint", "phone", "تأخر الرد على طلبي رغم مرور المدة",
                                                           case_number=world.numbers["overdue"]))
    service.suggestions.receive_suggestion(
        SuggestionInput("suggestion", "website", "أقترح إرسال رسالة عند وصول الطلب للجنة"))
    page.tabs.setCurrentWidget(page.suggestions)
    qtbot.waitUntil(lambda: page.suggestions.model.rowCount() == 2 and idle(page)(), timeout=10000)
    page.suggestions.table.setCurrentIndex(page.suggestions.model.index(0, 0))
    _save(qtbot, page, "13_suggestions")
    qtbot.waitUntil(lambda: bool(page.suggestions.channels), timeout=10000)
    receive = page.suggestions.open_receive()
    _save(qtbot, receive, "14_receive_suggestion")
    receive.reject()
    page.suggestions.table.setCurrentIndex(page.suggestions.model.index(0, 0))
    route = page.suggestions.open_route()
    assert route is not None
    _save(qtbot, route, "15_route_suggestion")
    route.reject()


def test_committee_screens(qtbot, world: World) -> None:
    """The queue, the decision dialog (empty, with errors), and the notice after deciding."""
    add_account(world.workspace, "khalid", "خالد المطيري", ["committee"])
    add_account(world.workspace, "sara", "سارة العمري", ["committee"])
    page = CommitteePage(world.workspace)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.printer.show_boxes = False
    qtbot.waitUntil(lambda: page.summary is not None and operations().in_flight == 0, timeout=10000)
    _save(qtbot, page, "20_committee_queue")
    dialog = page.open_decision(page.model.row_at(1))
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    # Signed in (issue 13): the members present are the committee's accounts, listed as check boxes.
    qtbot.waitUntil(lambda: len(dialog.account_boxes) == 3, timeout=10000)
    _save(qtbot, dialog, "21_decision_dialog")
    dialog.choose("reject")
    dialog.submit()
    _save(qtbot, dialog, "22_decision_errors")
    dialog.choose("accept")
    tick_member_account(qtbot, dialog, "خالد المطيري")
    dialog.open_url = lambda _url: True
    with qtbot.waitSignal(dialog.sig_decided, timeout=20000):
        dialog.submit()
    qtbot.waitUntil(lambda: dialog.notification is not None and operations().in_flight == 0, timeout=20000)
    preview = page.printer.preview
    if preview is not None:
        _save(qtbot, preview, "23_letter_preview")
        preview.close()
    _save(qtbot, dialog, "24_after_decision")
    dialog.informed_how.setCurrentIndex(dialog.informed_how.findData("whatsapp"))
    with qtbot.waitSignal(dialog.sig_informed, timeout=10000):
        dialog.record_informed()
    _save(qtbot, dialog, "25_informed")
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and operations().in_flight == 0, timeout=10000)
    _save(qtbot, page, "26_queue_after")
