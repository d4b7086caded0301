"""Follow-ups on fixed clocks: expiring documents, decisions overdue or due this week, signatures, referrals."""

from __future__ import annotations

import uuid

from desktop.reception import DocumentInput

from ._factory import Desk, desk  # noqa: F401 - fixture


def test_follow_up_lists_on_fixed_clocks(desk: Desk) -> None:  # noqa: F811
    expiring = uuid.UUID(hex=desk.received(name="خالد سعد محمد العتيبي", documents=[
        DocumentInput("سجل الأسرة", True, "2025/11/12"),  # 10 days after the start
        DocumentInput("عقد الإيجار", True, "2026/03/01"),  # beyond 30 days
    ]))
    awaiting = uuid.UUID(hex=desk.awaiting(name="فهد علي صالح الدوسري"))  # promised 2025-11-16
    view = desk.reception.start_contact("phone", "service_request")
    desk.reception.complete_greet(view.case_id)
    desk.reception.complete_verify(view.case_id, desk.particulars(name="سارة أحمد ناصر الشهري"), [])
    desk.reception.skip_step(view.case_id, "referral", "لا حاجة")
    desk.reception.defer_signature(view.case_id, "الطلب بالهاتف")
    referred = uuid.UUID(hex=desk.received(name="نورة عبد العزيز فهد السبيعي"))
    desk.reception.refer(referred, "سؤال عن شروط الدعم")

    desk.clock.advance(days=1)
    now = desk.service.follow_ups.follow_ups()
    assert [(r.case_id, r.days) for r in now.documents_expiring] == [(expiring, 9)]
    assert "سجل الأسرة" in now.documents_expiring[0].what and now.documents_expiring[0].mobile_local
    assert now.decisions_overdue == () and now.decisions_due_this_week == ()
    assert [r.case_id for r in now.signatures_pending] == [view.case_id]
    assert now.referrals_unanswered == ()  # one day: not yet 3

    desk.clock.advance(days=9)  # 2025-11-12: the decision is due in 4 days, the referral 10 days old
    later = desk.service.follow_ups.follow_ups(referral_after_days=3)
    assert [(r.case_id, r.days) for r in later.decisions_due_this_week] == [(awaiting, 4)]
    assert [(r.case_id, r.days) for r in later.referrals_unanswered] == [(referred, 10)]
    assert "بلا رد" in later.referrals_unanswered[0].what
    assert [(r.case_id, r.days) for r in later.documents_expiring] == [(expiring, 0)]

    desk.clock.advance(days=7)  # 2025-11-19: the decision is 3 days late, the family record expired
    late = desk.service.follow_ups.follow_ups(expiring_within_days=120)
    assert [(r.case_id, r.days) for r in late.decisions_overdue] == [(awaiting, 3)]
    assert "تأخر" in late.decisions_overdue[0].what and "٢٠٢٥/١١/١٦" in late.decisions_overdue[0].since_text
    assert [r.what.split("»")[0] for r in late.documents_expiring] == ["تنتهي صلاحية «عقد الإيجار"]
    assert late.total == len(late.documents_expiring) + 1 + len(late.signatures_pending) + 1
