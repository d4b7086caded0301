"""«تصحيح البيانات»: the verified particulars opened for a correction with a written reason.

The wizard's verify page (once verified) and the case file both open it; they pass the service call to make
(`ReceptionService.correct_particulars` or `CaseFileService.correct_particulars`), run through `ui.ops`. The ID
number and its kind cannot be corrected and look read-only; every other field is checked inline by the same
function the service enforces. The service refuses a correction without a reason, and says which role may
correct a registered case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui.ops import run_write
from ui.input_safety import ask_before_escape
from ui.reception.fields import FieldForm, NoteEdit, bring_error_into_view, wrapped_label
from ui.reception.particulars_form import ParticularsForm
from ui.reception.style import RECEPTION_STYLE

if TYPE_CHECKING:
    from desktop.reception import BeneficiaryView, CorrectionResult, ParticularsInput

__all__ = ["CorrectionDialog", "correction_summary"]

#: Why the ID cannot be corrected (the tooltip of its read-only field).
ID_LOCKED = "رقم الهوية ونوعها لا يُصحَّحان: رقم آخر يعني مستفيدًا آخر؛ ابحث به وافتح ملفه"


def correction_summary(result: CorrectionResult) -> str:
    """The message line's sentence after a correction (worded by the service: counts agreed there)."""
    return result.summary


class CorrectionDialog(QDialog):
    """The particulars, the ID locked, and «سبب التصحيح»; «حفظ التصحيح» runs the correction through `ui.ops`.

    Signals: `sig_corrected(CorrectionResult)` once the service recorded the correction (the dialog then closes).
    """

    sig_corrected = Signal(object)

    def __init__(
        self,
        beneficiary: BeneficiaryView,
        correct: Callable[[ParticularsInput, str, bool], CorrectionResult],
        *,
        household_required: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("correction_dialog")
        self.setWindowTitle("تصحيح بيانات المستفيد")
        self.setStyleSheet(RECEPTION_STYLE)
        self.setMinimumWidth(760)
        self._correct = correct
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped_label(
            "صحّح ما أُدخل خطأً واكتب سبب التصحيح. يُسجَّل كل حقل تغيّر (القيمة السابقة والجديدة) في السجل "
            "الزمني للحالة. إن كان الإقرار قد وُقّع فسيُطبع الإقرار المصحح ليوقّعه المستفيد من جديد.",
            self, name="correction_intro",
        ))
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        holder = QWidget()
        column = QVBoxLayout(holder)
        self.personal = ParticularsForm(holder)
        self.personal.set_household_required(household_required)
        self.personal.fill_empty_from(beneficiary)
        self.personal.lock_identity(ID_LOCKED)
        column.addWidget(self.personal)
        self.reason_form = FieldForm(holder)
        self.reason = NoteEdit(holder, lines=3, placeholder="مثال: خطأ إملائي في اسم العائلة")
        self.reason.setObjectName("correction_reason")
        self.reason_form.add("reason", "سبب ال&تصحيح:", self.reason, wide=True)
        column.addWidget(self.reason_form)
        self.requested = QCheckBox("طلب المستفيد هذا التصحيح بنفسه (حقه في تصحيح بياناته)", holder)
        self.requested.setObjectName("correction_requested_by_person")
        column.addWidget(self.requested)
        column.addStretch(1)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)
        self.scroll_area = scroll
        self.message = QLabel(self)
        self.message.setObjectName("dialog_error")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("حفظ التصحيح", self)
        self.save_button.setObjectName("save_correction")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("إلغاء", self)
        self.cancel_button.setObjectName("cancel_correction")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.resize(820, 640)
        ask_before_escape(self)

    def submit(self) -> None:
        """Check the fields here (as the service will), then record the correction off the GUI thread."""
        self._say(None)
        self.reason_form.set_error("reason", None)
        first_bad = self.personal.check_all()
        if first_bad is not None:
            bring_error_into_view(self, self.scroll_area)
            return
        typed, reason, correct = self.personal.typed(), self.reason.text(), self._correct
        asked = self.requested.isChecked()
        self.save_button.setEnabled(False)
        self.save_button.setText("جارٍ الحفظ…")
        run_write(self, lambda: correct(typed, reason, asked), self._saved, self._refused, where="reception.correction")

    def _release(self) -> None:
        self.save_button.setEnabled(True)
        self.save_button.setText("حفظ التصحيح")

    def _saved(self, result: CorrectionResult) -> None:
        self._release()
        self.sig_corrected.emit(result)
        self.accept()

    def _refused(self, message: str, error: BaseException) -> None:
        self._release()
        field = getattr(error, "field", None)
        if field == "reason":
            self.reason_form.set_error("reason", message)
        elif field in self.personal.form.errors:
            self.personal.form.set_error(field, message)
        else:
            self._say(message)
        bring_error_into_view(self, self.scroll_area)

    def _say(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))
