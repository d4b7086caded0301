"""Input safety (issue 12): the wheel never changes an unfocused value field, Escape in a dialog cancels or asks,
placeholders and titles with Latin parts are isolated, file dialogs are Qt's own (Arabic)."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import has_arabic
from ui.cases.dialogs import CloseDialog
from ui.file_dialogs import file_dialog
from ui.input_safety import DiscardQuestion, wheel_guard
from ui.reception.fields import FieldForm
from ui.reception.particulars_form import ParticularsForm

UI = Path(__file__).resolve().parents[2] / "ui"


def _turn_wheel(window: QWidget, widget: QWidget, steps: int = -1) -> None:
    """One notch of the wheel over the middle of `widget`, as the window system delivers it (to the window)."""
    local = QPointF(widget.mapTo(window, QPoint(widget.width() // 2, widget.height() // 2)))
    event = QWheelEvent(local, QPointF(window.mapToGlobal(local.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(window.windowHandle(), event)


@pytest.fixture
def form_in_scroll_area(qtbot) -> tuple[QWidget, QScrollArea, QComboBox, QSpinBox, QDateEdit, QLineEdit]:
    """A tall form in a scroll area: a line edit (with the keyboard), then a combo, a spin box and a date."""
    window = QWidget()
    qtbot.addWidget(window)
    outer = QVBoxLayout(window)
    area = QScrollArea(window)
    area.setWidgetResizable(True)
    holder = QWidget()
    column = QVBoxLayout(holder)
    line = QLineEdit(holder)
    column.addWidget(line)
    combo = QComboBox(holder)
    combo.addItems(["الرياض", "جدة", "الدمام"])
    spin = QSpinBox(holder)
    spin.setValue(5)
    date = QDateEdit(holder)
    date.setDate(QDate(2025, 1, 1))
    for widget in (combo, spin, date):
        column.addWidget(widget)
    for number in range(60):
        column.addWidget(QLabel(f"سطر {number}", holder))
    area.setWidget(holder)
    outer.addWidget(area)
    window.resize(500, 300)
    window.show()
    qtbot.waitExposed(window)
    guard = wheel_guard()
    assert guard is not None  # installed by configure_application
    guard.watch_widget(window)
    line.setFocus()
    return window, area, combo, spin, date, line


def test_wheel_over_unfocused_fields_scrolls_the_form_and_changes_nothing(form_in_scroll_area) -> None:
    """The combo, the spin box and the date keep their values; the form scrolls instead."""
    window, area, combo, spin, date, _line = form_in_scroll_area
    bar = area.verticalScrollBar()
    for widget in (combo, spin, date):
        before = bar.value()
        _turn_wheel(window, widget)
        assert bar.value() > before, widget
        bar.setValue(0)
        QApplication.processEvents()
    assert combo.currentIndex() == 0 and spin.value() == 5 and date.date() == QDate(2025, 1, 1)


def test_wheel_over_the_focused_combo_still_chooses(form_in_scroll_area) -> None:
    """A combo the officer clicked into (it has the keyboard) turns with the wheel as usual."""
    window, area, combo, _spin, _date, _line = form_in_scroll_area
    combo.setFocus()
    _turn_wheel(window, combo)
    assert combo.currentIndex() == 1
    assert area.verticalScrollBar().value() == 0


def test_escape_in_a_dialog_cancels_or_asks(qtbot) -> None:
    """Nothing typed: Escape closes the dialog. A reason typed: Escape asks (no is the default) and keeps it."""
    empty = CloseDialog(None, uuid.uuid4())  # type: ignore[arg-type]  # the service is not reached
    qtbot.addWidget(empty)
    empty.show()
    qtbot.waitExposed(empty)
    QTest.keyClick(empty.reason, Qt.Key.Key_Escape)
    assert not empty.isVisible()

    typed = CloseDialog(None, uuid.uuid4())  # type: ignore[arg-type]
    qtbot.addWidget(typed)
    typed.show()
    qtbot.waitExposed(typed)
    typed.reason.setFocus()
    QTest.keyClicks(typed.reason, "done")
    QTest.keyClick(typed.reason, Qt.Key.Key_Escape)
    question = typed.findChild(DiscardQuestion)
    assert typed.isVisible() and question is not None and question.isVisible()
    assert question.defaultButton() is question.no_button
    question.yes_button.click()
    qtbot.waitUntil(lambda: not typed.isVisible(), timeout=1000)


def test_an_error_goes_when_its_choice_is_made(qtbot) -> None:
    """A combo's error is cleared once another entry is chosen (as typing clears a text field's)."""
    form = FieldForm()
    qtbot.addWidget(form)
    combo = QComboBox(form)
    combo.addItems(["— اختر —", "زيارة"])
    form.add("how", "الطريقة:", combo)
    form.show()
    form.set_error("how", "اختر الطريقة")
    assert form.error("how") == "اختر الطريقة"
    combo.setCurrentIndex(1)
    assert form.error("how") is None


def test_placeholders_with_latin_parts_are_isolated(qtbot) -> None:
    """The mobile's example keeps its order: drawn left to right inside the right-to-left field."""
    form = ParticularsForm()
    qtbot.addWidget(form)
    assert form.mobile.placeholderText().startswith("\u2066")


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _latin_outside_isolates(text: str) -> bool:
    """True when a literal mixes Arabic with Latin letters or digits (which would need an isolate)."""
    return has_arabic(text) and any(ch.isascii() and ch.isalnum() for ch in text)


def test_every_placeholder_and_title_isolates_its_latin_parts() -> None:
    """In ui/, a placeholder or window title never puts Latin letters or digits straight into Arabic text, and a
    number or path put into one goes through ltr() or isolate()."""
    found: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            arguments: list[ast.expr] = []
            if _call_name(node) in ("setPlaceholderText", "setWindowTitle") and node.args:
                arguments.append(node.args[0])
            arguments += [k.value for k in node.keywords if k.arg == "placeholder"]
            for argument in arguments:
                where = f"{path.relative_to(UI.parent)}:{argument.lineno}"
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    if _latin_outside_isolates(argument.value):
                        found.append(where)
                elif isinstance(argument, ast.JoinedStr):
                    for part in argument.values:
                        if isinstance(part, ast.Constant) and _latin_outside_isolates(str(part.value)):
                            found.append(where)
                        elif isinstance(part, ast.FormattedValue):
                            source = ast.unparse(part.value)
                            wrapped = isinstance(part.value, ast.Call) and _call_name(part.value) in ("ltr", "isolate")
                            if any(word in source for word in ("number", "path", "phone", "mobile")) and not wrapped:
                                found.append(where)
    assert not found, found


def test_file_dialogs_are_qt_own_everywhere(qtbot) -> None:
    """The helper's dialog is non-native (Arabic from qtbase_ar.qm); no screen calls the static native ones."""
    dialog = file_dialog(None, "اختيار ملف", "", "PDF (*.pdf)")
    qtbot.addWidget(dialog)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    save = file_dialog(None, "حفظ", "", "PDF (*.pdf)", save=True)
    qtbot.addWidget(save)
    assert save.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert save.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    static = ("getOpenFileName", "getSaveFileName", "getExistingDirectory", "getOpenFileNames")
    for path in UI.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not any(f"QFileDialog.{name}" in text for name in static), path
        if path.name != "file_dialogs.py":
            assert "QFileDialog(" not in text, path
