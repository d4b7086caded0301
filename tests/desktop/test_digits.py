"""The desk's one digit style (issue 12): shown and printed in one style, typed in either; Riyadh times; day 30."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hijridate import Hijri

from desktop.arabic_text import DigitStyle, digit_style, display_digits, identifier_text, set_digit_style
from desktop.counting import DAYS, count_phrase
from desktop.documents.forms import render_receipt
from desktop.errors import InputError
from desktop.hijri import format_dual, format_hijri, format_time, parse_date_either, parse_date_noted, riyadh_moment
from desktop.money import money_text, parse_amount
from desktop.reception.particulars import Particulars, check_particulars
from desktop.reception.views import ParticularsInput
from desktop.workspace import Workspace
from tests.desktop.test_documents import ASSOCIATION, _squash, _text_of, letterhead  # noqa: F401 (fixture)

TODAY = date(2025, 10, 26)


def _first_short_month(year: int) -> int:
    """A month of `year` that Umm al-Qura makes 29 days."""
    return next(m for m in range(1, 13) if Hijri(year, m, 1).month_length() == 29)


# --- the one function ------------------------------------------------------------------------------


def test_display_digits_follows_the_style_and_leaves_latin_words() -> None:
    """Arabic-Indic by default; Latin on demand; a word with a Latin letter keeps its digits."""
    assert digit_style() is DigitStyle.ARABIC
    assert display_digits("الهوية 1234567897 والجوال 0501234567") == "الهوية ١٢٣٤٥٦٧٨٩٧ والجوال ٠٥٠١٢٣٤٥٦٧"
    assert display_digits("A1F3-1447-000123") == "A1F3-١٤٤٧-٠٠٠١٢٣"
    assert display_digits("info2@x.org (14)") == "info2@x.org (١٤)"
    assert display_digits("١٬٥٠٠٫٥") == "١٬٥٠٠٫٥"
    set_digit_style(DigitStyle.LATIN)
    assert display_digits("التاريخ ١٤٤٤/٠٥/٠٨ هـ (14)") == "التاريخ 1444/05/08 هـ (14)"
    assert display_digits("١٬٥٠٠٫٥") == "1,500.5"
    assert set_digit_style("nonsense") is DigitStyle.ARABIC


@pytest.mark.parametrize(("style", "expected"), [(DigitStyle.ARABIC, "١٤"), (DigitStyle.LATIN, "14")])
def test_dates_counts_ids_and_money_share_the_style(style: DigitStyle, expected: str) -> None:
    """Every formatter goes through display_digits: dates, counts, identifiers, amounts, times."""
    set_digit_style(style)
    assert count_phrase(14, DAYS) == f"{expected} يومًا"
    assert count_phrase(14, DAYS, digits="latin") == "14 يومًا"  # a caller may still force a style
    assert format_hijri(date(2022, 12, 2)) == display_digits("1444/05/08 هـ")
    assert format_hijri(date(2022, 12, 2), arabic_digits=False) == "1444/05/08 هـ"  # what a field is given
    assert display_digits("1447-000123") in identifier_text("1447-000123")
    assert money_text(Decimal("1500.5")) == f"\u2068{display_digits('1٬500٫50')}\u2069 ريال"
    assert format_time(datetime(2025, 1, 1, 11, 14, tzinfo=UTC)) == display_digits(f"{expected}:14")


def test_kept_dates_follow_a_change_of_style() -> None:
    """The case desk keeps each day's two-calendar text (a queue repeats its dates): kept per style, so a
    style changed in the settings shows at once; the kept Umm al-Qura day is the computed one."""
    from desktop.casedesk.common import dual
    from desktop.hijri import HijriDate

    day = date(2022, 12, 2)
    assert dual(day) == format_dual(day) and "١٤٤٤" in dual(day)
    set_digit_style(DigitStyle.LATIN)
    assert dual(day) == format_dual(day) and "1444" in dual(day)
    set_digit_style(DigitStyle.ARABIC)
    assert "١٤٤٤" in dual(day) and dual(None) == ""
    assert HijriDate.from_gregorian(day) == HijriDate(1444, 5, 8) == HijriDate.from_gregorian(day)
    with pytest.raises(InputError):
        HijriDate.from_gregorian(date(1800, 1, 1))  # refused each time, never kept


# --- typed in either style -------------------------------------------------------------------------


def _particulars(**typed: str) -> Particulars:
    values = {
        "full_name": "عبد الله محمد عبد الرحمن القحطاني", "id_number": "1234567897", "id_kind": "",
        "id_expiry": "1450/01/01", "birth_date": "1985/03/14", "mobile": "0501234567", "city": "الرياض",
        "household_size": "5", "gender": "male",
    }
    values.update(typed)
    result = check_particulars(ParticularsInput(**values), today=TODAY)
    assert isinstance(result, Particulars), result
    return result


def test_arabic_indic_digits_are_accepted_in_every_typed_number() -> None:
    """ID, phone, household size, dates and amounts typed with ٠-٩ read as with 0-9."""
    typed = _particulars(id_number="١٢٣٤٥٦٧٨٩٧", mobile="٠٥٠١٢٣٤٥٦٧", household_size="٥",
                         id_expiry="١٤٥٠/٠١/٠١", birth_date="١٤/٠٣/١٩٨٥")
    assert typed == _particulars()
    assert (typed.id_number, typed.mobile, typed.household_size) == ("1234567897", "+966501234567", 5)
    assert typed.birth_date == date(1985, 3, 14)
    assert parse_amount("١٬٥٠٠٫٥٠") == parse_amount("1,500.50") == Decimal("1500.50")
    assert parse_date_either("٨ جمادى الأولى ١٤٤٤") == date(2022, 12, 2)


# --- Riyadh time -----------------------------------------------------------------------------------


def test_times_are_riyadh_times_and_naive_moments_are_utc() -> None:
    """21:30 UTC is 00:30 the next day in Riyadh, whatever the PC's zone; naive moments are UTC."""
    late = datetime(2025, 10, 26, 21, 30)
    assert riyadh_moment(late).date() == date(2025, 10, 27)
    assert format_time(late) == format_time(late.replace(tzinfo=UTC)) == "٠٠:٣٠"


# --- a day 30 of a 29-day Umm al-Qura month --------------------------------------------------------


def test_day_30_of_a_29_day_month_is_accepted_as_its_last_day_with_a_note() -> None:
    """A card printed «30» where Umm al-Qura counts 29 days: accepted as the 29th, and the officer is told."""
    month = _first_short_month(1448)
    value, note = parse_date_noted(f"1448/{month:02d}/30")
    last = Hijri(1448, month, 29).to_gregorian()
    assert value == date(last.year, last.month, last.day)
    assert note is not None and format_dual(value) in note and "تسعة وعشرون يومًا" in note
    assert parse_date_either(f"٣٠/{month}/١٤٤٨ هـ") == value
    assert parse_date_noted(f"1448/{month:02d}/29") == (value, None)
    with pytest.raises(Exception):  # noqa: B017 — a day 31 is still no date
        parse_date_either(f"1448/{month:02d}/31")
    expiry = _particulars(id_expiry=f"1448/{month:02d}/30").id_expiry
    assert expiry == value  # the verify step does not refuse the card


# --- the setting, stored with the workspace ---------------------------------------------------------


def test_the_style_is_stored_by_the_workspace_and_applied_when_it_opens(tmp_path: Path) -> None:
    """Chosen once, kept in the database (desk_setting) and set for the process at every opening."""
    workspace = Workspace.open(tmp_path / "data")
    try:
        workspace.adopt_builtin_profile("mafateeh-alkhair")
        assert workspace.digit_style() is DigitStyle.ARABIC
        assert workspace.set_digit_style("latin") is DigitStyle.LATIN
        assert digit_style() is DigitStyle.LATIN
    finally:
        workspace.close()
    set_digit_style(DigitStyle.ARABIC)
    again = Workspace.open(tmp_path / "data")
    try:
        assert again.digit_style() is DigitStyle.LATIN and digit_style() is DigitStyle.LATIN
        again.set_digit_style(DigitStyle.ARABIC)
        assert digit_style() is DigitStyle.ARABIC
    finally:
        again.close()


# --- print -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", list(DigitStyle))
def test_a_printed_receipt_switches_style(tmp_path: Path, letterhead, style: DigitStyle) -> None:  # noqa: F811
    """pdftotext of a receipt: date, ID, phone, case number, the policy's «(14)» and the page count in one style."""
    set_digit_style(style)
    pdf = render_receipt(
        letterhead=letterhead, case_number="1447-000123", beneficiary_name="عبد الله القحطاني",
        id_number="1234567897", submitted_on=date(2022, 12, 2), promised_on=date(2022, 12, 16),
        committee_name="لجنة البحث", period_text="لا تقل عن (14) يوماً من تاريخ تقديم الطلب",
        channel_name="المقابلة", officer_name="سارة", contact_lines=("الهاتف: 0112345678",),
    )
    _raw, text = _text_of(pdf, tmp_path)
    latin = style is DigitStyle.LATIN
    for arabic_indic, plain in (
        ("١٤٤٤/٠٥/٠٨", "1444/05/08"), ("١٢٣٤٥٦٧٨٩٧", "1234567897"), ("٠١١٢٣٤٥٦٧٨", "0112345678"),
        ("١٤٤٧-٠٠٠١٢٣", "1447-000123"), ("عن١٤يوما", "عن14يوما"), ("صفحة١من١", "صفحة1من1"),
    ):
        assert (plain if latin else arabic_indic) in text, (style, plain)
        assert (arabic_indic if latin else plain) not in text, (style, plain)
