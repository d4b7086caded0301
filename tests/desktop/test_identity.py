"""Tests for desktop.identity: Saudi national ID / iqama numbers and Saudi mobile numbers."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.arabic_text import has_arabic, isolate, to_arabic_digits
from desktop.errors import InputError
from desktop.identity import (
    KNOWN_MOBILE_PREFIXES,
    IdKind,
    SaudiId,
    format_mobile_local,
    is_known_mobile_prefix,
    is_valid_saudi_id,
    make_saudi_id,
    normalize_saudi_mobile,
    phone_search_key,
    saudi_id_check_digit,
    validate_saudi_id,
)


def standard_luhn_valid(number: str) -> bool:
    """Textbook Luhn, written independently: from the right, double every second digit."""
    total = 0
    for pos_from_right, ch in enumerate(reversed(number)):
        d = int(ch)
        if pos_from_right % 2 == 1:
            d = d * 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# Vectors: check digits computed with saudi_id_check_digit, each confirmed by standard Luhn in
# test_id_vectors; 102345678 -> 1 also by hand: doubled 1,2,4,6,8 -> 2+4+8+3+7=24, kept 0+3+5+7=15.
ID_VECTORS = [
    ("110000000", 7, IdKind.NATIONAL_ID),
    ("102345678", 1, IdKind.NATIONAL_ID),
    ("105678901", 7, IdKind.NATIONAL_ID),
    ("123456789", 7, IdKind.NATIONAL_ID),
    ("200000000", 6, IdKind.IQAMA),
    ("234567890", 4, IdKind.IQAMA),
    ("298765432", 0, IdKind.IQAMA),
]

FIRST_NINE = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("12"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


# --- national ID / iqama --------------------------------------------------------------------


@pytest.mark.parametrize(("first_nine", "check", "kind"), ID_VECTORS)
def test_id_vectors(first_nine: str, check: int, kind: IdKind) -> None:
    assert saudi_id_check_digit(first_nine) == check
    number = first_nine + str(check)
    assert standard_luhn_valid(number)
    assert make_saudi_id(first_nine) == number
    assert validate_saudi_id(number) == SaudiId(number=number, kind=kind)
    assert is_valid_saudi_id(number)


def test_id_kind_values_and_labels() -> None:
    assert IdKind.NATIONAL_ID.value == "national_id"
    assert IdKind.IQAMA.value == "iqama"
    assert f"{IdKind.IQAMA}" == "iqama"
    assert IdKind.NATIONAL_ID.label_ar == "هوية وطنية"
    assert IdKind.IQAMA.label_ar == "إقامة"
    assert IdKind("iqama") is IdKind.IQAMA


def test_saudi_id_is_frozen_and_masked() -> None:
    sid = validate_saudi_id("1100000007")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sid.number = "2000000006"  # type: ignore[misc]
    assert str(sid) == "1100000007"
    assert sid.masked == "1******007"


def test_id_accepts_arabic_digits_spaces_and_bidi_marks() -> None:
    assert validate_saudi_id(to_arabic_digits("1100000007")).number == "1100000007"
    assert validate_saudi_id("  ۲۰۰۰۰۰۰۰۰۶ \t").number == "2000000006"
    assert validate_saudi_id(isolate("\u200f1100000007")).number == "1100000007"
    assert make_saudi_id("١١٠٠٠٠٠٠٠") == "1100000007"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "فارغ"),
        ("   ", "فارغ"),
        ("11000000a7", "أرقام فقط"),
        ("1100 000007", "أرقام فقط"),
        ("1100-000007", "أرقام فقط"),
        ("110000000", "10 أرقام"),
        ("11000000077", "10 أرقام"),
        ("3000000004", "يبدأ بالرقم 1"),
        ("0000000000", "يبدأ بالرقم 1"),
        ("1100000008", "خانة التحقق لا تطابق"),
    ],
)
def test_id_errors_name_the_reason_in_arabic(value: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        validate_saudi_id(value)
    assert fragment in info.value.message_ar
    assert has_arabic(info.value.message_ar)
    assert info.value.field == "id_number"
    assert not is_valid_saudi_id(value)


def test_id_error_field_can_be_set() -> None:
    with pytest.raises(InputError) as info:
        validate_saudi_id("x", field="guardian_id")
    assert info.value.field == "guardian_id"


def test_wrong_length_message_states_the_count() -> None:
    with pytest.raises(InputError) as info:
        validate_saudi_id("12345")
    assert "5" in info.value.message_ar


@pytest.mark.parametrize("bad", ["", "12345678", "1234567890", "12345678a"])
def test_check_digit_requires_nine_digits(bad: str) -> None:
    with pytest.raises(InputError):
        saudi_id_check_digit(bad)


def test_make_saudi_id_refuses_other_first_digits() -> None:
    with pytest.raises(InputError) as info:
        make_saudi_id("312345678")
    assert has_arabic(info.value.message_ar)


@given(FIRST_NINE)
def test_make_saudi_id_always_valid(first_nine: str) -> None:
    number = make_saudi_id(first_nine)
    assert len(number) == 10 and number.startswith(first_nine)
    assert is_valid_saudi_id(number)
    assert standard_luhn_valid(number)
    assert validate_saudi_id(number).kind is (IdKind.NATIONAL_ID if number[0] == "1" else IdKind.IQAMA)


@given(FIRST_NINE, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_invalid(first_nine: str, position: int, delta: int) -> None:
    number = make_saudi_id(first_nine)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    assert changed != number
    assert not is_valid_saudi_id(changed)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_validation_agrees_with_standard_luhn(number: str) -> None:
    expected = number[0] in "12" and standard_luhn_valid(number)
    assert is_valid_saudi_id(number) is expected


# --- mobile numbers -------------------------------------------------------------------------

CANONICAL = "+966501234567"


@pytest.mark.parametrize(
    "form",
    [
        "0501234567",
        "501234567",
        "+966501234567",
        "00966501234567",
        "966501234567",
        "050 123 4567",
        "050-123-4567",
        "(050) 123-4567",
        "+966 50 123 4567",
        "+966 (0) 50 123 4567",
        "00966 50 123 4567",
        "٠٥٠١٢٣٤٥٦٧",
        "۰۵۰۱۲۳۴۵۶۷",
        "+٩٦٦٥٠١٢٣٤٥٦٧",
        "  0501234567  ",
        isolate("+966 50 123 4567"),
    ],
)
def test_mobile_forms_normalise(form: str) -> None:
    assert normalize_saudi_mobile(form) == CANONICAL
    assert phone_search_key(form) == "501234567"


def test_format_mobile_local() -> None:
    assert format_mobile_local(CANONICAL) == "050 123 4567"
    assert format_mobile_local("+966591112233") == "059 111 2233"
    assert format_mobile_local("0551112233") == "055 111 2233"


@pytest.mark.parametrize(
    "bad",
    [
        "0112345678",  # Riyadh landline
        "05012345",  # too short
        "05012345678",  # too long
        "+9715012345678",  # UAE
        "+966 11 234 5678",
        "abc",
        "05O1234567",  # letter O
        "0501234567+",
        "++966501234567",
    ],
)
def test_bad_mobile_raises_arabic_error(bad: str) -> None:
    with pytest.raises(InputError) as info:
        normalize_saudi_mobile(bad)
    assert info.value.message_ar.startswith("رقم الجوال ليس رقم جوال سعودي")
    assert info.value.field == "mobile"


def test_empty_mobile_raises() -> None:
    with pytest.raises(InputError) as info:
        normalize_saudi_mobile("  ")
    assert "فارغ" in info.value.message_ar


def test_every_05x_prefix_accepted_and_known_prefixes() -> None:
    for second in "0123456789":
        assert normalize_saudi_mobile(f"05{second}1234567") == f"+9665{second}1234567"
    assert is_known_mobile_prefix("0501234567")
    assert is_known_mobile_prefix("0511234567")
    assert not is_known_mobile_prefix("0521234567")
    assert {"50", "51", "53", "54", "55", "56", "57", "58", "59"} == KNOWN_MOBILE_PREFIXES


NATIONAL = st.text(alphabet="0123456789", min_size=8, max_size=8).map(lambda s: "5" + s)


def _spaced(digits: str, draw_positions: list[int], sep: str) -> str:
    out = digits
    for pos in sorted(set(draw_positions), reverse=True):
        if 0 < pos < len(out):
            out = out[:pos] + sep + out[pos:]
    return out


@given(
    NATIONAL,
    st.sampled_from(["0{}", "{}", "+966{}", "00966{}", "966{}", "+9660{}"]),
    st.booleans(),
    st.lists(st.integers(min_value=1, max_value=12), max_size=3),
    st.sampled_from([" ", "-", " - "]),
)
def test_every_accepted_form_gives_same_canonical(
    national: str, template: str, arabic: bool, cuts: list[int], sep: str
) -> None:
    form = template.format(national)
    form = _spaced(form, cuts, sep)
    if arabic:
        form = to_arabic_digits(form)
    canonical = normalize_saudi_mobile(form)
    assert canonical == "+966" + national
    assert normalize_saudi_mobile(canonical) == canonical
    assert phone_search_key(form) == national
    local = format_mobile_local(canonical)
    assert local.replace(" ", "") == "0" + national
    assert normalize_saudi_mobile(local) == canonical


# --- phone_search_key -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("05", "5"),
        ("0501", "501"),
        ("050 12", "5012"),
        ("+966 50 12", "5012"),
        ("+9665", "5"),
        ("00966 5", "5"),
        ("9665", "5"),
        ("٠٥٥", "55"),
        ("4567", "4567"),  # last digits: a fragment, not a prefix
    ],
)
def test_phone_search_key_partial(query: str, key: str) -> None:
    assert phone_search_key(query) == key


@pytest.mark.parametrize(
    "query", ["", "   ", "0", "00", "+", "+966", "00966", "أحمد", "abc", "+1 555 1234", "05012345678"]
)
def test_phone_search_key_none(query: str) -> None:
    assert phone_search_key(query) is None
