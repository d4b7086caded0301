"""The case's continuation after the committee's decision: registration, services delivered, closing.

* After acceptance the case file completes the policy's register step with reception's own handler
  (`desktop.reception.steps.RegisterStep`: the same rules — verified particulars, signed declaration, every
  document provided and valid), its refusal worded as the case desk's.
* A service is recorded only when `rules.serve_refusal` has no objection (registered or served, or accepted
  once the policy's registration step is passed); it moves the case to "served" and completes the policy's
  serve step when that is the step the case is at. Before acceptance and after a rejection the decision gate
  of `desktop.cases.states` refuses it with its reason.
* After a rejection the case is closed with its reason (the decision letter is the committee's).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CaseStatus, Service, StepCompletion
from desktop.casedesk.casefile import build_case_file
from desktop.casedesk.common import clean_input, parse_typed_date
from desktop.casedesk.rules import serve_refusal
from desktop.casedesk.service import CaseDeskWork
from desktop.casedesk.views import CaseDeskError, CaseFile, ServiceInput
from desktop.casework import CaseContext
from desktop.errors import ReceptionError
from desktop.hijri import RIYADH, local_date
from desktop.money import parse_amount
from desktop.policy import Step, StepKind
from desktop.reception import rules as reception_rules
from desktop.reception.steps import RegisterStep
from desktop.permissions import Action, guarded

__all__ = ["ServiceDelivery"]


class ServiceDelivery(CaseDeskWork):
    """What was delivered to the beneficiary on an accepted case, and the case's closing."""

    @guarded(Action.REGISTER_SERVE)
    def record_service(self, case_id: uuid.UUID, service: ServiceInput) -> CaseFile:
        """Record a service delivered on an accepted case (refused otherwise); completes the serve step."""
        kind = clean_input(service.kind, limit="service_kind", field="kind", required="اكتب نوع الخدمة المقدمة",
                           single_line=True)
        amount = parse_amount(service.amount, CaseDeskError)
        in_kind = clean_input(service.in_kind, limit="in_kind", field="in_kind")
        note = clean_input(service.note, limit="note", field="note")
        if amount is None and not in_kind:
            raise CaseDeskError("اكتب مبلغ الدعم بالريال أو وصف الدعم العيني", field="amount")
        delivered_on = parse_typed_date(service.delivered_on, field="delivered_on", what="تاريخ تقديم الخدمة")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            today = local_date(ctx.now)
            if delivered_on is not None and delivered_on > today:
                raise CaseDeskError("تاريخ تقديم الخدمة في المستقبل", field="delivered_on")
            refusal = serve_refusal(session, ctx.case, ctx.profile)
            if refusal is not None:
                raise CaseDeskError(refusal, field="status")
            delivered_at = ctx.now if delivered_on in (None, today) else datetime(
                delivered_on.year, delivered_on.month, delivered_on.day, 12, tzinfo=RIYADH
            ).astimezone(UTC)
            row = self._stamp(ctx, Service(
                case_id=ctx.case.id, kind=kind, amount=amount, in_kind=bool(in_kind),
                description="؛ ".join(p for p in (in_kind, note) if p) or None,
                delivered_by=ctx.officer_id, delivered_at=delivered_at,
            ))
            self._set_status(ctx, CaseStatus.SERVED)
            serve = _current_step(session, ctx)
            if serve is not None and serve.kind is StepKind.SERVE:
                self._stamp(ctx, StepCompletion(
                    case_id=ctx.case.id, step_id=serve.id, step_kind=serve.kind.value, officer_id=ctx.officer_id,
                    channel_id=ctx.case.channel_id, completed_at=ctx.now, policy_version_id=ctx.case.policy_version_id,
                    note=kind,
                ))
                self._audit(ctx, "step_completed", {"step_id": serve.id, "step_kind": serve.kind.value})
                session.flush()
                nxt = _current_step(session, ctx)
                ctx.case.current_step_id = nxt.id if nxt is not None else None
            session.flush()
            self._audit(ctx, "service_recorded", {
                "service_id": row.id.hex, "kind": kind, "amount": str(amount) if amount is not None else None,
                "in_kind": bool(in_kind),
            })
            return build_case_file(session, ctx.case, ctx.profile, self._today(), readable=self._may(session, Action.READ_SENSITIVE))

    @guarded(Action.REGISTER_SERVE)
    def complete_registration(self, case_id: uuid.UUID, note: str = "") -> CaseFile:
        """Complete the policy's register step on an accepted case (reception's `RegisterStep`, same rules)."""
        try:
            RegisterStep(self._workspace, clock=self._clock).complete(case_id, note)
        except ReceptionError as exc:
            raise CaseDeskError(exc.message_ar, field=exc.field) from None
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return build_case_file(session, case, self._profile_of(session, case.policy_version_id), self._today(), readable=self._may(session, Action.READ_SENSITIVE))

    @guarded(Action.REGISTER_SERVE)
    def close_case(self, case_id: uuid.UUID, reason: str) -> CaseFile:
        """Close the case with a written reason (any status the state machine lets close)."""
        cleaned = clean_input(reason, limit="reason", field="reason", required="اكتب سبب إغلاق الطلب")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            previous = ctx.case.status
            self._set_status(ctx, CaseStatus.CLOSED)
            ctx.case.closed_at = ctx.now
            ctx.case.current_step_id = None
            self._audit(ctx, "case_closed", {"from": previous, "reason": cleaned})
            return build_case_file(session, ctx.case, ctx.profile, self._today(), readable=self._may(session, Action.READ_SENSITIVE))


def _current_step(session: Session, ctx: CaseContext) -> Step | None:
    """The policy step the case is at (a deferred signature counts as passed)."""
    done = set(session.scalars(
        select(StepCompletion.step_id).where(StepCompletion.case_id == ctx.case.id,
                                             StepCompletion.deleted_at.is_(None))
    ))
    declare = ctx.profile.declaration_step
    if ctx.case.signature_pending and declare is not None:
        done.add(declare.id)
    return reception_rules.current_step(ctx.profile, done)
