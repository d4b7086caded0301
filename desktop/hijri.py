"""Umm al-Qura Hijri and Gregorian dates: parsing what the officer types, formatting for Arabic text.

Decisions recorded here:

* The Umm al-Qura table (package ``hijridate``) covers 1343/01/01–1500/12/30 هـ =
  1924/08/01–2077/11/16 م. Every date in the app is shown in both calendars, so
  `parse_gregorian` also refuses Gregorian dates outside that range.
* Numeric input is year/month/day or day/month/year; the part with 3–4 digits is the year and it
  must come first or last (two-digit years are refused as ambiguous). Separators "/", "-" or ".",
  spaces around them allowed. The long form "8 جمادى الأولى 1444" is accepted too.
* Month names follow the printed Umm al-Qura calendar: ربيع الآخر, جمادى الآخرة (ربيع الثاني and
  جمادى الثانية are accepted when parsing).
* Output always uses "/" (a "-" reverses inside Arabic text).
* A date copied from an ID card or a document is never refused because our Umm al-Qura table makes its
  month 29 days where the document says 30: `parse_date_either` reads Hijri day 30 of a 29-day month as the
  month's last day, and `parse_date_noted` also returns the note the officer is shown about it.
* Times shown or printed are Riyadh times (`riyadh_moment`, `format_time`); naive moments are UTC.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from hijridate import Gregorian, Hijri, ummalqura

from desktop import arabic_text
from desktop.arabic_text import DigitStyle, normalize_name, strip_bidi_controls, display_digits, to_latin_digits
from desktop.counting import DAYS, count_phrase
from desktop.errors import InputError

__all__ = [
    "RIYADH",
    "local_date",
    "GREGORIAN_MAX",
    "GREGORIAN_MIN",
    "GREGORIAN_MONTHS_AR",
    "HIJRI_MONTHS_AR",
    "HijriDate",
    "add_hijri_months",
    "format_dual",
    "format_gregorian",
    "format_hijri",
    "format_time",
    "hijri_month_length",
    "parse_date_either",
    "parse_date_noted",
    "parse_gregorian",
    "parse_hijri",
    "promised_decision_date",
    "riyadh_moment",
    "riyadh_today",
    "weekday_ar",
]

HIJRI_MONTHS_AR: tuple[str, ...] = (
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
)

GREGORIAN_MONTHS_AR: tuple[str, ...] = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)

_WEEKDAYS_AR = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")

_HIJRI_MIN_YEAR: int = ummalqura.HIJRI_RANGE[0][0]
_HIJRI_MAX_YEAR: int = ummalqura.HIJRI_RANGE[1][0]
GREGORIAN_MIN: date = date(*ummalqura.GREGORIAN_RANGE[0])
GREGORIAN_MAX: date = date(*ummalqura.GREGORIAN_RANGE[1])

_HIJRI_MONTH_LOOKUP: dict[str, int] = {normalize_name(n): i + 1 for i, n in enumerate(HIJRI_MONTHS_AR)}
_HIJRI_MONTH_LOOKUP.update(
    {
        normalize_name("ربيع الثاني"): 4,
        normalize_name("جمادى الاولى"): 5,
        normalize_name("جمادى الثانية"): 6,
        normalize_name("جمادى الثاني"): 6,
        normalize_name("ذي القعدة"): 11,
        normalize_name("ذي الحجة"): 12,
        normalize_name("المحرم"): 1,
    }
)
_GREGORIAN_MONTH_LOOKUP: dict[str, int] = {
    normalize_name(n): i + 1 for i, n in enumerate(GREGORIAN_MONTHS_AR)
}
_GREGORIAN_MONTH_LOOKUP.update({normalize_name("إبريل"): 4, normalize_name("اغسطس"): 8})

_NUMERIC = re.compile(r"(\d{1,4})\s*[/\-.]\s*(\d{1,4})\s*[/\-.]\s*(\d{1,4})")
_LONG = re.compile(r"(\d{1,2})\s+(\D+?)\s+(\d{1,4})")
_MARKER = re.compile(r"(?<=\d)\s*(هجرية|هجري|ه|ميلادية|ميلادي|م)$")

_HIJRI_EXAMPLE = "1444/05/08"
_GREGORIAN_EXAMPLE = "2022/12/02"


#: Saudi Arabia's time zone: UTC+3 all year, no daylight saving. Every local date of the desk is a Riyadh date.
RIYADH = timezone(timedelta(hours=3), "AST")


def local_date(moment: datetime) -> date:
    """The Riyadh calendar date of a moment (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(RIYADH).date()


def riyadh_today() -> date:
    """Today's date in Riyadh, whatever the PC's own zone (from 21:00 UTC it is already tomorrow there)."""
    return local_date(datetime.now(UTC))


def riyadh_moment(moment: datetime) -> datetime:
    """The moment as the Riyadh clock reads it (naive moments are taken as UTC, never as the PC's zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(RIYADH)


def format_time(moment: datetime) -> str:
    """The Riyadh time of a moment, "١٤:٠٥" (24-hour, the desk's digit style); isolate it inside Arabic text."""
    local = riyadh_moment(moment)
    return display_digits(f"{local.hour:02d}:{local.minute:02d}")


def hijri_month_length(year: int, month: int) -> int:
    """Number of days (29 or 30) of a Hijri month in the Umm al-Qura calendar."""
    _check_hijri_year_month(year, month, field=None)
    return int(Hijri(year, month, 1).month_length())


def _check_hijri_year_month(year: int, month: int, *, field: str | None) -> None:
    if not _HIJRI_MIN_YEAR <= year <= _HIJRI_MAX_YEAR:
        raise InputError(
            f"السنة الهجرية {year} خارج نطاق تقويم أم القرى المدعوم "
            f"(من {_HIJRI_MIN_YEAR} إلى {_HIJRI_MAX_YEAR} هـ)",
            field=field,
        )
    if not 1 <= month <= 12:
        raise InputError(f"الشهر {month} غير موجود: الأشهر الهجرية من 1 إلى 12", field=field)


def _check_hijri(year: int, month: int, day: int, *, field: str | None) -> None:
    _check_hijri_year_month(year, month, field=field)
    length = int(Hijri(year, month, 1).month_length())
    if not 1 <= day <= length:
        raise InputError(
            f"اليوم {day} غير موجود في شهر {HIJRI_MONTHS_AR[month - 1]} {year} هـ: "
            f"عدد أيامه {count_phrase(length, DAYS, digits=DigitStyle.LATIN)} في تقويم أم القرى",
            field=field,
        )


def _check_gregorian_range(d: date, *, field: str | None) -> None:
    if not GREGORIAN_MIN <= d <= GREGORIAN_MAX:
        raise InputError(
            f"التاريخ {d:%Y/%m/%d} م خارج النطاق المدعوم لتقويم أم القرى "
            f"(من {GREGORIAN_MIN:%Y/%m/%d} إلى {GREGORIAN_MAX:%Y/%m/%d} م)",
            field=field,
        )


@dataclass(frozen=True, order=True)
class HijriDate:
    """A valid date of the Umm al-Qura calendar (construction refuses impossible dates)."""

    year: int
    month: int
    day: int

    def __post_init__(self) -> None:
        _check_hijri(self.year, self.month, self.day, field=None)

    def __str__(self) -> str:
        return f"{self.year:04d}/{self.month:02d}/{self.day:02d}"

    @property
    def month_name_ar(self) -> str:
        """The Arabic name of the month, e.g. "جمادى الأولى"."""
        return HIJRI_MONTHS_AR[self.month - 1]

    def to_gregorian(self) -> date:
        """The Gregorian date of the same day."""
        g = Hijri(self.year, self.month, self.day).to_gregorian()
        return date(g.year, g.month, g.day)

    @classmethod
    def from_gregorian(cls, d: date) -> HijriDate:
        """The Umm al-Qura date of the Gregorian date `d` (InputError outside the table's range)."""
        _check_gregorian_range(d, field=None)
        if cls is HijriDate:
            return _hijri_of(d.year, d.month, d.day)
        h = Gregorian(d.year, d.month, d.day).to_hijri()
        return cls(h.year, h.month, h.day)


# A list shows the same few hundred dates again and again (the committee queue converts two per row,
# about 20 µs each): each day is converted once. The values are frozen; a date out of range is refused
# before the cache and never kept.
@functools.lru_cache(maxsize=8192)
def _hijri_of(year: int, month: int, day: int) -> HijriDate:
    h = Gregorian(year, month, day).to_hijri()
    return HijriDate(h.year, h.month, h.day)


def _prepare(text: str, field: str | None, empty_message: str) -> tuple[str, str | None]:
    """Latin digits, no bidi/tatweel, trailing period and calendar marker removed; returns (text, marker)."""
    s = to_latin_digits(strip_bidi_controls(text)).replace("\u0640", "").strip()
    s = s.rstrip(". ").strip()
    if not s:
        raise InputError(empty_message, field=field)
    marker: str | None = None
    m = _MARKER.search(s)
    if m:
        marker = "hijri" if m.group(1).startswith("ه") else "gregorian"
        s = s[: m.start()].rstrip(". ").strip()
    return s, marker


def _split_parts(
    s: str, months: dict[str, int], *, field: str | None, format_message: str
) -> tuple[int, int, int]:
    """(year, month, day) from numeric or long-form text, without checking the calendar."""
    m = _NUMERIC.fullmatch(s)
    if m:
        a, b, c = m.groups()
        if len(a) >= 3 and len(c) <= 2:
            return int(a), int(b), int(c)
        if len(c) >= 3 and len(a) <= 2:
            return int(c), int(b), int(a)
        raise InputError(format_message, field=field)
    m = _LONG.fullmatch(s)
    if m:
        month = months.get(normalize_name(m.group(2)))
        if month is None:
            raise InputError(f"اسم الشهر غير معروف: {m.group(2).strip()}", field=field)
        return int(m.group(3)), month, int(m.group(1))
    raise InputError(format_message, field=field)


def _hijri_format_message() -> str:
    return f"صيغة التاريخ الهجري غير صحيحة: اكتبه سنة/شهر/يوم مثل {_HIJRI_EXAMPLE} هـ"


def _gregorian_format_message() -> str:
    return (
        f"صيغة التاريخ الميلادي غير صحيحة: اكتبه يوم/شهر/سنة مثل 02/12/2022 أو {_GREGORIAN_EXAMPLE} م، "
        "والسنة بأربعة أرقام"
    )


def _hijri_from_parts(year: int, month: int, day: int, *, field: str | None) -> HijriDate:
    _check_hijri(year, month, day, field=field)
    return HijriDate(year, month, day)


def _gregorian_from_parts(year: int, month: int, day: int, *, field: str | None) -> date:
    if not 1 <= month <= 12:
        raise InputError(f"الشهر {month} غير موجود: الأشهر الميلادية من 1 إلى 12", field=field)
    if not 1 <= year <= 9999:
        raise InputError(f"السنة {year} غير صحيحة", field=field)
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        raise InputError(
            f"اليوم {day} غير موجود في شهر {GREGORIAN_MONTHS_AR[month - 1]} {year} م: "
            f"عدد أيامه {count_phrase(length, DAYS, digits=DigitStyle.LATIN)}",
            field=field,
        )
    d = date(year, month, day)
    _check_gregorian_range(d, field=field)
    return d


def parse_hijri(text: str, *, field: str | None = None) -> HijriDate:
    """Parse an Umm al-Qura date such as "1444/5/8", "١٤٤٤-٠٥-٠٨ هـ" or "8 جمادى الأولى 1444"."""
    s, marker = _prepare(text, field, "التاريخ الهجري فارغ")
    if marker == "gregorian":
        raise InputError("التاريخ مكتوب بعلامة الميلادي (م) والمطلوب تاريخ هجري", field=field)
    year, month, day = _split_parts(
        s, _HIJRI_MONTH_LOOKUP, field=field, format_message=_hijri_format_message()
    )
    return _hijri_from_parts(year, month, day, field=field)


def parse_gregorian(text: str, *, field: str | None = None) -> date:
    """Parse a Gregorian date such as "2022/12/2", "2022-12-02", "2/12/2022" (day first) or "٢ ديسمبر ٢٠٢٢ م"."""
    s, marker = _prepare(text, field, "التاريخ الميلادي فارغ")
    if marker == "hijri":
        raise InputError("التاريخ مكتوب بعلامة الهجري (هـ) والمطلوب تاريخ ميلادي", field=field)
    year, month, day = _split_parts(
        s, _GREGORIAN_MONTH_LOOKUP, field=field, format_message=_gregorian_format_message()
    )
    return _gregorian_from_parts(year, month, day, field=field)


def parse_date_either(text: str, *, field: str | None = None) -> date:
    """Parse a Hijri or Gregorian date: a year below 1600 means Hijri (a هـ / م marker must agree).

    Hijri day 30 of a month our Umm al-Qura table makes 29 days is read as that month's last day (a date
    printed on a document is never refused for it); `parse_date_noted` gives the note to show with it.
    """
    return parse_date_noted(text, field=field)[0]


def _month_end_note(year: int, month: int, read_as: date) -> str:
    """What the officer is told when a Hijri day 30 was read as the last day of a 29-day month."""
    month_name = HIJRI_MONTHS_AR[month - 1]
    return (
        f"شهر {month_name} {arabic_text.isolate(display_digits(f'{year} هـ'))} تسعة وعشرون يومًا في تقويم أم القرى، "
        f"فعُدّ اليوم {arabic_text.isolate(display_digits('30'))} المكتوب آخرَ يوم فيه: {format_dual(read_as)}. "
        "التاريخ مقبول؛ طابقه مع الوثيقة."
    )


def parse_date_noted(text: str, *, field: str | None = None) -> tuple[date, str | None]:
    """`parse_date_either`, with the note (Arabic) to show beside the date, or None when it reads plainly."""
    s, marker = _prepare(text, field, "التاريخ فارغ")
    months = {**_GREGORIAN_MONTH_LOOKUP, **_HIJRI_MONTH_LOOKUP}
    message = f"صيغة التاريخ غير صحيحة: اكتبه مثل {_HIJRI_EXAMPLE} هـ أو {_GREGORIAN_EXAMPLE} م"
    year, month, day = _split_parts(s, months, field=field, format_message=message)
    is_hijri = year < 1600
    long_name = _LONG.fullmatch(s)
    if long_name:
        key = normalize_name(long_name.group(2))
        if is_hijri and key not in _HIJRI_MONTH_LOOKUP:
            raise InputError(f"اسم الشهر {long_name.group(2).strip()} ليس شهرًا هجريًا", field=field)
        if not is_hijri and key not in _GREGORIAN_MONTH_LOOKUP:
            raise InputError(f"اسم الشهر {long_name.group(2).strip()} ليس شهرًا ميلاديًا", field=field)
    if marker == "hijri" and not is_hijri:
        raise InputError(f"السنة {year} ليست سنة هجرية مع أن التاريخ مكتوب بعلامة (هـ)", field=field)
    if marker == "gregorian" and is_hijri:
        raise InputError(f"السنة {year} ليست سنة ميلادية مع أن التاريخ مكتوب بعلامة (م)", field=field)
    if is_hijri:
        if day == 30:
            _check_hijri_year_month(year, month, field=field)
            if hijri_month_length(year, month) == 29:
                read_as = HijriDate(year, month, 29).to_gregorian()
                return read_as, _month_end_note(year, month, read_as)
        return _hijri_from_parts(year, month, day, field=field).to_gregorian(), None
    return _gregorian_from_parts(year, month, day, field=field), None


def _digits(text: str, arabic_digits: bool) -> str:
    return display_digits(text) if arabic_digits else text


def format_hijri(d: date, *, arabic_digits: bool = True, long: bool = False) -> str:
    """The Umm al-Qura date of `d`: "١٤٤٤/٠٥/٠٨ هـ" or, long, "٨ جمادى الأولى ١٤٤٤ هـ".

    `arabic_digits`: the date is for reading, in the desk's digit style (`display_digits`); False: Latin
    digits as typed and exported (an editable field, a spreadsheet).
    """
    h = HijriDate.from_gregorian(d)
    text = f"{h.day} {h.month_name_ar} {h.year} هـ" if long else f"{h} هـ"
    return _digits(text, arabic_digits)


def format_gregorian(d: date, *, arabic_digits: bool = True, long: bool = False) -> str:
    """The Gregorian date `d`: "٢٠٢٢/١٢/٠٢ م" or, long, "٢ ديسمبر ٢٠٢٢ م" (digits as in `format_hijri`)."""
    if long:
        text = f"{d.day} {GREGORIAN_MONTHS_AR[d.month - 1]} {d.year} م"
    else:
        text = f"{d.year:04d}/{d.month:02d}/{d.day:02d} م"
    return _digits(text, arabic_digits)


def format_dual(d: date, *, arabic_digits: bool = True, long: bool = False, isolate: bool = True) -> str:
    """"<hijri> الموافق <gregorian>", each date wrapped in FSI…PDI when `isolate` is true."""
    hijri = format_hijri(d, arabic_digits=arabic_digits, long=long)
    gregorian = format_gregorian(d, arabic_digits=arabic_digits, long=long)
    if isolate:
        hijri, gregorian = arabic_text.isolate(hijri), arabic_text.isolate(gregorian)
    return f"{hijri} الموافق {gregorian}"


def weekday_ar(d: date) -> str:
    """The Arabic name of the weekday of `d`, e.g. "الأحد"."""
    return _WEEKDAYS_AR[d.weekday()]


def add_hijri_months(d: date, months: int) -> date:
    """`d` moved by `months` Umm al-Qura months, the day clamped to the target month's length."""
    h = HijriDate.from_gregorian(d)
    index = h.year * 12 + (h.month - 1) + months
    year, month0 = divmod(index, 12)
    _check_hijri_year_month(year, month0 + 1, field=None)
    day = min(h.day, hijri_month_length(year, month0 + 1))
    return HijriDate(year, month0 + 1, day).to_gregorian()


def promised_decision_date(
    submitted: date, *, period_days: int | None, period_months: int | None
) -> date | None:
    """The date the committee promised to answer by: submission + days or + Umm al-Qura months; None without a period."""
    if period_days is None and period_months is None:
        return None
    if period_days is not None and period_months is not None:
        raise InputError("مدة البت في الطلب تُحدَّد بالأيام أو بالأشهر، لا بكليهما")
    if period_days is not None:
        if period_days < 0:
            raise InputError("مدة البت في الطلب لا يمكن أن تكون سالبة")
        return submitted + timedelta(days=period_days)
    assert period_months is not None
    if period_months < 0:
        raise InputError("مدة البت في الطلب لا يمكن أن تكون سالبة")
    return add_hijri_months(submitted, period_months)
