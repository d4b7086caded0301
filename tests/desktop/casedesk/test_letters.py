"""The decision letter PDF (qpdf, pdftotext in logical order), the notification text and link, `pdf letter` CLI."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest

from desktop.casedesk import DecisionInput
from desktop.cli import EXIT_INVALID, EXIT_OK, main
from desktop.documents.forms import Letterhead
from desktop.documents.letters import DecisionLetter, notification_text, render_decision_letter, whatsapp_link

from ._factory import NAME, Desk, desk, needs_poppler, pdf_text, qpdf_ok  # noqa: F401 - fixture

LONG_REASON = (
    "لم يتضح من المستندات المقدمة مصدر دخل الأسرة الحالي، ولم يُرفق صك الإعالة أو ما يثبت عدد أفراد الأسرة "
    "المقيمين مع المستفيد. نأمل إرفاق تعريف بالراتب أو شهادة من التأمينات الاجتماعية، وصورة سجل الأسرة محدّثة، "
    "وعقد الإيجار الساري الموثق في منصة إيجار رقم 2025-0000123."
) * 2


@needs_poppler
@pytest.mark.parametrize("decision", ["accept", "reject", "more_info"])
def test_letter_pdf_is_valid_and_reads_in_logical_order(tmp_path: Path, decision: str) -> None:
    letter = DecisionLetter(
        beneficiary_name=NAME, id_number="1000000016", case_number="A1F3-1447-000123",
        submitted_on=date(2025, 11, 2), decided_on=date(2025, 11, 12), decision=decision,
        reason="" if decision == "accept" else LONG_REASON, members=("سعد بن علي الغامدي", "نورة السبيعي"),
        secretary_name="فهد سليمان الدوسري", info_due=date(2025, 11, 26) if decision == "more_info" else None,
    )
    pdf = render_decision_letter(letterhead=Letterhead("جمعية مفاتيح الخير الأسرية", licence="1000651200"),
                                 letter=letter)
    assert pdf == render_decision_letter(letterhead=Letterhead("جمعية مفاتيح الخير الأسرية", licence="1000651200"),
                                         letter=letter)
    out = tmp_path / "letter.pdf"
    out.write_bytes(pdf)
    assert qpdf_ok(out)
    words = pdf_text(out)
    assert NAME in words and "A1F3-1447-000123" in words and "1000000016" in words
    assert "سعد بن علي الغامدي" in words and "فهد سليمان الدوسري" in words
    expected = {"accept": "قبول الطلب", "reject": "رفض الطلب", "more_info": "طلب استكمال معلومات"}[decision]
    assert expected in words
    if decision != "accept":
        assert "2025-0000123" in words and "مصدر دخل الأسرة" in words
    if decision == "more_info":
        assert "2025/11/26" in words  # pdf_text reads the desk's digits as 0-9


def test_notification_text_and_whatsapp_link() -> None:
    text = notification_text(association_name="جمعية مفاتيح الخير الأسرية", beneficiary_name=NAME,
                             case_number="A1F3-1447-000123", decision="reject", decided_on=date(2025, 11, 12),
                             reason="لا تنطبق الشروط", contact_phone="0112345678")
    assert "A1F3-1447-000123" in text and "لا تنطبق الشروط" in text and "\u2068" in text
    link = whatsapp_link("+966501234567", text)
    assert link is not None and link.startswith("https://wa.me/966501234567?text=")
    assert unquote(link.split("text=", 1)[1]) == text and " " not in link and "&" not in link.split("?", 1)[1]
    assert whatsapp_link("+201001234567", text) is None


@needs_poppler
def test_pdf_letter_command(desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    case_id = uuid.UUID(hex=desk.awaiting())
    number = desk.service.files.case_file(case_id).case_number
    data_dir = str(desk.workspace.data_dir)
    out = tmp_path / "letter.pdf"
    code = main(["--data-dir", data_dir, "pdf", "letter", number, "--out", str(out)])
    error = capsys.readouterr().err
    assert code == EXIT_INVALID and not out.exists()
    assert "لم تصدر اللجنة قرارًا" in error and len(error.strip().splitlines()) == 1
    result = desk.service.committee.decide(case_id, DecisionInput("more_info", LONG_REASON, ("سعد بن علي الغامدي",)))
    code = main(["--data-dir", data_dir, "pdf", "letter", number, "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == EXIT_OK and hashlib.sha256(out.read_bytes()).hexdigest() == result.letter_sha256
    assert result.letter_sha256 in printed and qpdf_ok(out)
    words = pdf_text(out)
    assert NAME in words and number in words
    assert main(["--data-dir", data_dir, "pdf", "letter", "NOPE-1447-000001", "--out", str(out)]) == EXIT_INVALID
