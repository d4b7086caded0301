"""`ReceptionService`: the reception as the GUI, the CLI and other services call it — a small façade over its parts.

The work is done by the parts, each one session per action on the shared `desktop.casework.CaseWork`
machinery (`desktop.reception.work.ReceptionWork`):

* `intake` (`desktop.reception.intake`): contact start, case numbering, look-up, cases read, drafts;
* one handler per step kind (`desktop.reception.registry`): greet, refer, notify-committee, register, serve
  (`steps`), verify (`verify`), declare (`declare`), and a rescue association's report, escalation, dispatch
  and help (`rescue_steps`); `handler(kind)` gives the one for a step of the adopted policy;
* `course` (`steps.CaseCourse`): an optional step skipped with its reason, an unfinished case abandoned;
* `correction` (`correction.ParticularsCorrection`): verified particulars corrected with a reason, field by field;
* the printed documents (`desktop.reception.documents`): plain `render_*` functions; `document_pdf` keeps one
  in the attachment store.

The façade's methods keep the names the desk has always called; a new step kind adds no method here (its page
calls its handler). The GUI calls every one of them off its thread (`ui/ops.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from desktop.policy import PolicyProfile
from desktop.reception.correction import CorrectionResult, ParticularsCorrection
from desktop.reception.declare import DeclareStep
from desktop.reception.documents import DOCUMENT_KINDS
from desktop.reception.intake import Intake
from desktop.reception.registry import StepHandler, handler_class, procedure_of
from desktop.reception.rescue import REPORT_PLATFORMS
from desktop.reception.rescue_steps import DispatchStep, EscalateStep, HelpStep, ReportStep
from desktop.reception.steps import (
    CaseCourse,
    GreetStep,
    NotifyCommitteeStep,
    ReferStep,
    RegisterStep,
    ServeStep,
)
from desktop.reception.verify import VerifyStep
from desktop.reception.views import (
    BeneficiaryMatch,
    CaseView,
    DocumentInput,
    DraftSummary,
    MemberView,
    ParticularsInput,
    ReceptionError,
    StoredDocument,
)
from desktop.reception.work import LIMITS
from desktop.permissions import Action, Guarded, guarded

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["DOCUMENT_KINDS", "LIMITS", "ReceptionService"]

H = TypeVar("H", bound=StepHandler)


class ReceptionService(Guarded):
    """The reception procedure of the active policy, for one officer at one PC: intake, step handlers, documents."""

    _permission_error = ReceptionError

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        self._workspace = workspace
        self.intake = Intake(workspace, clock=clock)
        self.course = CaseCourse(workspace, shared=self.intake)
        self.correction = ParticularsCorrection(workspace, shared=self.intake)
        self._handlers: dict[type[StepHandler], StepHandler] = {}

    @property
    def profile(self) -> PolicyProfile:
        """The policy adopted on this PC (ReceptionError before the first adoption)."""
        return self.intake.profile

    def handler_of(self, cls: type[H]) -> H:
        """This service's handler of one class (made on first use, sharing the service's caches)."""
        handler = self._handlers.get(cls)
        if handler is None:
            handler = self._handlers.setdefault(cls, cls(self._workspace, shared=self.intake))
        assert isinstance(handler, cls)
        return handler

    def handler(self, kind: str) -> StepHandler:
        """The handler of a step kind of the adopted policy (its procedure: a request or a rescue report)."""
        return self.handler_of(handler_class(kind, procedure_of(self.profile)))

    def report_platforms(self) -> list[tuple[str, str]]:
        """The platforms a rescue report may come on: (id, Arabic label), for the report page."""
        return list(REPORT_PLATFORMS)

    # ------------------------------------------------------------------ intake

    @guarded(Action.RECEIVE_CASE)
    def start_contact(
        self, channel_id: str, case_kind_id: str, *, beneficiary_id: uuid.UUID | None = None,
        second_case_reason: str = "",
    ) -> CaseView:
        """Open a new case (status draft) on a channel of the policy, for one of its case kinds; with
        `beneficiary_id` on that file at once (a person with another open case needs `second_case_reason`)."""
        return self.intake.start_contact(
            channel_id, case_kind_id, beneficiary_id=beneficiary_id, second_case_reason=second_case_reason
        )

    @guarded(Action.SEE_CASES)
    def lookup(self, text: str, *, limit: int = 20) -> list[BeneficiaryMatch]:
        """Beneficiaries matching what the officer types: ID or its start, a phone in any form, or a name; each
        with its cases not closed (`open_cases`), to be continued rather than doubled."""
        return self.intake.lookup(text, limit=limit)

    @guarded(Action.SEE_CASES)
    def duplicate_warnings(self, full_name: str, mobile: str) -> list[BeneficiaryMatch]:
        """Beneficiaries with the same mobile and a similar name: a probable duplicate file, with a warning."""
        return self.intake.duplicate_warnings(full_name, mobile)

    @guarded(Action.RECEIVE_CASE)
    def attach_beneficiary(
        self, case_id: uuid.UUID, beneficiary_id: uuid.UUID, *, second_case_reason: str = ""
    ) -> CaseView:
        """Open an existing beneficiary's file for this case (before the verify step is done); a person with
        another case not closed needs `second_case_reason`, recorded in the case's timeline."""
        return self.intake.attach_beneficiary(case_id, beneficiary_id, second_case_reason=second_case_reason)

    @guarded(Action.SEE_CASES)
    def case(self, case_id: uuid.UUID) -> CaseView:
        """The case as the wizard shows it."""
        return self.intake.case(case_id)

    @guarded(Action.SEE_CASES)
    def case_by_number(self, case_number: str) -> CaseView:
        """The case with this number (ReceptionError when there is none)."""
        return self.intake.case_by_number(case_number)

    @guarded(Action.RECEIVE_CASE)
    def save_draft(self, case_id: uuid.UUID, step_id: str, fields: Mapping[str, Any]) -> None:
        """Save what is typed on a step now (committed at once; one draft per case and step)."""
        self.intake.save_draft(case_id, step_id, fields)

    @guarded(Action.SEE_CASES)
    def draft_fields(self, case_id: uuid.UUID, step_id: str) -> dict[str, Any]:
        """What was saved on a step of a case and not yet completed ({} when nothing)."""
        return self.intake.draft_fields(case_id, step_id)

    @guarded(Action.SEE_CASES)
    def open_drafts(self) -> list[DraftSummary]:
        """Every unfinished reception of this PC (not only the newest): number, beneficiary, step reached,
        when started and last changed — the list offered at start and from the reception page."""
        return self.intake.open_drafts()

    @guarded(Action.RECEIVE_CASE)
    def discard_draft(self, case_id: uuid.UUID, reason: str) -> None:
        """Abandon an unfinished case with its reason: closed as abandoned (the reason audited, in its timeline),
        its drafts retired; refused without a reason."""
        self.course.abandon(case_id, reason)

    @guarded(Action.RECEIVE_CASE)
    def skip_step(self, case_id: uuid.UUID, step_id: str, reason: str) -> CaseView:
        """Pass an optional step, with the reason written; a mandatory step can never be skipped."""
        return self.course.skip_step(case_id, step_id, reason)

    @guarded(Action.RECEIVE_CASE)
    def import_attachment(self, path: Path) -> str:
        """Store a scan (PNG/JPEG image or PDF, at most 10 MB) and return its SHA-256."""
        return self.intake.import_attachment(path)

    # ------------------------------------------------------------------ the steps (each its handler's action)

    @guarded(Action.RECEIVE_CASE)
    def complete_greet(self, case_id: uuid.UUID, questions_note: str = "") -> CaseView:
        """The greet step done (`GreetStep.complete`)."""
        return self.handler_of(GreetStep).complete(case_id, questions_note)

    @guarded(Action.RECEIVE_CASE)
    def complete_verify(
        self, case_id: uuid.UUID, particulars: ParticularsInput, documents: Sequence[DocumentInput]
    ) -> CaseView:
        """The verify step done (`VerifyStep.complete`)."""
        return self.handler_of(VerifyStep).complete(case_id, particulars, documents)

    @guarded(Action.RECEIVE_CASE)
    def record_documents(self, case_id: uuid.UUID, documents: Sequence[DocumentInput]) -> CaseView:
        """The documents checklist updated after the verify step (`VerifyStep.record_documents`)."""
        return self.handler_of(VerifyStep).record_documents(case_id, documents)

    @guarded(Action.VERIFY_PARTICULARS)
    def correct_particulars(self, case_id: uuid.UUID, particulars: ParticularsInput, reason: str, *,
                            requested_by_person: bool = False) -> CorrectionResult:
        """The verified particulars corrected with a written reason (`ParticularsCorrection.correct`)."""
        return self.correction.correct(case_id, particulars, reason, requested_by_person=requested_by_person)

    @guarded(Action.RECEIVE_CASE)
    def refer(self, case_id: uuid.UUID, note: str, to_person: str | None = None) -> CaseView:
        """The case referred to the step's role (`ReferStep.refer`)."""
        return self.handler_of(ReferStep).refer(case_id, note, to_person)

    @guarded(Action.SEE_CASES)
    def answer_referral(self, case_id: uuid.UUID, answer: str) -> CaseView:
        """The referral's answer recorded (`ReferStep.answer`)."""
        return self.handler_of(ReferStep).answer(case_id, answer)

    @guarded(Action.RECEIVE_CASE)
    def declaration_text(self, case_id: uuid.UUID) -> str:
        """The policy's declaration filled for the case and today (`DeclareStep.text`)."""
        return self.handler_of(DeclareStep).text(case_id)

    @guarded(Action.RECEIVE_CASE)
    def sign_declaration(self, case_id: uuid.UUID, signature_png: bytes) -> CaseView:
        """The declaration signed on the pad (`DeclareStep.sign`)."""
        return self.handler_of(DeclareStep).sign(case_id, signature_png)

    @guarded(Action.RECEIVE_CASE)
    def declare_signed_on_paper(self, case_id: uuid.UUID, scan_path: Path) -> CaseView:
        """The declaration signed on paper, its scan attached (`DeclareStep.signed_on_paper`)."""
        return self.handler_of(DeclareStep).signed_on_paper(case_id, scan_path)

    @guarded(Action.RECEIVE_CASE)
    def defer_signature(self, case_id: uuid.UUID, reason: str) -> CaseView:
        """A remote intake goes on with the signature pending (`DeclareStep.defer`)."""
        return self.handler_of(DeclareStep).defer(case_id, reason)

    @guarded(Action.RECEIVE_CASE)
    def notify_committee(self, case_id: uuid.UUID) -> CaseView:
        """The request sent to the committee, the receipt stored (`NotifyCommitteeStep.notify`)."""
        return self.handler_of(NotifyCommitteeStep).notify(case_id)

    @guarded(Action.REGISTER_SERVE)
    def complete_register(self, case_id: uuid.UUID, note: str = "") -> CaseView:
        """Registration completed for a complete file (`RegisterStep.complete`)."""
        return self.handler_of(RegisterStep).complete(case_id, note)

    @guarded(Action.REGISTER_SERVE)
    def complete_serve(
        self, case_id: uuid.UUID, service_kind: str, amount: str = "", in_kind: str = "", note: str = ""
    ) -> CaseView:
        """The service or support delivered (`ServeStep.complete`)."""
        return self.handler_of(ServeStep).complete(case_id, service_kind, amount, in_kind, note)

    # ------------------------------------------------------------------ rescue (000)

    @guarded(Action.RECEIVE_CASE)
    def record_report(
        self, case_id: uuid.UUID, *, reporter_name: str, reporter_phone: str, platform: str, place: str,
        latitude: str, longitude: str, what_happened: str,
    ) -> CaseView:
        """The report recorded and checked (`ReportStep.record`)."""
        return self.handler_of(ReportStep).record(
            case_id, reporter_name=reporter_name, reporter_phone=reporter_phone, platform=platform, place=place,
            latitude=latitude, longitude=longitude, what_happened=what_happened,
        )

    @guarded(Action.RESCUE_DISPATCH)
    def escalate(self, case_id: uuid.UUID, note: str) -> CaseView:
        """The report escalated to the central operations manager (`EscalateStep.escalate`)."""
        return self.handler_of(EscalateStep).escalate(case_id, note)

    @guarded(Action.SEE_CASES)
    def members(self, near: tuple[float, float] | None = None) -> list[MemberView]:
        """The rescue members roster, nearest first (`DispatchStep.members`)."""
        return self.handler_of(DispatchStep).members(near)

    @guarded(Action.RESCUE_MEMBERS)
    def add_member(self, name: str, phone: str, latitude: str, longitude: str) -> MemberView:
        """A member added to the roster (`DispatchStep.add_member`)."""
        return self.handler_of(DispatchStep).add_member(name, phone, latitude, longitude)

    @guarded(Action.RESCUE_MEMBERS)
    def set_member_available(self, member_id: uuid.UUID, available: bool) -> MemberView:
        """A member marked available or not (`DispatchStep.set_member_available`)."""
        return self.handler_of(DispatchStep).set_member_available(member_id, available)

    @guarded(Action.RESCUE_DISPATCH)
    def dispatch(self, case_id: uuid.UUID, member_id: uuid.UUID, *, overridden_reason: str = "") -> CaseView:
        """A member dispatched to the report (`DispatchStep.dispatch`)."""
        return self.handler_of(DispatchStep).dispatch(case_id, member_id, overridden_reason=overridden_reason)

    @guarded(Action.RESCUE_DISPATCH)
    def close_report(self, case_id: uuid.UUID, help_given: str) -> CaseView:
        """The help recorded and the report closed (`HelpStep.close`)."""
        return self.handler_of(HelpStep).close(case_id, help_given)

    # ------------------------------------------------------------------ documents

    @guarded(Action.PRINT_DOCUMENTS)
    def document_pdf(self, case_id: uuid.UUID, kind: str) -> StoredDocument:
        """A printable document of the case kept in the attachment store (the signed declaration as stored)."""
        return self.intake.document_pdf(case_id, kind)

    @guarded(Action.PRINT_DOCUMENTS)
    def render_document(self, case_id: uuid.UUID, kind: str) -> bytes:
        """The document rendered again from the stored records (same bytes as stored for an unchanged case)."""
        return self.intake.render_document(case_id, kind)
