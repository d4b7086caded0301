"""Small Qt-native charts drawn with QPainter (QtCharts is not part of PySide6-Essentials).

Both charts are right-to-left: bar labels sit on the right and bars grow leftwards; the line chart's
time runs from right (earliest) to left (latest), as Arabic is read. Every number is written in
Arabic-Indic digits. A chart with nothing to show says so in words instead of drawing empty axes.

No label is ever clipped: each chart lays its texts out first (`BarChart.rows`, `LineChart.texts`),
every text in a box at least as wide as the text, inside the widget. A bar label too long for its
column wraps onto a second line (the chart grows for it) and only then is elided, at its end; the
months under the line chart are thinned out until they no longer touch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.arabic_text import display_digits

__all__ = ["BarChart", "BarRow", "ChartText", "LineChart", "format_number"]

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
    return display_digits(text)


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

    def _title_height(self) -> float:
        font = QFont(self.font())
        font.setBold(True)
        return QFontMetricsF(font).height() + 6

    def chart_area(self) -> QRectF:
        """The area under the title where the chart itself is drawn."""
        title_height = self._title_height()
        return QRectF(10, title_height + 8, self.width() - 20, self.height() - title_height - 14)

    def _begin(self) -> tuple[QPainter, QRectF]:
        """A painter on the widget, the title drawn; returns the area left for the chart itself."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), QColor("white"))
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(TEXT_COLOUR)
        title_rect = QRectF(10, 4, self.width() - 20, self._title_height())
        title = QFontMetricsF(font).elidedText(self.title, Qt.TextElideMode.ElideRight, title_rect.width())
        painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), title)
        painter.setFont(self.font())
        area = self.chart_area()
        if self.is_empty():
            painter.setPen(MUTED_COLOUR)
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.empty_text)
        return painter, area


@dataclass(frozen=True)
class ChartText:
    """One text of a chart and the box it is drawn in (the box is never narrower than the text)."""

    rect: QRectF
    text: str


@dataclass(frozen=True)
class BarRow:
    """One bar of a bar chart: its label's lines, the bar, and its value."""

    labels: tuple[ChartText, ...]
    bar: QRectF
    value: ChartText


#: A label column never takes more than this share of a bar chart's width.
_LABEL_SHARE = 0.42
#: The longest label a bar chart wraps onto two lines before eliding it.
_LABEL_LINES = 2


def _text_box(metrics: QFontMetricsF, text: str, x_right: float, top: float, height: float) -> ChartText:
    """A right-aligned text in a box exactly as wide as the text (plus a pixel), ending at `x_right`."""
    width = metrics.horizontalAdvance(text) + 1
    return ChartText(QRectF(x_right - width, top, width, height), text)


def _label_lines(metrics: QFontMetricsF, label: str, width: float) -> list[str]:
    """The label in at most two lines of `width`, broken between words; what still does not fit is elided at
    its end (the left, in Arabic)."""
    if metrics.horizontalAdvance(label) <= width:
        return [label]
    words = label.split()
    lines: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if metrics.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        if len(lines) == _LABEL_LINES - 1:
            current = " ".join(words[index:])
            break
        current = word
    lines.append(current)
    return [metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines[:_LABEL_LINES]]


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
        self._fit_height()
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Labels may wrap differently at the new width: the chart's height follows."""
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Room for every row, a wrapped label's row twice as tall."""
        metrics = QFontMetricsF(self.font())
        label_width = self._label_width(metrics, self._area_width())
        lines = sum(len(_label_lines(metrics, label, label_width)) for label, _value in self.items)
        needed = int(46 + 30 * len(self.items) + (metrics.height() + 2) * (lines - len(self.items)))
        if self.minimumHeight() != max(160, needed):
            self.setMinimumHeight(max(160, needed))
            self.updateGeometry()

    def _area_width(self) -> float:
        return float(max(self.width(), self.sizeHint().width()) - 20)

    def _label_width(self, metrics: QFontMetricsF, area_width: float) -> float:
        widest = max((metrics.horizontalAdvance(label) for label, _ in self.items), default=0.0)
        return min(area_width * _LABEL_SHARE, widest + 12) - 8

    def is_empty(self) -> bool:
        """True when there is no bar or every value is zero."""
        return not self.items or all(value == 0 for _label, value in self.items)

    def value_text(self, value: float) -> str:
        """How one bar's value is written beside it."""
        return format_number(value, self.decimals) + self.suffix

    def rows(self, area: QRectF | None = None) -> list[BarRow]:
        """Where each label, bar and value is drawn in `area` (the chart's area under its title by default)."""
        area = area if area is not None else self.chart_area()
        metrics = QFontMetricsF(self.font())
        label_width = self._label_width(metrics, area.width())
        labels = [_label_lines(metrics, label, label_width) for label, _value in self.items]
        value_width = max((metrics.horizontalAdvance(self.value_text(v)) for _, v in self.items), default=0.0) + 12
        bar_space = max(10.0, area.width() - (label_width + 8) - value_width - 6)
        top_value = max((value for _, value in self.items), default=0.0) or 1.0
        line_height = metrics.height() + 2
        extra_lines = sum(len(lines) - 1 for lines in labels)
        unit = min(34.0, (area.height() - extra_lines * line_height) / max(1, len(labels)))
        right = area.right() - (label_width + 8) - 6
        rows: list[BarRow] = []
        y = area.top()
        for (label, value), lines in zip(self.items, labels, strict=True):
            row = unit + (len(lines) - 1) * line_height
            bar_height = max(8.0, unit * 0.62)
            text_top = y + (row - line_height * len(lines)) / 2
            texts = tuple(
                _text_box(metrics, line, area.right() - 8, text_top + i * line_height, line_height)
                for i, line in enumerate(lines)
            )
            length = bar_space * (value / top_value)
            bar = QRectF(right - length, y + (row - bar_height) / 2, length, bar_height)
            rows.append(BarRow(texts, bar, _text_box(metrics, self.value_text(value), bar.left() - 4, y, row)))
            y += row
        return rows

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the labels on the right, bars growing leftwards, each value at its bar's end."""
        painter, area = self._begin()
        try:
            if self.is_empty():
                return
            align = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for row in self.rows(area):
                painter.setPen(TEXT_COLOUR)
                for label in row.labels:
                    painter.drawText(label.rect, align, label.text)
                painter.fillRect(row.bar, BAR_COLOUR)
                painter.setPen(MUTED_COLOUR)
                painter.drawText(row.value.rect, align, row.value.text)
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

    _STEPS = 4

    def _plot(self, area: QRectF, metrics: QFontMetricsF) -> tuple[QRectF, float]:
        """The plotting rectangle and the width of the value axis on its right."""
        axis_width = max(metrics.horizontalAdvance(self._axis_text(self.low + (self.high - self.low) * i / self._STEPS))
                         for i in range(self._STEPS + 1)) + 10
        top = area.top() + metrics.height() + 6  # room for the value written above the highest point
        bottom = area.bottom() - metrics.height() - 6
        return QRectF(area.left() + 4, top, area.width() - axis_width - 8, max(10.0, bottom - top)), axis_width

    def _axis_text(self, value: float) -> str:
        return format_number(value, 0 if (self.high - self.low) >= self._STEPS else 1)

    def _x(self, plot: QRectF, index: int) -> float:
        count = len(self.points)
        if count == 1:
            return plot.center().x()
        return plot.right() - plot.width() * index / (count - 1)

    def _y(self, plot: QRectF, value: float) -> float:
        share = (min(max(value, self.low), self.high) - self.low) / (self.high - self.low)
        return plot.bottom() - plot.height() * share

    def texts(self, area: QRectF | None = None) -> dict[str, list[ChartText]]:
        """Where each text is drawn: the value axis ("axis"), each point's value ("values"), the months ("labels")."""
        area = area if area is not None else self.chart_area()
        metrics = QFontMetricsF(self.font())
        plot, axis_width = self._plot(area, metrics)
        height = metrics.height()

        def centred(text: str, x: float, top: float) -> ChartText:
            width = metrics.horizontalAdvance(text) + 1
            left = min(max(x - width / 2, area.left()), area.right() - width)
            return ChartText(QRectF(left, top, width, height), text)

        axis = [
            _text_box(metrics, self._axis_text(self.low + (self.high - self.low) * i / self._STEPS),
                      plot.right() + axis_width, plot.bottom() - plot.height() * i / self._STEPS - height / 2, height)
            for i in range(self._STEPS + 1)
        ]
        values: list[ChartText] = []
        for index, (_label, value) in enumerate(self.points):
            if value is None:
                continue
            placed = centred(self.formatter(value), self._x(plot, index), self._y(plot, value) - height - 4)
            if not values or not placed.rect.adjusted(-2, 0, 2, 0).intersects(values[-1].rect):
                values.append(placed)  # a value that would touch its neighbour's is left to the line
        # Months: every k-th one, k the smallest that keeps them from touching.
        count = len(self.points)
        widest = max((metrics.horizontalAdvance(label) for label, _ in self.points), default=0.0) + 12
        spacing = plot.width() / (count - 1) if count > 1 else plot.width()
        every = max(1, int(-(-widest // max(spacing, 1.0))))
        labels: list[ChartText] = []
        for index in range(0, count, every):
            placed = centred(self.points[index][0], self._x(plot, index), plot.bottom() + 4)
            # A label pushed in from the chart's edge may reach its neighbour: then the neighbour is left out.
            if labels and placed.rect.right() + 6 > labels[-1].rect.left():
                continue
            labels.append(placed)
        return {"axis": axis, "values": values, "labels": labels}

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the grid, the line and its dots, the labels under the axis (earliest on the right)."""
        painter, area = self._begin()
        try:
            if self.is_empty():
                return
            metrics = QFontMetricsF(self.font())
            plot, _axis_width = self._plot(area, metrics)
            texts = self.texts(area)
            align = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for i, axis in enumerate(texts["axis"]):
                y = plot.bottom() - plot.height() * i / self._STEPS
                painter.setPen(QPen(GRID_COLOUR, 1))
                painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                painter.setPen(MUTED_COLOUR)
                painter.drawText(axis.rect, align, axis.text)
            path = QPainterPath()
            drawing = False
            for index, (_label, point_value) in enumerate(self.points):
                if point_value is None:
                    drawing = False
                    continue
                point = QPointF(self._x(plot, index), self._y(plot, point_value))
                if drawing:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    drawing = True
            painter.setPen(QPen(LINE_COLOUR, 2.5))
            painter.drawPath(path)
            for index, (_label, shown) in enumerate(self.points):
                if shown is not None:
                    painter.setPen(QPen(LINE_COLOUR, 2))
                    painter.setBrush(QColor("white"))
                    painter.drawEllipse(QPointF(self._x(plot, index), self._y(plot, shown)), 4.5, 4.5)
            centre = int(Qt.AlignmentFlag.AlignCenter)
            painter.setPen(TEXT_COLOUR)
            for value in texts["values"]:
                painter.drawText(value.rect, centre, value.text)
            painter.setPen(MUTED_COLOUR)
            for label in texts["labels"]:
                painter.drawText(label.rect, centre, label.text)
        finally:
            painter.end()
