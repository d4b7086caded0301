"""Reception's own rules without storage: step sequencing and which channels may defer the signature.

The case state machine is `desktop.cases.states`, case numbers `desktop.cases.numbers`, Riyadh dates
`desktop.hijri`. Decisions recorded here (the service and the GUI rely on them):

* Steps run in the profile's order: an action is allowed only on the *current* step, the first
  step neither completed, skipped nor passed with its signature pending. A mandatory step is never
  skipped; an optional one only with a written reason.
* The decision gate: for a case whose kind needs the committee's decision, the steps after the
  notify-committee step are *held* (no current step: the reception ends at the committee notice) until the
  case is accepted; the case then continues from the case file. A kind that needs no decision (an inquiry)
  ends at the answer: every step but the greeting is *not applicable*.
* A deferred signature (phone, letter, social media, platform, website or e-mail intake) lets the
  case go on to the committee step; the declare step shows "waiting" and the case
  `signature_pending` until the declaration is signed. Registration needs the signature.
"""

from __future__ import annotations

from collections.abc import Collection

from db.models import CaseStatus
from desktop.policy import ChannelKind, PolicyProfile, Step, StepKind
from desktop.reception.views import ReceptionError

__all__ = [
    "ACCEPTED_STATUSES",
    "DEFERRABLE_CHANNEL_KINDS",
    "can_defer_signature",
    "current_step",
    "held_for_decision",
    "not_applicable_steps",
    "require_current",
    "step_status",
]

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


#: Statuses after the committee's acceptance: the steps after the committee notice go on.
ACCEPTED_STATUSES: frozenset[str] = frozenset(
    {CaseStatus.ACCEPTED.value, CaseStatus.REGISTERED.value, CaseStatus.SERVED.value}
)


def not_applicable_steps(profile: PolicyProfile, case_kind_id: str) -> set[str]:
    """The steps that do not apply to a case of this kind: all but the greeting for a kind that ends at the answer."""
    if not profile.ends_at_answer(case_kind_id):
        return set()
    return {step.id for step in profile.steps if step.kind is not StepKind.GREET}


def held_for_decision(profile: PolicyProfile, case_kind_id: str, current: Step, status: str) -> bool:
    """True when `current` comes after the committee notice and the case has not been accepted (the gate)."""
    if not profile.needs_decision(case_kind_id):
        return False
    notice = next((i for i, step in enumerate(profile.steps) if step.kind is StepKind.NOTIFY_COMMITTEE), None)
    if notice is None or profile.steps.index(current) <= notice:
        return False
    return status not in ACCEPTED_STATUSES


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
    held: Collection[str] = (),
    not_applicable: Collection[str] = (),
) -> str:
    """How the checklist shows a step: "done", "skipped", "waiting", "current", "pending", "after_decision"
    (held until the committee accepts) or "not_applicable" (not for this case's kind)."""
    if step.id in completed:
        return "done"
    if step.id in skipped:
        return "skipped"
    if step.id in not_applicable:
        return "not_applicable"
    if step.id in held:
        return "after_decision"
    if step.id in waiting:
        return "waiting"
    if step.id == current_id:
        return "current"
    return "pending"


def require_current(profile: PolicyProfile, current_id: str | None, kind: str) -> Step:
    """The current step, which must be of `kind` (a `StepKind`); otherwise a ReceptionError naming the step to do first."""
    wanted = [step for step in profile.steps if step.kind == kind]
    if not wanted:
        raise ReceptionError(f"سياسة الجمعية لا تتضمن خطوة من هذا النوع ({kind})", field="step")
    if current_id is None:
        raise ReceptionError("اكتملت خطوات الاستقبال لهذه الحالة؛ لا توجد خطوة أخرى", field="step")
    step = profile.step(current_id)
    if step.kind != kind:
        target = wanted[0]
        if profile.steps.index(target) < profile.steps.index(step):
            raise ReceptionError(f"خطوة «{target.title}» أُنجزت من قبل في هذه الحالة", field="step")
        raise ReceptionError(
            f"الخطوة الحالية هي «{step.title}»: تُنجز الخطوات بترتيب السياسة قبل «{target.title}»",
            field="step",
        )
    return step
