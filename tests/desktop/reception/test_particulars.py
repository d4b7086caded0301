"""The particulars are checked by one function: every problem at once for the page, the first one for the service."""

from __future__ import annotations

from datetime import date

from desktop.identity import make_saudi_id
from desktop.reception import Particulars, ReceptionError, ReceptionService, check_particulars

from .conftest import MOBILE, NAME, particulars
from .test_bad_input import BAD_PARTICULARS, _at_verify

TODAY = date(2025, 1, 15)


def test_valid_particulars_come_back_cleaned() -> None:
    """Bidi marks gone, the mobile canonical, dates parsed, numbers read; the kind told by the first digit."""
    checked = check_particulars(particulars(full_name=f"\u202b{NAME}\u202c", household_size="٦"), today=TODAY)
    assert isinstance(checked, Particulars)
    assert checked.full_name == NAME and checked.mobile == "+966" + MOBILE[1:]
    assert checked.id_kind == "national_id" and checked.household_size == 6
    assert checked.birth_date == date(1985, 3, 14) and checked.city == "الرياض"


def test_every_problem_is_found_at_once_one_per_field() -> None:
    """A form with five bad fields: five (field, Arabic message) problems, in the order the service reports them."""
    checked = check_particulars(
        particulars(full_name="محمد 2", id_expiry="1440/01/01", birth_date="2060/01/01", mobile="0201234567",
                    household_size="0"),
        today=TODAY,
    )
    assert isinstance(checked, list)
    assert [field for field, _ in checked] == ["full_name", "id_expiry", "birth_date", "mobile", "household_size"]
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in message) for _, message in checked)


def test_the_four_part_name_rule_follows_a_valid_national_id() -> None:
    """A three-part name is refused for a national ID, accepted for an iqama; not judged while the ID is wrong."""
    three = "محمد عبدالله الزهراني"
    national = check_particulars(particulars(full_name=three), today=TODAY)
    assert isinstance(national, list) and national[0][0] == "full_name" and "الرباعي" in national[0][1]
    assert isinstance(check_particulars(particulars(full_name=three, id_number=make_saudi_id("212345678")), today=TODAY),
                      Particulars)
    wrong_id = check_particulars(particulars(full_name=three, id_number="1000000017"), today=TODAY)
    assert isinstance(wrong_id, list) and [field for field, _ in wrong_id] == ["id_number"]


def test_an_expired_id_names_both_calendars() -> None:
    """The refusal of an expired ID gives its date in Hijri and Gregorian."""
    checked = check_particulars(particulars(id_expiry="2024/12/01"), today=TODAY)
    assert isinstance(checked, list)
    field, message = checked[0]
    assert field == "id_expiry" and "انتهت صلاحية" in message and "هـ" in message and "م" in message


def test_the_service_refuses_with_the_first_problem(service: ReceptionService) -> None:
    """For each bad field of the input tests, the service's refusal is the function's first problem, word for word."""
    case_id = _at_verify(service)
    for param in BAD_PARTICULARS:
        change, field, _words = param.values
        typed = particulars(**change)  # type: ignore[arg-type]
        checked = check_particulars(typed, today=service.intake._today())  # noqa: SLF001
        assert isinstance(checked, list)
        try:
            service.complete_verify(case_id, typed, [])  # type: ignore[arg-type]
        except ReceptionError as error:
            assert (error.field, error.message_ar) == checked[0] and error.field == field
        else:
            raise AssertionError(f"accepted: {change}")
