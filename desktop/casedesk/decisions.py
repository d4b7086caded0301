"""The committee's decisions as read back, and the decision letter as plain functions (no service needed).

`decision_letter_pdf(session, case, profile, decision, store, info_due=...)` renders the letter of one
decision on the association's letterhead; `case_decision_letter(session, case, profile, store)` gives the
letter of a case's latest decision as stored at the decision (rendered again only if its file is lost). A
catalogue of printed documents can call either with an open session; the committee service calls the first
inside the decision's own transaction.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Attachment, Beneficiary, Case, CommitteeDecision, DecisionLetter
from desktop.arabic_text import identifier_text
from desktop.attachments import AttachmentStore
from desktop.casedesk.common import moment_text, role_name, user_names
from desktop.casedesk.views import DECISIONS, CaseDeskError, DecisionView
from desktop.casework import case_letterhead
from desktop.documents.letters import DecisionLetter as LetterData
from desktop.documents.letters import render_decision_letter
from desktop.errors import ReceptionError
from desktop.hijri import local_date
from desktop.policy import PolicyProfile

__all__ = [
    "case_decision_letter",
    "decision_letter_pdf",
    "decision_view",
    "latest_decision",
    "letter_row",
    "no_decision_yet",
    "read_stored",
]


def latest_decision(session: Session, case_id: uuid.UUID) -> CommitteeDecision | None:
    """The case's latest committee decision (decisions are append-only), or None."""
    return session.scalars(
        select(CommitteeDecision)
        .where(CommitteeDecision.case_id == case_id, CommitteeDecision.deleted_at.is_(None))
        .order_by(CommitteeDecision.decided_at.desc(), CommitteeDecision.id.desc())
        .limit(1)
    ).first()


def letter_row(session: Session, decision_id: uuid.UUID) -> DecisionLetter | None:
    """The letter stored for a decision, or None."""
    return session.scalars(
        select(DecisionLetter).where(DecisionLetter.decision_id == decision_id, DecisionLetter.deleted_at.is_(None))
    ).first()


def decision_view(session: Session, decision: CommitteeDecision, case: Case) -> DecisionView:
    """A decision as the screens show it: label, reason, members, who recorded it, within the promise, letter."""
    letter = letter_row(session, decision.id)
    names = user_names(session, [decision.recorded_by])
    decided_on = local_date(decision.decided_at)
    within = decided_on <= case.promised_decision_date if case.promised_decision_date else None
    return DecisionView(
        decision_id=decision.id,
        decision=decision.decision,
        label=DECISIONS.get(decision.decision, decision.decision),
        reason=decision.reason or "",
        members=tuple(decision.members or ()),
        recorded_by=names.get(decision.recorded_by) if decision.recorded_by else None,
        decided_at=decision.decided_at,
        decided_text=moment_text(decision.decided_at),
        info_due=letter.info_due_date if letter else None,
        within_promise=within,
        letter_sha256=letter.pdf_sha256 if letter else None,
    )


def no_decision_yet(case: Case) -> CaseDeskError:
    """The refusal for a letter or a notice asked of a case the committee has not decided yet."""
    return CaseDeskError(f"لم تصدر اللجنة قرارًا في الطلب {identifier_text(case.case_number)} بعد", field="decision")


def read_stored(store: AttachmentStore, row: Attachment) -> bytes:
    """The bytes of a stored file, checked against its SHA-256 (a missing or altered file: `CaseDeskError`)."""
    try:
        return store.read(row.stored_path, row.sha256)
    except ReceptionError as exc:
        raise CaseDeskError(exc.message_ar, field="attachment") from None


def decision_letter_pdf(session: Session, case: Case, profile: PolicyProfile, decision: CommitteeDecision,
                        store: AttachmentStore, *, info_due: date | None) -> bytes:
    """The decision letter of `decision` on the association's letterhead (PDF bytes).

    The secretary named is the officer who recorded the decision; `info_due` is by when the information
    asked for must come (a "more_info" decision), None otherwise.
    """
    beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
    secretary = user_names(session, [decision.recorded_by]).get(decision.recorded_by) if decision.recorded_by else None
    committee = "لجنة البحث"
    if profile.decision is not None:
        committee = role_name(profile, profile.decision.committee_role) or committee
    data = LetterData(
        beneficiary_name=beneficiary.full_name if beneficiary else "",
        id_number=beneficiary.id_number if beneficiary else "",
        case_number=case.case_number,
        submitted_on=local_date(case.submitted_at) if case.submitted_at else None,
        decided_on=local_date(decision.decided_at),
        decision=decision.decision,
        reason=decision.reason or "",
        members=tuple(decision.members or ()),
        secretary_name=secretary or "",
        committee_name=committee,
        info_due=info_due,
        gender=beneficiary.gender if beneficiary else None,
    )
    return render_decision_letter(letterhead=case_letterhead(session, store, profile), letter=data)


def case_decision_letter(session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore) -> bytes:
    """The letter of the case's latest decision as stored (rendered again if its file is lost)."""
    decision = latest_decision(session, case.id)
    if decision is None:
        raise no_decision_yet(case)
    letter = letter_row(session, decision.id)
    if letter is not None and letter.attachment_id is not None:
        row = session.get(Attachment, letter.attachment_id)
        if row is not None and store.path_of(row.stored_path).is_file():
            return read_stored(store, row)
    return decision_letter_pdf(session, case, profile, decision, store,
                               info_due=letter.info_due_date if letter else None)
