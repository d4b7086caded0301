"""Suggestions and complaints: received on a channel of the policy, routed, answered, closed.

Due in `SUGGESTION_DUE_DAYS` unless another date is given — a complaint in 5 days (a beneficiary waits on a
service that went wrong), a suggestion in 14 (studied for improvement, the period the policies give the
committee). Each step (received / routed / answered / closed) is a `SuggestionEvent` and an audit event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Beneficiary, Case, Suggestion, SuggestionEvent, SuggestionKind, SuggestionStatus
from desktop.arabic_text import identifier_text
from desktop.audit import record_audit
from desktop.casedesk.common import (
    SUGGESTION_KIND_LABELS,
    case_number_typed,
    channel_name,
    clean_input,
    dual,
    moment_text,
    parse_typed_date,
    user_names,
)
from desktop.casedesk.service import CaseDeskWork
from desktop.casedesk.views import (
    SUGGESTION_ROUTES,
    CaseDeskError,
    SuggestionEventView,
    SuggestionInput,
    SuggestionView,
)
from desktop.hijri import local_date
from desktop.permissions import Action, guarded

__all__ = ["SUGGESTION_DUE_DAYS", "SuggestionService"]

#: Default due dates of suggestions and complaints, in days from receipt (see the module docstring).
SUGGESTION_DUE_DAYS: dict[str, int] = {SuggestionKind.COMPLAINT.value: 5, SuggestionKind.SUGGESTION.value: 14}
_SUGGESTION_ACTIONS: dict[str, str] = {
    "received": "استُلم",
    "routed": "أُحيل",
    "answered": "أُجيب",
    "closed": "أُغلق",
}
_SUGGESTION_STATUS_LABELS: dict[str, str] = {
    SuggestionStatus.OPEN.value: "جديد",
    SuggestionStatus.IN_PROGRESS.value: "قيد المتابعة",
    SuggestionStatus.ANSWERED.value: "تم الرد",
    SuggestionStatus.CLOSED.value: "مغلق",
}


class SuggestionService(CaseDeskWork):
    """Suggestions and complaints of beneficiaries and how each was followed up."""

    @guarded(Action.SUGGESTIONS)
    def suggestions(self, *, status: str | None = None, kind: str | None = None) -> tuple[SuggestionView, ...]:
        """Suggestions and complaints, open ones first, earliest due first."""
        with self._db.session(read_only=True) as session:
            statement = select(Suggestion).where(Suggestion.deleted_at.is_(None))
            if status:
                statement = statement.where(Suggestion.status == status)
            if kind:
                statement = statement.where(Suggestion.kind == kind)
            rows = session.scalars(statement.limit(5000)).all()
            views = self._suggestion_views(session, rows)
        order = {SuggestionStatus.OPEN.value: 0, SuggestionStatus.IN_PROGRESS.value: 0,
                 SuggestionStatus.ANSWERED.value: 1, SuggestionStatus.CLOSED.value: 2}
        return tuple(sorted(views, key=lambda v: (order.get(v.status, 1), v.due_date or date.max, v.received_at)))

    @guarded(Action.SUGGESTIONS)
    def receive_suggestion(self, s: SuggestionInput) -> SuggestionView:
        """Receive a suggestion or complaint on a channel of the policy, with its due date (default by kind)."""
        if s.kind not in SUGGESTION_DUE_DAYS:
            raise CaseDeskError("النوع: اقتراح أو شكوى", field="kind")
        body = clean_input(s.text, limit="suggestion", field="text", required="اكتب نص الاقتراح أو الشكوى")
        due = parse_typed_date(s.due, field="due", what="تاريخ الاستحقاق")
        number = case_number_typed(s.case_number)
        profile = self._workspace.active_profile()
        if profile is None:
            raise CaseDeskError("لم تُعتمد سياسة الجمعية على هذا الجهاز بعد: اختر السياسة أولًا", field="policy")
        if s.channel_id not in {channel.id for channel in profile.channels}:
            raise CaseDeskError("قناة الاستلام غير موجودة في سياسة الجمعية", field="channel")
        now = self._now()
        today = local_date(now)
        if due is not None and due < today:
            raise CaseDeskError("تاريخ الاستحقاق في الماضي", field="due")
        with self._db.session() as session:
            association = self._association(session)
            officer_id, officer_name = self._officer_row(session, association.id)
            case = None
            if number:
                case = session.scalars(select(Case).where(Case.case_number == number, Case.deleted_at.is_(None))).first()
                if case is None:
                    raise CaseDeskError(f"لا يوجد طلب بالرقم {identifier_text(number)}", field="case_number")
            beneficiary_id = s.beneficiary_id
            if beneficiary_id is not None:
                found = session.get(Beneficiary, beneficiary_id)
                if found is None or found.deleted_at is not None:
                    raise CaseDeskError("ملف المستفيد غير موجود", field="beneficiary")
                if case is not None and case.beneficiary_id not in (None, beneficiary_id):
                    raise CaseDeskError("الطلب المذكور لمستفيد آخر", field="case_number")
            elif case is not None:
                beneficiary_id = case.beneficiary_id
            device_id = self._device_id(session)
            row = Suggestion(
                association_id=association.id, kind=s.kind, channel_id=s.channel_id, beneficiary_id=beneficiary_id,
                text=body, status=SuggestionStatus.OPEN.value,
                due_date=due or today + timedelta(days=SUGGESTION_DUE_DAYS[s.kind]),
                device_id=device_id, updated_by=officer_id,
            )
            session.add(row)
            self._suggestion_event(session, row, "received", officer_id, device_id, now, case_id=case.id if case else None)
            self._suggestion_audit(session, row, "suggestion_received", officer_id, device_id, now,
                                   {"kind": s.kind, "channel_id": s.channel_id})
            session.flush()
            return self._suggestion_views(session, [row])[0]

    @guarded(Action.SUGGESTIONS)
    def route_suggestion(self, suggestion_id: uuid.UUID, to_role: str, note: str) -> SuggestionView:
        """Route a suggestion or complaint to a role (officer, researcher, committee, manager, admin), with a note."""
        if to_role not in SUGGESTION_ROUTES:
            raise CaseDeskError("الجهة المحال إليها غير معروفة", field="to_role")
        cleaned = clean_input(note, limit="note", field="note", required="اكتب ملاحظة الإحالة")

        def act(session: Session, row: Suggestion, officer_id: uuid.UUID, device_id: uuid.UUID | None,
                now: datetime) -> None:
            if row.status == SuggestionStatus.OPEN.value:
                row.status = SuggestionStatus.IN_PROGRESS.value
            self._suggestion_event(session, row, "routed", officer_id, device_id, now, to_role=to_role, note=cleaned)

        return self._suggestion_action(suggestion_id, "suggestion_routed", {"to_role": to_role}, act)

    @guarded(Action.SUGGESTIONS)
    def answer_suggestion(self, suggestion_id: uuid.UUID, response: str) -> SuggestionView:
        """Record the answer given to the beneficiary (a later answer replaces the text; both stay in the history)."""
        cleaned = clean_input(response, limit="response", field="response", required="اكتب الرد")

        def act(session: Session, row: Suggestion, officer_id: uuid.UUID, device_id: uuid.UUID | None,
                now: datetime) -> None:
            row.response = cleaned
            row.status = SuggestionStatus.ANSWERED.value
            self._suggestion_event(session, row, "answered", officer_id, device_id, now, note=cleaned)

        return self._suggestion_action(suggestion_id, "suggestion_answered", {}, act)

    @guarded(Action.SUGGESTIONS)
    def close_suggestion(self, suggestion_id: uuid.UUID, note: str = "") -> SuggestionView:
        """Close a suggestion or complaint; without an answer, a note saying why is required."""
        cleaned = clean_input(note, limit="note", field="note")

        def act(session: Session, row: Suggestion, officer_id: uuid.UUID, device_id: uuid.UUID | None,
                now: datetime) -> None:
            if not row.response and not cleaned:
                raise CaseDeskError("لم يُسجَّل رد بعد: اكتب سبب الإغلاق دون رد", field="note")
            row.status = SuggestionStatus.CLOSED.value
            row.closed_at = now
            self._suggestion_event(session, row, "closed", officer_id, device_id, now, note=cleaned)

        return self._suggestion_action(suggestion_id, "suggestion_closed", {}, act)

    def _suggestion_action(
        self, suggestion_id: uuid.UUID, action: str, details: Mapping[str, Any],
        act: Callable[[Session, Suggestion, uuid.UUID, uuid.UUID | None, datetime], None],
    ) -> SuggestionView:
        with self._db.session() as session:
            row = session.get(Suggestion, suggestion_id)
            if row is None or row.deleted_at is not None:
                raise CaseDeskError("الاقتراح أو الشكوى غير موجود", field="suggestion")
            if row.status == SuggestionStatus.CLOSED.value:
                raise CaseDeskError("أُغلق هذا الاقتراح أو الشكوى من قبل", field="suggestion")
            officer_id, _ = self._officer_row(session, row.association_id)
            device_id = self._device_id(session)
            now = self._now()
            act(session, row, officer_id, device_id, now)
            row.updated_by = officer_id
            self._suggestion_audit(session, row, action, officer_id, device_id, now, details)
            session.flush()
            return self._suggestion_views(session, [row])[0]

    @staticmethod
    def _suggestion_event(session: Session, row: Suggestion, action: str, officer_id: uuid.UUID,
                          device_id: uuid.UUID | None, now: datetime, *, to_role: str | None = None,
                          note: str = "", case_id: uuid.UUID | None = None) -> None:
        session.add(SuggestionEvent(
            suggestion_id=row.id, action=action, to_role=to_role, note=note or None, case_id=case_id,
            actor_id=officer_id, at=now, device_id=device_id, updated_by=officer_id,
        ))

    @staticmethod
    def _suggestion_audit(session: Session, row: Suggestion, action: str, officer_id: uuid.UUID,
                          device_id: uuid.UUID | None, now: datetime, details: Mapping[str, Any]) -> None:
        record_audit(
            session, association_id=row.association_id, actor_id=officer_id, action=action, entity="suggestion",
            entity_id=row.id, at=now, details=dict(details), device_id=device_id,
        )

    def _suggestion_views(self, session: Session, rows: Sequence[Suggestion]) -> list[SuggestionView]:
        session.flush()
        if not rows:
            return []
        ids = [row.id for row in rows]
        events: dict[uuid.UUID, list[SuggestionEvent]] = {row.id: [] for row in rows}
        for event in session.scalars(
            select(SuggestionEvent).where(SuggestionEvent.suggestion_id.in_(ids), SuggestionEvent.deleted_at.is_(None))
            .order_by(SuggestionEvent.at, SuggestionEvent.id)
        ):
            events[event.suggestion_id].append(event)
        names = user_names(session, [e.actor_id for evs in events.values() for e in evs])
        beneficiaries = {
            b.id: b.full_name for b in session.execute(
                select(Beneficiary.id, Beneficiary.full_name)
                .where(Beneficiary.id.in_({row.beneficiary_id for row in rows if row.beneficiary_id}))
            )
        }
        case_ids = {e.case_id for evs in events.values() for e in evs if e.case_id}
        cases = {
            c.id: c.case_number for c in session.execute(select(Case.id, Case.case_number).where(Case.id.in_(case_ids)))
        } if case_ids else {}
        profile = self._workspace.active_profile()
        today = self._today()
        views = []
        for row in rows:
            history = events[row.id]
            received = history[0].at if history else row.created_at
            case_id = next((e.case_id for e in history if e.case_id), None)
            routed = next((e.to_role for e in reversed(history) if e.action == "routed"), None)
            open_ = row.status != SuggestionStatus.CLOSED.value
            days_left = (row.due_date - today).days if row.due_date and open_ else None
            answered = row.status in (SuggestionStatus.ANSWERED.value, SuggestionStatus.CLOSED.value)
            views.append(SuggestionView(
                suggestion_id=row.id,
                kind=row.kind,
                kind_label=SUGGESTION_KIND_LABELS.get(row.kind, row.kind),
                channel_id=row.channel_id,
                channel_name=channel_name(profile, row.channel_id) if profile and row.channel_id else (row.channel_id or ""),
                text=row.text,
                status=row.status,
                status_label=_SUGGESTION_STATUS_LABELS.get(row.status, row.status),
                beneficiary_id=row.beneficiary_id,
                beneficiary_name=beneficiaries.get(row.beneficiary_id, "") if row.beneficiary_id else "",
                case_id=case_id,
                case_number=cases.get(case_id, "") if case_id else "",
                received_at=received,
                received_text=moment_text(received),
                due_date=row.due_date,
                due_text=dual(row.due_date),
                days_left=days_left,
                overdue=days_left is not None and days_left < 0 and not answered,
                routed_to=routed,
                routed_to_label=SUGGESTION_ROUTES.get(routed, routed) if routed else "",
                response=row.response or "",
                closed_at=row.closed_at,
                history=tuple(
                    SuggestionEventView(
                        e.action, _SUGGESTION_ACTIONS.get(e.action, e.action), e.note or "", e.to_role,
                        names.get(e.actor_id) if e.actor_id else None, e.at, moment_text(e.at),
                    )
                    for e in history
                ),
            ))
        return views
