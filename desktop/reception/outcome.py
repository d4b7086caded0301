"""How a reception ends, said to the officer in plain Arabic (no storage): at the committee notice, or at the answer.

A request that needs the committee's decision ends at the notice: what happens next, the promised answer date in
both calendars (Umm al-Qura and Gregorian) and how far off it is, the receipt to hand over. An inquiry (a kind the
policy marks as needing no decision) ends answered and closed.
"""

from __future__ import annotations

from datetime import date

from desktop.counting import DAYS, count_phrase
from desktop.hijri import format_dual
from desktop.policy import PolicyProfile
from desktop.reception.views import CaseView

__all__ = ["reception_outcome"]


def _committee_name(profile: PolicyProfile) -> str:
    """The committee's name from the policy's roles ("لجنة البحث" when it names none)."""
    if profile.decision is not None:
        try:
            return profile.role(profile.decision.committee_role).name
        except KeyError:
            pass
    return "لجنة البحث"


def reception_outcome(case: CaseView, profile: PolicyProfile, today: date) -> str:
    """What happens next once the reception has ended ("" while it goes on or when nothing needs saying)."""
    if case.ends_at_answer and case.status == "closed":
        return ("✓ أُجيب المستفيد عن استفساره في الاستقبال وأُغلقت الحالة؛ "
                "لا يحتاج الاستفسار إلى قرار لجنة ولا إلى تسجيل.")
    if not case.awaiting_decision:
        return ""
    committee = _committee_name(profile)
    if case.status == "rejected":
        return f"رفضت {committee} الطلب: يُسلَّم المستفيد خطاب القرار من ملف الحالة وتُغلق الحالة."
    lines = [f"✓ أُحيل الطلب إلى {committee} لدراسته، وانتهى استقبال المستفيد."]
    if case.promised_decision_date is not None:
        days = (case.promised_decision_date - today).days
        within = f" (بعد {count_phrase(days, DAYS)})" if days > 0 else ""
        lines.append(f"موعد الرد الموعود بالقبول أو الرفض: {format_dual(case.promised_decision_date)}{within}.")
    lines += [
        "ما يحدث بعد ذلك:",
        "• تدرس اللجنة الطلب وتُصدر قرارها، ويُبلَّغ المستفيد بالقبول أو الرفض.",
        "• بعد القبول: يُستكمل التسجيل وتُقدَّم الخدمة أو الدعم من ملف الحالة (قسم الحالات).",
        "• بعد الرفض: يُسلَّم المستفيد خطاب القرار من ملف الحالة وتُغلق الحالة.",
        "سلّم المستفيد إشعار الاستلام المطبوع؛ فيه رقم الحالة وموعد الرد.",
    ]
    return "\n".join(lines)
