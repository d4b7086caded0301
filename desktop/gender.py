"""The beneficiary's gender in what the association writes to them: the address and the marked template words.

Letters, notices, messages and the declaration address the beneficiary in their gender («المكرم/المكرمة»،
«المحترم/المحترمة»، «مقدم/مقدمة الإقرار»). The code picks its own words with `gendered(masculine, feminine,
gender)`; a profile's template marks a gendered word as ``{masculine|feminine}`` — «{الموقع|الموقعة}» — and
`resolve_marks(text, gender)` keeps the one form that fits. A beneficiary whose gender was never recorded (a file
made before it was asked) is given both forms, «المكرم/المكرمة», rather than a guess.

A marking is a brace group holding one «|» between two non-empty forms; a doubled brace ``{{`` stays a literal
brace (as in the template's placeholders). `mark_problem(text)` says, in Arabic, what is wrong with the first
bad marking of a template, for the profile's validation.
"""

from __future__ import annotations

import re

__all__ = ["FEMALE", "GENDER_CHOICES", "MALE", "gender_label", "gendered", "mark_problem", "resolve_marks",
           "strip_marks"]

#: The stored values (`db.models.Gender`'s; not imported: the profile's validation loads no database code).
MALE = "male"
FEMALE = "female"
#: The choices the officer is offered, in order: (stored value, Arabic label).
GENDER_CHOICES: tuple[tuple[str, str], ...] = ((MALE, "ذكر"), (FEMALE, "أنثى"))

#: A doubled brace (kept as it is) or a brace group holding a «|» (a gender marking).
_MARK = re.compile(r"\{\{|\}\}|\{([^{}]*\|[^{}]*)\}")


def gender_label(gender: str | None) -> str:
    """«ذكر» or «أنثى», or «غير مسجل» for a gender never recorded."""
    return dict(GENDER_CHOICES).get(gender or "", "غير مسجل")


def gendered(masculine: str, feminine: str, gender: str | None) -> str:
    """The word in the beneficiary's gender; both forms («المكرم/المكرمة») when it was never recorded."""
    if gender == FEMALE:
        return feminine
    if gender == MALE:
        return masculine
    return f"{masculine}/{feminine}"


def _forms(inside: str) -> tuple[str, str] | None:
    """The (masculine, feminine) forms of a marking's inside, or None when it is not two non-empty forms."""
    parts = inside.split("|")
    if len(parts) != 2:
        return None
    masculine, feminine = (part.strip() for part in parts)
    if not masculine or not feminine or masculine == feminine:
        return None
    return masculine, feminine


def resolve_marks(text: str, gender: str | None) -> str:
    """`text` with every ``{masculine|feminine}`` marking replaced by the form of `gender` (doubled braces kept)."""

    def keep(match: re.Match[str]) -> str:
        inside = match.group(1)
        if inside is None:
            return match.group(0)
        forms = _forms(inside)
        return match.group(0) if forms is None else gendered(*forms, gender)

    return _MARK.sub(keep, text)


def strip_marks(text: str) -> str:
    """`text` with every marking replaced by its masculine form (what the placeholder check reads)."""
    return resolve_marks(text, MALE)


def mark_problem(text: str) -> str | None:
    """The first bad gender marking of a template, worded in Arabic, or None when every marking is sound."""
    for match in _MARK.finditer(text):
        inside = match.group(1)
        if inside is not None and _forms(inside) is None:
            return (
                f"علامة الجنس «{{{inside}}}» غير صحيحة: اكتبها بصيغة {{المذكر|المؤنث}}، "
                "كلمتين مختلفتين بينهما | مثل {الموقع|الموقعة}"
            )
    return None
