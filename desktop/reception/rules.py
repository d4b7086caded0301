"""Reception's own rules without storage: step sequencing and which channels may defer the signature.

The case state machine is `desktop.cases.states`, case numbers `desktop.cases.numbers`, Riyadh dates
`desktop.hijri`. Decisions recorded here (the service and the GUI rely on them):

* Steps run in the profile's order: an action is allowed only on the *current* step, the first
  step neither completed, skipped nor passed with its signature pending. A mandatory step is never
  skipped; an optional one only with a written reason.
* A deferred signature (phone, letter, social media, platform, website or e-mail intake) lets the
  case go on to the committee step; the declare step shows "waiting" and the case
  `signature_pending` until the declaration is signed. Registration needs the signature.
"""

from __future__ import annotations

from collections.abc import Collection

from desktop.policy import ChannelKind, PolicyProfile, Step
from desktop.reception.views import ReceptionError

__all__ = [
    "DEFERRABLE_CHANNEL_KINDS",
    "can_defer_signature",
    "current_step",
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
