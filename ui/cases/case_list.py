"""The case list tab: search as you type, filters, the lazily loaded table, the count; Enter opens a case."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from desktop.casedesk import CaseListService, CaseSort, FilterChoices, understand
from desktop.counting import CASES, REPORTS
from ui.cases.common import ColumnFitter, keep_column_widths, setup_table, show_message, steady_label
from ui.cases.filters import FilterBar
from ui.cases.list_model import COLUMN_INDEX, COUNT_CAP, REPORT_COLUMN_INDEX, CaseListModel, column_for
from ui.cases.text import count_text
from ui.ops import run_read
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.keyed_views import OpenRowTableView, SearchEdit

#: Wait this long after the last key before searching (the officer is still typing).
SEARCH_DEBOUNCE_MS = 150

#: Columns of long texts, narrowed (and elided at their end) when the table cannot show every column whole.
ELASTIC_COLUMNS = ("name", "caller", "platform", "place", "member", "status")

#: What the list says while a page is read, and while its cases are counted.
LOADING_TEXT = "جارٍ التحميل…"
COUNTING_TEXT = "جارٍ العدّ…"

#: How a case is opened and the list sorted (the table's tooltip).
OPEN_HINT = "لفتح ملف الحالة: انقر مرتين أو اضغط Enter؛ وللترتيب انقر عنوان العمود"


class CaseListPanel(QWidget):
    """Every case, narrowed by the search text and the filters.

    `sig_open_case(case_id)` is emitted when a row is opened (Enter or a double click): the page opens its file.
    Pages, counts and filter choices are read through `ui.ops.run_read`.
    """

    sig_open_case = Signal(object)

    def __init__(self, service: CaseListService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_list_panel")
        self.service = service
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)

        search_row = QHBoxLayout()
        caption = QLabel("&بحث:", self)
        self.search = SearchEdit(self)
        self.search.setObjectName("case_search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText("رقم الهوية أو بدايته، أو الجوال، أو رقم الطلب، أو اسم المستفيد")
        self.search.setMaxLength(200)
        caption.setBuddy(self.search)
        self.understood = ElidedLabel("", self)
        self.understood.setObjectName("search_understood")
        search_row.addWidget(caption)
        search_row.addWidget(self.search, 3)
        search_row.addWidget(self.understood, 1)

        # The count and the loading state close the search row; the open/sort hint is the table's tooltip: the
        # rows below keep the height (at least 15 rows at 1280×800).
        self.count_label = QLabel(self)
        self.count_label.setObjectName("case_count")
        self.state_label = QLabel(self)
        self.state_label.setObjectName("list_state")
        # Both keep the size of their widest text: every search changes them, and a change of size would lay
        # the page out and repaint it whole (the table too) twice per search.
        steady_label(self.state_label, (LOADING_TEXT,))
        steady_label(self.count_label, [COUNTING_TEXT] + [count_text(COUNT_CAP, more=True, noun=noun)
                                                          for noun in (CASES, REPORTS)])
        search_row.addWidget(self.state_label)
        search_row.addWidget(self.count_label)
        layout.addLayout(search_row)

        self.filters = FilterBar(self)
        layout.addWidget(self.filters)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("list_error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        layout.addWidget(self.error_label)

        self.model = CaseListModel(service, self)
        self.table = OpenRowTableView(self)
        setup_table(self.table, "case_table")
        # The scroll bar stays (idle while the rows fit): a new search empties the list and fills it again, and
        # a bar that came and went resized the table twice per search, each time fitting and drawing it again.
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.table.setToolTip(OPEN_HINT)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Sized to fit the page beside the section list at 1280 px in the desk's font. The case kind and
        # the channel are filters above and lines of the case file; their columns start hidden so the
        # number, name, ID, mobile, status and both dates show whole.
        widths = {"case_number": 170, "name": 172, "id_number": 108, "mobile": 108, "status": 140,
                  "case_kind": 90, "channel": 110, "submitted": 120, "promised": 120}
        keep_column_widths(self.table, {COLUMN_INDEX[key]: width for key, width in widths.items()})
        for key in ("case_kind", "channel"):
            self.table.setColumnHidden(COLUMN_INDEX[key], True)
        column, order = column_for(CaseSort.NEWEST)
        header.setSortIndicator(column, order)
        header.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        layout.addWidget(self.table, 1)
        # Every shown column within the table's width: numbers, IDs and dates whole, long names elided.
        self.fitter = ColumnFitter(self.table, self._elastic_columns,
                                   lambda column: self.model.columns[column].sort is not None)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply)
        self.search.textChanged.connect(self._on_text)
        self.search.sig_down.connect(self._enter_table)
        self.filters.sig_changed.connect(self.apply)
        self.table.sig_open.connect(self._open_row)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.model.sig_count.connect(self._show_count)
        # The number column shows the whole number, however long the device's prefix: sized to its content.
        self.model.sig_page_loaded.connect(self._fit_number_column)
        self.model.sig_loading.connect(self._show_loading)
        self.model.sig_error.connect(lambda message: show_message(self.error_label, message))
        self.model.sig_query.connect(lambda: show_message(self.error_label, None))
        self.setFocusProxy(self.search)
        self.searches_run = 0

    # ----------------------------------------------------------------- behaviour

    def load_choices(self) -> None:
        """Fill the filter lists from the active policy (in the background)."""
        run_read(self, self.service.filter_choices, self.set_choices, lambda _m, _e: None,
                 where="casedesk.list.filter_choices")

    def set_choices(self, choices: FilterChoices) -> None:
        """The active policy's filter values; a policy of reports shows reports (its columns, search and filters)."""
        self.filters.set_choices(choices)
        if choices.is_report == self.model.report_mode:
            return
        self.model.set_report_mode(choices.is_report)
        if self.model.count is not None:  # counted before the policy's kind arrived: say it with the right noun
            self._show_count(*self.model.count)
        if choices.is_report:
            self.search.setPlaceholderText("رقم البلاغ، أو هاتف المبلّغ أو اسمه، أو مكان البلاغ")
            self.table.setToolTip(OPEN_HINT.replace("ملف الحالة", "ملف البلاغ"))
            # Sized for the page beside the section list at 1280 px: the status right after the number (what
            # the officer looks for first), the dispatch and closing times as times of the receipt's day.
            widths = {"case_number": 150, "caller": 145, "caller_phone": 100, "platform": 120, "place": 145,
                      "received": 128, "dispatched": 105, "closed": 105, "member": 140, "status": 185}
            # Starting widths only: the fitter (connected before this) gives the widths that fit after each reset.
            for key, width in widths.items():
                self.table.setColumnWidth(REPORT_COLUMN_INDEX[key], width)
            for index in range(self.model.columnCount()):
                self.table.setColumnHidden(index, False)
            header = self.table.horizontalHeader()
            header.moveSection(header.visualIndex(REPORT_COLUMN_INDEX["status"]), 1)
        self.fitter.remeasure()
        column, order = column_for(self.model.case_sort, self.model.columns)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    def _elastic_columns(self) -> list[int]:
        """The columns of long texts (names, places, statuses) that narrow, elided, when the table is narrow."""
        return [self.model.column_index(key) for key in ELASTIC_COLUMNS]

    def apply(self) -> None:
        """Search now with the text and the filters (starts the list over)."""
        self._timer.stop()
        self.searches_run += 1
        self.count_label.setText(COUNTING_TEXT)
        self.model.set_query(self.filters.filter(self.search.text()))

    def _on_text(self, text: str) -> None:
        """Show how the text is understood at once; search once typing pauses."""
        self.understood.setText(understand(text).worded(self.model.report_mode) if text.strip() else "")
        self._timer.start()

    def flush(self) -> None:
        """Run a pending search at once."""
        if self._timer.isActive():
            self.apply()

    def _sort_indicator_changed(self, _column: int, _order: Qt.SortOrder) -> None:
        """The header shows the sort the list really has (a column it cannot sort by changes nothing)."""
        shown, order = column_for(self.model.case_sort, self.model.columns)
        header = self.table.horizontalHeader()
        if shown >= 0 and (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (shown, order):
            header.blockSignals(True)
            header.setSortIndicator(shown, order)
            header.blockSignals(False)

    def _show_count(self, count: int, more: bool) -> None:
        self.count_label.setText(count_text(count, more=more, noun=REPORTS if self.model.report_mode else CASES))

    def _fit_number_column(self, arrived: int) -> None:
        """Widen the number column to the widest number of the page that arrived (never narrower than it is:
        the numbers of earlier pages and of the fitter's measure stay whole)."""
        column = 0  # the case / report number is the first column in both layouts
        loaded = self.model.rowCount()
        if self.table.isColumnHidden(column) or not loaded or arrived <= 0:
            return
        wanted = self.fitter.natural_width(column, range(max(0, loaded - arrived), loaded))
        if wanted > self.table.columnWidth(column):
            # Through the fitter: a number column widened on its own pushed the row past the table's width
            # (a sideways scroll bar at 1280×800 when a row past the measured ones held a number a pixel wider:
            # seen under load, and the CI run of aaf6622 failed on it).
            self.fitter.widen(column, wanted)

    def _show_loading(self, loading: bool) -> None:
        self.state_label.setText(LOADING_TEXT if loading else "")

    def _enter_table(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, 0))

    def _open_row(self, row: int) -> None:
        found = self.model.row_at(row)
        if found is not None:
            self.sig_open_case.emit(found.case_id)

    def current_row_index(self) -> QModelIndex:
        """The highlighted row's index."""
        return self.table.currentIndex()
