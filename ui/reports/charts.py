"""Small Qt-native charts drawn with QPainter (QtCharts is not part of PySide6-Essentials).

Both charts are right-to-left: bar labels sit on the right and bars grow leftwards; the line chart's
time runs from right (earliest) to left (latest), as Arabic is read. Every number is written in
Arabic-Indic digits. A chart with nothing to show says so in words instead of drawing empty axes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.arabic_text import to_arabic_digits

__all__ = ["BarChart", "LineChart", "format_number"]

BAR_COLOUR = QColor("#1f6f5c")
LINE_COLOUR = QColor("#1f6f5c")
GRID_COLOUR = QColor("#e3e7eb")
TEXT_COLOUR = QColor("#1f2d3a")
MUTED_COLOUR = QColor("#5f6b7a")

NO_DATA_TEXT = "لا توجد بيانات في هذه الفترة"


def format_number(value: float, decimals: int = 0) -> str:
    """A figure in Arabic-Indic digits with the Arabic decimal separator (٫)."""
    if decimals <= 0:
        text = f"{round(value):,}".replace(",", "٬")
    else:
        text = f"{value:,.{decimals}f}".replace(",", "٬").replace(".", "٫")
    return to_arabic_digits(text)


class _Chart(QWidget):
    """What both charts share: a title, a message when empty, and the painter set-up."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.empty_text = NO_DATA_TEXT
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(160)

    def sizeHint(self) -> QSize:
        """A comfortable size on the dashboard grid."""
        return QSize(420, 220)

    def is_empty(self) -> bool:
        """True when there is nothing to draw."""
        raise NotImplementedError

    def _begin(self) -> tuple[QPainter, QRectF]:
        """A painter on the widget, the title drawn; returns the area left for the chart itself."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), QColor("white"))
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(TEXT_COLOUR)
        metrics = QFontMetricsF(font)
        title_height = metrics.height() + 6
        title_rect = QRectF(10, 4, self.width() - 20, title_height)
        painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), self.title)
        painter.setFont(self.font())
        area = QRectF(10, title_height + 8, self.width() - 20, self.height() - title_height - 14)
        if self.is_empty():
            painter.setPen(MUTED_COLOUR)
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.empty_text)
        return painter, area


class BarChart(_Chart):
    """Horizontal bars, one per labelled value (e.g. contacts per channel, cases by status)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.items: list[tuple[str, float]] = []
        self.decimals = 0
        self.suffix = ""

    def set_items(self, items: Sequence[tuple[str, float]], *, decimals: int = 0, suffix: str = "") -> None:
        """Show these (label, value) pairs, in the order given."""
        self.items = [(label, float(value)) for label, value in items]
        self.decimals = decimals
        self.suffix = suffix
        self.setMinimumHeight(max(160, 46 + 30 * len(self.items)))
        self.updateGeometry()
        self.update()

    def is_empty(self) -> bool:
        """True when there is no bar or every value is zero."""
        return not self.items or all(value == 0 for _label, value in self.items)

    def value_text(self, value: float) -> str:
        """How one bar's value is written beside it."""
        return format_number(value, self.decimals) + self.suffix

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the labels on the right, bars growing leftwards, each value at its bar's end."""
        painter, area = self._begin()
        try:
            if self.is_empty():
                return
            metrics = QFontMetricsF(self.font())
            label_width = min(area.width() * 0.42, max(metrics.horizontalAdvance(label) for label, _ in self.items) + 12)
            value_width = max(metrics.horizontalAdvance(self.value_text(v)) for _, v in self.items) + 12
            bar_space = max(10.0, area.width() - label_width - value_width - 6)
            top_value = max(value for _, value in self.items) or 1.0
            row = min(34.0, area.height() / len(self.items))
            bar_height = max(8.0, row * 0.62)
            for index, (label, value) in enumerate(self.items):
                y = area.top() + index * row
                label_rect = QRectF(area.right() - label_width, y, label_width - 8, row)
                painter.setPen(TEXT_COLOUR)
                # ElideRight is the text's logical end: an Arabic label keeps its beginning and loses its left end.
                elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_rect.width())
                painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), elided)
                length = bar_space * (value / top_value)
                right = area.right() - label_width - 6
                bar = QRectF(right - length, y + (row - bar_height) / 2, length, bar_height)
                painter.fillRect(bar, BAR_COLOUR)
                painter.setPen(MUTED_COLOUR)
                value_rect = QRectF(bar.left() - value_width, y, value_width - 4, row)
                painter.drawText(value_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                                 self.value_text(value))
        finally:
            painter.end()


class LineChart(_Chart):
    """A line over time (e.g. the satisfaction score per month), gaps where a point has no value."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.points: list[tuple[str, float | None]] = []
        self.low = 0.0
        self.high = 5.0
        self.decimals = 1
        self.formatter: Callable[[float], str] = lambda v: format_number(v, self.decimals)

    def set_points(self, points: Sequence[tuple[str, float | None]], *, low: float = 0.0, high: float = 5.0,
                   decimals: int = 1) -> None:
        """Show these (label, value) points in time order; the vertical axis runs from `low` to `high`."""
        self.points = [(label, None if value is None else float(value)) for label, value in points]
        self.low, self.high = low, high if high > low else low + 1
        self.decimals = decimals
        self.update()

    def is_empty(self) -> bool:
        """True when no point has a value."""
        return all(value is None for _label, value in self.points)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the grid, the line and its dots, the labels under the axis (earliest on the right)."""
        painter, area = self._begin()
        try:
            if self.is_empty():
                return
            metrics = QFontMetricsF(self.font())
            axis_width = metrics.horizontalAdvance(format_number(self.high, 0)) + 14
            plot = QRectF(area.left() + 8, area.top() + 8, area.width() - axis_width - 16,
                          area.height() - metrics.height() - 16)
            # Grid and the vertical axis' figures (on the right, like the labels of the bars).
            steps = 4
            for i in range(steps + 1):
                value = self.low + (self.high - self.low) * i / steps
                y = plot.bottom() - plot.height() * i / steps
                painter.setPen(QPen(GRID_COLOUR, 1))
                painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                painter.setPen(MUTED_COLOUR)
                painter.drawText(QRectF(plot.right() + 4, y - metrics.height() / 2, axis_width, metrics.height()),
                                 int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                                 format_number(value, 0 if (self.high - self.low) >= steps else 1))
            count = len(self.points)

            def x_of(index: int) -> float:
                if count == 1:
                    return plot.center().x()
                return plot.right() - plot.width() * index / (count - 1)

            def y_of(value: float) -> float:
                share = (min(max(value, self.low), self.high) - self.low) / (self.high - self.low)
                return plot.bottom() - plot.height() * share

            path = QPainterPath()
            drawing = False
            for index, (_label, point_value) in enumerate(self.points):
                if point_value is None:
                    drawing = False
                    continue
                point = QPointF(x_of(index), y_of(point_value))
                if drawing:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    drawing = True
            painter.setPen(QPen(LINE_COLOUR, 2.5))
            painter.drawPath(path)
            every = max(1, round(count / max(1, plot.width() / 70)))
            for index, (label, shown) in enumerate(self.points):
                x = x_of(index)
                if shown is not None:
                    y = y_of(shown)
                    painter.setPen(QPen(LINE_COLOUR, 2))
                    painter.setBrush(QColor("white"))
                    painter.drawEllipse(QPointF(x, y), 4.5, 4.5)
                    painter.setPen(TEXT_COLOUR)
                    painter.drawText(QRectF(x - 30, y - metrics.height() - 6, 60, metrics.height()),
                                     int(Qt.AlignmentFlag.AlignCenter), self.formatter(shown))
                if index % every == 0:
                    painter.setPen(MUTED_COLOUR)
                    painter.drawText(QRectF(x - 45, plot.bottom() + 4, 90, metrics.height()),
                                     int(Qt.AlignmentFlag.AlignCenter), label)
        finally:
            painter.end()
