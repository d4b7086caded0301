"""Eligibility: the administrative document check (valid / invalid / missing), the structured interview, the recommendation."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from desktop.casedesk import (
    CaseDeskError,
    DecisionInput,
    DocumentCheckInput,
    InterviewAnswerInput,
    InterviewInput,
)
from desktop.reception import DocumentInput

from ._factory import Desk, desk, open_desk  # noqa: F401 - fixtures


def test_document_check_states(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.received(documents=[
        DocumentInput("صورة الهوية الوطنية", True, ""),
        DocumentInput("سجل الأسرة", True, "1460/06/01"),
        DocumentInput("عقد الإيجار", False, ""),
    ]))
    view = desk.service.eligibility.eligibility(case_id)
    assert [d.check for d in view.documents] == [None, None, None]
    assert [d.check_label for d in view.documents] == ["لم يُفحص بعد"] * 3
    identity, family, lease = view.documents
    view = desk.service.eligibility.record_document_check(case_id, [
        DocumentCheckInput("valid", document_id=identity.document_id),
        DocumentCheckInput("invalid", document_id=family.document_id, note="الصورة غير واضحة"),
        DocumentCheckInput("missing", document_id=lease.document_id),
    ])
    assert [(d.check, d.provided) for d in view.documents] == [("valid", True), ("invalid", True), ("missing", False)]
    assert view.documents[1].check_note == "الصورة غير واضحة" and view.documents[1].check_label == "غير مقبول"
    assert view.documents_checked_by and not view.documents_complete
    # A partial re-check changes only what was re-checked.
    desk.clock.advance(days=1)
    view = desk.service.eligibility.record_document_check(case_id, [
        DocumentCheckInput("valid", document_id=family.document_id),
        DocumentCheckInput("valid", document_id=lease.document_id, valid_until="2026/11/01"),
    ])
    assert [d.check for d in view.documents] == ["valid", "valid", "valid"]
    assert view.documents[2].valid_until is not None and view.documents[2].provided
    assert view.documents_complete
    timeline = desk.service.files.case_file(case_id).timeline
    assert sum(1 for e in timeline if e.kind == "assessment" and e.title == "الفحص الإداري للمستندات") == 2


def test_a_new_document_by_name_and_refused_checks(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.received())
    view = desk.service.eligibility.record_document_check(case_id, [DocumentCheckInput("missing", name="تعريف بالراتب")])
    assert [d.name for d in view.documents][-1] == "تعريف بالراتب" and view.documents[-1].check == "missing"
    doc = view.documents[0].document_id
    with pytest.raises(CaseDeskError) as refused:
        desk.service.eligibility.record_document_check(case_id, [DocumentCheckInput("invalid", document_id=doc)])
    assert "سبب" in refused.value.message_ar
    with pytest.raises(CaseDeskError):
        desk.service.eligibility.record_document_check(case_id, [DocumentCheckInput("great", document_id=doc)])
    with pytest.raises(CaseDeskError):
        desk.service.eligibility.record_document_check(case_id, [DocumentCheckInput("valid", document_id=uuid.uuid4())])
    with pytest.raises(CaseDeskError) as refused:
        desk.service.eligibility.record_document_check(case_id, [
            DocumentCheckInput("valid", document_id=doc, valid_until="2020/01/01"),
        ])
    assert "انتهت صلاحيته" in refused.value.message_ar
    assert desk.service.eligibility.eligibility(case_id).documents[0].check is None  # nothing of the refused checks stored


def test_the_interview_form_comes_from_the_policy_criteria_and_mechanisms(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.received())
    view = desk.service.eligibility.eligibility(case_id)
    assert [q.source for q in view.questions] == ["criterion", "criterion", "mechanism", "mechanism"]
    assert "المعايير المهنية المعتمدة" in view.questions[1].text
    assert view.questions[3].text.startswith("آلية المقابلة الشخصية")
    assert [m.kind for m in view.mechanisms] == ["administrative_examination", "personal_interview"]
    assert len(view.stages) == 4 and not view.interview_complete
    answers = tuple(InterviewAnswerInput(q.question_id, "met") for q in view.questions[:3])
    view = desk.service.eligibility.record_interview(case_id, InterviewInput(answers, "الأسرة تسكن بالإيجار ودخلها محدود"))
    assert [q.answer for q in view.questions] == ["met", "met", "met", None] and not view.interview_complete
    view = desk.service.eligibility.record_interview(
        case_id, InterviewInput((InterviewAnswerInput(view.questions[3].question_id, "unclear", "يلزم زيارة"),))
    )
    assert view.questions[3].answer_label == "يحتاج إلى تحقق" and view.questions[3].note == "يلزم زيارة"
    assert view.questions[0].answer == "met" and view.interview_complete
    with pytest.raises(CaseDeskError):
        desk.service.eligibility.record_interview(case_id, InterviewInput((InterviewAnswerInput("criterion:99", "met"),)))
    with pytest.raises(CaseDeskError):
        desk.service.eligibility.record_interview(case_id, InterviewInput((InterviewAnswerInput("criterion:1", "yes"),)))
    with pytest.raises(CaseDeskError):
        desk.service.eligibility.record_interview(case_id, InterviewInput(()))


def test_recommendation_needs_a_reason_unless_accepting_and_shows_in_the_queue(desk: Desk) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    with pytest.raises(CaseDeskError):
        desk.service.eligibility.record_recommendation(case_id, "reject", " ")
    view = desk.service.eligibility.record_recommendation(case_id, "more_info", "يلزم صك الإعالة")
    assert view.recommendation is not None and view.recommendation.label == "طلب استكمال معلومات"
    view = desk.service.eligibility.record_recommendation(case_id, "accept", "")
    assert view.recommendation is not None and view.recommendation.recommendation == "accept"
    assert desk.service.committee.committee_queue()[0].recommendation == "accept"
    desk.service.committee.decide(case_id, DecisionInput("accept", "", ("عضو",)))
    assert not desk.service.eligibility.eligibility(case_id).editable
    with pytest.raises(CaseDeskError):
        desk.service.eligibility.record_recommendation(case_id, "reject", "متأخر")


def test_a_policy_without_an_eligibility_section_gets_the_common_mechanisms(
    open_desk: Callable[[str], Desk],  # noqa: F811
) -> None:
    d = open_desk("baraah")
    view = d.reception.start_contact(d.workspace.active_profile().channels[0].id,  # type: ignore[union-attr]
                                     d.workspace.active_profile().case_kinds[0].id)  # type: ignore[union-attr]
    eligibility = d.service.eligibility.eligibility(view.case_id)
    assert [m.mechanism_id for m in eligibility.mechanisms] == ["administrative_examination", "personal_interview"]
    assert len(eligibility.questions) == 4


def test_rescue_reports_have_no_eligibility_study(open_desk: Callable[[str], Desk]) -> None:  # noqa: F811
    d = open_desk("daam-rescue")
    profile = d.workspace.active_profile()
    assert profile is not None
    view = d.reception.start_contact(profile.channels[0].id, profile.case_kinds[0].id)
    with pytest.raises(CaseDeskError):
        d.service.eligibility.record_recommendation(view.case_id, "accept", "")
