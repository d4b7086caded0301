"""Saudi identity numbers (national ID, iqama) and Saudi mobile numbers.

Decisions recorded here:

* ID numbers: surrounding spaces and bidi marks are ignored and Arabic-Indic digits accepted;
  separators *inside* the number are refused (an ID is always typed as ten digits).
* Mobile numbers: every 05X prefix is accepted (050–059). The regulator assigns new ranges over
  time (051 went to virtual operators), and refusing a real beneficiary's number at the desk is
  worse than accepting a never-issued prefix; `is_known_mobile_prefix` is there for a soft warning.
* A stray trunk zero after the country code ("+966 (0)5…", "009660 5…") is accepted.
* `phone_search_key` returns the national digits without the leading 0 / country code;
  see its docstring for partial input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from desktop.arabic_text import DigitStyle, ltr, strip_bidi_controls, to_latin_digits
from desktop.counting import DIGITS, count_phrase
from desktop.errors import InputError

__all__ = [
    "KNOWN_MOBILE_PREFIXES",
    "IdKind",
    "SaudiId",
    "format_mobile_local",
    "is_known_mobile_prefix",
    "is_valid_saudi_id",
    "make_saudi_id",
    "normalize_saudi_mobile",
    "phone_search_key",
    "saudi_id_check_digit",
    "validate_saudi_id",
]

_ID_LENGTH = 10

#: Second digits of the 05X mobile prefixes in use (050, 051, 053–059); 052 is not assigned.
KNOWN_MOBILE_PREFIXES: frozenset[str] = frozenset({"50", "51", "53", "54", "55", "56", "57", "58", "59"})

_PHONE_SEPARATORS = re.compile(r"[\s\-()\u00a0.]")
_NATIONAL_MOBILE = re.compile(r"5\d{8}")


class IdKind(StrEnum):
    """The kind of a Saudi identity number, told by its first digit."""

    NATIONAL_ID = "national_id"
    IQAMA = "iqama"

    @property
    def label_ar(self) -> str:
        """The Arabic label shown to the officer."""
        return _ID_KIND_LABELS[self]


_ID_KIND_LABELS: dict[IdKind, str] = {
    IdKind.NATIONAL_ID: "هوية وطنية",
    IdKind.IQAMA: "إقامة",
}

_ID_KIND_BY_FIRST_DIGIT: dict[str, IdKind] = {"1": IdKind.NATIONAL_ID, "2": IdKind.IQAMA}


@dataclass(frozen=True)
class SaudiId:
    """A validated 10-digit Saudi national ID or iqama number."""

    number: str
    kind: IdKind

    def __str__(self) -> str:
        return self.number

    @property
    def masked(self) -> str:
        """The number with its middle digits hidden, e.g. "1******890", for printouts and logs."""
        return self.number[0] + "*" * 6 + self.number[-3:]


def _luhn_weighted_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return total


def saudi_id_check_digit(first_nine: str) -> int:
    """The check digit completing the nine digits `first_nine` (Luhn: even 0-based positions doubled)."""
    digits = to_latin_digits(first_nine.strip())
    if len(digits) != _ID_LENGTH - 1 or not digits.isascii() or not digits.isdigit():
        raise InputError("يجب أن تكون بداية رقم الهوية تسعة أرقام بالضبط", field="id_number")
    return (10 - _luhn_weighted_sum(digits) % 10) % 10


def make_saudi_id(first_nine: str) -> str:
    """The full 10-digit number made of `first_nine` (starting with 1 or 2) and its check digit."""
    digits = to_latin_digits(first_nine.strip())
    check = saudi_id_check_digit(digits)
    if digits[0] not in _ID_KIND_BY_FIRST_DIGIT:
        raise InputError(
            "رقم الهوية يجب أن يبدأ بالرقم 1 (هوية وطنية) أو بالرقم 2 (إقامة)", field="id_number"
        )
    return digits + str(check)


def _digit_count(count: int) -> str:
    """«10 أرقام»، «رقمين»، «11 رقمًا»: a number of digits after «من», in the Latin digits of these messages."""
    return count_phrase(count, DIGITS, digits=DigitStyle.LATIN, oblique=True)


def validate_saudi_id(value: str, *, field: str | None = "id_number") -> SaudiId:
    """Validate a national ID or iqama number, raising InputError with the precise Arabic reason."""
    digits = to_latin_digits(strip_bidi_controls(value).strip())
    if not digits:
        raise InputError("رقم الهوية فارغ: أدخل رقم الهوية الوطنية أو الإقامة", field=field)
    if not (digits.isascii() and digits.isdigit()):
        raise InputError("رقم الهوية يجب أن يتكون من أرقام فقط، دون حروف أو رموز أو مسافات", field=field)
    if len(digits) != _ID_LENGTH:
        raise InputError(
            # Latin digits, like the rest of these messages («يبدأ بالرقم 1»).
            f"رقم الهوية يجب أن يتكون من {_digit_count(_ID_LENGTH)}، والرقم المدخل من {_digit_count(len(digits))}",
            field=field,
        )
    kind = _ID_KIND_BY_FIRST_DIGIT.get(digits[0])
    if kind is None:
        raise InputError(
            "رقم الهوية يجب أن يبدأ بالرقم 1 (هوية وطنية) أو بالرقم 2 (إقامة)", field=field
        )
    if _luhn_weighted_sum(digits) % 10 != 0:
        raise InputError(
            "رقم الهوية غير صحيح: خانة التحقق لا تطابق، راجع الأرقام مع بطاقة المستفيد", field=field
        )
    return SaudiId(number=digits, kind=kind)


def is_valid_saudi_id(value: str) -> bool:
    """True when `value` is a valid national ID or iqama number."""
    try:
        validate_saudi_id(value)
    except InputError:
        return False
    return True


def _phone_compact(value: str) -> str:
    return _PHONE_SEPARATORS.sub("", to_latin_digits(strip_bidi_controls(value)))


def _strip_country_code(compact: str) -> str:
    """Remove "+966" / "00966" / "966" (before a 5 or a trunk 0), then a single leading 0."""
    if compact.startswith("+966"):
        rest = compact[4:]
    elif compact.startswith("00966"):
        rest = compact[5:]
    elif compact.startswith("966") and compact[3:4] in ("5", "0"):
        rest = compact[3:]
    else:
        rest = compact
    if rest.startswith("0"):
        rest = rest[1:]
    return rest


def normalize_saudi_mobile(value: str, *, field: str | None = "mobile") -> str:
    """The canonical "+9665XXXXXXXX" form of a Saudi mobile number in any common written form."""
    compact = _phone_compact(value)
    if not compact:
        raise InputError("رقم الجوال فارغ: أدخل رقم جوال سعودي مثل 05XXXXXXXX", field=field)
    national = _strip_country_code(compact)
    if not _NATIONAL_MOBILE.fullmatch(national):
        raise InputError(
            f"رقم الجوال ليس رقم جوال سعودي: يجب أن يكون بالصيغة {ltr('05XXXXXXXX')} ({count_phrase(10, DIGITS, digits=DigitStyle.LATIN)}) "
            f"أو {ltr('+9665XXXXXXXX')}",
            field=field,
        )
    return "+966" + national


def format_mobile_local(canonical: str) -> str:
    """The local display form "05X XXX XXXX" of a mobile number (canonical or any accepted form)."""
    national = normalize_saudi_mobile(canonical)[4:]
    return f"0{national[:2]} {national[2:5]} {national[5:]}"


def is_known_mobile_prefix(value: str) -> bool:
    """True when the mobile number's 05X prefix is one known to be in use (see KNOWN_MOBILE_PREFIXES)."""
    return normalize_saudi_mobile(value)[4:6] in KNOWN_MOBILE_PREFIXES


def phone_search_key(value: str) -> str | None:
    """The national digits of a (possibly partial) mobile number for searching, or None.

    A complete number in any accepted form gives its 9 digits "5XXXXXXXX" (the stored key).
    Partial input has separators, the country code ("+966", "00966", "9665…") and the trunk 0
    removed: "05" → "5", "+966 50 12" → "5012". A result starting with "5" is a prefix of the
    stored key; any other result (e.g. the last digits "4567") is a fragment the caller may match
    anywhere in the key. None when nothing usable is left ("", "0", "+966") or when the input
    holds anything but digits, separators and a leading "+" (it is not a phone number), or more
    than 9 national digits.
    """
    compact = _phone_compact(value)
    if not compact:
        return None
    body = compact[1:] if compact.startswith("+") else compact
    if not (body.isascii() and body.isdigit()):
        return None
    if compact.startswith("+"):
        if not "+966".startswith(compact[:4]):
            return None
        national = compact[4:]
    elif compact.startswith("00"):
        if not "00966".startswith(compact[:5]):
            return None
        national = compact[5:]
    elif compact.startswith("9665") or (compact.startswith("9660") and len(compact) > 4):
        national = compact[3:]
    else:
        national = compact
    if national.startswith("0"):
        national = national[1:]
    if not national or len(national) > 9:
        return None
    return national
