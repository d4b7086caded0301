"""Gender: the declaration, the receipt, the decision letter and its message address a woman as a woman, a man as
a man (read back from the PDFs by pdftotext), and the particulars refuse a gender not chosen."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from desktop.casedesk import CommitteeService
from desktop.gender import gendered, mark_problem, resolve_marks
from desktop.reception import ReceptionError, ReceptionService, check_particulars

from .conftest import committee_decides, documents, needs_poppler, particulars, pdf_text, signature_png

WOMAN = "نورة محمد عبد الرحمن القحطاني"
#: The words each document uses of the beneficiary: (masculine, feminine); the other form must not appear.
ADDRESS = {
    "declaration": [("بيانات مقدم الإقرار", "بيانات مقدمة الإقرار"), ("أقر أنا الموقع أدناه", "أقر أنا الموقعة أدناه")],
    "receipt": [("اسم المستفيد", "اسم المستفيدة")],
    "decision_letter": [("المكرم", "المكرمة"), ("المحترم", "المحترمة"), ("اسم المستفيد", "اسم المستفيدة")],
}


def _has_word(text: str, word: str) -> bool:
    """`word` stands in `text` as written, not as the start of a longer word («المحترم» is not in «المحترمة»)."""
    return re.search(re.escape(word) + r"(?![\u0600-\u06FF])", text) is not None


def _decided_case(service: ReceptionService, gender: str) -> uuid.UUID:
    name = WOMAN if gender == "female" else "عبد الله محمد عبد الرحمن القحطاني"
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(full_name=name, gender=gender), documents())
    service.skip_step(view.case_id, "referral", "لا حاجة")
    service.sign_declaration(view.case_id, signature_png())
    service.notify_committee(view.case_id)
    committee_decides(service, view.case_id, "accept")
    return view.case_id


@needs_poppler
@pytest.mark.parametrize("gender", ["female", "male"])
def test_documents_address_the_beneficiary_in_their_gender(service: ReceptionService, tmp_path: Path,
                                                           gender: str) -> None:
    """Every gendered word of the declaration, receipt and decision letter is in the beneficiary's gender."""
    case_id = _decided_case(service, gender)
    for kind, pairs in ADDRESS.items():
        out = tmp_path / f"{kind}.pdf"
        if kind == "decision_letter":
            pdf = CommitteeService(service._workspace).decision_letter(case_id)  # noqa: SLF001 - the same workspace
        else:
            pdf = service.render_document(case_id, kind)
        out.write_bytes(pdf)
        words = pdf_text(out)
        for masculine, feminine in pairs:
            wanted, unwanted = (feminine, masculine) if gender == "female" else (masculine, feminine)
            assert _has_word(words, wanted), (kind, wanted)
            assert not _has_word(words, unwanted), (kind, unwanted)


@pytest.mark.parametrize(("gender", "greeting"), [("female", "المكرمة/ "), ("male", "المكرم/ ")])
def test_the_decision_message_greets_in_the_beneficiary_gender(service: ReceptionService, gender: str,
                                                               greeting: str) -> None:
    """The SMS/WhatsApp text (and so its links) greets «المكرمة/» a woman and «المكرم/» a man."""
    case_id = _decided_case(service, gender)
    notice = CommitteeService(service._workspace).notification(case_id)  # noqa: SLF001 - the same workspace
    assert greeting in notice.text
    other = "المكرم/ " if gender == "female" else "المكرمة/ "
    assert other not in notice.text
    assert notice.whatsapp_url is not None and notice.sms_url is not None


def test_a_gender_must_be_chosen(service: ReceptionService) -> None:
    """No gender (or another value) is refused by the one check, and so by the service, with the Arabic reason."""
    from datetime import date

    for chosen in ("", "x"):
        problems = check_particulars(particulars(gender=chosen), today=date(2025, 1, 1))
        assert isinstance(problems, list) and problems[0][0] == "gender" and "ذكر أو أنثى" in problems[0][1]
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    with pytest.raises(ReceptionError) as refused:
        service.complete_verify(view.case_id, particulars(gender=""), documents())
    assert refused.value.field == "gender"


def test_a_correction_changes_the_gender_and_the_declaration_follows(service: ReceptionService) -> None:
    """The gender is corrected like any particular; the declaration then addresses the corrected gender."""
    case_id = _decided_case(service, "male")
    result = service.correct_particulars(case_id, particulars(gender="female"), "اختير الجنس خطأً")
    assert [(c.field, c.old, c.new) for c in result.changes] == [("gender", "ذكر", "أنثى")]


def test_marks_are_resolved_and_unknown_gender_keeps_both_forms() -> None:
    """«{الموقع|الموقعة}» gives one form per gender, both for a gender never recorded; «{{…}}» stays literal."""
    text = "أقر أنا {الموقع|الموقعة} أدناه {{حرفي|نص}}"
    assert resolve_marks(text, "female") == "أقر أنا الموقعة أدناه {{حرفي|نص}}"
    assert resolve_marks(text, "male") == "أقر أنا الموقع أدناه {{حرفي|نص}}"
    assert resolve_marks(text, None) == "أقر أنا الموقع/الموقعة أدناه {{حرفي|نص}}"
    assert gendered("المكرم", "المكرمة", "female") == "المكرمة"
    for bad in ("{الموقع|}", "{|الموقعة}", "{أ|ب|ج}", "{الموقع|الموقع}"):
        problem = mark_problem(f"نص {bad} نص")
        assert problem is not None and bad in problem and "{المذكر|المؤنث}" in problem
    assert mark_problem(text) is None
