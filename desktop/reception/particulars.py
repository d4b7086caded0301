"""The beneficiary's particulars checked once, without Qt: the verify page shows what this finds, the service enforces it.

`check_particulars(typed, today=…)` returns the cleaned `Particulars` or every problem as (field, Arabic
message), at most one per field, in the order the service reports them (it refuses with the first). Decisions:

* Gender: required, "male" or "female" (letters, notices and the declaration address the person by it).
* Name: required, at most 200 characters once cleaned (bidi controls removed, one line), no digits, letters
  needed; four parts (name, father, grandfather, family) for a national ID holder, two parts otherwise.
* ID: a national ID (starts with 1) or iqama (starts with 2) with its check digit, or — chosen as "other" —
  another document of 5 to 10 Latin letters or digits. A kind chosen that the number contradicts is refused.
* ID expiry: required, Hijri or Gregorian; an ID expired before `today` is refused (both calendars shown).
* Birth date: optional; not in the future, not more than 120 years back.
* Mobile: a Saudi mobile in any common form, kept as +9665XXXXXXXX.
* City: optional, at most 80 characters, letters only (spaces, «-» and «.» between words allowed): «الرياض6» is
  refused. The page offers `SAUDI_CITIES` as the officer types; any other city written in letters is accepted.
* Household size: 1 to 50; required when the policy's eligibility relies on it (`household_required(profile)`:
  the profile's `[eligibility] particulars` names "household_size"), optional otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from desktop.arabic_text import clean_text, name_tokens, strip_bidi_controls, to_latin_digits
from desktop.counting import YEARS, count_phrase
from desktop.errors import InputError
from desktop.gender import GENDER_CHOICES
from desktop.hijri import format_dual, parse_date_either
from desktop.identity import IdKind, normalize_saudi_mobile, validate_saudi_id
from desktop.policy import PolicyProfile
from desktop.reception.views import ParticularsInput

__all__ = [
    "MAX_AGE_YEARS",
    "MAX_HOUSEHOLD",
    "OTHER_ID_KIND",
    "SAUDI_CITIES",
    "Particulars",
    "Problem",
    "check_particulars",
    "household_required",
]

#: The oldest age accepted for a birth date.
MAX_AGE_YEARS = 120
#: The largest household size accepted.
MAX_HOUSEHOLD = 50
#: The `id_kind` of a document other than a national ID or iqama (no check digit).
OTHER_ID_KIND = "other"
NAME_LIMIT = 200
CITY_LIMIT = 80

#: Cities offered as the officer types (any other city written in letters may be typed).
SAUDI_CITIES: tuple[str, ...] = (
    "الرياض", "جدة", "مكة المكرمة", "المدينة المنورة", "الدمام", "الخبر", "الظهران", "الأحساء", "القطيف",
    "الطائف", "تبوك", "بريدة", "عنيزة", "حائل", "أبها", "خميس مشيط", "جازان", "نجران", "الباحة", "سكاكا",
    "عرعر", "القريات", "ينبع", "الجبيل", "حفر الباطن", "الخرج", "المجمعة", "بئر بن هرماس", "بيشة", "القنفذة",
    "الرس", "الزلفي", "شقراء", "الدوادمي", "وادي الدواسر", "الأفلاج", "رابغ", "الليث", "العلا", "تيماء",
    "ضباء", "الوجه", "أملج", "حقل", "رفحاء", "طريف", "دومة الجندل", "صبيا", "أبو عريش", "صامطة",
    "محايل عسير", "النماص", "سراة عبيدة", "شرورة", "المخواة", "بلجرشي", "الخفجي", "رأس تنورة", "بقيق",
    "النعيرية", "المذنب", "البكيرية", "الجموم", "خليص", "بدر", "المهد", "الحناكية",
)
#: What a city may hold besides letters and single spaces (between words only).
_CITY_JOINERS = frozenset("-.")


def household_required(profile: PolicyProfile | None) -> bool:
    """True when the policy's eligibility relies on the household size (its `[eligibility] particulars`)."""
    eligibility = profile.eligibility if profile is not None else None
    return eligibility is not None and "household_size" in eligibility.particulars


#: One problem: the field it concerns and the Arabic reason.
Problem = tuple[str, str]


@dataclass(frozen=True)
class Particulars:
    """The verify step's particulars once checked: cleaned text, parsed dates, the canonical mobile."""

    full_name: str
    id_number: str
    id_kind: str
    id_expiry: date
    birth_date: date | None
    mobile: str
    city: str | None
    household_size: int | None
    gender: str


def _id_kind_label(kind: str) -> str:
    try:
        return IdKind(kind).label_ar
    except ValueError:
        return "وثيقة أخرى"


def _name(typed: str) -> tuple[str, str | None]:
    """The cleaned name and the problem of its text (not of its number of parts)."""
    try:
        name = " ".join(clean_text(typed or "", max_length=NAME_LIMIT, field="full_name").split())
    except InputError as exc:
        return "", exc.message_ar
    if not name:
        return "", "الاسم فارغ: أدخل الاسم الرباعي"
    if any(ch.isdigit() for ch in name):
        return name, "الاسم لا يحتوي على أرقام"
    if not any(ch.isalpha() for ch in name):
        return name, "الاسم يجب أن يتكون من حروف"
    return name, None


def _identity(typed: str, chosen_kind: str) -> tuple[str, str, str | None]:
    """(number, kind, problem) of the identity document."""
    if chosen_kind == OTHER_ID_KIND:
        number = "".join(to_latin_digits(strip_bidi_controls(typed or "")).split()).upper()
        if not (5 <= len(number) <= 10 and number.isascii() and number.isalnum()):
            return number, OTHER_ID_KIND, "رقم الوثيقة يجب أن يكون من 5 إلى 10 حروف لاتينية أو أرقام"
        return number, OTHER_ID_KIND, None
    try:
        saudi = validate_saudi_id(typed or "", field="id_number")
    except InputError as exc:
        return "", "", exc.message_ar
    if chosen_kind and chosen_kind != saudi.kind.value:
        return saudi.number, saudi.kind.value, (
            f"الرقم المدخل رقم {saudi.kind.label_ar} وليس {_id_kind_label(chosen_kind)}: "
            "رقم الهوية الوطنية يبدأ بالرقم 1 ورقم الإقامة بالرقم 2"
        )
    return saudi.number, saudi.kind.value, None


def _gender(chosen: str) -> tuple[str, str | None]:
    value = (chosen or "").strip()
    if value not in dict(GENDER_CHOICES):
        return "", "اختر الجنس: ذكر أو أنثى (تُخاطَب به الخطابات والإقرار)"
    return value, None


def _parts_problem(name: str, id_kind: str) -> str | None:
    parts = len(name_tokens(name))
    if id_kind == IdKind.NATIONAL_ID.value and parts < 4:
        return "أدخل الاسم الرباعي: الاسم واسم الأب واسم الجد واسم العائلة"
    if parts < 2:
        return "أدخل الاسم كاملًا: الاسم واسم العائلة على الأقل"
    return None


def _expiry(typed: str, today: date) -> tuple[date | None, str | None]:
    if not (typed or "").strip():
        return None, "تاريخ انتهاء الهوية فارغ: اكتبه هجريًا أو ميلاديًا"
    try:
        expiry = parse_date_either(typed, field="id_expiry")
    except InputError as exc:
        return None, exc.message_ar
    if expiry < today:
        return expiry, (
            f"انتهت صلاحية الهوية في {format_dual(expiry)}: لا تُقبل هوية منتهية؛ اطلب هوية سارية"
        )
    return expiry, None


def _birth(typed: str, today: date) -> tuple[date | None, str | None]:
    if not (typed or "").strip():
        return None, None
    try:
        birth = parse_date_either(typed, field="birth_date")
    except InputError as exc:
        return None, exc.message_ar
    if birth > today:
        return birth, "تاريخ الميلاد في المستقبل: راجع التاريخ ونوع التقويم"
    if birth < today - timedelta(days=366 * MAX_AGE_YEARS):
        return birth, f"تاريخ الميلاد قبل أكثر من {count_phrase(MAX_AGE_YEARS, YEARS, oblique=True)}: راجع التاريخ"
    return birth, None


def _mobile(typed: str) -> tuple[str, str | None]:
    try:
        return normalize_saudi_mobile(typed or "", field="mobile"), None
    except InputError as exc:
        return "", exc.message_ar


def _city(typed: str) -> tuple[str | None, str | None]:
    try:
        city = " ".join(clean_text(typed or "", max_length=CITY_LIMIT, field="city").split())
    except InputError as exc:
        return None, exc.message_ar
    if any(ch.isdigit() for ch in city):
        return city or None, "اسم المدينة لا يحتوي على أرقام: اكتبه بالحروف (مثل الرياض)"
    if city and (not all(ch.isalpha() or ch == " " or ch in _CITY_JOINERS for ch in city)
                 or not city[0].isalpha() or not city[-1].isalpha()):
        return city, "اسم المدينة حروف فقط: اختره من القائمة أو اكتبه بالحروف"
    return city or None, None


def _household(typed: str, required: bool) -> tuple[int | None, str | None]:
    text = to_latin_digits(strip_bidi_controls(typed or "")).strip()
    if not text:
        if required:
            return None, "عدد أفراد الأسرة مطلوب في سياسة الجمعية لتقييم الاستحقاق: اكتبه رقمًا"
        return None, None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_HOUSEHOLD:
        return None, f"عدد أفراد الأسرة رقم من 1 إلى {MAX_HOUSEHOLD}"
    return int(text), None


def check_particulars(
    typed: ParticularsInput, *, today: date, household_required: bool = False
) -> Particulars | list[Problem]:
    """The cleaned particulars, or every problem found as (field, Arabic message), one per field at most.

    `household_required` is `household_required(profile)` of the case's policy (the page and the service both
    pass it): an empty household size is then a problem.
    """
    problems: list[Problem] = []
    name, name_problem = _name(typed.full_name)
    if name_problem:
        problems.append(("full_name", name_problem))
    gender, gender_problem = _gender(typed.gender)
    if gender_problem:
        problems.append(("gender", gender_problem))
    number, id_kind, id_problem = _identity(typed.id_number, (typed.id_kind or "").strip())
    if id_problem:
        problems.append(("id_number", id_problem))
    elif not name_problem:
        parts_problem = _parts_problem(name, id_kind)
        if parts_problem:
            problems.append(("full_name", parts_problem))
    expiry, expiry_problem = _expiry(typed.id_expiry, today)
    birth, birth_problem = _birth(typed.birth_date, today)
    mobile, mobile_problem = _mobile(typed.mobile)
    city, city_problem = _city(typed.city)
    household, household_problem = _household(typed.household_size, household_required)
    for field, problem in (
        ("id_expiry", expiry_problem),
        ("birth_date", birth_problem),
        ("mobile", mobile_problem),
        ("city", city_problem),
        ("household_size", household_problem),
    ):
        if problem:
            problems.append((field, problem))
    if problems:
        return problems
    assert expiry is not None  # no problem with the expiry means it was parsed
    return Particulars(name, number, id_kind, expiry, birth, mobile, city, household, gender)
