"""What the case desk screens share: buttons held while their operation runs, message boxes, tables, stored PDFs.

Every service call of these screens goes through `ui.ops` (`run_read` / `run_write`); errors are worded there.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QWidget,
)

T = TypeVar("T")


def hold(button: QPushButton, busy_text: str = "") -> Callable[[], None]:
    """Disable the button that started an operation while it is in flight (a double click submits once).

    `busy_text` (a short «جارٍ …») replaces its caption meanwhile. Call the returned function in both the
    success and the failure callback: once every hold of the button is released, it gets its caption back
    and is enabled again (a deleted button is left alone; releasing twice counts once).
    """
    held = int(button.property("held_count") or 0)
    if held == 0:
        button.setProperty("held_caption", button.text())
        button.setEnabled(False)
        if busy_text:
            button.setText(busy_text)
    button.setProperty("held_count", held + 1)
    released = False

    def release() -> None:
        nonlocal released
        if released or not shiboken6.isValid(button):
            return
        released = True
        left = max(0, int(button.property("held_count") or 1) - 1)
        button.setProperty("held_count", left)
        if left == 0:
            button.setText(str(button.property("held_caption") or button.text()))
            button.setEnabled(True)

    return release


def hold_until_done(
    button: QPushButton,
    busy_text: str,
    on_success: Callable[[T], None],
    on_failure: Callable[[str, BaseException], None],
) -> tuple[Callable[[T], None], Callable[[str, BaseException], None]]:
    """Hold `button` now (see `hold`); the two callbacks returned release it, then call `on_success` or
    `on_failure` — hand them to `run_read` / `run_write`."""
    release = hold(button, busy_text)

    def succeeded(result: T) -> None:
        release()
        on_success(result)

    def failed(message: str, error: BaseException) -> None:
        release()
        on_failure(message, error)

    return succeeded, failed


def tell(parent: QWidget, title: str, message: str, *, warning: bool = True) -> QMessageBox:
    """An Arabic message box that does not block the event loop (window-modal, deleted on close)."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("casedesk_message")
    button = box.button(QMessageBox.StandardButton.Ok)
    if button is not None:
        button.setText("حسنًا")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box


def message_line(parent: QWidget, name: str = "dialog_error") -> QLabel:
    """A word-wrapped line for a dialog's error (red), hidden while empty."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setVisible(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def show_message(label: QLabel, text: str | None) -> None:
    """Show (or hide, with None/"") a message line."""
    label.setText(text or "")
    label.setVisible(bool(text))


def steady_label(label: QLabel, texts: Iterable[str]) -> None:
    """Give a status label (a count, «جارٍ التحميل…») the fixed size of the widest text it may show.

    A label whose size follows its text lays its page out again at every change, and a QTabWidget repaints its
    whole page on each layout request: the case list's table was drawn twice more per search for a count.
    """
    shown = label.text()
    width = height = 0
    for text in texts:
        label.setText(text)
        hint = label.sizeHint()
        width, height = max(width, hint.width()), max(height, hint.height())
    label.setText(shown)
    label.setFixedSize(width + label.fontMetrics().averageCharWidth(), height)


def setup_table(view: QTableView, name: str) -> None:
    """A read-only, whole-row-selecting table that reads right to left with a stretching last column."""
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)
    # Rows a line and a little air high: at 1280×800 the case list shows at least 15 of them.
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    view.horizontalHeader().setHighlightSections(False)
    # The Arabic application font makes Qt's automatic minimum section width about 200 px: set our own.
    view.horizontalHeader().setMinimumSectionSize(48)
    view.horizontalHeader().setDefaultSectionSize(120)


_PDF_DIR: Path | None = None


def write_pdf(data: bytes, name: str, suffix: str = ".pdf") -> Path:
    """Put a stored document's bytes in a temporary file for the print preview or the viewer.

    The folder is owner-only (``mkdtemp``) and removed when the desk exits; the file owner-only too: on an
    encrypted desk these bytes were decrypted for the viewer.
    """
    global _PDF_DIR
    if _PDF_DIR is None or not _PDF_DIR.exists():
        _PDF_DIR = Path(tempfile.mkdtemp(prefix="mustafid-casedesk-"))
        atexit.register(shutil.rmtree, _PDF_DIR, True)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "document"
    path = _PDF_DIR / f"{safe}{suffix}"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data)
    return path


ModelIndex = QModelIndex | QPersistentModelIndex


class PlainRowsModel(QAbstractTableModel):
    """A read-only table of plain rows (the services' dataclasses) under fixed Arabic column titles.

    Subclasses set `headers` and write `data()`; rows are replaced whole with `replace_rows`.
    """

    headers: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def replace_rows(self, rows: Iterable[Any]) -> None:
        """Show these rows instead (a model reset)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Fixed columns."""
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Arabic column titles."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.headers)):
            return self.headers[section]
        return None


#: The least an elastic column (a name, a place) is narrowed to when the columns must share a narrow table.
ELASTIC_MIN_WIDTH = 80

#: Rows measured for a column's natural width (the first screenful is enough; later pages are not waited for).
MEASURED_ROWS = 40


class ColumnFitter(QObject):
    """Keeps a table's visible columns within its width (no sideways scrolling) while it can.

    Each column's natural width is its header's or its widest text in the first rows, measured once when rows
    first arrive (again after `remeasure`). When they do not all fit, the `elastic` columns (names, places:
    long texts, elided at their end) share what is left, never narrower than `ELASTIC_MIN_WIDTH` nor than their
    title (a header is never cut: «العضو الموجَّه» at 1280×800) — unless the others alone leave less: then they go
    on down to their titles' own widths; the others
    (numbers, dates, IDs) keep their natural width and are shown whole. `sortable(column)` says whether a
    title needs room for the sort arrow (every title by default).
    """

    def __init__(self, view: QTableView, elastic: Callable[[], Iterable[int]],
                 sortable: Callable[[int], bool] = lambda _column: True) -> None:
        super().__init__(view)
        self._view = view
        self._elastic = elastic
        self._sortable = sortable
        self._natural: dict[int, int] = {}
        self._least: dict[int, int] = {}  # an elastic column's least width: its title stays whole
        self._title: dict[int, int] = {}  # its title's own width: the floor when even the least widths do not fit
        self._last_width = -1
        # The desk's style sheet draws the titles bold: the header widget's own font metrics are the regular face.
        title_font = QFont(view.horizontalHeader().font())
        title_font.setBold(True)
        self._title_metrics = QFontMetrics(title_font)
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            model.modelReset.connect(self.fit)
            model.rowsInserted.connect(self._rows_arrived)

    def remeasure(self) -> None:
        """Measure the columns again with the next rows (another set of columns is shown)."""
        self._natural.clear()
        self.fit()

    def _rows_arrived(self) -> None:
        if not self._natural:
            self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit again when the table's width changes."""
        if event.type() == QEvent.Type.Resize and self._view.viewport().width() != self._last_width:
            self.fit()
        return False

    def natural_width(self, column: int, rows: range) -> int:
        """The width that shows `column`'s header and its texts in `rows` whole (font metrics of the display
        texts only: far cheaper than Qt's `sizeHintForColumn`, which asks the model every role of every row)."""
        model, metrics = self._view.model(), self._view.fontMetrics()
        padding = 2 * self._view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 16
        widest = self.header_width(column)
        for row in rows:
            text = model.data(model.index(row, column))
            if text:
                widest = max(widest, metrics.horizontalAdvance(str(text)) + padding)
        return widest

    def header_width(self, column: int) -> int:
        """The width that shows `column`'s title whole, in the header's own (bold) font, with room for the sort
        arrow when the list can be sorted by it."""
        title = str(self._view.model().headerData(column, Qt.Orientation.Horizontal) or "")
        padding = 2 * self._view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 16
        return self._title_metrics.horizontalAdvance(title) + padding + (14 if self._sortable(column) else 0)

    def widen(self, column: int, width: int) -> None:
        """Let `column` be at least `width` wide from now on (a later page's longer number); the elastic
        columns give it the room, so the shown columns still fit the table's width."""
        if not self._natural:
            self.fit()  # measures the rows there are first
        if not self._natural or width <= self._natural.get(column, 0):
            return
        self._natural[column] = width
        self.fit()

    def _measure(self) -> None:
        model = self._view.model()
        rows = range(min(model.rowCount(), MEASURED_ROWS))
        for column in range(model.columnCount()):
            self._natural[column] = self.natural_width(column, rows)
            self._title[column] = self.header_width(column)
            self._least[column] = max(ELASTIC_MIN_WIDTH, self._title[column])

    def fit(self) -> None:
        """Give the columns their widths for the table's width now."""
        view, model = self._view, self._view.model()
        if model is None or model.columnCount() == 0:
            return
        if not self._natural and model.rowCount() > 0:
            self._measure()
        if not self._natural:
            return
        self._last_width = available = view.viewport().width()
        shown = [c for c in range(model.columnCount()) if not view.isColumnHidden(c) and c in self._natural]
        elastic = [c for c in self._elastic() if c in shown]
        widths = {c: self._natural[c] for c in shown}
        excess = sum(widths.values()) - available
        # The elastic columns give what is needed down to their least widths, then (the others being wide: a
        # closing time shown with its date after midnight) on down to their titles' own widths.
        for floor in (self._least, self._title):
            room = sum(max(widths[c] - floor[c], 0) for c in elastic)
            if excess <= 0 or not room:
                continue
            share = min(1.0, excess / room)
            for c in elastic:
                cut = int(max(widths[c] - floor[c], 0) * share + 0.999)
                widths[c] -= cut
                excess -= cut
        for column, width in widths.items():
            if view.columnWidth(column) != width:
                view.setColumnWidth(column, width)


def keep_column_widths(view: QTableView, widths: dict[int, int]) -> None:
    """Give columns their widths now and again after every model reset (a reset forgets them)."""

    def apply() -> None:
        for column, width in widths.items():
            view.setColumnWidth(column, width)

    apply()
    model = view.model()
    if model is not None:
        model.modelReset.connect(apply)
