"""One table of the words the reports use: the dashboard, the period PDF and the workbook name each figure alike.

A figure has one Arabic name wherever it is shown or printed (the officer reads «المنتقدون» on the
screen and finds «المنتقدون» in the board's report, never «غير المروّجين» there). Screens, PDF and
workbook take their labels from here; only the digits and the layout differ between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.arabic_text import display_digits

__all__ = [
    "CASES_BY_STATUS",
    "COMPLAINTS",
    "CONTACTS",
    "CONTACTS_BY_CHANNEL",
    "DECISIONS",
    "DETRACTORS",
    "MEDIAN_DAYS_TO_DECISION",
    "NPS_GROUPS",
    "CLOSED",
    "FOLLOW_UP_HEADERS",
    "OPENED",
    "OPEN_NOW",
    "OVERDUE_NOW",
    "PASSIVES",
    "PROMOTERS",
    "QUESTION_SCORES",
    "RECOMMENDATION_ANSWERS",
    "RECOMMENDATION_SCORE",
    "SATISFACTION_INDEX",
    "SATISFACTION_BY_MONTH",
    "SATISFACTION_MEAN",
    "SATISFACTION_TREND",
    "SUGGESTIONS",
    "SUGGESTIONS_AND_COMPLAINTS",
    "SURVEY_RESPONSES",
    "WITHIN_PROMISE",
    "WITHIN_PROMISE_SHARE",
    "RecommendationGroup",
]


@dataclass(frozen=True)
class RecommendationGroup:
    """One group of answers to the 0–10 recommendation question (promoters, passives, detractors)."""

    name: str
    #: The same name after a noun or preposition (نسبة المنتقدين).
    genitive: str
    low: int
    high: int

    def span(self, *, arabic_digits: bool = True) -> str:
        """The answers of the group, e.g. «(٠–٦)»."""
        span = f"({self.low}–{self.high})"
        return display_digits(span) if arabic_digits else span

    def label(self, *, arabic_digits: bool = True) -> str:
        """The group's name with its range, e.g. «المنتقدون (٠–٦)»."""
        return f"{self.name} {self.span(arabic_digits=arabic_digits)}"


# Contacts and the committee.
CONTACTS = "التواصل (الطلبات والبلاغات المستلمة)"
CONTACTS_BY_CHANNEL = "التواصل حسب القناة"
CASES_BY_STATUS = "الحالات حسب وضعها"
DECISIONS = "قرارات لجنة البحث"
MEDIAN_DAYS_TO_DECISION = "الوسيط من التقديم إلى القرار"
WITHIN_PROMISE = "القرارات في المدة الموعودة"
WITHIN_PROMISE_SHARE = "نسبة القرارات في المدة الموعودة"
OVERDUE_NOW = "المتأخرة عن موعد القرار الآن"

# Satisfaction.
SURVEY_RESPONSES = "التقييمات المستلمة"
SATISFACTION_INDEX = "مؤشر الرضا"
SATISFACTION_MEAN = "متوسط الرضا"
SATISFACTION_TREND = "اتجاه مؤشر الرضا شهريًا"
#: The workbook's sheet of the monthly figures (a sheet name has at most 31 characters).
SATISFACTION_BY_MONTH = "مؤشر الرضا شهريًا"
QUESTION_SCORES = "الرضا حسب السؤال"

# The recommendation question (net promoter score).
RECOMMENDATION_SCORE = "مؤشر التوصية"
RECOMMENDATION_ANSWERS = "إجابات سؤال التوصية"
PROMOTERS = RecommendationGroup("المروّجون", "المروّجين", 9, 10)
PASSIVES = RecommendationGroup("المحايدون", "المحايدين", 7, 8)
DETRACTORS = RecommendationGroup("المنتقدون", "المنتقدين", 0, 6)
#: In the order every report lists them.
NPS_GROUPS: tuple[RecommendationGroup, ...] = (PROMOTERS, PASSIVES, DETRACTORS)

# Suggestions and complaints (the word the case desk uses: «اقتراح»).
SUGGESTIONS = "الاقتراحات"
COMPLAINTS = "الشكاوى"
SUGGESTIONS_AND_COMPLAINTS = "الاقتراحات والشكاوى"
#: Received, closed (in the period), and still open today.
OPENED = "الواردة"
CLOSED = "المغلقة"
OPEN_NOW = "المفتوحة الآن"
#: Column heads of the follow-up table.
FOLLOW_UP_HEADERS = (f"{OPENED} في الفترة", f"{CLOSED} في الفترة", OPEN_NOW)
