"""The reception's printed documents as plain functions: `render_*(session, case, profile, store) -> bytes`.

No service instance is needed: the case desk and the `mustafid-admin pdf` command print them from their own
session. Each document is rendered from the stored records with the case's policy version, so an unchanged case
gives the same bytes (renders are deterministic). Decisions recorded here:

* The signed declaration is re-rendered from its `Declaration` row (the text as signed, the day it was signed,
  the officer who took it, the pad's PNG read back from the store); the one stored at signing is the same file.
* A declaration being signed is gathered first (`gather_declaration`, plain data, in a session), then rendered
  outside any transaction (`DeclarationSheet.render`): the slow part never holds the database's write lock.
* The missing-documents list is dated the day its document list was last recorded.
* The receipt needs the submission to the committee; the blank declaration needs the policy's declaration.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    AppUser,
    Attachment,
    AuditEvent,
    Beneficiary,
    Case,
    Declaration,
    RequiredDocument,
    SignatureKind,
    StepCompletion,
)
from desktop.arabic_text import strip_bidi_controls, display_digits, to_latin_digits
from desktop.attachments import AttachmentStore
from desktop.casework import case_letterhead, version_profile
from desktop.arabic_text import ltr
from desktop.documents.letterhead import Letterhead
from desktop.errors import InputError, ReceptionError
from desktop.hijri import format_dual, local_date
from desktop.identity import IdKind, format_mobile_local
from desktop.policy import PolicyProfile, StepKind
from desktop.policy_text import privacy_notice

if TYPE_CHECKING:
    # The layouts load reportlab, Pillow and the print fonts (~0.1 s): only the functions that render import
    # them, so the reception page (which imports this module) starts without them.
    from desktop.documents.forms import BeneficiaryParticulars

__all__ = [
    "CORRECTION_ACTION",
    "DOCUMENT_KINDS",
    "DeclarationSheet",
    "DeclarationVersion",
    "case_profile",
    "check_document_kind",
    "declaration_versions",
    "fill_declaration",
    "find_case",
    "gather_declaration",
    "latest_declaration",
    "missing_documents",
    "render_blank_declaration",
    "render_declaration",
    "render_document",
    "render_missing_documents",
    "render_receipt",
]

#: The printable documents of a case (`render_document`, the service's `document_pdf`).
DOCUMENT_KINDS: tuple[str, ...] = ("declaration", "blank_declaration", "receipt", "missing_documents")

_OTHER_ID_LABEL = "وثيقة أخرى"
_BLANK_DATE = "…………/……/…… هـ"
_NO_DECLARATION = "سياسة الجمعية لا تتضمن إقرارًا يوقعه المستفيد"
_NOT_SIGNED = "لم يوقَّع الإقرار في هذه الحالة بعد"


def check_document_kind(kind: str) -> None:
    """ReceptionError (field "kind") unless `kind` is one of `DOCUMENT_KINDS`."""
    if kind not in DOCUMENT_KINDS:
        raise ReceptionError("نوع المستند غير معروف", field="kind")


def find_case(session: Session, case_number: str) -> Case:
    """The case with this number as typed (digits of any script, bidi marks ignored); ReceptionError when none."""
    number = to_latin_digits(strip_bidi_controls(case_number or "")).strip().upper()
    case = session.scalars(select(Case).where(Case.case_number == number, Case.deleted_at.is_(None))).first()
    if case is None:
        raise ReceptionError(f"لا توجد حالة بالرقم «{number}»", field="case_number")
    return case


def case_profile(session: Session, case: Case) -> PolicyProfile:
    """The policy version the case is handled under (loaded from its stored text)."""
    return version_profile(session, case.policy_version_id, ReceptionError)


def date_text(value: date) -> str:
    """A date as the messages write it (with "/": a "-" reverses inside Arabic text)."""
    return f"{value:%Y/%m/%d}"


def id_kind_label(kind: str) -> str:
    """The Arabic name of an identity document kind ("other" and unknown kinds: another document)."""
    try:
        return IdKind(kind).label_ar
    except ValueError:
        return _OTHER_ID_LABEL


def channel_name(profile: PolicyProfile, channel_id: str) -> str:
    """The policy's name of a channel (its id when the policy no longer has it)."""
    try:
        return profile.channel(channel_id).name
    except KeyError:
        return channel_id


def user_name(session: Session, user_id: uuid.UUID | None) -> str:
    """The full name of a member of staff, or "" when unknown."""
    if user_id is None:
        return ""
    user = session.get(AppUser, user_id)
    return user.full_name if user is not None else ""


def latest_declaration(session: Session, case_id: uuid.UUID) -> Declaration | None:
    """The case's most recent declaration, or None before it is signed."""
    return session.scalars(
        select(Declaration)
        .where(Declaration.case_id == case_id, Declaration.deleted_at.is_(None))
        .order_by(Declaration.signed_at.desc(), Declaration.id.desc())
        .limit(1)
    ).first()


#: The audit action of a correction of the particulars (`desktop.reception.correction`); its details name the
#: declaration it superseded, if any ("superseded_declaration_id").
CORRECTION_ACTION = "particulars_corrected"


@dataclass(frozen=True)
class DeclarationVersion:
    """One signed declaration of a case: its row, its number (1 for the first) and whether it was superseded."""

    row: Declaration
    number: int
    superseded: bool


def declaration_versions(session: Session, case_id: uuid.UUID) -> list[DeclarationVersion]:
    """The case's declarations in signing order, each superseded when a correction or a later one replaced it.

    A declaration is superseded when a correction of the particulars named it (its audit event) or a later
    declaration names it in `supersedes_id`; the rows themselves are never changed (append-only).
    """
    rows = list(session.scalars(
        select(Declaration)
        .where(Declaration.case_id == case_id, Declaration.deleted_at.is_(None))
        .order_by(Declaration.signed_at, Declaration.id)
    ))
    if not rows:
        return []
    replaced = {row.supersedes_id for row in rows if row.supersedes_id is not None}
    for details in session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.entity == "case", AuditEvent.entity_id == case_id, AuditEvent.action == CORRECTION_ACTION
        )
    ):
        named = (details or {}).get("superseded_declaration_id")
        if isinstance(named, str):
            try:
                replaced.add(uuid.UUID(hex=named))
            except ValueError:
                continue
    return [DeclarationVersion(row, index, row.id in replaced) for index, row in enumerate(rows, start=1)]


def missing_documents(rows: Sequence[RequiredDocument], today: date) -> list[tuple[str, str]]:
    """(name, reason) of every document not provided or expired on `today`."""
    missing = []
    for row in rows:
        if not row.provided:
            missing.append((row.name, "لم يُقدَّم"))
        elif row.valid_until is not None and row.valid_until < today:
            missing.append((row.name, f"انتهت صلاحيته في {display_digits(date_text(row.valid_until))} م"))
    return missing


def required_documents(session: Session, case_id: uuid.UUID) -> list[RequiredDocument]:
    """The case's documents checklist in the order it was recorded."""
    return list(
        session.scalars(
            select(RequiredDocument)
            .where(RequiredDocument.case_id == case_id, RequiredDocument.deleted_at.is_(None))
            .order_by(RequiredDocument.created_at, RequiredDocument.id)
        )
    )


def _beneficiary(session: Session, case: Case) -> Beneficiary | None:
    return session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None


def fill_declaration(session: Session, case: Case, profile: PolicyProfile, on: date | None) -> str:
    """The policy's declaration filled with the beneficiary's data and the date (dots when `on` is None)."""
    if profile.declaration is None:
        raise ReceptionError(_NO_DECLARATION, field="declaration")
    beneficiary = _beneficiary(session, case)
    if beneficiary is None:
        raise ReceptionError("أكمل خطوة التحقق من بيانات المستفيد قبل الإقرار", field="declaration")
    values = {
        "full_name": beneficiary.full_name,
        "id_number": beneficiary.id_number,
        "id_kind": id_kind_label(beneficiary.id_kind),
        "association": profile.association.name,
        "case_number": case.case_number,
        "date": format_dual(on) if on is not None else _BLANK_DATE,
    }
    return profile.declaration.render(values, beneficiary.gender).strip()


def particulars_of(beneficiary: Beneficiary | None) -> BeneficiaryParticulars:
    """The beneficiary's particulars as a printed form shows them (empty lines when there is none yet)."""
    from desktop.documents import forms  # loaded only to render (see TYPE_CHECKING above)
    if beneficiary is None:
        return forms.BeneficiaryParticulars(full_name="", id_number="", id_kind_label="")
    mobile = ""
    if beneficiary.mobile:
        try:
            mobile = format_mobile_local(beneficiary.mobile)
        except InputError:
            mobile = beneficiary.mobile
    other: tuple[tuple[str, str], ...] = ()
    if beneficiary.household_size is not None:
        other = (("عدد أفراد الأسرة", display_digits(str(beneficiary.household_size))),)
    return forms.BeneficiaryParticulars(
        full_name=beneficiary.full_name,
        id_number=beneficiary.id_number,
        id_kind_label=id_kind_label(beneficiary.id_kind),
        mobile=mobile,
        city=beneficiary.city or "",
        birth_date=beneficiary.birth_date,
        other=other,
        gender=beneficiary.gender,
    )


@dataclass(frozen=True)
class DeclarationSheet:
    """Everything a declaration PDF shows, gathered from the records: rendering it needs no database."""

    letterhead: Letterhead
    title: str
    text: str
    beneficiary: BeneficiaryParticulars
    case_number: str
    signed_on: date
    officer_name: str
    signature_png: bytes | None
    signed_on_paper: bool
    #: The profile's privacy notice (paragraphs) printed under the text: signing acknowledges it.
    privacy: tuple[str, ...] = ()

    def render(self) -> bytes:
        """The declaration as a complete A4 PDF."""
        from desktop.documents import forms  # loaded only to render (see TYPE_CHECKING above)
        return forms.render_declaration(
            letterhead=self.letterhead,
            title=self.title,
            text=self.text,
            beneficiary=self.beneficiary,
            case_number=self.case_number,
            signed_on=self.signed_on,
            officer_name=self.officer_name,
            signature_png=self.signature_png,
            signed_on_paper=self.signed_on_paper,
            privacy=self.privacy,
        )


def gather_declaration(
    session: Session,
    case: Case,
    profile: PolicyProfile,
    store: AttachmentStore,
    *,
    text: str,
    signed_on: date,
    officer_name: str,
    signature_png: bytes | None,
    paper: bool,
) -> DeclarationSheet:
    """What the declaration of `case` signed on `signed_on` shows (the letterhead and the stored particulars)."""
    if profile.declaration is None:
        raise ReceptionError(_NO_DECLARATION, field="declaration")
    return DeclarationSheet(
        letterhead=case_letterhead(session, store, profile),
        title=profile.declaration.title,
        text=text,
        beneficiary=particulars_of(_beneficiary(session, case)),
        case_number=case.case_number,
        signed_on=signed_on,
        officer_name=officer_name,
        signature_png=signature_png,
        signed_on_paper=paper,
        privacy=privacy_notice(profile),
    )


def render_declaration(session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore) -> bytes:
    """The signed declaration again from its record: the same bytes as the file stored at signing."""
    declaration = latest_declaration(session, case.id)
    if declaration is None:
        raise ReceptionError(_NOT_SIGNED, field="declaration")
    png = None
    if declaration.signature_kind == SignatureKind.PAD.value and declaration.signature_attachment_id:
        signature = session.get(Attachment, declaration.signature_attachment_id)
        if signature is not None:
            png = store.read(signature.stored_path, signature.sha256)
    sheet = gather_declaration(
        session, case, profile, store,
        text=declaration.text,
        signed_on=local_date(declaration.signed_at),
        officer_name=user_name(session, declaration.officer_id),
        signature_png=png,
        paper=declaration.signature_kind == SignatureKind.PAPER.value,
    )
    return sheet.render()


def render_blank_declaration(session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore) -> bytes:
    """The declaration filled with the beneficiary's data, to be signed by hand (the date left blank)."""
    from desktop.documents import forms  # loaded only to render (see TYPE_CHECKING above)
    if profile.declaration is None:
        raise ReceptionError(_NO_DECLARATION, field="declaration")
    return forms.render_blank_declaration(
        letterhead=case_letterhead(session, store, profile),
        title=profile.declaration.title,
        text=fill_declaration(session, case, profile, None),
        beneficiary=particulars_of(_beneficiary(session, case)),
        case_number=case.case_number,
        officer_name=user_name(session, case.officer_id),
        privacy=privacy_notice(profile),
    )


def _contact_lines(profile: PolicyProfile) -> tuple[str, ...]:
    """How the beneficiary reaches the association, from the profile's association section."""
    a = profile.association
    lines = []
    if a.phone:
        lines.append(f"الهاتف: {ltr(a.phone)}")
    if a.website:
        lines.append(f"الموقع الإلكتروني: {ltr(a.website)}")
    if a.email:
        lines.append(f"البريد الإلكتروني: {ltr(a.email)}")
    where = f" في {a.city}" if a.city else ""
    lines.append(f"مكتب علاقات المستفيدين في مقر {a.name}{where}، مع ذكر رقم الطلب.")
    return tuple(lines)


def render_receipt(session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore) -> bytes:
    """The receipt (إشعار استلام): case number, submission day and the promised decision date."""
    from desktop.documents import forms  # loaded only to render (see TYPE_CHECKING above)
    if case.submitted_at is None:
        raise ReceptionError("لم يُرفع الطلب للجنة بعد: يصدر الإشعار عند إبلاغ المستفيد", field="receipt")
    decision = profile.decision
    committee = None
    if decision is not None:
        try:
            committee = profile.role(decision.committee_role).name
        except KeyError:
            committee = None
    notify = session.scalars(
        select(StepCompletion)
        .where(StepCompletion.case_id == case.id, StepCompletion.step_kind == StepKind.NOTIFY_COMMITTEE.value)
        .order_by(StepCompletion.completed_at)
        .limit(1)
    ).first()
    beneficiary = _beneficiary(session, case)
    return forms.render_receipt(
        letterhead=case_letterhead(session, store, profile),
        case_number=case.case_number,
        beneficiary_name=beneficiary.full_name if beneficiary else "",
        id_number=beneficiary.id_number if beneficiary else "",
        submitted_on=local_date(case.submitted_at),
        promised_on=case.promised_decision_date,
        committee_name=committee,
        period_text=decision.period_text if decision else None,
        channel_name=channel_name(profile, case.channel_id),
        officer_name=user_name(session, notify.officer_id if notify else case.officer_id),
        contact_lines=_contact_lines(profile),
        gender=beneficiary.gender if beneficiary else None,
    )


def render_missing_documents(session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore) -> bytes:
    """The documents still to bring, dated the day the list was last recorded."""
    from desktop.documents import forms  # loaded only to render (see TYPE_CHECKING above)
    rows = required_documents(session, case.id)
    as_of = local_date(max((r.updated_at for r in rows), default=case.created_at))
    beneficiary = _beneficiary(session, case)
    return forms.render_missing_documents(
        letterhead=case_letterhead(session, store, profile),
        case_number=case.case_number,
        beneficiary_name=beneficiary.full_name if beneficiary else "",
        id_number=beneficiary.id_number if beneficiary else "",
        documents=[forms.MissingDocument(name, reason) for name, reason in missing_documents(rows, as_of)],
        today=as_of,
        gender=beneficiary.gender if beneficiary else None,
    )


_RENDERERS: dict[str, Callable[[Session, Case, PolicyProfile, AttachmentStore], bytes]] = {
    "declaration": render_declaration,
    "blank_declaration": render_blank_declaration,
    "receipt": render_receipt,
    "missing_documents": render_missing_documents,
}


def render_document(session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore, kind: str) -> bytes:
    """One of the case's documents (`DOCUMENT_KINDS`) rendered from its stored records."""
    check_document_kind(kind)
    return _RENDERERS[kind](session, case, profile, store)
