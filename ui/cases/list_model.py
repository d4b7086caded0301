"""The case list's table model: plain `CaseRow`s loaded page by page (keyset cursor) through `ui.ops.run_read`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from desktop.arabic_text import digit_style, display_digits, identifier_text, isolate
from desktop.hijri import format_time
from desktop.casedesk import CaseFilter, CaseListService, CasePage, CaseRow, CaseSort
from desktop.counting import DOCUMENTS, count_phrase
from ui.ops import run_read
from ui.cases.text import (
    arabic_number,
    countdown_text,
    gregorian_date,
    hijri_date,
    local_moment,
    moment_text,
    today_riyadh,
)

_ModelIndex = QModelIndex | QPersistentModelIndex

#: Rows fetched per page: the first page fills the screen; scrolling fetches the next.
PAGE_SIZE = 60
#: Counting stops here: above it the list says «أكثر من ١٠٬٠٠٠ حالة».
COUNT_CAP = 10_000

OVERDUE_BACKGROUND = QColor("#fde8e6")
OVERDUE_FOREGROUND = QColor("#8f1d14")


@dataclass(frozen=True)
class Column:
    """One column of the case list: header, the sort its header click chooses (None: not sortable)."""

    key: str
    title: str
    sort: CaseSort | None = None
    descending_sort: CaseSort | None = None


COLUMNS: tuple[Column, ...] = (
    Column("case_number", "رقم الطلب", CaseSort.CASE_NUMBER),
    Column("name", "المستفيد", CaseSort.NAME),
    Column("id_number", "رقم الهوية"),
    Column("mobile", "الجوال"),
    Column("status", "الحالة", CaseSort.STATUS),
    Column("case_kind", "نوع الطلب"),
    Column("channel", "القناة"),
    Column("submitted", "تاريخ التقديم", CaseSort.OLDEST, CaseSort.NEWEST),
    Column("promised", "موعد القرار", CaseSort.PROMISED),
    Column("countdown", "المتبقي", CaseSort.PROMISED),
)
COLUMN_INDEX: dict[str, int] = {column.key: i for i, column in enumerate(COLUMNS)}

#: The columns of a policy of reports (بلاغات): no beneficiary, committee, decision or document column.
REPORT_COLUMNS: tuple[Column, ...] = (
    Column("case_number", "رقم البلاغ", CaseSort.CASE_NUMBER),
    Column("caller", "المبلّغ"),
    Column("caller_phone", "هاتف المبلّغ"),
    Column("platform", "المنصة"),
    Column("place", "المكان"),
    Column("received", "وقت الاستلام", CaseSort.OLDEST, CaseSort.NEWEST),
    Column("dispatched", "وقت توجيه العضو"),
    Column("closed", "وقت الإغلاق"),
    Column("member", "العضو الموجَّه"),
    Column("status", "الحالة", CaseSort.STATUS),
)
REPORT_COLUMN_INDEX: dict[str, int] = {column.key: i for i, column in enumerate(REPORT_COLUMNS)}

_REPORT_KEYS = frozenset({"caller", "caller_phone", "platform", "place", "received", "dispatched", "closed", "member"})

#: Role holding the plain CaseRow of a line.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

# Roles and flags as plain values, worked out once: `data()` runs for every role of every painted cell.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def report_time(moment: datetime | None) -> str:
    """A report's time as the desk shows it: the Hijri day and the Riyadh time (isolated), or «—»."""
    if moment is None:
        return "—"
    local = local_moment(moment)
    return f"{hijri_date(local.date())} {isolate(format_time(local))}"


def local_mobile(mobile: str) -> str:
    """+9665… shown as the officer types it: 05…."""
    if mobile.startswith("+966") and len(mobile) == 13:
        return "0" + mobile[4:]
    return mobile


def sort_for(column: int, order: Qt.SortOrder, columns: tuple[Column, ...] = COLUMNS) -> CaseSort | None:
    """The service's sort for a header click (None: the column cannot be sorted)."""
    if not 0 <= column < len(columns):
        return None
    spec = columns[column]
    if order == Qt.SortOrder.DescendingOrder and spec.descending_sort is not None:
        return spec.descending_sort
    return spec.sort


def column_for(sort: CaseSort, columns: tuple[Column, ...] = COLUMNS) -> tuple[int, Qt.SortOrder]:
    """The header column and order that show a sort."""
    for index, spec in enumerate(columns):
        if spec.descending_sort is sort:
            return index, Qt.SortOrder.DescendingOrder
        if spec.sort is sort:
            return index, Qt.SortOrder.AscendingOrder
    return -1, Qt.SortOrder.AscendingOrder


class CaseListModel(QAbstractTableModel):
    """All cases that match a filter, in a sort order; rows arrive page by page as the view scrolls.

    Only plain `CaseRow`s are held. `set_query` starts over (a new generation: a read asked for an older query
    is skipped if it has not started, and its answer is dropped if it has); `fetchMore` asks for the next page
    on the reader pool of `ui.ops`. Signals:

    * `sig_loading(bool)` — a page starts / stops being fetched;
    * `sig_count(count, more)` — the number of matching cases, counted once the first page is shown (`more`:
      there are more than `COUNT_CAP`);
    * `sig_error(message)` — the Arabic reason a page or the count could not be read;
    * `sig_page_loaded(rows_in_page)` — a page's rows were appended;
    * `sig_query()` — a new query started (its rows removed; the columns stay, so does their width).

    `columns` are the requests' (`COLUMNS`) or, for a policy of reports, the reports' (`REPORT_COLUMNS`,
    chosen by `set_report_mode`).
    """

    sig_loading = Signal(bool)
    sig_count = Signal(int, bool)
    sig_error = Signal(str)
    sig_page_loaded = Signal(int)
    sig_query = Signal()

    def __init__(
        self,
        service: CaseListService,
        parent: QObject | None = None,
        *,
        today: Callable[[], object] = today_riyadh,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._today = today
        self.page_size = page_size
        self._rows: list[CaseRow] = []
        self._filter = CaseFilter()
        self._sort = CaseSort.NEWEST
        self._cursor: object | None = None
        self._started = False  # the first page was asked for
        self._loading = False
        self.generation = 0
        self.count: tuple[int, bool] | None = None
        self.pages_loaded = 0
        #: Display texts of the rows already drawn (dates in Hijri are worked out once per row).
        self._texts: dict[int, list[str | None]] = {}
        self._texts_style = digit_style()
        self.columns: tuple[Column, ...] = COLUMNS

    def set_report_mode(self, reports: bool) -> None:
        """Show reports' columns (a policy of reports) or requests' columns; the rows are drawn again."""
        wanted = REPORT_COLUMNS if reports else COLUMNS
        if wanted is self.columns:
            return
        self.beginResetModel()
        self.columns = wanted
        self._texts = {}
        self.endResetModel()

    @property
    def report_mode(self) -> bool:
        """True while the list shows reports."""
        return self.columns is REPORT_COLUMNS

    def column_index(self, key: str) -> int:
        """The position of a column by its key, or -1 when this list has no such column."""
        return next((i for i, column in enumerate(self.columns) if column.key == key), -1)

    # ----------------------------------------------------------------- the query

    @property
    def filter(self) -> CaseFilter:
        """The filter the rows match."""
        return self._filter

    @property
    def case_sort(self) -> CaseSort:
        """The order of the rows."""
        return self._sort

    def is_loading(self) -> bool:
        """True while a page is being fetched."""
        return self._loading

    def set_query(self, flt: CaseFilter | None = None, sort: CaseSort | None = None) -> None:
        """Show the cases matching `flt` in `sort` order (either kept when None): start over from the first page."""
        if flt is not None:
            self._filter = flt
        if sort is not None:
            self._sort = sort
        self.generation += 1
        # The old rows are removed, not the model reset: a reset makes the header forget its column widths,
        # and giving them back (the fitter) made the view draw the new first page once more.
        if self._rows:
            self.beginRemoveRows(QModelIndex(), 0, len(self._rows) - 1)
            self._rows = []
            self._texts = {}
            self.endRemoveRows()
        self._cursor = None
        self._started = False
        self._loading = False
        self.count = None
        self.pages_loaded = 0
        self.sig_query.emit()
        self._request_page()  # the count is asked for once the first page is shown: the screen comes first

    def reload(self) -> None:
        """Read the same query again from the first page (after cases changed)."""
        self.set_query()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A header click: the service's sort for the column (columns it cannot sort by are ignored)."""
        chosen = sort_for(column, order, self.columns)
        if chosen is not None and chosen is not self._sort:
            self.set_query(sort=chosen)

    def _request_page(self) -> None:
        generation = self.generation
        flt, sort, cursor, limit = self._filter, self._sort, self._cursor, self.page_size
        self._started = True
        self._loading = True
        self.sig_loading.emit(True)
        service = self._service

        def work() -> CasePage | None:
            if generation != self.generation:  # typed on: this query is no longer wanted
                return None
            return service.page(flt, sort, after=cursor, limit=limit)

        run_read(self, work, lambda page: self._page_arrived(generation, page),
                 lambda message, _error: self._failed(generation, message), where="casedesk.list.page")

    def _request_count(self) -> None:
        generation = self.generation
        flt = self._filter
        service = self._service

        def work() -> tuple[int, bool] | None:
            if generation != self.generation:
                return None
            return service.count(flt, cap=COUNT_CAP)

        def arrived(result: tuple[int, bool] | None) -> None:
            if result is None or generation != self.generation:
                return
            self.count = (int(result[0]), bool(result[1]))
            self.sig_count.emit(*self.count)

        run_read(self, work, arrived, lambda message, _error: self._failed(generation, message),
                 where="casedesk.list.count")

    def _page_arrived(self, generation: int, page: CasePage | None) -> None:
        if generation != self.generation or page is None:
            return
        # The next cursor is in place before the rows are announced: a view (or tester) that asks for more
        # while they are inserted must continue after them, never fetch the same page twice.
        self._loading = False
        self._cursor = page.next_cursor
        self.pages_loaded += 1
        if self.pages_loaded == 1:
            self._request_count()
        rows = list(page.rows)
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.sig_loading.emit(False)
        self.sig_page_loaded.emit(len(rows))

    def _failed(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self._loading = False
        self._cursor = None
        self.sig_loading.emit(False)
        self.sig_error.emit(message)

    # ----------------------------------------------------------------- lazy loading

    def canFetchMore(self, parent: _ModelIndex = QModelIndex()) -> bool:  # noqa: B008 (Qt's signature)
        """More rows exist after the last page (and none is being fetched now)."""
        if parent.isValid():
            return False
        return self._started and not self._loading and self._cursor is not None

    def fetchMore(self, parent: _ModelIndex = QModelIndex()) -> None:  # noqa: B008
        """Ask for the next page in the background; its rows are appended when it arrives."""
        if self.canFetchMore(parent):
            self._request_page()

    def has_more(self) -> bool:
        """More rows remain after those loaded."""
        return self._cursor is not None

    # ----------------------------------------------------------------- rows

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows loaded so far (a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The fixed columns."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Arabic column titles; row numbers are not shown."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                spec = self.columns[section]
                return "انقر للترتيب بهذا العمود" if spec.sort is not None else None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
            return arabic_number(section + 1)
        return None

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        """Rows are selectable, never editable here."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A cell's text, tooltip, colours (overdue rows in red) or the row itself (ROW_ROLE).

        A painted cell asks for seven roles: the common ones are answered first, from plain ints and a text
        worked out once per cell (a row's Hijri dates are not computed for columns nobody draws).
        """
        number, column = index.row(), index.column()  # an invalid index is (-1, -1)
        if not (0 <= number < len(self._rows) and 0 <= column < len(self.columns)):
            return None
        if role == _DISPLAY:
            return self._cell_text(number, column)
        if role == _ALIGNMENT_ROLE:
            return _ALIGNMENT
        row = self._rows[number]
        if role == _BACKGROUND:
            return QBrush(OVERDUE_BACKGROUND) if row.overdue else None
        if role == _FOREGROUND:
            if row.overdue and self.columns[column].key in ("countdown", "promised", "status"):
                return QBrush(OVERDUE_FOREGROUND)
            return None
        if role == _TOOLTIP:
            return self._tooltip(row, self.columns[column].key)
        if role == ROW_ROLE:
            return row
        return None

    def _cell_text(self, number: int, column: int) -> str:
        """A cell's display text, written once (again when the digit style changes in the settings)."""
        if self._texts_style is not digit_style():
            self._texts, self._texts_style = {}, digit_style()
        texts = self._texts.get(number)
        if texts is None:
            texts = self._texts[number] = [None] * len(self.columns)
        text = texts[column]
        if text is None:
            text = texts[column] = self._text(self._rows[number], self.columns[column].key)
        return text

    def _text(self, row: CaseRow, key: str) -> str:
        report = row.report
        if key in _REPORT_KEYS:
            if report is None:
                return "—"
            if key == "caller":
                return report.caller_name or "—"
            if key == "caller_phone":
                return identifier_text(local_mobile(report.caller_phone)) if report.caller_phone else "—"
            if key == "platform":
                return report.platform_label or "—"
            if key == "place":
                return report.place or "—"
            if key == "member":
                return report.member_name or "—"
            moment = {"received": report.received_at, "dispatched": report.dispatched_at,
                      "closed": report.closed_at}[key]
            if key != "received" and moment is not None and report.received_at is not None \
                    and local_moment(moment).date() == local_moment(report.received_at).date():
                # the same day as its receipt: the time alone (the day is in the receipt's column and the tooltip)
                return isolate(display_digits(local_moment(moment).strftime("%H:%M")))
            return report_time(moment)
        if key == "case_number":
            return identifier_text(row.case_number)
        if key == "name":
            return row.beneficiary_name or "لم تُسجَّل بياناته بعد"
        if key == "id_number":
            return identifier_text(row.id_number) if row.id_number else "—"
        if key == "mobile":
            return identifier_text(local_mobile(row.mobile)) if row.mobile else "—"
        if key == "status":
            marks = []
            if row.signature_pending:
                marks.append("التوقيع معلّق")
            if row.missing_documents:
                marks.append(f"ناقص {count_phrase(row.missing_documents, DOCUMENTS)}")
            return row.status_label + (f" ({'، '.join(marks)})" if marks else "")
        if key == "case_kind":
            return row.case_kind_name
        if key == "channel":
            return row.channel_name
        if key == "submitted":
            return hijri_date(row.submitted_on) if row.submitted_on else "لم يُقدَّم بعد"
        if key == "promised":
            return hijri_date(row.promised_on) if row.promised_on else "—"
        if key == "countdown":
            if row.days_left is None:
                return "—"
            return countdown_text(row.promised_on, self._today())  # type: ignore[arg-type]
        return ""

    def _tooltip(self, row: CaseRow, key: str) -> str | None:
        if key in ("caller", "platform", "place", "member") and row.report is not None:
            return self._text(row, key)  # the whole text of a cell its column may elide
        if key in _REPORT_KEYS and row.report is not None:
            moment = {"received": row.report.received_at, "dispatched": row.report.dispatched_at,
                      "closed": row.report.closed_at}.get(key)
            return moment_text(moment) if moment is not None else None
        if key == "submitted" and row.submitted_on:
            return f"{hijri_date(row.submitted_on)} الموافق {gregorian_date(row.submitted_on)}"
        if key in ("promised", "countdown") and row.promised_on:
            return f"موعد القرار {hijri_date(row.promised_on)} الموافق {gregorian_date(row.promised_on)}"
        if key == "status" and row.officer_name:
            return f"{row.status_label} — الموظف: {row.officer_name}"
        return None

    def row_at(self, row: int) -> CaseRow | None:
        """The plain row at a position, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[CaseRow]:
        """The rows loaded so far."""
        return list(self._rows)

    def replace_row(self, fresh: CaseRow) -> bool:
        """Put a row read again (after an edit) in place of the old one; False when it is not loaded."""
        for position, old in enumerate(self._rows):
            if old.case_id == fresh.case_id:
                self._rows[position] = fresh
                self._texts.pop(position, None)
                self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))
                return True
        return False

    def refresh_case(self, case_id: uuid.UUID) -> None:
        """Read one case's row again in the background and show it (after an action on its file)."""
        service = self._service
        generation = self.generation

        def work() -> CaseRow | None:
            try:
                return service.row(case_id)
            except LookupError:  # deleted meanwhile: the row stays until the list is read again
                return None

        def arrived(fresh: CaseRow | None) -> None:
            if fresh is not None and generation == self.generation:
                self.replace_row(fresh)

        run_read(self, work, arrived, lambda _m, _e: None, where="casedesk.list.row")
