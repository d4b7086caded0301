"""The officer's compact survey form (answers taken by phone or copied from a returned slip), and the case field."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from desktop.arabic_text import display_digits, isolate, ltr
from desktop.policy import is_rescue_profile
from desktop.policy_text import case_words
from desktop.reception import ReceptionService
from desktop.satisfaction.views import AnswerValue, QuestionView, SurveyDefinition

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["AnswerForm", "CaseField"]


class _ScaleChoice(QWidget):
    """Five radio buttons with the scale's Arabic labels (1 on the right); `sig_changed()` when one is chosen."""

    sig_changed = Signal()

    def __init__(self, question: QuestionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        self.group = QButtonGroup(self)
        for choice in question.choices:
            button = QRadioButton(f"{isolate(display_digits(str(choice.value)))} {choice.label_ar}", self)
            button.setObjectName(f"{question.question_id}_{choice.value}")
            self.group.addButton(button, choice.value)
            row.addWidget(button)
        row.addStretch(1)
        self.group.idClicked.connect(lambda _i: self.sig_changed.emit())

    def value(self) -> int | None:
        """The chosen point or None."""
        chosen = self.group.checkedId()
        return chosen if chosen >= 0 else None

    def set_value(self, value: int | None) -> None:
        """Choose a point (None clears)."""
        self.group.setExclusive(False)
        for button in self.group.buttons():
            button.setChecked(self.group.id(button) == value)
        self.group.setExclusive(True)


class AnswerForm(QWidget):
    """Every question of the survey on one compact form; `answers()` gives what was filled in.

    `sig_changed()` is emitted whenever an answer changes.
    """

    sig_changed = Signal()

    def __init__(self, definition: SurveyDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition = definition
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        row = 0
        for number, question in enumerate(definition.questions, start=1):
            mark = "" if question.required else " (اختياري)"
            title = QLabel(f"{isolate(display_digits(str(number)))}. {display_digits(question.text)}{mark}", self)
            title.setObjectName("question_text")
            title.setWordWrap(True)
            grid.addWidget(title, row, 0)
            row += 1
            widget: QWidget
            if question.kind == "scale5":
                scale = _ScaleChoice(question, self)
                scale.sig_changed.connect(self.sig_changed.emit)
                widget = scale
            elif question.kind == "recommend10":
                combo = QComboBox(self)
                combo.setObjectName(question.question_id)
                combo.addItem("لم يُجب", None)
                for value in range(11):
                    label = display_digits(str(value))
                    if value == 0 and question.min_label_ar:
                        label += f" — {question.min_label_ar}"
                    if value == 10 and question.max_label_ar:
                        label += f" — {question.max_label_ar}"
                    combo.addItem(label, value)
                combo.setMaximumWidth(320)
                combo.currentIndexChanged.connect(lambda _i: self.sig_changed.emit())
                widget = combo
            else:
                text = QPlainTextEdit(self)
                text.setObjectName(question.question_id)
                text.setPlaceholderText("ما قاله المستفيد بكلماته…")
                text.setFixedHeight(64)
                text.textChanged.connect(self.sig_changed.emit)
                widget = text
            grid.addWidget(widget, row, 0)
            self.inputs[question.question_id] = widget
            row += 1
            error = QLabel("", self)
            error.setObjectName("field_error")
            error.setStyleSheet("color: #a61b1b;")
            error.setVisible(False)
            grid.addWidget(error, row, 0)
            self.errors[question.question_id] = error
            row += 1

    def answers(self) -> dict[str, AnswerValue]:
        """The answers filled in (unanswered questions left out)."""
        result: dict[str, AnswerValue] = {}
        for question in self.definition.questions:
            value = self._value(question.question_id)
            if value is not None:
                result[question.question_id] = value
        return result

    def _value(self, question_id: str) -> AnswerValue | None:
        widget = self.inputs[question_id]
        if isinstance(widget, _ScaleChoice):
            return widget.value()
        if isinstance(widget, QComboBox):
            data = widget.currentData()
            return int(data) if data is not None else None
        assert isinstance(widget, QPlainTextEdit)
        return widget.toPlainText().strip() or None

    def set_answer(self, question_id: str, value: AnswerValue | None) -> None:
        """Fill one answer (tests and corrections)."""
        widget = self.inputs[question_id]
        if isinstance(widget, _ScaleChoice):
            widget.set_value(value if isinstance(value, int) else None)
        elif isinstance(widget, QComboBox):
            index = widget.findData(value) if value is not None else 0
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value or ""))

    def missing_required(self) -> list[str]:
        """Ids of required questions still unanswered; each gets its inline note."""
        answers = self.answers()
        missing = []
        for question in self.definition.questions:
            absent = question.required and question.question_id not in answers
            self.errors[question.question_id].setText("هذا السؤال مطلوب." if absent else "")
            self.errors[question.question_id].setVisible(absent)
            if absent:
                missing.append(question.question_id)
        return missing

    def show_error(self, question_id: str | None, message: str) -> bool:
        """Show a service error under its question; False when it names no question of the form."""
        if question_id in self.errors:
            self.errors[question_id].setText(message)
            self.errors[question_id].setVisible(True)
            return True
        return False

    def clear(self) -> None:
        """Empty the form for the next response."""
        for question in self.definition.questions:
            self.set_answer(question.question_id, None)
            self.errors[question.question_id].setVisible(False)


class CaseField(QWidget):
    """An optional case number, shown only when the policy links responses to cases."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        profile = workspace.loaded_profile  # read when the workspace opened: no database read on the GUI thread
        words = case_words(profile is not None and is_rescue_profile(profile))
        label = QLabel(f"رقم {words.noun.removeprefix('ال')} (اختياري):", self)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("survey_case_number")
        self.edit.setPlaceholderText(f"مثال: {ltr('A1F3-1447-000123')}")
        self.edit.setMaximumWidth(240)
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        label.setBuddy(self.edit)
        row.addWidget(label)
        row.addWidget(self.edit)
        row.addStretch(1)
        self.active = True

    def number(self) -> str:
        """The case number typed ("" when empty or when the policy keeps responses anonymous)."""
        return self.edit.text().strip() if self.active else ""

    def lookup(self, number: str) -> UUID | None:
        """The case id of a typed number (safe on a worker thread); InputError in Arabic when unknown."""
        if not number:
            return None
        return ReceptionService(self._workspace).case_by_number(number).case_id

    def clear(self) -> None:
        """Empty the field."""
        self.edit.clear()
