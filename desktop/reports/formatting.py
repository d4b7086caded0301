"""How report figures are written in Arabic text: counts, means, percentages, days, and «no data»."""

from __future__ import annotations

from desktop.arabic_text import display_digits
from desktop.counting import DAYS, MINUTES, count_phrase
from desktop.documents.arabic_pdf import ltr

__all__ = ["NO_DATA", "count", "days", "mean", "minutes", "percent", "signed"]

#: Written instead of a share or a mean over nothing (never a division by zero).
NO_DATA = "لا توجد بيانات"


def count(value: int) -> str:
    """A count in Arabic-Indic digits with Arabic thousands separators: ١٢٬٣٤٥."""
    return display_digits(f"{value:,}".replace(",", "٬"))


def _decimal(value: float, places: int) -> str:
    return display_digits(f"{value:,.{places}f}".replace(",", "٬").replace(".", "٫"))


def percent(value: float | None, places: int = 1) -> str:
    """A percentage such as ٨٢٫٥٪, or «لا توجد بيانات»."""
    if value is None:
        return NO_DATA
    return f"{_decimal(value, places)}٪"


def mean(value: float | None) -> str:
    """A 1..5 mean such as ٤٫٢٥ من ٥, or «لا توجد بيانات»."""
    if value is None:
        return NO_DATA
    return f"{_decimal(value, 2)} من {display_digits('5')}"


def days(value: float | None) -> str:
    """A number of days such as «١٢ يومًا» or «٨ أيام» (a median may end in ٫٥: «٨٫٥ يوم»), or «لا توجد بيانات»."""
    if value is None:
        return NO_DATA
    if value != int(value):
        return f"{_decimal(value, 1)} يوم"
    return count_phrase(int(value), DAYS)


def signed(value: float | None) -> str:
    """A signed score (−100..100) such as +٣٥ or −١٢٫٥, kept left to right so the sign stays in front; or «لا توجد بيانات»."""
    if value is None:
        return NO_DATA
    sign = "+" if value > 0 else "−" if value < 0 else ""
    body = _decimal(abs(value), 1).removesuffix("٫٠")
    return ltr(f"{sign}{body}")


def minutes(value: float | None) -> str:
    """A number of minutes such as «٧ دقائق» or «١٢ دقيقةً» (a median may end in ٫٥: «٧٫٥ دقيقة»), or «لا توجد بيانات»."""
    if value is None:
        return NO_DATA
    rounded = round(value, 1)
    if rounded != int(rounded):
        return f"{_decimal(rounded, 1)} دقيقة"
    return count_phrase(int(rounded), MINUTES)
