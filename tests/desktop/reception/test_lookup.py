"""Finding a beneficiary as the officer types: ID, ID prefix, phone in any form, Arabic name variants; duplicates."""

from __future__ import annotations

import pytest

from desktop.identity import make_saudi_id
from desktop.reception import ReceptionError, ReceptionService

from .conftest import ID_NUMBER, particulars


def _register(service: ReceptionService, **change: str) -> object:
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    done = service.complete_verify(view.case_id, particulars(**change), [])
    assert done.beneficiary is not None
    return done.beneficiary.beneficiary_id


@pytest.fixture
def people(service: ReceptionService) -> dict[str, object]:
    """Three beneficiaries whose names are spelt as officers type them."""
    return {
        "abdullah": _register(service),  # عبد الله محمد عبد الرحمن القحطاني, 0501234567
        "fatima": _register(
            service, full_name="فاطِمَة أحـمد علي الزهراني", id_number=make_saudi_id("100000002"), mobile="0559876543"
        ),
        "mustafa": _register(
            service, full_name="مصطفى إبراهيم يحيى الأسمري", id_number=make_saudi_id("212345678"),
            mobile="0532223344",
        ),
    }


def _ids(service: ReceptionService, text: str) -> list[object]:
    return [m.beneficiary_id for m in service.lookup(text)]


def test_lookup_by_full_id_and_by_its_start(service: ReceptionService, people: dict[str, object]) -> None:
    """The whole ID gives that file ("same_id"); its first digits list the files starting so."""
    matches = service.lookup(ID_NUMBER)
    assert [(m.beneficiary_id, m.reason) for m in matches] == [(people["abdullah"], "same_id")]
    assert _ids(service, "١٠٠٠٠٠٠٠١٦") == [people["abdullah"]]  # Arabic-Indic digits
    prefix = service.lookup("10000")
    assert {m.beneficiary_id for m in prefix} == {people["abdullah"], people["fatima"]}
    assert all(m.reason == "id_prefix" for m in prefix)
    assert _ids(service, "2123") == [people["mustafa"]]


@pytest.mark.parametrize(
    "typed",
    ["0501234567", "+966501234567", "966501234567", "00966501234567", "050 123 4567", "+966 50 123 4567",
     "٠٥٠١٢٣٤٥٦٧", "(050) 123-4567"],
)
def test_lookup_by_phone_in_any_form(service: ReceptionService, people: dict[str, object], typed: str) -> None:
    """Every common way of writing the mobile finds the same file."""
    matches = service.lookup(typed)
    assert [m.beneficiary_id for m in matches] == [people["abdullah"]]
    assert matches[0].reason == "same_phone"


def test_lookup_by_partial_phone(service: ReceptionService, people: dict[str, object]) -> None:
    """The start of a mobile, or its last digits, narrows the list."""
    assert set(_ids(service, "055")) == {people["fatima"]}
    assert set(_ids(service, "6543")) == {people["fatima"]}


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("عبدالله القحطاني", "abdullah"),
        ("عبد الله", "abdullah"),
        ("القحطاني عبد الرحمن", "abdullah"),
        ("فاطمه الزهراني", "fatima"),
        ("فاطمة أحمد", "fatima"),
        ("فَاطِمَة", "fatima"),
        ("مصطفي ابراهيم", "mustafa"),
        ("يحيي الاسمري", "mustafa"),
        ("مصـطفى", "mustafa"),
        ("الأسمري", "mustafa"),
        ("الاسم", "mustafa"),
    ],
)
def test_lookup_by_arabic_name_variants(
    service: ReceptionService, people: dict[str, object], typed: str, who: str
) -> None:
    """Hamza/alef, taa marbuta/haa, alef maqsura/yaa, diacritics, tatweel, "عبد الله"/"عبدالله", any order."""
    matches = service.lookup(typed)
    assert [m.beneficiary_id for m in matches] == [people[who]], typed
    assert matches[0].reason == "name"


def test_lookup_finds_nothing_for_unknown_and_empty(service: ReceptionService, people: dict[str, object]) -> None:
    """No match, no crash."""
    assert service.lookup("") == []
    assert service.lookup("خالد") == []
    assert service.lookup("1999") == []
    assert service.lookup('"*') == []


def test_duplicate_warning_for_a_similar_name_with_the_same_phone(
    service: ReceptionService, people: dict[str, object]
) -> None:
    """A similar name and the same mobile warns of a probable duplicate; another mobile does not."""
    warnings = service.duplicate_warnings("عبدالله محمد القحطانى", "+966 50 123 4567")
    assert [w.beneficiary_id for w in warnings] == [people["abdullah"]]
    assert warnings[0].warning_ar and "مسجل" in warnings[0].warning_ar and ID_NUMBER in warnings[0].warning_ar
    assert service.duplicate_warnings("عبدالله محمد القحطاني", "0509999999") == []
    assert service.duplicate_warnings("سعد ناصر الدوسري", "0501234567") == []
    assert service.duplicate_warnings("عبدالله محمد القحطاني", "not a phone") == []


def test_the_same_id_opens_the_existing_file(service: ReceptionService, people: dict[str, object]) -> None:
    """A new contact with an ID already on file updates that file instead of creating another.

    Since issue 11 the person's earlier case is still open, so the file is attached with a stated reason, and
    a verify step that would silently take the file is refused until the open cases are finished.
    """
    view = service.start_contact("phone", "service_request")
    service.complete_greet(view.case_id)
    match = service.lookup(ID_NUMBER)[0]
    opened = service.attach_beneficiary(
        view.case_id, match.beneficiary_id, second_case_reason="طلب آخر منفصل"  # type: ignore[arg-type]
    )
    assert opened.beneficiary is not None and opened.beneficiary.beneficiary_id == people["abdullah"]
    done = service.complete_verify(view.case_id, particulars(city="جدة"), [])
    assert done.beneficiary is not None
    assert done.beneficiary.beneficiary_id == people["abdullah"] and done.beneficiary.city == "جدة"
    # Without attaching first, the same ID still lands in the same file (once no other case of it is open).
    again = service.start_contact("interview", "service_request")
    service.complete_greet(again.case_id)
    with pytest.raises(ReceptionError) as refused:
        service.complete_verify(again.case_id, particulars(), [])
    assert refused.value.field == "id_number" and "حالة مفتوحة" in refused.value.message_ar
    for open_case in service.lookup(ID_NUMBER)[0].open_cases:
        if open_case.case_id != again.case_id:
            service.discard_draft(open_case.case_id, "تكرار")
    verified = service.complete_verify(again.case_id, particulars(), [])
    assert verified.beneficiary is not None and verified.beneficiary.beneficiary_id == people["abdullah"]
