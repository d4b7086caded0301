"""The signature pad: the beneficiary signs with the mouse, a pen tablet or a finger; clear, undo, PNG out.

Strokes are kept in coordinates relative to the pad (0–1 on both axes), so a resized pad keeps the
drawing and a draft can hold them as plain lists of numbers. A signature is refused when it is empty
or too small to be one (a dot, a tick): `refusal()` says why, in Arabic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

#: One stroke: (x, y, pressure) points, x and y relative to the pad's width and height.
Stroke = list[tuple[float, float, float]]

#: Refusal texts, shown under the pad.
EMPTY_SIGNATURE = "لم يوقّع المستفيد بعد: يجب التوقيع داخل المربع"
TOO_SMALL_SIGNATURE = "التوقيع قصير جدًا أو نقطة واحدة: يجب أن يوقّع المستفيد توقيعه الكامل داخل المربع"

# A signature must draw at least this much ink (in pad widths) and span this much of the pad.
_MIN_INK_LENGTH = 0.25
_MIN_SPAN = 0.08
_MIN_POINTS = 5

_INK = QColor("#0b2a6f")
_PEN_WIDTH = 2.6
_PNG_HEIGHT = 240


class SignaturePad(QWidget):
    """A white box the beneficiary signs in; emits sig_changed after every stroke, clear or undo."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signature_pad")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        # Only the pointer draws here: Tab goes past the pad to the buttons.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(360, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("مربع التوقيع")
        self._strokes: list[Stroke] = []
        self._drawing: Stroke | None = None
        self._tablet_down = False
        self._enabled_for_input = True

    # ----------------------------------------------------------------- state

    def sizeHint(self) -> QSize:
        """Wide and short, like the line a signature goes on."""
        return QSize(560, 190)

    def strokes(self) -> list[Stroke]:
        """The strokes drawn so far (copies), relative coordinates."""
        return [list(stroke) for stroke in self._strokes]

    def set_strokes(self, strokes: Sequence[Sequence[Sequence[float]]]) -> None:
        """Restore strokes (e.g. from a draft); malformed points are dropped."""
        restored: list[Stroke] = []
        for stroke in strokes:
            points: Stroke = []
            for point in stroke:
                if len(point) >= 2 and all(isinstance(v, (int, float)) for v in point[:3]):
                    pressure = float(point[2]) if len(point) >= 3 else 1.0
                    points.append((_clamp(float(point[0])), _clamp(float(point[1])), _clamp(pressure)))
            if points:
                restored.append(points)
        self._strokes = restored
        self._drawing = None
        self.update()
        self.sig_changed.emit()

    def is_empty(self) -> bool:
        """True when nothing is drawn."""
        return not self._strokes

    def set_input_enabled(self, enabled: bool) -> None:
        """Accept new strokes or not (a signed declaration is shown read-only)."""
        self._enabled_for_input = enabled
        self.setCursor(Qt.CursorShape.CrossCursor if enabled else Qt.CursorShape.ArrowCursor)

    def clear(self) -> None:
        """Remove every stroke."""
        if self._strokes or self._drawing:
            self._strokes.clear()
            self._drawing = None
            self.update()
            self.sig_changed.emit()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self._strokes:
            self._strokes.pop()
            self.update()
            self.sig_changed.emit()

    def ink_length(self) -> float:
        """Total length of the strokes, in pad widths (aspect ratio respected)."""
        aspect = self.height() / self.width() if self.width() else 1.0
        total = 0.0
        for stroke in self._strokes:
            for (x0, y0, _), (x1, y1, _) in zip(stroke, stroke[1:], strict=False):
                total += math.hypot(x1 - x0, (y1 - y0) * aspect)
        return total

    def refusal(self) -> str | None:
        """Why this signature cannot be accepted (Arabic), or None when it can."""
        if not self._strokes:
            return EMPTY_SIGNATURE
        points = [p for stroke in self._strokes for p in stroke]
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        span = max(max(xs) - min(xs), max(ys) - min(ys))
        if len(points) < _MIN_POINTS or span < _MIN_SPAN or self.ink_length() < _MIN_INK_LENGTH:
            return TOO_SMALL_SIGNATURE
        return None

    def to_png(self, height: int = _PNG_HEIGHT) -> bytes:
        """The signature as a PNG (dark ink on transparent), cropped to the ink with a small margin."""
        return self.png_maker(height)()

    def png_maker(self, height: int = _PNG_HEIGHT) -> Callable[[], bytes]:
        """What `to_png` returns, to be made later and on any thread (an operation's worker): the strokes and the
        pad's proportions are copied now; the drawing (~5 ms) touches no widget."""
        strokes = [list(stroke) for stroke in self._strokes]
        aspect = (self.width() / self.height()) if self.height() else 3.0
        return lambda: signature_png(strokes, aspect, height)

    # ----------------------------------------------------------------- drawing

    def _relative(self, position: QPointF) -> tuple[float, float]:
        width = max(self.width(), 1)
        height = max(self.height(), 1)
        return _clamp(position.x() / width), _clamp(position.y() / height)

    def _begin(self, position: QPointF, pressure: float = 1.0) -> None:
        if not self._enabled_for_input:
            return
        x, y = self._relative(position)
        self._drawing = [(x, y, pressure)]
        self._strokes.append(self._drawing)
        self.update()

    def _extend(self, position: QPointF, pressure: float = 1.0) -> None:
        if self._drawing is None:
            return
        x, y = self._relative(position)
        last = self._drawing[-1]
        if (x, y) != last[:2]:
            self._drawing.append((x, y, pressure))
            self.update()

    def _end(self) -> None:
        if self._drawing is None:
            return
        self._drawing = None
        self.update()
        self.sig_changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Start a stroke with the left button (mouse, or a pen/touch the system presents as a mouse)."""
        if event.button() == Qt.MouseButton.LeftButton and not self._tablet_down:
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Extend the stroke while the button is held."""
        if self._drawing is not None and not self._tablet_down:
            self._extend(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End the stroke."""
        if event.button() == Qt.MouseButton.LeftButton and not self._tablet_down:
            self._extend(event.position())
            self._end()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen on a tablet: the pressure sets the line width."""
        pressure = event.pressure() if event.pressure() > 0 else 1.0
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._tablet_down = True
            self._begin(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletMove and self._tablet_down:
            self._extend(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._extend(event.position(), pressure)
            self._end()
            self._tablet_down = False
        event.accept()  # no synthesized mouse events: the stroke is drawn once

    def event(self, event: object) -> bool:
        """Touch screens: the first finger draws."""
        from PySide6.QtCore import QEvent

        if isinstance(event, QTouchEvent):
            points = event.points()
            kind = event.type()
            if points:
                position = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(position)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(position)
                elif kind == QEvent.Type.TouchEnd:
                    self._extend(position)
                    self._end()
            if kind == QEvent.Type.TouchCancel:
                if self._drawing is not None and self._strokes and self._strokes[-1] is self._drawing:
                    self._strokes.pop()
                self._drawing = None
                self.update()
            event.accept()
            return True
        return super().event(event)  # type: ignore[arg-type]

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Relative strokes follow the new size."""
        super().resizeEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """White paper, a signing line, the hint when empty, then the ink."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.fillRect(rect, QColor("white") if self.isEnabled() else QColor("#f1f3f5"))
        painter.setPen(QPen(QColor("#8a97a6"), 1.0))
        painter.drawRect(rect)
        baseline = rect.bottom() - rect.height() * 0.25
        painter.setPen(QPen(QColor("#c3ccd5"), 1.0, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(rect.left() + 24, baseline), QPointF(rect.right() - 24, baseline))
        if not self._strokes:
            painter.setPen(QColor("#8a97a6"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "وقّع هنا بالفأرة أو القلم أو اللمس")
        self._paint_strokes(painter, rect, scale=1.0)
        painter.end()

    def _paint_strokes(self, painter: QPainter, rect: QRectF, *, scale: float) -> None:
        """Draw every stroke into `rect` (relative coordinates mapped onto it)."""
        paint_strokes(painter, self._strokes, rect, scale=scale)


def paint_strokes(painter: QPainter, strokes: Sequence[Stroke], rect: QRectF, *, scale: float) -> None:
    """Draw strokes into `rect` (relative coordinates mapped onto it); any thread, onto any paint device."""
    for stroke in strokes:
        width = _PEN_WIDTH * scale
        if len(stroke) == 1:
            x, y, pressure = stroke[0]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_INK)
            radius = width * max(pressure, 0.4) / 2 + 0.5
            painter.drawEllipse(
                QPointF(rect.left() + x * rect.width(), rect.top() + y * rect.height()), radius, radius
            )
            continue
        average_pressure = sum(p[2] for p in stroke) / len(stroke)
        pen = QPen(_INK, width * max(average_pressure, 0.4) * 1.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath()
        first = stroke[0]
        path.moveTo(rect.left() + first[0] * rect.width(), rect.top() + first[1] * rect.height())
        for x, y, _ in stroke[1:]:
            path.lineTo(rect.left() + x * rect.width(), rect.top() + y * rect.height())
        painter.drawPath(path)


def signature_png(strokes: Sequence[Stroke], aspect: float, height: int = _PNG_HEIGHT) -> bytes:
    """Strokes as a PNG (dark ink on transparent) `height` pixels high on a canvas of the pad's proportions
    (`aspect`, width over height), cropped to the ink with a small margin; b"" without strokes. Any thread: it
    paints on a QImage, no widget."""
    if not strokes:
        return b""
    points = [p for stroke in strokes for p in stroke]
    canvas_h = float(height)
    canvas_w = canvas_h * aspect
    xs = [p[0] * canvas_w for p in points]
    ys = [p[1] * canvas_h for p in points]
    margin = 10.0
    left, top = max(min(xs) - margin, 0.0), max(min(ys) - margin, 0.0)
    right, bottom = min(max(xs) + margin, canvas_w), min(max(ys) + margin, canvas_h)
    width_px = max(int(math.ceil(right - left)), 1)
    height_px = max(int(math.ceil(bottom - top)), 1)
    image = QImage(width_px, height_px, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.translate(-left, -top)
    paint_strokes(painter, strokes, QRectF(0, 0, canvas_w, canvas_h), scale=canvas_h / 190.0)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes, PySide wants str
    buffer.close()
    return bytes(data.data())


def _clamp(value: float) -> float:
    """A relative coordinate kept inside the pad."""
    return min(max(value, 0.0), 1.0)
