"""A one-line label that, when narrower than its text, shows the text's beginning and an ellipsis at its end.

The end is the end of the text's reading direction: Qt's `ElideRight` keeps the logical start of the string,
so an Arabic text loses its left end and a Latin one (a path, a case number) its right end, in a right-to-left
window as in a left-to-right one. The whole text stays the label's `text()` and becomes its tooltip while cut.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QStyle, QWidget

#: The least width an eliding label asks for, in average characters (then it elides).
MIN_CHARACTERS = 6


class ElidedLabel(QLabel):
    """A plain-text, non-wrapping label that elides at the end of its text instead of being cut or widening its
    window (property ``elided`` is set: layout checks know it shortens on purpose)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        """A label showing `text` (elided when narrower)."""
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setProperty("elided", True)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        """Show `text` (its tooltip is the whole text while it is cut)."""
        super().setText(text)
        self._update_tooltip()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        """A few characters wide: the label gives way before anything else in its row."""
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * MIN_CHARACTERS), hint.height())

    def is_elided(self) -> bool:
        """True when the text does not fit and its end is replaced by an ellipsis."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt naming)
        """The tooltip follows whether the text is cut."""
        super().resizeEvent(event)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        wanted = self.text() if self.is_elided() else ""
        if self.toolTip() != wanted:
            self.setToolTip(wanted)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        """Draw the text, elided at its end when it does not fit."""
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        alignment = QStyle.visualAlignment(self.layoutDirection(), self.alignment())
        self.style().drawItemText(painter, rect, int(alignment), self.palette(), self.isEnabled(), text,
                                  self.foregroundRole())
        painter.end()
