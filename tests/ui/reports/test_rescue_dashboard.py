"""The dashboard of a policy of reports (000): the reports section in place of the committee's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from desktop.reception import ReceptionService
from desktop.reports.dashboard import DashboardService
from desktop.reports.views import Period
from desktop.workspace import Workspace
from tests.desktop.casedesk._listing_world import ListingClock
from ui.reports.dashboard import COMMITTEE_CARDS, REPORT_CARDS, DashboardView
from tests.accounts import sign_in_desk

T0 = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)


def test_dashboard_shows_the_reports_section(qtbot, workspace: Workspace) -> None:
    """Received, minutes to dispatch and close (median and p90), escalations, per platform and day; no committee."""
    workspace.adopt_builtin_profile("daam-rescue")
    sign_in_desk(workspace)
    clock = ListingClock(T0)
    reception = ReceptionService(workspace, clock=clock)
    member = reception.add_member("ماجد الحربي", "0553334444", "24.72", "46.68").member_id
    for minutes, platform in ((5, "whatsapp"), (15, "x")):
        clock.now = T0 + timedelta(hours=minutes)
        view = reception.start_contact("phone", "report")
        reception.complete_greet(view.case_id)
        reception.record_report(view.case_id, reporter_name="سالم", reporter_phone="", platform=platform,
                                place="حي العليا", latitude="", longitude="", what_happened="حادث")
        clock.now += timedelta(minutes=2)
        reception.escalate(view.case_id, "غير واضح")
        clock.now += timedelta(minutes=minutes - 2)
        reception.dispatch(view.case_id, member)
        clock.now += timedelta(minutes=30)
        reception.close_report(view.case_id, "قُدّمت المساعدة")
    figures = DashboardService(workspace, clock=clock).figures(Period.custom(date(2025, 11, 1), date(2025, 11, 30)))
    view = DashboardView()
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.show_figures(figures)
    assert all(view.cards[name].isVisible() for name in REPORT_CARDS)
    assert not any(view.cards[name].isVisible() for name in COMMITTEE_CARDS)
    assert view.card_text("contacts") == "٢"
    assert view.cards["contacts"].caption.text() == "البلاغات المستلمة في الفترة"
    assert "بلاغان" in view.cards["contacts"].note.text()
    assert view.card_text("to_dispatch") == "١٠ دقائق"  # median of 5 and 15
    assert "١٤ دقيقةً" in view.cards["to_dispatch"].note.text()  # p90: 5 + 0.9 × 10
    assert view.card_text("to_close") == "٤٠ دقيقةً"
    assert view.card_text("escalated") == "٢" and "مدير العمليات المركزية" in view.cards["escalated"].note.text()
    assert view.platform_chart.isVisible() and view.day_chart.isVisible()
    shown = " ".join(card.caption.text() + card.note.text() for card in view.cards.values() if card.isVisible())
    assert "لجنة" not in shown and "القرار" not in shown and "الموعودة" not in shown
