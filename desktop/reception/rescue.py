"""Rescue reports (000): coordinates, the platform a report came on, reporters' phones, distance and nearest member.

Decisions recorded here:

* Coordinates are optional, but both or neither: latitude −90..90, longitude −180..180, decimal
  degrees with "." or the Arabic decimal separator "٫", Arabic-Indic digits accepted.
* A reporter may be a foreigner or a visitor: any phone of 5 to 15 digits is accepted (E.164
  length), with an optional leading "+"; a Saudi mobile in any written form is stored canonical.
* Distance is the great-circle (haversine) distance on a sphere of radius 6371 km; members are
  sorted nearest first, ties by name. The *nearest* member is the nearest available one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop.arabic_text import strip_bidi_controls, to_latin_digits
from desktop.counting import DIGITS, count_phrase, number_text
from desktop.errors import InputError
from desktop.identity import normalize_saudi_mobile
from desktop.reception.views import ReceptionError

__all__ = [
    "EARTH_RADIUS_KM",
    "REPORT_PLATFORMS",
    "MemberPoint",
    "haversine_km",
    "nearest_available",
    "normalize_reporter_phone",
    "parse_coordinate",
    "parse_coordinates",
    "platform_id",
    "platform_label",
    "sort_by_distance",
]

EARTH_RADIUS_KM = 6371.0088

#: The platforms a report (بلاغ) comes on (policy 000's tools): id and Arabic label.
REPORT_PLATFORMS: tuple[tuple[str, str], ...] = (
    ("phone", "رقم البلاغات الرسمي (اتصال هاتفي)"),
    ("x", "تويتر (X)"),
    ("whatsapp", "واتساب"),
    ("snapchat", "سناب شات"),
    ("website", "الموقع الإلكتروني"),
    ("other", "منصة أخرى"),
)

_PLATFORM_ALIASES = {
    "twitter": "x",
    "تويتر": "x",
    "اكس": "x",
    "إكس": "x",
    "واتس": "whatsapp",
    "واتساب": "whatsapp",
    "واتس اب": "whatsapp",
    "سناب": "snapchat",
    "سناب شات": "snapchat",
    "هاتف": "phone",
    "اتصال": "phone",
    "الهاتف": "phone",
}

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_PHONE_SEPARATORS = re.compile(r"[\s\-()\u00a0./]")


@dataclass(frozen=True)
class MemberPoint:
    """A member's id, name, place and availability, as the distance functions need them."""

    member_id: Any
    name: str
    latitude: float
    longitude: float
    available: bool


def platform_id(value: str) -> str | None:
    """The platform id of what the officer chose (an id, a label or a common name); None when empty."""
    text = strip_bidi_controls(value).strip()
    if not text:
        return None
    lowered = text.casefold()
    for key, label in REPORT_PLATFORMS:
        if lowered in (key, label.casefold()):
            return key
    alias = _PLATFORM_ALIASES.get(lowered)
    if alias is not None:
        return alias
    known = "، ".join(label for _, label in REPORT_PLATFORMS)
    raise ReceptionError(f"منصة البلاغ غير معروفة «{text}». المنصات: {known}", field="platform")


def platform_label(key: str | None) -> str | None:
    """The Arabic label of a platform id (the id itself when unknown)."""
    if key is None:
        return None
    return dict(REPORT_PLATFORMS).get(key, key)


def parse_coordinate(text: str, *, low: float, high: float, field: str, name: str) -> float | None:
    """One coordinate in decimal degrees within [low, high]; None when empty."""
    cleaned = to_latin_digits(strip_bidi_controls(text)).replace("٫", ".").replace("،", ".").strip()
    cleaned = cleaned.replace("−", "-").replace("°", "").strip()
    if not cleaned:
        return None
    if not _NUMBER.fullmatch(cleaned):
        raise ReceptionError(f"{name} غير صالح «{text.strip()}»: اكتبه رقمًا عشريًا مثل 24.7136", field=field)
    value = float(cleaned)
    if not (low <= value <= high) or math.isnan(value):
        raise ReceptionError(
            f"{name} خارج النطاق: يجب أن يكون بين {low:g} و {high:g}", field=field
        )
    return value


def parse_coordinates(latitude: str, longitude: str) -> tuple[float, float] | None:
    """Latitude and longitude typed by the officer, both or neither (None); ReceptionError otherwise."""
    lat = parse_coordinate(latitude, low=-90, high=90, field="latitude", name="خط العرض")
    lon = parse_coordinate(longitude, low=-180, high=180, field="longitude", name="خط الطول")
    if lat is None and lon is None:
        return None
    if lat is None:
        raise ReceptionError("أدخل خط العرض مع خط الطول، أو اترك الإحداثيين فارغين", field="latitude")
    if lon is None:
        raise ReceptionError("أدخل خط الطول مع خط العرض، أو اترك الإحداثيين فارغين", field="longitude")
    return lat, lon


def normalize_reporter_phone(value: str, *, field: str = "reporter_phone") -> str | None:
    """A reporter's phone: canonical for a Saudi mobile, otherwise 5–15 digits with an optional "+"; None when empty."""
    compact = _PHONE_SEPARATORS.sub("", to_latin_digits(strip_bidi_controls(value)))
    if not compact:
        return None
    try:
        return normalize_saudi_mobile(compact)
    except InputError:
        pass
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = compact[1:] if compact.startswith("+") else compact
    if not (digits.isascii() and digits.isdigit()) or not 5 <= len(digits) <= 15:
        raise ReceptionError(
            f"رقم هاتف المبلّغ غير صالح: من {number_text(5)} إلى {count_phrase(15, DIGITS)}، ويجوز أن يبدأ بعلامة + "
            "ورمز الدولة", field=field
        )
    return compact


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def sort_by_distance(
    members: Sequence[MemberPoint], near: tuple[float, float] | None
) -> list[tuple[MemberPoint, float | None]]:
    """Members with their distance from `near`, nearest first (by name when `near` is None)."""
    if near is None:
        return [(m, None) for m in sorted(members, key=lambda m: m.name)]
    measured = [(m, haversine_km(near, (m.latitude, m.longitude))) for m in members]
    measured.sort(key=lambda pair: (pair[1], pair[0].name))
    return [(m, d) for m, d in measured]


def nearest_available(members: Sequence[MemberPoint], near: tuple[float, float] | None) -> MemberPoint | None:
    """The nearest available member to `near`; None without a place or without an available member."""
    if near is None:
        return None
    return next((m for m, _ in sort_by_distance(members, near) if m.available), None)
