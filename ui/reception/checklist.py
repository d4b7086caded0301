"""The checklist beside the wizard: every step of the policy with its state, so the officer sees where they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.arabic_text import display_digits
from ui.widgets.wrapped_label import WrappedLabel

#: How each state reads in the list: mark, Arabic word, colour.
STATE_STYLE: dict[str, tuple[str, str, str]] = {
    "done": ("✓", "تمت", "#1f6f5c"),
    "current": ("◀", "الخطوة الحالية", "#0b4f9c"),
    "pending": ("○", "لم تبدأ", "#6b7785"),
    "skipped": ("↷", "تُجووزت", "#8a6d1f"),
    "waiting": ("◐", "بانتظار", "#a65a00"),
    "after_decision": ("◇", "بعد قبول لجنة البحث (من ملف الحالة)", "#6b7785"),
    "not_applicable": ("–", "لا تنطبق على هذا النوع", "#8c96a0"),
}

#: The state line's size beside the title's (HTML's "small").
STATE_LINE_SCALE = 0.85

#: States whose entry cannot be clicked (no page to look at).
UNREACHABLE_STATES = frozenset({"pending", "after_decision", "not_applicable"})


@dataclass(frozen=True)
class ChecklistEntry:
    """One line of the checklist: a key the wizard knows the page by, a title and a state."""

    key: str
    title: str
    state: str
    detail: str = ""


class _Entry(QFrame):
    """One entry: its title (bold while current) over its state, in plain text coloured by the state; a click on
    a reachable entry asks to show its page (`sig_clicked(step_id)`).

    Plain text, not rich text: a rich-text label parses its HTML and lays out a text document at every change,
    and a new contact changes every entry at once (~0.7 ms an entry on the GUI thread); plain text is only
    measured and drawn. Only what changed is set again."""

    sig_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklist_entry")
        self.key = ""
        self.reachable = False
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(0)
        self.title = WrappedLabel("", self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.state_line = WrappedLabel("", self)
        self.state_line.setTextFormat(Qt.TextFormat.PlainText)
        small = self.state_line.font()
        small.setPointSizeF(small.pointSizeF() * STATE_LINE_SCALE)
        self.state_line.setFont(small)
        column.addWidget(self.title)
        column.addWidget(self.state_line)
        self._colour = ""
        self._bold = False

    def show_entry(self, title: str, state_line: str, colour: str, bold: bool) -> None:
        """Show a title and a state line in a colour; the title bold or not."""
        if self.title.text() != title:
            self.title.setText(title)
        if self.state_line.text() != state_line:
            self.state_line.setText(state_line)
        if colour != self._colour:
            self._colour = colour
            for label in (self.title, self.state_line):
                palette = label.palette()
                palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
                label.setPalette(palette)
        if bold != self._bold:
            self._bold = bold
            font = self.title.font()
            font.setBold(bold)
            self.title.setFont(font)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Clicked: show that page when it can be shown."""
        if self.reachable and event.button() == Qt.MouseButton.LeftButton:
            self.sig_clicked.emit(self.key)
        super().mousePressEvent(event)


class ChecklistPanel(QWidget):
    """The contact's stages (start, the policy's steps, summary) with their states, read-only.

    A done, skipped, waiting or current entry can be clicked to look at its page: sig_entry_chosen(key).
    """

    sig_entry_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reception_checklist")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        heading = QLabel("خطوات الاستقبال في سياسة الجمعية", self)
        heading.setObjectName("checklist_title")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        scroll = QScrollArea(self)
        scroll.setObjectName("checklist_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        holder = QWidget(scroll)
        holder.setObjectName("checklist_holder")
        self._list = QVBoxLayout(holder)
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.setSpacing(4)
        self._list.addStretch(1)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)
        self._holder = holder
        self.setFixedWidth(240)
        self._entries: list[ChecklistEntry] = []
        self._labels: list[_Entry] = []

    def show_entries(self, entries: Sequence[ChecklistEntry], *, on_screen: str | None = None) -> None:
        """Show the entries; `on_screen` is the key of the page the officer is looking at (framed)."""
        self._entries = list(entries)
        while len(self._labels) < len(entries):
            label = _Entry(self._holder)
            label.sig_clicked.connect(self.sig_entry_chosen)
            self._list.insertWidget(len(self._labels), label)
            self._labels.append(label)
        for index, label in enumerate(self._labels):
            if index >= len(entries):
                label.setVisible(False)
                continue
            entry = entries[index]
            mark, word, colour = STATE_STYLE.get(entry.state, STATE_STYLE["pending"])
            numbered = f"{display_digits(str(index))}. " if 0 < index < len(entries) - 1 else ""
            detail = f" — {entry.detail}" if entry.detail else ""
            # Only what changed is set: an unchanged entry is neither laid out, re-styled nor drawn again.
            label.show_entry(f"{mark}\u00a0 {numbered}{entry.title}", f"{word}{detail}", colour,
                             entry.state == "current")
            label.key = entry.key
            reachable = entry.state not in UNREACHABLE_STATES
            if reachable != label.reachable or not label.testAttribute(Qt.WidgetAttribute.WA_SetCursor):
                label.setCursor(Qt.CursorShape.PointingHandCursor if reachable else Qt.CursorShape.ArrowCursor)
            label.reachable = reachable
            shown = entry.key == on_screen
            if label.property("on_screen") != shown:  # the style sheet frames the entry on screen
                label.setProperty("on_screen", shown)
                label.style().unpolish(label)
                label.style().polish(label)
            tip = f"{entry.title}: {word}"
            if label.toolTip() != tip:
                label.setToolTip(tip)
            if label.isHidden():
                label.setVisible(True)

    def entries(self) -> list[ChecklistEntry]:
        """The entries shown, in order."""
        return list(self._entries)

    def state_of(self, key: str) -> str | None:
        """The state shown for an entry, by key."""
        for entry in self._entries:
            if entry.key == key:
                return entry.state
        return None

    def choose(self, key: str) -> None:
        """As if the officer clicked an entry (only reachable ones respond)."""
        for label in self._labels:
            if label.key == key and label.reachable and label.isVisible():
                self.sig_entry_chosen.emit(key)
                return
