"""The case state machine: which status may follow which, shared by the desk's services and the sync server.

* An application case: draft → received (verify done) → referred ⇄ received (the referral comes
  back) → awaiting_signature (signature deferred on a remote intake) → awaiting_committee (the
  committee is notified) → registered → served → closed.
* A rescue report: draft → reported (the report recorded and checked) → escalated → dispatched → closed.
* A policy without some step simply never enters its state (qader-tabuk has no referral).
* Staying in the same status is always allowed; `check_transition` refuses anything else not in
  `TRANSITIONS` with an Arabic message naming both statuses.
"""

from __future__ import annotations

from db.models import CaseStatus
from desktop.errors import InputError, ReceptionError

__all__ = ["ABANDONABLE", "TRANSITIONS", "TransitionRefused", "check_transition", "status_label"]

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
        {_S.MORE_INFO_REQUESTED, _S.ACCEPTED, _S.REJECTED, _S.REGISTERED, _S.CLOSED}
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


class TransitionRefused(ReceptionError):
    """A status change the state machine does not allow (Arabic `message_ar`, field "status")."""


def status_label(status: str) -> str:
    """The Arabic label of a stored status (the raw value when this version does not know it)."""
    try:
        return CaseStatus(status).label_ar
    except ValueError:
        return status


def check_transition(current: str, target: CaseStatus, error: type[InputError] = TransitionRefused) -> None:
    """Refuse a status change the state machine does not allow, raising `error` with an Arabic message."""
    if current == target.value:
        return
    try:
        allowed = TRANSITIONS[CaseStatus(current)]
    except ValueError:
        allowed = frozenset()
    if target not in allowed:
        raise error(
            f"لا يمكن نقل الحالة من «{status_label(current)}» إلى «{target.label_ar}» في هذه المرحلة",
            field="status",
        )
