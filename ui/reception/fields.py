"""Field widgets of the reception pages: a form with inline Arabic errors, a date in either calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from desktop.arabic_text import identifier_text, isolate, to_latin_digits
from desktop.errors import InputError
from desktop.hijri import RIYADH, format_gregorian, format_hijri, parse_date_either, parse_date_noted
from ui.widgets.wrapped_label import WrappedLabel


def riyadh_today() -> date:
    """Today's date in Saudi Arabia."""
    return datetime.now(RIYADH).date()


class ErrorLabel(WrappedLabel):
    """The red line under a field: hidden while there is nothing to say, yet its line is always kept.

    The slot keeps one line's height whether shown or hidden, so an error appearing or going away while the
    officer types does not move the fields below it. `field` is the widget it speaks of (focused when the
    error is the first on a refused page).
    """

    def __init__(self, parent: QWidget, name: str, field: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.field = field
        self.setObjectName("field_error")
        self.setProperty("field", name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.setVisible(False)

    def _line(self) -> int:
        """The height of one line of message, measured as the label measures its text."""
        margins = self.contentsMargins()
        one = self.fontMetrics().boundingRect(0, 0, 2000, 2000, int(Qt.TextFlag.TextWordWrap), "عA").height()
        return one + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        """At least one line high, even empty."""
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self._line()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        """At least one line high, even empty."""
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self._line()))

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt naming)
        """The wrapped message's height, never less than one line."""
        return max(super().heightForWidth(width), self._line())

    def set_reserved(self, reserved: bool) -> None:
        """Keep the line's place while hidden (a field shown), or give it up (its field hidden too)."""
        policy = self.sizePolicy()
        if policy.retainSizeWhenHidden() != reserved:
            policy.setRetainSizeWhenHidden(reserved)
            self.setSizePolicy(policy)

    def show_message(self, message: str | None) -> None:
        """Show `message` (or hide the line, keeping its place, with None); only what changes is touched."""
        if self.text() != (message or ""):
            self.setText(message or "")
        if self.isHidden() == bool(message):
            self.setVisible(bool(message))


def error_label(parent: QWidget, name: str, field: QWidget | None = None) -> ErrorLabel:
    """A red line under a field (`field`, focused when its error is the first of a refusal), its place kept."""
    return ErrorLabel(parent, name, field)


def clear_when_edited(widget: QWidget, clear: Callable[[], None]) -> None:
    """Call `clear` once the officer changes `widget` (typed text, a choice, a tick, a date, a number)."""
    targets = [widget, *widget.findChildren(QLineEdit), *widget.findChildren(QPlainTextEdit)]
    for target in targets:
        for signal_name in _EDIT_SIGNALS:
            signal = getattr(target, signal_name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(lambda *_args: clear())
                break


#: The first of these a widget has is the one that means "the officer changed it".
_EDIT_SIGNALS = ("textChanged", "sig_changed", "currentIndexChanged", "toggled", "valueChanged")


def first_error(root: QWidget) -> QLabel | None:
    """The error shown highest on `root` (then the right-most: the reading order), or None."""
    shown: list[tuple[int, int, QLabel]] = []
    for label in root.findChildren(QLabel):
        if label.objectName() in ("field_error", "page_error", "dialog_error") and label.text() \
                and label.isVisibleTo(root) and not label.property("warning"):
            at = label.mapTo(root, QPoint(label.width(), 0))
            shown.append((at.y(), -at.x(), label))
    if not shown:
        return None
    return min(shown, key=lambda entry: (entry[0], entry[1]))[2]


def bring_error_into_view(root: QWidget, scroll_area: QAbstractScrollArea | None) -> QWidget | None:
    """Focus the field of the first error shown on `root` and scroll so both the field and its error are seen.

    Returns the field focused (or the error label when it names no field), None when no error is shown.
    Layout requests pending (an error just shown) are handled first, so the positions are the new ones.
    """
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    label = first_error(root)
    if label is None:
        return None
    field = label.field if isinstance(label, ErrorLabel) else None
    target: QWidget = label
    if field is not None and field.isVisibleTo(root):
        focus = field.focusProxy() or field
        if focus.isEnabled() and focus.focusPolicy() != Qt.FocusPolicy.NoFocus:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        target = field
    holder = scroll_area.widget() if isinstance(scroll_area, QScrollArea) else None
    if isinstance(scroll_area, QScrollArea) and holder is not None and holder.isAncestorOf(target):
        top = target.mapTo(holder, QPoint(0, 0)).y()
        bottom = label.mapTo(holder, QPoint(0, label.height())).y()
        top, bottom = min(top, bottom - label.height()), max(bottom, top + target.height())
        x = target.mapTo(holder, QPoint(target.width() // 2, 0)).x()
        middle = (top + bottom) // 2
        scroll_area.ensureVisible(x, middle, 10, (bottom - top) // 2 + 12)
    return target


def wrapped_label(
    text: str, parent: QWidget, *, name: str | None = None, rich: bool = False, selectable: bool = True
) -> QLabel:
    """A word-wrapped label, selectable unless told otherwise (a fixed wording: laid out at half the cost)."""
    label = WrappedLabel("", parent)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setText(text)
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
        self.errors: dict[str, ErrorLabel] = {}
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
        error = error_label(self, name, editor)
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
        """Once the officer edits a field (types, chooses, ticks), its error and its red frame go away until it is
        checked again."""
        clear_when_edited(editor, lambda n=name: self.set_error(n, None))  # type: ignore[misc]

    def set_error(self, name: str, message: str | None) -> None:
        """Show (or clear, with None) the inline error of one field (only what changes is touched: re-styling a
        field is not free)."""
        label = self.errors.get(name)
        if label is None:
            return
        label.show_message(message)
        editor = self.editors.get(name)
        if editor is not None and bool(editor.property("invalid")) != bool(message):
            editor.setProperty("invalid", bool(message))
            editor.style().unpolish(editor)
            editor.style().polish(editor)

    def set_row_visible(self, name: str, visible: bool) -> None:
        """Show or hide one field with its caption (its error is cleared when hidden)."""
        self.captions[name].setVisible(visible)
        self.editors[name].setVisible(visible)
        self.errors[name].set_reserved(visible)
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
        self.edit.setToolTip(
            f"اكتب التاريخ هجريًا مثل {identifier_text('1446/03/15')} أو ميلاديًا مثل {identifier_text('2024/09/18')}"
        )
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
