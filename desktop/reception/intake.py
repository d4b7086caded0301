"""The intake: a contact started (case opened and numbered), the beneficiary looked up, cases read, drafts kept.

Decisions recorded here:

* A contact opens a case (status draft) on a channel and case kind of the adopted policy, under the policy
  version adopted now, numbered per device (`desktop.cases.numbers`: prefix, Hijri year, sequence); a PC that is
  not enrolled cannot number cases.
* The officer is the `AppUser` whose username is this PC's OS login; this PC is the earliest enrolled, not
  revoked `Device` other than the demo data's one (both in `desktop.casework`, shared with the case desk).
* Look-up: an ID or its start, a phone in any written form, or name parts (each part a word start, exact names
  first) — always an index (FTS5 when the table exists), never a scan. A probable duplicate is the same mobile
  with a similar name, shown with a warning.
* An existing beneficiary's file may be attached to the case until the verify step is done.
* One open case per person: a look-up names each match's cases not closed yet (`BeneficiaryMatch.open_cases`),
  and a case is started for, or attached to, a beneficiary who already has another one not closed only with a
  stated reason (`second_case_reason`), recorded in the audit (and so in the case's timeline); without one it
  is refused with the open case's number, nothing written. The verify step refuses the same way when the typed
  ID is of a person with another open case (`check_second_case`).
* Drafts: `save_draft` commits at once (WAL), so a killed process loses nothing typed. `open_drafts` lists
  every unfinished reception of this PC: a case whose reception is not over (status draft, received, referred,
  awaiting signature, or a rescue report not closed) with a step still to do, or any case with a draft on a
  step not yet passed — whatever was typed, and whichever is newest.
"""

from __future__ import annotations

import difflib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from db.models import AuditEvent, Beneficiary, Case, CaseStatus, PolicyVersion, ReceptionDraft
from desktop.arabic_text import (
    article_forms,
    fts_name_query,
    identifier_text,
    name_match_rank,
    name_tokens,
    strip_bidi_controls,
    to_latin_digits,
)
from desktop.cases import numbers, states
from desktop.casework import CaseContext
from desktop.errors import InputError, ReceptionError
from desktop.hijri import HijriDate, local_date
from desktop.identity import is_valid_saudi_id, normalize_saudi_mobile, phone_search_key
from desktop.policy import StepKind, is_rescue_profile
from desktop.reception.documents import find_case
from desktop.reception.views import BeneficiaryMatch, CaseView, DraftSummary, OpenCase
from desktop.reception.work import LIMITS, ReceptionWork, clean

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["UNFINISHED", "Intake", "check_second_case", "check_typed_id", "open_cases_of"]

#: The statuses of a case whose reception is not over: the wizard still has a step of it to do here (after
#: the committee is notified, or once registered or served, the case goes on from the case file).
UNFINISHED: frozenset[CaseStatus] = states.ABANDONABLE | {CaseStatus.DISPATCHED}


def open_cases_of(
    session: Session, beneficiary_ids: Iterable[uuid.UUID], profile_of: Callable[[uuid.UUID], Any],
    *, except_case: uuid.UUID | None = None,
) -> dict[uuid.UUID, tuple[OpenCase, ...]]:
    """Each beneficiary's open cases (newest first), by the beneficiary index; `profile_of` names the step.

    Open means neither closed nor served: a served case's support was given (its file stays for follow-ups), so
    a beneficiary who comes back for another service starts a new request without being asked for a reason.
    """
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Case)
        .where(
            Case.beneficiary_id.in_(ids),
            Case.deleted_at.is_(None),
            Case.status.not_in((CaseStatus.CLOSED.value, CaseStatus.SERVED.value)),
            *([Case.id != except_case] if except_case is not None else []),
        )
        .order_by(Case.created_at.desc(), Case.id.desc())
    ).all()
    found: dict[uuid.UUID, list[OpenCase]] = {}
    for case in rows:
        title = ""
        if case.current_step_id:
            try:
                title = profile_of(case.policy_version_id).step(case.current_step_id).title
            except (KeyError, InputError):
                title = ""
        assert case.beneficiary_id is not None
        found.setdefault(case.beneficiary_id, []).append(
            OpenCase(case.id, case.case_number, states.status_label(case.status), title)
        )
    return {key: tuple(value) for key, value in found.items()}


#: What the officer may do instead of a silent second case (said after the open case's number).
SECOND_CASE_ADVICE = "أكملها بدل فتح حالة ثانية، أو اكتب سبب فتح حالة أخرى له"


def second_case_refusal(open_case: OpenCase, advice: str = SECOND_CASE_ADVICE) -> str:
    """Why another case is not opened for a person with an open one, and what to do instead (Arabic)."""
    where = f" عند خطوة «{open_case.step_title}»" if open_case.step_title else ""
    return f"للمستفيد حالة مفتوحة رقم {identifier_text(open_case.case_number)} ({open_case.status_label}){where}: {advice}"


def check_second_case(
    work: ReceptionWork, ctx: CaseContext, beneficiary_id: uuid.UUID, reason: str = "", *,
    field: str = "second_case_reason", advice: str = SECOND_CASE_ADVICE,
) -> None:
    """Refuse a case for a person with another case not closed unless a reason is stated; record the reason.

    The reason (cleaned, at most `LIMITS["reason"]`) goes to the audit as "second_case_opened" with the open
    case's number, so the case's timeline shows why a second case was opened. Raises `ReceptionError` (on
    `field`, the message ending with `advice`) when there is an open case and no reason.
    """
    others = open_cases_of(
        ctx.session, [beneficiary_id], lambda version: work._profile_of(ctx.session, version), except_case=ctx.case.id
    ).get(beneficiary_id, ())
    if not others:
        return
    cleaned = clean(reason, limit="reason", field=field, required=second_case_refusal(others[0], advice))
    work._audit(
        ctx, "second_case_opened",
        {"reason": cleaned, "open_case_number": others[0].case_number, "beneficiary_id": beneficiary_id.hex},
    )


def _similar_names(typed: Sequence[str], stored: Sequence[str]) -> bool:
    """Two name keys probably of the same person: same first and a shared other part, or nearly the same spelling."""
    if not typed or not stored:
        return False
    if difflib.SequenceMatcher(None, " ".join(typed), " ".join(stored)).ratio() >= 0.85:
        return True
    common = set(typed) & set(stored)
    return typed[0] == stored[0] and len(common) >= min(2, len(typed), len(stored))


class Intake(ReceptionWork):
    """The start of a contact and everything read before and between the steps: look-up, cases, drafts."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        clock: Callable[[], datetime] | None = None,
        shared: ReceptionWork | None = None,
    ) -> None:
        super().__init__(workspace, clock=clock, shared=shared)
        self._has_fts: bool | None = None

    # ------------------------------------------------------------------ contact

    def start_contact(
        self, channel_id: str, case_kind_id: str, *, beneficiary_id: uuid.UUID | None = None,
        second_case_reason: str = "",
    ) -> CaseView:
        """Open a new case (status draft) on a channel of the policy, for one of its case kinds.

        With `beneficiary_id` the case is opened on that beneficiary's file in the same unit of work; a person
        with another case not closed needs `second_case_reason` (else nothing is written, see the module).
        """
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
                created_at=now,  # the service's clock: a report's received time is the contact's start
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
            ctx = CaseContext(session, case, profile, officer_id, officer_name, device[0], now)
            self._stamp(ctx, case)
            self._audit(ctx, "case_started", {"channel_id": channel_id, "case_kind_id": case_kind_id})
            session.flush()
            if beneficiary_id is not None:
                self._attach(ctx, beneficiary_id, second_case_reason)
            return self._view(session, case, profile)

    def _next_case_number(self, session: Session, prefix: str, now: datetime) -> str:
        """The next free case number of this device (see `desktop.cases.numbers` for the format)."""
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

    def attach_beneficiary(
        self, case_id: uuid.UUID, beneficiary_id: uuid.UUID, *, second_case_reason: str = ""
    ) -> CaseView:
        """Open an existing beneficiary's file for this case (before the verify step is done).

        A person with another case not closed needs `second_case_reason` (recorded; see the module).
        """
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            self._attach(ctx, beneficiary_id, second_case_reason)
            return self._view(session, ctx.case, ctx.profile)

    def _attach(self, ctx: CaseContext, beneficiary_id: uuid.UUID, second_case_reason: str) -> None:
        """Put the beneficiary's file on the case: checked, the reason for a second open case recorded, audited."""
        beneficiary = ctx.session.get(Beneficiary, beneficiary_id)
        if beneficiary is None or beneficiary.deleted_at is not None:
            raise ReceptionError("ملف المستفيد غير موجود", field="beneficiary")
        if is_rescue_profile(ctx.profile):
            raise ReceptionError("البلاغات لا تُربط بملف مستفيد في سياسة الجمعية", field="beneficiary")
        verify = next((s for s in ctx.profile.steps if s.kind is StepKind.VERIFY), None)
        progress = self._progress(ctx.session, ctx.case, ctx.profile)
        if verify is not None and verify.id in progress.completed and ctx.case.beneficiary_id != beneficiary.id:
            raise ReceptionError("اكتمل التحقق من بيانات هذه الحالة: لا يمكن تغيير المستفيد", field="beneficiary")
        if ctx.case.beneficiary_id != beneficiary.id:
            check_second_case(self, ctx, beneficiary.id, second_case_reason)
            ctx.case.beneficiary_id = beneficiary.id
            ctx.case.updated_by = ctx.officer_id
            self._audit(ctx, "beneficiary_attached", {"beneficiary_id": beneficiary.id.hex})

    # ------------------------------------------------------------------ look-up

    def lookup(self, text_typed: str, *, limit: int = 20) -> list[BeneficiaryMatch]:
        """Beneficiaries matching what the officer types: ID or its start, a phone in any form, or a name.

        A whole ID (ten digits beginning with 1 or 2) whose check digit is wrong, and that no file holds (a
        document of another kind may), is refused here (ReceptionError on field "lookup"): the officer
        corrects it before a case number is taken for the contact.
        """
        raw = to_latin_digits(strip_bidi_controls(text_typed or "")).strip()
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
                return self._with_open_cases(session, list(found.values()))
            compact = "".join(raw.split())
            if compact.isdigit() and compact[0] in "12":
                if len(compact) == 10:
                    add(session.scalars(select(Beneficiary).where(live, Beneficiary.id_number == compact)), "same_id")
                    if not found:
                        check_typed_id(compact)
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
            return self._with_open_cases(session, list(found.values()))

    def _with_open_cases(self, session: Session, matches: list[BeneficiaryMatch]) -> list[BeneficiaryMatch]:
        """The matches, each with its cases not closed (one indexed query for them all)."""
        opened = open_cases_of(
            session, [m.beneficiary_id for m in matches], lambda version: self._profile_of(session, version)
        )
        return [replace(m, open_cases=opened.get(m.beneficiary_id, ())) for m in matches]

    def _name_search(self, session: Session, raw: str, limit: int) -> list[Beneficiary]:
        """Beneficiaries whose name has every typed part as a word start (with or without the article):
        the same name first, then names where every part is a whole word (عمر before عمرو), then starts."""
        tokens = [token for token in name_tokens(raw) if token]
        if not tokens:
            return []
        if self._has_fts is None:
            self._has_fts = bool(
                session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'beneficiary_fts'"))
            )
        live = Beneficiary.deleted_at.is_(None)
        if self._has_fts:
            ids: dict[uuid.UUID, None] = {}
            for whole_words in (True, False):
                # A join (not "rowid IN (subquery)") lets the index stop after the first matches.
                found = session.execute(
                    text(
                        "SELECT beneficiary.id FROM beneficiary_fts JOIN beneficiary "
                        "ON beneficiary.rowid = beneficiary_fts.rowid "
                        "WHERE beneficiary_fts MATCH :query AND beneficiary.deleted_at IS NULL LIMIT :limit"
                    ),
                    {"query": fts_name_query(tokens, whole_words=whole_words), "limit": limit * 5},
                ).scalars().all()
                ids.update((uuid.UUID(hex=value) if isinstance(value, str) else value, None) for value in found)
                if len(ids) >= limit * 5:
                    break
            rows = list(session.scalars(select(Beneficiary).where(Beneficiary.id.in_(list(ids))))) if ids else []
        else:
            rows = []
            for first in article_forms(tokens[0]):
                statement = select(Beneficiary).where(live, Beneficiary.name_key.op("GLOB")(f"{first}*"))
                rows.extend(session.scalars(statement.limit(limit * 50)))
            rows = [
                row for row in rows
                if all(
                    any(part.startswith(form) for part in row.name_key.split() for form in article_forms(t))
                    for t in tokens
                )
            ]
        rows.sort(key=lambda row: (name_match_rank(tokens, row.name_key), row.name_key))
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

    # ------------------------------------------------------------------ cases

    def case(self, case_id: uuid.UUID) -> CaseView:
        """The case as the wizard shows it."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return self._view(session, case, self._profile_of(session, case.policy_version_id))

    def case_by_number(self, case_number: str) -> CaseView:
        """The case with this number (ReceptionError when there is none)."""
        with self._db.session(read_only=True) as session:
            case = find_case(session, case_number)
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
        """Every unfinished reception of this PC, most recently changed first (see the module's decisions)."""
        with self._db.session(read_only=True) as session:
            device = self._device_row(session)
            device_id = device[0] if device else None
            mine = or_(Case.device_id.is_(None), Case.device_id == device_id) if device_id else Case.device_id.is_(None)
            # Two indexed look-ups (status and device; the small drafts table) rather than one OR over every case.
            candidates = set(
                session.scalars(
                    select(Case.id).where(
                        Case.status.in_([status.value for status in UNFINISHED]), Case.deleted_at.is_(None), mine
                    )
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
            started: dict[uuid.UUID | None, datetime] = {
                case_id: at
                for case_id, at in session.execute(
                    select(AuditEvent.entity_id, func.min(AuditEvent.at))
                    .where(
                        AuditEvent.entity == "case",
                        AuditEvent.action == "case_started",
                        AuditEvent.entity_id.in_([case.id for case in cases]),
                    )
                    .group_by(AuditEvent.entity_id)
                )
            } if cases else {}
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
                unfinished = CaseStatus(case.status) in UNFINISHED and progress.current is not None
                if not unfinished and not pending:
                    continue
                saved_at = max((d.saved_at for d in pending), default=case.updated_at)
                beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
                title = progress.current.title if progress.current is not None else ""
                summaries.append(
                    DraftSummary(
                        case.id, case.case_number, beneficiary.full_name if beneficiary else None, title, saved_at,
                        started.get(case.id, case.created_at), states.status_label(case.status),
                    )
                )
        summaries.sort(key=lambda s: s.saved_at, reverse=True)
        return summaries


def check_typed_id(typed: str) -> None:
    """Refuse a whole ID typed at the look-up whose check digit is wrong (ReceptionError on field "lookup")."""
    if not is_valid_saudi_id(typed):
        raise ReceptionError(
            "رقم الهوية غير صحيح: خانة التحقق (الرقم الأخير) لا تطابق بقية الأرقام. "
            "راجعه مع بطاقة المستفيد وصحّحه قبل بدء التواصل، أو ابحث بالجوال أو بالاسم",
            field="lookup",
        )
