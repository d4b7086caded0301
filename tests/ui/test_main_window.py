"""The main window: right-to-left, six sections switchable by keyboard, waiting pages until the database opens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

from desktop.arabic_text import display_digits
from desktop.arabic_text import to_arabic_digits
from desktop.hijri import format_gregorian, format_hijri, local_date
from desktop.workspace import Workspace
from ui.main_window import MainWindow
from ui.ops import operations
from ui.sections import SECTIONS
from ui.widgets.placeholder import SectionWaitingPage
from ui.widgets.policy_outline import ReceptionOutline
from ui.widgets.policy_summary import PolicySummaryPage
from tests.accounts import sign_in_desk

SECTION_TITLES = ["الاستقبال", "الحالات", "اللجنة", "رضا المستفيدين", "التقارير", "الإعدادات"]


@pytest.fixture
def window(qtbot, adopted_workspace: Workspace) -> MainWindow:
    """The main window on a workspace with the family association's policy, shown and active."""
    main = MainWindow(adopted_workspace)
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitExposed(main)
    qtbot.waitUntil(main.isActiveWindow)
    operations().wait()  # the officer and connection are read off the GUI thread
    return main


def test_window_is_right_to_left_with_navigation_on_the_right(window: MainWindow) -> None:
    """The window lays out right to left: the section list sits right of the pages."""
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    navigator_x = window.navigator.mapTo(window, QPoint(0, 0)).x()
    stack_x = window.stack.mapTo(window, QPoint(0, 0)).x()
    assert navigator_x > stack_x
    assert navigator_x + window.navigator.width() <= window.width()


def test_title_names_the_association(window: MainWindow) -> None:
    """The title is «مكتب المستفيد — <association>»."""
    assert window.windowTitle() == "مكتب المستفيد — جمعية مفاتيح الخير الأسرية"


def test_six_sections_in_order(window: MainWindow) -> None:
    """The navigation offers the six sections, in the policy's order of work."""
    titles = [window.navigator.item(row).text() for row in range(window.navigator.count())]
    assert titles == SECTION_TITLES
    assert window.stack.count() == 6
    assert window.current_section() == "reception"


def test_ctrl_digit_switches_sections(qtbot, window: MainWindow) -> None:
    """Ctrl+1..Ctrl+6 bring each section to the front and mark it in the list."""
    for number in (3, 6, 1, 4, 2, 5):
        with qtbot.waitSignal(window.sig_section_changed) as changed:
            qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert changed.args == [SECTIONS[number - 1].key]
        assert window.stack.currentIndex() == number - 1
        assert window.navigator.currentRow() == number - 1


def test_navigation_list_switches_sections(qtbot, window: MainWindow) -> None:
    """Choosing a section in the list shows its page."""
    window.navigator.setCurrentRow(2)
    assert window.current_section() == "committee"
    qtbot.keyClick(window.navigator, Qt.Key.Key_Down)
    assert window.current_section() == "satisfaction"


def test_every_section_is_the_real_page_once_the_workspace_is_open(window: MainWindow) -> None:
    """Cases, committee, satisfaction and reports are their real pages, not waiting pages."""
    from ui.cases import CasesPage
    from ui.committee import CommitteePage
    from ui.reports import ReportsPage
    from ui.satisfaction import SatisfactionPage

    expected = {"cases": CasesPage, "committee": CommitteePage, "satisfaction": SatisfactionPage,
                "reports": ReportsPage}
    for key, page_class in expected.items():
        assert isinstance(window.section_page(key), page_class), key


def test_sections_wait_for_the_database_and_offer_nothing_to_press(qtbot) -> None:
    """Before the workspace is open, each section says it is opening and what it is for, with nothing to press."""
    main = MainWindow(None)
    qtbot.addWidget(main)
    for section in SECTIONS[1:5]:
        page = main.section_page(section.key)
        assert isinstance(page, SectionWaitingPage)
        assert page.notice() == section.waiting_text
        assert section.purpose in page.notice()
        assert page.findChildren(QAbstractButton) == []
        assert page.findChildren(QLineEdit) == []


def test_reception_shows_the_policy_channels_and_steps(window: MainWindow, adopted_workspace: Workspace) -> None:
    """The reception page lists the active policy's channels and its reception steps, in order, read-only."""
    profile = adopted_workspace.active_profile()
    assert profile is not None
    outline = window.section_page("reception").findChild(ReceptionOutline)
    assert outline is not None
    for channel in profile.channels:
        assert channel.name in outline.channels_label.text()
    steps = outline.steps_text()
    positions = [steps.index(f"{to_arabic_digits(str(n))}. {step.title}") for n, step in enumerate(profile.steps, 1)]
    assert positions == sorted(positions)
    assert len(profile.steps) == 7
    assert profile.steps[1].text in steps
    assert outline.findChildren(QAbstractButton) == [] and outline.findChildren(QLineEdit) == []


def test_committee_page_states_the_promised_period(qtbot, window: MainWindow) -> None:
    """The committee page repeats the policy's decision promise (read in the background)."""
    from PySide6.QtWidgets import QLabel

    page = window.section_page("committee")

    def promise_shown() -> bool:
        texts = [label.text() for label in page.findChildren(QLabel)]
        return any(display_digits("لا تقل عن (14) يوماً من تاريخ تقديم الطلب") in text for text in texts)

    qtbot.waitUntil(promise_shown, timeout=10000)


def test_settings_page_shows_the_active_policy(window: MainWindow, adopted_workspace: Workspace) -> None:
    """Association, licence, version, approval meeting and its Hijri and Gregorian dates, decision, data folder."""
    profile = adopted_workspace.active_profile()
    assert profile is not None and profile.approval is not None
    settings = window.section_page("settings")
    assert isinstance(settings, PolicySummaryPage)
    assert settings.value("association") == "جمعية مفاتيح الخير الأسرية"
    assert settings.value("licence") == (profile.association.licence or "غير مذكور في السياسة")
    assert profile.version in settings.value("version")
    assert display_digits(profile.approval.meeting) in settings.value("approval")
    dates = settings.value("approval_dates")
    assert profile.approval.date_gregorian is not None
    assert format_gregorian(profile.approval.date_gregorian) in dates
    assert "هـ" in dates and "الموافق" in dates
    assert settings.value("decision") == display_digits("لا تقل عن (14) يوماً من تاريخ تقديم الطلب")
    assert settings.value("data_dir") == str(adopted_workspace.data_dir)


def test_rescue_policy_has_no_committee_period(qtbot, workspace: Workspace) -> None:
    """The rescue association's policy (reports, no committee) reads as such, not as an empty field."""
    workspace.adopt_builtin_profile("daam-rescue")
    sign_in_desk(workspace)
    main = MainWindow(workspace)
    qtbot.addWidget(main)
    settings = main.section_page("settings")
    assert isinstance(settings, PolicySummaryPage)
    # behaviour change (issue 11, the rescue desk): no committee wording at all for a policy of reports; the
    # settings say how a report is handled instead of «لا تنص السياسة على قرار لجنة ولا على مدة له»
    assert settings.value("report_course").startswith("فور استلامه، بخطوات السياسة: استقبال البلاغ")
    with pytest.raises(KeyError):
        settings.value("decision")
    texts = [label.text() for label in settings.findChildren(QLabel)]
    assert not any(word in text for text in texts for word in ("لجنة", "اللجنة", "إقرار"))
    assert display_digits("الجلسة 1/2") in settings.value("replaces")


def test_status_bar_shows_officer_association_connection_and_today(
    window: MainWindow, adopted_workspace: Workspace
) -> None:
    """The status bar names the officer and association, the sync state, and today in both calendars: Riyadh's
    today, whatever the PC's zone (from 21:00 UTC it is already tomorrow in Riyadh)."""
    status = window.desk_status
    assert adopted_workspace.officer_name() in status.officer_label.text()
    assert status.association_label.text() == "جمعية مفاتيح الخير الأسرية"
    assert status.connection_label.text() == adopted_workspace.connection_state().label_ar
    today = local_date(datetime.now(UTC))
    assert format_hijri(today) in status.today_label.text()
    assert format_gregorian(today) in status.today_label.text()


def _visible_titles(main: MainWindow) -> list[str]:
    navigator = main.navigator
    return [navigator.item(row).text() for row in range(navigator.count()) if not navigator.item(row).isHidden()]


def test_a_policy_with_a_committee_shows_the_committee_section(window: MainWindow) -> None:
    """mafateeh-alkhair decides requests in committee: «اللجنة» is in the list and the menu, Ctrl+3 opens it."""
    assert "اللجنة" in _visible_titles(window)
    action = window.section_actions[2]
    assert action.text() == "اللجنة" and action.isVisible() and action.isEnabled()


def test_a_policy_of_reports_has_no_committee_section(qtbot, workspace: Workspace) -> None:
    """daam-rescue receives reports, not requests: no «اللجنة» in the list or the menu, and Ctrl+3 does nothing."""
    workspace.adopt_builtin_profile("daam-rescue")
    sign_in_desk(workspace)
    main = MainWindow(workspace)
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitExposed(main)
    qtbot.waitUntil(main.isActiveWindow)
    operations().wait()
    assert _visible_titles(main) == ["الاستقبال", "البلاغات", "رضا المستفيدين", "التقارير", "الإعدادات"]
    assert main.section_actions[1].text() == "البلاغات"
    action = window_action = main.section_actions[2]
    assert window_action.text() == "اللجنة" and not action.isVisible() and not action.isEnabled()
    menu_titles = [a.text() for a in main.menuBar().actions()[1].menu().actions() if a.isVisible()]
    assert "اللجنة" not in menu_titles
    main.show_section(1)
    qtbot.keyClick(main, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert main.current_section() == "cases"
    main.show_section(2)  # asked for by position: refused, the section stays
    assert main.current_section() == "cases"
    main.navigator.setCurrentRow(1)
    qtbot.keyClick(main.navigator, Qt.Key.Key_Down)  # the list skips the hidden row
    assert main.current_section() == "satisfaction"


def test_the_window_from_the_snapshot_loads_no_database_code() -> None:
    """The first window is drawn from the desk snapshot before the workspace opens: building and showing it
    loads neither SQLAlchemy, the models, the policy schema nor the reception's service (they are most of a
    second of imports, done on the worker while the window is already on screen)."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from ui.app import configure_application\n"
        "from desktop.startup import DeskSnapshot\n"
        "from ui.main_window import MainWindow\n"
        "app = QApplication([]); configure_application(app)\n"
        "w = MainWindow(None, snapshot=DeskSnapshot('جمعية', 'mafateeh-alkhair', '2025-10'))\n"
        "w.show(); app.processEvents()\n"
        "print(' '.join(m for m in ('sqlalchemy', 'db.models', 'desktop.policy', 'desktop.reception',"
        " 'desktop.workspace', 'reportlab') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == ""
