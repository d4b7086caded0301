"""The report file of a rescue association (بلاغ): its particulars, its times and timeline, and the actions left.

Decisions recorded here:

* The desk reads and acts on a report through the reception's own rescue handlers
  (`desktop.reception.rescue_steps` via `ReceptionService`): escalating, dispatching a member and closing keep
  their rules in one place; this service only reads what the screen needs and says which action is next.
* The next action is the report's current step of the policy: «escalate» (optional: escalate, or dispatch
  directly with the reason it needs no escalation), «dispatch», «serve» (the help given closes the report).
  Before the report is recorded (greet, verify) the case file offers no action: the reception continues it.
* Dispatching while the escalation is still open passes the escalate step first with the officer's reason
  (`CaseCourse.skip_step`), after the member and reason were checked, then dispatches. Each is its own unit
  of work; if the dispatch is refused after the skip, the skip stays (it is true: the report was not escalated)
  and the refusal is shown.
* No beneficiary, committee, decision, declaration or document wording: a report is not a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from desktop.arabic_text import isolate
from desktop.casedesk.casefile import CaseFileService
from desktop.casedesk.common import mobile_local, moment_text
from desktop.casedesk.views import CaseDeskError, TimelineEntry
from desktop.counting import HOURS, MINUTES, count_phrase
from desktop.policy import StepKind
from desktop.reception.service import ReceptionService
from desktop.reception.views import CaseView, MemberView, ReportView

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["NEXT_ACTIONS", "ReportDesk", "ReportFile", "ReportMoment", "minutes_text"]

#: The actions the case file offers, by the report's current step kind.
NEXT_ACTIONS: dict[str, str] = {
    str(StepKind.ESCALATE): "escalate",
    str(StepKind.DISPATCH): "dispatch",
    str(StepKind.SERVE): "close",
}


def minutes_text(minutes: float) -> str:
    """A span in whole minutes, counted: «٧ دقائق»، «ساعة واحدة و١٥ دقيقةً» (hours from 60 minutes on)."""
    whole = max(0, int(round(minutes)))
    hours, rest = divmod(whole, 60)
    if hours == 0:
        return count_phrase(rest, MINUTES)
    text = count_phrase(hours, HOURS)
    return text if rest == 0 else f"{text} و{count_phrase(rest, MINUTES)}"


@dataclass(frozen=True)
class ReportMoment:
    """One point of the report's course: received, escalated, dispatched, closed; its time and the time since receipt."""

    label: str
    at: datetime | None
    at_text: str
    since_received: str


@dataclass(frozen=True)
class ReportFile:
    """Everything the report file shows: number, status, the report itself, its course, timeline and next action.

    `next_action` is "escalate", "dispatch", "close" or None (nothing left here: closed, or still at the
    reception). `escalation_open` is True while the optional escalation has been neither made nor passed.
    """

    case_id: uuid.UUID
    case_number: str
    status_label: str
    channel_name: str
    report: ReportView | None
    phone_local: str
    next_action: str | None
    next_step_title: str | None
    escalation_open: bool
    escalation_role: str
    moments: tuple[ReportMoment, ...]
    timeline: tuple[TimelineEntry, ...]
    closed: bool


class ReportDesk:
    """A rescue report read for the case file, and its escalate / dispatch / close actions (the reception's rules)."""

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        self._reception = ReceptionService(workspace, clock=clock)
        self._files = CaseFileService(workspace, clock=clock)

    def report_file(self, case_id: uuid.UUID) -> ReportFile:
        """The report file: particulars, received/escalated/dispatched/closed with minutes, timeline, next action."""
        view = self._reception.case(case_id)
        if not view.is_rescue:
            raise CaseDeskError("هذا الملف ليس بلاغًا في سياسة جمعية الإنقاذ", field="case")
        timeline = self._files.timeline(case_id)
        return self._file(view, timeline)

    def escalate(self, case_id: uuid.UUID, note: str) -> ReportFile:
        """Escalate the report to the role the policy names (the central operations manager), with a note."""
        self._reception.escalate(case_id, note)
        return self.report_file(case_id)

    def members(self, case_id: uuid.UUID) -> list[MemberView]:
        """The members roster, nearest to the report's place first (by name when it has no coordinates)."""
        view = self._reception.case(case_id)
        report = view.report
        near = None
        if report is not None and report.latitude is not None and report.longitude is not None:
            near = (report.latitude, report.longitude)
        return self._reception.members(near)

    def dispatch(self, case_id: uuid.UUID, member_id: uuid.UUID, *, overridden_reason: str = "",
                 no_escalation_reason: str = "") -> ReportFile:
        """Dispatch a member; while the escalation is open it is passed first with `no_escalation_reason`."""
        view = self._reception.case(case_id)
        current = view.current_step
        if current is not None and current.kind == str(StepKind.ESCALATE):
            if not no_escalation_reason.strip():
                raise CaseDeskError("اكتب سبب عدم تحويل البلاغ إلى " + self._escalation_role(view),
                                    field="no_escalation_reason")
            member = next((m for m in self.members(case_id) if m.member_id == member_id), None)
            if member is None:
                raise CaseDeskError("العضو غير موجود في القائمة", field="member")
            if not member.available:
                raise CaseDeskError(f"العضو {member.name} غير متاح الآن: اختر عضوًا متاحًا", field="member")
            self._reception.skip_step(case_id, current.step_id, no_escalation_reason)
        self._reception.dispatch(case_id, member_id, overridden_reason=overridden_reason)
        return self.report_file(case_id)

    def close(self, case_id: uuid.UUID, help_given: str) -> ReportFile:
        """Record the help given: the report is closed with its closing time."""
        self._reception.close_report(case_id, help_given)
        return self.report_file(case_id)

    def record_pdf(self, case_id: uuid.UUID) -> bytes:
        """The report record (سجل البلاغ) with its timeline, rendered from the stored report."""
        return self._files.document_pdf(case_id, "report_record")

    # ------------------------------------------------------------------ reading

    def _escalation_role(self, view: CaseView) -> str:
        profile = self._reception.profile
        step = next((s for s in profile.steps if s.kind is StepKind.ESCALATE), None)
        if step is None or not step.role:
            return "المسؤول"
        return next((r.name for r in profile.roles if r.id == step.role), step.role)

    def _file(self, view: CaseView, timeline: tuple[TimelineEntry, ...]) -> ReportFile:
        report = view.report
        current = view.current_step if view.status != "closed" else None
        recorded = report is not None
        action = NEXT_ACTIONS.get(current.kind) if current is not None and recorded else None
        moments: list[ReportMoment] = []
        if report is not None:
            role = self._escalation_role(view)
            for label, at in (("استُلم البلاغ", report.received_at),
                              (f"حُوّل إلى {role}", report.escalated_at),
                              ("وُجّه العضو", report.dispatched_at),
                              ("أُغلق البلاغ", report.closed_at)):
                since = "" if at is None or at is report.received_at else \
                    "بعد " + minutes_text((at - report.received_at).total_seconds() / 60)
                moments.append(ReportMoment(label, at, moment_text(at) if at is not None else "—", since))
        return ReportFile(
            case_id=view.case_id,
            case_number=view.case_number,
            status_label=view.status_label,
            channel_name=view.channel_name,
            report=report,
            phone_local=isolate(mobile_local(report.reporter_phone)) if report and report.reporter_phone else "",
            next_action=action,
            next_step_title=current.title if current is not None and action else None,
            escalation_open=current is not None and current.kind == str(StepKind.ESCALATE),
            escalation_role=self._escalation_role(view),
            moments=tuple(moments),
            timeline=timeline,
            closed=view.status == "closed",
        )
