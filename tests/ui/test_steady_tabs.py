"""The steady tab widget (issue 10, the GUI-thread stall of a reception): a change inside a page repaints only the
page, not the tab bar and the whole tab widget as Qt's own `QTabWidget` does; a change of what the tab widget's
own layout depends on (a tab's title, a page wider than the window) is laid out as Qt does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.widgets.steady_tabs import SteadyTabWidget


class _Paints(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, watched: QWidget) -> None:
        super().__init__()
        self.count = 0
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


@pytest.fixture
def window(qtbot: object) -> Iterator[QWidget]:
    """A window with a column holding a tab widget (made by the test) — shown, as at the counter."""
    top = QWidget()
    QVBoxLayout(top)
    top.resize(700, 400)
    yield top
    top.close()
    top.deleteLater()


def _tabs_in(window: QWidget, kind: type[QTabWidget]) -> tuple[QTabWidget, QPushButton]:
    tabs = kind(window)
    page = QWidget()
    column = QVBoxLayout(page)
    button = QPushButton("التالي", page)
    column.addWidget(QLabel("صفحة الخطوة", page))
    column.addWidget(button)
    tabs.addTab(page, "استقبال مستفيد")
    window.layout().addWidget(tabs)
    window.show()
    _settle()
    return tabs, button


def test_a_change_inside_a_page_does_not_repaint_the_tab_bar(window: QWidget) -> None:
    """A button's longer text re-lays its page out (and its minimum width grows, within the window): Qt's own tab
    widget repaints itself whole, tab bar included; the steady one leaves the bar as it is."""
    tabs, button = _tabs_in(window, SteadyTabWidget)
    bar = _Paints(tabs.tabBar())
    for text in ("التالي: التحقق من البيانات", "التالي: توقيع الإقرار", "التالي"):
        button.setText(text)
        _settle()
    assert bar.count == 0
    # The same with Qt's own: what the steady one spares.
    plain_window = QWidget()
    QVBoxLayout(plain_window)
    plain_window.resize(700, 400)
    plain, plain_button = _tabs_in(plain_window, QTabWidget)
    plain_bar = _Paints(plain.tabBar())
    plain_button.setText("التالي: التحقق من البيانات")
    _settle()
    assert plain_bar.count >= 1
    plain_window.close()


def test_a_longer_tab_title_lays_the_bar_out_again(window: QWidget) -> None:
    """A tab renamed to a longer title: the bar grows to show it whole, as with Qt's own tab widget."""
    tabs, _button = _tabs_in(window, SteadyTabWidget)
    before = tabs.tabBar().width()
    tabs.setTabText(0, "استقبال مستفيد — حالة جديدة من قناة الحضور الشخصي")
    _settle()
    assert tabs.tabBar().width() > before
    assert tabs.tabBar().width() >= tabs.tabBar().sizeHint().width()


def test_a_page_wider_than_the_window_widens_it(window: QWidget) -> None:
    """A page whose least width passes the window's: the request goes on, and the window's layout asks for it."""
    tabs, button = _tabs_in(window, SteadyTabWidget)
    button.setMinimumWidth(900)
    _settle()
    assert window.layout().minimumSize().width() >= 900
    assert window.width() >= 900
