"""What several case desk services share: typed input checked, dates and moments worded, names of the policy.

Module-level functions only (no service, no session state): limits of what is typed, Hijri/Gregorian
wording, day counts, values read back by raw SQL, and the Arabic names of a policy's channels, case kinds,
roles and steps, plus the one query that names officers.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AppUser, SuggestionKind
from desktop.arabic_text import DigitStyle, clean_text, digit_style, isolate, strip_bidi_controls, to_latin_digits
from desktop.casedesk.views import SUGGESTION_ROUTES, CaseDeskError
from desktop.counting import DAYS, count_phrase
from desktop.errors import InputError
from desktop.hijri import format_dual, format_time, parse_date_either, riyadh_moment
from desktop.identity import format_mobile_local
from desktop.policy import PolicyProfile

__all__ = [
    "LIMITS",
    "SUGGESTION_KIND_LABELS",
    "as_date",
    "as_datetime",
    "as_uuid",
    "case_kind_name",
    "case_number_typed",
    "channel_name",
    "clean_input",
    "countdown_text",
    "days_text",
    "dual",
    "mobile_local",
    "moment_text",
    "parse_typed_date",
    "role_name",
    "step_title",
    "user_names",
]

#: Maximum lengths (characters) of what is typed on the case desk.
LIMITS: dict[str, int] = {
    "note": 2000,
    "reason": 2000,
    "member": 200,
    "members": 30,
    "document": 200,
    "service_kind": 64,
    "in_kind": 1000,
    "suggestion": 4000,
    "response": 4000,
}

#: Suggestion kinds as the timeline and the suggestions list name them.
SUGGESTION_KIND_LABELS: dict[str, str] = {
    SuggestionKind.SUGGESTION.value: "اقتراح",
    SuggestionKind.COMPLAINT.value: "شكوى",
}


def clean_input(value: str, *, limit: str, field: str, required: str | None = None, single_line: bool = False) -> str:
    """Cleaned free text within its bound (`LIMITS[limit]`); `required` is the Arabic message when it is empty."""
    try:
        cleaned = clean_text(value or "", max_length=LIMITS[limit], field=field)
    except InputError as exc:
        raise CaseDeskError(exc.message_ar, field=field) from None
    if single_line:
        cleaned = " ".join(cleaned.split())
    if required is not None and not cleaned:
        raise CaseDeskError(required, field=field)
    return cleaned


def parse_typed_date(value: str, *, field: str, what: str) -> date | None:
    """A Hijri or Gregorian date typed by the officer, None when empty; `what` names it in the refusal."""
    if not (value or "").strip():
        return None
    try:
        return parse_date_either(value, field=field)
    except InputError as exc:
        raise CaseDeskError(f"{what}: {exc.message_ar}", field=field) from None


def case_number_typed(value: str) -> str:
    """A case number as typed (Arabic digits, bidi marks, lower case) as it is stored: "AB-1447-000012"."""
    return to_latin_digits(strip_bidi_controls(value or "")).strip().upper()[:64]


def dual(day: date | None) -> str:
    """A date in Hijri and Gregorian side by side; "" when absent."""
    return _dual(day, digit_style()) if day is not None else ""


@functools.lru_cache(maxsize=4096)
def _dual(day: date, style: DigitStyle) -> str:
    """`format_dual` of a day in a digit style, worked out once (a queue or list repeats its dates)."""
    return format_dual(day)


def moment_text(moment: datetime) -> str:
    """A moment as the timeline shows it: Riyadh date in both calendars and the time, "١٤:٠٥"."""
    local = riyadh_moment(moment)
    return f"{format_dual(local.date())} {isolate(format_time(local))}"


def days_text(days: int) -> str:
    """A number of days in Arabic with the right noun form: "يوم واحد", "يومان", "٣ أيام", "١١ يومًا"."""
    return count_phrase(days, DAYS)


def countdown_text(days_left: int | None) -> str:
    """Days left to a promised decision date in words: «باقٍ ٣ أيام», «موعد القرار اليوم», «متأخر يومان»."""
    if days_left is None:
        return "بلا موعد محدد"
    if days_left < 0:
        return f"متأخر {days_text(days_left)}"
    if days_left == 0:
        return "موعد القرار اليوم"
    return f"باقٍ {days_text(days_left)}"


def mobile_local(mobile: str | None) -> str:
    """A stored mobile (+9665…) as the officer types it (05…); "" when there is none."""
    if not mobile:
        return ""
    try:
        return format_mobile_local(mobile)
    except InputError:
        return mobile


def as_uuid(value: Any) -> uuid.UUID:
    """An id read by raw SQL (32 hex characters in SQLite) as a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))


def as_date(value: Any) -> date:
    """A date read by raw SQL ("YYYY-MM-DD" text in SQLite) as a date."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime:
    """A UTC timestamp read by raw SQL (naive "YYYY-MM-DD HH:MM:SS.ffffff" text in SQLite) as an aware datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def channel_name(profile: PolicyProfile, channel_id: str) -> str:
    """The policy's Arabic name of a channel (its id when the policy has no such channel)."""
    try:
        return profile.channel(channel_id).name
    except KeyError:
        return channel_id


def case_kind_name(profile: PolicyProfile, case_kind_id: str) -> str:
    """The policy's Arabic name of a case kind (its id when unknown)."""
    return next((k.name for k in profile.case_kinds if k.id == case_kind_id), case_kind_id)


def role_name(profile: PolicyProfile, role_id: str) -> str:
    """The policy's Arabic name of a role, else the desk's own name of a suggestion route, else the id."""
    try:
        return profile.role(role_id).name
    except KeyError:
        return SUGGESTION_ROUTES.get(role_id, role_id)


def step_title(profile: PolicyProfile, step_id: str) -> str:
    """The policy's title of a step (its id when the policy has no such step)."""
    try:
        return profile.step(step_id).title
    except KeyError:
        return step_id


def user_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """The full names of these officers (ids of no user are left out), in one query."""
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    return {row.id: row.full_name for row in session.execute(
        select(AppUser.id, AppUser.full_name).where(AppUser.id.in_(wanted))
    )}
