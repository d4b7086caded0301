"""The case state machine: which status may follow which, shared by the desk's services and the sync server.

* An application case: draft → received (verify done) → referred ⇄ received (the referral comes
  back) → awaiting_signature (signature deferred on a remote intake) → awaiting_committee (the
  committee is notified) → accepted (or rejected / more information requested) → registered → served → closed.
* The decision gate: a case waiting for the committee (awaiting_committee, more_info_requested) is never
  registered or served — the policy promises the applicant an answer first; a rejected case only closes.
  Under a policy with a committee decision a case of a kind that needs the decision is registered or
  served only from "accepted" (`check_transition(..., decision_required=True)`); a kind the policy marks
  as needing no decision (an inquiry) and a policy without a committee go on from "received".
  The table alone (what the sync server checks) holds the gate for every case that reached the committee.
* A rescue report: draft → reported (the report recorded and checked) → escalated → dispatched → closed.
* A policy without some step simply never enters its state (qader-tabuk has no referral).
* Staying in the same status is always allowed; `check_transition` refuses anything else not in
  `TRANSITIONS` with an Arabic message naming both statuses.
"""

from __future__ import annotations

from db.models import CaseStatus
from desktop.errors import InputError, ReceptionError

__all__ = [
    "ABANDONABLE",
    "AFTER_ACCEPTANCE",
    "BEFORE_DECISION",
    "TRANSITIONS",
    "TransitionRefused",
    "check_transition",
    "gate_refusal",
    "status_label",
]

_S = CaseStatus

#: Allowed status changes (staying in the same status is always allowed).
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    _S.DRAFT: frozenset({_S.RECEIVED, _S.REPORTED, _S.CLOSED}),
    _S.RECEIVED: frozenset(
        {_S.REFERRED, _S.AWAITING_SIGNATURE, _S.AWAITING_COMMITTEE, _S.REGISTERED, _S.SERVED, _S.CLOSED}
    ),
    _S.REFERRED: frozenset({_S.RECEIVED, _S.CLOSED}),
    _S.AWAITING_SIGNATURE: frozenset({_S.RECEIVED, _S.AWAITING_COMMITTEE, _S.CLOSED}),
    _S.AWAITING_COMMITTEE: frozenset(
        {_S.MORE_INFO_REQUESTED, _S.ACCEPTED, _S.REJECTED, _S.CLOSED}
    ),
    _S.MORE_INFO_REQUESTED: frozenset({_S.AWAITING_COMMITTEE, _S.CLOSED}),
    _S.ACCEPTED: frozenset({_S.REGISTERED, _S.SERVED, _S.CLOSED}),
    _S.REJECTED: frozenset({_S.CLOSED}),
    _S.REGISTERED: frozenset({_S.SERVED, _S.CLOSED}),
    _S.SERVED: frozenset({_S.CLOSED}),
    _S.REPORTED: frozenset({_S.ESCALATED, _S.DISPATCHED, _S.CLOSED}),
    _S.ESCALATED: frozenset({_S.DISPATCHED, _S.CLOSED}),
    _S.DISPATCHED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
}

#: Statuses from which the officer may abandon a case (before the committee or the dispatch).
ABANDONABLE: frozenset[CaseStatus] = frozenset(
    {_S.DRAFT, _S.RECEIVED, _S.REFERRED, _S.AWAITING_SIGNATURE, _S.REPORTED, _S.ESCALATED}
)

#: Statuses of a case waiting for the committee's answer (it may be neither registered nor served).
BEFORE_DECISION: frozenset[CaseStatus] = frozenset({_S.AWAITING_COMMITTEE, _S.MORE_INFO_REQUESTED})

#: Statuses from which a case that needs the committee's decision may be registered or served.
AFTER_ACCEPTANCE: frozenset[CaseStatus] = frozenset({_S.ACCEPTED, _S.REGISTERED})

#: The statuses the decision gate guards.
_SUPPORT: frozenset[CaseStatus] = frozenset({_S.REGISTERED, _S.SERVED})

#: Why a case that has not been accepted is not registered or served.
NOT_DECIDED_YET = (
    "لم تقرر لجنة البحث في الطلب بعد: يُسجَّل الطلب وتُقدَّم الخدمة أو الدعم للطلبات المقبولة فقط "
    "(تعد السياسة المستفيد بالرد بالقبول أو الرفض أولًا)"
)
#: Why a rejected case is not registered or served.
REJECTED_NO_SUPPORT = (
    "رفضت لجنة البحث هذا الطلب: لا يُسجَّل ولا تُقدَّم له خدمة أو دعم؛ يُسلَّم المستفيد خطاب القرار وتُغلق الحالة"
)


class TransitionRefused(ReceptionError):
    """A status change the state machine does not allow (Arabic `message_ar`, field "status")."""


def status_label(status: str) -> str:
    """The Arabic label of a stored status (the raw value when this version does not know it)."""
    try:
        return CaseStatus(status).label_ar
    except ValueError:
        return status


def gate_refusal(current: str, target: CaseStatus, *, decision_required: bool = False) -> str | None:
    """Why the decision gate refuses `current` → `target` (Arabic), or None when the gate lets it through.

    Registering or serving is refused while the committee has not decided, and always for a rejected case;
    with `decision_required` (a case whose policy and kind need the committee's decision) it is allowed only
    after acceptance."""
    if target not in _SUPPORT or current == target.value:
        return None
    if current == _S.REJECTED.value:
        return REJECTED_NO_SUPPORT
    try:
        status = CaseStatus(current)
    except ValueError:
        return None
    if status in BEFORE_DECISION:
        return f"{NOT_DECIDED_YET}؛ حالته الآن «{status.label_ar}»"
    if decision_required and status not in AFTER_ACCEPTANCE and status is not _S.CLOSED:
        return f"{NOT_DECIDED_YET}؛ حالته الآن «{status.label_ar}» ولم يُحَل إلى اللجنة"
    return None


def check_transition(
    current: str, target: CaseStatus, error: type[InputError] = TransitionRefused, *, decision_required: bool = False
) -> None:
    """Refuse a status change the state machine does not allow, raising `error` with an Arabic message.

    `decision_required`: the case's policy has a committee decision and its kind needs it (`gate_refusal`)."""
    if current == target.value:
        return
    refusal = gate_refusal(current, target, decision_required=decision_required)
    if refusal is not None:
        raise error(refusal, field="status")
    try:
        allowed = TRANSITIONS[CaseStatus(current)]
    except ValueError:
        allowed = frozenset()
    if target not in allowed:
        raise error(
            f"لا يمكن نقل الحالة من «{status_label(current)}» إلى «{target.label_ar}» في هذه المرحلة",
            field="status",
        )
