"""What every part of the reception shares: its progress through the steps, the case view, files and free text.

`ReceptionWork` is `desktop.casework.CaseWork` with reception's own machinery; the intake, each step kind's
handler, the rescue handlers and the façade `ReceptionService` are built on it. Parts made for one façade share
its policy-version cache (`shared=`). Decisions recorded here:

* Every public action is one unit of work (`Database.session()`): everything is validated first, then written;
  any refusal is a `ReceptionError` with an Arabic reason and nothing is stored. Files go to the attachment
  store before the commit; a refused or failed action can leave an unreferenced file there (content-addressed,
  harmless), never a row without its file.
* Each step done is an append-only `StepCompletion` (officer, time, the case's channel, the case's policy
  version, note, or skipped with its reason) and an `AuditEvent`; the case's `current_step_id` then moves to
  the next step not yet passed. A case is always handled under the policy version it was opened with.
* Completing a step retires its draft (soft delete).
* Free text and names go through `clean_text` (bidi controls removed) with the bounds in `LIMITS`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AppUser,
    Attachment,
    AuditEvent,
    Beneficiary,
    Case,
    CaseStatus,
    PolicyVersion,
    ReceptionDraft,
    Referral,
    RescueMember,
    RescueReport,
    StepCompletion,
)
from desktop.arabic_text import clean_text
from desktop.attachments import MIME_PDF, StoredFile, read_attachment_file
from desktop.cases import states
from desktop.casework import NO_POLICY_YET, CaseContext, CaseWork
from desktop.documents import catalogue
from desktop.errors import InputError, ReceptionError
from desktop.policy import PolicyProfile, Step, StepKind, is_rescue_profile
from desktop.reception import rules
from desktop.reception.documents import (
    channel_name,
    check_document_kind,
    latest_declaration,
    render_document,
    required_documents,
    user_name,
)
from desktop.reception.rescue import platform_label
from desktop.reception.views import (
    BeneficiaryView,
    CaseView,
    DocumentView,
    ListedDocument,
    ReferralView,
    ReportView,
    StepState,
    StoredDocument,
)

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["LIMITS", "Progress", "ReceptionWork", "beneficiary_view", "clean", "reception_error"]

_log = logging.getLogger("mustafid.reception")  # desktop.logbook's tree: kinds and counts only

#: Maximum lengths (characters) of what the officer types.
LIMITS: dict[str, int] = {
    "name": 200,
    "city": 80,
    "document": 200,
    "note": 2000,
    "reason": 1000,
    "answer": 4000,
    "place": 200,
    "what_happened": 4000,
    "help_given": 4000,
    "service_kind": 64,
    "in_kind": 1000,
    "person": 200,
    "draft_bytes": 256 * 1024,
}


def reception_error(exc: InputError) -> ReceptionError:
    """An input error of a shared helper as reception's own error (same message and field)."""
    return exc if isinstance(exc, ReceptionError) else ReceptionError(exc.message_ar, field=exc.field)


def clean(value: str, *, limit: str, field: str, required: str | None = None, single_line: bool = False) -> str:
    """Cleaned free text within its bound (`LIMITS[limit]`); `required` is the Arabic message when it is empty."""
    try:
        cleaned = clean_text(value or "", max_length=LIMITS[limit], field=field)
    except InputError as exc:
        raise reception_error(exc) from None
    if single_line:
        cleaned = " ".join(cleaned.split())
    if required is not None and not cleaned:
        raise ReceptionError(required, field=field)
    return cleaned


@dataclass
class Progress:
    """Which steps of a case are completed, skipped, waiting, and which is current."""

    completions: dict[str, StepCompletion]
    completed: set[str]
    skipped: set[str]
    waiting: set[str]
    current: Step | None
    #: Steps held until the committee accepts the request (the decision gate): the reception ended at the notice.
    held: set[str] = field(default_factory=set)
    #: Steps that do not apply to the case's kind (a kind that ends at the answer: all but the greeting).
    not_applicable: set[str] = field(default_factory=set)


class ReceptionWork(CaseWork):
    """The reception's case machinery for one officer at one PC (see the module's decisions)."""

    _error = ReceptionError

    def __init__(
        self,
        workspace: Workspace,
        *,
        clock: Callable[[], datetime] | None = None,
        shared: ReceptionWork | None = None,
    ) -> None:
        super().__init__(workspace, clock=clock if clock is not None or shared is None else shared._clock)
        if shared is not None:
            self._profiles = shared._profiles  # one cache of parsed policy versions per façade

    @property
    def profile(self) -> PolicyProfile:
        """The policy adopted on this PC (ReceptionError before the first adoption)."""
        profile = self._workspace.active_profile()
        if profile is None:
            raise ReceptionError(NO_POLICY_YET, field="policy")
        return profile

    # ------------------------------------------------------------------ progress through the steps

    def _progress(self, session: Session, case: Case, profile: PolicyProfile) -> Progress:
        rows = session.scalars(
            select(StepCompletion)
            .where(StepCompletion.case_id == case.id, StepCompletion.deleted_at.is_(None))
            .order_by(StepCompletion.completed_at, StepCompletion.id)
        ).all()
        completions: dict[str, StepCompletion] = {}
        for row in rows:
            completions.setdefault(row.step_id, row)
        completed = {s for s, row in completions.items() if not row.skipped}
        skipped = {s for s, row in completions.items() if row.skipped}
        waiting: set[str] = set()
        passed = completed | skipped
        declare = profile.declaration_step
        if case.signature_pending and declare is not None and declare.id not in passed:
            waiting.add(declare.id)
            passed.add(declare.id)
        not_applicable = rules.not_applicable_steps(profile, case.case_kind_id) - passed
        passed |= not_applicable
        current = rules.current_step(profile, passed)
        held: set[str] = set()
        if current is not None and rules.held_for_decision(profile, case.case_kind_id, current, case.status):
            held = {step.id for step in profile.steps if step.id not in passed}
            current = None
        if case.status == CaseStatus.REFERRED.value and current is not None and current.kind is StepKind.REFER:
            waiting.add(current.id)
        if case.status == CaseStatus.CLOSED.value:
            current = None
        return Progress(completions, completed, skipped, waiting, current, held, not_applicable)

    def _advance(self, ctx: CaseContext) -> Progress:
        ctx.session.flush()
        progress = self._progress(ctx.session, ctx.case, ctx.profile)
        ctx.case.current_step_id = progress.current.id if progress.current is not None else None
        return progress

    def _require_step(self, ctx: CaseContext, kind: str) -> Step:
        """The case's current step, which must be of `kind` (ReceptionError naming the step to do first)."""
        progress = self._progress(ctx.session, ctx.case, ctx.profile)
        if ctx.case.status == CaseStatus.REFERRED.value:
            raise ReceptionError("الحالة محالة وتنتظر الرد: سجّل الرد على الإحالة أولًا", field="step")
        if any(step.kind == kind and step.id in progress.held for step in ctx.profile.steps):
            refusal = states.gate_refusal(ctx.case.status, CaseStatus.REGISTERED, decision_required=True)
            raise ReceptionError(refusal or states.NOT_DECIDED_YET, field="status")
        if any(step.kind == kind and step.id in progress.not_applicable for step in ctx.profile.steps):
            kind_name = next((k.name for k in ctx.profile.case_kinds if k.id == ctx.case.case_kind_id), "الطلب")
            raise ReceptionError(
                f"«{kind_name}» يُجاب في خطوة الاستقبال وتُغلق حالته دون قرار لجنة؛ لا تنطبق عليه هذه الخطوة",
                field="step",
            )
        return rules.require_current(ctx.profile, progress.current.id if progress.current else None, kind)

    def _complete(self, ctx: CaseContext, step: Step, *, note: str = "", skipped: bool = False,
                  skip_reason: str | None = None) -> StepCompletion:
        """Append the step's completion record, retire its draft, audit it and move to the next step."""
        completion = self._stamp(
            ctx,
            StepCompletion(
                case_id=ctx.case.id,
                step_id=step.id,
                step_kind=str(step.kind),
                officer_id=ctx.officer_id,
                channel_id=ctx.case.channel_id,
                completed_at=ctx.now,
                policy_version_id=ctx.case.policy_version_id,
                skipped=skipped,
                skip_reason=skip_reason,
                note=note or None,
            ),
        )
        draft = ctx.session.scalars(
            select(ReceptionDraft).where(
                ReceptionDraft.case_id == ctx.case.id,
                ReceptionDraft.step_id == step.id,
                ReceptionDraft.deleted_at.is_(None),
            )
        ).first()
        if draft is not None:
            draft.deleted_at = ctx.now
        self._audit(
            ctx,
            "step_skipped" if skipped else "step_completed",
            {"step_id": step.id, "step_kind": str(step.kind), **({"reason": skip_reason} if skipped else {})},
        )
        self._advance(ctx)
        assert isinstance(completion, StepCompletion)
        return completion

    # ------------------------------------------------------------------ files

    def import_attachment(self, path: Path) -> str:
        """Store a scan (PNG/JPEG image or PDF, at most 10 MB) and return its SHA-256."""
        data, mime = read_attachment_file(Path(path))
        with self._db.session() as session:
            association = self._association(session)
            officer_id, _ = self._officer_row(session, association.id)
            device = self._device_row(session)
            stored = self._store.put(data, mime)
            row = session.scalars(select(Attachment).where(Attachment.sha256 == stored.sha256)).first()
            if row is None:
                session.add(
                    Attachment(
                        sha256=stored.sha256, size=stored.size, mime=stored.mime, stored_path=stored.relative_path,
                        device_id=device[0] if device else None, updated_by=officer_id,
                    )
                )
            return stored.sha256

    def _attachment(self, ctx: CaseContext, data: bytes, mime: str) -> Attachment:
        """Store bytes content-addressed and return their attachment row (one row per content)."""
        return self._attachment_row(ctx, self._store.put(data, mime))

    def _attachment_row(self, ctx: CaseContext, stored: StoredFile) -> Attachment:
        """The attachment row of a stored file, added (or brought back) when needed."""
        row = ctx.session.scalars(select(Attachment).where(Attachment.sha256 == stored.sha256)).first()
        if row is None:
            row = self._stamp(
                ctx,
                Attachment(sha256=stored.sha256, size=stored.size, mime=stored.mime, stored_path=stored.relative_path),
            )
            ctx.session.flush()
        elif row.deleted_at is not None:
            row.deleted_at = None
        assert isinstance(row, Attachment)
        return row

    def document_pdf(self, case_id: uuid.UUID, kind: str) -> StoredDocument:
        """A printable document of the case kept in the attachment store (the signed declaration as stored)."""
        check_document_kind(kind)
        _log.info("document for printing: %s", kind)
        with self._db.session() as session:
            ctx = self._context(session, case_id, allow_closed=True)
            catalogue.document(kind).check_may_print(self._officer_role(session))
            if kind == "declaration":
                declaration = latest_declaration(session, ctx.case.id)
                if declaration is None:
                    raise ReceptionError("لم يوقَّع الإقرار في هذه الحالة بعد", field="declaration")
                row = session.get(Attachment, declaration.pdf_attachment_id) if declaration.pdf_attachment_id else None
                if row is not None and row.sha256 == declaration.pdf_sha256:
                    path = self._store.path_of(row.stored_path)
                    if path.is_file():
                        readable = self._store.readable_copy(row.stored_path, row.sha256)
                        if readable.stat().st_size == row.size:
                            return StoredDocument(kind, row.sha256, readable, row.size)
            return self._store_document(ctx, kind)

    def render_document(self, case_id: uuid.UUID, kind: str) -> bytes:
        """The document rendered again from the stored records (same bytes as stored for an unchanged case)."""
        check_document_kind(kind)
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return render_document(session, case, self._profile_of(session, case.policy_version_id), self._store, kind)

    def _store_document(self, ctx: CaseContext, kind: str) -> StoredDocument:
        """Render one of the case's documents, keep it in the store and record its attachment row."""
        pdf = render_document(ctx.session, ctx.case, ctx.profile, self._store, kind)
        stored = self._store.put(pdf, MIME_PDF)
        existed = ctx.session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.sha256 == stored.sha256)
        )
        self._attachment_row(ctx, stored)
        if not existed:
            self._audit(ctx, "document_stored", {"kind": kind, "sha256": stored.sha256})
        return StoredDocument(kind, stored.sha256, self._store.readable_copy(stored.relative_path, stored.sha256),
                              stored.size)

    # ------------------------------------------------------------------ rows of a case

    def _open_referral(self, session: Session, case_id: uuid.UUID) -> Referral | None:
        return session.scalars(
            select(Referral)
            .where(Referral.case_id == case_id, Referral.answered_at.is_(None), Referral.deleted_at.is_(None))
            .order_by(Referral.created_at.desc())
            .limit(1)
        ).first()

    def _report(self, session: Session, case_id: uuid.UUID) -> RescueReport | None:
        return session.scalars(
            select(RescueReport).where(RescueReport.case_id == case_id, RescueReport.deleted_at.is_(None))
        ).first()

    # ------------------------------------------------------------------ the view

    def _view(self, session: Session, case: Case, profile: PolicyProfile) -> CaseView:
        """Everything the wizard shows of the case, as plain frozen dataclasses."""
        session.flush()
        progress = self._progress(session, case, profile)
        officers = {row.officer_id for row in progress.completions.values() if row.officer_id is not None}
        users = {
            user.id: user.full_name for user in session.scalars(select(AppUser).where(AppUser.id.in_(officers)))
        }
        current_id = progress.current.id if progress.current is not None else None
        steps = []
        for step in profile.steps:
            row = progress.completions.get(step.id)
            steps.append(
                StepState(
                    step_id=step.id,
                    kind=str(step.kind),
                    title=step.title,
                    text=step.text,
                    mandatory=step.mandatory,
                    status=rules.step_status(
                        step, current_id=current_id, completed=progress.completed, skipped=progress.skipped,
                        waiting=progress.waiting, held=progress.held, not_applicable=progress.not_applicable,
                    ),
                    completed_at=row.completed_at if row else None,
                    officer_name=users.get(row.officer_id) if row and row.officer_id else None,
                    note=(row.skip_reason if row.skipped else row.note) if row else None,
                )
            )
        beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
        version = session.get(PolicyVersion, case.policy_version_id)
        today = self._today()
        documents = []
        for doc in required_documents(session, case.id):
            attachment = session.get(Attachment, doc.attachment_id) if doc.attachment_id else None
            documents.append(
                DocumentView(
                    document_id=doc.id,
                    name=doc.name,
                    provided=doc.provided,
                    valid_until=doc.valid_until,
                    expired=doc.valid_until is not None and doc.valid_until < today,
                    attachment_sha256=attachment.sha256 if attachment else None,
                )
            )
        return CaseView(
            case_id=case.id,
            case_number=case.case_number,
            status=case.status,
            status_label=states.status_label(case.status),
            channel_id=case.channel_id,
            channel_name=channel_name(profile, case.channel_id),
            case_kind_id=case.case_kind_id,
            case_kind_name=next((k.name for k in profile.case_kinds if k.id == case.case_kind_id), case.case_kind_id),
            beneficiary=beneficiary_view(beneficiary) if beneficiary else None,
            steps=tuple(steps),
            current_step_id=current_id,
            submitted_at=case.submitted_at,
            promised_decision_date=case.promised_decision_date,
            signature_pending=case.signature_pending,
            open_referral=self._referral_view(session, profile, case.id),
            documents=tuple(documents),
            policy_version=version.version_label if version else profile.version,
            report=self._report_view(session, case.id),
            is_rescue=is_rescue_profile(profile),
            listed_documents=tuple(
                ListedDocument(name=d.name, required=d.required, has_expiry=d.has_expiry)
                for d in profile.documents_for(case.case_kind_id)
            ),
            awaiting_decision=bool(progress.held),
            ends_at_answer=profile.ends_at_answer(case.case_kind_id),
        )

    def _referral_view(self, session: Session, profile: PolicyProfile, case_id: uuid.UUID) -> ReferralView | None:
        referral = self._open_referral(session, case_id)
        if referral is None:
            return None
        try:
            role_name = profile.role(referral.to_role).name
        except KeyError:
            role_name = referral.to_role
        person = user_name(session, referral.to_user_id) or None
        if person is None:
            details = session.scalar(
                select(AuditEvent.details).where(
                    AuditEvent.entity == "referral", AuditEvent.entity_id == referral.id, AuditEvent.action == "referred"
                )
            )
            person = (details or {}).get("to_person")
        return ReferralView(
            referral_id=referral.id,
            to_role_id=referral.to_role,
            to_role_name=role_name,
            to_person=person,
            note=referral.note or "",
            answer=referral.answer,
            referred_at=referral.created_at,
            answered_at=referral.answered_at,
        )

    def _report_view(self, session: Session, case_id: uuid.UUID) -> ReportView | None:
        report = self._report(session, case_id)
        if report is None:
            return None
        member = session.get(RescueMember, report.dispatched_member_id) if report.dispatched_member_id else None
        return ReportView(
            reporter_name=report.reporter_name,
            reporter_phone=report.reporter_phone,
            platform=report.platform,
            place=report.place,
            latitude=report.latitude,
            longitude=report.longitude,
            what_happened=report.what_happened,
            received_at=report.received_at,
            escalated_at=report.escalated_at,
            dispatched_at=report.dispatched_at,
            dispatched_member=member.name if member else None,
            closed_at=report.closed_at,
            help_given=report.help_given,
            platform_label=platform_label(report.platform),
            dispatch_override_reason=report.dispatch_override_reason,
        )


def beneficiary_view(b: Beneficiary) -> BeneficiaryView:
    """The beneficiary's particulars as the desk shows them (reception and the case file alike)."""
    return BeneficiaryView(
        beneficiary_id=b.id,
        full_name=b.full_name,
        id_number=b.id_number,
        id_kind=b.id_kind,
        id_expiry=b.id_expiry,
        birth_date=b.birth_date,
        mobile=b.mobile,
        city=b.city,
        household_size=b.household_size,
        gender=b.gender,
    )
