"""Tests for desktop.hijri: Umm al-Qura conversion, parsing, formatting, decision dates."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.arabic_text import FSI, PDI, has_arabic, strip_bidi_controls, to_latin_digits
from desktop.errors import InputError
from desktop.hijri import (
    GREGORIAN_MAX,
    GREGORIAN_MIN,
    GREGORIAN_MONTHS_AR,
    HIJRI_MONTHS_AR,
    HijriDate,
    add_hijri_months,
    format_dual,
    format_gregorian,
    format_hijri,
    hijri_month_length,
    parse_date_either,
    parse_gregorian,
    parse_hijri,
    promised_decision_date,
    weekday_ar,
)

# Pairs printed in the policies (seeds 000 and 004) and well-known Umm al-Qura dates.
# All five were checked against hijridate 2.6.0: none disagrees.
KNOWN_PAIRS = [
    (HijriDate(1444, 5, 8), date(2022, 12, 2)),  # seed 000: ١٤٤٤/٥/٨ هـ الموافق ٢٠٢٢/١٢/٢ م
    (HijriDate(1443, 12, 15), date(2022, 7, 14)),  # seed 000: ١٤٤٣/١٢/١٥ هـ الموافق ٢٠٢٢/٧/١٤ م
    (HijriDate(1446, 4, 10), date(2024, 10, 13)),  # seed 004: 1446/4/10هـ الموافق 13/10/2024م
    (HijriDate(1445, 9, 1), date(2024, 3, 11)),  # 1 Ramadan 1445
    (HijriDate(1446, 1, 1), date(2024, 7, 7)),  # 1 Muharram 1446
]

GREGORIAN_DATES = st.dates(min_value=GREGORIAN_MIN, max_value=GREGORIAN_MAX)


@st.composite
def hijri_dates(draw: st.DrawFn) -> HijriDate:
    year = draw(st.integers(min_value=1343, max_value=1500))
    month = draw(st.integers(min_value=1, max_value=12))
    day = draw(st.integers(min_value=1, max_value=hijri_month_length(year, month)))
    return HijriDate(year, month, day)


def assert_arabic_error(info: pytest.ExceptionInfo[InputError], *fragments: str) -> None:
    message = info.value.message_ar
    assert has_arabic(message)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# --- HijriDate ------------------------------------------------------------------------------


@pytest.mark.parametrize(("hijri", "gregorian"), KNOWN_PAIRS)
def test_known_pairs(hijri: HijriDate, gregorian: date) -> None:
    assert hijri.to_gregorian() == gregorian
    assert HijriDate.from_gregorian(gregorian) == hijri


def test_to_gregorian_returns_plain_date() -> None:
    assert type(HijriDate(1444, 5, 8).to_gregorian()) is date


def test_hijri_date_str_and_month_name() -> None:
    h = HijriDate(1444, 5, 8)
    assert str(h) == "1444/05/08"
    assert h.month_name_ar == "جمادى الأولى"
    assert HijriDate(1446, 4, 10).month_name_ar == "ربيع الآخر"
    assert [HijriDate(1445, m, 1).month_name_ar for m in range(1, 13)] == list(HIJRI_MONTHS_AR)


def test_hijri_date_is_frozen_and_ordered() -> None:
    h = HijriDate(1444, 5, 8)
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.day = 9  # type: ignore[misc]
    assert HijriDate(1443, 12, 15) < HijriDate(1444, 5, 8) < HijriDate(1444, 5, 9)
    assert sorted([HijriDate(1446, 1, 1), HijriDate(1445, 9, 1)]) == [HijriDate(1445, 9, 1), HijriDate(1446, 1, 1)]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        ((1444, 13, 1), ("الشهر 13",)),
        ((1444, 6, 30), ("اليوم 30", "جمادى الآخرة", "29")),
        ((1444, 5, 0), ("اليوم 0",)),
        ((1342, 12, 1), ("1342", "أم القرى")),
        ((1501, 1, 1), ("1501", "أم القرى")),
    ],
)
def test_hijri_date_refuses_impossible_dates(args: tuple[int, int, int], fragments: tuple[str, ...]) -> None:
    with pytest.raises(InputError) as info:
        HijriDate(*args)
    assert_arabic_error(info, *fragments)


def test_from_gregorian_outside_table_raises() -> None:
    with pytest.raises(InputError) as info:
        HijriDate.from_gregorian(GREGORIAN_MIN - timedelta(days=1))
    assert_arabic_error(info, "خارج النطاق")
    with pytest.raises(InputError):
        HijriDate.from_gregorian(GREGORIAN_MAX + timedelta(days=1))


def test_table_edges() -> None:
    assert HijriDate.from_gregorian(GREGORIAN_MIN) == HijriDate(1343, 1, 1)
    assert HijriDate.from_gregorian(GREGORIAN_MAX) == HijriDate(1500, 12, 30)


def test_month_lengths() -> None:
    assert hijri_month_length(1444, 5) == 30
    assert hijri_month_length(1444, 6) == 29
    with pytest.raises(InputError):
        hijri_month_length(1444, 0)


@given(GREGORIAN_DATES)
def test_round_trip_from_gregorian(d: date) -> None:
    h = HijriDate.from_gregorian(d)
    assert h.to_gregorian() == d
    assert 1 <= h.day <= hijri_month_length(h.year, h.month)


@given(hijri_dates())
def test_round_trip_from_hijri(h: HijriDate) -> None:
    g = h.to_gregorian()
    assert HijriDate.from_gregorian(g) == h
    if g < GREGORIAN_MAX:
        assert HijriDate.from_gregorian(g + timedelta(days=1)) > h


@given(hijri_dates())
def test_str_and_formats_parse_back(h: HijriDate) -> None:
    assert parse_hijri(str(h)) == h
    g = h.to_gregorian()
    assert parse_hijri(format_hijri(g)) == h
    assert parse_hijri(format_hijri(g, long=True)) == h
    assert parse_gregorian(format_gregorian(g)) == g
    assert parse_gregorian(format_gregorian(g, long=True, arabic_digits=False)) == g
    assert parse_date_either(format_hijri(g, arabic_digits=False)) == g
    assert parse_date_either(format_gregorian(g, long=True)) == g


# --- parse_hijri ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1444/5/8",
        "1444-05-08",
        "1444.05.08",
        "١٤٤٤/٥/٨",
        "١٤٤٤/٥/٨ هـ",  # as printed in seed 000
        "1444/5/8هـ",
        "1444/5/8 ه",
        "1444/5/8 ه.",
        "1444 / 5 / 8",
        "۱۴۴۴/۵/۸",
        "8/5/1444",  # day first
        "08/05/1444هـ",
        "8 جمادى الأولى 1444 هـ",
        "٨ جمادى الاولى ١٤٤٤",
        "1444/5/8 هجري",
        "\u20681444/05/08 هـ\u2069",
    ],
)
def test_parse_hijri_forms(text: str) -> None:
    assert parse_hijri(text) == HijriDate(1444, 5, 8)


def test_parse_hijri_policy_strings() -> None:
    assert parse_hijri("1446/4/10هـ.") == HijriDate(1446, 4, 10)  # seed 004
    assert parse_hijri("1442/12/22ه .") == HijriDate(1442, 12, 22)  # seed 002
    assert parse_hijri("٢٢ ذي الحجة ١٤٤٢") == HijriDate(1442, 12, 22)
    assert parse_hijri("10 ربيع الثاني 1446") == HijriDate(1446, 4, 10)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ("فارغ",)),
        ("  هـ ", ("صيغة",)),
        ("1444/13/1", ("الشهر 13",)),
        ("1444/6/30", ("اليوم 30", "جمادى الآخرة", "29 يومًا")),
        ("1444/5/31", ("اليوم 31",)),
        ("1300/1/1", ("1300", "أم القرى")),
        ("1600/1/1", ("1600", "أم القرى")),
        ("44/5/8", ("صيغة",)),
        ("1444/5", ("صيغة",)),
        ("غدًا", ("صيغة",)),
        ("1444/5/8 م", ("ميلادي",)),
        ("8 رجبب 1444", ("اسم الشهر",)),
    ],
)
def test_parse_hijri_errors(text: str, fragments: tuple[str, ...]) -> None:
    with pytest.raises(InputError) as info:
        parse_hijri(text, field="approval_date_hijri")
    assert_arabic_error(info, *fragments)
    assert info.value.field == "approval_date_hijri"


# --- parse_gregorian ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2022/12/2",
        "2022-12-02",
        "2/12/2022",  # day/month/year, the Saudi order
        "02/12/2022",
        "٢٠٢٢/١٢/٢ م",  # as printed in seed 000
        "2022/12/2م",
        "2 ديسمبر 2022",
        "٢ ديسمبر ٢٠٢٢ م",
        "2022/12/2 ميلادي",
    ],
)
def test_parse_gregorian_forms(text: str) -> None:
    assert parse_gregorian(text) == date(2022, 12, 2)


def test_parse_gregorian_policy_strings() -> None:
    assert parse_gregorian("13 /10 /2024م.") == date(2024, 10, 13)  # seed 004
    assert parse_gregorian("2025/10/19م") == date(2025, 10, 19)  # seed 003
    assert parse_gregorian("٢٠٢٢/٧/١٤ م") == date(2022, 7, 14)  # seed 000


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("", ("فارغ",)),
        ("2023/2/29", ("اليوم 29", "فبراير", "28")),
        ("2022/13/1", ("الشهر 13",)),
        ("31/4/2024", ("اليوم 31", "أبريل")),
        ("2/12/22", ("صيغة",)),
        ("1900/1/1", ("خارج النطاق",)),
        ("2022/12/2 هـ", ("هجري",)),
        ("2 ديسمبرر 2022", ("اسم الشهر",)),
    ],
)
def test_parse_gregorian_errors(text: str, fragments: tuple[str, ...]) -> None:
    with pytest.raises(InputError) as info:
        parse_gregorian(text)
    assert_arabic_error(info, *fragments)


def test_leap_day_accepted() -> None:
    assert parse_gregorian("29/2/2024") == date(2024, 2, 29)


# --- parse_date_either ----------------------------------------------------------------------


@pytest.mark.parametrize(("hijri", "gregorian"), KNOWN_PAIRS)
def test_parse_date_either_both_calendars(hijri: HijriDate, gregorian: date) -> None:
    assert parse_date_either(str(hijri)) == gregorian
    assert parse_date_either(f"{gregorian.year}/{gregorian.month}/{gregorian.day}") == gregorian
    assert parse_date_either(f"{gregorian.day}/{gregorian.month}/{gregorian.year}") == gregorian


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "فارغ"),
        ("1444/5/8 م", "ليست سنة ميلادية"),
        ("2022/12/2 هـ", "ليست سنة هجرية"),
        ("8 ديسمبر 1444", "ليس شهرًا هجريًا"),
        ("8 رمضان 2024", "ليس شهرًا ميلاديًا"),
        ("1444/6/31", "اليوم 31"),  # behaviour change (issue 12): a day 30 in a 29-day month is accepted, noted
    ],
)
def test_parse_date_either_errors(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date_either(text)
    assert_arabic_error(info, fragment)


# --- formatting -----------------------------------------------------------------------------


def test_format_hijri() -> None:
    d = date(2022, 12, 2)
    assert format_hijri(d) == "١٤٤٤/٠٥/٠٨ هـ"
    assert format_hijri(d, arabic_digits=False) == "1444/05/08 هـ"
    assert format_hijri(d, long=True) == "٨ جمادى الأولى ١٤٤٤ هـ"
    assert format_hijri(date(2024, 3, 11), long=True, arabic_digits=False) == "1 رمضان 1445 هـ"


def test_format_gregorian() -> None:
    d = date(2022, 12, 2)
    assert format_gregorian(d) == "٢٠٢٢/١٢/٠٢ م"
    assert format_gregorian(d, arabic_digits=False) == "2022/12/02 م"
    assert format_gregorian(d, long=True) == "٢ ديسمبر ٢٠٢٢ م"
    assert [format_gregorian(date(2024, m, 1), long=True, arabic_digits=False).split()[1] for m in range(1, 13)] == [
        "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
        "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
    ]  # fmt: skip
    assert list(GREGORIAN_MONTHS_AR)[0] == "يناير"


@given(GREGORIAN_DATES, st.booleans(), st.booleans())
def test_formats_never_use_dashes(d: date, arabic: bool, long: bool) -> None:
    for text in (format_hijri(d, arabic_digits=arabic, long=long), format_gregorian(d, arabic_digits=arabic, long=long)):
        assert "-" not in text
        assert any(c in "0123456789" for c in text) is not arabic


def test_format_dual() -> None:
    d = date(2022, 12, 2)
    assert format_dual(d) == f"{FSI}١٤٤٤/٠٥/٠٨ هـ{PDI} الموافق {FSI}٢٠٢٢/١٢/٠٢ م{PDI}"
    assert format_dual(d, isolate=False, arabic_digits=False) == "1444/05/08 هـ الموافق 2022/12/02 م"
    assert format_dual(d, long=True, isolate=False) == "٨ جمادى الأولى ١٤٤٤ هـ الموافق ٢ ديسمبر ٢٠٢٢ م"


def test_format_dual_reads_like_the_policy() -> None:
    text = to_latin_digits(strip_bidi_controls(format_dual(date(2024, 10, 13), arabic_digits=True)))
    assert text == "1446/04/10 هـ الموافق 2024/10/13 م"


def test_weekday_ar() -> None:
    assert weekday_ar(date(2024, 3, 11)) == "الاثنين"
    assert weekday_ar(date(2024, 7, 7)) == "الأحد"


# --- month arithmetic and the promised decision date ---------------------------------------


def test_add_hijri_months_simple() -> None:
    start = HijriDate(1445, 9, 1).to_gregorian()  # 1 Ramadan 1445
    assert HijriDate.from_gregorian(add_hijri_months(start, 1)) == HijriDate(1445, 10, 1)
    assert HijriDate.from_gregorian(add_hijri_months(start, 4)) == HijriDate(1446, 1, 1)
    assert add_hijri_months(start, 4) == date(2024, 7, 7)
    assert HijriDate.from_gregorian(add_hijri_months(start, -9)) == HijriDate(1444, 12, 1)
    assert add_hijri_months(start, 0) == start


def test_add_hijri_months_clamps_day() -> None:
    # جمادى الأولى 1444 has 30 days, جمادى الآخرة 1444 has 29.
    start = HijriDate(1444, 5, 30).to_gregorian()
    assert HijriDate.from_gregorian(add_hijri_months(start, 1)) == HijriDate(1444, 6, 29)


def test_add_hijri_months_out_of_table() -> None:
    with pytest.raises(InputError) as info:
        add_hijri_months(date(2077, 1, 1), 24)
    assert_arabic_error(info, "أم القرى")


@given(hijri_dates(), st.integers(min_value=-24, max_value=24))
def test_add_hijri_months_property(h: HijriDate, months: int) -> None:
    index = h.year * 12 + h.month - 1 + months
    year, month0 = divmod(index, 12)
    if not 1343 <= year <= 1500:
        with pytest.raises(InputError):
            add_hijri_months(h.to_gregorian(), months)
        return
    moved = HijriDate.from_gregorian(add_hijri_months(h.to_gregorian(), months))
    assert (moved.year, moved.month) == (year, month0 + 1)
    assert moved.day == min(h.day, hijri_month_length(year, month0 + 1))


def test_promised_decision_date_days() -> None:
    submitted = date(2025, 10, 19)
    assert promised_decision_date(submitted, period_days=14, period_months=None) == date(2025, 11, 2)
    assert promised_decision_date(submitted, period_days=0, period_months=None) == submitted


def test_promised_decision_date_months() -> None:
    submitted = date(2024, 3, 11)  # 1 Ramadan 1445
    assert promised_decision_date(submitted, period_days=None, period_months=1) == date(2024, 4, 10)  # 1 Shawwal


def test_promised_decision_date_none_without_committee() -> None:
    assert promised_decision_date(date(2022, 12, 2), period_days=None, period_months=None) is None


@pytest.mark.parametrize(
    ("days", "months"),
    [(14, 1), (-1, None), (None, -1)],
)
def test_promised_decision_date_bad_periods(days: int | None, months: int | None) -> None:
    with pytest.raises(InputError) as info:
        promised_decision_date(date(2024, 3, 11), period_days=days, period_months=months)
    assert_arabic_error(info, "مدة البت")
