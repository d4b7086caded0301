"""The research committee: the queue against the promised date, decisions, the letter, the notice.

* Only a case in "awaiting_committee" can be decided. The secretary's `expected_version` is compared
  with the case row's version; the second of two people deciding the same case is told who decided and
  when. Write sessions take SQLite's write lock at BEGIN (`db.engine`), so two decisions never
  interleave; SQLAlchemy's version check (``StaleDataError``) is the last guard and gets the same answer.
* The decision, the status change, its audit event and the decision letter PDF (attachment store +
  `DecisionLetter`, rendered by `decisions.decision_letter_pdf`) are one transaction.
* "more_info" needs by when (default: `MORE_INFO_DAYS` days); the case goes back to the committee with
  `resubmit_to_committee`, its promised date unchanged (the policy counts the period from submission).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.models import (
    AppUser,
    Attachment,
    Beneficiary,
    BeneficiaryNotice,
    CaseStatus,
    CommitteeDecision,
    DecisionLetter,
    UserRole,
)
from desktop.attachments import MIME_PDF
from desktop.casedesk.casefile import build_case_file
from desktop.casedesk.common import (
    LIMITS,
    as_date,
    as_datetime,
    as_uuid,
    case_kind_name,
    clean_input,
    countdown_text,
    dual,
    mobile_local,
    moment_text,
    parse_typed_date,
    user_names,
)
from desktop.casedesk.decisions import (
    case_decision_letter,
    decision_letter_pdf,
    decision_view,
    latest_decision,
    letter_row,
    no_decision_yet,
)
from desktop.casedesk.rules import DECIDED_STATUSES
from desktop.casedesk.service import CaseDeskWork
from desktop.casedesk.views import (
    DECISIONS,
    INFORMED_HOW,
    CaseDeskError,
    CaseFile,
    CommitteeAccount,
    DecisionInput,
    DecisionResult,
    NotificationView,
    QueueRow,
    QueueSummary,
)
from desktop.casework import CaseContext
from desktop.counting import MEMBERS, count_phrase
from desktop.cases import states
from desktop.documents.letters import notification_text, sms_link, whatsapp_link
from desktop.hijri import local_date
from desktop.policy import SensitiveField, is_rescue_profile
from desktop.permissions import Action, guarded, sign_in_required

__all__ = ["MORE_INFO_DAYS", "CommitteeService"]

#: Default period given to bring the information the committee asked for.
MORE_INFO_DAYS = 14
_TARGET_STATUS: dict[str, CaseStatus] = {
    "accept": CaseStatus.ACCEPTED,
    "reject": CaseStatus.REJECTED,
    "more_info": CaseStatus.MORE_INFO_REQUESTED,
}


class CommitteeService(CaseDeskWork):
    """The committee secretary's desk: the queue, decisions (optimistic concurrency), letters and notices."""

    @guarded(Action.VIEW_COMMITTEE_QUEUE)
    def committee_queue(self, *, limit: int = 200, offset: int = 0) -> tuple[QueueRow, ...]:
        """Cases awaiting a decision, earliest promised date first (those without a date last), with countdown."""
        limit = max(0, min(int(limit), 1000))
        offset = max(0, int(offset))
        if limit == 0:
            return ()
        # The researcher's current recommendation (as the eligibility file picks it: latest, then newest id)
        # comes with each row, a correlated read by the case_id index, not a second query over the page's ids.
        columns = (
            'SELECT c.id, c.case_number, c.version, c.case_kind_id, c.policy_version_id, c.submitted_at, '
            'c.promised_decision_date, b.full_name, b.mobile, '
            "(SELECT r.recommendation FROM eligibility_recommendation AS r WHERE r.case_id = c.id "
            "AND r.deleted_at IS NULL ORDER BY r.recommended_at DESC, r.id DESC LIMIT 1) AS recommendation "
            'FROM "case" AS c LEFT JOIN beneficiary AS b ON b.id = c.beneficiary_id '
        )
        with self._db.session(read_only=True) as session:
            # The (status, promised_decision_date) index gives this order without sorting.
            rows = list(session.execute(
                text(columns + "WHERE c.status = :status AND c.promised_decision_date IS NOT NULL "
                     "AND c.deleted_at IS NULL ORDER BY c.promised_decision_date LIMIT :limit OFFSET :offset"),
                {"status": CaseStatus.AWAITING_COMMITTEE.value, "limit": limit, "offset": offset},
            ))
            if len(rows) < limit:
                if rows:
                    dated = offset + len(rows)
                else:
                    dated = session.scalar(text(
                        'SELECT count(*) FROM "case" WHERE status = :status AND promised_decision_date IS NOT NULL '
                        "AND deleted_at IS NULL"
                    ), {"status": CaseStatus.AWAITING_COMMITTEE.value}) or 0
                rows += list(session.execute(
                    text(columns + "WHERE c.status = :status AND c.promised_decision_date IS NULL "
                         "AND c.deleted_at IS NULL ORDER BY c.rowid LIMIT :limit OFFSET :offset"),
                    {"status": CaseStatus.AWAITING_COMMITTEE.value, "limit": limit - len(rows),
                     "offset": max(0, offset - dated)},
                ))
            today = self._today()
            result = []
            for row in rows:
                profile = self._profile_of(session, as_uuid(row.policy_version_id))
                promised = as_date(row.promised_decision_date)
                submitted = as_datetime(row.submitted_at)
                days_left = (promised - today).days if promised else None
                rec_code = row.recommendation
                result.append(QueueRow(
                    case_id=as_uuid(row.id),
                    case_number=row.case_number,
                    version=row.version,
                    beneficiary_name=row.full_name or "",
                    mobile_local=mobile_local(row.mobile),
                    case_kind_name=case_kind_name(profile, row.case_kind_id),
                    submitted_on=local_date(submitted) if submitted else None,
                    submitted_text=dual(local_date(submitted)) if submitted else "",
                    promised_date=promised,
                    promised_text=dual(promised),
                    days_left=days_left,
                    countdown_text=countdown_text(days_left),
                    overdue=days_left is not None and days_left < 0,
                    due_this_week=days_left is not None and 0 <= days_left <= 6,
                    recommendation=rec_code,
                    recommendation_label=DECISIONS.get(rec_code, rec_code) if rec_code else "لا توجد توصية بعد",
                ))
        return tuple(result)

    @guarded(Action.VIEW_COMMITTEE_QUEUE)
    def committee_queue_summary(self) -> QueueSummary:
        """How many cases await a decision, how many are overdue, how many are due within the week."""
        today = self._today()
        status = CaseStatus.AWAITING_COMMITTEE.value
        with self._db.session(read_only=True) as session:
            # Three counts the (status, promised_decision_date) index answers alone (no table reads:
            # about 50 ms for 150,000 awaiting cases, against 1.7 s when each row's deleted_at is read).
            # A soft-deleted case still counted here (rare) is left out of the queue rows themselves.
            row = session.execute(text(
                'SELECT (SELECT count(*) FROM "case" WHERE status = :status), '
                '(SELECT count(*) FROM "case" WHERE status = :status AND promised_decision_date < :today), '
                '(SELECT count(*) FROM "case" WHERE status = :status AND promised_decision_date >= :today '
                "AND promised_decision_date <= :week)"
            ), {"status": status, "today": today.isoformat(), "week": (today + timedelta(days=6)).isoformat()}).one()
        return QueueSummary(total=int(row[0] or 0), overdue=int(row[1] or 0), due_this_week=int(row[2] or 0))

    @guarded(Action.RECORD_DECISION)
    def decide(self, case_id: uuid.UUID, decision: DecisionInput) -> DecisionResult:
        """Record the committee's decision, move the case on, store the decision letter: one transaction."""
        code = decision.decision
        if code not in DECISIONS:
            raise CaseDeskError("القرار: قبول، أو رفض، أو طلب استكمال معلومات", field="decision")
        required = {
            "reject": "اكتب سبب الرفض: يُذكر في خطاب القرار",
            "more_info": "اكتب المعلومات أو المستندات المطلوب استكمالها",
        }.get(code)
        reason = clean_input(decision.reason, limit="reason", field="reason", required=required)
        typed: list[str] = []
        for index, member in enumerate(decision.members):
            name = clean_input(member, limit="member", field=f"members[{index}]", single_line=True)
            if name and name not in typed:
                typed.append(name)
        if not typed and not decision.member_ids:
            raise CaseDeskError("اختر أعضاء اللجنة الحاضرين (عضو واحد على الأقل)", field="members")
        if len(typed) + len(set(decision.member_ids)) > LIMITS["members"]:
            raise CaseDeskError(f"عدد الأعضاء الحاضرين أكثر من {count_phrase(LIMITS['members'], MEMBERS, oblique=True)}", field="members")
        info_due = parse_typed_date(decision.info_due, field="info_due", what="موعد الاستكمال") if code == "more_info" else None
        today = self._today()
        if code == "more_info":
            if info_due is None:
                info_due = today + timedelta(days=MORE_INFO_DAYS)
            elif info_due < today:
                raise CaseDeskError("موعد الاستكمال في الماضي: اختر تاريخًا من اليوم فصاعدًا", field="info_due")
        try:
            with self._db.session() as session:
                ctx = self._context(session, case_id, allow_closed=True)
                members, member_ids = self._members_present(session, typed, decision.member_ids)
                self._check_decidable(ctx, decision.expected_version)
                row = self._stamp(ctx, CommitteeDecision(
                    case_id=ctx.case.id, decision=code, reason=reason or None, members=members,
                    recorded_by=ctx.officer_id, decided_at=ctx.now,
                ))
                self._set_status(ctx, _TARGET_STATUS[code])
                session.flush()
                pdf = decision_letter_pdf(session, ctx.case, ctx.profile, row, self._store, info_due=info_due)
                stored = self._store.put(pdf, MIME_PDF)
                attachment = self._attachment_row(ctx, stored.sha256, stored.size, stored.relative_path)
                self._stamp(ctx, DecisionLetter(
                    case_id=ctx.case.id, decision_id=row.id, attachment_id=attachment.id, pdf_sha256=stored.sha256,
                    info_due_date=info_due, issued_at=ctx.now,
                ))
                self._audit(ctx, "committee_decided", {
                    "decision": code, "decision_id": row.id.hex, "reason": reason, "members": members,
                    "member_ids": member_ids,
                    "letter_sha256": stored.sha256, "expected_version": decision.expected_version,
                    "info_due": info_due.isoformat() if info_due else None,
                })
                session.flush()
                view = decision_view(session, row, ctx.case)
                case_file = build_case_file(session, ctx.case, ctx.profile, self._today(), readable=self._may(session, Action.READ_SENSITIVE))
        except StaleDataError:
            raise self._already_decided(case_id) from None
        return DecisionResult(view, case_file, stored.sha256, self._store.readable_copy(stored.relative_path, stored.sha256))

    @guarded(Action.VIEW_COMMITTEE_QUEUE)
    def committee_accounts(self) -> tuple[CommitteeAccount, ...]:
        """The active accounts holding the committee member or secretary role, by name: the checklist of the
        members present at a decision."""
        with self._db.session(read_only=True) as session:
            return tuple(
                CommitteeAccount(user.id, user.full_name,
                                 "، ".join(UserRole(r).label_ar for r in user.role_list if r in COMMITTEE_ROLES))
                for user in _committee_accounts(session)
            )

    def _members_present(self, session: Session, typed: list[str],
                         member_ids: Sequence[uuid.UUID]) -> tuple[list[str], list[str]]:
        """(names, account id hexes) of the members present: chosen accounts holding a committee role; typed
        names only on a desk without sign-in (`desktop.permissions.sign_in_required`)."""
        if typed and sign_in_required(session):
            raise CaseDeskError("اختر الأعضاء الحاضرين من حسابات اللجنة: لا تُكتب الأسماء", field="members")
        accounts = {user.id: user for user in _committee_accounts(session)}
        names, ids = list(typed), []
        for index, account_id in enumerate(dict.fromkeys(member_ids)):
            user = accounts.get(account_id)
            if user is None:
                raise CaseDeskError("أحد الأعضاء المختارين ليس عضوًا نشطًا في لجنة البحث: اختر من حسابات اللجنة",
                                    field=f"member_ids[{index}]")
            if user.full_name not in names:
                names.append(user.full_name)
            ids.append(user.id.hex)
        return names, ids

    def _check_decidable(self, ctx: CaseContext, expected_version: int | None) -> None:
        """Refuse a decision on a case not awaiting one, or changed since the secretary saw it."""
        if not ctx.profile.has_committee or is_rescue_profile(ctx.profile):
            raise CaseDeskError("سياسة الجمعية لا تتضمن قرار لجنة بحث لهذا النوع من الطلبات", field="decision")
        status = ctx.case.status
        if status != CaseStatus.AWAITING_COMMITTEE.value:
            previous = latest_decision(ctx.session, ctx.case.id)
            if previous is not None and status in DECIDED_STATUSES | {CaseStatus.CLOSED.value}:
                raise self._already_decided_error(ctx.session, previous)
            raise CaseDeskError(
                f"الطلب ليس بانتظار قرار اللجنة: حالته «{states.status_label(status)}»", field="status"
            )
        if expected_version is not None and ctx.case.version != expected_version:
            raise CaseDeskError(
                "تغيّر الطلب بعد أن فتحته (سُجّل عليه إجراء آخر): أعد فتح الطلب وراجعه ثم سجّل القرار",
                field="expected_version",
            )

    def _already_decided_error(self, session: Session, previous: CommitteeDecision) -> CaseDeskError:
        who = user_names(session, [previous.recorded_by]).get(previous.recorded_by) if previous.recorded_by else None
        label = DECISIONS.get(previous.decision, previous.decision)
        by = f" سجّله {who}" if who else ""
        return CaseDeskError(
            f"سبق أن قررت اللجنة في هذا الطلب: «{label}»،{by} في {moment_text(previous.decided_at)}",
            field="decision",
        )

    def _already_decided(self, case_id: uuid.UUID) -> CaseDeskError:
        with self._db.session(read_only=True) as session:
            previous = latest_decision(session, case_id)
            if previous is None:
                return CaseDeskError("تغيّر الطلب أثناء تسجيل القرار: أعد فتح الطلب وحاول مرة أخرى", field="decision")
            return self._already_decided_error(session, previous)

    def _attachment_row(self, ctx: CaseContext, sha: str, size: int, relative: str) -> Attachment:
        row = ctx.session.scalars(select(Attachment).where(Attachment.sha256 == sha)).first()
        if row is None:
            row = self._stamp(ctx, Attachment(sha256=sha, size=size, mime=MIME_PDF, stored_path=relative))
            ctx.session.flush()
        elif row.deleted_at is not None:
            row.deleted_at = None
        return row

    @guarded(Action.MANAGE_COMMITTEE)
    def resubmit_to_committee(self, case_id: uuid.UUID, note: str) -> CaseFile:
        """The information the committee asked for came: the case awaits a decision again (promised date kept)."""
        cleaned = clean_input(note, limit="note", field="note", required="اكتب ما استُكمل من معلومات أو مستندات")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            if ctx.case.status != CaseStatus.MORE_INFO_REQUESTED.value:
                raise CaseDeskError("لم تطلب اللجنة استكمال معلومات في هذا الطلب", field="status")
            self._set_status(ctx, CaseStatus.AWAITING_COMMITTEE)
            self._audit(ctx, "resubmitted", {"note": cleaned})
            return build_case_file(session, ctx.case, ctx.profile, self._today(), readable=self._may(session, Action.READ_SENSITIVE))

    @guarded(Action.PRINT_DOCUMENTS)
    def decision_letter(self, case_id: uuid.UUID) -> bytes:
        """The decision letter PDF of the case's latest decision (as stored; rendered again if the file is lost)."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return case_decision_letter(session, case, self._profile_of(session, case.policy_version_id), self._store)

    @guarded(Action.SEE_CASES)
    def notification(self, case_id: uuid.UUID) -> NotificationView:
        """The SMS/WhatsApp text of the latest decision, the wa.me link and the phone.

        When the policy marks the committee's reason sensitive and the account may not read it, the text leaves the
        reason out (the decision letter handed to the person carries it): it is neither shown to the account nor
        sent over a messaging app by it.
        """
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            profile = self._profile_of(session, case.policy_version_id)
            hide_reason = (profile.field_is_sensitive(SensitiveField.DECISION_REASON)
                           and not self._may(session, Action.READ_SENSITIVE))
            decision = latest_decision(session, case.id)
            if decision is None:
                raise no_decision_yet(case)
            letter = letter_row(session, decision.id)
            beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
        message = notification_text(
            association_name=profile.association.name,
            beneficiary_name=beneficiary.full_name if beneficiary else "",
            case_number=case.case_number,
            decision=decision.decision,
            decided_on=local_date(decision.decided_at),
            reason="" if hide_reason else decision.reason or "",
            info_due=letter.info_due_date if letter else None,
            contact_phone=profile.association.phone,
            gender=beneficiary.gender if beneficiary else None,
        )
        mobile = beneficiary.mobile if beneficiary else None
        return NotificationView(
            case_number=case.case_number,
            beneficiary_name=beneficiary.full_name if beneficiary else "",
            phone=mobile,
            phone_local=mobile_local(mobile),
            text=message,
            whatsapp_url=whatsapp_link(mobile, message) if mobile else None,
            sms_url=sms_link(mobile, message) if mobile else None,
        )

    @guarded(Action.INFORM_BENEFICIARY)
    def record_informed(self, case_id: uuid.UUID, how: str, note: str = "") -> CaseFile:
        """Record that the beneficiary was informed of the decision and how (sms, whatsapp, phone, in person, letter)."""
        if how not in INFORMED_HOW:
            raise CaseDeskError("طريقة الإبلاغ: رسالة نصية، أو واتساب، أو اتصال، أو حضوريًا، أو خطاب", field="how")
        cleaned = clean_input(note, limit="note", field="note")
        with self._db.session() as session:
            ctx = self._context(session, case_id, allow_closed=True)
            decision = latest_decision(session, ctx.case.id)
            if decision is None:
                raise CaseDeskError("لا يوجد قرار لإبلاغ المستفيد به بعد", field="decision")
            row = self._stamp(ctx, BeneficiaryNotice(
                case_id=ctx.case.id, decision_id=decision.id, how=how, note=cleaned or None,
                informed_by=ctx.officer_id, informed_at=ctx.now,
            ))
            session.flush()
            self._audit(ctx, "beneficiary_informed", {"how": how, "decision_id": decision.id.hex, "id": row.id.hex})
            return build_case_file(session, ctx.case, ctx.profile, self._today(), readable=self._may(session, Action.READ_SENSITIVE))


#: The account roles that sit on the committee.
COMMITTEE_ROLES = frozenset({UserRole.COMMITTEE.value, UserRole.COMMITTEE_SECRETARY.value})


def _committee_accounts(session: Session) -> list[AppUser]:
    """Active accounts holding a committee role, by name (a few hundred accounts: roles read in Python)."""
    users = session.scalars(
        select(AppUser).where(AppUser.deleted_at.is_(None), AppUser.active.is_(True)).order_by(AppUser.full_name)
    )
    return [user for user in users if COMMITTEE_ROLES & set(user.role_list)]
