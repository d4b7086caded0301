"""The verify step's handler: the beneficiary's particulars checked and stored, the required documents recorded.

Decisions recorded here:

* The particulars are checked by `desktop.reception.particulars.check_particulars` (the same function the verify
  page shows inline), with the household size required where the case's policy's eligibility uses it; the first
  problem is the refusal, under its field. Corrections after this step: `desktop.reception.correction`.
* The particulars go to the case's beneficiary file: the one attached to the case, else the stored one with the
  same ID number, else a new file. Another beneficiary's ID number on an attached file is refused. The stored
  file of the same ID is taken only when that person has no other case open (`intake.check_second_case`): a
  second case is opened by attaching the file with a stated reason, never silently here.
* Documents: the policy's list for the case's kind (`PolicyProfile.documents_for`) is what the page offers
  (`CaseView.listed_documents`); the service records what the officer marked, one row per name (kept, updated,
  or retired when no longer listed). A required document (or one the officer added) not provided is recorded as
  missing; an optional one is recorded only when brought (a row that is not there is missing nowhere: the
  case list, the reports and the registration check count rows not provided). A scan is read and checked
  before anything is written and stored content-addressed. The step's note counts the missing documents.
* A rescue association's policy records a report at this step instead (`desktop.reception.rescue_steps`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from db.models import Beneficiary, CaseStatus, RequiredDocument
from desktop.arabic_text import normalize_name, display_digits
from desktop.attachments import read_attachment_file
from desktop.casework import CaseContext
from desktop.errors import InputError, ReceptionError
from desktop.hijri import parse_date_either
from desktop.policy import StepKind, is_rescue_profile
from desktop.reception.intake import check_second_case
from desktop.reception.particulars import Particulars, check_particulars, household_required
from desktop.reception.registry import Procedure, StepHandler, step_handler
from desktop.reception.views import CaseView, DocumentInput, ParticularsInput
from desktop.reception.work import clean

__all__ = ["VerifyStep"]


@dataclass(frozen=True)
class _Document:
    """One required document after validation (its scan read, not yet stored)."""

    name: str
    provided: bool
    valid_until: date | None
    scan: tuple[bytes, str] | None


def _check_document(doc: DocumentInput, index: int) -> _Document:
    """Validate one document line of the checklist (its scan read and checked, not stored)."""
    field = f"documents[{index}]"
    name = clean(doc.name, limit="document", field=field, required="اسم المستند فارغ", single_line=True)
    valid_until = None
    if doc.valid_until.strip():
        try:
            valid_until = parse_date_either(doc.valid_until, field=field)
        except InputError as exc:
            raise ReceptionError(f"تاريخ صلاحية «{name}»: {exc.message_ar}", field=field) from None
    scan = None
    if doc.attachment_path is not None:
        try:
            scan = read_attachment_file(Path(doc.attachment_path), field=field)
        except ReceptionError as exc:
            raise ReceptionError(f"مرفق «{name}»: {exc.message_ar}", field=field) from None
    return _Document(name, bool(doc.provided), valid_until, scan)


def _recorded(ctx: CaseContext, docs: Sequence[_Document]) -> list[_Document]:
    """The documents to record: an optional document of the policy's list only when it was brought."""
    optional = {d.name for d in ctx.profile.documents_for(ctx.case.case_kind_id) if not d.required}
    return [doc for doc in docs if doc.name not in optional or doc.provided or doc.scan is not None]



def write_particulars(beneficiary: Beneficiary, p: Particulars) -> None:
    """Checked particulars onto a beneficiary's file, with the search keys derived from them (the name key, the
    mobile's key); the ID number and kind are the caller's (set by the verify step, never by a correction)."""
    beneficiary.full_name = p.full_name
    beneficiary.name_key = normalize_name(p.full_name)
    beneficiary.id_expiry = p.id_expiry
    beneficiary.birth_date = p.birth_date
    beneficiary.mobile = p.mobile
    beneficiary.phone_key = p.mobile[4:]
    beneficiary.city = p.city
    beneficiary.household_size = p.household_size
    beneficiary.gender = p.gender

@step_handler(StepKind.VERIFY, procedure=Procedure.REQUEST)
class VerifyStep(StepHandler):
    """Match the beneficiary's data and check its validity at the time of submission; documents with it."""

    def complete(
        self, case_id: uuid.UUID, particulars: ParticularsInput, documents: Sequence[DocumentInput]
    ) -> CaseView:
        """The verify step done: particulars checked and stored in the beneficiary's file, documents recorded."""
        checked_docs = [_check_document(doc, index) for index, doc in enumerate(documents)]
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            docs = _recorded(ctx, checked_docs)
            if is_rescue_profile(ctx.profile):
                raise ReceptionError("في البلاغات يُسجَّل البلاغ ومعلوماته بدل بيانات المستفيد", field="step")
            checked = check_particulars(
                particulars, today=self._today(), household_required=household_required(ctx.profile)
            )
            if isinstance(checked, list):
                field, message = checked[0]
                raise ReceptionError(message, field=field)
            step = self._require_step(ctx, StepKind.VERIFY)
            beneficiary = self._store_beneficiary(ctx, checked)
            self._store_documents(ctx, docs)
            today = self._today()
            missing = sum(1 for d in docs if not d.provided or (d.valid_until is not None and d.valid_until < today))
            self._complete(ctx, step, note=f"مستندات ناقصة: {display_digits(str(missing))}" if missing else "")
            self._set_status(ctx, CaseStatus.RECEIVED)
            self._audit(ctx, "particulars_verified", {"beneficiary_id": beneficiary.id.hex, "documents": len(docs)})
            return self._view(session, ctx.case, ctx.profile)

    def record_documents(self, case_id: uuid.UUID, documents: Sequence[DocumentInput]) -> CaseView:
        """Update the documents checklist after the verify step (a document brought later, a new scan)."""
        checked_docs = [_check_document(doc, index) for index, doc in enumerate(documents)]
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if ctx.case.beneficiary_id is None:
                raise ReceptionError("أكمل خطوة التحقق من البيانات أولًا", field="step")
            docs = _recorded(ctx, checked_docs)
            self._store_documents(ctx, docs)
            self._audit(ctx, "documents_recorded", {"documents": len(docs)})
            return self._view(session, ctx.case, ctx.profile)

    def _store_beneficiary(self, ctx: CaseContext, p: Particulars) -> Beneficiary:
        session = ctx.session
        same_id = session.scalars(
            select(Beneficiary).where(Beneficiary.id_number == p.id_number, Beneficiary.deleted_at.is_(None))
        ).first()
        beneficiary = session.get(Beneficiary, ctx.case.beneficiary_id) if ctx.case.beneficiary_id else None
        if beneficiary is not None and same_id is not None and same_id.id != beneficiary.id:
            raise ReceptionError(
                f"رقم الهوية {p.id_number} مسجل لمستفيد آخر ({same_id.full_name}): ابحث بالرقم وافتح ملفه",
                field="id_number",
            )
        if beneficiary is None and same_id is not None:
            check_second_case(  # no reason is given on this step: the file is attached with one, from the look-up
                self, ctx, same_id.id, field="id_number",
                advice="أكمل تلك الحالة بدل هذه، أو ابحث برقم الهوية في بداية التواصل واكتب سبب فتح حالة أخرى له",
            )
            beneficiary = same_id
        if beneficiary is None:
            beneficiary = self._stamp(ctx, Beneficiary(association_id=ctx.case.association_id))
        else:
            beneficiary.updated_by = ctx.officer_id
        assert beneficiary is not None
        beneficiary.id_number = p.id_number
        beneficiary.id_kind = p.id_kind
        write_particulars(beneficiary, p)
        if ctx.case.beneficiary_id != beneficiary.id:
            ctx.case.beneficiary_id = beneficiary.id
        return beneficiary

    def _store_documents(self, ctx: CaseContext, docs: Sequence[_Document]) -> None:
        existing = {
            row.name: row
            for row in ctx.session.scalars(
                select(RequiredDocument).where(
                    RequiredDocument.case_id == ctx.case.id, RequiredDocument.deleted_at.is_(None)
                )
            )
        }
        kept: set[str] = set()
        for doc in docs:
            row = existing.get(doc.name)
            if row is None:
                row = self._stamp(ctx, RequiredDocument(case_id=ctx.case.id, name=doc.name))
            row.provided = doc.provided
            row.valid_until = doc.valid_until
            if doc.scan is not None:
                row.attachment_id = self._attachment(ctx, *doc.scan).id
            kept.add(doc.name)
        for name, row in existing.items():
            if name not in kept:
                row.deleted_at = ctx.now
