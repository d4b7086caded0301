"""The section list on the right-hand side of the main window."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget


class SectionNavigator(QListWidget):
    """A list of section titles with their shortcuts; emits sig_section_chosen(index) when the officer picks one."""

    sig_section_chosen = Signal(int)

    def __init__(self, entries: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        """entries: (title, shortcut text) per section, in order."""
        super().__init__(parent)
        self.setObjectName("section_navigator")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(self.horizontalScrollBarPolicy().ScrollBarAlwaysOff)
        self.setUniformItemSizes(True)
        for title, shortcut in entries:
            item = QListWidgetItem(title, self)
            item.setToolTip(f"{title} ({shortcut})")
            item.setSizeHint(QSize(0, 44))
        self.currentRowChanged.connect(self._on_row_changed)
        self.setFixedWidth(self._preferred_width())

    def _preferred_width(self) -> int:
        """Wide enough for the longest title, with some air."""
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(self.item(row).text()) for row in range(self.count())), default=120)
        return widest + 64

    def _on_row_changed(self, row: int) -> None:
        """Forward a selection change as a section choice."""
        if row >= 0:
            self.sig_section_chosen.emit(row)

    def set_section_hidden(self, index: int, hidden: bool) -> None:
        """Hide a section the active policy has no use for (the committee of a policy of reports), or show it again."""
        item = self.item(index)
        if item is not None:
            item.setHidden(hidden)

    def set_section_title(self, index: int, title: str, shortcut: str) -> None:
        """Name a section as the active policy calls it (a policy of reports: «البلاغات», not «الحالات»)."""
        item = self.item(index)
        if item is not None:
            item.setText(title)
            item.setToolTip(f"{title} ({shortcut})")

    def is_section_hidden(self, index: int) -> bool:
        """True when the section at `index` is hidden from the list."""
        item = self.item(index)
        return item is None or item.isHidden()

    def show_section(self, index: int) -> None:
        """Mark a section as current without the officer clicking (e.g. after a keyboard shortcut)."""
        if index != self.currentRow():
            self.setCurrentRow(index)
