"""The rescue association's case list (000, a policy of reports): report columns, platform filter, search by caller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from desktop.arabic_text import display_digits
from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.desktop.casedesk._listing_world import ListingClock
from tests.ui.cases.conftest import idle
from tests.ui.reception.driver import type_text
from ui.cases import CasesPage
from tests.accounts import sign_in_desk

T0 = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
_NOT_FOR_REPORTS = ("لجنة", "قرار", "إقرار", "مستند", "المستفيد", "هوية", "التقديم", "المتبقي")


def _reports(workspace: Workspace) -> None:
    """Two reports: one dispatched and closed (WhatsApp), one just received (Snapchat)."""
    workspace.adopt_builtin_profile("daam-rescue")
    sign_in_desk(workspace)
    clock = ListingClock(T0)
    reception = ReceptionService(workspace, clock=clock)
    member = reception.add_member("ماجد الحربي", "0553334444", "24.72", "46.68").member_id
    for caller, phone, platform, place, closed in (
        ("عبد الله سالم الدوسري", "0501234567", "whatsapp", "طريق الثمامة", True),
        ("أسماء إبراهيم", "", "snapchat", "حي العليا", False),
    ):
        view = reception.start_contact("phone", "report")
        reception.complete_greet(view.case_id)
        reception.record_report(view.case_id, reporter_name=caller, reporter_phone=phone, platform=platform,
                                place=place, latitude="", longitude="", what_happened="عالق في الرمال")
        if closed:
            reception.skip_step(view.case_id, "escalate", "البلاغ واضح")
            clock.now += timedelta(minutes=7)
            reception.dispatch(view.case_id, member)
            clock.now += timedelta(minutes=50)
            reception.close_report(view.case_id, "سُحبت السيارة")
        clock.now += timedelta(hours=1)


def test_rescue_list_shows_reports_without_committee_decision_or_document_columns(qtbot, workspace: Workspace) -> None:
    """Report number, caller, phone, platform, place, times, member and status; none of a request's columns."""
    _reports(workspace)
    page = CasesPage(workspace)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    panel = page.case_list
    qtbot.waitUntil(lambda: panel.model.report_mode and panel.model.count is not None and idle(page)(), timeout=10000)
    model = panel.model
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers == ["رقم البلاغ", "المبلّغ", "هاتف المبلّغ", "المنصة", "المكان", "وقت الاستلام",
                       "وقت توجيه العضو", "وقت الإغلاق", "العضو الموجَّه", "الحالة"]
    assert not any(word in header for header in headers for word in _NOT_FOR_REPORTS)
    assert all(not panel.table.isColumnHidden(i) for i in range(model.columnCount()))
    assert model.rowCount() == 2
    closed = [model.data(model.index(1, i)) for i in range(model.columnCount())]
    assert closed[1] == "عبد الله سالم الدوسري" and display_digits("0501234567") in closed[2] and closed[3] == "واتساب"
    assert closed[4] == "طريق الثمامة" and closed[8] == "ماجد الحربي" and closed[9] == "مغلق"
    assert "٠٩:٠٧" in closed[6] and "٠٩:٥٧" in closed[7]  # Riyadh times of dispatch and closing
    fresh = [model.data(model.index(0, i)) for i in range(model.columnCount())]
    assert fresh[2] == "—" and fresh[6] == "—" and fresh[8] == "—"
    # the filter bar offers the platform and no decision, referral, document or signature filter
    bar = panel.filters
    assert bar.platform.isVisible() and not bar.case_kind.isVisible()
    assert not any(box.isVisible() for box in (bar.overdue, bar.referred_to_me, bar.missing_documents,
                                                bar.signature_pending))
    assert "استُلم" in bar.from_label.text()
    bar.select(bar.platform, "snapchat")
    qtbot.waitUntil(lambda: not model.is_loading() and idle(page)() and model.rowCount() == 1, timeout=10000)
    assert model.data(model.index(0, 1)) == "أسماء إبراهيم"
    bar.clear()
    qtbot.waitUntil(lambda: not model.is_loading() and idle(page)() and model.rowCount() == 2, timeout=10000)
    # the caller is found by phone
    type_text(panel.search, "0501")
    qtbot.waitUntil(lambda: not model.is_loading() and idle(page)() and model.rowCount() == 1, timeout=10000)
    assert model.data(model.index(0, 1)) == "عبد الله سالم الدوسري"


def test_the_count_says_reports_and_the_number_shows_whole(qtbot, workspace: Workspace) -> None:
    """A policy of reports counts «بلاغان»/«بلاغًا» (desktop.counting), and the number column fits the number."""
    from desktop.counting import REPORTS
    from ui.cases.text import count_text

    _reports(workspace)
    page = CasesPage(workspace)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    panel = page.case_list
    qtbot.waitUntil(lambda: panel.model.report_mode and panel.model.count is not None and idle(page)(), timeout=10000)
    assert panel.count_label.text() == "بلاغان"
    assert page.heading.text() == "البلاغات" and page.tabs.tabText(0) == "البلاغات"
    # behaviour change (issue 12, fit): the open/sort hint is the table's tooltip, no longer a line of its own
    assert "الحالة" not in panel.table.toolTip() and "البلاغ" in panel.table.toolTip()
    assert count_text(464, noun=REPORTS) == "٤٦٤ بلاغًا"  # one count_phrase for every counted noun (issue 12)
    assert count_text(3, noun=REPORTS) == "٣ بلاغات"
    assert count_text(1, noun=REPORTS) == "بلاغ واحد"
    assert count_text(0, noun=REPORTS) == "لا توجد بلاغات"
    assert count_text(10_000, more=True, noun=REPORTS) == "أكثر من ١٠٬٠٠٠ بلاغ"
    table = panel.table
    number = panel.model.data(panel.model.index(0, 0))
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance(number) + 8


def test_a_count_read_before_the_policy_kind_is_said_again_as_reports(qtbot, workspace: Workspace) -> None:
    """The count and the policy's kind are read in the background in either order: a count shown while the list
    still showed requests («حالتان») is said again as reports once the kind arrives (a race seen under load)."""
    _reports(workspace)
    page = CasesPage(workspace)
    qtbot.addWidget(page)
    page.show()
    panel = page.case_list
    qtbot.waitUntil(lambda: panel.model.report_mode and panel.model.count is not None and idle(page)(), timeout=10000)
    choices = panel.service.filter_choices()
    panel.model.set_report_mode(False)  # as if the count arrived first, while the list showed requests
    panel._show_count(*panel.model.count)  # noqa: SLF001
    assert panel.count_label.text() == "حالتان"
    panel.set_choices(choices)
    assert panel.count_label.text() == "بلاغان"
