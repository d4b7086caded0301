"""Suggestions and complaints: received on any channel, routed, answered, closed, with their own due dates."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from desktop.casedesk import CaseDeskError, SuggestionInput

from ._factory import Desk, desk  # noqa: F401 - fixture


def test_lifecycle_of_a_complaint_linked_to_a_case(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.received())
    number = desk.service.files.case_file(case_id).case_number
    today = desk.clock.now.date()
    complaint = desk.service.suggestions.receive_suggestion(SuggestionInput("complaint", "phone", "تأخر الرد على طلبي",
                                                                case_number=number))
    assert (complaint.status, complaint.kind_label, complaint.channel_name) == ("open", "شكوى", "الاتصالات الهاتفية")
    assert complaint.due_date == today + timedelta(days=5) and complaint.days_left == 5
    assert complaint.case_id == case_id and complaint.beneficiary_name
    routed = desk.service.suggestions.route_suggestion(complaint.suggestion_id, "manager", "للمتابعة العاجلة")
    assert (routed.status, routed.routed_to, routed.routed_to_label) == ("in_progress", "manager", "المدير")
    desk.clock.advance(days=6)
    assert desk.service.suggestions.suggestions(status="in_progress")[0].overdue
    answered = desk.service.suggestions.answer_suggestion(complaint.suggestion_id, "تم التواصل مع المستفيد وإنهاء طلبه")
    assert answered.status == "answered" and not answered.overdue and answered.response.startswith("تم التواصل")
    closed = desk.service.suggestions.close_suggestion(complaint.suggestion_id)
    assert closed.status == "closed" and closed.closed_at is not None and closed.days_left is None
    assert [h.action for h in closed.history] == ["received", "routed", "answered", "closed"]
    assert all(h.by for h in closed.history)
    with pytest.raises(CaseDeskError):
        desk.service.suggestions.answer_suggestion(complaint.suggestion_id, "مرة أخرى")
    timeline = desk.service.files.timeline(case_id)
    assert any(e.kind == "suggestion" and "تأخر الرد" in e.detail for e in timeline)


def test_defaults_filters_and_refusals(desk: Desk) -> None:  # noqa: F811
    today = desk.clock.now.date()
    suggestion = desk.service.suggestions.receive_suggestion(SuggestionInput("suggestion", "website", "إضافة خدمة الحجز عن بعد"))
    assert suggestion.due_date == today + timedelta(days=14) and suggestion.beneficiary_id is None
    custom = desk.service.suggestions.receive_suggestion(SuggestionInput("complaint", "letters", "شكوى مكتوبة", due="2025/11/04"))
    assert custom.due_date is not None and custom.due_date.isoformat() == "2025-11-04"
    assert [s.kind for s in desk.service.suggestions.suggestions(kind="complaint")] == ["complaint"]
    assert [s.suggestion_id for s in desk.service.suggestions.suggestions()] == [custom.suggestion_id, suggestion.suggestion_id]
    for bad in (
        SuggestionInput("praise", "phone", "نص"),
        SuggestionInput("complaint", "pigeon", "نص"),
        SuggestionInput("complaint", "phone", "   "),
        SuggestionInput("complaint", "phone", "نص", case_number="NOPE-1447-000009"),
        SuggestionInput("complaint", "phone", "نص", due="2020/01/01"),
    ):
        with pytest.raises(CaseDeskError):
            desk.service.suggestions.receive_suggestion(bad)
    with pytest.raises(CaseDeskError):
        desk.service.suggestions.route_suggestion(suggestion.suggestion_id, "nobody", "ملاحظة")
    with pytest.raises(CaseDeskError) as refused:
        desk.service.suggestions.close_suggestion(suggestion.suggestion_id)
    assert "سبب الإغلاق" in refused.value.message_ar
    closed = desk.service.suggestions.close_suggestion(suggestion.suggestion_id, "مكرر")
    assert closed.status_label == "مغلق"
    with pytest.raises(CaseDeskError):
        desk.service.suggestions.route_suggestion(uuid.uuid4(), "manager", "ملاحظة")
