"""Follow-ups: what to follow up before the beneficiary asks — documents about to expire, decisions overdue or
due this week, declarations not signed yet, referrals left unanswered.

Each list is one query on an index (raw SQL: these run over every open case), most urgent first.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import text

from db.models import CaseStatus
from desktop.casedesk.common import (
    as_date,
    as_datetime,
    as_uuid,
    countdown_text,
    days_text,
    dual,
    mobile_local,
    role_name,
)
from desktop.casedesk.rules import DECIDED_STATUSES, STUDY_STATUSES
from desktop.casedesk.service import CaseDeskWork
from desktop.casedesk.views import CaseDeskError, FollowUpRow, FollowUps
from desktop.hijri import local_date
from desktop.permissions import Action, guarded

__all__ = ["FollowUpService"]


class FollowUpService(CaseDeskWork):
    """The follow-up lists of the whole association, as of today."""

    @guarded(Action.SEE_CASES)
    def follow_ups(self, *, expiring_within_days: int = 30, referral_after_days: int = 3,
                   limit: int = 500) -> FollowUps:
        """What to follow up before the beneficiary asks: expiring documents, decisions, signatures, referrals."""
        if not 0 <= expiring_within_days <= 366:
            raise CaseDeskError("عدد الأيام من 0 إلى 366", field="expiring_within_days")
        if not 0 <= referral_after_days <= 366:
            raise CaseDeskError("عدد الأيام من 0 إلى 366", field="referral_after_days")
        limit = max(1, min(int(limit), 5000))
        now = self._now()
        today = local_date(now)
        open_statuses = tuple(s for s in STUDY_STATUSES | DECIDED_STATUSES)
        status_list = ", ".join(f"'{s}'" for s in sorted(open_statuses))
        head = (
            'SELECT c.id AS case_id, c.case_number, b.full_name, b.mobile, {extra} FROM {source} '
            'LEFT JOIN beneficiary AS b ON b.id = c.beneficiary_id '
        )
        with self._db.session(read_only=True) as session:
            documents = session.execute(text(
                head.format(extra="d.name AS what, d.valid_until AS since",
                            source='required_document AS d JOIN "case" AS c ON c.id = d.case_id')
                + "WHERE d.valid_until >= :today AND d.valid_until <= :until AND d.deleted_at IS NULL "
                f"AND c.deleted_at IS NULL AND c.status IN ({status_list}) ORDER BY d.valid_until LIMIT :limit"
            ), {"today": today.isoformat(), "until": (today + timedelta(days=expiring_within_days)).isoformat(),
                "limit": limit}).all()
            ids = session.execute(text(
                'SELECT c.id AS case_id, c.case_number, b.full_name, b.mobile, b.id_kind AS what, '
                'b.id_expiry AS since FROM beneficiary AS b JOIN "case" AS c ON c.beneficiary_id = b.id '
                "WHERE b.id_expiry >= :today AND b.id_expiry <= :until AND b.deleted_at IS NULL "
                f"AND c.deleted_at IS NULL AND c.status IN ({status_list}) ORDER BY b.id_expiry LIMIT :limit"
            ), {"today": today.isoformat(), "until": (today + timedelta(days=expiring_within_days)).isoformat(),
                "limit": limit}).all()
            overdue = session.execute(text(
                head.format(extra="c.promised_decision_date AS since", source='"case" AS c')
                + "WHERE c.status = :status AND c.promised_decision_date < :today AND c.deleted_at IS NULL "
                "ORDER BY c.promised_decision_date LIMIT :limit"
            ), {"status": CaseStatus.AWAITING_COMMITTEE.value, "today": today.isoformat(), "limit": limit}).all()
            due = session.execute(text(
                head.format(extra="c.promised_decision_date AS since", source='"case" AS c')
                + "WHERE c.status = :status AND c.promised_decision_date >= :today "
                "AND c.promised_decision_date <= :week AND c.deleted_at IS NULL "
                "ORDER BY c.promised_decision_date LIMIT :limit"
            ), {"status": CaseStatus.AWAITING_COMMITTEE.value, "today": today.isoformat(),
                "week": (today + timedelta(days=6)).isoformat(), "limit": limit}).all()
            signatures = session.execute(text(
                head.format(extra="coalesce(c.submitted_at, c.created_at) AS since", source='"case" AS c')
                + f"WHERE c.status IN ({status_list}) AND c.signature_pending = 1 AND c.deleted_at IS NULL "
                "ORDER BY since LIMIT :limit"
            ), {"limit": limit}).all()
            # A referral's time is its audit event's when there is one (the row's created_at is the PC clock).
            referrals = session.execute(text(
                head.format(extra="r.note AS what, coalesce(a.at, r.created_at) AS since, r.to_role AS role, "
                                  "c.policy_version_id",
                            source='referral AS r JOIN "case" AS c ON c.id = r.case_id '
                                   "LEFT JOIN audit_event AS a ON a.entity = 'referral' AND a.entity_id = r.id "
                                   "AND a.action = 'referred'")
                + "WHERE r.answered_at IS NULL AND r.deleted_at IS NULL AND coalesce(a.at, r.created_at) <= :before "
                "AND c.deleted_at IS NULL AND c.status = :status ORDER BY since LIMIT :limit"
            ), {"before": (now - timedelta(days=referral_after_days)).astimezone(UTC).replace(tzinfo=None)
                .isoformat(sep=" ", timespec="microseconds"),
                "status": CaseStatus.REFERRED.value, "limit": limit}).all()
            referral_rows = []
            for row in referrals:
                profile = self._profile_of(session, as_uuid(row.policy_version_id))
                referral_rows.append((row, role_name(profile, row.role)))

        def make(kind: str, row: Any, what: str, since: date | None, days: int) -> FollowUpRow:
            return FollowUpRow(kind, as_uuid(row.case_id), row.case_number, row.full_name or "",
                               mobile_local(row.mobile), what, since, dual(since), days)

        doc_rows = [
            make("document_expiring", r, f"تنتهي صلاحية «{r.what}» بعد {days_text((as_date(r.since) - today).days)}"
                 if (as_date(r.since) - today).days else f"تنتهي صلاحية «{r.what}» اليوم",
                 as_date(r.since), (as_date(r.since) - today).days)
            for r in documents
        ]
        for r in ids:
            left = (as_date(r.since) - today).days
            label = "الهوية الوطنية" if r.what == "national_id" else "الإقامة" if r.what == "iqama" else "وثيقة الهوية"
            doc_rows.append(make("document_expiring", r, f"تنتهي صلاحية {label} بعد {days_text(left)}" if left
                                 else f"تنتهي صلاحية {label} اليوم", as_date(r.since), left))
        doc_rows.sort(key=lambda f: (f.days, f.case_number))
        return FollowUps(
            documents_expiring=tuple(doc_rows[:limit]),
            decisions_overdue=tuple(
                make("decision_overdue", r, f"تأخر قرار اللجنة {days_text((today - as_date(r.since)).days)} عن الموعد",
                     as_date(r.since), (today - as_date(r.since)).days)
                for r in overdue
            ),
            decisions_due_this_week=tuple(
                make("decision_due", r, countdown_text((as_date(r.since) - today).days),
                     as_date(r.since), (as_date(r.since) - today).days)
                for r in due
            ),
            signatures_pending=tuple(
                make("signature_pending", r, "الإقرار لم يوقَّع بعد (التوقيع مؤجل)",
                     local_date(as_datetime(r.since)), (today - local_date(as_datetime(r.since))).days)
                for r in signatures
            ),
            referrals_unanswered=tuple(
                make("referral_unanswered", r, f"إحالة إلى {role} بلا رد منذ "
                     f"{days_text((today - local_date(as_datetime(r.since))).days)}",
                     local_date(as_datetime(r.since)), (today - local_date(as_datetime(r.since))).days)
                for r, role in referral_rows
            ),
            as_of=today,
            as_of_text=dual(today),
        )
