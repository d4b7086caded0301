"""Follow-ups (counts, a click to the case file) and suggestions and complaints (receive, route, answer, close)."""

from __future__ import annotations

from tests.ui.cases.conftest import idle
from tests.ui.cases.world import World
from tests.ui.reception.driver import type_text
from ui.cases import CasesPage
from ui.cases.follow_ups import LISTS
from ui.cases.suggestions import AnswerSuggestionDialog, CloseSuggestionDialog, ReceiveSuggestionDialog, RouteSuggestionDialog


def test_follow_ups_lists_counts_and_open_the_case(qtbot, cases_page: CasesPage, world: World) -> None:
    """The overdue decision is listed with its count; a double click opens its file."""
    panel = cases_page.follow_ups
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        cases_page.tabs.setCurrentWidget(panel)
    follow_ups = panel.follow_ups
    assert follow_ups is not None
    overdue_row = [key for key, _t, _m in LISTS].index("decisions_overdue")
    assert panel.lists.item(overdue_row).text().endswith("(١)")
    panel.show_list("decisions_overdue")
    assert panel.model.rowCount() == 1
    assert panel.model.row_at(0).case_number == world.numbers["overdue"]
    assert panel.model.data(panel.model.index(0, 5)).startswith("متأخرة")
    panel.table.doubleClicked.emit(panel.model.index(0, 0))
    dialog = cases_page.case_file
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    assert dialog.file.case_id == world.cases["overdue"]


def test_suggestion_received_routed_answered_and_closed(qtbot, cases_page: CasesPage, world: World) -> None:
    """A complaint goes through its four steps; each shows in the list and its history."""
    panel = cases_page.suggestions
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        cases_page.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: bool(panel.channels), timeout=10000)
    assert panel.model.rowCount() == 0

    receive = panel.open_receive()
    assert isinstance(receive, ReceiveSuggestionDialog)
    receive.submit()
    assert receive.form.error("channel_id")
    receive.kind.setCurrentIndex(receive.kind.findData("complaint"))
    receive.channel.setCurrentIndex(receive.channel.findData("phone"))
    type_text(receive.text, "تأخر الرد على طلبي")
    receive.case_number.setText(world.numbers["due"])
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        receive.submit()
    assert panel.model.rowCount() == 1
    row = panel.selected()
    assert row is not None and row.kind == "complaint" and row.due_date is not None
    assert "تأخر الرد" in panel.history.text()

    route = panel.open_route()
    assert isinstance(route, RouteSuggestionDialog)
    route.to_role.setCurrentIndex(route.to_role.findData("manager"))
    route.submit()
    assert route.form.error("note")
    route.note.setText("للاطلاع والرد خلال أسبوع")
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        route.submit()
    assert panel.selected().routed_to == "manager"

    answer = panel.open_answer()
    assert isinstance(answer, AnswerSuggestionDialog)
    answer.submit()
    assert answer.form.error("response")
    answer.response.setText("اعتذرنا وسيصدر القرار هذا الأسبوع")
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        answer.submit()
    assert panel.selected().status == "answered"

    closing = panel.open_close()
    assert isinstance(closing, CloseSuggestionDialog)
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        closing.submit()
    assert panel.selected().status == "closed"
    assert len(panel.selected().history) >= 4
    assert not panel.close_button.isEnabled()
    qtbot.waitUntil(idle(cases_page))
