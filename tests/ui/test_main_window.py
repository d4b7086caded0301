"""The main window: right-to-left, six sections switchable by keyboard, honest placeholders, real settings page."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit

from desktop.arabic_text import to_arabic_digits
from desktop.hijri import format_gregorian, format_hijri
from desktop.workspace import Workspace
from ui.main_window import MainWindow
from ui.sections import SECTIONS
from ui.widgets.placeholder import UnderConstructionPage
from ui.widgets.policy_outline import ReceptionOutline
from ui.widgets.policy_summary import PolicySummaryPage

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


def test_unbuilt_sections_say_so_and_offer_nothing_to_press(window: MainWindow) -> None:
    """Sections not built yet state it plainly, say what they will do, and have no buttons or inputs.

    The reception section (index 0) is built (issue 3): see tests/ui/reception/.
    """
    for section in SECTIONS[1:5]:
        page = window.section_page(section.key)
        assert isinstance(page, UnderConstructionPage)
        assert page.notice().startswith(f"قسم {section.title} قيد البناء: سيأتي في الإصدار القادم.")
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


def test_committee_page_states_the_promised_period(window: MainWindow) -> None:
    """The committee placeholder repeats the policy's decision promise."""
    assert "لا تقل عن (14) يوماً من تاريخ تقديم الطلب" in window.section_page("committee").notice()


def test_settings_page_shows_the_active_policy(window: MainWindow, adopted_workspace: Workspace) -> None:
    """Association, licence, version, approval meeting and its Hijri and Gregorian dates, decision, data folder."""
    profile = adopted_workspace.active_profile()
    assert profile is not None and profile.approval is not None
    settings = window.section_page("settings")
    assert isinstance(settings, PolicySummaryPage)
    assert settings.value("association") == "جمعية مفاتيح الخير الأسرية"
    assert settings.value("licence") == (profile.association.licence or "غير مذكور في السياسة")
    assert profile.version in settings.value("version")
    assert profile.approval.meeting in settings.value("approval")
    dates = settings.value("approval_dates")
    assert profile.approval.date_gregorian is not None
    assert format_gregorian(profile.approval.date_gregorian) in dates
    assert "هـ" in dates and "الموافق" in dates
    assert settings.value("decision") == "لا تقل عن (14) يوماً من تاريخ تقديم الطلب"
    assert settings.value("data_dir") == str(adopted_workspace.data_dir)


def test_rescue_policy_has_no_committee_period(qtbot, workspace: Workspace) -> None:
    """The rescue association's policy (reports, no committee) reads as such, not as an empty field."""
    workspace.adopt_builtin_profile("daam-rescue")
    main = MainWindow(workspace)
    qtbot.addWidget(main)
    settings = main.section_page("settings")
    assert isinstance(settings, PolicySummaryPage)
    assert settings.value("decision") == "لا تنص السياسة على قرار لجنة ولا على مدة له"
    assert "الجلسة 1/2" in settings.value("replaces")


def test_status_bar_shows_officer_association_connection_and_today(
    window: MainWindow, adopted_workspace: Workspace
) -> None:
    """The status bar names the officer and association, the sync state, and today in both calendars."""
    status = window.desk_status
    assert adopted_workspace.officer_name() in status.officer_label.text()
    assert status.association_label.text() == "جمعية مفاتيح الخير الأسرية"
    assert status.connection_label.text() == adopted_workspace.connection_state().label_ar
    today = date.today()
    assert format_hijri(today) in status.today_label.text()
    assert format_gregorian(today) in status.today_label.text()
