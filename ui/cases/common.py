"""What the case desk screens share: buttons held while their operation runs, message boxes, tables, stored PDFs.

Every service call of these screens goes through `ui.ops` (`run_read` / `run_write`); errors are worded there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QMessageBox, QPushButton, QTableView, QWidget

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
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    view.horizontalHeader().setHighlightSections(False)
    # The Arabic application font makes Qt's automatic minimum section width about 200 px: set our own.
    view.horizontalHeader().setMinimumSectionSize(48)
    view.horizontalHeader().setDefaultSectionSize(120)


_PDF_DIR: Path | None = None


def write_pdf(data: bytes, name: str, suffix: str = ".pdf") -> Path:
    """Put a stored document's bytes in a temporary file for the print preview or the viewer."""
    global _PDF_DIR
    if _PDF_DIR is None or not _PDF_DIR.exists():
        _PDF_DIR = Path(tempfile.mkdtemp(prefix="mustafid-casedesk-"))
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "document"
    path = _PDF_DIR / f"{safe}{suffix}"
    path.write_bytes(data)
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


def keep_column_widths(view: QTableView, widths: dict[int, int]) -> None:
    """Give columns their widths now and again after every model reset (a reset forgets them)."""

    def apply() -> None:
        for column, width in widths.items():
            view.setColumnWidth(column, width)

    apply()
    model = view.model()
    if model is not None:
        model.modelReset.connect(apply)
