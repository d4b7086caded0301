"""Case numbers: ``<device prefix>-<Hijri year>-<sequence>``, e.g. ``A1F3-1447-000123``.

The prefix is this PC's (`db.models.Device.case_number_prefix`), the year the Umm al-Qura year the
case was opened in, and the sequence at least six digits per device that does not restart with the
year, so the numbers of one PC sort by age and never repeat, whatever the year.
"""

from __future__ import annotations

import re

__all__ = ["format_case_number", "parse_case_sequence"]

_CASE_NUMBER = re.compile(r"(?P<prefix>[A-Z0-9]{1,16})-(?P<year>\d{4})-(?P<seq>\d{6,})")


def format_case_number(prefix: str, hijri_year: int, sequence: int) -> str:
    """A case number ``PREFIX-YYYY-NNNNNN`` (the sequence zero-padded to six digits, longer if needed)."""
    return f"{prefix}-{hijri_year:04d}-{sequence:06d}"


def parse_case_sequence(case_number: str) -> int | None:
    """The sequence part of a case number of this format, or None for any other form."""
    match = _CASE_NUMBER.fullmatch(case_number)
    return int(match.group("seq")) if match else None
