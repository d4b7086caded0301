"""Bad input at the desk: a clear Arabic refusal (ReceptionError) and nothing written half-way."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.arabic_text import BIDI_CONTROLS
from desktop.identity import make_saudi_id
from desktop.reception import MAX_ATTACHMENT_BYTES, DocumentInput, ReceptionError, ReceptionService

from .conftest import ID_NUMBER, NAME, documents, particulars, png_file, snapshot


def _at_verify(service: ReceptionService) -> object:
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    return view.case_id


BAD_PARTICULARS = [
    pytest.param({"id_number": ID_NUMBER[:-1] + str((int(ID_NUMBER[-1]) + 1) % 10)}, "id_number", "خانة التحقق",
                 id="bad-check-digit"),
    pytest.param({"id_number": "3000000001"}, "id_number", "يبدأ", id="not-1-or-2"),
    pytest.param({"id_number": "12345"}, "id_number", "10 أرقام", id="too-short"),
    pytest.param({"id_expiry": "1440/01/01"}, "id_expiry", "انتهت صلاحية", id="expired-id-hijri"),
    pytest.param({"id_expiry": "2019/05/01"}, "id_expiry", "انتهت صلاحية", id="expired-id-gregorian"),
    pytest.param({"id_expiry": ""}, "id_expiry", "فارغ", id="no-expiry"),
    pytest.param({"id_expiry": "2030/02/30"}, "id_expiry", "غير موجود", id="impossible-gregorian-date"),
    pytest.param({"id_expiry": "1460/13/01"}, "id_expiry", "غير موجود", id="impossible-hijri-month"),
    pytest.param({"birth_date": "1446/05/31"}, "birth_date", "غير موجود", id="impossible-hijri-day"),
    pytest.param({"birth_date": "2060/01/01"}, "birth_date", "المستقبل", id="birth-in-future"),
    pytest.param({"mobile": "0201234567"}, "mobile", "ليس رقم جوال سعودي", id="landline"),
    pytest.param({"mobile": "+971501234567"}, "mobile", "ليس رقم جوال سعودي", id="uae-mobile"),
    pytest.param({"mobile": "050123"}, "mobile", "ليس رقم جوال سعودي", id="short-mobile"),
    pytest.param({"full_name": "محمد"}, "full_name", "الرباعي", id="one-part-name"),
    pytest.param({"full_name": "محمد 2 علي"}, "full_name", "أرقام", id="digits-in-name"),
    pytest.param({"full_name": "م" * 201}, "full_name", "أطول", id="name-too-long"),
    pytest.param({"household_size": "صفر"}, "household_size", "عدد أفراد", id="household-not-number"),
    pytest.param({"household_size": "0"}, "household_size", "عدد أفراد", id="household-zero"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD_PARTICULARS)
def test_bad_particulars_are_refused_and_nothing_is_written(
    service: ReceptionService, change: dict[str, str], field: str, words: str
) -> None:
    """Each invalid field: ReceptionError naming it in Arabic; the database and store are unchanged."""
    case_id = _at_verify(service)
    before = snapshot(service._workspace)  # noqa: SLF001
    with pytest.raises(ReceptionError) as raised:
        service.complete_verify(case_id, particulars(**change), documents())  # type: ignore[arg-type]
    assert raised.value.field == field
    assert words in raised.value.message_ar
    assert any("\u0600" <= ch <= "\u06ff" for ch in raised.value.message_ar)
    assert snapshot(service._workspace) == before  # noqa: SLF001
    assert service.case(case_id).status == "draft"  # type: ignore[arg-type]


def test_iqama_number_accepted_with_a_shorter_name(service: ReceptionService) -> None:
    """An iqama holder (starts with 2) may have a two-part name; the kind is told by the first digit."""
    case_id = _at_verify(service)
    iqama = make_saudi_id("212345678")
    view = service.complete_verify(case_id, particulars(id_number=iqama, full_name="Rahul Sharma"), [])  # type: ignore[arg-type]
    assert view.beneficiary is not None and view.beneficiary.id_kind == "iqama"


def test_bidi_controls_are_removed_from_names_and_free_text(service: ReceptionService) -> None:
    """A name carrying U+202E (RIGHT-TO-LEFT OVERRIDE) etc. is stored without any bidi control."""
    case_id = _at_verify(service)
    tricky = "\u202eعبد الله\u202c \u2066محمد\u2069 عبد\u202a الرحمن \u2067القحطاني\u2069"
    view = service.complete_verify(
        case_id,  # type: ignore[arg-type]
        particulars(full_name=tricky, city="\u202eالرياض\u202c"),
        [DocumentInput("\u202dصورة الهوية\u202c", True)],
    )
    assert view.beneficiary is not None
    assert view.beneficiary.full_name == NAME
    assert not set(view.beneficiary.full_name) & BIDI_CONTROLS
    assert view.beneficiary.city == "الرياض"
    assert view.documents[0].name == "صورة الهوية"
    note = service.refer(view.case_id, "سؤال\u202e معكوس\u202c").open_referral
    assert note is not None and note.note == "سؤال معكوس"


def test_attachment_that_is_not_an_image_or_pdf_is_refused(service: ReceptionService, tmp_path: Path) -> None:
    """A text file renamed .pdf, a GIF, an empty file: refused by content; nothing stored."""
    case_id = _at_verify(service)
    fake = tmp_path / "scan.pdf"
    fake.write_text("this is not a PDF", encoding="utf-8")
    gif = tmp_path / "scan.png"
    gif.write_bytes(b"GIF89a" + b"\x00" * 100)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(png_file(tmp_path / "whole.png").read_bytes()[:60])
    before = snapshot(service._workspace)  # noqa: SLF001
    for path in (fake, gif, empty, truncated, tmp_path / "missing.pdf"):
        with pytest.raises(ReceptionError) as raised:
            service.complete_verify(
                case_id, particulars(), [DocumentInput("صورة الهوية", True, "", path)]  # type: ignore[arg-type]
            )
        assert raised.value.message_ar
        with pytest.raises(ReceptionError):
            service.import_attachment(path)
    assert snapshot(service._workspace) == before  # noqa: SLF001


def test_attachment_over_ten_megabytes_is_refused(service: ReceptionService, tmp_path: Path) -> None:
    """A PDF one byte over 10 MB is refused before it is read; exactly 10 MB is accepted."""
    case_id = _at_verify(service)
    head = b"%PDF-1.4\n"
    tail = b"\n%%EOF\n"
    big = tmp_path / "big.pdf"
    big.write_bytes(head + b"0" * (MAX_ATTACHMENT_BYTES + 1 - len(head) - len(tail)) + tail)
    before = snapshot(service._workspace)  # noqa: SLF001
    with pytest.raises(ReceptionError) as raised:
        service.complete_verify(case_id, particulars(), [DocumentInput("تقرير", True, "", big)])  # type: ignore[arg-type]
    assert "10 ميغابايت" in raised.value.message_ar
    assert snapshot(service._workspace) == before  # noqa: SLF001
    limit = tmp_path / "limit.pdf"
    limit.write_bytes(head + b"0" * (MAX_ATTACHMENT_BYTES - len(head) - len(tail)) + tail)
    assert len(service.import_attachment(limit)) == 64


def test_bad_document_date_names_the_document(service: ReceptionService) -> None:
    """An impossible validity date of a document is refused with the document's name."""
    case_id = _at_verify(service)
    with pytest.raises(ReceptionError) as raised:
        service.complete_verify(
            case_id, particulars(), [DocumentInput("سجل الأسرة", True, "1446/02/31")]  # type: ignore[arg-type]
        )
    assert "سجل الأسرة" in raised.value.message_ar


def test_same_id_of_another_beneficiary_is_refused(service: ReceptionService) -> None:
    """A case opened on one file cannot take the ID number of another existing beneficiary."""
    first = _at_verify(service)
    service.complete_verify(first, particulars(), [])  # type: ignore[arg-type]
    other = make_saudi_id("100000002")
    second = _at_verify(service)
    service.complete_verify(second, particulars(id_number=other, full_name="سارة علي حسن الزهراني"), [])  # type: ignore[arg-type]
    third = _at_verify(service)
    owner = service.case(first).beneficiary  # type: ignore[arg-type]
    assert owner is not None
    # The owner's first case is still open: the file is attached only with a stated reason (issue 11).
    service.attach_beneficiary(third, owner.beneficiary_id, second_case_reason="طلب آخر منفصل")  # type: ignore[arg-type]
    before = snapshot(service._workspace)  # noqa: SLF001
    with pytest.raises(ReceptionError) as raised:
        service.complete_verify(third, particulars(id_number=other), [])  # type: ignore[arg-type]
    assert raised.value.field == "id_number" and "مستفيد آخر" in raised.value.message_ar
    assert snapshot(service._workspace) == before  # noqa: SLF001


def test_serve_amount_is_validated(service: ReceptionService) -> None:
    """Amounts: Arabic-Indic digits and separators accepted, negative or three decimals refused."""
    from desktop.money import parse_amount as _parse_amount

    assert str(_parse_amount("١٬٥٠٠٫٥٠")) == "1500.50"
    assert _parse_amount("") is None
    for bad in ("-5", "1.234", "خمسمئة", "1e400"):
        with pytest.raises(ReceptionError):
            _parse_amount(bad)


def test_drafts_refuse_values_that_cannot_be_saved(service: ReceptionService) -> None:
    """A draft must be JSON; a closed or unknown case takes no draft."""
    import uuid

    view = service.start_contact("interview", "service_request")
    with pytest.raises(ReceptionError):
        service.save_draft(view.case_id, "reception", {"when": object()})
    with pytest.raises(ReceptionError):
        service.save_draft(uuid.uuid4(), "reception", {"a": 1})
    with pytest.raises(ReceptionError):
        service.start_contact("no-such-channel", "service_request")
    with pytest.raises(ReceptionError):
        service.start_contact("interview", "no-such-kind")
