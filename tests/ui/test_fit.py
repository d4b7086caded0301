"""The desk fits the screens front desks have (1366×768 and 1280×800): geometry, not pixels.

A maximised window on such a screen is smaller than the screen: Windows' task bar and the window's title bar
take about 72 px of its height, so the window is given the screen's width and 72 px less than its height.
On each section and each reception step of a family association's and a rescue association's policy: no
horizontal scroll bar, no label cut (a non-wrapping label narrower than its text), no field cut or pushed out
of its page, and on a reception page no scroll area inside the page's own. At 1280×800 the case list shows at
least 15 rows and every default column within its width.

Screenshots of every screen checked are written to $MUSTAFID_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractScrollArea, QComboBox, QLabel, QLineEdit, QScrollBar, QWidget

from desktop.demo_data import generate_demo_data
from desktop.workspace import Workspace
from ui.cases.page import CasesPage
from ui.main_window import MainWindow
from ui.ops import operations
from ui.reception.base import StepPage
from ui.sections import SECTIONS, section_index
from tests.accounts import sign_in_desk

SCREENSHOTS_ENV = "MUSTAFID_SCREENSHOTS"

#: The screens (width, height) of the front desks.
SCREENS = ((1366, 768), (1280, 800))
#: The task bar and the title bar of a maximised window on Windows.
WINDOW_CHROME_PX = 72

POLICIES = ("mafateeh-alkhair", "daam-rescue")


def _settle(qtbot) -> None:
    """Let the reads and writes asked for come back, and the layouts they change settle."""
    assert operations().wait(30_000)
    qtbot.wait(30)
    assert operations().wait(30_000)
    qtbot.wait(30)


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / f"fit_{name}.png"))


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def horizontal_scroll_bars(root: QWidget) -> list[str]:
    """The scroll areas under `root` that show a horizontal scroll bar."""
    return [
        bar.parentWidget().parentWidget().objectName() or type(bar.parentWidget().parentWidget()).__name__
        for bar in root.findChildren(QScrollBar)
        if bar.orientation() == Qt.Orientation.Horizontal and _shown(bar)
        and isinstance(bar.parentWidget().parentWidget(), QAbstractScrollArea)
    ]


def clipped_labels(root: QWidget) -> list[str]:
    """Non-wrapping labels under `root` narrower than their text (an eliding label elides on purpose)."""
    found = []
    for label in root.findChildren(QLabel):
        if not _shown(label) or not label.text() or label.wordWrap() or label.property("elided"):
            continue
        if label.sizeHint().width() > label.width() + 1:
            found.append(f"«{label.text()[:40]}» {label.sizeHint().width()} > {label.width()}")
    return found


def cut_fields(root: QWidget, area: QRect) -> list[str]:
    """Line edits and lists under `root` narrower than they can be, or reaching out of `area` (in root's
    coordinates) sideways."""
    found = []
    for field in [*root.findChildren(QLineEdit), *root.findChildren(QComboBox)]:
        if not _shown(field) or not field.isVisibleTo(root):
            continue
        name = field.objectName() or field.accessibleName() or type(field).__name__
        if field.width() + 1 < field.minimumSizeHint().width():
            found.append(f"{name} narrower ({field.width()}) than it can be ({field.minimumSizeHint().width()})")
        left = field.mapTo(root, field.rect().topLeft()).x()
        if left < area.left() - 1 or left + field.width() > area.right() + 2:
            found.append(f"{name} out of its page ({left}..{left + field.width()} not in {area.left()}..{area.right()})")
    return found


def _window(qtbot, workspace: Workspace, profile_id: str, screen: tuple[int, int]) -> MainWindow:
    workspace.adopt_builtin_profile(profile_id)
    sign_in_desk(workspace)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(screen[0], screen[1] - WINDOW_CHROME_PX)
    window.show()
    qtbot.waitExposed(window)
    _settle(qtbot)
    assert (window.width(), window.height()) == (screen[0], screen[1] - WINDOW_CHROME_PX)
    return window


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("profile_id", POLICIES)
def test_every_section_fits(qtbot, workspace: Workspace, profile_id: str, screen: tuple[int, int]) -> None:
    """Each section's page with cases in it: no sideways scroll bar, no label cut; the case list's rows."""
    generate_demo_data(workspace.db, beneficiaries=30, profile=workspace.active_profile()
                       or _adopted(workspace, profile_id))
    window = _window(qtbot, workspace, profile_id, screen)
    for index, section in enumerate(SECTIONS):
        window.show_section(index)
        _settle(qtbot)
        page = window.section_page(section.key)
        _shot(window, f"{profile_id}_{screen[0]}_section_{section.key}")
        assert horizontal_scroll_bars(page) == [], section.key
        assert clipped_labels(window) == [], section.key

    window.show_section(section_index("cases"))
    cases = window.section_page("cases")
    assert isinstance(cases, CasesPage)
    panel = cases.case_list
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 20 and not panel.model.is_loading(), timeout=10_000)
    _settle(qtbot)
    table = panel.table
    shown = [c for c in range(panel.model.columnCount()) if not table.isColumnHidden(c)]
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    number = panel.model.column_index("case_number")
    widest_number = max(table.fontMetrics().horizontalAdvance(str(panel.model.data(panel.model.index(r, number))))
                        for r in range(panel.model.rowCount()))
    assert table.columnWidth(number) >= widest_number  # the case number whole
    # Every column's title whole, in the header's bold face with its padding (6 px a side in the desk's style):
    # a narrowed column elides its cells, never its title («العضو الموجَّه» was cut at 1280×800).
    title_font = QFont(table.horizontalHeader().font())
    title_font.setBold(True)
    titles = QFontMetrics(title_font)
    cut_titles = [
        f"{panel.model.headerData(c, Qt.Orientation.Horizontal)} {table.columnWidth(c)}" for c in shown
        if titles.horizontalAdvance(str(panel.model.headerData(c, Qt.Orientation.Horizontal))) + 12
        > table.columnWidth(c)
    ]
    assert cut_titles == []
    if screen == (1280, 800):
        assert table.viewport().height() // table.verticalHeader().defaultSectionSize() >= 15
    assert not panel.filters.advanced.isVisible()  # «تصفية متقدمة» starts collapsed


def _adopted(workspace: Workspace, profile_id: str):  # type: ignore[no-untyped-def]
    workspace.adopt_builtin_profile(profile_id)
    sign_in_desk(workspace)
    return workspace.active_profile()


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("profile_id", POLICIES)
def test_every_reception_step_fits(qtbot, workspace: Workspace, profile_id: str, screen: tuple[int, int]) -> None:
    """Each step's page of a case: one scroll area (the page's), no sideways bar, no label or field cut; the
    verify step's personal fields all in view without scrolling."""
    window = _window(qtbot, workspace, profile_id, screen)
    page = window.reception_page()
    assert page is not None
    profile = workspace.active_profile()
    assert profile is not None
    view = page.service.start_contact(profile.channels[0].id, profile.case_kinds[0].id)
    wizard = page.wizard
    wizard.resume(view.case_id)
    _settle(qtbot)
    keys = ["contact", *(step.id for step in profile.steps), "summary"]
    for number, key in enumerate(keys):
        wizard.go_to(key) if key != "summary" else wizard._show(wizard.summary_page)
        _settle(qtbot)
        step_page = wizard.current_page()
        assert isinstance(step_page, StepPage)
        _shot(window, f"{profile_id}_{screen[0]}_step{number:02d}_{key}")
        scroll = step_page.scroll_area
        nested = [area for area in step_page.findChildren(QAbstractScrollArea)
                  if area is not scroll and _shown(area) and area.verticalScrollBar().isVisible()]
        assert nested == [], f"{key}: a scroll bar inside the page's own"
        assert horizontal_scroll_bars(page) == [], key
        assert clipped_labels(page) == [], key
        holder = scroll.widget()
        area = QRect(0, 0, scroll.viewport().width(), holder.height())
        assert cut_fields(holder, area) == [], key
        if key == "verification" and profile_id == "mafateeh-alkhair":
            step_page.id_expiry.setText("1450/01/01")  # the other calendar's day shown beside each date
            step_page.birth_date.setText("1990/02/10")
            step_page.full_name.setText("عبدالرحمن بن عبدالعزيز بن عبدالله بن محمد آل عبداللطيف القحطاني")
            _settle(qtbot)
            _shot(window, f"{profile_id}_{screen[0]}_step{number:02d}_{key}_typed")
            assert clipped_labels(page) == [], key
            assert cut_fields(holder, area) == [], key
            viewport = scroll.viewport()
            for name, editor in step_page.form.editors.items():
                bottom = editor.mapTo(viewport, editor.rect().bottomLeft()).y()
                assert bottom <= viewport.height(), f"{name} below the fold at {screen}"


# ------------------------------------------------------------------------------ remembered between starts


def test_window_opens_maximised_first_then_where_it_was_left(qtbot, workspace: Workspace) -> None:
    """First run: maximised. Closed at a size and place: the next window comes back there. A place on no screen
    of now (a second monitor unplugged): maximised again."""
    from ui.settings import WINDOW_FRAME_KEY, desk_settings, show_main_window

    workspace.adopt_builtin_profile("mafateeh-alkhair")
    sign_in_desk(workspace)
    first = MainWindow(workspace)
    qtbot.addWidget(first)
    show_main_window(first)
    qtbot.waitExposed(first)
    assert first.isMaximized()
    first.showNormal()
    qtbot.waitUntil(lambda: not first.isMaximized())
    first.setGeometry(40, 50, 1150, 650)
    qtbot.wait(20)
    left_at = first.size()  # as the screen allows it
    assert left_at != first.screen().availableGeometry().size()
    first.close()
    assert desk_settings().value(WINDOW_FRAME_KEY) is not None

    second = MainWindow(workspace)
    qtbot.addWidget(second)
    show_main_window(second)
    qtbot.waitExposed(second)
    assert not second.isMaximized()
    assert second.height() == left_at.height() == 650  # (the offscreen screen is narrower than the desk)
    second.close()

    desk_settings().setValue(WINDOW_FRAME_KEY, QRect(20_000, 20_000, 900, 600))  # on no screen
    third = MainWindow(workspace)
    qtbot.addWidget(third)
    show_main_window(third)
    qtbot.waitExposed(third)
    assert third.isMaximized()
    third.close()


def test_windows_not_shown_by_the_desk_are_not_remembered(qtbot, workspace: Workspace) -> None:
    """A window a test (or a tool) shows itself leaves the officer's settings alone."""
    from ui.settings import WINDOW_GEOMETRY_KEY, desk_settings

    workspace.adopt_builtin_profile("mafateeh-alkhair")
    sign_in_desk(workspace)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.close()
    assert desk_settings().value(WINDOW_GEOMETRY_KEY) is None


def test_advanced_filters_collapsed_by_default_and_remembered(qtbot, workspace: Workspace) -> None:
    """«تصفية متقدمة» starts closed; opened, it is open on the next start; closed with a filter in use, its
    button says how many."""
    workspace.adopt_builtin_profile("mafateeh-alkhair")
    sign_in_desk(workspace)
    page = CasesPage(workspace)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    bar = page.case_list.filters
    assert not bar.advanced.isVisible() and bar.advanced_button.text() == "تصفية متقدمة"
    bar.set_advanced_open(True)
    assert bar.advanced.isVisible()
    bar.overdue.setChecked(True)
    _settle(qtbot)

    again = CasesPage(workspace)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.case_list.filters.advanced.isVisible()
    bar.set_advanced_open(False)
    assert not bar.advanced.isVisible()
    assert bar.advanced_button.text().startswith("تصفية متقدمة (") and "١" in bar.advanced_button.text()
    _settle(qtbot)


def test_table_cells_elide_at_the_end_of_their_reading_direction(qtbot, workspace: Workspace) -> None:
    """A long name in the case list keeps its beginning and loses its end: in a right-to-left table the
    ellipsis is on the left of an Arabic name (Qt's ElideRight is the text's logical end, whatever the layout)."""
    from PySide6.QtGui import QFontMetrics

    generate_demo_data(workspace.db, beneficiaries=5, profile=_adopted(workspace, "mafateeh-alkhair"))
    page = CasesPage(workspace)
    qtbot.addWidget(page)
    page.show()
    table = page.case_list.table
    assert table.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert table.textElideMode() == Qt.TextElideMode.ElideRight
    name = "عبدالرحمن بن عبدالعزيز آل عبداللطيف"
    elided = QFontMetrics(table.font()).elidedText(name, table.textElideMode(), 120).replace("\u200d", "")
    assert elided.endswith("…") and name.startswith(elided[:-1])  # the start kept, the ellipsis at the end


def test_a_long_label_elides_at_its_end_and_keeps_its_text(qtbot) -> None:
    """An eliding label narrower than its text: its window does not widen, the whole text stays its text and
    becomes its tooltip; wide enough again, no tooltip."""
    from ui.widgets.elided_label import ElidedLabel

    name = "جمعية مفاتيح الخير الأسرية للتنمية الاجتماعية بمحافظة جدة"
    label = ElidedLabel(name)
    qtbot.addWidget(label)
    label.resize(120, 30)
    label.show()
    qtbot.waitExposed(label)
    assert label.minimumSizeHint().width() < 120 < label.sizeHint().width()
    assert label.is_elided() and label.text() == name and label.toolTip() == name
    label.resize(label.sizeHint().width() + 10, 30)
    assert not label.is_elided() and label.toolTip() == ""
    label.grab()  # drawn without a warning


def test_unfinished_receptions_banner_is_as_high_as_its_rows(qtbot, workspace: Workspace) -> None:
    """Two unfinished receptions take two rows of the banner, not a fixed block: the wizard keeps the rest."""
    window = _window(qtbot, workspace, "mafateeh-alkhair", (1366, 768))
    page = window.reception_page()
    assert page is not None
    profile = workspace.active_profile()
    assert profile is not None
    for _ in range(2):
        page.service.start_contact(profile.channels[0].id, profile.case_kinds[0].id)
    page.offer_drafts()
    _settle(qtbot)
    choice = page.banner.choice
    assert choice.count() == 2 and choice.isVisible()
    assert choice.height() <= 2 * choice.sizeHintForRow(0) + 2 * choice.frameWidth()
    assert choice.verticalScrollBar().isHidden() or not choice.verticalScrollBar().isVisible()
