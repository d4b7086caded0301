"""Case file: particulars, documents with validity, promise and countdown, and one timeline of everything."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from desktop.casedesk import CaseDeskError, TimelineEntry
from desktop.reception import DocumentInput

from ._factory import Desk, desk  # noqa: F401 - fixture


def test_case_file_documents_validity_and_promise(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting(documents=[
        DocumentInput("صورة الهوية الوطنية", True, ""),
        DocumentInput("سجل الأسرة", True, "2025/11/20"),  # 18 days after the start
        DocumentInput("عقد الإيجار", True, "2026/06/01"),
    ]))
    desk.clock.advance(days=10)  # 2025-11-12
    case_file = desk.service.files.case_file(case_id)
    assert case_file.status_label == "بانتظار قرار لجنة البحث" and case_file.can_decide
    assert case_file.days_left == 4 and not case_file.overdue
    assert "٢٠٢٥/١١/١٦" in case_file.promised_text and "١٤٤٧" in case_file.promised_text
    assert case_file.beneficiary is not None and case_file.mobile_local == "050 123 4567"
    family = case_file.documents[1]
    assert (family.expired, family.expiring_soon, family.days_left) == (False, True, 8)
    assert not case_file.documents[2].expiring_soon
    desk.clock.advance(days=10)  # 2025-11-22: the family record expired, the decision overdue
    case_file = desk.service.files.case_file(case_id)
    assert case_file.documents[1].expired and case_file.overdue and case_file.days_left == -6
    assert desk.service.files.case_file_by_number(case_file.case_number).case_id == case_id
    with pytest.raises(CaseDeskError):
        desk.service.files.case_file_by_number("NOPE-1447-000001")


def test_the_timeline_holds_everything_newest_first_with_officer_and_time(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.received())
    desk.clock.advance(hours=1)
    desk.reception.refer(case_id, "هل تنطبق الشروط على الأسرة الممتدة؟")
    desk.clock.advance(hours=2)
    desk.reception.answer_referral(case_id, "نعم وفق اللائحة")
    desk.clock.advance(hours=1)
    timeline = desk.service.files.timeline(case_id)
    kinds = [e.kind for e in timeline]
    assert kinds[-1] == "contact" and timeline[-1].channel_name == "المقابلة"
    assert {"contact", "step", "referral", "referral_answer", "audit"} <= set(kinds)
    assert all(a.at >= b.at for a, b in zip(timeline, timeline[1:], strict=False))
    assert all(e.officer_name for e in timeline if e.kind != "survey")
    referral = next(e for e in timeline if e.kind == "referral")
    assert "الأسرة الممتدة" in referral.detail and "١١/٠٢" in referral.at_text
    answer = next(e for e in timeline if e.kind == "referral_answer")
    assert answer.at > referral.at and "١٢:٠٠" in answer.at_text  # 09:00 Riyadh + 3 h


def test_every_pdf_of_the_case_opens_from_the_timeline(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    files = [e for e in desk.service.files.timeline(case_id) if e.attachment_sha256]
    assert {e.document_kind for e in files} == {"declaration", "receipt"}
    for entry in files:
        data = desk.service.files.document_pdf(case_id, entry)
        assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == entry.attachment_sha256
    assert desk.service.files.document_pdf(case_id, "receipt").startswith(b"%PDF")
    other = uuid.UUID(hex=desk.received(name="فهد علي صالح الدوسري"))
    with pytest.raises(CaseDeskError):
        desk.service.files.document_pdf(other, files[0])  # a file of another case
    with pytest.raises(CaseDeskError):
        desk.service.files.document_pdf(case_id, TimelineEntry("x", files[0].at, "", "step", "", "", None))
    with pytest.raises(CaseDeskError):
        desk.service.files.document_pdf(case_id, "passport")
