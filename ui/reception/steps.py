"""Pages of the simpler step kinds: greet, refer, notify-committee, register, serve; and the skip choice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QCheckBox, QComboBox, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.arabic_text import display_digits, identifier_text, isolate
from desktop.counting import DOCUMENTS, part_of
from desktop.hijri import RIYADH, format_dual, promised_decision_date
from desktop.policy import StepKind
from desktop.reception import GreetStep, NotifyCommitteeStep, Procedure, ReferStep, RegisterStep, ServeStep, StepHandler
from ui.reception.base import Action, StepPage, WizardContext, heading
from ui.reception.fields import FieldForm, NoteEdit, error_label, riyadh_today, wrapped_label
from ui.reception.registry import step_page

if TYPE_CHECKING:
    from desktop.policy import Step
    from desktop.reception import CaseView

H = TypeVar("H", bound=StepHandler)


class SkipChoice(QWidget):
    """For an optional step: "not needed" with the reason the policy requires for skipping it."""

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.check = QCheckBox(question, self)
        self.check.setObjectName("skip_step")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("skip_reason")
        self.reason.setPlaceholderText("سبب عدم الحاجة إلى هذه الخطوة (مطلوب)")
        self.reason.setEnabled(False)
        self.error = error_label(self, "skip_reason", self.reason)
        layout.addWidget(self.check)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        self.check.toggled.connect(self._toggled)
        self.reason.textChanged.connect(lambda _t: self.set_error(None))

    def _toggled(self, on: bool) -> None:
        self.reason.setEnabled(on)
        if on:
            self.reason.setFocus()
        else:
            self.set_error(None)

    def skipping(self) -> bool:
        """True when the officer chose to skip the step."""
        return self.check.isChecked()

    def set_error(self, message: str | None) -> None:
        """Show or clear the reason's inline error."""
        self.error.show_message(message)


class _OptionalStepPage(StepPage[H]):
    """A page whose step may be optional: it offers the skip choice when the policy allows it."""

    skip_question = "لا حاجة إلى هذه الخطوة"

    def __init__(self, context: WizardContext, step: Step, handler: H, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        self.skip: SkipChoice | None = None

    def add_skip_choice(self) -> None:
        """Add the skip choice at the foot of the body when the step is optional."""
        if self.step is not None and not self.step.mandatory:
            self.skip = SkipChoice(self.skip_question, self)
            self.skip.check.toggled.connect(lambda _on: self.changed())
            self.skip.check.toggled.connect(self._skip_toggled)
            self.skip.reason.textChanged.connect(lambda _t: self.changed())
            self.body.addWidget(self.skip)

    def _skip_toggled(self, on: bool) -> None:
        """Subclasses may disable their own inputs while skipping."""

    def skip_fields(self) -> dict[str, Any]:
        """The skip choice for the draft."""
        if self.skip is None:
            return {}
        return {"skip": self.skip.check.isChecked(), "skip_reason": self.skip.reason.text()}

    def load_skip_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the skip choice from a draft."""
        if self.skip is not None:
            self.skip.check.setChecked(bool(fields.get("skip", False)))
            self.skip.reason.setText(str(fields.get("skip_reason", "")))

    def skip_action(self) -> Action | None:
        """Skipping the step (reason required): None when the reason is missing (said under it)."""
        assert self.skip is not None and self.step is not None
        reason = self.skip.reason.text().strip()
        if not reason:
            self.skip.set_error("اكتب سبب تجاوز هذه الخطوة: السياسة تطلب ذكر السبب")
            self.skip.reason.setFocus()
            return None
        self.skip.set_error(None)
        service, case_id, step_id = self.context.service, self.case_id, self.step.id
        return lambda: service.skip_step(case_id, step_id, reason)

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """The skip reason's error goes under it."""
        if self.skip is not None and field_name in ("reason", "skip_reason") and self.skip.skipping():
            self.skip.set_error(message)
            return True
        return False


@step_page(StepKind.GREET)
class GreetPage(StepPage[GreetStep]):
    """Receive the beneficiary: the policy's wording is the officer's script; their questions are noted."""

    def __init__(self, context: WizardContext, step: Step, handler: GreetStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        self.policy_text.setObjectName("officer_script")
        self.policy_text.setText(f"ما تنص عليه السياسة (نص الموظف):\n{display_digits(step.text)}")
        form = FieldForm(self)
        self.form = form
        self.questions = NoteEdit(self, lines=4, placeholder="ما سأل عنه المستفيد، وما أُجيب به (اختياري)")
        self.questions.setObjectName("questions_note")
        form.add("questions_note", "أ&سئلة المستفيد:", self.questions)
        self.body.addWidget(form)
        self.questions.textChanged.connect(self.changed)

    def fields(self) -> dict[str, Any]:
        """The questions noted."""
        return {"questions_note": self.questions.text()}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the questions noted."""
        self.questions.setText(str(fields.get("questions_note", "")))

    def refresh(self, case: CaseView) -> None:
        """A done greeting shows the note it was completed with; an inquiry's greeting is its answer."""
        if case.ends_at_answer:
            self.form.captions["questions_note"].setText("ال&سؤال والإجابة:")
            self.questions.setPlaceholderText("سؤال المستفيد، وما أُجيب به (مطلوب: تُغلق الحالة بهذه الإجابة)")
        if self.state is not None and self.state.status == "done" and self.state.note:
            self.questions.setText(self.state.note)

    def next_caption(self) -> str:
        """An inquiry ends here, answered."""
        if self.case is not None and self.case.ends_at_answer and not self.is_done():
            return "إنهاء الاستفسار وإغلاق الحالة"
        return super().next_caption()

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors about the note go under it."""
        if field_name in ("questions_note", "note"):
            self.form.set_error("questions_note", message)
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The note."""
        return self.questions

    def action(self) -> Action | None:
        """The beneficiary was received."""
        handler, case_id, note = self.handler, self.case_id, self.questions.text()
        return lambda: handler.complete(case_id, note)


@step_page(StepKind.REFER)
class ReferPage(_OptionalStepPage[ReferStep]):
    """Refer the case to the step's role with a note; the case waits until the answer comes back."""

    skip_question = "لم يحتج المستفيد إلى الإحالة (الإجراءات واضحة له)"

    def __init__(self, context: WizardContext, step: Step, handler: ReferStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        role_name = context.profile.role(step.role).name if step.role else "المختص"
        self.role_name = role_name
        self.refer_box = QGroupBox(f"الإحالة إلى {role_name}", self)
        box = QVBoxLayout(self.refer_box)
        box.addWidget(wrapped_label(
            f"تُوجَّه الإحالة إلى دور «{role_name}» فتظهر لكل من يحمله في «المحالة إليّ» من قائمة الحالات؛ "
            "اسم الشخص اختياري.", self.refer_box, name="referral_hint", selectable=False,
        ))
        form = FieldForm(self.refer_box)
        self.form = form
        self.to_person = QLineEdit(self.refer_box)
        self.to_person.setObjectName("to_person")
        self.to_person.setPlaceholderText(f"اسم {role_name} الذي تُحال إليه الحالة (اختياري)")
        form.add("to_person", "ا&سم المحال إليه:", self.to_person)
        self.note = NoteEdit(self.refer_box, lines=3, placeholder="ما الذي لم يتضح للمستفيد؟ (مطلوب)")
        self.note.setObjectName("referral_note")
        form.add("note", "&سبب الإحالة:", self.note)
        box.addWidget(form)
        self.body.addWidget(self.refer_box)

        self.answer_box = QGroupBox(f"رد {role_name}", self)
        answer_layout = QVBoxLayout(self.answer_box)
        self.referral_label = wrapped_label("", self.answer_box, name="referral_status")
        answer_layout.addWidget(self.referral_label)
        answer_form = FieldForm(self.answer_box)
        self.answer_form = answer_form
        self.answer = NoteEdit(self.answer_box, lines=3, placeholder="الرد كما وصل من المختص")
        self.answer.setObjectName("referral_answer")
        answer_form.add("answer", "ال&رد:", self.answer)
        answer_layout.addWidget(answer_form)
        self.answer_box.setVisible(False)
        self.body.addWidget(self.answer_box)
        self.add_skip_choice()
        for edit in (self.to_person,):
            edit.textChanged.connect(lambda _t: self.changed())
        self.note.textChanged.connect(self.changed)
        self.answer.textChanged.connect(self.changed)

    def _skip_toggled(self, on: bool) -> None:
        self.refer_box.setEnabled(not on)

    def waiting(self) -> bool:
        """True while the referral is out and its answer not yet recorded."""
        return self.case is not None and self.case.open_referral is not None and self.case.open_referral.answer is None

    def fields(self) -> dict[str, Any]:
        """Referral and answer as typed, and the skip choice."""
        return {
            "to_person": self.to_person.text(),
            "note": self.note.text(),
            "answer": self.answer.text(),
            **self.skip_fields(),
        }

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the referral fields."""
        self.to_person.setText(str(fields.get("to_person", "")))
        self.note.setText(str(fields.get("note", "")))
        self.answer.setText(str(fields.get("answer", "")))
        self.load_skip_fields(fields)

    def refresh(self, case: CaseView) -> None:
        """Show the referral out (waiting for the answer) or the answer that came back."""
        referral = case.open_referral
        out = referral is not None
        self.answer_box.setVisible(out)
        if self.skip is not None:
            self.skip.setVisible(not out and not self.is_done())
        if referral is not None:
            self.to_person.setText(referral.to_person or "")
            self.note.setText(referral.note)
            self.to_person.setReadOnly(True)
            self.note.setReadOnly(True)
            person = f" ({referral.to_person})" if referral.to_person else ""
            if referral.answer is None:
                self.referral_label.setText(
                    f"◐ أُحيلت الحالة إلى {referral.to_role_name}{person} وهي بانتظار الرد. "
                    "سجّل الرد هنا حين يصل، أو ابدأ استقبال مستفيد آخر وعد إلى هذه الحالة لاحقًا."
                )
            else:
                self.answer.setText(referral.answer)
                self.referral_label.setText(f"✓ وصل رد {referral.to_role_name}{person}.")

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors under the note, the person or the answer."""
        if super().show_field_error(field_name, message):
            return True
        if field_name == "answer":
            self.answer_form.set_error("answer", message)
            return True
        if field_name in ("note", "to_person"):
            self.form.set_error(field_name, message)
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The answer while waiting, else the note."""
        return self.answer if self.waiting() else self.note

    def next_caption(self) -> str:
        """What Next does here."""
        if self.waiting():
            return "تسجيل الرد والمتابعة"
        if self.skip is not None and self.skip.skipping():
            return "المتابعة دون إحالة"
        return "إحالة الحالة"

    def done_message(self, case: CaseView) -> str:
        """Referred (waiting), answered, or skipped."""
        referral = case.open_referral
        if referral is not None and referral.answer is None:
            return f"أُحيلت الحالة إلى {referral.to_role_name}؛ سجّل الرد حين يصل."
        return super().done_message(case)

    def action(self) -> Action | None:
        """Refer, record the answer, or skip (with a reason)."""
        handler, case_id = self.handler, self.case_id
        self.form.clear_errors()
        self.answer_form.clear_errors()
        if self.waiting():
            if not self.answer.text().strip():
                self.answer_form.set_error(
                    "answer", "اكتب رد المختص قبل المتابعة، أو اترك الحالة بانتظار الرد وابدأ حالة أخرى"
                )
                self.answer.setFocus()
                return None
            answer = self.answer.text()
            return lambda: handler.answer(case_id, answer)
        if self.skip is not None and self.skip.skipping():
            return self.skip_action()
        if not self.note.text().strip():
            self.form.set_error("note", "اكتب سبب الإحالة: ما الذي لم يتضح للمستفيد")
            self.note.setFocus()
            return None
        note, person = self.note.text(), self.to_person.text().strip() or None
        return lambda: handler.refer(case_id, note, person)


@step_page(StepKind.NOTIFY_COMMITTEE)
class NotifyCommitteePage(StepPage[NotifyCommitteeStep]):
    """Tell the beneficiary the request goes to the committee; the promised date; the receipt to print."""

    stay_after_completion = True
    show_state_note = False

    def __init__(
        self, context: WizardContext, step: Step, handler: NotifyCommitteeStep, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, step, handler, parent)
        profile = context.profile
        decision = profile.decision
        committee = "لجنة البحث"
        if decision is not None:
            try:
                committee = profile.role(decision.committee_role).name
            except KeyError:
                pass
        self.committee_name = committee
        period = display_digits(decision.period_text) if decision is not None else "لا تنص السياسة على مدة"
        self.body.addWidget(heading("ما يُقال للمستفيد", self))
        self.script = wrapped_label(
            f"سيُحال طلبك إلى {committee} لدراسته، وستُبلَّغ بالقبول أو الرفض خلال مدة {period}.",
            self, name="committee_script", selectable=False,
        )
        self.body.addWidget(self.script)
        self.promised_label = wrapped_label("", self, name="promised_date")
        self.body.addWidget(self.promised_label)
        self.signature_note = wrapped_label("", self, name="signature_pending_note")
        self.signature_note.setVisible(False)
        self.body.addWidget(self.signature_note)
        row = QHBoxLayout()
        self.print_receipt = QPushButton("طباعة إشعار الاستلام", self)
        self.print_receipt.setObjectName("print_receipt")
        self.print_receipt.setProperty("always_enabled", True)
        self.open_receipt = QPushButton("فتح ملف الإشعار", self)
        self.open_receipt.setObjectName("open_receipt")
        self.open_receipt.setProperty("always_enabled", True)
        row.addWidget(self.print_receipt)
        row.addWidget(self.open_receipt)
        row.addStretch(1)
        self.body.addLayout(row)
        self.print_receipt.clicked.connect(lambda: self._receipt(open_only=False))
        self.open_receipt.clicked.connect(lambda: self._receipt(open_only=True))

    def _receipt(self, *, open_only: bool) -> None:
        if self.case is not None:
            button = self.open_receipt if open_only else self.print_receipt
            self.context.print_document(self.case.case_id, "receipt", open_only=open_only, button=button)

    def refresh(self, case: CaseView) -> None:
        """Before: the date the committee will promise if notified today. After: the promised date recorded."""
        decision = self.context.profile.decision
        done = self.is_done()
        if done and case.promised_decision_date is not None:
            submitted = ""
            if case.submitted_at is not None:
                submitted = f"\nتاريخ تقديم الطلب: {format_dual(case.submitted_at.astimezone(RIYADH).date())}"
            self.promised_label.setText(
                f"✓ أُبلغت {self.committee_name}. موعد الرد الموعود: {format_dual(case.promised_decision_date)}"
                f"{submitted}\nرقم الحالة: {identifier_text(case.case_number)}. اطبع إشعار الاستلام وسلّمه للمستفيد."
                + ("\nينتهي الاستقبال عند هذه الخطوة: يُستكمل التسجيل وتقديم الخدمة من ملف الحالة بعد قبول اللجنة."
                   if case.awaiting_decision else "")
            )
        elif decision is not None:
            promised = promised_decision_date(
                riyadh_today(), period_days=decision.period_days, period_months=decision.period_months
            )
            when = format_dual(promised) if promised is not None else "—"
            self.promised_label.setText(f"إن أُبلغت اللجنة اليوم فموعد الرد: {when}")
        self.print_receipt.setVisible(done)
        self.open_receipt.setVisible(done)
        self.signature_note.setVisible(case.signature_pending)
        self.signature_note.setText(
            "تنبيه: توقيع الإقرار ما زال معلّقًا؛ يُستكمل التوقيع قبل التسجيل." if case.signature_pending else ""
        )

    def first_field(self) -> QWidget | None:
        """After notifying, the receipt's print button."""
        return self.print_receipt if self.is_done() else None

    def printable_documents(self) -> list[str]:
        """The receipt."""
        return ["receipt"] if self.is_done() else []

    def next_caption(self) -> str:
        """Notify, then go on."""
        if self.is_done():
            return "إنهاء الاستقبال" if self.case is not None and self.case.awaiting_decision else "متابعة"
        return "إحالة الطلب إلى اللجنة وإصدار الإشعار"

    def action(self) -> Action | None:
        """Notify the committee (records the submission date and the promised date)."""
        handler, case_id = self.handler, self.case_id
        return lambda: handler.notify(case_id)


@step_page(StepKind.REGISTER)
class RegisterPage(StepPage[RegisterStep]):
    """Complete the registration once the file is complete."""

    def __init__(self, context: WizardContext, step: Step, handler: RegisterStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        self.summary = wrapped_label("", self, name="register_summary")
        self.body.addWidget(self.summary)
        form = FieldForm(self)
        self.form = form
        self.note = NoteEdit(self, lines=3, placeholder="ملاحظة على التسجيل (اختياري)")
        self.note.setObjectName("register_note")
        form.add("note", "&ملاحظة:", self.note)
        self.body.addWidget(form)
        self.note.textChanged.connect(self.changed)

    def refresh(self, case: CaseView) -> None:
        """What the file holds: beneficiary, documents, signature."""
        lines = []
        if case.beneficiary is not None:
            lines.append(f"المستفيد: {case.beneficiary.full_name} — الهوية {identifier_text(case.beneficiary.id_number)}")
        provided = sum(1 for d in case.documents if d.provided and not d.expired)
        if case.documents:
            lines.append(f"المستندات المقدمة: {isolate(part_of(provided, len(case.documents), DOCUMENTS))}")
        if case.signature_pending:
            lines.append("⚠ توقيع الإقرار معلّق: لا يكتمل التسجيل قبل توقيعه (عد إلى خطوة الإقرار).")
        self.summary.setText("\n".join(lines))

    def fields(self) -> dict[str, Any]:
        """The note."""
        return {"note": self.note.text()}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the note."""
        self.note.setText(str(fields.get("note", "")))

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors about the note."""
        if field_name == "note":
            self.form.set_error("note", message)
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The note."""
        return self.note

    def action(self) -> Action | None:
        """Registration done."""
        handler, case_id, note = self.handler, self.case_id, self.note.text()
        return lambda: handler.complete(case_id, note)


SERVICE_KINDS = ("مساعدة مالية", "مساعدة عينية", "خدمة استشارية", "خدمة تعليمية", "خدمة صحية", "إحالة إلى جهة أخرى")


@step_page(StepKind.SERVE, procedure=Procedure.REQUEST)
class ServePage(StepPage[ServeStep]):
    """Deliver the service or support, as the association's regulations say."""

    def __init__(self, context: WizardContext, step: Step, handler: ServeStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        form = FieldForm(self)
        self.form = form
        self.service_kind = QComboBox(self)
        self.service_kind.setObjectName("service_kind")
        self.service_kind.setEditable(True)
        self.service_kind.addItems(SERVICE_KINDS)
        self.service_kind.setCurrentIndex(-1)
        line = self.service_kind.lineEdit()
        if line is not None:
            line.setPlaceholderText("اختر أو اكتب نوع الخدمة (مطلوب)")
        form.add("service_kind", "&نوع الخدمة:", self.service_kind)
        self.amount = QLineEdit(self)
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText("بالريال، إن كانت مساعدة مالية")
        form.add("amount", "ال&مبلغ:", self.amount)
        self.in_kind = QLineEdit(self)
        self.in_kind.setObjectName("in_kind")
        self.in_kind.setPlaceholderText("ما سُلّم للمستفيد، إن كانت مساعدة عينية")
        form.add("in_kind", "مساعدة &عينية:", self.in_kind)
        self.note = NoteEdit(self, lines=2, placeholder="ملاحظة (اختياري)")
        self.note.setObjectName("serve_note")
        form.add("note", "م&لاحظة:", self.note)
        self.body.addWidget(form)
        self.service_kind.currentTextChanged.connect(lambda _t: self.changed())
        for edit in (self.amount, self.in_kind):
            edit.textChanged.connect(lambda _t: self.changed())
        self.note.textChanged.connect(self.changed)

    def fields(self) -> dict[str, Any]:
        """The service as typed."""
        return {
            "service_kind": self.service_kind.currentText(),
            "amount": self.amount.text(),
            "in_kind": self.in_kind.text(),
            "note": self.note.text(),
        }

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the service fields."""
        self.service_kind.setCurrentText(str(fields.get("service_kind", "")))
        self.amount.setText(str(fields.get("amount", "")))
        self.in_kind.setText(str(fields.get("in_kind", "")))
        self.note.setText(str(fields.get("note", "")))

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors under their field."""
        if field_name in self.form.errors:
            self.form.set_error(field_name, message)
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The service kind."""
        return self.service_kind

    def action(self) -> Action | None:
        """The service was delivered."""
        self.form.clear_errors()
        if not self.service_kind.currentText().strip():
            self.form.set_error("service_kind", "اختر نوع الخدمة المقدمة أو اكتبه")
            self.service_kind.setFocus()
            return None
        handler, case_id = self.handler, self.case_id
        kind, amount, in_kind, note = (self.service_kind.currentText(), self.amount.text(), self.in_kind.text(),
                                       self.note.text())
        return lambda: handler.complete(case_id, kind, amount, in_kind, note)
