"""Field widgets of the reception pages: a form with inline Arabic errors, a date in either calendar."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from desktop.arabic_text import display_digits, isolate, to_latin_digits
from desktop.errors import InputError
from desktop.hijri import RIYADH, format_gregorian, format_hijri, parse_date_either, parse_date_noted


def riyadh_today() -> date:
    """Today's date in Saudi Arabia."""
    return datetime.now(RIYADH).date()


def error_label(parent: QWidget, name: str) -> QLabel:
    """A red line under a field, hidden while there is nothing to say."""
    label = QLabel(parent)
    label.setObjectName("field_error")
    label.setProperty("field", name)
    label.setWordWrap(True)
    label.setVisible(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def wrapped_label(
    text: str, parent: QWidget, *, name: str | None = None, rich: bool = False, selectable: bool = True
) -> QLabel:
    """A word-wrapped label, selectable unless told otherwise (a fixed wording: laid out at half the cost)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class NoteEdit(QPlainTextEdit):
    """A few lines of free text; Tab moves on (it never types a tab), Enter makes a new line."""

    def __init__(self, parent: QWidget | None = None, *, lines: int = 3, placeholder: str = "") -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setPlaceholderText(placeholder)
        height = self.fontMetrics().lineSpacing() * lines + 18
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        """The text typed."""
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming, like QLineEdit)
        """Replace the text (keeps the cursor at the end)."""
        if text != self.toPlainText():
            self.setPlainText(text)


class FieldForm(QWidget):
    """A form of captioned fields, in one or two columns, where every field has its own inline error line."""

    def __init__(self, parent: QWidget | None = None, *, columns: int = 1) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(2)
        self._columns = 2 if columns == 2 else 1
        for column in range(self._columns):
            self._grid.setColumnStretch(column * 2 + 1, 1)
        self._rows = 0
        self._slot = 0
        self.errors: dict[str, QLabel] = {}
        self.editors: dict[str, QWidget] = {}
        self.captions: dict[str, QLabel] = {}

    def add(self, name: str, caption: str, editor: QWidget, *, hint: str = "", wide: bool = False) -> QWidget:
        """Add a captioned field (`wide`: across both columns); `caption` may carry an & mnemonic."""
        if wide and self._slot:
            self._rows += 3
            self._slot = 0
        column = self._slot * 2
        span = 3 if (wide and self._columns == 2) else 1
        label = QLabel(caption, self)
        label.setObjectName("field_caption")
        label.setBuddy(editor)
        label.setAlignment(Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._grid.addWidget(label, self._rows, column)
        self._grid.addWidget(editor, self._rows, column + 1, 1, span)
        if hint:
            note = QLabel(hint, self)
            note.setObjectName("field_hint")
            note.setWordWrap(True)
            self._grid.addWidget(note, self._rows + 1, column + 1, 1, span)
        error = error_label(self, name)
        self._grid.addWidget(error, self._rows + 2, column + 1, 1, span)
        if wide or self._columns == 1 or self._slot == 1:
            self._rows += 3
            self._slot = 0
        else:
            self._slot = 1
        self.errors[name] = error
        self.editors[name] = editor
        self.captions[name] = label
        editor.setAccessibleName(caption.replace("&", ""))
        self.clear_error_on_edit(name, editor)
        return editor

    def clear_error_on_edit(self, name: str, editor: QWidget) -> None:
        """Once the officer edits a field, its error (and its red frame) goes away until it is checked again."""
        targets = [editor, *editor.findChildren(QLineEdit), *editor.findChildren(QPlainTextEdit)]
        for target in targets:
            signal = getattr(target, "textChanged", None)
            if signal is not None:
                signal.connect(lambda *_args, n=name: self.set_error(n, None))

    def set_error(self, name: str, message: str | None) -> None:
        """Show (or clear, with None) the inline error of one field (only what changes is touched: re-styling a
        field is not free)."""
        label = self.errors.get(name)
        if label is None:
            return
        if label.text() != (message or ""):
            label.setText(message or "")
        if label.isVisibleTo(self) != bool(message):
            label.setVisible(bool(message))
        editor = self.editors.get(name)
        if editor is not None and bool(editor.property("invalid")) != bool(message):
            editor.setProperty("invalid", bool(message))
            editor.style().unpolish(editor)
            editor.style().polish(editor)

    def set_row_visible(self, name: str, visible: bool) -> None:
        """Show or hide one field with its caption (its error is cleared when hidden)."""
        self.captions[name].setVisible(visible)
        self.editors[name].setVisible(visible)
        if not visible:
            self.set_error(name, None)

    def error(self, name: str) -> str | None:
        """The inline error shown for a field, or None."""
        label = self.errors.get(name)
        return label.text() if label is not None and label.isVisibleTo(self) and label.text() else None

    def clear_errors(self) -> None:
        """Hide every inline error."""
        for name in self.errors:
            self.set_error(name, None)


class DualDateField(QWidget):
    """A date typed in Hijri or Gregorian; the same day in the other calendar is shown live beside it.

    `sig_changed()`: emitted whenever the typed text changes.
    """

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "هجري أو ميلادي") -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMaximumWidth(150)
        self.edit.setToolTip(display_digits("اكتب التاريخ هجريًا مثل 1446/03/15 أو ميلاديًا مثل 2024/09/18"))
        self.other = QLabel(self)
        self.other.setObjectName("date_other_calendar")
        self.other.setWordWrap(True)  # the note about a day 30 of a 29-day month is a sentence
        row.addWidget(self.edit)
        row.addWidget(self.other, 1)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._on_text)

    def text(self) -> str:
        """What was typed."""
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        """Put a date text in the field."""
        self.edit.setText(text)

    def value(self) -> date | None:
        """The date typed, or None when empty or not a valid date."""
        try:
            return parse_date_either(self.edit.text()) if self.edit.text().strip() else None
        except InputError:
            return None

    def problem(self) -> str | None:
        """Why the text is not a date (Arabic), or None when empty or valid."""
        if not self.edit.text().strip():
            return None
        try:
            parse_date_either(self.edit.text())
        except InputError as error:
            return error.message_ar
        return None

    def _on_text(self, text: str) -> None:
        """Show the other calendar's date as the officer types."""
        self.other.setText(other_calendar_text(text))
        self.sig_changed.emit()


def other_calendar_text(text: str) -> str:
    """"يوافق …" with the date in the calendar the officer did not type, or "" when it is not a date yet.

    A Hijri day 30 of a month Umm al-Qura makes 29 days is accepted as its last day: the note saying so
    (both calendars in it) is shown instead.
    """
    if not text.strip():
        return ""
    try:
        value, note = parse_date_noted(text)
    except InputError:
        return ""
    if note is not None:
        return note
    digits = to_latin_digits(text)
    year = next((int(part) for part in _number_parts(digits) if len(part) >= 3), 0)
    if 0 < year < 1600:
        return f"يوافق {isolate(format_gregorian(value))}"
    return f"يوافق {isolate(format_hijri(value))}"


def _number_parts(text: str) -> list[str]:
    """Runs of digits in a text."""
    parts: list[str] = []
    current = ""
    for ch in text:
        if ch.isdigit():
            current += ch
        elif current:
            parts.append(current)
            current = ""
    if current:
        parts.append(current)
    return parts


def date_text(value: date | None) -> str:
    """A date for a field, in Hijri with Latin digits (what the officer would type), or ""."""
    return format_hijri(value, arabic_digits=False) if value is not None else ""
