"""Arabic wording shared by the case desk screens: counts, day countdowns, dates and moments."""

from __future__ import annotations

from datetime import date, datetime

from desktop.arabic_text import display_digits, isolate
from desktop.counting import CASES, DAYS, Noun, count_phrase
from desktop.hijri import RIYADH, format_gregorian, format_hijri, format_time


def arabic_number(value: int) -> str:
    """An integer in Arabic-Indic digits with the Arabic thousands separator: 10000 → ١٠٬٠٠٠."""
    return display_digits(f"{value:,}".replace(",", "٬"))


def number(value: int) -> str:
    """An Arabic-digit number isolated for use inside Arabic text."""
    return isolate(arabic_number(value))


def count_text(count: int, *, more: bool = False, noun: Noun = CASES) -> str:
    """"١٢٣ حالةً", "حالة واحدة", "حالتان", "لا توجد حالات" or "أكثر من ١٠٬٠٠٠ حالة" (when `more`)."""
    if more:
        return f"أكثر من {count_phrase(count, noun, oblique=True, grouped=True)}"
    if count == 0:
        return f"لا توجد {noun.plural}"
    return count_phrase(count, noun, grouped=True)


def days_phrase(days: int, *, accusative: bool = False) -> str:
    """A number of days in Arabic: يوم واحد، يومان، ٣ أيام، ١٥ يومًا، ١٠٣ أيام (`accusative`: يومًا واحدًا، يومين)."""
    if days == 1 and accusative:
        return "يومًا واحدًا"
    return count_phrase(days, DAYS, oblique=accusative)


def countdown_text(promised: date | None, today: date) -> str:
    """Time left to the promised decision date: «باقي ٣ أيام», «موعدها اليوم» or «متأخرة ٣ أيام»."""
    if promised is None:
        return "بلا موعد"
    return countdown_days((promised - today).days)


def countdown_days(left: int | None) -> str:
    """Days left to a promised date in words (negative: overdue): «باقي ٣ أيام», «موعدها اليوم», «متأخرة يومين»."""
    if left is None:
        return "بلا موعد"
    if left > 0:
        return f"باقي {days_phrase(left)}"
    if left == 0:
        return "موعدها اليوم"
    return f"متأخرة {days_phrase(-left, accusative=True)}"


def dual_date(value: date | None) -> str:
    """A date in Hijri then Gregorian, short and isolated: «‏١٤٤٦/٠٣/١٥ هـ — ٢٠٢٤/٠٩/١٨ م»; "—" when absent."""
    if value is None:
        return "—"
    return f"{isolate(format_hijri(value))} — {isolate(format_gregorian(value))}"


def hijri_date(value: date | None) -> str:
    """A short Hijri date, isolated; "—" when absent."""
    return isolate(format_hijri(value)) if value is not None else "—"


def gregorian_date(value: date | None) -> str:
    """A short Gregorian date, isolated; "—" when absent."""
    return isolate(format_gregorian(value)) if value is not None else "—"


def local_moment(moment: datetime) -> datetime:
    """A stored moment as the Riyadh clock reads it (naive moments are UTC)."""
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(RIYADH)


def moment_text(moment: datetime | None) -> str:
    """A moment as «‏١٤٤٦/٠٣/١٥ هـ — ٢٠٢٤/٠٩/١٨ م، ‏١٠:٣٠» in Riyadh time; "—" when absent."""
    if moment is None:
        return "—"
    local = local_moment(moment)
    return f"{dual_date(local.date())}، {isolate(format_time(local))}"


def today_riyadh() -> date:
    """Today's date on the Riyadh clock."""
    return datetime.now(RIYADH).date()
