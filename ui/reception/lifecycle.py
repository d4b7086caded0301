"""A reception's lifecycle asked of the officer: leave it for later, abandon it with a reason, or continue an open case.

Three small dialogs, each non-blocking (`open()`, the answer in `finished`), whose default and Escape are always the
safe choice — stay, «لا», continue the open case — never abandoning or doubling a case:

* `AbandonDialog`: abandon a case? A reason is required before «نعم، اترك الحالة» can be pressed; «لا» is the default.
* `UnfinishedReceptionDialog`: the window closes, the desk quits or the section changes with a reception unfinished:
  stay (default), continue later (the draft stays), or abandon with a reason.
* `OpenCaseDialog`: the person looked up has a case not closed: continue it (default), or open another case with a
  stated reason.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.arabic_text import identifier_text
from desktop.reception import CASE_WORDS, CaseWords

__all__ = ["AbandonDialog", "LeaveChoice", "OpenCaseDialog", "UnfinishedReceptionDialog", "unfinished_text"]


class LeaveChoice(StrEnum):
    """What the officer chose for an unfinished reception: stay on it, continue it later, or abandon it."""

    STAY = "stay"
    LATER = "later"
    ABANDON = "abandon"


def unfinished_text(case_number: str, step_title: str | None, words: CaseWords = CASE_WORDS) -> str:
    """«The case … has not finished its reception (at step …)» with the number isolated (a report: «البلاغ»)."""
    where = f" عند خطوة «{step_title}»" if step_title else ""
    return f"لم يكتمل استقبال {words.noun} رقم {identifier_text(case_number)}{where}."


class _ReasonDialog(QDialog):
    """A right-to-left dialog with a text, a reason line and buttons; the first button added is the safe default."""

    def __init__(self, title: str, text: str, reason_caption: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.text_label = QLabel(text, self)
        self.text_label.setObjectName("lifecycle_text")
        self.text_label.setWordWrap(True)
        layout.addWidget(self.text_label)
        caption = QLabel(reason_caption, self)
        caption.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("lifecycle_reason")
        self.reason_edit.setMaxLength(1000)
        caption.setBuddy(self.reason_edit)
        layout.addWidget(caption)
        layout.addWidget(self.reason_edit)
        self.buttons = QHBoxLayout()
        layout.addLayout(self.buttons)
        self._needs_reason: list[QPushButton] = []
        self.reason_edit.textChanged.connect(self._reason_changed)

    def _button(self, text: str, name: str, *, safe: bool = False, needs_reason: bool = False) -> QPushButton:
        """A button of the dialog: the safe one is the default (Enter); one that needs a reason waits for it."""
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(safe)
        button.setDefault(safe)
        if needs_reason:
            button.setEnabled(False)
            self._needs_reason.append(button)
        self.buttons.addWidget(button)
        return button

    def _reason_changed(self, text: str) -> None:
        for button in self._needs_reason:
            button.setEnabled(bool(text.strip()))

    def reason(self) -> str:
        """The reason typed (stripped)."""
        return self.reason_edit.text().strip()


class AbandonDialog(_ReasonDialog):
    """Abandon a case? Needs a reason; «لا» is the default and Escape; accepted only by «نعم، اترك الحالة»."""

    def __init__(self, case_number: str, parent: QWidget | None = None, words: CaseWords = CASE_WORDS) -> None:
        w = words
        super().__init__(
            f"ترك {w.noun}",
            f"هل تريد ترك {w.noun} رقم {identifier_text(case_number)} دون إكمال{w.pick('ها', 'ه')}؟ "
            f"{w.pick('ستُغلق', 'سيُغلق')} و{w.pick('تُسجَّل', 'يُسجَّل')} {w.pick('متروكة', 'متروكًا')} مع سبب{w.pick('ها', 'ه')}.",
            f"&سبب ترك {w.noun} (مطلوب):",
            parent,
        )
        self.setObjectName("abandon_dialog")
        self.no_button = self._button("لا", "abandon_no", safe=True)
        self.yes_button = self._button(f"نعم، اترك {w.noun}", "abandon_yes", needs_reason=True)
        self.no_button.clicked.connect(self.reject)
        self.yes_button.clicked.connect(self._confirm)

    def _confirm(self) -> None:
        if self.reason():
            self.accept()


class UnfinishedReceptionDialog(_ReasonDialog):
    """The desk is closing or changing section with a reception unfinished: stay (default, Escape), continue
    later, or abandon with a reason. `leaving` says what the officer asked for («قبل إغلاق البرنامج»);
    `choice()` after it finished."""

    def __init__(self, case_number: str, step_title: str | None, leaving: str, parent: QWidget | None = None,
                 words: CaseWords = CASE_WORDS) -> None:
        w = words
        it = w.pick("ها", "ه")
        super().__init__(
            "استقبال لم يكتمل",
            f"{leaving}: {unfinished_text(case_number, step_title, w)}\n"
            f"يمكنك متابعت{it} لاحقًا (يبقى كل ما كُتب في{it} محفوظًا و{w.pick('تظهر', 'يظهر')} في قائمة "
            f"{w.plural} غير المكتملة)، أو ترك{it} مع كتابة السبب، أو البقاء في{it}.",
            f"&سبب ترك {w.noun} (لترك{it} فقط):",
            parent,
        )
        self.setObjectName("unfinished_reception_dialog")
        self._choice = LeaveChoice.STAY
        self.stay_button = self._button(f"البقاء في {w.noun}", "leave_stay", safe=True)
        self.later_button = self._button(f"متابعت{it} لاحقًا", "leave_later")
        self.abandon_button = self._button(f"ترك {w.noun}", "leave_abandon", needs_reason=True)
        self.stay_button.clicked.connect(self.reject)
        self.later_button.clicked.connect(lambda: self._choose(LeaveChoice.LATER))
        self.abandon_button.clicked.connect(lambda: self._choose(LeaveChoice.ABANDON))

    def _choose(self, choice: LeaveChoice) -> None:
        if choice is LeaveChoice.ABANDON and not self.reason():
            return
        self._choice = choice
        self.accept()

    def choice(self) -> LeaveChoice:
        """What was chosen (stay unless «later» or «abandon» was pressed)."""
        return self._choice if self.result() == QDialog.DialogCode.Accepted else LeaveChoice.STAY


class OpenCaseDialog(_ReasonDialog):
    """The person has a case not closed: continue it (default, Enter) or open another with a reason; Escape cancels.

    `opens_another()` after it was accepted tells which.
    """

    def __init__(self, who: str, case_number: str, status_label: str, step_title: str,
                 parent: QWidget | None = None) -> None:
        where = f" عند خطوة «{step_title}»" if step_title else ""
        super().__init__(
            "للمستفيد حالة مفتوحة",
            f"للمستفيد {who} حالة لم تُغلق بعد: رقم {identifier_text(case_number)} ({status_label}){where}.\n"
            "تابع تلك الحالة بدل فتح حالة ثانية؛ ولا تُفتح حالة أخرى له إلا بسبب يُكتب ويُسجَّل.",
            "&سبب فتح حالة أخرى (لفتحها فقط):",
            parent,
        )
        self.setObjectName("open_case_dialog")
        self._another = False
        self.continue_button = self._button("متابعة الحالة المفتوحة", "continue_open_case", safe=True)
        self.another_button = self._button("فتح حالة أخرى", "open_another_case", needs_reason=True)
        self.cancel_button = self._button("إلغاء", "open_case_cancel")
        self.continue_button.clicked.connect(self.accept)
        self.another_button.clicked.connect(self._another_case)
        self.cancel_button.clicked.connect(self.reject)

    def _another_case(self) -> None:
        if self.reason():
            self._another = True
            self.accept()

    def opens_another(self) -> bool:
        """True when the officer chose to open another case (with the reason typed)."""
        return self._another
