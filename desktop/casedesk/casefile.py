"""The case file: particulars, documents with validity, status and promise, decision, services, the timeline,
and the case's stored documents.

The documents panel (`CaseFileService.documents`) lists every stored file of the case (whatever its kind in the
document catalogue: declarations with their number and superseded marker, receipts, letters, report records,
scans), each with whether this officer's role may print it. A correction of the particulars from the case file
goes to reception's `desktop.reception.correction` (the seam that owns the particulars' check and the
declaration); so does the corrected declaration signed on paper.

`build_case_file(session, case, profile, today)` is the one way a `CaseFile` is made: the case file service
reads it, and every action of the committee and of service delivery answers with it.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from hashlib import sha256
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Attachment,
    Beneficiary,
    BeneficiaryNotice,
    Case,
    CaseStatus,
    PolicyVersion,
    Referral,
    Service,
)
from desktop.arabic_text import identifier_text
from desktop.casedesk.common import (
    case_kind_name,
    case_number_typed,
    channel_name,
    dual,
    mobile_local,
    moment_text,
    role_name,
    user_names,
)
from desktop.casedesk.decisions import decision_view, latest_decision, read_stored
from desktop.casedesk.eligibility import document_states, withhold_documents
from desktop.casedesk.rules import register_refusal, serve_refusal
from desktop.casedesk.service import CaseDeskWork
from desktop.casedesk.timeline import (
    build_timeline,
    declaration_state,
    file_entries,
    sensitive_scans,
    withhold_scans,
)
from desktop.casedesk.views import (
    INFORMED_HOW,
    CaseDeskError,
    CaseDocument,
    CaseFile,
    DecisionView,
    InformedView,
    ServiceView,
    TimelineEntry,
)
from desktop.cases import states
from desktop.casework import case_letterhead
from desktop.documents import catalogue
from desktop.errors import ReceptionError
from desktop.hijri import local_date
from desktop.money import money_text
from desktop.policy import PolicyProfile, SensitiveField, is_rescue_profile
from desktop.reception.correction import CorrectionResult, ParticularsCorrection
from desktop.reception.declare import DeclareStep
from desktop.reception.documents import declaration_versions
from desktop.reception.particulars import household_required
from desktop.reception.views import ParticularsInput, ReferralView
from desktop.reception.work import beneficiary_view
from desktop.permissions import REDACTED, SENSITIVE_SCAN_REFUSED, Action, PermissionDenied, guarded

__all__ = ["CaseFileService", "build_case_file"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


class CaseFileService(CaseDeskWork):
    """The case file, its timeline and its stored documents, read for the officer, researcher and secretary."""

    @guarded(Action.SEE_CASES)
    def case_file(self, case_id: uuid.UUID) -> CaseFile:
        """The case file: particulars, documents with validity, status, promised date, referral, timeline."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return build_case_file(session, case, self._profile_of(session, case.policy_version_id), self._today(), readable=self._may(session, Action.READ_SENSITIVE))

    @guarded(Action.SEE_CASES)
    def case_file_by_number(self, case_number: str) -> CaseFile:
        """The case file of the case with this number (CaseDeskError when there is none)."""
        number = case_number_typed(case_number)
        with self._db.session(read_only=True) as session:
            case = session.scalars(select(Case).where(Case.case_number == number, Case.deleted_at.is_(None))).first()
            if case is None:
                raise CaseDeskError(f"لا يوجد طلب بالرقم {identifier_text(number)}", field="case_number")
            return build_case_file(session, case, self._profile_of(session, case.policy_version_id), self._today(), readable=self._may(session, Action.READ_SENSITIVE))

    @guarded(Action.SEE_CASES)
    def timeline(self, case_id: uuid.UUID) -> tuple[TimelineEntry, ...]:
        """Everything that happened on the case, newest first, each with officer and time."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return build_timeline(session, case, self._profile_of(session, case.policy_version_id),
                                  readable=self._may(session, Action.READ_SENSITIVE))

    @guarded(Action.PRINT_DOCUMENTS)
    def subject_access_pdf(self, case_id: uuid.UUID) -> bytes:
        """Everything held about the case's beneficiary as a PDF (subject access, PDPL): gathered in one read,
        rendered outside it, the export audited (who and when, nothing personal)."""
        from desktop.subject_access import gather_subject_access, render_subject_access

        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            if case.beneficiary_id is None:
                raise CaseDeskError("لا يرتبط هذا الطلب بمستفيد مسجّل", field="case")
            export = gather_subject_access(session, case.beneficiary_id)
            letterhead = case_letterhead(session, self._store, self._profile_of(session, case.policy_version_id))
        pdf = render_subject_access(export, letterhead)
        with self._db.session() as session:
            ctx = self._context(session, case_id, allow_closed=True)
            self._audit(ctx, "subject_access_exported", {"pdf_sha256": sha256(pdf).hexdigest()})
        return pdf

    @guarded(Action.PRINT_DOCUMENTS)
    def document_pdf(self, case_id: uuid.UUID, entry_or_kind: TimelineEntry | str) -> bytes:
        """The bytes of a stored file of the case (a timeline entry or a SHA-256), or a document kind rendered.

        A kind is a printed document of `desktop.documents.catalogue` (the decision letter as stored, the others
        rendered again from the case's records), refused for a role the catalogue does not let print it.
        """
        sha: str | None
        if isinstance(entry_or_kind, TimelineEntry):
            sha = entry_or_kind.attachment_sha256
            kind = entry_or_kind.document_kind or ""
            if entry_or_kind.withheld:
                raise PermissionDenied(SENSITIVE_SCAN_REFUSED, field="permission")
            if sha is None:
                raise CaseDeskError("لا يوجد ملف مرفق بهذا السجل", field="entry")
        else:
            kind = (entry_or_kind or "").strip()
            sha = kind if _SHA256.fullmatch(kind) else None
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            if sha is not None:
                row = session.scalars(select(Attachment).where(Attachment.sha256 == sha)).first()
                if row is None or not _belongs_to_case(session, case, sha):
                    raise CaseDeskError("الملف غير موجود في ملف هذا الطلب", field="entry")
                profile = self._profile_of(session, case.policy_version_id)
                if (sha in sensitive_scans(session, case, profile)
                        and not self._may(session, Action.READ_SENSITIVE)):
                    raise PermissionDenied(SENSITIVE_SCAN_REFUSED, field="permission")
                return read_stored(self._store, row)
            entry = catalogue.document(kind, CaseDeskError)
            entry.check_may_print(self._officer_role(session), CaseDeskError)
            try:
                return entry.render(session, case, self._profile_of(session, case.policy_version_id), self._store)
            except CaseDeskError:
                raise
            except ReceptionError as exc:  # reception's renderers word their refusals as reception's
                raise CaseDeskError(exc.message_ar, field=exc.field) from None


    @guarded(Action.SEE_CASES)
    def documents(self, case_id: uuid.UUID) -> tuple[CaseDocument, ...]:
        """Every stored document of the case, newest first, for the documents panel (reprint and open)."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            role = self._officer_role(session)
            versions = {v.row.pdf_sha256: v for v in declaration_versions(session, case.id) if v.row.pdf_sha256}
            found: list[CaseDocument] = []
            entries = file_entries(session, case)
            if not self._may(session, Action.READ_SENSITIVE):
                entries = withhold_scans(
                    entries, sensitive_scans(session, case, self._profile_of(session, case.policy_version_id)))
            for entry in entries:
                kind = entry.document_kind or ""
                printed = catalogue.title_of(kind, "")
                may_print = True
                if printed:
                    try:
                        catalogue.document(kind).check_may_print(role)
                    except ReceptionError:
                        may_print = False
                version = versions.get(entry.attachment_sha256 or "") if kind == "declaration" else None
                state = declaration_state(version.number, version.superseded) if version is not None else ""
                found.append(CaseDocument(
                    entry=entry, title=entry.title, state_label=state,
                    number=version.number if version is not None else None,
                    superseded=version.superseded if version is not None else False,
                    may_print=may_print and not entry.withheld, is_pdf=entry.mime in (None, "application/pdf"),
                ))
        found.sort(key=lambda d: (d.entry.at, d.entry.entry_id), reverse=True)
        return tuple(found)

    @guarded(Action.VERIFY_PARTICULARS)
    def correct_particulars(self, case_id: uuid.UUID, particulars: ParticularsInput, reason: str, *,
                            requested_by_person: bool = False) -> CorrectionResult:
        """The beneficiary's verified particulars corrected with a written reason (reception's correction);
        `requested_by_person` records that the beneficiary asked for it (their PDPL right)."""
        return self._correction().correct(case_id, particulars, reason, requested_by_person=requested_by_person)

    @guarded(Action.VERIFY_PARTICULARS)
    def sign_corrected_on_paper(self, case_id: uuid.UUID, scan_path: Path) -> CaseFile:
        """The corrected declaration, signed on its printed form, attached by its scan (image or PDF)."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            versions = declaration_versions(session, case.id)
            if not (case.signature_pending and versions and versions[-1].superseded):
                raise CaseDeskError("لا ينتظر هذا الطلب توقيع إقرار مصحح", field="declaration")
        DeclareStep(self._workspace, clock=self._clock).signed_on_paper(case_id, scan_path)
        return self.case_file(case_id)

    def _correction(self) -> ParticularsCorrection:
        """Reception's correction of the particulars, on this service's workspace and clock."""
        return ParticularsCorrection(self._workspace, clock=self._clock)


def _belongs_to_case(session: Session, case: Case, sha: str) -> bool:
    """True when the file is one of the case's: its timeline lists an entry with this SHA-256."""
    return any(entry.attachment_sha256 == sha for entry in file_entries(session, case))


def build_case_file(session: Session, case: Case, profile: PolicyProfile, today: date, *,
                    readable: bool = True) -> CaseFile:
    """The case file as of `today` from an open session (the readers' answer and every action's answer).

    With `readable` False (an account outside `SENSITIVE_READERS`) what the policy marks sensitive reads
    `REDACTED`: its `sensitive_fields` (the decision's reason, the notices' notes, the services' descriptions,
    the open referral's note) and its `sensitive` documents' scans (withheld, their examination note hidden).
    """
    session.flush()
    beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
    version = session.get(PolicyVersion, case.policy_version_id)
    awaiting = case.status == CaseStatus.AWAITING_COMMITTEE.value
    days_left = (
        (case.promised_decision_date - today).days
        if awaiting and case.promised_decision_date is not None else None
    )
    decision = latest_decision(session, case.id)
    names = user_names(session, [case.officer_id])
    notices = session.scalars(
        select(BeneficiaryNotice)
        .where(BeneficiaryNotice.case_id == case.id, BeneficiaryNotice.deleted_at.is_(None))
        .order_by(BeneficiaryNotice.informed_at.desc(), BeneficiaryNotice.id.desc())
    ).all()
    services = session.scalars(
        select(Service).where(Service.case_id == case.id, Service.deleted_at.is_(None))
        .order_by(Service.delivered_at.desc(), Service.id.desc())
    ).all()
    names.update(user_names(session, [n.informed_by for n in notices] + [s.delivered_by for s in services]))
    status = case.status
    refusal = serve_refusal(session, case, profile)

    def hide(field: SensitiveField) -> bool:
        return not readable and profile.field_is_sensitive(field)

    try:
        allowed = states.TRANSITIONS[CaseStatus(status)]
    except ValueError:
        allowed = frozenset()
    return CaseFile(
        case_id=case.id,
        case_number=case.case_number,
        version=case.version,
        status=status,
        status_label=states.status_label(status),
        channel_id=case.channel_id,
        channel_name=channel_name(profile, case.channel_id),
        case_kind_id=case.case_kind_id,
        case_kind_name=case_kind_name(profile, case.case_kind_id),
        officer_name=names.get(case.officer_id) if case.officer_id else None,
        opened_at=case.created_at,
        opened_text=moment_text(case.created_at),
        submitted_at=case.submitted_at,
        submitted_text=dual(local_date(case.submitted_at)) if case.submitted_at else "",
        promised_decision_date=case.promised_decision_date,
        promised_text=dual(case.promised_decision_date),
        days_left=days_left,
        overdue=days_left is not None and days_left < 0,
        signature_pending=case.signature_pending,
        beneficiary=beneficiary_view(beneficiary) if beneficiary else None,
        id_expired=bool(beneficiary and beneficiary.id_expiry and beneficiary.id_expiry < today),
        mobile_local=mobile_local(beneficiary.mobile if beneficiary else None),
        documents=withhold_documents(document_states(session, case, today), profile, readable),
        open_referral=_hidden_referral(_open_referral(session, profile, case.id), hide(SensitiveField.REFERRAL_NOTE)),
        decision=_hidden_reason(decision_view(session, decision, case), hide(SensitiveField.DECISION_REASON))
        if decision else None,
        informed=tuple(
            InformedView(n.how, INFORMED_HOW.get(n.how, n.how),
                         _private(n.note or "", hide(SensitiveField.NOTICE_NOTE)),
                         names.get(n.informed_by) if n.informed_by else None, n.informed_at,
                         moment_text(n.informed_at))
            for n in notices
        ),
        services=tuple(_service_view(s, names, hide(SensitiveField.SERVICE_DESCRIPTION)) for s in services),
        timeline=build_timeline(session, case, profile, readable=readable),
        policy_version=version.version_label if version else profile.version,
        is_rescue=is_rescue_profile(profile),
        can_decide=awaiting and profile.has_committee,
        can_serve=refusal is None,
        can_close=CaseStatus.CLOSED in allowed,
        closed_at=case.closed_at,
        corrected_declaration_pending=_corrected_pending(session, case),
        household_required=household_required(profile),
        can_register=register_refusal(session, case, profile) is None,
        continuation_note=_continuation_note(case, profile, refusal),
    )


def _corrected_pending(session: Session, case: Case) -> bool:
    """True when a correction superseded the signed declaration and the corrected one is not signed yet."""
    if not case.signature_pending:
        return False
    versions = declaration_versions(session, case.id)
    return bool(versions) and versions[-1].superseded



def _continuation_note(case: Case, profile: PolicyProfile, serve_refused: str | None) -> str:
    """What comes next on a case that reached the committee, for the case file (empty when nothing to say)."""
    if is_rescue_profile(profile) or not profile.needs_decision(case.case_kind_id):
        return ""
    status = case.status
    if status in (CaseStatus.AWAITING_COMMITTEE.value, CaseStatus.MORE_INFO_REQUESTED.value):
        return "بانتظار قرار لجنة البحث: يُستكمل التسجيل وتُقدَّم الخدمة من هنا بعد قبول الطلب."
    if status == CaseStatus.REJECTED.value:
        return "رُفض الطلب: اطبع خطاب القرار وسلّمه للمستفيد، ثم أغلق الحالة مع ذكر السبب."
    if status == CaseStatus.ACCEPTED.value and serve_refused is not None:
        return "قُبل الطلب: استكمل التسجيل من هنا، ثم سجّل الخدمة المقدَّمة."
    return ""


def _open_referral(session: Session, profile: PolicyProfile, case_id: uuid.UUID) -> ReferralView | None:
    """The case's referral still unanswered (the latest), or None."""
    referral = session.scalars(
        select(Referral)
        .where(Referral.case_id == case_id, Referral.answered_at.is_(None), Referral.deleted_at.is_(None))
        .order_by(Referral.created_at.desc())
        .limit(1)
    ).first()
    if referral is None:
        return None
    person = user_names(session, [referral.to_user_id]).get(referral.to_user_id) if referral.to_user_id else None
    return ReferralView(
        referral_id=referral.id,
        to_role_id=referral.to_role,
        to_role_name=role_name(profile, referral.to_role),
        to_person=person,
        note=referral.note or "",
        answer=referral.answer,
        referred_at=referral.created_at,
        answered_at=referral.answered_at,
    )


def _private(text: str, hidden: bool) -> str:
    """`text`, or `REDACTED` in its place when it is hidden from this account (an empty text stays empty)."""
    return REDACTED if hidden and text else text


def _hidden_referral(referral: ReferralView | None, hidden: bool) -> ReferralView | None:
    """The open referral with its note (and answer) `REDACTED` when the policy's referral texts are hidden."""
    if referral is None or not hidden:
        return referral
    return dataclasses.replace(referral, note=_private(referral.note, True),
                               answer=_private(referral.answer or "", True) or referral.answer)


def _hidden_reason(decision: DecisionView, hidden: bool) -> DecisionView:
    """The decision with its reason `REDACTED` when the policy marks the committee's reason sensitive."""
    return dataclasses.replace(decision, reason=_private(decision.reason, True)) if hidden else decision


def _service_view(s: Service, names: Mapping[uuid.UUID, str], hidden: bool = False) -> ServiceView:
    """A delivered service with its amount and date worded (its description `REDACTED` when `hidden`)."""
    delivered_on = local_date(s.delivered_at) if s.delivered_at else None
    return ServiceView(
        service_id=s.id, kind=s.kind, amount=s.amount, amount_text=money_text(s.amount), in_kind=s.in_kind,
        description=_private(s.description or "", hidden), delivered_on=delivered_on, delivered_text=dual(delivered_on),
        delivered_by=names.get(s.delivered_by) if s.delivered_by else None,
    )
