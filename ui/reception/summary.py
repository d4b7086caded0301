"""The last page of a contact: what was recorded, what is still pending, the documents to print."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from desktop.arabic_text import identifier_text, isolate
from desktop.counting import STEPS, part_of
from desktop.hijri import format_dual
from desktop.reception import case_words, reception_outcome
from ui.reception.base import StepPage, WizardContext
from ui.reception.fields import riyadh_today, wrapped_label
from ui.reception.rescue import moment_text

if TYPE_CHECKING:
    from desktop.reception import CaseView, StepState


class SummaryPage(StepPage[None]):
    """The case at the end of the reception (or while it waits): status, promised date, documents.

    A request that needs the committee's decision ends here after the committee notice: what happens next,
    the promised answer date (Hijri and Gregorian) and the receipt; an inquiry ends here once answered."""

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, None, None, parent)
        self.title_label.setText("ملخص الحالة")
        self.outcome = wrapped_label("", self, name="reception_outcome")
        self.outcome.setVisible(False)
        self.body.addWidget(self.outcome)
        self.summary = wrapped_label("", self, name="case_summary")
        self.body.addWidget(self.summary)
        row = QHBoxLayout()
        self.print_buttons: dict[str, QPushButton] = {}
        for kind, caption in (
            ("receipt", "طباعة إشعار الاستلام"),
            ("declaration", "طباعة الإقرار الموقّع"),
            ("missing_documents", "طباعة المستندات الناقصة"),
        ):
            button = QPushButton(caption, self)
            button.setObjectName(f"print_{kind}")
            button.setProperty("always_enabled", True)
            button.clicked.connect(lambda _checked=False, k=kind: self._print(k))
            row.addWidget(button)
            self.print_buttons[kind] = button
        row.addStretch(1)
        self.body.addLayout(row)
        self.new_contact = QPushButton("استقبال مستفيد &جديد", self)
        self.new_contact.setObjectName("new_contact")
        self.new_contact.setProperty("always_enabled", True)
        self.body.addWidget(self.new_contact)

    @property
    def key(self) -> str:
        """The checklist key of the summary."""
        return "summary"

    def _print(self, kind: str) -> None:
        if self.case is not None:
            self.context.print_document(self.case.case_id, kind, button=self.print_buttons[kind])

    def show_case(self, case: CaseView, state: StepState | None) -> None:
        """Describe the case as it stands."""
        self.case = case
        self.new_contact.setText("استقبال بلاغ &جديد" if case.is_rescue else "استقبال مستفيد &جديد")
        number_caption = f"رقم {case_words(case.is_rescue).noun.removeprefix('ال')}"  # one term per thing
        lines = [f"{number_caption}: {identifier_text(case.case_number)}", f"الوضع: {case.status_label}"]
        lines.append(f"القناة: {case.channel_name} — نوع الحالة: {case.case_kind_name}")
        if case.beneficiary is not None:
            lines.append(f"المستفيد: {case.beneficiary.full_name} — الهوية {identifier_text(case.beneficiary.id_number)}")
        if case.promised_decision_date is not None and not case.awaiting_decision:  # else said in the outcome
            lines.append(f"موعد رد اللجنة: {format_dual(case.promised_decision_date)}")
        if case.signature_pending:
            lines.append("◐ توقيع الإقرار معلّق: يُستكمل من خطوة الإقرار في قائمة الخطوات.")
        if case.open_referral is not None and case.open_referral.answer is None:
            lines.append(f"◐ بانتظار رد {case.open_referral.to_role_name} على الإحالة.")
        missing = [d.name for d in case.documents if not d.provided or d.expired]
        if missing:
            lines.append("المستندات الناقصة: " + "، ".join(missing))
        report = case.report
        if report is not None:
            lines.append(f"المبلّغ: {report.reporter_name} — المكان: {report.place}")
            lines.append(f"استُلم: {moment_text(report.received_at)}")
            if report.dispatched_at is not None:
                lines.append(f"وُجّه {report.dispatched_member or 'العضو'}: {moment_text(report.dispatched_at)}")
            if report.closed_at is not None:
                lines.append(f"أُغلق: {moment_text(report.closed_at)} — المساعدة: {report.help_given or ''}")
        done = sum(1 for s in case.steps if s.status in ("done", "skipped"))
        applicable = sum(1 for s in case.steps if s.status != "not_applicable")
        lines.append(f"الخطوات المنجزة: {isolate(part_of(done, applicable, STEPS))}")
        self.summary.setText("\n".join(lines))
        outcome = self.outcome_text(case)
        self.outcome.setText(outcome)
        self.outcome.setVisible(bool(outcome))
        if case.awaiting_decision:
            self.title_label.setText("انتهى الاستقبال: الطلب لدى لجنة البحث")
        elif case.ends_at_answer and case.status == "closed":
            self.title_label.setText("انتهى الاستقبال: أُجيب عن الاستفسار")
        else:
            self.title_label.setText("ملخص الحالة")
        has_declaration = any(
            s.kind == "declare" and s.status == "done" for s in case.steps
        )
        self.print_buttons["receipt"].setVisible(case.promised_decision_date is not None)
        self.print_buttons["declaration"].setVisible(has_declaration)
        self.print_buttons["missing_documents"].setVisible(bool(missing))

    def outcome_text(self, case: CaseView) -> str:
        """What happens next, said plainly: the committee's promised answer (both calendars) or the answer given."""
        return reception_outcome(case, self.context.profile, riyadh_today())

    def fields(self) -> dict[str, Any]:
        """Nothing to save."""
        return {}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Nothing saved."""

    def first_field(self) -> QWidget | None:
        """The next contact."""
        return self.new_contact

    def scroll_target(self) -> QWidget | None:
        """The outcome (what happens next) is read first, from the top of the page."""
        return self.outcome if self.outcome.text() else self.new_contact

    def printable_documents(self) -> list[str]:
        """The receipt first, then the declaration."""
        if self.case is None:
            return []
        kinds = []
        if self.case.promised_decision_date is not None:
            kinds.append("receipt")
        if any(s.kind == "declare" and s.status == "done" for s in self.case.steps):
            kinds.append("declaration")
        return kinds

    def next_caption(self) -> str:
        """A new contact."""
        return "استقبال بلاغ جديد" if self.case is not None and self.case.is_rescue else "استقبال مستفيد جديد"
