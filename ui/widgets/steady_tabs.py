"""A tab widget that lays itself out, and repaints itself whole, only when its own layout changes.

Qt's `QTabWidget` answers every `LayoutRequest` by laying out its bar, corners and page stack again and then
repainting itself entirely (`QTabWidget::setUpLayout` ends in `update()`). Such a request reaches it whenever
anything in its pages is laid out again — a layout's activation always calls `updateGeometry()` on its widget,
and so on up to the tab widget — that is at every step of a reception: the whole reception area (checklist, case
header, buttons, the page) was repainted for a page change that touched a part of it, the longest stall of the
GUI thread in a reception. `SteadyTabWidget` passes the request on only when something its layout depends on
changed: its size, the bar's and the corners' size hints, its own size hints (which its parents lay out by); else
nothing of it moves, and the pages repaint only what they changed.

Its own hinted widths count only while they pass its width: it is meant for a column of the window, which gives it the
column's whole width (a reception's next-step button, longer on one page than on another, changes the hinted width
at every step and nothing of the layout).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QTabWidget, QWidget

__all__ = ["SteadyTabWidget"]

_CORNERS = (Qt.Corner.TopLeftCorner, Qt.Corner.TopRightCorner, Qt.Corner.BottomLeftCorner,
            Qt.Corner.BottomRightCorner)


class SteadyTabWidget(QTabWidget):
    """A `QTabWidget` that ignores layout requests which would change none of its own geometry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty tab widget."""
        super().__init__(parent)
        self._laid_out_for: tuple[object, ...] | None = None

    def _layout_inputs(self) -> tuple[object, ...]:
        """What `QTabWidget::setUpLayout` reads, and what its parents read of it."""
        bar = self.tabBar()
        corners: list[QSize | None] = []
        for corner in _CORNERS:
            widget = self.cornerWidget(corner)
            corners.append(widget.sizeHint() if widget is not None and widget.isVisibleTo(self) else None)
        width = self.width()
        hint, least = self.sizeHint(), self.minimumSizeHint()
        return (self.size(), self.count(), self.tabPosition(), bar.isVisibleTo(self), bar.sizeHint(),
                bar.minimumSizeHint(), *corners, hint.height(), least.height(),
                hint.width() if hint.width() > width else None, least.width() if least.width() > width else None)

    def event(self, event: QEvent) -> bool:
        """A layout request is passed to Qt only when the inputs of the tab widget's layout changed."""
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            inputs = self._layout_inputs()
            if inputs == self._laid_out_for:
                return True
            self._laid_out_for = inputs
        return super().event(event)
