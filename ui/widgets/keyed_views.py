"""Keyboard habits shared by the desk's lists: Down leaves a search line for its results, Enter opens a row."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QTableView


class SearchEdit(QLineEdit):
    """A search line: the Down arrow emits `sig_down` so the page can move into the results."""

    sig_down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Down arrow goes to the results; every other key types as usual."""
        if event.key() == Qt.Key.Key_Down:
            self.sig_down.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class OpenRowTableView(QTableView):
    """A table whose Enter or Return emits `sig_open(row)` for the highlighted row."""

    sig_open = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Return opens the highlighted row."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.sig_open.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)
