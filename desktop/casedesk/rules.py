"""The case desk's rules on a case's status: when the eligibility study may change, which cases are decided,
and when a service may be delivered (the case file shows them; the services enforce them).

* The eligibility study (documents, interview, recommendation) changes only before the decision.
* Registration from the case file only on an accepted case whose register step is not yet passed.
* Services only on accepted cases: registered or served, or accepted when the policy's registration step is
  already passed. Rescue reports are closed from the report screen instead.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Case, CaseStatus, StepCompletion
from desktop.cases import states
from desktop.policy import PolicyProfile, StepKind, is_rescue_profile

__all__ = ["DECIDED_STATUSES", "STUDY_STATUSES", "register_refusal", "serve_refusal"]

#: Statuses in which the eligibility study may still change (before the decision).
STUDY_STATUSES = frozenset(
    {
        CaseStatus.RECEIVED.value,
        CaseStatus.REFERRED.value,
        CaseStatus.AWAITING_SIGNATURE.value,
        CaseStatus.AWAITING_COMMITTEE.value,
        CaseStatus.MORE_INFO_REQUESTED.value,
    }
)
#: Statuses a committee decision leads to (and those after it, before closing).
DECIDED_STATUSES = frozenset(
    {
        CaseStatus.ACCEPTED.value,
        CaseStatus.REJECTED.value,
        CaseStatus.MORE_INFO_REQUESTED.value,
        CaseStatus.REGISTERED.value,
        CaseStatus.SERVED.value,
    }
)


def register_refusal(session: Session, case: Case, profile: PolicyProfile) -> str | None:
    """Why the case file cannot complete the policy's register step now (Arabic), or None when it can:
    only on an accepted case whose register step is not yet passed."""
    register = next((s for s in profile.steps if s.kind is StepKind.REGISTER), None)
    if register is None or is_rescue_profile(profile):
        return "سياسة الجمعية لا تتضمن خطوة تسجيل"
    if case.status != CaseStatus.ACCEPTED.value:
        gate = states.gate_refusal(case.status, CaseStatus.REGISTERED,
                                   decision_required=profile.needs_decision(case.case_kind_id))
        return gate or f"يُستكمل التسجيل بعد قبول الطلب، وحالة هذا الطلب «{states.status_label(case.status)}»"
    passed = session.scalar(
        select(func.count()).select_from(StepCompletion).where(
            StepCompletion.case_id == case.id, StepCompletion.step_id == register.id,
            StepCompletion.deleted_at.is_(None),
        )
    )
    return f"خطوة «{register.title}» مكتملة في هذا الطلب" if passed else None


def serve_refusal(session: Session, case: Case, profile: PolicyProfile) -> str | None:
    """Why a service cannot be recorded on this case now (Arabic), or None when it can."""
    if is_rescue_profile(profile):
        return "تُغلق البلاغات بتسجيل المساعدة المقدمة في شاشة البلاغ"
    status = case.status
    if status in (CaseStatus.REGISTERED.value, CaseStatus.SERVED.value):
        return None
    gate = states.gate_refusal(status, CaseStatus.SERVED, decision_required=profile.needs_decision(case.case_kind_id))
    if gate is not None:
        return gate
    if status == CaseStatus.ACCEPTED.value:
        register = next((s for s in profile.steps if s.kind is StepKind.REGISTER), None)
        if register is None:
            return None
        passed = session.scalar(
            select(func.count()).select_from(StepCompletion).where(
                StepCompletion.case_id == case.id, StepCompletion.step_id == register.id,
                StepCompletion.deleted_at.is_(None),
            )
        )
        if passed:
            return None
        return f"قُبل الطلب ولم تكتمل خطوة «{register.title}» بعد: أكملها قبل تقديم الخدمة"
    return f"تُقدَّم الخدمة على الطلبات المقبولة فقط، وحالة هذا الطلب «{states.status_label(status)}»"

