"""The reception service: the active policy's steps as recorded actions, one database session per action.

Decisions recorded here (see also `desktop.reception.rules` for the state machine and case numbers):

* Every public method is one unit of work (`Database.session()`): everything is validated first,
  then written; any refusal is a `ReceptionError` with an Arabic reason and nothing is stored.
  Files go to the attachment store before the commit; a refused or failed action can leave an
  unreferenced file there (content-addressed, harmless), never a row without its file.
* Each step done is an append-only `StepCompletion` (officer, time, the case's channel, the case's
  policy version, note, or skipped with its reason) and an `AuditEvent`; the case's
  `current_step_id` then moves to the next step not yet passed. A case is always handled under the
  policy version it was opened with (its `PolicyVersion.source_text`), even after a newer adoption.
* The officer is the `AppUser` whose username is this PC's OS login (created with the officer role
  on first use if the workspace did not create it); this PC is the earliest enrolled, not revoked
  `Device` other than the demo data's one (both in `desktop.casework`, shared with the case desk).
* Steps and their records: greet → note of the questions; verify → the beneficiary's particulars
  (a new file, or the existing file with the same ID number, updated) and the required documents;
  refer → a `Referral`, the case waits ("referred") and the step is completed when the answer is
  recorded; declare → `Declaration` (text as signed, signature image or paper scan, PDF and its
  SHA-256) or, on a remote channel, deferred (signature pending); notify-committee → submission
  time, promised date and the receipt PDF; register → needs every document provided and valid and
  the signature; serve → a `Service` row. Rescue (000): greet, then `record_report` completes the
  verify step (the report checked), `escalate`, `dispatch`, and `close_report` completes the last
  (serve) step and closes the case. Dispatching makes the member unavailable until the report is
  closed.
* Drafts: `save_draft` commits at once (WAL), so a killed process loses nothing typed; completing
  a step soft-deletes its draft. `open_drafts` lists this PC's open cases still in status draft or
  with a draft on a step not yet passed.
* Documents are rendered again from the stored records with the case's policy version; renders
  are deterministic, so an unchanged case gives the same bytes and the same stored file. The
  signed declaration is the one stored at signing; `render_document` re-renders any kind (the CLI).
  The missing-documents list is dated the day its document list was last recorded.
* Free text and names go through `clean_text` (bidi controls removed) with the bounds in `LIMITS`.
"""

from __future__ import annotations

import difflib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from db.models import (
    AppUser,
    Attachment,
    AuditEvent,
    Beneficiary,
    Case,
    CaseStatus,
    Declaration,
    PolicyVersion,
    ReceptionDraft,
    Referral,
    RequiredDocument,
    RescueMember,
    RescueReport,
    Service,
    SignatureKind,
    StepCompletion,
)
from desktop.arabic_text import clean_text, name_tokens, normalize_name, strip_bidi_controls, to_arabic_digits, to_latin_digits
from desktop.casework import NO_POLICY_YET, CaseContext as _Ctx, CaseWork
from desktop.errors import InputError
from desktop.hijri import HijriDate, format_dual, local_date, parse_date_either, promised_decision_date
from desktop.identity import IdKind, format_mobile_local, normalize_saudi_mobile, phone_search_key, validate_saudi_id
from desktop.money import parse_amount as _parse_amount
from desktop.policy import PolicyProfile, Step, StepKind, is_rescue_profile
from desktop.reception import rules
from desktop.attachments import (
    MAX_BYTES,
    MIME_PDF,
    MIME_PNG,
    StoredFile,
    read_attachment_file,
)
from desktop.reception.rescue import (
    REPORT_PLATFORMS,
    MemberPoint,
    nearest_available,
    normalize_reporter_phone,
    parse_coordinates,
    platform_id,
    platform_label,
    sort_by_distance,
)
from desktop.reception.views import (
    BeneficiaryMatch,
    BeneficiaryView,
    CaseView,
    DocumentInput,
    DocumentView,
    DraftSummary,
    MemberView,
    ParticularsInput,
    ReceptionError,
    ReferralView,
    ReportView,
    StepState,
    StoredDocument,
)
from desktop.cases import numbers, states

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["DOCUMENT_KINDS", "LIMITS", "ReceptionService"]

#: The printable documents of a case (`document_pdf`, `render_document`).
DOCUMENT_KINDS: tuple[str, ...] = ("declaration", "blank_declaration", "receipt", "missing_documents")

_log = logging.getLogger("mustafid.reception")  # see desktop.logbook

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

#: The oldest age accepted for a birth date.
_MAX_AGE_YEARS = 120
_MAX_HOUSEHOLD = 50
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_OTHER_ID_KIND = "other"
_OTHER_ID_LABEL = "وثيقة أخرى"
_BLANK_DATE = "…………/……/…… هـ"


@dataclass(frozen=True)
class _Particulars:
    """The verify step's particulars after validation."""

    full_name: str
    id_number: str
    id_kind: str
    id_expiry: date
    birth_date: date | None
    mobile: str
    city: str | None
    household_size: int | None


@dataclass(frozen=True)
class _Document:
    """One required document after validation (its scan read, not yet stored)."""

    name: str
    provided: bool
    valid_until: date | None
    scan: tuple[bytes, str] | None


@dataclass
class _Progress:
    """Which steps of a case are completed, skipped, waiting, and which is current."""

    completions: dict[str, StepCompletion]
    completed: set[str]
    skipped: set[str]
    waiting: set[str]
    current: Step | None


def _reception_error(exc: InputError) -> ReceptionError:
    return exc if isinstance(exc, ReceptionError) else ReceptionError(exc.message_ar, field=exc.field)


def _clean(
    value: str,
    *,
    limit: str,
    field: str,
    required: str | None = None,
    single_line: bool = False,
) -> str:
    """Cleaned free text within its bound; `required` is the Arabic message when it is empty."""
    try:
        cleaned = clean_text(value or "", max_length=LIMITS[limit], field=field)
    except InputError as exc:
        raise _reception_error(exc) from None
    if single_line:
        cleaned = " ".join(cleaned.split())
    if required is not None and not cleaned:
        raise ReceptionError(required, field=field)
    return cleaned


def _date_text(value: date) -> str:
    """A date as the messages write it (with "/": a "-" reverses inside Arabic text)."""
    return f"{value:%Y/%m/%d}"


class ReceptionService(CaseWork):
    """The reception procedure of the active policy, for one officer at one PC."""

    _error = ReceptionError

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(workspace, clock=clock)
        self._has_fts: bool | None = None

    # ------------------------------------------------------------------ basics

    @property
    def profile(self) -> PolicyProfile:
        """The policy adopted on this PC (ReceptionError before the first adoption)."""
        profile = self._workspace.active_profile()
        if profile is None:
            raise ReceptionError(NO_POLICY_YET, field="policy")
        return profile

    def report_platforms(self) -> list[tuple[str, str]]:
        """The platforms a rescue report may come on: (id, Arabic label), for the report page."""
        return list(REPORT_PLATFORMS)

    # ------------------------------------------------------------------ progress through the steps

    def _progress(self, session: Session, case: Case, profile: PolicyProfile) -> _Progress:
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
        current = rules.current_step(profile, passed)
        if case.status == CaseStatus.REFERRED.value and current is not None and current.kind is StepKind.REFER:
            waiting.add(current.id)
        if case.status == CaseStatus.CLOSED.value:
            current = None
        return _Progress(completions, completed, skipped, waiting, current)

    def _advance(self, ctx: _Ctx) -> _Progress:
        ctx.session.flush()
        progress = self._progress(ctx.session, ctx.case, ctx.profile)
        ctx.case.current_step_id = progress.current.id if progress.current is not None else None
        return progress

    def _require_step(self, ctx: _Ctx, kind: StepKind) -> Step:
        progress = self._progress(ctx.session, ctx.case, ctx.profile)
        if ctx.case.status == CaseStatus.REFERRED.value:
            raise ReceptionError("الحالة محالة وتنتظر الرد: سجّل الرد على الإحالة أولًا", field="step")
        return rules.require_current(ctx.profile, progress.current.id if progress.current else None, kind)

    def _complete(self, ctx: _Ctx, step: Step, *, note: str = "", skipped: bool = False,
                  skip_reason: str | None = None) -> StepCompletion:
        """Append the step's completion record, retire its draft, audit it and move to the next step."""
        completion = self._stamp(
            ctx,
            StepCompletion(
                case_id=ctx.case.id,
                step_id=step.id,
                step_kind=step.kind.value,
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
            {"step_id": step.id, "step_kind": step.kind.value, **({"reason": skip_reason} if skipped else {})},
        )
        self._advance(ctx)
        return completion

    # ------------------------------------------------------------------ contact

    def start_contact(self, channel_id: str, case_kind_id: str) -> CaseView:
        """Open a new case (status draft) on a channel of the policy, for one of its case kinds."""
        profile = self.profile
        try:
            profile.channel(channel_id)
        except KeyError:
            raise ReceptionError("قناة التواصل غير موجودة في سياسة الجمعية", field="channel") from None
        if case_kind_id not in {kind.id for kind in profile.case_kinds}:
            raise ReceptionError("نوع الحالة غير موجود في سياسة الجمعية", field="case_kind")
        with self._db.session() as session:
            association = self._association(session)
            version = session.scalars(
                select(PolicyVersion)
                .where(
                    PolicyVersion.association_id == association.id,
                    PolicyVersion.profile_id == profile.id,
                    PolicyVersion.version_label == profile.version,
                    PolicyVersion.deleted_at.is_(None),
                )
                .limit(1)
            ).first()
            if version is None:
                raise ReceptionError("إصدار السياسة المعتمد غير موجود في قاعدة البيانات: أعد اعتماد السياسة")
            device = self._device_row(session)
            if device is None:
                raise ReceptionError("هذا الجهاز غير مسجل لدى الجمعية: لا يمكن ترقيم الحالات", field="device")
            now = self._now()
            officer_id, officer_name = self._officer_row(session, association.id)
            case = Case(
                association_id=association.id,
                case_number=self._next_case_number(session, device[1], now),
                policy_version_id=version.id,
                channel_id=channel_id,
                case_kind_id=case_kind_id,
                status=CaseStatus.DRAFT.value,
                officer_id=officer_id,
                branch=device[2],
                current_step_id=profile.steps[0].id,
            )
            self._profiles.setdefault(version.id, profile)
            ctx = _Ctx(session, case, profile, officer_id, officer_name, device[0], now)
            self._stamp(ctx, case)
            self._audit(ctx, "case_started", {"channel_id": channel_id, "case_kind_id": case_kind_id})
            session.flush()
            return self._view(session, case, profile)

    def _next_case_number(self, session: Session, prefix: str, now: datetime) -> str:
        """The next free case number of this device (see `rules` for the format)."""
        year = HijriDate.from_gregorian(local_date(now)).year
        last = session.scalars(
            select(Case.case_number)
            .where(Case.case_number.op("GLOB")(f"{prefix}-*"))
            .order_by(Case.case_number.desc())
            .limit(1)
        ).first()
        sequence = (numbers.parse_case_sequence(last) or 0) + 1 if last else 1
        while True:
            number = numbers.format_case_number(prefix, year, sequence)
            taken = session.scalar(select(func.count()).select_from(Case).where(Case.case_number == number))
            if not taken:
                return number
            sequence += 1

    def lookup(self, text: str, *, limit: int = 20) -> list[BeneficiaryMatch]:
        """Beneficiaries matching what the officer types: ID or its start, a phone in any form, or a name."""
        raw = to_latin_digits(strip_bidi_controls(text or "")).strip()
        if not raw or limit < 1:
            return []
        found: dict[uuid.UUID, BeneficiaryMatch] = {}

        def add(rows: Iterable[Beneficiary], reason: str) -> None:
            for row in rows:
                if row.id not in found and len(found) < limit:
                    found[row.id] = BeneficiaryMatch(row.id, row.full_name, row.id_number, row.mobile, reason)

        live = Beneficiary.deleted_at.is_(None)
        with self._db.session(read_only=True) as session:
            if any(ch.isalpha() for ch in raw):
                add(self._name_search(session, raw, limit), "name")
                return list(found.values())
            compact = "".join(raw.split())
            if compact.isdigit() and compact[0] in "12":
                if len(compact) == 10:
                    add(session.scalars(select(Beneficiary).where(live, Beneficiary.id_number == compact)), "same_id")
                elif len(compact) < 10:
                    add(
                        session.scalars(
                            select(Beneficiary)
                            .where(live, Beneficiary.id_number.op("GLOB")(f"{compact}*"))
                            .order_by(Beneficiary.id_number)
                            .limit(limit)
                        ),
                        "id_prefix",
                    )
            key = phone_search_key(raw)
            if key is not None and len(found) < limit:
                if len(key) == 9 and key.startswith("5"):
                    condition = Beneficiary.phone_key == key
                elif key.startswith("5"):
                    condition = Beneficiary.phone_key.op("GLOB")(f"{key}*")
                elif len(key) >= 4:
                    condition = Beneficiary.phone_key.contains(key, autoescape=True)
                else:
                    condition = None
                if condition is not None:
                    add(
                        session.scalars(
                            select(Beneficiary).where(live, condition).order_by(Beneficiary.phone_key).limit(limit)
                        ),
                        "same_phone",
                    )
        return list(found.values())

    def _name_search(self, session: Session, raw: str, limit: int) -> list[Beneficiary]:
        """Beneficiaries whose name has every typed part as a word start, exact names first."""
        tokens = [token for token in name_tokens(raw) if token]
        if not tokens:
            return []
        if self._has_fts is None:
            self._has_fts = bool(
                session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'beneficiary_fts'"))
            )
        live = Beneficiary.deleted_at.is_(None)
        if self._has_fts:
            query = " ".join('"' + token.replace('"', '""') + '"*' for token in tokens)
            # A join (not "rowid IN (subquery)") lets the index stop after the first matches.
            found = session.execute(
                text(
                    "SELECT beneficiary.id FROM beneficiary_fts JOIN beneficiary "
                    "ON beneficiary.rowid = beneficiary_fts.rowid "
                    "WHERE beneficiary_fts MATCH :query AND beneficiary.deleted_at IS NULL LIMIT :limit"
                ),
                {"query": query, "limit": limit * 5},
            ).scalars().all()
            ids = [uuid.UUID(hex=value) if isinstance(value, str) else value for value in found]
            rows = list(session.scalars(select(Beneficiary).where(Beneficiary.id.in_(ids)))) if ids else []
        else:
            condition = Beneficiary.name_key.op("GLOB")(f"{tokens[0]}*")
            statement = select(Beneficiary).where(live, condition).limit(limit * 50)
            rows = [
                row for row in session.scalars(statement)
                if all(any(part.startswith(t) for part in row.name_key.split()) for t in tokens)
            ]
        key = " ".join(tokens)
        rows.sort(key=lambda row: (row.name_key != key, not row.name_key.startswith(key), row.name_key))
        return rows[:limit]

    def duplicate_warnings(self, full_name: str, mobile: str) -> list[BeneficiaryMatch]:
        """Beneficiaries with the same mobile and a similar name: a probable duplicate file, with a warning."""
        try:
            canonical = normalize_saudi_mobile(mobile)
        except InputError:
            return []
        tokens = name_tokens(strip_bidi_controls(full_name or ""))
        if not tokens:
            return []
        with self._db.session(read_only=True) as session:
            rows = session.scalars(
                select(Beneficiary).where(Beneficiary.deleted_at.is_(None), Beneficiary.phone_key == canonical[4:])
            ).all()
        matches = []
        for row in rows:
            if _similar_names(tokens, row.name_key.split()):
                warning = (
                    f"تنبيه: يحتمل أن يكون المستفيد مسجلًا من قبل باسم «{row.full_name}» "
                    f"ورقم الهوية {row.id_number} بالجوال نفسه؛ افتح ملفه بدل إنشاء ملف جديد إن كان الشخص نفسه"
                )
                matches.append(BeneficiaryMatch(row.id, row.full_name, row.id_number, row.mobile, "same_phone", warning))
        return matches

    def attach_beneficiary(self, case_id: uuid.UUID, beneficiary_id: uuid.UUID) -> CaseView:
        """Open an existing beneficiary's file for this case (before the verify step is done)."""
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            beneficiary = session.get(Beneficiary, beneficiary_id)
            if beneficiary is None or beneficiary.deleted_at is not None:
                raise ReceptionError("ملف المستفيد غير موجود", field="beneficiary")
            if is_rescue_profile(ctx.profile):
                raise ReceptionError("البلاغات لا تُربط بملف مستفيد في سياسة الجمعية", field="beneficiary")
            verify = next((s for s in ctx.profile.steps if s.kind is StepKind.VERIFY), None)
            progress = self._progress(session, ctx.case, ctx.profile)
            if verify is not None and verify.id in progress.completed and ctx.case.beneficiary_id != beneficiary.id:
                raise ReceptionError("اكتمل التحقق من بيانات هذه الحالة: لا يمكن تغيير المستفيد", field="beneficiary")
            if ctx.case.beneficiary_id != beneficiary.id:
                ctx.case.beneficiary_id = beneficiary.id
                ctx.case.updated_by = ctx.officer_id
                self._audit(ctx, "beneficiary_attached", {"beneficiary_id": beneficiary.id.hex})
            return self._view(session, ctx.case, ctx.profile)

    def case(self, case_id: uuid.UUID) -> CaseView:
        """The case as the wizard shows it."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return self._view(session, case, self._profile_of(session, case.policy_version_id))

    def case_by_number(self, case_number: str) -> CaseView:
        """The case with this number (ReceptionError when there is none)."""
        number = to_latin_digits(strip_bidi_controls(case_number or "")).strip().upper()
        with self._db.session(read_only=True) as session:
            case = session.scalars(
                select(Case).where(Case.case_number == number, Case.deleted_at.is_(None))
            ).first()
            if case is None:
                raise ReceptionError(f"لا توجد حالة بالرقم «{number}»", field="case_number")
            return self._view(session, case, self._profile_of(session, case.policy_version_id))

    # ------------------------------------------------------------------ drafts

    def save_draft(self, case_id: uuid.UUID, step_id: str, fields: Mapping[str, Any]) -> None:
        """Save what is typed on a step now (committed at once; one draft per case and step)."""
        if not step_id or len(step_id) > 64:
            raise ReceptionError("معرّف الخطوة غير صالح للمسودة", field="step")
        try:
            encoded = json.dumps(dict(fields), ensure_ascii=False)
            values: dict[str, Any] = json.loads(encoded)
        except (TypeError, ValueError) as exc:
            raise ReceptionError("تعذر حفظ المسودة: قيم غير قابلة للحفظ", field="draft") from exc
        if len(encoded.encode("utf-8")) > LIMITS["draft_bytes"]:
            raise ReceptionError("المسودة أكبر من الحد المسموح", field="draft")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            draft = session.scalars(
                select(ReceptionDraft).where(ReceptionDraft.case_id == case_id, ReceptionDraft.step_id == step_id)
            ).first()
            if draft is None:
                self._stamp(ctx, ReceptionDraft(case_id=case_id, step_id=step_id, fields=values, saved_at=ctx.now))
            else:
                draft.fields = values
                draft.saved_at = ctx.now
                draft.deleted_at = None
                draft.updated_by = ctx.officer_id

    def draft_fields(self, case_id: uuid.UUID, step_id: str) -> dict[str, Any]:
        """What was saved on a step of a case and not yet completed ({} when nothing)."""
        with self._db.session(read_only=True) as session:
            fields = session.scalar(
                select(ReceptionDraft.fields).where(
                    ReceptionDraft.case_id == case_id,
                    ReceptionDraft.step_id == step_id,
                    ReceptionDraft.deleted_at.is_(None),
                )
            )
        return dict(fields) if fields else {}

    def open_drafts(self) -> list[DraftSummary]:
        """This PC's cases left unfinished: still in status draft, or with a draft on a step not yet passed."""
        with self._db.session(read_only=True) as session:
            device = self._device_row(session)
            device_id = device[0] if device else None
            mine = or_(Case.device_id.is_(None), Case.device_id == device_id) if device_id else Case.device_id.is_(None)
            # Two indexed look-ups (status; the small drafts table) rather than one OR over every case.
            candidates = set(
                session.scalars(
                    select(Case.id).where(Case.status == CaseStatus.DRAFT.value, Case.deleted_at.is_(None), mine)
                )
            )
            candidates |= set(
                session.scalars(select(ReceptionDraft.case_id).where(ReceptionDraft.deleted_at.is_(None)).distinct())
            )
            cases = session.scalars(
                select(Case).where(
                    Case.id.in_(candidates),
                    Case.deleted_at.is_(None),
                    Case.status != CaseStatus.CLOSED.value,
                    mine,
                )
            ).all() if candidates else []
            summaries: list[DraftSummary] = []
            for case in cases:
                profile = self._profile_of(session, case.policy_version_id)
                progress = self._progress(session, case, profile)
                passed = progress.completed | progress.skipped
                drafts = session.scalars(
                    select(ReceptionDraft).where(
                        ReceptionDraft.case_id == case.id, ReceptionDraft.deleted_at.is_(None)
                    )
                ).all()
                pending = [d for d in drafts if d.step_id not in passed]
                if case.status != CaseStatus.DRAFT.value and not pending:
                    continue
                saved_at = max((d.saved_at for d in pending), default=case.updated_at)
                beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
                title = progress.current.title if progress.current is not None else ""
                summaries.append(
                    DraftSummary(case.id, case.case_number, beneficiary.full_name if beneficiary else None, title, saved_at)
                )
        summaries.sort(key=lambda s: s.saved_at, reverse=True)
        return summaries

    def discard_draft(self, case_id: uuid.UUID) -> None:
        """Abandon an unfinished case: it is closed as abandoned (audited), its drafts retired."""
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if CaseStatus(ctx.case.status) not in states.ABANDONABLE:
                raise ReceptionError(
                    f"لا يمكن ترك حالة في مرحلة «{states.status_label(ctx.case.status)}»", field="case"
                )
            previous = ctx.case.status
            self._set_status(ctx, CaseStatus.CLOSED)
            ctx.case.closed_at = ctx.now
            ctx.case.current_step_id = None
            for draft in session.scalars(
                select(ReceptionDraft).where(ReceptionDraft.case_id == case_id, ReceptionDraft.deleted_at.is_(None))
            ):
                draft.deleted_at = ctx.now
            self._audit(ctx, "case_abandoned", {"from": previous})

    # ------------------------------------------------------------------ steps

    def complete_greet(self, case_id: uuid.UUID, questions_note: str = "") -> CaseView:
        """The greet step done: the beneficiary received, their questions noted."""
        note = _clean(questions_note, limit="note", field="questions_note")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.GREET)
            self._complete(ctx, step, note=note)
            return self._view(session, ctx.case, ctx.profile)

    def complete_verify(
        self, case_id: uuid.UUID, particulars: ParticularsInput, documents: Sequence[DocumentInput]
    ) -> CaseView:
        """The verify step done: particulars checked and stored in the beneficiary's file, documents recorded."""
        checked = self._check_particulars(particulars)
        docs = [self._check_document(doc, index) for index, doc in enumerate(documents)]
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if is_rescue_profile(ctx.profile):
                raise ReceptionError("في البلاغات يُسجَّل البلاغ ومعلوماته بدل بيانات المستفيد", field="step")
            step = self._require_step(ctx, StepKind.VERIFY)
            beneficiary = self._store_beneficiary(ctx, checked)
            self._store_documents(ctx, docs)
            missing = sum(1 for d in docs if not d.provided or (d.valid_until is not None and d.valid_until < self._today()))
            self._complete(ctx, step, note=f"مستندات ناقصة: {to_arabic_digits(str(missing))}" if missing else "")
            self._set_status(ctx, CaseStatus.RECEIVED)
            self._audit(ctx, "particulars_verified", {"beneficiary_id": beneficiary.id.hex, "documents": len(docs)})
            return self._view(session, ctx.case, ctx.profile)

    def record_documents(self, case_id: uuid.UUID, documents: Sequence[DocumentInput]) -> CaseView:
        """Update the documents checklist after the verify step (a document brought later, a new scan)."""
        docs = [self._check_document(doc, index) for index, doc in enumerate(documents)]
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if ctx.case.beneficiary_id is None:
                raise ReceptionError("أكمل خطوة التحقق من البيانات أولًا", field="step")
            self._store_documents(ctx, docs)
            self._audit(ctx, "documents_recorded", {"documents": len(docs)})
            return self._view(session, ctx.case, ctx.profile)

    def _check_particulars(self, p: ParticularsInput) -> _Particulars:
        """Validate the verify page's fields (ReceptionError naming the field)."""
        today = self._today()
        full_name = _clean(p.full_name, limit="name", field="full_name", required="الاسم فارغ: أدخل الاسم الرباعي",
                           single_line=True)
        if any(ch.isdigit() for ch in full_name):
            raise ReceptionError("الاسم لا يحتوي على أرقام", field="full_name")
        if not any(ch.isalpha() for ch in full_name):
            raise ReceptionError("الاسم يجب أن يتكون من حروف", field="full_name")
        kind = (p.id_kind or "").strip()
        try:
            if kind == _OTHER_ID_KIND:
                number = "".join(to_latin_digits(strip_bidi_controls(p.id_number)).split()).upper()
                if not (5 <= len(number) <= 10 and number.isascii() and number.isalnum()):
                    raise ReceptionError(
                        "رقم الوثيقة يجب أن يكون من 5 إلى 10 حروف لاتينية أو أرقام", field="id_number"
                    )
                id_kind = _OTHER_ID_KIND
            else:
                saudi = validate_saudi_id(p.id_number, field="id_number")
                if kind and kind != saudi.kind.value:
                    raise ReceptionError(
                        f"الرقم المدخل رقم {saudi.kind.label_ar} وليس {_id_kind_label(kind)}: "
                        "رقم الهوية الوطنية يبدأ بالرقم 1 ورقم الإقامة بالرقم 2",
                        field="id_number",
                    )
                number, id_kind = saudi.number, saudi.kind.value
            if id_kind == IdKind.NATIONAL_ID.value and len(name_tokens(full_name)) < 4:
                raise ReceptionError(
                    "أدخل الاسم الرباعي: الاسم واسم الأب واسم الجد واسم العائلة", field="full_name"
                )
            if len(name_tokens(full_name)) < 2:
                raise ReceptionError("أدخل الاسم كاملًا: الاسم واسم العائلة على الأقل", field="full_name")
            expiry = parse_date_either(p.id_expiry, field="id_expiry")
            if expiry < today:
                raise ReceptionError(
                    f"انتهت صلاحية الهوية في {_date_text(expiry)} م: لا تُقبل هوية منتهية؛ اطلب هوية سارية",
                    field="id_expiry",
                )
            birth = parse_date_either(p.birth_date, field="birth_date") if p.birth_date.strip() else None
            if birth is not None:
                if birth > today:
                    raise ReceptionError("تاريخ الميلاد في المستقبل: راجع التاريخ ونوع التقويم", field="birth_date")
                if birth < today - timedelta(days=366 * _MAX_AGE_YEARS):
                    raise ReceptionError(f"تاريخ الميلاد قبل أكثر من {_MAX_AGE_YEARS} سنة: راجع التاريخ", field="birth_date")
            mobile = normalize_saudi_mobile(p.mobile, field="mobile")
        except InputError as exc:
            raise _reception_error(exc) from None
        city = _clean(p.city, limit="city", field="city", single_line=True) or None
        household_text = to_latin_digits(strip_bidi_controls(p.household_size)).strip()
        household: int | None = None
        if household_text:
            if not (household_text.isascii() and household_text.isdigit()) or not 1 <= int(household_text) <= _MAX_HOUSEHOLD:
                raise ReceptionError(f"عدد أفراد الأسرة رقم من 1 إلى {_MAX_HOUSEHOLD}", field="household_size")
            household = int(household_text)
        return _Particulars(full_name, number, id_kind, expiry, birth, mobile, city, household)

    def _check_document(self, doc: DocumentInput, index: int) -> _Document:
        """Validate one document line of the checklist (its scan read and checked, not stored)."""
        field = f"documents[{index}]"
        name = _clean(doc.name, limit="document", field=field, required="اسم المستند فارغ", single_line=True)
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

    def _store_beneficiary(self, ctx: _Ctx, p: _Particulars) -> Beneficiary:
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
        if beneficiary is None:
            beneficiary = same_id
        if beneficiary is None:
            beneficiary = self._stamp(ctx, Beneficiary(association_id=ctx.case.association_id))
        else:
            beneficiary.updated_by = ctx.officer_id
        beneficiary.full_name = p.full_name
        beneficiary.name_key = normalize_name(p.full_name)
        beneficiary.id_number = p.id_number
        beneficiary.id_kind = p.id_kind
        beneficiary.id_expiry = p.id_expiry
        beneficiary.birth_date = p.birth_date
        beneficiary.mobile = p.mobile
        beneficiary.phone_key = p.mobile[4:]
        beneficiary.city = p.city
        beneficiary.household_size = p.household_size
        if ctx.case.beneficiary_id != beneficiary.id:
            ctx.case.beneficiary_id = beneficiary.id
        return beneficiary

    def _store_documents(self, ctx: _Ctx, docs: Sequence[_Document]) -> None:
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

    def _attachment(self, ctx: _Ctx, data: bytes, mime: str) -> Attachment:
        """Store bytes content-addressed and return their attachment row (one row per content)."""
        stored = self._store.put(data, mime)
        return self._attachment_row(ctx, stored)

    def _attachment_row(self, ctx: _Ctx, stored: StoredFile) -> Attachment:
        row = ctx.session.scalars(select(Attachment).where(Attachment.sha256 == stored.sha256)).first()
        if row is None:
            row = self._stamp(
                ctx,
                Attachment(sha256=stored.sha256, size=stored.size, mime=stored.mime, stored_path=stored.relative_path),
            )
            ctx.session.flush()
        elif row.deleted_at is not None:
            row.deleted_at = None
        return row

    def refer(self, case_id: uuid.UUID, note: str, to_person: str | None = None) -> CaseView:
        """Refer the case to the step's role (a named person if given); the case waits for the answer."""
        cleaned_note = _clean(note, limit="note", field="note", required="اكتب سبب الإحالة أو السؤال المحال")
        person = _clean(to_person or "", limit="person", field="to_person", single_line=True) or None
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.REFER)
            assert step.role is not None  # the profile validation requires a role on refer steps
            to_user = None
            if person is not None:
                to_user = session.scalars(
                    select(AppUser).where(
                        or_(AppUser.full_name == person, AppUser.username == person), AppUser.deleted_at.is_(None)
                    )
                ).first()
            referral = self._stamp(
                ctx,
                Referral(
                    case_id=ctx.case.id,
                    from_user_id=ctx.officer_id,
                    to_role=step.role,
                    to_user_id=to_user.id if to_user else None,
                    note=cleaned_note,
                ),
            )
            session.flush()
            self._set_status(ctx, CaseStatus.REFERRED)
            self._audit(
                ctx,
                "referred",
                {"case_id": ctx.case.id.hex, "to_role": step.role, "to_person": person, "step_id": step.id},
                entity="referral",
                entity_id=referral.id,
            )
            self._advance(ctx)
            return self._view(session, ctx.case, ctx.profile)

    def answer_referral(self, case_id: uuid.UUID, answer: str) -> CaseView:
        """The referral comes back with its answer: the refer step is done and the case goes on."""
        cleaned = _clean(answer, limit="answer", field="answer", required="اكتب الرد على الإحالة")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            referral = self._open_referral(session, ctx.case.id)
            if referral is None or ctx.case.status != CaseStatus.REFERRED.value:
                raise ReceptionError("لا توجد إحالة مفتوحة لهذه الحالة", field="referral")
            referral.answer = cleaned
            referral.answered_by = ctx.officer_id
            referral.answered_at = ctx.now
            referral.updated_by = ctx.officer_id
            self._set_status(ctx, CaseStatus.RECEIVED)
            progress = self._progress(session, ctx.case, ctx.profile)
            if progress.current is not None and progress.current.kind is StepKind.REFER:
                self._complete(ctx, progress.current, note=cleaned)
            self._audit(ctx, "referral_answered", {"case_id": ctx.case.id.hex}, entity="referral",
                        entity_id=referral.id)
            return self._view(session, ctx.case, ctx.profile)

    def _open_referral(self, session: Session, case_id: uuid.UUID) -> Referral | None:
        return session.scalars(
            select(Referral)
            .where(Referral.case_id == case_id, Referral.answered_at.is_(None), Referral.deleted_at.is_(None))
            .order_by(Referral.created_at.desc())
            .limit(1)
        ).first()

    # ------------------------------------------------------------------ declaration

    def declaration_text(self, case_id: uuid.UUID) -> str:
        """The policy's declaration filled with the beneficiary's data and today's date (both calendars)."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            profile = self._profile_of(session, case.policy_version_id)
            return self._fill_declaration(session, case, profile, self._today())

    def _fill_declaration(self, session: Session, case: Case, profile: PolicyProfile, on: date | None) -> str:
        if profile.declaration is None:
            raise ReceptionError("سياسة الجمعية لا تتضمن إقرارًا يوقعه المستفيد", field="declaration")
        beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
        if beneficiary is None:
            raise ReceptionError("أكمل خطوة التحقق من بيانات المستفيد قبل الإقرار", field="declaration")
        values = {
            "full_name": beneficiary.full_name,
            "id_number": beneficiary.id_number,
            "id_kind": _id_kind_label(beneficiary.id_kind),
            "association": profile.association.name,
            "case_number": case.case_number,
            "date": format_dual(on) if on is not None else _BLANK_DATE,
        }
        return profile.declaration.render(values).strip()

    def _declare_step(self, ctx: _Ctx) -> Step:
        """The declare step, when it is current or its signature is pending."""
        declare = ctx.profile.declaration_step
        if ctx.profile.declaration is None or declare is None:
            raise ReceptionError("سياسة الجمعية لا تتضمن إقرارًا يوقعه المستفيد", field="declaration")
        progress = self._progress(ctx.session, ctx.case, ctx.profile)
        if declare.id in progress.completed:
            raise ReceptionError("وُقّع الإقرار من قبل في هذه الحالة", field="declaration")
        if declare.id in progress.waiting:
            return declare
        return self._require_step(ctx, StepKind.DECLARE)

    def sign_declaration(self, case_id: uuid.UUID, signature_png: bytes) -> CaseView:
        """The declaration signed on the signature pad: the PNG and the declaration PDF stored, SHA-256 recorded."""
        _check_signature(signature_png)
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._declare_step(ctx)
            signature = self._attachment(ctx, signature_png, MIME_PNG)
            self._record_declaration(ctx, step, SignatureKind.PAD, signature, signature_png)
            return self._view(session, ctx.case, ctx.profile)

    def declare_signed_on_paper(self, case_id: uuid.UUID, scan_path: Path) -> CaseView:
        """The declaration wet-signed on the printed form: its scan (image or PDF) attached, the PDF recorded."""
        data, mime = read_attachment_file(Path(scan_path), field="scan")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._declare_step(ctx)
            scan = self._attachment(ctx, data, mime)
            self._record_declaration(ctx, step, SignatureKind.PAPER, scan, None)
            return self._view(session, ctx.case, ctx.profile)

    def _record_declaration(
        self, ctx: _Ctx, step: Step, kind: SignatureKind, signature: Attachment, signature_png: bytes | None
    ) -> None:
        signed_on = local_date(ctx.now)
        declaration_text = self._fill_declaration(ctx.session, ctx.case, ctx.profile, signed_on)
        pdf = self._render_declaration(
            ctx.session, ctx.case, ctx.profile, declaration_text, signed_on, ctx.officer_name, signature_png,
            paper=kind is SignatureKind.PAPER,
        )
        stored = self._attachment(ctx, pdf, MIME_PDF)
        self._stamp(
            ctx,
            Declaration(
                case_id=ctx.case.id,
                text=declaration_text,
                signature_kind=kind.value,
                signature_attachment_id=signature.id,
                pdf_attachment_id=stored.id,
                pdf_sha256=stored.sha256,
                officer_id=ctx.officer_id,
                signed_at=ctx.now,
            ),
        )
        was_pending = ctx.case.signature_pending
        ctx.case.signature_pending = False
        note = "وُقّع على لوحة التوقيع" if kind is SignatureKind.PAD else "وُقّع على الورق وأُرفقت النسخة الممسوحة"
        if was_pending:
            note += " (بعد تأجيل التوقيع)"
        self._complete(ctx, step, note=note)
        if ctx.case.status == CaseStatus.AWAITING_SIGNATURE.value:
            self._set_status(ctx, CaseStatus.RECEIVED)
        self._audit(ctx, "declaration_signed", {"signature_kind": kind.value, "pdf_sha256": stored.sha256})

    def defer_signature(self, case_id: uuid.UUID, reason: str) -> CaseView:
        """A remote intake (phone, letter…) goes on with the declaration's signature pending."""
        cleaned = _clean(reason, limit="reason", field="reason", required="اكتب سبب تأجيل التوقيع")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.DECLARE)
            channel = ctx.profile.channel(ctx.case.channel_id)
            if not rules.can_defer_signature(channel.kind):
                raise ReceptionError(
                    f"لا يؤجَّل التوقيع في قناة «{channel.name}»: يوقّع المستفيد الحاضر الإقرار الآن "
                    "على لوحة التوقيع أو على النموذج الورقي",
                    field="declaration",
                )
            ctx.case.signature_pending = True
            self._set_status(ctx, CaseStatus.AWAITING_SIGNATURE)
            self._audit(ctx, "signature_deferred", {"step_id": step.id, "reason": cleaned})
            self._advance(ctx)
            return self._view(session, ctx.case, ctx.profile)

    # ------------------------------------------------------------------ committee, registration, service

    def notify_committee(self, case_id: uuid.UUID) -> CaseView:
        """The request goes to the committee: submission time, promised decision date, the receipt PDF stored."""
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            decision = ctx.profile.decision
            if decision is None:
                raise ReceptionError("سياسة الجمعية لا تتضمن لجنة بحث ولا مدة للقرار", field="step")
            step = self._require_step(ctx, StepKind.NOTIFY_COMMITTEE)
            submitted = local_date(ctx.now)
            try:
                promised = promised_decision_date(
                    submitted, period_days=decision.period_days, period_months=decision.period_months
                )
            except InputError as exc:
                raise _reception_error(exc) from None
            ctx.case.submitted_at = ctx.now
            ctx.case.promised_decision_date = promised
            self._set_status(ctx, CaseStatus.AWAITING_COMMITTEE)
            note = f"موعد القرار: {_date_text(promised)} م" if promised else ""
            self._complete(ctx, step, note=note)
            session.flush()
            receipt = self._store_document(ctx, "receipt")
            self._audit(
                ctx,
                "committee_notified",
                {
                    "submitted_on": submitted.isoformat(),
                    "promised_decision_date": promised.isoformat() if promised else None,
                    "receipt_sha256": receipt.sha256,
                },
            )
            return self._view(session, ctx.case, ctx.profile)

    def complete_register(self, case_id: uuid.UUID, note: str = "") -> CaseView:
        """Registration completed: allowed only for a complete file (documents valid, declaration signed)."""
        cleaned = _clean(note, limit="note", field="note")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.REGISTER)
            if ctx.case.beneficiary_id is None:
                raise ReceptionError("لا يكتمل التسجيل قبل التحقق من بيانات المستفيد", field="step")
            if ctx.case.signature_pending:
                raise ReceptionError(
                    "لا يكتمل التسجيل قبل توقيع الإقرار: التوقيع مؤجل في هذه الحالة", field="declaration"
                )
            missing = self._missing_documents(session, ctx.case.id)
            if missing:
                names = "، ".join(f"{name} ({reason})" for name, reason in missing)
                raise ReceptionError(f"الملف غير مكتمل: {names}", field="documents")
            self._set_status(ctx, CaseStatus.REGISTERED)
            self._complete(ctx, step, note=cleaned)
            return self._view(session, ctx.case, ctx.profile)

    def complete_serve(
        self, case_id: uuid.UUID, service_kind: str, amount: str = "", in_kind: str = "", note: str = ""
    ) -> CaseView:
        """The service or support delivered (an amount in riyals and/or support in kind) recorded."""
        kind = _clean(service_kind, limit="service_kind", field="service_kind", required="اكتب نوع الخدمة المقدمة",
                      single_line=True)
        value = _parse_amount(amount)
        in_kind_text = _clean(in_kind, limit="in_kind", field="in_kind")
        cleaned = _clean(note, limit="note", field="note")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if is_rescue_profile(ctx.profile):
                raise ReceptionError("تُغلق البلاغات بتسجيل المساعدة المقدمة", field="step")
            step = self._require_step(ctx, StepKind.SERVE)
            self._stamp(
                ctx,
                Service(
                    case_id=ctx.case.id,
                    kind=kind,
                    amount=value,
                    in_kind=bool(in_kind_text),
                    description=in_kind_text or cleaned or None,
                    delivered_by=ctx.officer_id,
                    delivered_at=ctx.now,
                ),
            )
            self._set_status(ctx, CaseStatus.SERVED)
            self._complete(ctx, step, note=cleaned or kind)
            return self._view(session, ctx.case, ctx.profile)

    def skip_step(self, case_id: uuid.UUID, step_id: str, reason: str) -> CaseView:
        """Pass an optional step, with the reason written; a mandatory step can never be skipped."""
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            try:
                step = ctx.profile.step(step_id)
            except KeyError:
                raise ReceptionError("الخطوة غير موجودة في سياسة الجمعية", field="step") from None
            if step.mandatory:
                raise ReceptionError(
                    f"خطوة «{step.title}» إلزامية في سياسة الجمعية ولا يجوز تجاوزها", field="step"
                )
            cleaned = _clean(reason, limit="reason", field="reason", required="اكتب سبب تجاوز الخطوة")
            current = self._require_step(ctx, step.kind)
            if current.id != step.id:
                raise ReceptionError(f"الخطوة الحالية هي «{current.title}»", field="step")
            self._complete(ctx, step, skipped=True, skip_reason=cleaned)
            return self._view(session, ctx.case, ctx.profile)

    # ------------------------------------------------------------------ rescue (000)

    def _rescue_context(self, session: Session, case_id: uuid.UUID) -> _Ctx:
        ctx = self._context(session, case_id)
        if not is_rescue_profile(ctx.profile):
            raise ReceptionError("هذا الإجراء خاص بالبلاغات في سياسة جمعية الإنقاذ", field="step")
        return ctx

    def _report(self, session: Session, case_id: uuid.UUID) -> RescueReport | None:
        return session.scalars(
            select(RescueReport).where(RescueReport.case_id == case_id, RescueReport.deleted_at.is_(None))
        ).first()

    def record_report(
        self,
        case_id: uuid.UUID,
        *,
        reporter_name: str,
        reporter_phone: str,
        platform: str,
        place: str,
        latitude: str,
        longitude: str,
        what_happened: str,
    ) -> CaseView:
        """The report (بلاغ) recorded and checked: completes the verify step; later calls correct it."""
        name = _clean(reporter_name, limit="name", field="reporter_name", required="اكتب اسم المبلّغ",
                      single_line=True)
        phone = normalize_reporter_phone(reporter_phone)
        platform_key = platform_id(platform)
        where = _clean(place, limit="place", field="place", required="اكتب مكان البلاغ", single_line=True)
        point = parse_coordinates(latitude, longitude)
        what = _clean(what_happened, limit="what_happened", field="what_happened", required="اكتب ما حدث")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            report = self._report(session, ctx.case.id)
            step = None
            if report is None:
                step = self._require_step(ctx, StepKind.VERIFY)
                report = self._stamp(ctx, RescueReport(case_id=ctx.case.id, received_at=ctx.case.created_at))
            else:
                report.updated_by = ctx.officer_id
            report.reporter_name = name
            report.reporter_phone = phone
            report.platform = platform_key
            report.place = where
            report.latitude, report.longitude = point if point is not None else (None, None)
            report.what_happened = what
            ctx.case.location = where
            ctx.case.summary = what
            if step is not None:
                self._set_status(ctx, CaseStatus.REPORTED)
                self._complete(ctx, step, note=where)
                self._audit(ctx, "report_recorded", {"platform": platform_key})
            else:
                self._audit(ctx, "report_corrected", {"platform": platform_key})
            return self._view(session, ctx.case, ctx.profile)

    def escalate(self, case_id: uuid.UUID, note: str) -> CaseView:
        """The report is unclear: escalated to the central operations manager, with a note."""
        cleaned = _clean(note, limit="note", field="note", required="اكتب سبب التحويل لمدير العمليات المركزية")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            step = self._require_step(ctx, StepKind.ESCALATE)
            report = self._report(session, ctx.case.id)
            if report is None:
                raise ReceptionError("سجّل البلاغ أولًا", field="step")
            report.escalated_at = ctx.now
            report.escalation_note = cleaned
            self._set_status(ctx, CaseStatus.ESCALATED)
            self._complete(ctx, step, note=cleaned)
            return self._view(session, ctx.case, ctx.profile)

    def members(self, near: tuple[float, float] | None = None) -> list[MemberView]:
        """The rescue members roster, nearest first when `near` (latitude, longitude) is given."""
        with self._db.session(read_only=True) as session:
            rows = session.scalars(select(RescueMember).where(RescueMember.deleted_at.is_(None))).all()
        points = [MemberPoint(r.id, r.name, r.latitude, r.longitude, r.available) for r in rows]
        by_id = {r.id: r for r in rows}
        return [_member_view(by_id[p.member_id], d) for p, d in sort_by_distance(points, near)]

    def add_member(self, name: str, phone: str, latitude: str, longitude: str) -> MemberView:
        """Add a member to the roster with a Saudi mobile and the member's location (both coordinates)."""
        cleaned = _clean(name, limit="name", field="name", required="اكتب اسم العضو", single_line=True)
        try:
            mobile = normalize_saudi_mobile(phone, field="phone")
        except InputError as exc:
            raise _reception_error(exc) from None
        point = parse_coordinates(latitude, longitude)
        if point is None:
            raise ReceptionError("أدخل موقع العضو: خط العرض وخط الطول", field="latitude")
        with self._db.session() as session:
            association = self._association(session)
            officer_id, _ = self._officer_row(session, association.id)
            device = self._device_row(session)
            member = RescueMember(
                association_id=association.id, name=cleaned, phone=mobile, latitude=point[0], longitude=point[1],
                available=True, device_id=device[0] if device else None, updated_by=officer_id,
            )
            session.add(member)
            session.add(
                AuditEvent(
                    association_id=association.id, actor_id=officer_id, action="member_added", entity="rescue_member",
                    entity_id=member.id, at=self._now(), details={"name": cleaned},
                    device_id=device[0] if device else None, updated_by=officer_id,
                )
            )
            session.flush()
            return _member_view(member, None)

    def set_member_available(self, member_id: uuid.UUID, available: bool) -> MemberView:
        """Mark a member available or not (on a mission, off duty)."""
        with self._db.session() as session:
            member = session.get(RescueMember, member_id)
            if member is None or member.deleted_at is not None:
                raise ReceptionError("العضو غير موجود في القائمة", field="member")
            member.available = available
            return _member_view(member, None)

    def dispatch(self, case_id: uuid.UUID, member_id: uuid.UUID, *, overridden_reason: str = "") -> CaseView:
        """Dispatch an available member to the report; choosing other than the nearest needs a reason."""
        reason = _clean(overridden_reason, limit="reason", field="overridden_reason")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            step = self._require_step(ctx, StepKind.DISPATCH)
            report = self._report(session, ctx.case.id)
            if report is None:
                raise ReceptionError("سجّل البلاغ أولًا", field="step")
            member = session.get(RescueMember, member_id)
            if member is None or member.deleted_at is not None:
                raise ReceptionError("العضو غير موجود في القائمة", field="member")
            if not member.available:
                raise ReceptionError(f"العضو {member.name} غير متاح الآن: اختر عضوًا متاحًا", field="member")
            roster = session.scalars(select(RescueMember).where(RescueMember.deleted_at.is_(None))).all()
            here: tuple[float, float] | None = None
            if report.latitude is not None and report.longitude is not None:
                here = (report.latitude, report.longitude)
            nearest = nearest_available(
                [MemberPoint(r.id, r.name, r.latitude, r.longitude, r.available) for r in roster], here
            )
            overridden = False
            if nearest is not None and nearest.member_id != member.id:
                overridden = True
                if not reason:
                    raise ReceptionError(
                        f"أقرب عضو متاح هو {nearest.name}: اكتب سبب اختيار عضو آخر", field="overridden_reason"
                    )
            report.dispatched_at = ctx.now
            report.dispatched_member_id = member.id
            report.nearest_member_id = (
                nearest.member_id if nearest is not None and isinstance(nearest.member_id, uuid.UUID) else None
            )
            report.dispatch_override_reason = reason if overridden else None
            report.updated_by = ctx.officer_id
            member.available = False
            self._set_status(ctx, CaseStatus.DISPATCHED)
            note = f"وُجّه العضو {member.name}" + (f" بدل الأقرب: {reason}" if overridden else "")
            self._complete(ctx, step, note=note)
            self._audit(ctx, "member_dispatched", {"member_id": member.id.hex, "overridden": overridden})
            return self._view(session, ctx.case, ctx.profile)

    def close_report(self, case_id: uuid.UUID, help_given: str) -> CaseView:
        """The help given recorded: the last step done and the report closed (closing time kept)."""
        cleaned = _clean(help_given, limit="help_given", field="help_given", required="اكتب المساعدة المقدمة")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            step = self._require_step(ctx, StepKind.SERVE)
            report = self._report(session, ctx.case.id)
            if report is None or report.dispatched_at is None:
                raise ReceptionError("لم يُوجَّه عضو لهذا البلاغ بعد", field="step")
            report.closed_at = ctx.now
            report.help_given = cleaned
            report.updated_by = ctx.officer_id
            if report.dispatched_member_id is not None:
                member = session.get(RescueMember, report.dispatched_member_id)
                if member is not None:
                    member.available = True
            self._complete(ctx, step, note=cleaned)
            self._set_status(ctx, CaseStatus.CLOSED)
            ctx.case.closed_at = ctx.now
            ctx.case.current_step_id = None
            return self._view(session, ctx.case, ctx.profile)

    # ------------------------------------------------------------------ documents

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

    def document_pdf(self, case_id: uuid.UUID, kind: str) -> StoredDocument:
        """A printable document of the case stored content-addressed (the signed declaration as stored)."""
        _check_kind(kind)
        _log.info("document for printing: %s", kind)
        with self._db.session() as session:
            ctx = self._context(session, case_id, allow_closed=True)
            if kind == "declaration":
                declaration = self._declaration(session, ctx.case.id)
                if declaration is None:
                    raise ReceptionError("لم يوقَّع الإقرار في هذه الحالة بعد", field="declaration")
                row = session.get(Attachment, declaration.pdf_attachment_id) if declaration.pdf_attachment_id else None
                if row is not None and row.sha256 == declaration.pdf_sha256:
                    path = self._store.path_of(row.stored_path)
                    if path.is_file() and path.stat().st_size == row.size:
                        return StoredDocument(kind, row.sha256, path, row.size)
            return self._store_document(ctx, kind)

    def render_document(self, case_id: uuid.UUID, kind: str) -> bytes:
        """The document rendered again from the stored records (same bytes as stored for an unchanged case)."""
        _check_kind(kind)
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return self._render(session, case, self._profile_of(session, case.policy_version_id), kind)

    def _store_document(self, ctx: _Ctx, kind: str) -> StoredDocument:
        pdf = self._render(ctx.session, ctx.case, ctx.profile, kind)
        stored = self._store.put(pdf, MIME_PDF)
        existed = ctx.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.sha256 == stored.sha256))
        self._attachment_row(ctx, stored)
        if not existed:
            self._audit(ctx, "document_stored", {"kind": kind, "sha256": stored.sha256})
        return StoredDocument(kind, stored.sha256, stored.path, stored.size)

    def _declaration(self, session: Session, case_id: uuid.UUID) -> Declaration | None:
        return session.scalars(
            select(Declaration)
            .where(Declaration.case_id == case_id, Declaration.deleted_at.is_(None))
            .order_by(Declaration.signed_at.desc(), Declaration.id.desc())
            .limit(1)
        ).first()

    def _user_name(self, session: Session, user_id: uuid.UUID | None) -> str:
        if user_id is None:
            return ""
        user = session.get(AppUser, user_id)
        return user.full_name if user is not None else ""

    def _render(self, session: Session, case: Case, profile: PolicyProfile, kind: str) -> bytes:
        """Render one document of a case from its stored records with the case's policy version."""
        from desktop.documents.forms import MissingDocument, render_blank_declaration, render_missing_documents, render_receipt

        if kind == "declaration":
            declaration = self._declaration(session, case.id)
            if declaration is None:
                raise ReceptionError("لم يوقَّع الإقرار في هذه الحالة بعد", field="declaration")
            png = None
            if declaration.signature_kind == SignatureKind.PAD.value and declaration.signature_attachment_id:
                signature = session.get(Attachment, declaration.signature_attachment_id)
                if signature is not None:
                    png = self._store.read(signature.stored_path, signature.sha256)
            return self._render_declaration(
                session, case, profile, declaration.text, local_date(declaration.signed_at),
                self._user_name(session, declaration.officer_id), png,
                paper=declaration.signature_kind == SignatureKind.PAPER.value,
            )
        beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
        if kind == "blank_declaration":
            if profile.declaration is None:
                raise ReceptionError("سياسة الجمعية لا تتضمن إقرارًا يوقعه المستفيد", field="declaration")
            return render_blank_declaration(
                letterhead=self._letterhead(session, profile),
                title=profile.declaration.title,
                text=self._fill_declaration(session, case, profile, None),
                beneficiary=_particulars(beneficiary),
                case_number=case.case_number,
                officer_name=self._user_name(session, case.officer_id),
            )
        if kind == "receipt":
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
            return render_receipt(
                letterhead=self._letterhead(session, profile),
                case_number=case.case_number,
                beneficiary_name=beneficiary.full_name if beneficiary else "",
                id_number=beneficiary.id_number if beneficiary else "",
                submitted_on=local_date(case.submitted_at),
                promised_on=case.promised_decision_date,
                committee_name=committee,
                period_text=decision.period_text if decision else None,
                channel_name=_channel_name(profile, case.channel_id),
                officer_name=self._user_name(session, notify.officer_id if notify else case.officer_id),
                contact_lines=_contact_lines(profile),
            )
        rows = session.scalars(
            select(RequiredDocument)
            .where(RequiredDocument.case_id == case.id, RequiredDocument.deleted_at.is_(None))
            .order_by(RequiredDocument.created_at, RequiredDocument.id)
        ).all()
        as_of = local_date(max((r.updated_at for r in rows), default=case.created_at))
        missing = [MissingDocument(name, reason) for name, reason in _missing(rows, as_of)]
        return render_missing_documents(
            letterhead=self._letterhead(session, profile),
            case_number=case.case_number,
            beneficiary_name=beneficiary.full_name if beneficiary else "",
            id_number=beneficiary.id_number if beneficiary else "",
            documents=missing,
            today=as_of,
        )

    def _render_declaration(
        self, session: Session, case: Case, profile: PolicyProfile, declaration_text: str, signed_on: date,
        officer_name: str, signature_png: bytes | None, *, paper: bool,
    ) -> bytes:
        from desktop.documents.forms import render_declaration

        assert profile.declaration is not None
        beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
        return render_declaration(
            letterhead=self._letterhead(session, profile),
            title=profile.declaration.title,
            text=declaration_text,
            beneficiary=_particulars(beneficiary),
            case_number=case.case_number,
            signed_on=signed_on,
            officer_name=officer_name,
            signature_png=signature_png,
            signed_on_paper=paper,
        )

    def _missing_documents(self, session: Session, case_id: uuid.UUID) -> list[tuple[str, str]]:
        rows = session.scalars(
            select(RequiredDocument)
            .where(RequiredDocument.case_id == case_id, RequiredDocument.deleted_at.is_(None))
            .order_by(RequiredDocument.created_at, RequiredDocument.id)
        ).all()
        return _missing(rows, self._today())

    # ------------------------------------------------------------------ the view

    def _view(self, session: Session, case: Case, profile: PolicyProfile) -> CaseView:
        session.flush()
        progress = self._progress(session, case, profile)
        users = {
            user.id: user.full_name
            for user in session.scalars(
                select(AppUser).where(AppUser.id.in_({row.officer_id for row in progress.completions.values()
                                                      if row.officer_id is not None}))
            )
        }
        current_id = progress.current.id if progress.current is not None else None
        steps = []
        for step in profile.steps:
            row = progress.completions.get(step.id)
            steps.append(
                StepState(
                    step_id=step.id,
                    kind=step.kind.value,
                    title=step.title,
                    text=step.text,
                    mandatory=step.mandatory,
                    status=rules.step_status(
                        step, current_id=current_id, completed=progress.completed, skipped=progress.skipped,
                        waiting=progress.waiting,
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
        for doc in session.scalars(
            select(RequiredDocument)
            .where(RequiredDocument.case_id == case.id, RequiredDocument.deleted_at.is_(None))
            .order_by(RequiredDocument.created_at, RequiredDocument.id)
        ):
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
            channel_name=_channel_name(profile, case.channel_id),
            case_kind_id=case.case_kind_id,
            case_kind_name=next((k.name for k in profile.case_kinds if k.id == case.case_kind_id), case.case_kind_id),
            beneficiary=_beneficiary_view(beneficiary) if beneficiary else None,
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
        )

    def _referral_view(self, session: Session, profile: PolicyProfile, case_id: uuid.UUID) -> ReferralView | None:
        referral = self._open_referral(session, case_id)
        if referral is None:
            return None
        try:
            role_name = profile.role(referral.to_role).name
        except KeyError:
            role_name = referral.to_role
        person = self._user_name(session, referral.to_user_id) or None
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


# --------------------------------------------------------------------------- helpers


def _id_kind_label(kind: str) -> str:
    try:
        return IdKind(kind).label_ar
    except ValueError:
        return _OTHER_ID_LABEL


def _channel_name(profile: PolicyProfile, channel_id: str) -> str:
    try:
        return profile.channel(channel_id).name
    except KeyError:
        return channel_id


def _contact_lines(profile: PolicyProfile) -> tuple[str, ...]:
    """How the beneficiary reaches the association, from the profile's association section."""
    from desktop.documents.arabic_pdf import ltr

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


def _particulars(beneficiary: Beneficiary | None) -> Any:
    from desktop.documents.forms import BeneficiaryParticulars

    if beneficiary is None:
        return BeneficiaryParticulars(full_name="", id_number="", id_kind_label="")
    mobile = ""
    if beneficiary.mobile:
        try:
            mobile = format_mobile_local(beneficiary.mobile)
        except InputError:
            mobile = beneficiary.mobile
    other: tuple[tuple[str, str], ...] = ()
    if beneficiary.household_size is not None:
        other = (("عدد أفراد الأسرة", to_arabic_digits(str(beneficiary.household_size))),)
    return BeneficiaryParticulars(
        full_name=beneficiary.full_name,
        id_number=beneficiary.id_number,
        id_kind_label=_id_kind_label(beneficiary.id_kind),
        mobile=mobile,
        city=beneficiary.city or "",
        birth_date=beneficiary.birth_date,
        other=other,
    )


def _missing(rows: Sequence[RequiredDocument], today: date) -> list[tuple[str, str]]:
    """(name, reason) of every document not provided or expired on `today`."""
    missing = []
    for row in rows:
        if not row.provided:
            missing.append((row.name, "لم يُقدَّم"))
        elif row.valid_until is not None and row.valid_until < today:
            missing.append((row.name, f"انتهت صلاحيته في {to_arabic_digits(_date_text(row.valid_until))} م"))
    return missing


def _beneficiary_view(b: Beneficiary) -> BeneficiaryView:
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
    )


def _member_view(member: RescueMember, distance: float | None) -> MemberView:
    return MemberView(
        member_id=member.id,
        name=member.name,
        phone=member.phone,
        latitude=member.latitude,
        longitude=member.longitude,
        available=member.available,
        distance_km=distance,
    )


def _similar_names(typed: Sequence[str], stored: Sequence[str]) -> bool:
    """Two name keys probably of the same person: same first and a shared other part, or nearly the same spelling."""
    if not typed or not stored:
        return False
    if difflib.SequenceMatcher(None, " ".join(typed), " ".join(stored)).ratio() >= 0.85:
        return True
    common = set(typed) & set(stored)
    return typed[0] == stored[0] and len(common) >= min(2, len(typed), len(stored))


def _check_kind(kind: str) -> None:
    if kind not in DOCUMENT_KINDS:
        raise ReceptionError("نوع المستند غير معروف", field="kind")


def _check_signature(png: bytes) -> None:
    """Refuse a signature image that is not a PNG, too large, or without real strokes (empty, one dot)."""
    if not png or not png.startswith(_PNG_MAGIC):
        raise ReceptionError("صورة التوقيع يجب أن تكون بصيغة PNG", field="signature")
    if len(png) > MAX_BYTES:
        raise ReceptionError("صورة التوقيع أكبر من الحد المسموح", field="signature")
    from PIL import Image, ImageChops

    try:
        with Image.open(BytesIO(png)) as image:
            image.load()
            rgba = image.convert("RGBA")
    except Exception as exc:  # noqa: BLE001 - any undecodable image is refused the same way
        raise ReceptionError("تعذرت قراءة صورة التوقيع: أعد التوقيع على لوحة التوقيع", field="signature") from exc
    opaque = rgba.getchannel("A").point(lambda a: 255 if a > 40 else 0)
    dark = rgba.convert("L").point(lambda g: 255 if g < 200 else 0)
    ink = ImageChops.multiply(opaque, dark)
    box = ink.getbbox()
    strokes = ink.histogram()[255]
    span = 0 if box is None else max(box[2] - box[0], box[3] - box[1])
    if box is None or strokes < 30 or span < max(20, rgba.width // 20):
        raise ReceptionError("التوقيع فارغ أو نقطة واحدة: اطلب من المستفيد التوقيع كاملًا", field="signature")
