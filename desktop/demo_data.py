"""Synthetic demonstration data: realistic Arabic beneficiaries and their cases, fast enough for a million.

Everything generated is fictitious: names are drawn from common Saudi first and family names,
ID numbers are valid by their check digit (`desktop.identity.make_saudi_id`) but made up, mobile
numbers are random. Rows are written with the raw ``sqlite3`` connection of the database's engine
in large transactions (``executemany``), with ``PRAGMA synchronous=OFF`` for the load only; they
use exactly the storage forms of `db.models` (32-hex UUIDs, UTC "YYYY-MM-DD HH:MM:SS.ffffff").

Decisions recorded here:

* ID numbers follow a fixed permutation of a running index that continues after the
  beneficiaries already in the database, so running the generator twice never repeats a number
  (a real beneficiary's number could in theory coincide: the load then fails on the unique index).
* Cases take every status the profile allows: no committee statuses without ``[decision]``, no
  "referred" without a refer step, no "awaiting signature" without a declare step; a rescue
  profile (escalate/dispatch steps) gets the rescue statuses (reported, escalated, dispatched,
  closed). A kind the policy answers at the desk (``needs_decision = false``, an inquiry) is answered
  at the greeting and closed (a few left as drafts), never in a committee status.
* A policy of reports (`is_rescue_profile`) gets a report (`RescueReport`) for every case but the drafts,
  as the reception records it: a caller (the person of the case's file, whose name titles the report file) with a
  Saudi mobile, a platform the policy names (its official number first, then WhatsApp, X, Snapchat, the
  website), a place in or near a Saudi city with coordinates, what happened, and its times: received at any
  hour, escalated (about one in five, or the open «escalated» ones) and dispatched some minutes after the
  steps before them (the step completions' own minutes), closed half an hour to a few hours after the
  dispatch with the help given. The case's channel follows the platform. Open reports are hours old, not
  weeks. A roster of rescue members (`_RESCUE_CITIES`, three per city) is made once; the member sent is the
  nearest one of the report's city (the second nearest, with the reason written, one time in ten), and the
  members sent to a report still open are unavailable after the load.
* Kept light: step completions for the steps a case has passed (an optional step not taken is passed,
  skipped with its reason, as the officer passes it: the case's next step is then the right one), but only
  for cases still in progress and cases submitted since the demo's "go-live" (`GO_LIVE_DAYS` ago); older finished
  cases stand for history entered without its steps. A committee decision for every decided case
  and a referral for referred cases; no declarations, documents or services.
* Satisfaction as the reports expect it: about `SURVEY_SHARE` of the served (and closed) cases leave a
  survey response a few days after their decision, in the profile's anonymity mode (anonymous: no case,
  officer, device or writer, time rounded to the hour), by kiosk, phone or slip; scale answers lean
  positive (the mean is about 4), the recommendation follows them, one in eight writes a suggestion.
* About `FOLLOW_UP_SHARE` of the beneficiaries send a suggestion or complaint (two in five are
  complaints) with its lifecycle as the case desk records it: received, routed, answered and closed
  events; older ones are nearly all closed, recent ones still open or in progress.
* The dashboard's summary tables (`desktop.reports.summaries`) are not kept row by row during the load:
  their triggers are suspended in each batch's transaction and the tables rebuilt set-based at the end.
* Speed: rows are built in a second thread while the previous batch is written; the GIL switch
  interval is lowered for the load (restored after), the FTS5 insert trigger is suspended per
  batch and the batch indexed by one statement, and step completions are made by SQLite itself.
"""

from __future__ import annotations

import json
import queue
import random
import sqlite3
import sys
import threading
import time
import uuid
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from db.engine import Database, driver_connection
from db.ids import uuid7_hex, uuid7_hex_batch
from db.models import APPLICATION_STATUSES, RESCUE_STATUSES, CaseStatus, UserRole
from db.outbox import resume_outbox, suppress_outbox
from desktop.arabic_text import normalize_name
from desktop.errors import InputError
from desktop.hijri import promised_decision_date
from desktop.identity import IdKind, make_saudi_id, phone_search_key
from desktop.policy import QuestionKind, StepKind, is_rescue_profile
from desktop.reception.rescue import haversine_km
from desktop.reports.summaries import rebuild_summaries

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile

__all__ = [
    "DEFAULT_PROFILE_ID",
    "DEMO_CASE_PREFIX",
    "FOLLOW_UP_SHARE",
    "GO_LIVE_DAYS",
    "SURVEY_SHARE",
    "DemoSummary",
    "generate_demo_data",
]

#: The shipped profile used when none is given (the NCNP template policy, 003).
DEFAULT_PROFILE_ID = "mafateeh-alkhair"

#: Prefix of the demo device's case numbers: "DEMO-<Gregorian year>-<7-digit sequence>".
DEMO_CASE_PREFIX = "DEMO"

_BATCH = 20_000  # beneficiaries per transaction

#: Finished cases submitted before this many days ago get no step completions (imported history).
GO_LIVE_DAYS = 90

#: Share of the served and closed cases whose beneficiary answered the satisfaction survey.
SURVEY_SHARE = 0.4

#: Share of the beneficiaries who sent a suggestion or a complaint.
FOLLOW_UP_SHARE = 0.03

# --------------------------------------------------------------------------- name pools
# Variants in spelling (hamza, taa marbuta, alef maqsura, "عبد الله" / "عبدالله", a few with
# diacritics or tatweel) appear as officers really type them; search must find them all.

_MALE_FIRST = (
    "محمد", "محمد", "محمد", "مُحَمَّد", "محـمد", "أحمد", "احمد", "عبد الله", "عبدالله", "عبد الرحمن",
    "عبدالرحمن", "عبد العزيز", "عبدالعزيز", "عبد الإله", "عبدالاله", "عبد الملك", "خالد", "فهد", "سعد",
    "سعود", "سلطان", "فيصل", "ناصر", "تركي", "بندر", "ماجد", "مشعل", "نايف", "عمر", "علي", "إبراهيم",
    "ابراهيم", "يوسف", "حمد", "راشد", "سلمان", "منصور", "مصطفى", "مصطفي", "يحيى", "يحيي", "حسن", "حسين",
    "صالح", "سليمان", "عادل", "وليد", "ياسر", "طلال", "مساعد", "زياد", "هشام", "إسماعيل", "أسامة",
    "اسامه", "رائد", "نواف", "عايض", "مبارك", "غازي", "بدر", "حامد", "عيسى", "موسى", "مؤيد", "هاني",
    "ثامر", "متعب", "عبد المجيد", "عبدالمحسن", "عبد الكريم", "إياد", "أنس", "مازن", "جابر", "شاكر",
)
_FEMALE_FIRST = (
    "فاطمة", "فاطمه", "نورة", "نوره", "سارة", "ساره", "مريم", "عائشة", "عايشة", "هيا", "منيرة", "لطيفة",
    "أمل", "امل", "ريم", "نوف", "هند", "العنود", "الجوهرة", "حصة", "أسماء", "اسماء", "خديجة", "زينب",
    "رقية", "لمى", "جواهر", "شيخة", "مشاعل", "وفاء", "إيمان", "ايمان", "دعاء", "آمنة", "هدى", "ليلى",
    "سلمى", "رنا", "غادة", "بشرى", "أروى", "مها", "أسيل", "رهف", "شهد", "نجلاء", "عبير", "تهاني",
)
_SAUDI_FAMILIES = (
    "العتيبي", "القحطاني", "الشمري", "الحربي", "الغامدي", "الزهراني", "المطيري", "الدوسري", "العنزي",
    "السبيعي", "الشهري", "العمري", "المالكي", "الجهني", "البلوي", "الرشيدي", "الظفيري", "السهلي",
    "العسيري", "القرني", "الأحمدي", "الاحمدي", "الشهراني", "اليامي", "الخالدي", "الفيفي", "البقمي",
    "الثبيتي", "الحارثي", "السلمي", "الصاعدي", "المري", "الهاجري", "العجمي", "آل الشيخ", "الراشد",
    "السديري", "التميمي", "الأنصاري", "الانصاري", "العطوي", "الشريف", "النفيعي", "الزهراني", "باوزير",
    "بن لادن", "آل سعيد", "الرويلي", "الحويطي", "المحمدي", "اللحياني", "الخثعمي", "آل مريع",
)
_RESIDENT_FAMILIES = (
    "الحضرمي", "اليمني", "عثمان", "حسن", "الخطيب", "السوداني", "المصري", "الشامي", "النجار",
    "الحداد", "عبد الرحيم", "إسماعيل", "الأفغاني", "البخاري", "الفلاني", "التكروني",
)
_RESIDENT_NATIONALITIES = ("YE", "EG", "SD", "SY", "JO", "PK", "IN", "BD", "ET", "PS")

_CITIES = (
    "الرياض", "جدة", "مكة المكرمة", "المدينة المنورة", "الدمام", "الخبر", "تبوك", "أبها", "الطائف",
    "بريدة", "حائل", "جازان", "نجران", "الجبيل", "ينبع", "الأحساء", "خميس مشيط", "القطيف", "عرعر",
    "سكاكا", "الباحة", "عنيزة", "الخرج", "حفر الباطن",
)
_MOBILE_SECOND_DIGITS = "013456789"

_REJECT_REASONS = (
    "عدم استيفاء شروط الاستحقاق الواردة في لائحة الجمعية",
    "الدخل الشهري للأسرة يتجاوز الحد المعتمد",
    "الخدمة المطلوبة خارج نطاق خدمات الجمعية",
)
_MORE_INFO_REASONS = (
    "يلزم إرفاق صك الإعالة",
    "يلزم إرفاق تعريف بالراتب حديث",
    "يلزم تحديث بيانات السكن وإرفاق عقد الإيجار",
)
_SURVEY_TEXTS = (
    "أتمنى تقليل مدة دراسة الطلب",
    "شكرًا لحسن الاستقبال والتعامل",
    "نرجو توفير مواقف أكثر أمام مقر الجمعية",
    "يفضل إرسال رسالة نصية عند صدور القرار",
    "الموظفة كانت متعاونة جدًا",
    "نحتاج إلى تمديد ساعات الاستقبال بعد العصر",
    "أرجو توضيح المستندات المطلوبة من البداية",
)
_SUGGESTION_TEXTS = (
    "اقتراح بإتاحة تقديم الطلبات عبر تطبيق الجوال",
    "اقتراح بتخصيص ساعة استقبال لكبار السن",
    "اقتراح بإرسال تذكير قبل انتهاء صلاحية المستندات",
    "اقتراح بتوفير مترجم للمستفيدين من غير الناطقين بالعربية",
    "اقتراح بنشر شروط الاستحقاق على موقع الجمعية",
)
_COMPLAINT_TEXTS = (
    "تأخر الرد على الطلب عن المدة المعلنة",
    "لم يتم الرد على الاتصال الهاتفي أكثر من مرة",
    "طول مدة الانتظار في الاستقبال",
    "لم تصلني رسالة بقرار اللجنة",
    "طلب مني مستند سبق تقديمه",
)
_FOLLOW_UP_RESPONSES = (
    "شكرًا لتواصلكم، تمت دراسة الملاحظة وإحالتها للجهة المختصة",
    "تم التواصل مع المستفيد وتوضيح الإجراء ومعالجة الملاحظة",
    "تمت معالجة الشكوى وإبلاغ المستفيد بالنتيجة",
    "سيُنظر في الاقتراح ضمن خطة التحسين القادمة",
)
_ROUTES = ("officer", "researcher", "committee")

_REFERRAL_NOTES = (
    "استفسار عن شروط الاستحقاق ومدة دراسة الطلب",
    "استفسار عن المستندات المطلوبة للأسرة",
    "طلب توضيح الجوانب التنظيمية للخدمة",
)

# --------------------------------------------------------------------------- rescue reports (بلاغات)
# The cities a rescue association covers, with their centres (latitude, longitude) and places around them
# where people are lost, stuck or hurt. A report's point is the city's centre moved up to ~17 km.
_RESCUE_CITIES: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    ("الرياض", 24.7136, 46.6753, ("طريق الرياض – القصيم قرب منتزه الثمامة", "روضة خريم", "وادي حنيفة",
                                  "نفود العريق غرب الرياض", "طريق الخرج القديم")),
    ("جدة", 21.5433, 39.1728, ("شاطئ أبحر الشمالي", "كورنيش جدة قرب النافورة", "طريق جدة – مكة السريع")),
    ("مكة المكرمة", 21.3891, 39.8579, ("وادي نعمان", "طريق الهدا الصاعد", "جبل ثور")),
    ("المدينة المنورة", 24.5247, 39.5692, ("حرة رهط جنوب المدينة", "طريق المدينة – العلا", "جبل أحد")),
    ("الدمام", 26.4207, 50.0888, ("شاطئ نصف القمر", "طريق الدمام – الأحساء", "كورنيش الدمام")),
    ("تبوك", 28.3838, 36.5550, ("وادي الديسة", "جبل اللوز", "طريق تبوك – ضباء")),
    ("أبها", 18.2164, 42.5053, ("منتزه السودة", "عقبة ضلع", "منتزه الحبلة")),
    ("حائل", 27.5114, 41.7208, ("نفود حائل الكبير", "جبال أجا", "طريق حائل – بقعاء")),
    ("الطائف", 21.2703, 40.4158, ("طريق الشفا", "وادي محرم", "منتزه الردف")),
    ("جازان", 16.8892, 42.5511, ("جبال فيفاء", "شاطئ جازان الشمالي", "وادي بيش")),
    ("بريدة", 26.3260, 43.9750, ("نفود الثويرات", "طريق بريدة – عنيزة", "روضة الخفس")),
    ("سكاكا", 29.9697, 40.2064, ("صحراء النفود شمال سكاكا", "طريق سكاكا – دومة الجندل", "بحيرة دومة الجندل")),
)
_WHAT_HAPPENED = (
    "تعطلت سيارة عائلة في طريق رملي ونفد منهم الماء، ومعهم أطفال",
    "فُقد شاب في البر منذ العصر ولا يرد على جواله",
    "علقت مركبة في مجرى سيل بعد الأمطار وفيها ثلاثة أشخاص",
    "سقط متنزه أثناء صعود الجبل ويشكو من ألم شديد في القدم",
    "غرزت سيارة في الرمال والسائق لا يعرف موقعه بدقة",
    "انقلبت سيارة على طريق ترابي ويحتاج ركابها إلى مساعدة",
    "تاه كبير في السن عن أهله في منطقة برية",
    "جرف التيار سباحًا بعيدًا عن الشاطئ",
    "انقطع الاتصال بمجموعة رحلة برية منذ الأمس",
    "تعطل قارب صيد قرب الشاطئ وعليه شخصان",
)
_HELP_GIVEN = (
    "سُحبت المركبة إلى الطريق المعبّد وزُوّد الركاب بالماء والوقود",
    "عُثر على المفقود سالمًا وسُلّم إلى ذويه",
    "أُخرج الركاب من مجرى السيل ونُقلوا إلى مكان آمن",
    "قُدّمت الإسعافات الأولية ونُقل المصاب إلى أقرب مستشفى بالتنسيق مع الهلال الأحمر",
    "وُجّهت العائلة إلى الطريق العام ورافقها العضو حتى وصلت",
    "أُنقذ السبّاح وأُعيد إلى الشاطئ ولم يحتج إلى نقل",
    "أُصلح عطل المركبة في الموقع وواصل أصحابها طريقهم",
)
_ESCALATION_NOTES = (
    "المبلّغ لا يعرف موقعه بدقة والإشارة ضعيفة: يلزم توجيه مدير العمليات",
    "البلاغ يحتاج تنسيقًا مع الدفاع المدني والهلال الأحمر",
    "أكثر من بلاغ عن الموقع نفسه: يلزم قرار مدير العمليات بالفريق المناسب",
)
_OVERRIDE_REASONS = (
    "العضو الأقرب لا يحمل معدات السحب المطلوبة",
    "العضو الثاني يعرف المنطقة ويصل إليها أسرع من طريق مختصر",
)
#: The platforms a report comes on (`desktop.reception.rescue.REPORT_PLATFORMS` ids), how often, and the
#: policy channel each one is (a channel the profile lacks is replaced by one it has).
_PLATFORM_WEIGHTS: tuple[tuple[str, int, str], ...] = (
    ("phone", 52, "phone"),
    ("whatsapp", 20, "social_media"),
    ("x", 9, "social_media"),
    ("snapchat", 8, "social_media"),
    ("website", 7, "website"),
    ("other", 4, "help_request"),
)
_MEMBERS_PER_CITY = 3
#: Why an optional step was passed, by its kind (written as the officer writes it when passing the step).
_SKIP_REASONS: dict[str, str] = {
    StepKind.ESCALATE.value: "البلاغ واضح ولا يحتاج تحويلًا",
    StepKind.REFER.value: "الإجراءات واضحة للمستفيد ولا تحتاج إحالة",
}
#: First names as an administrator types them on the roster (no diacritics, no tatweel).
_PLAIN_MALE_FIRST = tuple(name for name in _MALE_FIRST if not any("\u064b" <= ch <= "\u0652" or ch == "ـ" for ch in name))


# --------------------------------------------------------------------------- statuses and steps

# How often each status appears (relative weights).
_APPLICATION_WEIGHTS: dict[CaseStatus, int] = {
    CaseStatus.DRAFT: 3,
    CaseStatus.RECEIVED: 6,
    CaseStatus.REFERRED: 3,
    CaseStatus.AWAITING_SIGNATURE: 4,
    CaseStatus.AWAITING_COMMITTEE: 10,
    CaseStatus.MORE_INFO_REQUESTED: 3,
    CaseStatus.ACCEPTED: 5,
    CaseStatus.REJECTED: 8,
    CaseStatus.REGISTERED: 8,
    CaseStatus.SERVED: 20,
    CaseStatus.CLOSED: 30,
}
_RESCUE_WEIGHTS: dict[CaseStatus, int] = {
    CaseStatus.REPORTED: 2,
    CaseStatus.ESCALATED: 2,
    CaseStatus.DISPATCHED: 3,
    CaseStatus.CLOSED: 93,
}
#: Share of the answered-at-the-desk kinds (inquiries) left as unfinished drafts.
_INQUIRY_DRAFT_SHARE = 0.03
#: The plan key of an inquiry answered at the greeting and closed (`demo_plan_step.status`).
_ANSWERED = "answered"


# The step kinds that mark how far a case in this status has come, most specific first: the
# last completed step is the first of these the profile has. AWAITING_SIGNATURE and REFERRED are
# "just before the declare / refer step" and CLOSED is "every step", handled in `_plans`.
_REACHED: dict[CaseStatus, tuple[StepKind, ...]] = {
    CaseStatus.DRAFT: (),
    CaseStatus.RECEIVED: (StepKind.GREET,),
    CaseStatus.AWAITING_COMMITTEE: (StepKind.NOTIFY_COMMITTEE, StepKind.DECLARE, StepKind.VERIFY),
    CaseStatus.MORE_INFO_REQUESTED: (StepKind.NOTIFY_COMMITTEE, StepKind.DECLARE, StepKind.VERIFY),
    CaseStatus.ACCEPTED: (StepKind.NOTIFY_COMMITTEE, StepKind.DECLARE, StepKind.VERIFY),
    CaseStatus.REJECTED: (StepKind.NOTIFY_COMMITTEE, StepKind.DECLARE, StepKind.VERIFY),
    CaseStatus.REGISTERED: (StepKind.REGISTER, StepKind.NOTIFY_COMMITTEE, StepKind.DECLARE),
    CaseStatus.SERVED: (StepKind.SERVE, StepKind.REGISTER),
    CaseStatus.REPORTED: (StepKind.VERIFY, StepKind.GREET),
    CaseStatus.ESCALATED: (StepKind.ESCALATE, StepKind.VERIFY),
    CaseStatus.DISPATCHED: (StepKind.DISPATCH, StepKind.ESCALATE),
}
_COMMITTEE_STATUSES = {
    CaseStatus.AWAITING_COMMITTEE,
    CaseStatus.MORE_INFO_REQUESTED,
    CaseStatus.ACCEPTED,
    CaseStatus.REJECTED,
}
_DECIDED = {
    CaseStatus.MORE_INFO_REQUESTED: "more_info",
    CaseStatus.ACCEPTED: "accept",
    CaseStatus.REJECTED: "reject",
    CaseStatus.REGISTERED: "accept",
    CaseStatus.SERVED: "accept",
    CaseStatus.CLOSED: "accept",
}
_OPEN_STATUSES = {
    CaseStatus.DRAFT,
    CaseStatus.RECEIVED,
    CaseStatus.REFERRED,
    CaseStatus.AWAITING_SIGNATURE,
    CaseStatus.AWAITING_COMMITTEE,
    CaseStatus.MORE_INFO_REQUESTED,
    CaseStatus.REPORTED,
    CaseStatus.ESCALATED,
    CaseStatus.DISPATCHED,
}


@dataclass(frozen=True)
class _StatusPlan:
    """For one status: the profile steps completed, the current step, and what else to write."""

    status: CaseStatus
    last_done: int  # index of the last completed profile step, -1 for none
    last_is_required: bool  # the last completed step defines the status (kept even if optional)
    current_step_id: str | None
    signature_pending: bool
    decision: str | None
    open_referral: bool


@dataclass(frozen=True)
class DemoSummary:
    """What `generate_demo_data` wrote."""

    association_id: uuid.UUID
    policy_version_id: uuid.UUID
    beneficiaries: int
    cases: int
    step_completions: int
    committee_decisions: int
    referrals: int
    survey_responses: int = 0
    suggestions: int = 0
    reports: int = 0
    rescue_members: int = 0
    cases_by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _answered_plan(profile: PolicyProfile) -> _StatusPlan:
    """An inquiry answered at the greeting and closed: the greet step done, nothing after it."""
    kinds = [step.kind for step in profile.steps]
    greet = kinds.index(StepKind.GREET) if StepKind.GREET in kinds else 0
    return _StatusPlan(status=CaseStatus.CLOSED, last_done=greet, last_is_required=True, current_step_id=None,
                       signature_pending=False, decision=None, open_referral=False)


def _plans(profile: PolicyProfile) -> list[_StatusPlan]:
    """The statuses this profile's cases can be in, each with the steps a case in it has passed."""
    kinds = [step.kind for step in profile.steps]
    rescue = StepKind.ESCALATE in kinds or StepKind.DISPATCH in kinds
    committee = profile.decision is not None and not rescue

    def last_index(kind: StepKind) -> int:
        return max(i for i, k in enumerate(kinds) if k is kind)

    plans: list[_StatusPlan] = []
    for status in RESCUE_STATUSES if rescue else APPLICATION_STATUSES:
        required = False
        if status in _COMMITTEE_STATUSES and not committee:
            continue
        if status is CaseStatus.CLOSED:
            last = len(kinds) - 1
        elif status is CaseStatus.REFERRED or status is CaseStatus.AWAITING_SIGNATURE:
            kind = StepKind.REFER if status is CaseStatus.REFERRED else StepKind.DECLARE
            if kind not in kinds:
                continue
            last = kinds.index(kind) - 1
        else:
            present = [kind for kind in _REACHED[status] if kind in kinds]
            last = last_index(present[0]) if present else -1
            required = bool(present)
        plans.append(
            _StatusPlan(
                status=status,
                last_done=last,
                last_is_required=required,
                current_step_id=profile.steps[last + 1].id if last + 1 < len(kinds) else None,
                signature_pending=status is CaseStatus.AWAITING_SIGNATURE,
                decision=_DECIDED.get(status) if committee else None,
                open_referral=status is CaseStatus.REFERRED,
            )
        )
    return plans


# --------------------------------------------------------------------------- helpers


def _ts(value: datetime) -> str:
    """A UTC timestamp in the storage form of `db.models.UtcDateTime`."""
    return value.isoformat(sep=" ", timespec="microseconds")


@lru_cache(maxsize=8192)
def _promised(submitted: date, period_days: int | None, period_months: int | None) -> str | None:
    promised = promised_decision_date(submitted, period_days=period_days, period_months=period_months)
    return None if promised is None else promised.isoformat()


def _id_first_nine(index: int, resident: bool) -> str:
    """A distinct 9-digit start of an ID for every index below 10**8 (a fixed permutation)."""
    body = (index * 48_271 + 12_345_679) % 100_000_000
    return ("2" if resident else "1") + f"{body:08d}"


def _id_stream() -> Iterator[str]:
    """Endless UUIDv7 (32-hex) for bulk rows, made in large blocks."""
    while True:
        yield from uuid7_hex_batch(65_536)


def _cumulative(weights: Sequence[int]) -> list[float]:
    total = float(sum(weights))
    running = 0.0
    out = []
    for weight in weights:
        running += weight
        out.append(running / total)
    out[-1] = 1.0
    return out


# --------------------------------------------------------------------------- the generator


def _load_default_profile() -> PolicyProfile:
    from desktop.policy import load_builtin_profile

    return load_builtin_profile(DEFAULT_PROFILE_ID)


def generate_demo_data(
    db: Database,
    *,
    beneficiaries: int,
    profile: PolicyProfile | None = None,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write `beneficiaries` synthetic beneficiaries with about 1.5 cases each, under `profile`.

    The database must be migrated (`Database.upgrade`). The association, policy version, users
    and the demo device are created when missing, reused otherwise. `progress(done, total)` is
    called after each committed batch of beneficiaries. Rows are built in a second thread
    while the previous batch is written.
    """
    if beneficiaries < 0:
        raise InputError("عدد المستفيدين التجريبيين يجب ألا يكون سالبًا", field="beneficiaries")
    started = time.perf_counter()
    if profile is None:
        profile = _load_default_profile()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)

    raw = db.engine.raw_connection()
    try:
        conn = driver_connection(raw)
        # Outside any transaction: these pragmas are ignored inside one.
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA foreign_keys=OFF")  # every reference is made here, to rows made here
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB while loading
        conn.execute("PRAGMA wal_autocheckpoint=65536")  # copy hot index pages to the file less often
        try:
            refs = _ensure_reference_rows(conn, profile, now, rng)
            first_index = conn.execute("SELECT count(*) FROM beneficiary").fetchone()[0]
            builder = _BatchBuilder(profile, refs, rng, now, first_index, _next_case_sequence(conn))
            totals = _load(conn, builder, beneficiaries, progress)
            if builder.rescue and beneficiaries:
                _mark_members_on_mission(conn)
        finally:
            conn.execute("PRAGMA wal_autocheckpoint=1000")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-32768")
    finally:
        raw.close()
    return DemoSummary(
        association_id=uuid.UUID(hex=refs.association_id),
        policy_version_id=uuid.UUID(hex=refs.policy_version_id),
        beneficiaries=beneficiaries,
        cases=totals["case"],
        step_completions=totals["step_completion"],
        committee_decisions=totals["committee_decision"],
        referrals=totals["referral"],
        survey_responses=totals["survey_response"],
        suggestions=totals["suggestion"],
        reports=totals["rescue_report"],
        rescue_members=len(refs.members),
        cases_by_status=dict(builder.by_status),
        seconds=time.perf_counter() - started,
    )


_INSERT_SQL: dict[str, str] = {
    "beneficiary": (
        "INSERT INTO beneficiary (id, association_id, full_name, name_key, id_number, id_kind, id_expiry, "
        "birth_date, gender, nationality, mobile, phone_key, city, household_size, version, device_id, "
        "updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
    ),
    "case": (
        'INSERT INTO "case" (id, association_id, case_number, beneficiary_id, policy_version_id, channel_id, '
        "case_kind_id, status, officer_id, branch, submitted_at, promised_decision_date, signature_pending, "
        "current_step_id, closed_at, summary, location, version, device_id, updated_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
    ),
    "rescue_report": (
        "INSERT INTO rescue_report (id, case_id, reporter_name, reporter_phone, platform, place, latitude, "
        "longitude, what_happened, received_at, escalated_at, escalation_note, dispatched_at, dispatched_member_id, "
        "nearest_member_id, dispatch_override_reason, closed_at, help_given, version, device_id, updated_by, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
    ),
    "committee_decision": (
        "INSERT INTO committee_decision (id, case_id, decision, reason, members, recorded_by, decided_at, "
        "version, device_id, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
    ),
    "referral": (
        "INSERT INTO referral (id, case_id, from_user_id, to_role, to_user_id, note, version, device_id, "
        "updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
    ),
    "survey_response": (
        "INSERT INTO survey_response (id, association_id, policy_version_id, case_id, officer_id, mode, answers, "
        "answered_at, version, device_id, updated_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
    ),
    "suggestion": (
        "INSERT INTO suggestion (id, association_id, kind, channel_id, beneficiary_id, text, status, response, "
        "due_date, closed_at, version, device_id, updated_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
    ),
    "suggestion_event": (
        "INSERT INTO suggestion_event (id, suggestion_id, action, to_role, note, case_id, actor_id, at, version, "
        "device_id, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 1, ?, ?, ?, ?)"
    ),
}

_FTS_INSERT_TRIGGER = "beneficiary_fts_after_insert"
_REPORT_FTS_INSERT_TRIGGER = "rescue_report_fts_after_insert"


def _bulk_index_sql(trigger_sql: str) -> str | None:
    """The FTS insert trigger of `rescue_report` as one INSERT … SELECT over the rows after a rowid (None when its
    body is not the single ``INSERT INTO … VALUES (new.…)`` this expects: the trigger is then left to do it)."""
    begin, end = trigger_sql.find(" BEGIN "), trigger_sql.rfind(" END")
    body = trigger_sql[begin + 7:end].strip().rstrip(";").strip() if begin > 0 and end > begin else ""
    head, marker, values = body.partition(" VALUES (")
    if not marker or not head.startswith("INSERT INTO rescue_report_fts(") or not values.endswith(")") \
            or ";" in values:
        return None
    return f"{head} SELECT {values[:-1].replace('new.', '')} FROM rescue_report WHERE rowid > ?"


def _step_minutes(case_id: str) -> int:
    """Minutes between two steps of a case, taken from its id (the SQL below uses the same rule)."""
    return 4 + ord(case_id[29]) % 9


def _help_minutes(case_id: str) -> int:
    """Minutes the help of a report takes after the step before it (the SQL's ``p.later`` term, same rule)."""
    return 25 + ord(case_id[27]) % 16 * 13


def _optional_kept(case_id: str) -> bool:
    """Whether an optional step the status does not depend on was taken, not passed (the SQL's one case in five)."""
    return ord(case_id[30]) % 5 == 0


# Step completions of the cases inserted after a rowid, made by SQLite itself from the case rows
# and the plan table (much faster than binding millions of rows from Python). Each gets a
# UUIDv7 with its case's millisecond and fresh random bits. Finished cases submitted before the
# go-live date get none (second parameter). An optional step the status does
# not depend on is taken for one case in five (by a character of the case id) and passed with its reason
# (skipped, as the officer passes it) for the others. CROSS JOIN keeps
# the new cases (a rowid range) as the outer loop, so rows come out in case, then step order.
_STEPS_SQL = """
INSERT INTO step_completion (id, case_id, step_id, step_kind, officer_id, channel_id, completed_at,
    policy_version_id, skipped, skip_reason, version, device_id, updated_by, created_at, updated_at)
SELECT id, case_id, step_id, step_kind, officer_id, channel_id, at, policy_version_id, 1 - taken,
    CASE WHEN taken THEN NULL ELSE skip_reason END, 1, device_id, officer_id, at, at
FROM (
    SELECT substr(c.id, 1, 12) || '7' || substr(lower(hex(randomblob(2))), 1, 3)
            || substr('89ab', 1 + abs(random() % 4), 1) || substr(lower(hex(randomblob(8))), 1, 15) AS id,
        c.id AS case_id, p.step_id, p.step_kind, c.officer_id, c.channel_id, c.policy_version_id,
        c.device_id, p.skip_reason, (p.always OR unicode(substr(c.id, 31, 1)) % 5 = 0) AS taken,
        strftime('%Y-%m-%d %H:%M:%S', c.submitted_at,
            '+' || ((p.position + 1) * (4 + unicode(substr(c.id, 30, 1)) % 9)
                    + p.later * (25 + unicode(substr(c.id, 28, 1)) % 16 * 13)) || ' minutes')
            || substr(c.submitted_at, 20) AS at
    FROM "case" AS c CROSS JOIN temp.demo_plan_step AS p
        ON p.status = (CASE WHEN c.status = 'closed' AND c.case_kind_id IN (SELECT kind FROM temp.demo_answer_kind)
                       THEN 'answered' ELSE c.status END)
    WHERE c.rowid > ? AND (p.in_progress OR c.submitted_at >= ?)
)
"""


def _load(
    conn: sqlite3.Connection,
    builder: _BatchBuilder,
    beneficiaries: int,
    progress: Callable[[int, int], None] | None,
) -> Counter[str]:
    """Insert the batches the builder makes (in a thread) one transaction per batch."""
    sizes = [min(_BATCH, beneficiaries - start) for start in range(0, beneficiaries, _BATCH)]
    batches: queue.Queue[dict[str, list[tuple[object, ...]]] | BaseException] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for size in sizes:
                batch = builder.build(size)
                while not stop.is_set():
                    try:
                        batches.put(batch, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as error:  # handed to the writing thread
            batches.put(error)

    # The FTS5 insert trigger costs a segment flush per row; for a bulk load it is suspended and
    # the new rows are indexed by one INSERT ... SELECT in the same transaction.
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_FTS_INSERT_TRIGGER,)
    ).fetchone()
    fts_trigger_sql: str | None = row[0] if row else None
    # Likewise the reports' index of callers and places (a policy of reports).
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_REPORT_FTS_INSERT_TRIGGER,)
    ).fetchone()
    report_fts_sql: str | None = row[0] if row and builder.rescue else None
    report_index_sql = _bulk_index_sql(report_fts_sql) if report_fts_sql else None
    # The summary triggers (`desktop.reports.summaries`) likewise: the tables are rebuilt at the end.
    report_triggers: list[tuple[str, str]] = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'report_*'"
    ).fetchall()

    conn.execute("DROP TABLE IF EXISTS temp.demo_plan_step")
    conn.execute(
        "CREATE TEMP TABLE demo_plan_step (status TEXT, position INTEGER, step_id TEXT, step_kind TEXT, "
        "always INTEGER, in_progress INTEGER, later INTEGER, skip_reason TEXT, PRIMARY KEY (status, position))"
    )
    conn.executemany("INSERT INTO temp.demo_plan_step VALUES (?, ?, ?, ?, ?, ?, ?, ?)", builder.plan_step_rows())
    conn.execute("DROP TABLE IF EXISTS temp.demo_answer_kind")
    conn.execute("CREATE TEMP TABLE demo_answer_kind (kind TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO temp.demo_answer_kind VALUES (?)", [(kind,) for kind in builder.answer_kinds])

    totals: Counter[str] = Counter()
    producer = threading.Thread(target=produce, name="demo-data-builder", daemon=True)
    # The writer drops the GIL inside every sqlite3_step and needs it back at once to bind the
    # next row; with the default 5 ms switch interval it would wait on the builder thread.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, 0.0002))
    producer.start()
    done = 0
    try:
        for size in sizes:
            batch = batches.get()
            if isinstance(batch, BaseException):
                raise batch
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Demo rows stay on this PC: they never enter the sync outbox.
                suppress_outbox(conn)
                last_rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM beneficiary").fetchone()[0]
                if fts_trigger_sql is not None:
                    conn.execute(f"DROP TRIGGER {_FTS_INSERT_TRIGGER}")
                for name, _sql in report_triggers:
                    conn.execute(f"DROP TRIGGER {name}")
                last_case_rowid = conn.execute('SELECT coalesce(max(rowid), 0) FROM "case"').fetchone()[0]
                last_report_rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM rescue_report").fetchone()[0]
                if report_index_sql is not None:
                    conn.execute(f"DROP TRIGGER {_REPORT_FTS_INSERT_TRIGGER}")
                for table, rows in batch.items():
                    conn.executemany(_INSERT_SQL[table], rows)
                    totals[table] += len(rows)
                totals["step_completion"] += conn.execute(_STEPS_SQL, (last_case_rowid, builder.go_live)).rowcount
                if fts_trigger_sql is not None:
                    conn.execute(
                        "INSERT INTO beneficiary_fts(rowid, name_key) "
                        "SELECT rowid, name_key FROM beneficiary WHERE rowid > ?",
                        (last_rowid,),
                    )
                    conn.execute(fts_trigger_sql)
                if report_index_sql is not None and report_fts_sql is not None:
                    conn.execute(report_index_sql, (last_report_rowid,))
                    conn.execute(report_fts_sql)
                for _name, sql in report_triggers:
                    conn.execute(sql)
                resume_outbox(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            done += size
            if progress is not None:
                progress(done, beneficiaries)
    finally:
        stop.set()
        producer.join()
        sys.setswitchinterval(switch_interval)
        conn.execute("DROP TABLE IF EXISTS temp.demo_plan_step")
        conn.execute("DROP TABLE IF EXISTS temp.demo_answer_kind")
        if report_triggers and done:
            conn.execute("BEGIN IMMEDIATE")
            try:
                rebuild_summaries(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    return totals


@dataclass
class _Refs:
    """Ids (32-hex) of the rows every generated row points to."""

    association_id: str
    policy_version_id: str
    device_id: str
    officers: list[str]
    researchers: list[str]
    committee: list[str]
    committee_names: list[str]
    #: The rescue members roster (a policy of reports): id, latitude, longitude.
    members: list[tuple[str, float, float]] = field(default_factory=list)


def _ensure_reference_rows(
    conn: sqlite3.Connection, profile: PolicyProfile, now: datetime, rng: random.Random
) -> _Refs:
    """Find or create the association, policy version, users and demo device (one transaction)."""
    stamp = _ts(now)
    conn.execute("BEGIN IMMEDIATE")
    try:
        suppress_outbox(conn)
        row = conn.execute(
            "SELECT id FROM association WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1"
        ).fetchone()
        if row is None:
            association_id = uuid7_hex()
            conn.execute(
                "INSERT INTO association (id, name, licence_number, city, profile_id, version, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    association_id,
                    profile.association.name,
                    profile.association.licence,
                    profile.association.city,
                    profile.id,
                    stamp,
                    stamp,
                ),
            )
        else:
            association_id = row[0]
        row = conn.execute(
            "SELECT id FROM policy_version WHERE association_id = ? AND profile_id = ? AND version_label = ?",
            (association_id, profile.id, profile.version),
        ).fetchone()
        if row is None:
            policy_version_id = uuid7_hex()
            approval = profile.approval
            conn.execute(
                "INSERT INTO policy_version (id, association_id, profile_id, version_label, content_hash, "
                "source_text, approved_meeting, approved_on, approved_on_hijri, adopted_at, version, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    policy_version_id,
                    association_id,
                    profile.id,
                    profile.version,
                    profile.content_hash,
                    profile.source_text,
                    approval.meeting if approval else None,
                    approval.date_gregorian.isoformat() if approval and approval.date_gregorian else None,
                    approval.date_hijri if approval else None,
                    stamp,
                    stamp,
                    stamp,
                ),
            )
        else:
            policy_version_id = row[0]
        row = conn.execute("SELECT id FROM device WHERE case_number_prefix = ?", (DEMO_CASE_PREFIX,)).fetchone()
        if row is None:
            device_id = uuid7_hex()
            conn.execute(
                "INSERT INTO device (id, association_id, name, branch, case_number_prefix, enrolled_at, "
                "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (device_id, association_id, "جهاز البيانات التجريبية", _BRANCH, DEMO_CASE_PREFIX, stamp, stamp, stamp),
            )
        else:
            device_id = row[0]
        users: dict[UserRole, list[tuple[str, str]]] = {}
        for role, first_names in _STAFF:
            users[role] = []
            for number, first_name in enumerate(first_names, start=1):
                username = f"demo.{role.value}{number}"
                found = conn.execute(
                    "SELECT id, full_name FROM app_user WHERE username = ? AND deleted_at IS NULL", (username,)
                ).fetchone()
                if found is None:
                    user_id = uuid7_hex()
                    full_name = f"{first_name} {rng.choice(_SAUDI_FAMILIES)}"
                    conn.execute(
                        "INSERT INTO app_user (id, association_id, username, full_name, role, active, version, "
                        "device_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?, ?)",
                        (user_id, association_id, username, full_name, role.value, device_id, stamp, stamp),
                    )
                    found = (user_id, full_name)
                users[role].append((found[0], found[1]))
        members = _ensure_rescue_members(conn, association_id, device_id, stamp, rng) if is_rescue_profile(profile) \
            else []
        resume_outbox(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return _Refs(
        members=members,
        association_id=association_id,
        policy_version_id=policy_version_id,
        device_id=device_id,
        officers=[u for u, _ in users[UserRole.OFFICER]],
        researchers=[u for u, _ in users[UserRole.RESEARCHER]],
        committee=[u for u, _ in users[UserRole.COMMITTEE]],
        committee_names=[n for _, n in users[UserRole.COMMITTEE]],
    )


def _ensure_rescue_members(
    conn: sqlite3.Connection, association_id: str, device_id: str, stamp: str, rng: random.Random
) -> list[tuple[str, float, float]]:
    """The rescue members roster: `_MEMBERS_PER_CITY` volunteers around each city of `_RESCUE_CITIES`, made once."""
    rows = conn.execute(
        "SELECT id, latitude, longitude FROM rescue_member WHERE deleted_at IS NULL ORDER BY created_at, id"
    ).fetchall()
    if rows:
        return [(row[0], float(row[1]), float(row[2])) for row in rows]
    members: list[tuple[str, float, float]] = []
    for _city, latitude, longitude, _places in _RESCUE_CITIES:
        for _ in range(_MEMBERS_PER_CITY):
            member_id = uuid7_hex()
            name = f"{rng.choice(_PLAIN_MALE_FIRST)} {rng.choice(_PLAIN_MALE_FIRST)} {rng.choice(_SAUDI_FAMILIES)}"
            phone = f"+9665{rng.choice(_MOBILE_SECOND_DIGITS)}{rng.randrange(10_000_000):07d}"
            point = (round(latitude + rng.uniform(-0.1, 0.1), 5), round(longitude + rng.uniform(-0.1, 0.1), 5))
            conn.execute(
                "INSERT INTO rescue_member (id, association_id, name, phone, latitude, longitude, available, version, "
                "device_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?)",
                (member_id, association_id, name, phone, point[0], point[1], device_id, stamp, stamp),
            )
            members.append((member_id, *point))
    return members


def _mark_members_on_mission(conn: sqlite3.Connection) -> None:
    """After the load: a member sent to a report still open is unavailable, every other member available."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        suppress_outbox(conn)
        conn.execute(
            "UPDATE rescue_member SET available = (id NOT IN (SELECT r.dispatched_member_id FROM rescue_report AS r "
            "JOIN \"case\" AS c ON c.id = r.case_id WHERE c.status = ? AND r.dispatched_member_id IS NOT NULL)) "
            "WHERE deleted_at IS NULL",
            (CaseStatus.DISPATCHED.value,),
        )
        resume_outbox(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


_BRANCH = "الفرع الرئيسي"

# The demo staff: role and the first names of its members (usernames demo.<role><n>).
_STAFF: tuple[tuple[UserRole, tuple[str, ...]], ...] = (
    (UserRole.OFFICER, ("منى", "خالد", "ريم", "فهد", "نوف", "سعد")),
    (UserRole.RESEARCHER, ("هند", "ماجد")),
    (UserRole.COMMITTEE, ("عبدالله", "لطيفة", "ناصر")),
    (UserRole.MANAGER, ("سلمان",)),
    (UserRole.ADMIN, ("وليد",)),
)


def _next_case_sequence(conn: sqlite3.Connection) -> int:
    """The next free sequence number of the demo device's case numbers."""
    row = conn.execute(
        'SELECT max(CAST(substr(case_number, -7) AS INTEGER)) FROM "case" WHERE case_number GLOB ?',
        (f"{DEMO_CASE_PREFIX}-*",),
    ).fetchone()
    return int(row[0] or 0) + 1


class _BatchBuilder:
    """Builds the rows of one batch of beneficiaries and their cases (no database access)."""

    def __init__(
        self,
        profile: PolicyProfile,
        refs: _Refs,
        rng: random.Random,
        now: datetime,
        first_index: int,
        next_seq: int,
    ) -> None:
        self.refs = refs
        self.rng = rng
        self.today = now.date()
        self.midnight = datetime(now.year, now.month, now.day)
        self.go_live = _ts(self.midnight - timedelta(days=GO_LIVE_DAYS))
        self.index = first_index
        self.seq = next_seq
        self.ids = _id_stream()
        self.plans = _plans(profile)
        weights = _RESCUE_WEIGHTS if self.plans[0].status in RESCUE_STATUSES else _APPLICATION_WEIGHTS
        self.plan_cumulative = _cumulative([weights[plan.status] for plan in self.plans])
        self.steps = [(step.id, step.kind.value, step.mandatory) for step in profile.steps]
        self.channels = [channel.id for channel in profile.channels]
        self.channel_cumulative = _cumulative([6 if i == 0 else 3 if i == 1 else 1 for i in range(len(self.channels))])
        self.case_kinds = [kind.id for kind in profile.case_kinds]
        self.case_kind_cumulative = _cumulative([8 if i == 0 else 1 for i in range(len(self.case_kinds))])
        decision = profile.decision
        self.period_days = decision.period_days if decision else None
        self.period_months = decision.period_months if decision else None
        refer_steps = [step for step in profile.steps if step.kind is StepKind.REFER]
        self.refer_role = refer_steps[0].role if refer_steps and refer_steps[0].role else UserRole.RESEARCHER.value
        self.members_json = json.dumps(refs.committee_names, ensure_ascii=False)
        home = profile.association.city
        self.cities: Sequence[str] = ((home,) * 12 + _CITIES) if home else _CITIES
        # Name pools with their search keys computed once by the shared normaliser.
        self.male = [(name, normalize_name(name)) for name in _MALE_FIRST]
        self.female = [(name, normalize_name(name)) for name in _FEMALE_FIRST]
        self.saudi_families = [(name, normalize_name(name)) for name in _SAUDI_FAMILIES]
        self.resident_families = [(name, normalize_name(name)) for name in _RESIDENT_FAMILIES]
        self.by_status: Counter[str] = Counter()
        from desktop.satisfaction.service import anonymity_mode
        from desktop.satisfaction.views import AnonymityMode

        mode = anonymity_mode(profile)
        self.survey_case = mode is not AnonymityMode.ANONYMOUS
        self.survey_officer = mode is AnonymityMode.LINKED_TO_OFFICER
        self.questions = [(q.id, q.kind) for q in profile.survey.questions]
        self.now = now
        # Inquiries (kinds answered at the desk) are answered at the greeting and closed, a few left as drafts.
        self.answer_kinds = frozenset(kind.id for kind in profile.case_kinds if profile.ends_at_answer(kind.id))
        self.answered_plan = _answered_plan(profile)
        self.draft_plan = next((plan for plan in self.plans if plan.status is CaseStatus.DRAFT), None)
        # A policy of reports: platforms with their channel, step positions, each city's nearest members.
        self.rescue = is_rescue_profile(profile)
        kinds = [step.kind for step in profile.steps]
        self.escalate_at = kinds.index(StepKind.ESCALATE) if StepKind.ESCALATE in kinds else None
        self.dispatch_at = kinds.index(StepKind.DISPATCH) if StepKind.DISPATCH in kinds else len(kinds) - 2
        self.serve_at = kinds.index(StepKind.SERVE) if StepKind.SERVE in kinds else len(kinds) - 1
        self.platforms = [(platform, channel if channel in self.channels else None)
                          for platform, _weight, channel in _PLATFORM_WEIGHTS]
        self.platform_cumulative = _cumulative([weight for _p, weight, _c in _PLATFORM_WEIGHTS])
        self.rescue_cities = []
        for city, latitude, longitude, places in _RESCUE_CITIES:
            nearest = sorted(refs.members, key=lambda m: haversine_km((latitude, longitude), (m[1], m[2])))
            self.rescue_cities.append((city, latitude, longitude, places, [m[0] for m in nearest[:2]]))

    def plan_step_rows(self) -> list[tuple[str, int, str, str, int, int, int, str]]:
        """(status, position, step id, step kind, always, in progress, later, skip reason) for every step a status
        has passed (an optional step not taken is passed with the skip reason).

        `later` is 1 for a report's help (serve) step: it comes `_help_minutes` after the step before it. The
        inquiries answered at the greeting have their own rows under the status key ``"answered"``.
        """
        out = []
        keyed = [(plan.status.value, plan) for plan in self.plans]
        if self.answer_kinds:
            keyed.append((_ANSWERED, self.answered_plan))
        for key, plan in keyed:
            in_progress = 1 if plan.status in _OPEN_STATUSES else 0
            for position in range(plan.last_done + 1):
                step_id, kind, mandatory = self.steps[position]
                always = mandatory or (plan.last_is_required and position == plan.last_done)
                later = 1 if self.rescue and kind == StepKind.SERVE.value else 0
                reason = _SKIP_REASONS.get(kind, "لم تلزم هذه الخطوة في هذه الحالة")
                out.append((key, position, step_id, kind, 1 if always else 0, in_progress, later, reason))
        return out

    def _moment(self, days_ago_max: int, days_ago_min: int = 0) -> datetime:
        """A time during working hours (Riyadh 8:00-16:00 = 05:00-13:00 UTC) some days ago."""
        rnd = self.rng.random
        days = days_ago_min + int(rnd() * (days_ago_max - days_ago_min + 1))
        return self.midnight + timedelta(
            days=-days, seconds=18_000 + int(rnd() * 28_800), microseconds=int(rnd() * 1_000_000)
        )

    def build(self, count: int) -> dict[str, list[tuple[object, ...]]]:
        """The rows of `count` beneficiaries and their cases, per table, in insertion order."""
        rnd = self.rng.random
        refs = self.refs
        association_id = refs.association_id
        device_id = refs.device_id
        officers = refs.officers
        n_officers = len(officers)
        next_id = self.ids.__next__
        male_pool, female_pool = self.male, self.female
        saudi_families, resident_families = self.saudi_families, self.resident_families
        cities = self.cities
        today_ordinal = self.today.toordinal()
        rows: dict[str, list[tuple[object, ...]]] = {
            "beneficiary": [],
            "case": [],
            "committee_decision": [],
            "referral": [],
            "survey_response": [],
            "suggestion": [],
            "suggestion_event": [],
            "rescue_report": [],
        }
        beneficiary_rows = rows["beneficiary"]
        national_id, iqama = IdKind.NATIONAL_ID.value, IdKind.IQAMA.value
        for _ in range(count):
            resident = rnd() < 0.15
            male = rnd() < 0.55
            pool = male_pool if male else female_pool
            first, first_key = pool[int(rnd() * len(pool))]
            father, father_key = male_pool[int(rnd() * len(male_pool))]
            grandfather, grandfather_key = male_pool[int(rnd() * len(male_pool))]
            families = resident_families if resident else saudi_families
            family, family_key = families[int(rnd() * len(families))]
            id_number = make_saudi_id(_id_first_nine(self.index, resident))
            self.index += 1
            mobile: str | None = None
            phone_key: str | None = None
            if rnd() < 0.97:
                mobile = f"+9665{_MOBILE_SECOND_DIGITS[int(rnd() * 9)]}{int(rnd() * 10_000_000):07d}"
                phone_key = phone_search_key(mobile)
            officer = officers[int(rnd() * n_officers)]
            created = _ts(self._moment(1100))
            beneficiary_id = next_id()
            beneficiary_rows.append(
                (
                    beneficiary_id,
                    association_id,
                    f"{first} {father} {grandfather} {family}",
                    f"{first_key} {father_key} {grandfather_key} {family_key}",
                    id_number,
                    iqama if resident else national_id,
                    date.fromordinal(today_ordinal - 400 + int(rnd() * 4050)).isoformat(),
                    date.fromordinal(today_ordinal - 6570 - int(rnd() * 24455)).isoformat(),
                    "male" if male else "female",
                    _RESIDENT_NATIONALITIES[int(rnd() * len(_RESIDENT_NATIONALITIES))] if resident else "SA",
                    mobile,
                    phone_key,
                    cities[int(rnd() * len(cities))],
                    min(1 + int(self.rng.expovariate(0.3)), 15),
                    device_id,
                    officer,
                    created,
                    created,
                )
            )
            r = rnd()
            person = (f"{first} {father} {grandfather} {family}", mobile)
            for _case in range(1 if r < 0.6 else 2 if r < 0.9 else 3):
                self._case(beneficiary_id, officer, rows, person)
            if rnd() < FOLLOW_UP_SHARE:
                self._follow_up(beneficiary_id, officer, rows)
        return rows

    def _answers(self) -> str:
        """One response's answers: scale answers leaning positive, the recommendation following them."""
        rnd = self.rng.random
        r = rnd()
        base = 5 if r < 0.42 else 4 if r < 0.72 else 3 if r < 0.86 else 2 if r < 0.94 else 1
        answers: dict[str, int | str] = {}
        scores: list[int] = []
        for question_id, kind in self.questions:
            if kind is QuestionKind.SCALE5:
                r = rnd()
                value = base if r < 0.6 else max(1, base - 1) if r < 0.8 else min(5, base + 1)
                answers[question_id] = value
                scores.append(value)
            elif kind is QuestionKind.RECOMMEND10:
                mean = sum(scores) / len(scores) if scores else base
                answers[question_id] = max(0, min(10, round((mean - 1) * 2.5 + self.rng.gauss(0.0, 1.2))))
            elif rnd() < 0.125:
                answers[question_id] = _SURVEY_TEXTS[int(rnd() * len(_SURVEY_TEXTS))]
        return json.dumps(answers, ensure_ascii=False)

    def _survey(self, case_id: str, officer: str, served: datetime, rows: dict[str, list[tuple[object, ...]]]) -> None:
        """A survey response a few days after the service, in the profile's anonymity mode."""
        answered = served + timedelta(days=int(self.rng.random() * 6), hours=1)
        # Drawn whether or not the survey is kept: a rescue report's closing time comes from its id (random bits of a
        # UUIDv7), so whether `answered` is past depends on the id and on the hour of the run; what is drawn after
        # must not (the statuses of the cases after would vary between two runs of one seed).
        channel = "kiosk" if self.rng.random() < 0.6 else "phone" if self.rng.random() < 0.6 else "slip"
        answers = self._answers()
        if answered >= self.now:
            return
        if not self.survey_case:
            answered = answered.replace(minute=0, second=0, microsecond=0)
        stamp = _ts(answered)
        officer_id = officer if self.survey_officer else None
        rows["survey_response"].append(
            (
                self.ids.__next__(),
                self.refs.association_id,
                self.refs.policy_version_id,
                case_id if self.survey_case else None,
                officer_id,
                channel,
                answers,
                stamp,
                self.refs.device_id if self.survey_case else None,
                officer_id,
                stamp,
                stamp,
            )
        )

    def _follow_up(self, beneficiary_id: str, officer: str, rows: dict[str, list[tuple[object, ...]]]) -> None:
        """A suggestion or complaint and its events: received, routed, answered, closed as far as it came."""
        rnd = self.rng.random
        next_id = self.ids.__next__
        complaint = rnd() < 0.4
        created = self._moment(1095)
        age = (self.now - created).days
        due_days = 5 if complaint else 14
        r = rnd()
        if age > 30:
            status = "closed" if r < 0.92 else "answered" if r < 0.97 else "in_progress"
        else:
            status = "open" if r < 0.35 else "in_progress" if r < 0.6 else "answered" if r < 0.75 else "closed"
        stage = ("open", "in_progress", "answered", "closed").index(status)
        span = max(1, min(age, due_days * 2))
        moments = sorted(created + timedelta(hours=1 + int(rnd() * span * 24)) for _ in range(stage))
        moments = [min(m, self.now - timedelta(minutes=1)) for m in moments]
        suggestion_id = next_id()
        device_id = self.refs.device_id
        response = _FOLLOW_UP_RESPONSES[int(rnd() * len(_FOLLOW_UP_RESPONSES))] if stage >= 2 else None
        closed_at = _ts(moments[-1]) if status == "closed" else None
        created_text = _ts(created)
        updated_text = _ts(moments[-1]) if moments else created_text
        rows["suggestion"].append(
            (
                suggestion_id,
                self.refs.association_id,
                "complaint" if complaint else "suggestion",
                self.channels[bisect(self.channel_cumulative, rnd())],
                beneficiary_id if complaint or rnd() < 0.5 else None,
                (_COMPLAINT_TEXTS if complaint else _SUGGESTION_TEXTS)[int(rnd() * 5)],
                status,
                response,
                (created.date() + timedelta(days=due_days)).isoformat(),
                closed_at,
                device_id,
                officer,
                created_text,
                updated_text,
            )
        )
        events: list[tuple[str, str | None, str | None, datetime]] = [("received", None, None, created)]
        if stage >= 1:
            events.append(("routed", _ROUTES[int(rnd() * len(_ROUTES))], "للدراسة والرد", moments[0]))
        if stage >= 2:
            events.append(("answered", None, response, moments[1]))
        if stage >= 3:
            events.append(("closed", None, None, moments[2]))
        for action, to_role, note, at in events:
            stamp = _ts(at)
            rows["suggestion_event"].append(
                (next_id(), suggestion_id, action, to_role, note, officer, stamp, device_id, officer, stamp, stamp)
            )

    def _rescue_moment(self, status: CaseStatus, last_done: int, case_id: str) -> datetime:
        """When a report was received: at any hour; an open one some minutes or hours ago, never weeks."""
        rnd = self.rng.random
        if status not in _OPEN_STATUSES:
            # closed reports thin out into the past (a square law): a month holds more than the open ones now
            return self.midnight - timedelta(days=1 + int(rnd() ** 2 * 1094), seconds=-int(rnd() * 86_400),
                                             microseconds=-int(rnd() * 1_000_000))
        low, high = {CaseStatus.REPORTED: (8, 90), CaseStatus.ESCALATED: (30, 300)}.get(status, (60, 2_160))
        low = max(low, (last_done + 1) * _step_minutes(case_id) + 3)
        return self.now - timedelta(minutes=low + rnd() * (high - low), microseconds=int(rnd() * 1_000_000))

    def _report(self, case_id: str, status: CaseStatus, submitted: datetime, person: tuple[str, str | None],
                rows: dict[str, list[tuple[object, ...]]]) -> tuple[str | None, str, str, datetime | None]:
        """The report of a rescue case as the reception records it; (channel, place, what happened, closed at)."""
        rnd = self.rng.random
        refs = self.refs
        city, latitude, longitude, places, nearest = self.rescue_cities[int(rnd() * len(self.rescue_cities))]
        place = f"{places[int(rnd() * len(places))]}، {city}"
        point = (round(latitude + (rnd() - 0.5) * 0.3, 5), round(longitude + (rnd() - 0.5) * 0.3, 5))
        platform, channel = self.platforms[bisect(self.platform_cumulative, rnd())]
        # The caller is the person of the case's file (the report file is titled with their name).
        caller, phone = person
        if phone is None:
            phone = f"+9665{_MOBILE_SECOND_DIGITS[int(rnd() * 9)]}{int(rnd() * 10_000_000):07d}"
        what = _WHAT_HAPPENED[int(rnd() * len(_WHAT_HAPPENED))]
        minutes = _step_minutes(case_id)
        escalated_at = escalation_note = dispatched_at = closed_at = None
        member = nearest_member = override = help_given = None
        # Drawn whether or not the report was escalated: what is drawn must not depend on the case's id (random
        # bits of a UUIDv7), or the rest of the seeded stream — the statuses of the cases after — would.
        note = _ESCALATION_NOTES[int(rnd() * len(_ESCALATION_NOTES))]
        if self.escalate_at is not None and (
            status is CaseStatus.ESCALATED
            or (status in (CaseStatus.DISPATCHED, CaseStatus.CLOSED) and _optional_kept(case_id))
        ):
            escalated_at = submitted + timedelta(minutes=(self.escalate_at + 1) * minutes)
            escalation_note = note
        if status in (CaseStatus.DISPATCHED, CaseStatus.CLOSED):
            dispatched_at = submitted + timedelta(minutes=(self.dispatch_at + 1) * minutes)
            if nearest:
                nearest_member = member = nearest[0]
                if len(nearest) > 1 and rnd() < 0.1:
                    member = nearest[1]
                    override = _OVERRIDE_REASONS[int(rnd() * len(_OVERRIDE_REASONS))]
        if status is CaseStatus.CLOSED:
            closed_at = submitted + timedelta(minutes=(self.serve_at + 1) * minutes + _help_minutes(case_id))
            help_given = _HELP_GIVEN[int(rnd() * len(_HELP_GIVEN))]
        received = _ts(submitted)
        updated = _ts(closed_at or dispatched_at or escalated_at or submitted)
        rows["rescue_report"].append(
            (self.ids.__next__(), case_id, caller, phone, platform, place, point[0], point[1], what, received,
             _ts(escalated_at) if escalated_at else None, escalation_note,
             _ts(dispatched_at) if dispatched_at else None, member, nearest_member, override,
             _ts(closed_at) if closed_at else None, help_given, refs.device_id, refs.officers[0], received, updated)
        )
        return channel, place, what, closed_at

    def _case(self, beneficiary_id: str, officer: str, rows: dict[str, list[tuple[object, ...]]],
              person: tuple[str, str | None] = ("", None)) -> None:
        rnd = self.rng.random
        refs = self.refs
        next_id = self.ids.__next__
        device_id = refs.device_id
        policy_version_id = refs.policy_version_id
        case_kind = self.case_kinds[bisect(self.case_kind_cumulative, rnd())]
        if case_kind in self.answer_kinds:
            answered = self.draft_plan is None or rnd() >= _INQUIRY_DRAFT_SHARE
            plan = self.answered_plan if answered or self.draft_plan is None else self.draft_plan
        else:
            plan = self.plans[bisect(self.plan_cumulative, rnd())]
        status = plan.status
        case_id = next_id()
        if self.rescue:
            submitted = self._rescue_moment(status, plan.last_done, case_id)
        else:
            submitted = self._moment(45) if status in _OPEN_STATUSES else self._moment(1095, 20)
        submitted_text = _ts(submitted)
        promised = None
        if plan.decision is not None or status is CaseStatus.AWAITING_COMMITTEE:
            promised = _promised(submitted.date(), self.period_days, self.period_months)
        channel = self.channels[bisect(self.channel_cumulative, rnd())]
        summary = location = None
        report_closed: datetime | None = None
        if self.rescue:
            platform_channel, location, summary, report_closed = self._report(case_id, status, submitted, person, rows)
            channel = platform_channel or channel
        case_number = f"{DEMO_CASE_PREFIX}-{submitted.year}-{self.seq:07d}"
        self.seq += 1
        # Step completions are written by SQL from the case row (see `_STEPS_SQL`): step number i
        # (0-based) completed (i + 1) * step_minutes after submission.
        step_minutes = _step_minutes(case_id)
        moment = submitted + timedelta(minutes=(plan.last_done + 1) * step_minutes)
        updated = _ts(moment)
        if plan.decision is not None:
            decided = submitted + timedelta(
                days=2 + int(rnd() * ((self.period_days or 30) + 3)), seconds=int(rnd() * 21_600)
            )
            decided_text = _ts(decided)
            reason = None
            if plan.decision == "reject":
                reason = _REJECT_REASONS[int(rnd() * len(_REJECT_REASONS))]
            elif plan.decision == "more_info":
                reason = _MORE_INFO_REASONS[int(rnd() * len(_MORE_INFO_REASONS))]
            recorder = refs.committee[int(rnd() * len(refs.committee))]
            rows["committee_decision"].append(
                (next_id(), case_id, plan.decision, reason, self.members_json, recorder, decided_text,
                 device_id, recorder, decided_text, decided_text)
            )
            updated = decided_text
            if status in (CaseStatus.SERVED, CaseStatus.CLOSED) and rnd() < SURVEY_SHARE:
                self._survey(case_id, officer, decided + timedelta(days=1 + int(rnd() * 7)), rows)
        if plan.open_referral:
            researcher = refs.researchers[int(rnd() * len(refs.researchers))] if refs.researchers else None
            rows["referral"].append(
                (next_id(), case_id, officer, self.refer_role, researcher,
                 _REFERRAL_NOTES[int(rnd() * len(_REFERRAL_NOTES))], device_id, officer, updated, updated)
            )
        closed_at = None
        if report_closed is not None:
            closed_at = _ts(report_closed)
            updated = max(updated, closed_at)
            if rnd() < SURVEY_SHARE:
                self._survey(case_id, officer, report_closed, rows)
        elif plan is self.answered_plan:
            closed_at = updated  # answered at the greeting: closed with it
        elif status is CaseStatus.CLOSED:
            closed_at = _ts(max(submitted + timedelta(days=1 + int(rnd() * 60)), moment))
            updated = max(updated, closed_at)
        rows["case"].append(
            (
                case_id,
                refs.association_id,
                case_number,
                beneficiary_id,
                policy_version_id,
                channel,
                case_kind,
                status.value,
                officer,
                _BRANCH,
                None if status is CaseStatus.DRAFT else submitted_text,
                promised,
                1 if plan.signature_pending else 0,
                plan.current_step_id,
                closed_at,
                summary,
                location,
                device_id,
                officer,
                submitted_text,
                updated,
            )
        )
        self.by_status[status.value] += 1
