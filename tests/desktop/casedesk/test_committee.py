"""Committee: the queue against the promised date, decisions (letter, timeline, audit, one transaction), concurrency."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, CommitteeDecision, DecisionLetter
from desktop.casedesk import CaseDesk, CaseDeskError, DecisionInput, ServiceInput

from ._factory import Desk, desk  # noqa: F401 - fixture

MEMBERS = ("سعد بن علي الغامدي", "نورة عبد العزيز السبيعي")


def _count(d: Desk, model: type) -> int:
    with d.workspace.db.session(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_decision_produces_the_letter_the_timeline_entry_and_the_audit_event(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    seen = desk.service.files.case_file(case_id)
    desk.clock.advance(days=3)
    result = desk.service.committee.decide(case_id, DecisionInput("reject", "دخل الأسرة أعلى من الحد المعتمد", MEMBERS,
                                                         seen.version))
    assert result.case_file.status == "rejected"
    assert result.decision.label == "رفض الطلب" and result.decision.members == MEMBERS
    assert result.decision.within_promise is True
    data = result.letter_path.read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == result.letter_sha256
    assert desk.service.committee.decision_letter(case_id) == data
    entry = next(e for e in result.case_file.timeline if e.kind == "decision")
    assert entry.attachment_sha256 == result.letter_sha256 and entry.document_kind == "decision_letter"
    assert entry.officer_name and "دخل الأسرة" in entry.detail
    assert desk.service.files.document_pdf(case_id, entry) == data
    assert result.case_file.timeline[0].at == desk.clock.now
    with desk.workspace.db.session(read_only=True) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "committee_decided")).one()
        letter = session.scalars(select(DecisionLetter)).one()
    assert audit.entity_id == case_id and audit.details["letter_sha256"] == result.letter_sha256
    assert audit.details["members"] == list(MEMBERS)
    assert letter.pdf_sha256 == result.letter_sha256


def test_a_case_not_awaiting_a_decision_is_refused_with_the_reason_and_nothing_is_written(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.received())
    with pytest.raises(CaseDeskError) as refused:
        desk.service.committee.decide(case_id, DecisionInput("accept", "", MEMBERS))
    assert "ليس بانتظار قرار اللجنة" in refused.value.message_ar and "مستلم" in refused.value.message_ar
    assert _count(desk, CommitteeDecision) == 0 and _count(desk, DecisionLetter) == 0


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        (DecisionInput("reject", "  ", MEMBERS), "reason"),
        (DecisionInput("more_info", "", MEMBERS), "reason"),
        (DecisionInput("accept", "", ()), "members"),
        (DecisionInput("accept", "", ("  ", "")), "members"),
        (DecisionInput("maybe", "", MEMBERS), "decision"),
        (DecisionInput("more_info", "صك الإعالة", MEMBERS, info_due="1400/01/01"), "info_due"),
    ],
)
def test_bad_decisions_are_refused(desk: Desk, decision: DecisionInput, field: str) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    with pytest.raises(CaseDeskError) as refused:
        desk.service.committee.decide(case_id, decision)
    assert refused.value.field == field and refused.value.message_ar
    assert _count(desk, CommitteeDecision) == 0
    assert desk.service.files.case_file(case_id).status == "awaiting_committee"


def test_two_people_deciding_the_same_case_the_second_is_told_who_and_when(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    other = CaseDesk(desk.workspace, clock=desk.clock)
    version = desk.service.files.case_file(case_id).version
    assert other.files.case_file(case_id).version == version
    desk.service.committee.decide(case_id, DecisionInput("accept", "", MEMBERS, version))
    with pytest.raises(CaseDeskError) as refused:
        other.committee.decide(case_id, DecisionInput("reject", "سبب", MEMBERS, version))
    message = refused.value.message_ar
    assert "سبق أن قررت اللجنة" in message and "قبول الطلب" in message
    assert desk.workspace.officer_name() in message or "سجّله" in message
    assert "٢٠٢٥/١١/٠٢" in message
    assert _count(desk, CommitteeDecision) == 1
    assert desk.service.files.case_file(case_id).status == "accepted"


def test_a_stale_version_is_refused_even_while_the_case_still_awaits(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    version = desk.service.files.case_file(case_id).version
    desk.service.committee.decide(case_id, DecisionInput("more_info", "صك الإعالة", MEMBERS, version))
    desk.service.committee.resubmit_to_committee(case_id, "أُحضر صك الإعالة")
    with pytest.raises(CaseDeskError) as refused:
        desk.service.committee.decide(case_id, DecisionInput("accept", "", MEMBERS, version))
    assert refused.value.field == "expected_version"
    fresh = desk.service.files.case_file(case_id)
    assert desk.service.committee.decide(case_id, DecisionInput("accept", "", MEMBERS, fresh.version)).case_file.status == "accepted"


def test_more_info_has_a_deadline_and_the_case_comes_back_to_the_queue(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    result = desk.service.committee.decide(case_id, DecisionInput("more_info", "صك الإعالة وعقد الإيجار", MEMBERS))
    assert result.case_file.status == "more_info_requested"
    assert result.decision.info_due is not None and (result.decision.info_due - desk.clock.now.date()).days == 14
    assert desk.service.committee.committee_queue() == ()
    with pytest.raises(CaseDeskError):
        desk.service.committee.resubmit_to_committee(case_id, "")
    back = desk.service.committee.resubmit_to_committee(case_id, "أُحضر صك الإعالة")
    assert back.status == "awaiting_committee" and back.can_decide
    assert [row.case_id for row in desk.service.committee.committee_queue()] == [case_id]


def test_the_queue_is_sorted_by_promised_date_with_countdown_and_overdue_flags(desk: Desk) -> None:  # noqa: F811
    first = uuid.UUID(hex=desk.awaiting(name="خالد سعد محمد العتيبي"))  # promised 2025-11-16
    desk.clock.advance(days=5)
    second = uuid.UUID(hex=desk.awaiting(name="فهد علي صالح الدوسري"))  # promised 2025-11-21
    desk.clock.advance(days=3)
    third = uuid.UUID(hex=desk.awaiting(name="سارة أحمد ناصر الشهري"))  # promised 2025-11-24
    desk.clock.advance(days=10)  # today 2025-11-20
    rows = desk.service.committee.committee_queue()
    assert [r.case_id for r in rows] == [first, second, third]
    assert [r.days_left for r in rows] == [-4, 1, 4]
    assert [r.overdue for r in rows] == [True, False, False]
    assert [r.due_this_week for r in rows] == [False, True, True]
    assert rows[0].countdown_text == "متأخر ٤ أيام" and rows[1].countdown_text == "باقٍ يوم واحد"
    assert rows[0].beneficiary_name == "خالد سعد محمد العتيبي" and rows[0].mobile_local
    summary = desk.service.committee.committee_queue_summary()
    assert (summary.total, summary.overdue, summary.due_this_week) == (3, 1, 2)
    assert [r.case_id for r in desk.service.committee.committee_queue(limit=2, offset=1)] == [second, third]
    desk.service.committee.decide(first, DecisionInput("accept", "", MEMBERS))
    assert [r.case_id for r in desk.service.committee.committee_queue()] == [second, third]
    decided = desk.service.files.case_file(first).decision
    assert decided is not None and decided.within_promise is False


def test_notification_text_link_and_the_informed_record(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    with pytest.raises(CaseDeskError):
        desk.service.committee.notification(case_id)
    desk.service.committee.decide(case_id, DecisionInput("accept", "", MEMBERS))
    note = desk.service.committee.notification(case_id)
    number = desk.service.files.case_file(case_id).case_number
    assert number in note.text and "قبول" in note.text and "جمعية مفاتيح الخير الأسرية" in note.text
    assert note.whatsapp_url is not None and note.whatsapp_url.startswith("https://wa.me/966501234567?text=")
    assert note.phone == "+966501234567" and note.phone_local == "050 123 4567"
    with pytest.raises(CaseDeskError):
        desk.service.committee.record_informed(case_id, "pigeon")
    case_file = desk.service.committee.record_informed(case_id, "whatsapp", "أُرسلت الرسالة")
    assert [(i.how, i.how_label) for i in case_file.informed] == [("whatsapp", "واتساب")]
    assert any(e.kind == "notice" and "واتساب" in e.title for e in case_file.timeline)


def test_services_only_on_accepted_cases(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    service = ServiceInput("دعم مالي", amount="1500")
    with pytest.raises(CaseDeskError) as refused:
        desk.service.delivery.record_service(case_id, service)
    assert "المقبولة" in refused.value.message_ar
    assert desk.service.files.case_file(case_id).can_serve is False
    desk.service.committee.decide(case_id, DecisionInput("accept", "", MEMBERS))
    with pytest.raises(CaseDeskError) as refused:
        desk.service.delivery.record_service(case_id, service)
    assert "التسجيل" in refused.value.message_ar
    desk.reception.complete_register(case_id)
    with pytest.raises(CaseDeskError):
        desk.service.delivery.record_service(case_id, ServiceInput("دعم مالي"))
    with pytest.raises(CaseDeskError):
        desk.service.delivery.record_service(case_id, ServiceInput("دعم مالي", amount="abc"))
    case_file = desk.service.delivery.record_service(case_id, service)
    assert case_file.status == "served" and case_file.services[0].amount_text == "\u2068١٬٥٠٠\u2069 ريال"
    again = desk.service.delivery.record_service(case_id, ServiceInput("سلة غذائية", in_kind="سلة غذائية شهرية"))
    assert len(again.services) == 2 and again.services[0].in_kind
    view = desk.reception.case(case_id)
    assert view.current_step_id is None and all(s.status in ("done", "skipped") for s in view.steps)


def test_close_a_rejected_case_with_a_reason(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    desk.service.committee.decide(case_id, DecisionInput("reject", "لا تنطبق الشروط", MEMBERS))
    with pytest.raises(CaseDeskError):
        desk.service.delivery.close_case(case_id, "")
    closed = desk.service.delivery.close_case(case_id, "أُبلغ المستفيد بالرفض")
    assert closed.status == "closed" and closed.closed_at is not None and not closed.can_close
    assert any(e.title == "إغلاق الطلب" and "أُبلغ" in e.detail for e in closed.timeline)
    with pytest.raises(CaseDeskError):
        desk.service.delivery.close_case(case_id, "مرة أخرى")
