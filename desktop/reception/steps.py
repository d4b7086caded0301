"""Handlers of the simpler step kinds — greet, refer, notify-committee, register, serve — and the passing of a case.

Decisions recorded here (the verify and declare handlers have their own modules, rescue's are in
`desktop.reception.rescue_steps`):

* greet → the note of the beneficiary's questions; for a kind that needs no committee decision (an inquiry)
  the note is the answer, required, and the case is closed as answered (audited "case_closed" with its reason).
* The decision gate (`rules.held_for_decision`): register and serve are refused while the committee has not
  accepted the request; after acceptance the case file calls these same handlers.
* refer → a `Referral` to the step's role (a named person if given); the case waits ("referred") and the
  step is completed when the answer is recorded.
* notify-committee → submission time, the promised decision date and the receipt PDF stored.
* register → allowed only for a complete file: every document provided and valid, the declaration signed.
* serve → a `Service` row (an amount in riyals and/or support in kind).
* An optional step may be skipped with its reason written; a mandatory step never. An unfinished case may be
  abandoned with its reason written: closed as abandoned (audited with the reason), its drafts retired.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select

from db.models import AppUser, CaseStatus, ReceptionDraft, Referral, Service
from desktop.cases import states
from desktop.errors import InputError, ReceptionError
from desktop.hijri import local_date, promised_decision_date
from desktop.money import parse_amount
from desktop.policy import StepKind, is_rescue_profile
from desktop.reception.documents import date_text, missing_documents, required_documents
from desktop.reception.registry import Procedure, StepHandler, step_handler
from desktop.reception.views import CaseView
from desktop.reception.work import ReceptionWork, clean, reception_error

__all__ = [
    "ANSWERED_REASON",
    "CaseCourse",
    "GreetStep",
    "NotifyCommitteeStep",
    "ReferStep",
    "RegisterStep",
    "ServeStep",
]

#: The closing reason of a case that ends at the answer (an inquiry), as the timeline shows it.
ANSWERED_REASON = "أُجيب عن الاستفسار في الاستقبال (لا يحتاج إلى قرار لجنة)"


@step_handler(StepKind.GREET)
class GreetStep(StepHandler):
    """Receive the beneficiary: their questions noted."""

    def complete(self, case_id: uuid.UUID, questions_note: str = "") -> CaseView:
        """The greet step done: the beneficiary received, their questions noted.

        For a kind the policy marks as needing no committee decision (an inquiry) this is the answer: the
        question and the answer given are required, and the case is closed as answered."""
        note = clean(questions_note, limit="note", field="questions_note")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.GREET)
            answered = ctx.profile.ends_at_answer(ctx.case.case_kind_id)
            if answered and not note:
                raise ReceptionError("اكتب سؤال المستفيد وما أُجيب به: تُغلق الحالة بهذه الإجابة",
                                     field="questions_note")
            self._complete(ctx, step, note=note)
            if answered:
                previous = ctx.case.status
                self._set_status(ctx, CaseStatus.CLOSED)
                ctx.case.closed_at = ctx.now
                ctx.case.current_step_id = None
                self._audit(ctx, "case_closed", {"from": previous, "reason": ANSWERED_REASON})
            return self._view(session, ctx.case, ctx.profile)


@step_handler(StepKind.REFER)
class ReferStep(StepHandler):
    """Refer the case to the step's role when the procedures are unclear, and record the answer."""

    def refer(self, case_id: uuid.UUID, note: str, to_person: str | None = None) -> CaseView:
        """Refer the case to the step's role (a named person if given); the case waits for the answer."""
        cleaned_note = clean(note, limit="note", field="note", required="اكتب سبب الإحالة أو السؤال المحال")
        person = clean(to_person or "", limit="person", field="to_person", single_line=True) or None
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.REFER)
            assert step.role is not None  # the profile validation requires a role on refer steps
            to_user = None
            if person is not None:
                to_user = session.scalars(
                    select(AppUser).where(
                        or_(AppUser.full_name == person, AppUser.username == person), AppUser.deleted_at.is_(None)
                    )
                ).first()
            referral = self._stamp(
                ctx,
                Referral(
                    case_id=ctx.case.id,
                    from_user_id=ctx.officer_id,
                    to_role=step.role,
                    to_user_id=to_user.id if to_user else None,
                    note=cleaned_note,
                ),
            )
            session.flush()
            self._set_status(ctx, CaseStatus.REFERRED)
            self._audit(
                ctx,
                "referred",
                {"case_id": ctx.case.id.hex, "to_role": step.role, "to_person": person, "step_id": step.id},
                entity="referral",
                entity_id=referral.id,
            )
            self._advance(ctx)
            return self._view(session, ctx.case, ctx.profile)

    def answer(self, case_id: uuid.UUID, answer: str) -> CaseView:
        """The referral comes back with its answer: the refer step is done and the case goes on."""
        cleaned = clean(answer, limit="answer", field="answer", required="اكتب الرد على الإحالة")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            referral = self._open_referral(session, ctx.case.id)
            if referral is None or ctx.case.status != CaseStatus.REFERRED.value:
                raise ReceptionError("لا توجد إحالة مفتوحة لهذه الحالة", field="referral")
            referral.answer = cleaned
            referral.answered_by = ctx.officer_id
            referral.answered_at = ctx.now
            referral.updated_by = ctx.officer_id
            self._set_status(ctx, CaseStatus.RECEIVED)
            progress = self._progress(session, ctx.case, ctx.profile)
            if progress.current is not None and progress.current.kind is StepKind.REFER:
                self._complete(ctx, progress.current, note=cleaned)
            self._audit(ctx, "referral_answered", {"case_id": ctx.case.id.hex}, entity="referral",
                        entity_id=referral.id)
            return self._view(session, ctx.case, ctx.profile)


@step_handler(StepKind.NOTIFY_COMMITTEE)
class NotifyCommitteeStep(StepHandler):
    """Tell the beneficiary the request goes to the committee, with the promised date and the receipt."""

    def notify(self, case_id: uuid.UUID) -> CaseView:
        """The request goes to the committee: submission time, promised decision date, the receipt PDF stored."""
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            decision = ctx.profile.decision
            if decision is None:
                raise ReceptionError("سياسة الجمعية لا تتضمن لجنة بحث ولا مدة للقرار", field="step")
            step = self._require_step(ctx, StepKind.NOTIFY_COMMITTEE)
            submitted = local_date(ctx.now)
            try:
                promised = promised_decision_date(
                    submitted, period_days=decision.period_days, period_months=decision.period_months
                )
            except InputError as exc:
                raise reception_error(exc) from None
            ctx.case.submitted_at = ctx.now
            ctx.case.promised_decision_date = promised
            self._set_status(ctx, CaseStatus.AWAITING_COMMITTEE)
            note = f"موعد القرار: {date_text(promised)} م" if promised else ""
            self._complete(ctx, step, note=note)
            session.flush()
            receipt = self._store_document(ctx, "receipt")
            self._audit(
                ctx,
                "committee_notified",
                {
                    "submitted_on": submitted.isoformat(),
                    "promised_decision_date": promised.isoformat() if promised else None,
                    "receipt_sha256": receipt.sha256,
                },
            )
            return self._view(session, ctx.case, ctx.profile)


@step_handler(StepKind.REGISTER)
class RegisterStep(StepHandler):
    """Complete the registration once the file is complete."""

    def complete(self, case_id: uuid.UUID, note: str = "") -> CaseView:
        """Registration completed: allowed only for a complete file (documents valid, declaration signed)."""
        cleaned = clean(note, limit="note", field="note")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.REGISTER)
            if ctx.case.beneficiary_id is None:
                raise ReceptionError("لا يكتمل التسجيل قبل التحقق من بيانات المستفيد", field="step")
            if ctx.case.signature_pending:
                raise ReceptionError(
                    "لا يكتمل التسجيل قبل توقيع الإقرار: التوقيع مؤجل في هذه الحالة", field="declaration"
                )
            missing = missing_documents(required_documents(session, ctx.case.id), self._today())
            if missing:
                names = "، ".join(f"{name} ({reason})" for name, reason in missing)
                raise ReceptionError(f"الملف غير مكتمل: {names}", field="documents")
            self._set_status(ctx, CaseStatus.REGISTERED)
            self._complete(ctx, step, note=cleaned)
            return self._view(session, ctx.case, ctx.profile)


@step_handler(StepKind.SERVE, procedure=Procedure.REQUEST)
class ServeStep(StepHandler):
    """Deliver the service or support as the association's regulations say."""

    def complete(
        self, case_id: uuid.UUID, service_kind: str, amount: str = "", in_kind: str = "", note: str = ""
    ) -> CaseView:
        """The service or support delivered (an amount in riyals and/or support in kind) recorded."""
        kind = clean(service_kind, limit="service_kind", field="service_kind", required="اكتب نوع الخدمة المقدمة",
                     single_line=True)
        value = parse_amount(amount)
        in_kind_text = clean(in_kind, limit="in_kind", field="in_kind")
        cleaned = clean(note, limit="note", field="note")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if is_rescue_profile(ctx.profile):
                raise ReceptionError("تُغلق البلاغات بتسجيل المساعدة المقدمة", field="step")
            step = self._require_step(ctx, StepKind.SERVE)
            self._stamp(
                ctx,
                Service(
                    case_id=ctx.case.id,
                    kind=kind,
                    amount=value,
                    in_kind=bool(in_kind_text),
                    description=in_kind_text or cleaned or None,
                    delivered_by=ctx.officer_id,
                    delivered_at=ctx.now,
                ),
            )
            self._set_status(ctx, CaseStatus.SERVED)
            self._complete(ctx, step, note=cleaned or kind)
            return self._view(session, ctx.case, ctx.profile)


class CaseCourse(ReceptionWork):
    """What moves a case on without a step's own action: skipping an optional step, abandoning the case."""

    def skip_step(self, case_id: uuid.UUID, step_id: str, reason: str) -> CaseView:
        """Pass an optional step, with the reason written; a mandatory step can never be skipped."""
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            try:
                step = ctx.profile.step(step_id)
            except KeyError:
                raise ReceptionError("الخطوة غير موجودة في سياسة الجمعية", field="step") from None
            if step.mandatory:
                raise ReceptionError(
                    f"خطوة «{step.title}» إلزامية في سياسة الجمعية ولا يجوز تجاوزها", field="step"
                )
            if step.kind is StepKind.NOTIFY_COMMITTEE and ctx.profile.needs_decision(ctx.case.case_kind_id):
                raise ReceptionError(
                    f"لا تُتجاوز خطوة «{step.title}»: هذا الطلب يحتاج إلى قرار لجنة البحث قبل التسجيل والخدمة",
                    field="step",
                )
            cleaned = clean(reason, limit="reason", field="reason", required="اكتب سبب تجاوز الخطوة")
            current = self._require_step(ctx, step.kind)
            if current.id != step.id:
                raise ReceptionError(f"الخطوة الحالية هي «{current.title}»", field="step")
            self._complete(ctx, step, skipped=True, skip_reason=cleaned)
            return self._view(session, ctx.case, ctx.profile)

    def abandon(self, case_id: uuid.UUID, reason: str) -> None:
        """Abandon an unfinished case with its reason: closed as abandoned (audited with the reason, so in its
        timeline), its drafts retired; without a reason nothing is written."""
        cleaned = clean(reason, limit="reason", field="reason", required="اكتب سبب ترك الحالة دون إكمالها")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if CaseStatus(ctx.case.status) not in states.ABANDONABLE:
                raise ReceptionError(
                    f"لا يمكن ترك حالة في مرحلة «{states.status_label(ctx.case.status)}»", field="case"
                )
            previous = ctx.case.status
            self._set_status(ctx, CaseStatus.CLOSED)
            ctx.case.closed_at = ctx.now
            ctx.case.current_step_id = None
            for draft in session.scalars(
                select(ReceptionDraft).where(ReceptionDraft.case_id == case_id, ReceptionDraft.deleted_at.is_(None))
            ):
                draft.deleted_at = ctx.now
            self._audit(ctx, "case_abandoned", {"from": previous, "reason": cleaned})
