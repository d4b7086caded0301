"""Touch-sized answer buttons for the kiosk: a drawn face per point of the 1–5 scale, and a 0–10 number row.

Faces are painted (not emoji): every Windows PC draws them the same, with or without a colour-emoji font.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from desktop.arabic_text import display_digits

__all__ = ["FaceButton", "FaceRow", "RecommendRow", "face_colour"]

#: Face colours from 1 (very dissatisfied) to 5 (very satisfied): calm, readable, not alarming.
_COLOURS = ("#d9534f", "#ee8b3a", "#e8c23a", "#8cc152", "#2e9e6b")


def face_colour(value: int) -> QColor:
    """The face colour of a scale point 1–5."""
    return QColor(_COLOURS[min(max(value, 1), 5) - 1])


class FaceButton(QAbstractButton):
    """One big checkable face (1–5) with its Arabic label under it."""

    def __init__(self, value: int, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = value
        self.label = label
        self.setCheckable(True)
        self.setText(label)
        self.setAccessibleName(label)
        self.setObjectName(f"face_{value}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(150, 190)

    def sizeHint(self) -> QSize:
        """Large enough for a finger."""
        return QSize(180, 230)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The face in a rounded card; a chosen face gets a thick frame and a filled card."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        card = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        colour = face_colour(self.value)
        if self.isChecked():
            painter.setPen(QPen(QColor("#1f2d3a"), 5))
            painter.setBrush(colour.lighter(165))
        else:
            painter.setPen(QPen(QColor("#c9d1da"), 2))
            painter.setBrush(QColor("white"))
        painter.drawRoundedRect(card, 18, 18)
        label_height = max(48.0, card.height() * 0.26)
        diameter = min(card.width() - 30, card.height() - label_height - 26)
        centre = QPointF(card.center().x(), card.top() + 14 + diameter / 2)
        painter.setPen(QPen(colour.darker(140), 3))
        painter.setBrush(colour)
        painter.drawEllipse(centre, diameter / 2, diameter / 2)
        # Eyes.
        painter.setBrush(QColor("#1f2d3a"))
        painter.setPen(Qt.PenStyle.NoPen)
        eye = diameter * 0.07
        for side in (-1, 1):
            painter.drawEllipse(QPointF(centre.x() + side * diameter * 0.18, centre.y() - diameter * 0.12), eye, eye)
        # Mouth: a frown at 1, flat at 3, a wide smile at 5.
        curve = (self.value - 3) / 2  # -1 .. 1
        mouth_y = centre.y() + diameter * 0.2
        half = diameter * 0.22
        path = QPainterPath(QPointF(centre.x() - half, mouth_y - curve * diameter * 0.04))
        path.quadTo(QPointF(centre.x(), mouth_y + curve * diameter * 0.2),
                    QPointF(centre.x() + half, mouth_y - curve * diameter * 0.04))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor("#1f2d3a"), max(3.0, diameter * 0.045), Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap))
        painter.drawPath(path)
        # Label.
        font = QFont(self.font())
        font.setBold(self.isChecked())
        painter.setFont(font)
        painter.setPen(QColor("#1f2d3a"))
        label_rect = QRectF(card.left() + 6, card.bottom() - label_height - 6, card.width() - 12, label_height)
        painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.label)
        if self.hasFocus():
            painter.setPen(QPen(QColor("#5b8db8"), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(6, 6, -6, -6), 14, 14)
        painter.end()


class FaceRow(QWidget):
    """The five faces in a row, from 1 on the right to 5 on the left (reading order); one may be chosen.

    `sig_chosen(value)` carries the point (1–5) of the face pressed.
    """

    sig_chosen = Signal(int)

    def __init__(self, labels: dict[int, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setSpacing(18)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[int, FaceButton] = {}
        for value in sorted(labels):
            button = FaceButton(value, labels[value], self)
            self.group.addButton(button, value)
            self.buttons[value] = button
            row.addWidget(button)
        self.group.idClicked.connect(self.sig_chosen.emit)

    def value(self) -> int | None:
        """The chosen point, or None."""
        chosen = self.group.checkedId()
        return chosen if chosen >= 0 else None

    def set_value(self, value: int | None) -> None:
        """Choose a point (None clears the choice)."""
        if value is None:
            self.group.setExclusive(False)
            for button in self.buttons.values():
                button.setChecked(False)
            self.group.setExclusive(True)
        elif value in self.buttons:
            self.buttons[value].setChecked(True)


class RecommendRow(QWidget):
    """Eleven big number buttons 0–10 (0 on the right) for the recommendation question.

    `sig_chosen(value)` carries the number (0–10) pressed.
    """

    sig_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setSpacing(8)
        self.group = QButtonGroup(self)
        self.buttons: dict[int, QPushButton] = {}
        for value in range(11):
            button = QPushButton(display_digits(str(value)), self)
            button.setObjectName(f"recommend_{value}")
            button.setCheckable(True)
            button.setMinimumSize(72, 84)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.group.addButton(button, value)
            self.buttons[value] = button
            row.addWidget(button)
        self.group.idClicked.connect(self.sig_chosen.emit)

    def value(self) -> int | None:
        """The chosen number, or None."""
        chosen = self.group.checkedId()
        return chosen if chosen >= 0 else None

    def set_value(self, value: int | None) -> None:
        """Choose a number (None clears the choice)."""
        if value is None:
            self.group.setExclusive(False)
            for button in self.buttons.values():
                button.setChecked(False)
            self.group.setExclusive(True)
        elif value in self.buttons:
            self.buttons[value].setChecked(True)
