"""Input safety: the mouse wheel never changes a field without the keyboard, Escape never loses what was typed.

* `WheelGuard` (installed once by `ui.app.configure_application`): a wheel turned over a combo box, spin box or
  date field that does not have the keyboard scrolls the form around it instead of changing the value. It
  watches the application's windows (their `QWindow`s, which see a handful of events), never every widget's
  events: a filter on the whole application would be called for every paint and layout of every page.
* `ask_before_escape(dialog)`: Escape in a dialog cancels it, after a question when something was typed.
* `typed_values` / `has_typed`: what the officer typed in a part of a screen (to tell whether to ask).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QWheelEvent, QWindow
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

__all__ = [
    "DiscardQuestion",
    "EscapeGuard",
    "WheelGuard",
    "ask_before_escape",
    "ask_to_discard",
    "has_typed",
    "install_wheel_guard",
    "typed_values",
    "wheel_guard",
]

#: The widgets the wheel would change: combo boxes, spin boxes and date/time edits (a QAbstractSpinBox).
WHEEL_CHANGED = (QComboBox, QAbstractSpinBox)

_WHEEL = QEvent.Type.Wheel


def _value_widget_under(widget: QWidget | None, top: QWidget) -> QWidget | None:
    """The combo or spin box `widget` belongs to (itself or an ancestor below `top`), or None."""
    while widget is not None:
        if isinstance(widget, WHEEL_CHANGED):
            return widget
        if widget is top or isinstance(widget, QAbstractScrollArea):
            return None
        widget = widget.parentWidget()
    return None


def _has_keyboard(widget: QWidget) -> bool:
    """True when `widget` (or a part of it, like a combo's line edit) has the keyboard focus."""
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    """The scroll area whose viewport holds `widget`, or None."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return parent
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """Keeps the wheel from changing an unfocused combo box, spin box or date field: it scrolls instead.

    Watches each top-level window the application shows (`watch`), called for that window's own events only.
    `redirected` counts the wheel turns passed to a scroll area (tests read it).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.redirected = 0

    def watch(self, window: QWindow | None) -> None:
        """Guard a window's wheel turns (once per window)."""
        if window is None or window.property("wheel_guarded"):
            return
        window.setProperty("wheel_guarded", True)
        window.installEventFilter(self)

    def watch_widget(self, widget: QWidget) -> None:
        """Guard the window of a top-level widget (created with it when it has none yet)."""
        top = widget.window()
        handle = top.windowHandle()
        if handle is None:
            top.winId()  # creates the native window (the widget is shown in it later)
            handle = top.windowHandle()
        self.watch(handle)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        """A wheel turn over an unfocused value field goes to the scroll area around it (or nowhere)."""
        if event.type() != _WHEEL or not isinstance(watched, QWindow) or not isinstance(event, QWheelEvent):
            return False
        top = QWidget.find(watched.winId())
        if top is None:
            return False
        point = event.position().toPoint()
        target = _value_widget_under(top.childAt(point), top)
        if target is None or _has_keyboard(target) or not target.isEnabled():
            return False
        area = _scroll_area_of(target)
        if area is not None:
            viewport = area.viewport()
            local = QPointF(viewport.mapFrom(top, point))
            moved = QWheelEvent(local, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                                event.buttons(), event.modifiers(), event.phase(), event.inverted(),
                                event.source())
            QApplication.sendEvent(viewport, moved)
            self.redirected += 1
        return True  # the field itself never sees it


_guard: WheelGuard | None = None


def install_wheel_guard(app: QGuiApplication) -> WheelGuard:
    """Install the application's one wheel guard (idempotent): every window that gets the focus is watched,
    and the windows already shown."""
    global _guard
    if _guard is None:
        _guard = WheelGuard(app)
        app.focusWindowChanged.connect(_guard.watch)
        for window in app.topLevelWindows():
            _guard.watch(window)
    return _guard


def wheel_guard() -> WheelGuard | None:
    """The guard installed by `install_wheel_guard`, or None."""
    return _guard


# --------------------------------------------------------------------------------------------- what was typed


def typed_values(root: QWidget) -> tuple[object, ...]:
    """What can be typed or chosen under `root`, in a comparable form (texts, choices, ticks, numbers)."""
    values: list[object] = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLineEdit):
            values.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            values.append(widget.toPlainText())
        elif isinstance(widget, QTextEdit):
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append(widget.currentIndex())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
    return tuple(values)


def has_typed(root: QWidget) -> bool:
    """True when a text field under `root` that the officer can edit holds something."""
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLineEdit) and not widget.isReadOnly() and widget.text().strip():
            if not isinstance(widget.parentWidget(), WHEEL_CHANGED):
                return True
        elif isinstance(widget, QPlainTextEdit | QTextEdit) and not widget.isReadOnly() \
                and widget.toPlainText().strip():
            return True
    return False


class DiscardQuestion(QMessageBox):
    """«هل تريد … دون حفظ ما كتبت؟»: «لا، أكمل» is the default and Escape; «نعم» does what was asked."""

    def __init__(self, question: str, yes: str, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Question, "تأكيد", question, QMessageBox.StandardButton.NoButton, parent)
        self.setObjectName("discard_question")
        self.yes_button = self.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
        self.no_button = self.addButton("لا، أكمل", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.no_button)
        self.setEscapeButton(self.no_button)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)


def ask_to_discard(parent: QWidget, question: str, yes: str, proceed: Callable[[], None]) -> DiscardQuestion:
    """Ask (non-blocking, window-modal) before what was typed is dropped; `proceed()` only on «نعم»."""
    box = DiscardQuestion(question, yes, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(_result: int) -> None:
        if box.clickedButton() is box.yes_button:
            proceed()

    box.finished.connect(answered)
    box.open()
    return box


class EscapeGuard(QObject):
    """Escape in a dialog: cancels at once when nothing was typed since it opened, else asks first.

    The values are taken when the dialog is first shown (`typed_values`); a filter on the dialog alone.
    """

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._opened_with: tuple[object, ...] | None = None
        self.question: DiscardQuestion | None = None
        dialog.installEventFilter(self)

    def reset(self) -> None:
        """What is on the dialog now was saved: Escape closes it without asking until something changes."""
        self._opened_with = typed_values(self._dialog)

    def typed(self) -> bool:
        """True when something was typed or chosen since the dialog opened."""
        return self._opened_with is not None and typed_values(self._dialog) != self._opened_with

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        """Take the values at first show; catch Escape when it would drop what was typed."""
        kind = event.type()
        if kind == QEvent.Type.Show and self._opened_with is None:
            self._opened_with = typed_values(self._dialog)
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            if self.typed():
                if self.question is None or not self.question.isVisible():
                    self.question = ask_to_discard(
                        self._dialog, "ستُغلق هذه النافذة دون حفظ ما كتبته فيها. هل تريد إغلاقها؟",
                        "نعم، أغلقها دون حفظ", self._dialog.reject,
                    )
                return True
        return False


def ask_before_escape(dialog: QDialog) -> EscapeGuard:
    """Escape cancels `dialog`, with a question first when something was typed in it."""
    return EscapeGuard(dialog)
