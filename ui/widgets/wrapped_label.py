"""A word-wrapped label whose height for a width is measured once per process, not at every layout pass.

`QLabel.heightForWidth` lays the whole text out again at every call (shaping every Arabic word afresh), and the
layouts ask it several times per pass, for every new page of every contact: the long privacy notice of the
declaration page cost ~0.7 ms a call, ~170 ms of GUI-thread time in twenty contacts. The answer depends only on
what the key below holds (the text, its format, the font, the width, the label's margins, indent, alignment and
frame), so it is kept in one table shared by every label of the desk; drawing is unchanged (Qt lays the text
out for painting on its own).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["WrappedLabel"]

#: How many (text, font, width…) answers are kept: the reception's fixed wordings at a few widths fit easily.
MEASURES_KEPT = 4096

_Key = tuple[str, int, str, int, int, int, int, int, int, int, int, int]


class WrappedLabel(QLabel):
    """A `QLabel` that wraps its words and remembers its height for each width (shared across labels)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        """A word-wrapped label showing `text`."""
        super().__init__(text, parent)
        self.setWordWrap(True)

    def _measure_key(self, width: int) -> _Key:
        margins = self.contentsMargins()
        return (self.text(), self.textFormat().value, self.font().key(), width, margins.left(), margins.top(),
                margins.right(), margins.bottom(), self.margin(), self.indent(), self.alignment().value,
                self.frameWidth())

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt naming)
        """The wrapped text's height at `width`, measured once for this text, font and width."""
        if not self.wordWrap() or not self.text():
            return super().heightForWidth(width)
        key = self._measure_key(width)
        known = _measured(key)
        if known is None:
            known = super().heightForWidth(width)
            _remember(key, known)
        return known


_table: dict[_Key, int] = {}


def _measured(key: _Key) -> int | None:
    return _table.get(key)


def _remember(key: _Key, height: int) -> None:
    if len(_table) >= MEASURES_KEPT:
        _table.pop(next(iter(_table)))  # the oldest answer goes
    _table[key] = height
