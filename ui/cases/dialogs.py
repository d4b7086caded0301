"""Small action dialogs of the case file: complete the registration, record a service, record that the beneficiary
was informed, close."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import isolate
from desktop.casedesk import INFORMED_HOW, CommitteeService, ServiceDelivery, ServiceInput
from ui.cases.common import hold_until_done, message_line, show_message
from ui.cases.style import CASEDESK_STYLE
from ui.ops import run_write
from ui.input_safety import ask_before_escape
from ui.reception.fields import DualDateField, FieldForm, NoteEdit, bring_error_into_view


class ActionDialog(QDialog):
    """A captioned form with «حفظ» and «إلغاء»: the service call is a write through `ui.ops`; errors stay inline.

    Subclasses fill `self.form` and implement `work()` (returning the call to run, or None when a field is
    wrong — they set the field's error). «حفظ» is held («جارٍ الحفظ…») while the write is in flight.
    `sig_done(result)` is emitted with the service's answer once it accepted the action (then the dialog closes).
    """

    sig_done = Signal(object)

    def __init__(self, title: str, parent: QWidget | None = None, *, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(CASEDESK_STYLE)
        self.setMinimumWidth(560)
        self.result_value: Any = None
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        if intro:
            note = QLabel(intro, self)
            note.setObjectName("case_summary")
            note.setWordWrap(True)
            layout.addWidget(note)
        self.form = FieldForm(self)
        layout.addWidget(self.form)
        self.message = message_line(self)
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("حفظ", self)
        self.save_button.setObjectName("save_action")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("إلغاء", self)
        self.cancel_button.setObjectName("cancel_action")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        ask_before_escape(self)

    def work(self) -> Callable[[], Any] | None:
        """The service call to make with what was typed, or None (errors shown)."""
        raise NotImplementedError

    def submit(self) -> None:
        """Check the fields, then save through the writer of `ui.ops`."""
        self.form.clear_errors()
        show_message(self.message, None)
        call = self.work()
        if call is None:
            bring_error_into_view(self, None)
            return
        saved, refused = hold_until_done(self.save_button, "جارٍ الحفظ…", self._saved, self._refused)
        run_write(self, call, saved, refused, where=f"casedesk.{self.objectName() or 'action'}")

    def _saved(self, result: Any) -> None:
        self.result_value = result
        self.sig_done.emit(result)
        self.accept()

    def _refused(self, message: str, error: BaseException) -> None:
        field = getattr(error, "field", None)
        if field and field in self.form.errors:
            self.form.set_error(field, message)
        else:
            show_message(self.message, message)
        bring_error_into_view(self, None)


def _required(form: FieldForm, name: str, value: str, message: str) -> bool:
    if value.strip():
        return True
    form.set_error(name, message)
    return False


class ServiceDialog(ActionDialog):
    """Record a service or support delivered on an accepted case: kind, amount and/or in kind, date."""

    def __init__(self, delivery: ServiceDelivery, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__("تسجيل خدمة مقدَّمة", parent,
                         intro="سجّل الخدمة أو الدعم الذي قُدّم للمستفيد وفق لوائح الجمعية.")
        self.setObjectName("service_dialog")
        self._delivery = delivery
        self._case_id = case_id
        self.kind = QLineEdit(self)
        self.kind.setPlaceholderText("مثال: سلة غذائية، دعم نقدي، رسوم دراسية")
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText(f"بالريال، مثال: {isolate('1500')}")
        self.in_kind = QLineEdit(self)
        self.in_kind.setPlaceholderText("وصف الدعم العيني إن وُجد")
        self.delivered_on = DualDateField(self)
        self.note = NoteEdit(self, lines=2)
        self.form.add("kind", "&نوع الخدمة:", self.kind)
        self.form.add("amount", "ال&مبلغ:", self.amount, hint="اتركه فارغًا إن كان الدعم عينيًا فقط")
        self.form.add("in_kind", "دعم &عيني:", self.in_kind)
        self.form.add("delivered_on", "&تاريخ التقديم:", self.delivered_on, hint="اتركه فارغًا لتاريخ اليوم")
        self.form.add("note", "م&لاحظة:", self.note)

    def work(self) -> Callable[[], Any] | None:
        """record_service with the typed values."""
        if not _required(self.form, "kind", self.kind.text(), "اكتب نوع الخدمة المقدَّمة"):
            return None
        if not self.amount.text().strip() and not self.in_kind.text().strip():
            self.form.set_error("amount", "اكتب المبلغ أو صف الدعم العيني")
            return None
        problem = self.delivered_on.problem()
        if problem:
            self.form.set_error("delivered_on", problem)
            return None
        value = ServiceInput(kind=self.kind.text(), amount=self.amount.text(), in_kind=self.in_kind.text(),
                             delivered_on=self.delivered_on.text(), note=self.note.text())
        delivery, case_id = self._delivery, self._case_id
        return lambda: delivery.record_service(case_id, value)


class RegisterDialog(ActionDialog):
    """Complete the policy's registration step on an accepted case (the reception's rules: a complete file)."""

    def __init__(self, delivery: ServiceDelivery, case_id: uuid.UUID, parent: QWidget | None = None,
                 *, step_title: str = "") -> None:
        super().__init__(step_title or "استكمال إجراءات التسجيل", parent,
                         intro="قُبل الطلب: يُستكمل التسجيل إذا اكتمل الملف (البيانات موثقة، والإقرار موقّع، "
                               "والمستندات كلها مقدَّمة وسارية).")
        self.setObjectName("register_dialog")
        self._delivery = delivery
        self._case_id = case_id
        self.note = NoteEdit(self, lines=2, placeholder="ملاحظة على التسجيل (اختياري)")
        self.form.add("note", "م&لاحظة:", self.note)
        self.save_button.setText("استكمال التسجيل")

    def work(self) -> Callable[[], Any] | None:
        """complete_registration with the note."""
        delivery, case_id, note = self._delivery, self._case_id, self.note.text()
        return lambda: delivery.complete_registration(case_id, note)


class InformedDialog(ActionDialog):
    """Record that the beneficiary was informed of the committee's decision, and how."""

    def __init__(self, committee: CommitteeService, case_id: uuid.UUID, parent: QWidget | None = None,
                 *, default_how: str = "") -> None:
        super().__init__("تم إبلاغ المستفيد بالقرار", parent,
                         intro="سجّل أن المستفيد أُبلغ بقرار لجنة البحث، وكيف أُبلغ.")
        self.setObjectName("informed_dialog")
        self._committee = committee
        self._case_id = case_id
        self.how = QComboBox(self)
        self.how.setObjectName("informed_how")
        self.how.addItem("— اختر —", "")
        for code, label in INFORMED_HOW.items():
            self.how.addItem(label, code)
        if default_how:
            index = self.how.findData(default_how)
            if index >= 0:
                self.how.setCurrentIndex(index)
        self.note = NoteEdit(self, lines=2, placeholder="مثال: أُرسلت الرسالة إلى الجوال المسجل")
        self.form.add("how", "&طريقة الإبلاغ:", self.how)
        self.form.add("note", "م&لاحظة:", self.note)

    def work(self) -> Callable[[], Any] | None:
        """record_informed with the chosen way."""
        how = str(self.how.currentData() or "")
        if not how:
            self.form.set_error("how", "اختر كيف أُبلغ المستفيد")
            return None
        committee, case_id, note = self._committee, self._case_id, self.note.text()
        return lambda: committee.record_informed(case_id, how, note)


class CloseDialog(ActionDialog):
    """Close the case with a written reason."""

    def __init__(self, delivery: ServiceDelivery, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__("إغلاق الحالة", parent,
                         intro="يُغلق ملف الحالة بعد انتهاء التعامل معها. اكتب سبب الإغلاق؛ يبقى الملف وسجله محفوظين.")
        self.setObjectName("close_dialog")
        self._delivery = delivery
        self._case_id = case_id
        self.reason = NoteEdit(self, lines=3)
        self.form.add("reason", "&سبب الإغلاق:", self.reason)
        self.save_button.setText("إغلاق الحالة")

    def work(self) -> Callable[[], Any] | None:
        """close_case with the reason."""
        if not _required(self.form, "reason", self.reason.text(), "اكتب سبب إغلاق الحالة"):
            return None
        delivery, case_id, reason = self._delivery, self._case_id, self.reason.text()
        return lambda: delivery.close_case(case_id, reason)


def show_dialog(dialog: QDialog, done: Callable[[Any], None] | None = None) -> QDialog:
    """Open a dialog window-modal (the event loop keeps running); deleted once closed."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if done is not None and hasattr(dialog, "sig_done"):
        dialog.sig_done.connect(done)
    dialog.open()
    return dialog
