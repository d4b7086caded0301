"""What the dashboard and report services hand to the GUI: periods, figures, corrective actions, errors.

Definitions the dashboard, the PDF and the workbook share (one computation, `DashboardService.figures`):

* A period is a range of local (Riyadh) calendar days, both ends included.
* **Contact** (تواصل): a case (application or rescue report) submitted in the period (`case.submitted_at`;
  a draft never submitted is not a contact), counted by its channel.
* **Cases by status**: the current status of the cases submitted in the period.
* **Decision**: the research committee's first accept or reject of a case (a request for more
  information is not a decision), made in the period. Days to decision = local decision day − local
  submission day. "Within the promise": decided on or before the case's promised decision date
  (cases without a promised date are left out of that share).
* **Overdue now**: cases waiting for the committee (awaiting committee or more information requested)
  whose promised decision date is before today — a figure of today, not of the period.
* **Satisfaction**: the mean of every scale5 answer of the responses answered in the period (1..5);
  the percentage is (mean − 1) / 4 × 100, so 1 → 0 % and 5 → 100 %. The trend gives the same per month
  (Hijri months for a Hijri period, Gregorian months otherwise).
* **Recommendation** (NPS-style, only when the profile has a recommend10 question): promoters 9–10,
  detractors 0–6, score = % promoters − % detractors.
* **Suggestions and complaints**: opened = created in the period; closed = closed (`closed_at`) in the
  period; open now = not closed today.
* **Complete beneficiary file**: a case submitted in the period (not a rescue report) whose required
  documents are all provided and none expired on the submission day, and whose declaration is signed
  (a declaration row exists and the case is not waiting for its signature).
* **Reports** (a policy of reports only, `ReportFigures`): rescue reports received in the period
  (`rescue_report.received_at`), per platform and per local day; minutes from received to dispatched and
  from received to closed, over the reports of the period that reached that point: the median and the 90th
  percentile, by linear interpolation between the two nearest ranks (`percentile`; the median of an even
  count is the mean of the middle two); reports escalated to the role the policy's escalate step names.
* A share or mean over nothing is None, and the reports write «لا توجد بيانات» instead of dividing by zero.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from desktop.errors import InputError
from desktop.hijri import GREGORIAN_MONTHS_AR, HIJRI_MONTHS_AR, HijriDate, hijri_month_length

__all__ = [
    "MIN_OFFICER_RESPONSES",
    "CancelCheck",
    "ChannelCount",
    "CorrectiveAction",
    "CorrectiveActionStatus",
    "DashboardFigures",
    "FileCompleteness",
    "FollowUpCounts",
    "MonthScore",
    "OfficerFigure",
    "OfficerFigures",
    "Period",
    "PolicyApproval",
    "ProgressCallback",
    "QuestionScore",
    "Recommendation",
    "ReportDayCount",
    "ReportFigures",
    "ReportPlatformCount",
    "ReportCancelled",
    "ReportError",
    "StatusCount",
    "percentile",
]

#: An officer's aggregate figures appear only when at least this many responses stand behind them.
MIN_OFFICER_RESPONSES = 5

#: ``progress(done, total)``: called as a long export advances.
ProgressCallback = Callable[[int, int], None]
#: ``cancel() -> bool``: polled between steps; True stops the export with `ReportCancelled`.
CancelCheck = Callable[[], bool]


class ReportError(InputError):
    """A report or dashboard action refused for a reason the user can read (Arabic)."""


class ReportCancelled(Exception):
    """The user cancelled a long export; nothing was produced."""


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A reporting period: local (Riyadh) days `start`..`end`, both included, with its Arabic label.

    `calendar` is "hijri" or "gregorian": the months of the satisfaction trend follow it.
    """

    start: date
    end: date
    label_ar: str
    calendar: str = "gregorian"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ReportError("نهاية الفترة قبل بدايتها", field="end")
        if self.calendar not in ("hijri", "gregorian"):
            raise ReportError(f"تقويم غير معروف «{self.calendar}»", field="calendar")

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    @classmethod
    def hijri_month(cls, year: int, month: int) -> Period:
        """One Umm al-Qura month, e.g. Period.hijri_month(1447, 9) for Ramadan 1447."""
        try:
            start = HijriDate(year, month, 1).to_gregorian()
            end = HijriDate(year, month, hijri_month_length(year, month)).to_gregorian()
        except InputError as exc:
            raise ReportError(exc.message_ar, field="period") from None
        return cls(start, end, f"{HIJRI_MONTHS_AR[month - 1]} {year} هـ", "hijri")

    @classmethod
    def gregorian_month(cls, year: int, month: int) -> Period:
        """One Gregorian month."""
        if not 1 <= month <= 12:
            raise ReportError(f"رقم الشهر غير صحيح ({month})", field="period")
        last = _calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), f"{GREGORIAN_MONTHS_AR[month - 1]} {year} م")

    @classmethod
    def hijri_year(cls, year: int) -> Period:
        """One Umm al-Qura year (1 Muharram .. 29/30 Dhu al-Hijjah)."""
        try:
            start = HijriDate(year, 1, 1).to_gregorian()
            end = HijriDate(year, 12, hijri_month_length(year, 12)).to_gregorian()
        except InputError as exc:
            raise ReportError(exc.message_ar, field="period") from None
        return cls(start, end, f"عام {year} هـ", "hijri")

    @classmethod
    def gregorian_year(cls, year: int) -> Period:
        """One Gregorian year."""
        return cls(date(year, 1, 1), date(year, 12, 31), f"عام {year} م")

    @classmethod
    def custom(cls, start: date, end: date, *, calendar: str = "gregorian") -> Period:
        """Any range of days; the label gives both ends in Hijri and Gregorian."""
        from desktop.hijri import format_hijri

        if end < start:
            raise ReportError("نهاية الفترة قبل بدايتها", field="end")
        label = (
            f"من {format_hijri(start, arabic_digits=False)} إلى {format_hijri(end, arabic_digits=False)} "
            f"(من {start:%Y/%m/%d} إلى {end:%Y/%m/%d} م)"
        )
        return cls(start, end, label, calendar)

    def months(self) -> tuple[Period, ...]:
        """The months the period touches (Hijri or Gregorian per `calendar`), each clipped to the period."""
        result: list[Period] = []
        day = self.start
        while day <= self.end:
            if self.calendar == "hijri":
                h = HijriDate.from_gregorian(day)
                month = Period.hijri_month(h.year, h.month)
                label = f"{HIJRI_MONTHS_AR[h.month - 1]} {h.year}"
            else:
                month = Period.gregorian_month(day.year, day.month)
                label = f"{GREGORIAN_MONTHS_AR[day.month - 1]} {day.year}"
            result.append(Period(max(month.start, self.start), min(month.end, self.end), label, self.calendar))
            day = month.end + timedelta(days=1)
        return tuple(result)


# --------------------------------------------------------------------------- dashboard figures


@dataclass(frozen=True)
class ChannelCount:
    """Contacts received on one channel (`name` from the profile; an unknown id is shown as it is)."""

    channel_id: str
    name: str
    count: int


@dataclass(frozen=True)
class StatusCount:
    """Cases in one status, with the status's Arabic label."""

    status: str
    label_ar: str
    count: int


@dataclass(frozen=True)
class QuestionScore:
    """The mean of one scale5 question over the period (None without answers)."""

    question_id: str
    text: str
    answers: int
    mean: float | None
    percent: float | None


@dataclass(frozen=True)
class MonthScore:
    """Satisfaction in one month of the period: responses, mean 1..5 and percentage (None when empty)."""

    label_ar: str
    start: date
    end: date
    responses: int
    mean: float | None
    percent: float | None


@dataclass(frozen=True)
class Recommendation:
    """NPS-style recommendation from the 0–10 question: promoters 9–10, passives 7–8, detractors 0–6."""

    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        """% promoters − % detractors (−100..100); None without answers."""
        if self.answers == 0:
            return None
        return (self.promoters - self.detractors) * 100.0 / self.answers


@dataclass(frozen=True)
class FollowUpCounts:
    """Suggestions or complaints: opened in the period, closed in the period, still open today."""

    opened: int
    closed: int
    open_now: int


def percentile(values: list[float], fraction: float) -> float | None:
    """The `fraction` (0..1) quantile of `values` by linear interpolation between the nearest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


@dataclass(frozen=True)
class ReportPlatformCount:
    """Rescue reports received on one platform (`label` in Arabic; «لم تُحدَّد» when none was recorded)."""

    platform: str
    label: str
    count: int


@dataclass(frozen=True)
class ReportDayCount:
    """Rescue reports received on one local (Riyadh) day."""

    day: date
    count: int


@dataclass(frozen=True)
class ReportFigures:
    """How fast help reached the caller in the period: reports per platform and day, minutes to dispatch and close."""

    received: int
    by_platform: tuple[ReportPlatformCount, ...]
    by_day: tuple[ReportDayCount, ...]
    dispatched: int
    closed: int
    median_minutes_to_dispatch: float | None
    p90_minutes_to_dispatch: float | None
    median_minutes_to_close: float | None
    p90_minutes_to_close: float | None
    escalated: int
    escalation_role: str  # the role the policy's escalate step names (مدير العمليات المركزية)


@dataclass(frozen=True)
class DashboardFigures:
    """Every figure of the dashboard for one period; the PDF and the workbook print exactly these."""

    period: Period
    generated_at: datetime
    contacts_by_channel: tuple[ChannelCount, ...]
    contacts_total: int
    cases_by_status: tuple[StatusCount, ...]
    decisions: int
    median_days_to_decision: float | None
    decided_within_promise: int
    decisions_with_promise: int
    overdue_now: int
    survey_responses: int
    scale_answers: int
    satisfaction_mean: float | None
    satisfaction_percent: float | None
    question_scores: tuple[QuestionScore, ...]
    satisfaction_trend: tuple[MonthScore, ...]
    recommendation: Recommendation | None
    suggestions: FollowUpCounts
    complaints: FollowUpCounts
    reports: ReportFigures | None = None  # a policy of reports only (None for a policy of requests)

    @property
    def within_promise_share(self) -> float | None:
        """Percentage of decisions (with a promised date) made on or before it; None without decisions."""
        if self.decisions_with_promise == 0:
            return None
        return self.decided_within_promise * 100.0 / self.decisions_with_promise

    @property
    def is_empty(self) -> bool:
        """True when nothing at all happened in the period (no contact, decision, response, suggestion)."""
        return (
            self.contacts_total == 0
            and self.decisions == 0
            and self.survey_responses == 0
            and self.suggestions.opened + self.suggestions.closed + self.complaints.opened + self.complaints.closed == 0
        )


@dataclass(frozen=True)
class OfficerFigure:
    """Aggregate satisfaction behind one officer (only with ≥ MIN_OFFICER_RESPONSES responses)."""

    officer_name: str
    responses: int
    mean: float
    percent: float


@dataclass(frozen=True)
class OfficerFigures:
    """Per-officer aggregates for a manager; `shown` False with `message_ar` saying why nothing is shown."""

    shown: bool
    rows: tuple[OfficerFigure, ...]
    hidden_officers: int
    message_ar: str


# --------------------------------------------------------------------------- corrective actions and evidence


class CorrectiveActionStatus(StrEnum):
    """Progress of a corrective action the board decided on."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label_ar(self) -> str:
        """The Arabic label."""
        return {
            CorrectiveActionStatus.PLANNED: "مخطط",
            CorrectiveActionStatus.IN_PROGRESS: "قيد التنفيذ",
            CorrectiveActionStatus.DONE: "منفذ",
            CorrectiveActionStatus.CANCELLED: "ملغى",
        }[self]


@dataclass(frozen=True)
class CorrectiveAction:
    """A corrective action recorded from satisfaction results: finding, action, owner, due date, status."""

    action_id: UUID
    finding: str
    action: str
    owner: str
    due_date: date
    status: CorrectiveActionStatus
    recorded_at: datetime
    completed_at: datetime | None
    overdue: bool = False
    finding_period: tuple[date, date] | None = None


@dataclass(frozen=True)
class PolicyApproval:
    """One adopted policy version and its approval record as the policy states it (None fields when absent)."""

    profile_id: str
    version_label: str
    adopted_at: datetime
    approved_meeting: str | None
    approved_on: date | None
    approved_on_hijri: str | None
    approval_text_ar: str


@dataclass(frozen=True)
class FileCompleteness:
    """Share of complete beneficiary files among the application cases submitted in the period."""

    cases: int
    complete: int
    missing_documents: int
    expired_documents: int
    unsigned_declaration: int
    definition_ar: str = field(
        default=(
            "الملف المكتمل: جميع المستندات المطلوبة مقدَّمة وسارية يوم تقديم الطلب، "
            "والإقرار موقَّع (لا ينتظر التوقيع)."
        )
    )

    @property
    def share(self) -> float | None:
        """Percentage of complete files; None when no case was submitted."""
        if self.cases == 0:
            return None
        return self.complete * 100.0 / self.cases
