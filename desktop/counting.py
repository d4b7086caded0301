"""Counting nouns in Arabic: a number agreeing with its noun, for every screen, PDF, CLI line and message.

Arabic chooses the noun's form by the number, and past 100 by its last two digits:

=========================  ==========================  =====================
count                      form                        example (يوم)
=========================  ==========================  =====================
0                          the number, singular         ٠ يوم
1                          the noun, then «واحد/واحدة»  يوم واحد
2                          the dual alone               يومان
3–10 (and x03–x10)         the number, plural           ٣ أيام، ١٠٣ أيام
11–99 (and x11–x99)        the number, accusative sg.   ١١ يومًا، ١١١ يومًا
100, 101, 102, 200 …       the number, singular         ١٠٠ يوم، ١٠٢ يوم
=========================  ==========================  =====================

This is the CLDR plural rule for Arabic (zero, one, two, few, many, other). Each noun gives its four
forms and its gender (for «واحد» or «واحدة»); the number is written in the desk's digit style
(`desktop.arabic_text.display_digits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from desktop.arabic_text import DigitStyle, display_digits, to_arabic_digits

__all__ = [
    "BENEFICIARIES",
    "ACCOUNTS",
    "ATTEMPTS",
    "CASES",
    "DAYS",
    "DECISIONS",
    "DOCUMENTS",
    "FIELDS",
    "HOURS",
    "MEMBERS",
    "MINUTES",
    "REPORTS",
    "REQUESTS",
    "RESPONSES",
    "ROWS",
    "STEPS",
    "Noun",
    "PluralCategory",
    "count_phrase",
    "plural_category",
]


class PluralCategory(StrEnum):
    """Arabic's number categories (CLDR's names)."""

    ZERO = "zero"
    ONE = "one"
    TWO = "two"
    FEW = "few"
    MANY = "many"
    OTHER = "other"


@dataclass(frozen=True)
class Noun:
    """A countable noun's forms: singular, dual (nominative), plural, accusative singular (تمييز), and gender."""

    singular: str
    dual: str
    plural: str
    accusative: str
    feminine: bool = False

    def form(self, category: PluralCategory) -> str:
        """The noun's form for a number of this category."""
        if category is PluralCategory.TWO:
            return self.dual
        if category is PluralCategory.FEW:
            return self.plural
        if category is PluralCategory.MANY:
            return self.accusative
        return self.singular


DAYS = Noun("يوم", "يومان", "أيام", "يومًا")
HOURS = Noun("ساعة", "ساعتان", "ساعات", "ساعةً", feminine=True)
MINUTES = Noun("دقيقة", "دقيقتان", "دقائق", "دقيقةً", feminine=True)
CASES = Noun("حالة", "حالتان", "حالات", "حالةً", feminine=True)
REQUESTS = Noun("طلب", "طلبان", "طلبات", "طلبًا")
REPORTS = Noun("بلاغ", "بلاغان", "بلاغات", "بلاغًا")
DECISIONS = Noun("قرار", "قراران", "قرارات", "قرارًا")
DOCUMENTS = Noun("مستند", "مستندان", "مستندات", "مستندًا")
RESPONSES = Noun("تقييم", "تقييمان", "تقييمات", "تقييمًا")
ROWS = Noun("سجل", "سجلان", "سجلات", "سجلًا")
FIELDS = Noun("حقل", "حقلان", "حقول", "حقلًا")
BENEFICIARIES = Noun("مستفيد", "مستفيدان", "مستفيدين", "مستفيدًا")
STEPS = Noun("خطوة", "خطوتان", "خطوات", "خطوةً", feminine=True)
MEMBERS = Noun("عضو", "عضوان", "أعضاء", "عضوًا")
ACCOUNTS = Noun("حساب", "حسابان", "حسابات", "حسابًا")
ATTEMPTS = Noun("محاولة", "محاولتان", "محاولات", "محاولةً", feminine=True)


def plural_category(count: int) -> PluralCategory:
    """Which form a whole number takes (by its last two digits from 100 on); negatives count as their size."""
    n = abs(count)
    if n == 0:
        return PluralCategory.ZERO
    if n == 1:
        return PluralCategory.ONE
    if n == 2:
        return PluralCategory.TWO
    last_two = n % 100
    if 3 <= last_two <= 10:
        return PluralCategory.FEW
    if 11 <= last_two <= 99:
        return PluralCategory.MANY
    return PluralCategory.OTHER


def count_phrase(count: int, noun: Noun, *, digits: str | None = None) -> str:
    """The number with its noun in agreement: «يوم واحد»، «يومان»، «٣ أيام»، «١١ يومًا»، «١٠٠ يوم».

    The number is in the desk's digit style (`desktop.arabic_text.display_digits`); `digits` ("arabic" or
    "latin") forces one style instead.
    """
    category = plural_category(count)
    if category is PluralCategory.ONE:
        return f"{noun.singular} {'واحدة' if noun.feminine else 'واحد'}"
    if category is PluralCategory.TWO:
        return noun.dual
    number = str(abs(count))
    if digits is None:
        number = display_digits(number)
    elif digits != DigitStyle.LATIN:
        number = to_arabic_digits(number)
    return f"{number} {noun.form(category)}"
