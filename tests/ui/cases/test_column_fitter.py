"""The case list's columns stay within the table's width when a later page brings a longer number."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from ui.cases.common import ELASTIC_MIN_WIDTH, ColumnFitter


def _table(qtbot, rows: list[list[str]]) -> QTableView:
    model = QStandardItemModel(0, 4)
    model.setHorizontalHeaderLabels(["رقم الحالة", "الاسم", "الهوية", "الحالة"])
    for row in rows:
        model.appendRow([QStandardItem(text) for text in row])
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    view.resize(720, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_widened_number_column_takes_its_room_from_the_elastic_columns(qtbot) -> None:
    """A number column widened after the first measure (a later page's longer number) narrows the names and
    statuses instead of pushing the row past the table's width."""
    view = _table(qtbot, [["١٢", "عبدالرحمن بن سليمان بن عبدالعزيز الفلاني", "١٠٢٣٤٥٦٧٨٩", "بانتظار اللجنة"]] * 5)
    fitter = ColumnFitter(view, lambda: [1, 3])
    fitter.fit()
    available = view.viewport().width()
    assert sum(view.columnWidth(c) for c in range(4)) <= available

    wide = view.columnWidth(0) + 90
    fitter.widen(0, wide)
    assert view.columnWidth(0) == wide
    assert sum(view.columnWidth(c) for c in range(4)) <= available
    qtbot.wait(20)
    assert not view.horizontalScrollBar().isVisible()

    fitter.widen(0, wide - 30)  # never narrower than it was widened to
    assert view.columnWidth(0) == wide


def test_wide_fixed_columns_narrow_the_elastic_ones_down_to_their_titles(qtbot) -> None:
    """When the number and ID columns leave less than the elastic columns' least widths (a rescue list at
    1280×800 whose closing times carry their dates), the names and statuses go on narrowing down to their own
    titles' widths, the titles whole, and the row stays within the table."""
    view = _table(qtbot, [["١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥", "عبدالرحمن بن سليمان الفلاني", "١٠٢٣٤٥٦٧٨٩١٠٢٣٤٥٦٧٨٩١٠٢٣٤٥٦",
                             "بانتظار اللجنة"]] * 5)
    view.horizontalHeader().setMinimumSectionSize(48)  # as the desk's tables (ui.cases.common's table setup)
    fitter = ColumnFitter(view, lambda: [1, 3])
    fitter.fit()
    fixed = view.columnWidth(0) + view.columnWidth(2)
    available = view.viewport().width()
    titles = fitter.header_width(1) + fitter.header_width(3)
    assert titles + 6 < 2 * ELASTIC_MIN_WIDTH  # room between the titles and the least widths to test in
    view.resize(view.width() + (fixed + titles + 6) - available, 300)
    qtbot.waitUntil(lambda: view.viewport().width() == fixed + titles + 6)
    fitter.fit()
    assert sum(view.columnWidth(c) for c in range(4)) <= view.viewport().width()
    for column in (1, 3):
        assert fitter.header_width(column) <= view.columnWidth(column) < ELASTIC_MIN_WIDTH
