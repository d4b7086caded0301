"""Reception rules without storage: the case state machine, step sequencing, case numbers, local dates.

Decisions recorded here (the service and the GUI rely on them):

* Statuses follow `TRANSITIONS`. An application case: draft → received (verify done) → referred ⇄
  received (the referral comes back) → awaiting_signature (signature deferred on a remote intake) →
  awaiting_committee (the committee is notified) → registered → served → closed. A rescue report:
  draft → reported (the report recorded and checked) → escalated → dispatched → closed. A policy
  without some step simply never enters its state (qader-tabuk has no referral).
* Steps run in the profile's order: an action is allowed only on the *current* step, the first
  step neither completed, skipped nor passed with its signature pending. A mandatory step is never
  skipped; an optional one only with a written reason.
* A deferred signature (phone, letter, social media, platform, website or e-mail intake) lets the
  case go on to the committee step; the declare step shows "waiting" and the case
  `signature_pending` until the declaration is signed. Registration needs the signature.
* Case numbers are ``<device prefix>-<Hijri year>-<sequence>``, e.g. ``A1F3-1447-000123``: the prefix
  of this PC (`db.models.Device.case_number_prefix`), the Umm al-Qura year the case was opened in,
  and a sequence of at least six digits per device that does not restart with the year (so numbers
  of one PC sort by age and never repeat, whatever the year).
* Local dates (submission date, signing date, expiry checks) are Riyadh dates (UTC+3, no DST).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta, timezone

from db.models import CaseStatus
from desktop.policy import ChannelKind, PolicyProfile, Step, StepKind
from desktop.reception.views import ReceptionError

__all__ = [
    "ABANDONABLE",
    "DEFERRABLE_CHANNEL_KINDS",
    "RIYADH",
    "TRANSITIONS",
    "can_defer_signature",
    "check_transition",
    "current_step",
    "format_case_number",
    "is_rescue_profile",
    "local_date",
    "parse_case_sequence",
    "require_current",
    "status_label",
    "step_status",
]

#: Saudi Arabia's time zone: UTC+3 all year.
RIYADH = timezone(timedelta(hours=3), "AST")

#: Channel kinds whose intake may finish with the declaration's signature pending (not in person).
DEFERRABLE_CHANNEL_KINDS: frozenset[ChannelKind] = frozenset(
    {
        ChannelKind.PHONE,
        ChannelKind.LETTER,
        ChannelKind.SOCIAL_MEDIA,
        ChannelKind.PLATFORM,
        ChannelKind.WEBSITE,
        ChannelKind.EMAIL,
    }
)

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

_CASE_NUMBER = re.compile(r"(?P<prefix>[A-Z0-9]{1,16})-(?P<year>\d{4})-(?P<seq>\d{6,})")


def local_date(moment: datetime) -> date:
    """The Riyadh calendar date of a moment (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(RIYADH).date()


def status_label(status: str) -> str:
    """The Arabic label of a stored status (the raw value when this version does not know it)."""
    try:
        return CaseStatus(status).label_ar
    except ValueError:
        return status


def check_transition(current: str, target: CaseStatus) -> None:
    """Refuse a status change the state machine does not allow (ReceptionError in Arabic)."""
    if current == target.value:
        return
    try:
        allowed = TRANSITIONS[CaseStatus(current)]
    except ValueError:
        allowed = frozenset()
    if target not in allowed:
        raise ReceptionError(
            f"لا يمكن نقل الحالة من «{status_label(current)}» إلى «{target.label_ar}» في هذه المرحلة",
            field="status",
        )


def is_rescue_profile(profile: PolicyProfile) -> bool:
    """True for a rescue association's policy (reports escalated and dispatched, no committee)."""
    return any(step.kind in (StepKind.ESCALATE, StepKind.DISPATCH) for step in profile.steps)


def can_defer_signature(kind: ChannelKind) -> bool:
    """True when an intake on a channel of this kind may finish with the signature pending."""
    return kind in DEFERRABLE_CHANNEL_KINDS


def current_step(profile: PolicyProfile, passed: Collection[str]) -> Step | None:
    """The first step of the profile not in `passed` (completed, skipped or signature deferred)."""
    return next((step for step in profile.steps if step.id not in passed), None)


def step_status(
    step: Step,
    *,
    current_id: str | None,
    completed: Collection[str],
    skipped: Collection[str],
    waiting: Collection[str],
) -> str:
    """How the checklist shows a step: "done", "skipped", "waiting", "current" or "pending"."""
    if step.id in completed:
        return "done"
    if step.id in skipped:
        return "skipped"
    if step.id in waiting:
        return "waiting"
    if step.id == current_id:
        return "current"
    return "pending"


def require_current(profile: PolicyProfile, current_id: str | None, kind: StepKind) -> Step:
    """The current step, which must be of `kind`; otherwise a ReceptionError naming the step to do first."""
    wanted = [step for step in profile.steps if step.kind is kind]
    if not wanted:
        raise ReceptionError(f"سياسة الجمعية لا تتضمن خطوة من هذا النوع ({kind.value})", field="step")
    if current_id is None:
        raise ReceptionError("اكتملت خطوات الاستقبال لهذه الحالة؛ لا توجد خطوة أخرى", field="step")
    step = profile.step(current_id)
    if step.kind is not kind:
        target = wanted[0]
        if profile.steps.index(target) < profile.steps.index(step):
            raise ReceptionError(f"خطوة «{target.title}» أُنجزت من قبل في هذه الحالة", field="step")
        raise ReceptionError(
            f"الخطوة الحالية هي «{step.title}»: تُنجز الخطوات بترتيب السياسة قبل «{target.title}»",
            field="step",
        )
    return step


def format_case_number(prefix: str, hijri_year: int, sequence: int) -> str:
    """A case number ``PREFIX-YYYY-NNNNNN`` (the sequence zero-padded to six digits, longer if needed)."""
    return f"{prefix}-{hijri_year:04d}-{sequence:06d}"


def parse_case_sequence(case_number: str) -> int | None:
    """The sequence part of a case number of this format, or None for any other form."""
    match = _CASE_NUMBER.fullmatch(case_number)
    return int(match.group("seq")) if match else None
