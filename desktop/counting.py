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

After a preposition the dual is oblique («قبل يومين»، «من قرارين»): `count_phrase(…, oblique=True)`.
`part_of(part, whole, noun)` says «٥ من ٦ قرارات» (the noun agrees with the whole). Both format the number
here and nowhere else, so the desk's digit style is applied in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from desktop.arabic_text import DigitStyle, display_digits, to_arabic_digits

__all__ = [
    "ACCOUNTS",
    "ANSWERS",
    "APPOINTMENTS",
    "ATTACHMENTS",
    "ATTEMPTS",
    "BACKUPS",
    "BENEFICIARIES",
    "CASES",
    "CHANGES",
    "CHANNELS",
    "COMPLAINTS",
    "CONFLICTS",
    "DAYS",
    "DECISIONS",
    "DIGITS",
    "DOCUMENTS",
    "FIELDS",
    "FILES",
    "HOURS",
    "MEMBERS",
    "MINUTES",
    "OFFICERS",
    "QUESTIONS",
    "REFERRALS",
    "REPORTS",
    "REQUESTS",
    "RESPONSES",
    "ROWS",
    "STEPS",
    "TOOLS",
    "TABLES",
    "YEARS",
    "Noun",
    "PluralCategory",
    "count_phrase",
    "number_text",
    "part_of",
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

    @property
    def dual_oblique(self) -> str:
        """The dual after a preposition or as an object: «يومين»، «ساعتين» (the nominative's «ان» made «ين»)."""
        return self.dual[:-2] + "ين" if self.dual.endswith("ان") else self.dual

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
MEMBERS = Noun("عضو", "عضوان", "أعضاء", "عضوًا")
QUESTIONS = Noun("سؤال", "سؤالان", "أسئلة", "سؤالًا")
ANSWERS = Noun("إجابة", "إجابتان", "إجابات", "إجابةً", feminine=True)
COMPLAINTS = Noun("شكوى", "شكويان", "شكاوى", "شكوى", feminine=True)
CHANGES = Noun("تغيير", "تغييران", "تغييرات", "تغييرًا")
CONFLICTS = Noun("تعارض", "تعارضان", "تعارضات", "تعارضًا")
BENEFICIARIES = Noun("مستفيد", "مستفيدان", "مستفيدين", "مستفيدًا")
OFFICERS = Noun("موظف", "موظفان", "موظفين", "موظفًا")
STEPS = Noun("خطوة", "خطوتان", "خطوات", "خطوةً", feminine=True)
REFERRALS = Noun("إحالة", "إحالتان", "إحالات", "إحالةً", feminine=True)
DIGITS = Noun("رقم", "رقمان", "أرقام", "رقمًا")
YEARS = Noun("سنة", "سنتان", "سنوات", "سنةً", feminine=True)
ACCOUNTS = Noun("حساب", "حسابان", "حسابات", "حسابًا")
ATTEMPTS = Noun("محاولة", "محاولتان", "محاولات", "محاولةً", feminine=True)
CHANNELS = Noun("قناة", "قناتان", "قنوات", "قناةً", feminine=True)
APPOINTMENTS = Noun("موعد", "موعدان", "مواعيد", "موعدًا")
TOOLS = Noun("أداة", "أداتان", "أدوات", "أداةً", feminine=True)
ATTACHMENTS = Noun("مرفق", "مرفقان", "مرفقات", "مرفقًا")
BACKUPS = Noun("نسخة", "نسختان", "نسخ", "نسخةً", feminine=True)
TABLES = Noun("جدول", "جدولان", "جداول", "جدولًا")
FILES = Noun("ملف", "ملفان", "ملفات", "ملفًا")


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


def number_text(count: int, *, digits: str | None = None, grouped: bool = False) -> str:
    """A counted number in the desk's digit style (`desktop.arabic_text.display_digits`); `digits` ("arabic" or
    "latin") forces one style instead.

    `grouped` separates thousands (١٢٬٣٤٥ or 12,345), as the reports and the case list write large counts.
    """
    number = f"{abs(count):,}" if grouped else str(abs(count))
    if digits is None:
        return display_digits(number.replace(",", "٬")) if grouped else display_digits(number)
    if digits == DigitStyle.LATIN:
        return number
    return to_arabic_digits(number).replace(",", "٬")


def count_phrase(count: int, noun: Noun, *, digits: str | None = None, oblique: bool = False,
                 grouped: bool = False) -> str:
    """The number with its noun in agreement: «يوم واحد»، «يومان»، «٣ أيام»، «١١ يومًا»، «١٠٠ يوم».

    The number is in the desk's digit style (`desktop.arabic_text.display_digits`); `digits` ("arabic" or
    "latin") forces one style instead. `oblique` gives the dual as it follows a preposition («قبل يومين»،
    «من قرارين»); `grouped` separates thousands («١٢٬٣٤٥ حالة»).
    """
    category = plural_category(count)
    if category is PluralCategory.ONE:
        return f"{noun.singular} {'واحدة' if noun.feminine else 'واحد'}"
    if category is PluralCategory.TWO:
        return noun.dual_oblique if oblique else noun.dual
    return f"{number_text(count, digits=digits, grouped=grouped)} {noun.form(category)}"


def part_of(part: int, whole: int, noun: Noun, *, digits: str | None = None, grouped: bool = False) -> str:
    """«٥ من ٦ قرارات»، «١ من قرارين»: a part of a counted whole, the noun agreeing with the whole."""
    whole_text = count_phrase(whole, noun, digits=digits, oblique=True, grouped=grouped)
    return f"{number_text(part, digits=digits, grouped=grouped)} من {whole_text}"
