"""Arabic wording of a policy profile for display: decision promise, approval record, counts (no Qt)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from desktop.arabic_text import isolate, display_digits
from desktop.counting import CHANNELS, STEPS, TOOLS, count_phrase
from desktop.hijri import format_gregorian, format_hijri, parse_hijri

if TYPE_CHECKING:
    from desktop.policy import Approval, PolicyProfile, ProfileProblem, ReplacedApproval

_LATIN_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")

NO_DECISION_TEXT = "لا تنص السياسة على قرار لجنة ولا على مدة له"


def gregorian_text(value: date) -> str:
    """A Gregorian date as the desk writes it: "٢٠٢٢/١٢/٠٢ م", isolated so it keeps its order in Arabic text."""
    return isolate(format_gregorian(value))


def hijri_text(value: str) -> str:
    """A Hijri date string from a profile (YYYY/MM/DD, as the board dated it) written "١٤٤٤/٠٥/٠٨ هـ", isolated."""
    return isolate(display_digits(f"{value} هـ"))


def dates_side_by_side(date_hijri: str | None, date_gregorian: date | None) -> str:
    """Hijri and Gregorian dates of a record side by side; the one the policy omits is taken from Umm al-Qura."""
    if date_hijri is None and date_gregorian is None:
        return "غير مذكور"
    if date_gregorian is None:
        assert date_hijri is not None
        date_gregorian = parse_hijri(date_hijri).to_gregorian()
    hijri = hijri_text(date_hijri) if date_hijri else isolate(format_hijri(date_gregorian))
    return f"{hijri} الموافق {gregorian_text(date_gregorian)}"


def counted_parts(profile: PolicyProfile) -> tuple[str, str, str]:
    """The policy's channels, tools and reception steps counted, each number agreeing with its noun
    (`desktop.counting`): «قناتان»، «٣ أدوات»، «١١ خطوةً»."""
    return (count_phrase(len(profile.channels), CHANNELS), count_phrase(len(profile.tools), TOOLS),
            count_phrase(len(profile.steps), STEPS))


def decision_text(profile: PolicyProfile) -> str:
    """The committee decision promise in the policy's own wording."""
    if profile.decision is None:
        return NO_DECISION_TEXT
    return display_digits(profile.decision.period_text)


def approval_meeting_text(approval: Approval | ReplacedApproval) -> str:
    """Which body approved the policy, and at which meeting."""
    body = getattr(approval, "body", None)
    return display_digits(f"{body}، {approval.meeting}" if body else approval.meeting)


def approval_text(profile: PolicyProfile) -> str:
    """The board approval record in one line: meeting and dates (Hijri and Gregorian)."""
    approval = profile.approval
    if approval is None:
        return "لا تذكر السياسة محضر اعتمادها"
    return f"{approval_meeting_text(approval)} — {dates_side_by_side(approval.date_hijri, approval.date_gregorian)}"


def profile_summary(profile: PolicyProfile) -> str:
    """One line for choosing a policy: decision promise, number of channels and of reception steps."""
    return (
        f"مدة القرار: {decision_text(profile)}؛ القنوات: {counted_parts(profile)[0]}؛ "
        f"خطوات الاستقبال: {counted_parts(profile)[2]}"
    )


def problem_line(problem: ProfileProblem) -> str:
    """One Arabic line for a problem of a policy file: where in the file (key, line), then why."""
    where = []
    if problem.key:
        where.append(f"المفتاح {isolate(problem.key)}")
    if problem.line is not None:
        where.append(f"السطر {problem.line}")
    reason = _LATIN_HYPHEN.sub("\u2011", problem.reason)  # "notify-committee" must not break at its hyphen
    return f"• {'، '.join(where)}: {reason}" if where else f"• {reason}"


def policy_label(profile: PolicyProfile) -> str:
    """The footer line of every document: the policy, its version and its board approval (dates in both calendars)."""
    title = profile.title or "سياسة تنظيم العلاقة مع المستفيدين"
    return f"{title} — الإصدار {isolate(profile.version)} — {approval_text(profile)}"


@dataclass(frozen=True)
class CaseWords:
    """How the screens name a case of a policy: «الحالة» (feminine), or «البلاغ» for a policy of reports.

    `verb(stem)` agrees a past verb with it («أُغلقت الحالة» / «أُغلق البلاغ»); `pick(feminine, masculine)` any
    other agreeing word («متروكة» / «متروكًا»).
    """

    noun: str
    plural: str
    feminine: bool

    def verb(self, stem: str) -> str:
        """A past verb agreeing with the noun: the stem, with «ت» for a feminine noun."""
        return stem + "ت" if self.feminine else stem

    def pick(self, feminine: str, masculine: str) -> str:
        """The form of a word agreeing with the noun."""
        return feminine if self.feminine else masculine


#: A case of an application policy.
CASE_WORDS = CaseWords("الحالة", "الحالات", feminine=True)
#: A report of a rescue association's policy.
REPORT_WORDS = CaseWords("البلاغ", "البلاغات", feminine=False)


def case_words(reports: bool) -> CaseWords:
    """The words for a case of a policy of reports (`reports`) or of applications."""
    return REPORT_WORDS if reports else CASE_WORDS


#: The heading of the privacy notice, on the reception's page and on the declaration.
PRIVACY_TITLE = "إشعار الخصوصية وحماية البيانات الشخصية"
#: The line under the notice: signing the declaration acknowledges having been shown it.
PRIVACY_ACKNOWLEDGEMENT = "عُرض هذا الإشعار على مقدم الطلب قبل توقيع الإقرار، وتوقيعه إقرارٌ بالاطلاع عليه."


def privacy_notice(profile: PolicyProfile) -> tuple[str, ...]:
    """The profile's privacy notice as paragraphs (purpose, what is collected, who sees it, retention, the
    person's rights, contact), per the Personal Data Protection Law; () when the profile has no [privacy]."""
    from desktop.counting import YEARS, count_phrase

    privacy = profile.privacy
    if privacy is None:
        return ()
    # A rescue profile (reports escalated and dispatched: `desktop.policy.is_rescue_profile`, which imports this
    # module) keeps reports, not requests.
    rescue = any(step.kind.value in ("escalate", "dispatch") for step in profile.steps)
    record = "البلاغ" if rescue else "الطلب"
    return (
        f"الغرض: {privacy.purpose}",
        f"البيانات التي نجمعها: {privacy.collected}",
        f"من يطّلع عليها: {privacy.shared_with}",
        f"مدة الاحتفاظ: تُحفظ بيانات {record} {count_phrase(privacy.retention_years, YEARS, oblique=True)} بعد "
        "إغلاقه، ثم تُحذف البيانات الشخصية منه ويبقى العدد في الإحصاءات دون ما يدل على صاحبه.",
        f"حقوقك: {privacy.rights}",
        f"للتواصل: {privacy.contact}",
    )
