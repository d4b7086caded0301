"""Search as you type over beneficiaries and cases: how the text was understood, and the matching ids.

Decisions recorded here (the case list and the reception look-up rely on them):

* `understand` is pure. At most `MAX_SEARCH_CHARS` characters of the text count (1 MB pasted is cut
  before anything else); bidi controls and format characters (ZWNJ, soft hyphen…) are removed without
  leaving a space, control characters become spaces.
* Digits (Arabic-Indic too) are read by their start: ``05…``, ``5…``, ``+9665…``, ``009665…`` (spaces,
  dashes and brackets allowed) are a phone; ``1…``/``2…`` are an ID number or its start (at least
  `MIN_DIGITS` digits), which may also be a case number's sequence; any other run of digits
  (``000123``) is a case number's sequence. Latin letters and digits with dashes (``A1F3-1447-000123``,
  ``a1f3-14``) are a case number or its start. Anything else with letters is a name.
* Names: every part typed is normalised like the stored `name_key` (`desktop.arabic_text.name_tokens`:
  hamza/alef forms, taa marbuta, alef maqsura, diacritics, tatweel, عبد الله → عبدالله) and matched as
  the start of a word of the name, parts in any order (FTS5 prefix queries, each token quoted so no
  FTS operator or wildcard typed by the officer is ever interpreted), with or without the article
  (`desktop.arabic_text.article_forms`: قحطاني finds القحطاني and the reverse). The same name comes
  first, then names where every part is a whole word, then the names where a part is only a word's
  start (عمر before عمرو). At most `MAX_SEARCH_TOKENS` parts; one-letter parts are ignored beside
  longer ones.
* Every look-up is an index range or an FTS5 query with a LIMIT: nothing reads every row.
* A rescue report (بلاغ) is found by its caller's phone (an index range on the stored "+…" form: a Saudi
  mobile's start, or any number typed with its country code), or by the words of the caller's name and the
  place (``rescue_report_fts``, the same prefix matching as names; «عبدالله» also matches «عبد الله»).
* A case number's sequence is found without a suffix scan: the distinct ``PREFIX-YEAR-`` groups are
  walked on the unique case-number index (one seek each) and the candidate numbers looked up exactly.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import text as sql

from desktop.arabic_text import (
    article_forms,
    display_digits,
    fts_name_query,
    name_match_rank,
    name_tokens,
    strip_bidi_controls,
    to_latin_digits,
)
from desktop.identity import phone_search_key

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "MAX_SEARCH_CHARS",
    "MAX_SEARCH_TOKENS",
    "MIN_DIGITS",
    "SearchKind",
    "SearchQuery",
    "beneficiary_ids",
    "case_ids",
    "report_case_ids",
    "understand",
]

#: At most this many characters of the typed text are considered (1 MB pasted is cut here first).
MAX_SEARCH_CHARS = 200
#: At most this many name parts are matched (a full name has four).
MAX_SEARCH_TOKENS = 6
#: Fewest digits of an ID number, phone or case sequence before searching by them.
MIN_DIGITS = 3
#: Case-number groups (``PREFIX-YEAR-``) walked at most when looking a sequence up.
_MAX_CASE_GROUPS = 500
_ID_LENGTH = 10
_PHONE_KEY_LENGTH = 9

SearchKind = Literal["empty", "id", "phone", "case_number", "name"]

_PHONE_SEPARATORS = re.compile(r"[\s\-()\u00a0.]")
_CASE_NUMBER = re.compile(r"[A-Z0-9]{1,16}(-[0-9]*){0,2}")
_SEQUENCE = re.compile(r"[0-9]+")
# A case number whose device prefix is all digits: the year (Hijri 14xx, or 20xx) tells it from a phone.
_DIGIT_CASE_NUMBER = re.compile(r"[0-9]{1,16}-(14|20)[0-9]{2}(-[0-9]*)?")
_AFTER_DIGIT = ":"  # the character after "9": [key, key + ":") is the range of strings starting with key


@dataclass(frozen=True)
class SearchQuery:
    """How the typed text was understood: its kind, the key searched and the Arabic line shown to the officer."""

    kind: SearchKind
    text: str = ""  # the cleaned text (bidi/control characters removed, capped)
    key: str = ""  # id: the digits; phone: `phone_search_key`; case_number: the upper-cased number or its start
    tokens: tuple[str, ...] = ()  # name: the normalised name parts, each matched as a word start
    case_sequence: str | None = None  # digits that may also be a case number's sequence ("000123")

    @property
    def description(self) -> str:
        """The Arabic line telling the officer how the text is searched («بحث برقم الهوية…»)."""
        return self.worded()

    def worded(self, reports: bool = False) -> str:
        """`description`, naming a case number as a policy of reports does («رقم البلاغ») when `reports`."""
        number = "رقم البلاغ" if reports else "رقم الطلب"
        if self.kind == "id":
            shown = display_digits(self.key)
            whole = len(self.key) == _ID_LENGTH
            line = f"بحث برقم الهوية {shown}" if whole else f"بحث برقم الهوية الذي يبدأ بـ {shown}"
            return line + (f" أو تسلسل {number}" if self.case_sequence else "")
        if self.kind == "phone":
            shown = display_digits("0" + self.key)
            whole = len(self.key) == _PHONE_KEY_LENGTH
            return f"بحث برقم الجوال {shown}" if whole else f"بحث برقم الجوال الذي يبدأ بـ {shown}"
        if self.kind == "case_number":
            if self.key:
                return f"بحث ب{number} {self.key}"
            return f"بحث بتسلسل {number} {display_digits(self.case_sequence or '')}"
        if self.kind == "name":
            return "بحث بالاسم: " + " ".join(self.tokens) if self.tokens else "لا يوجد في النص ما يُبحث به"
        if self.text:
            return "اكتب ثلاثة أرقام أو حرفين على الأقل للبحث"
        return ""


def _clean(text: str) -> str:
    """The typed text without bidi controls or format characters (removed, never made a space; control
    characters and line separators become spaces), capped at MAX_SEARCH_CHARS."""
    head = strip_bidi_controls(text[: MAX_SEARCH_CHARS * 4])
    kept = "".join(
        "" if category == "Cf" else " " if category in ("Cc", "Zl", "Zp") else ch
        for ch, category in ((ch, unicodedata.category(ch)) for ch in head)
    )
    return " ".join(kept.split())[:MAX_SEARCH_CHARS].strip()


def understand(text: str) -> SearchQuery:
    """Read what the officer typed (pure, no database): ID or its start, phone, case number or name."""
    cleaned = _clean(text or "")
    if not cleaned:
        return SearchQuery("empty")
    latin = to_latin_digits(cleaned)
    if _DIGIT_CASE_NUMBER.fullmatch("".join(latin.split())):  # a device prefix of digits: "6166-1447-0001"
        return SearchQuery("case_number", text=cleaned, key="".join(latin.split()).upper())
    compact = _PHONE_SEPARATORS.sub("", latin)
    body = compact[1:] if compact.startswith("+") else compact
    if body.isascii() and body.isdigit():
        return _understand_digits(cleaned, compact)
    upper = "".join(latin.split()).upper()
    if upper.isascii() and _CASE_NUMBER.fullmatch(upper) and any(ch.isalpha() or ch == "-" for ch in upper):
        if upper.startswith("-"):
            return SearchQuery("empty", text=cleaned)
        return SearchQuery("case_number", text=cleaned, key=upper)
    tokens = _name_parts(latin)
    if not tokens:
        if any(ch.isalnum() for ch in latin):
            return SearchQuery("empty", text=cleaned)  # too short yet: the list stays as it is
        return SearchQuery("name", text=cleaned)  # only symbols ("%", "'", "*"): nothing can match
    return SearchQuery("name", text=cleaned, tokens=tokens)


def _understand_digits(cleaned: str, compact: str) -> SearchQuery:
    """Digits only: a phone, an ID number (or its start) or a case number's sequence."""
    digits = compact.lstrip("+")
    phone_like = compact.startswith(("+", "05", "5", "009665", "9665", "0096605"))
    key = phone_search_key(compact) if phone_like else None
    if key is not None and key.startswith("5"):
        if len(key) < MIN_DIGITS - 1:  # "055": the national digits "55"
            return SearchQuery("empty", text=cleaned)
        return SearchQuery("phone", text=cleaned, key=key)
    if len(digits) < MIN_DIGITS:
        return SearchQuery("empty", text=cleaned)
    if digits[0] in "12" and not compact.startswith("+"):
        sequence = digits if len(digits) < _ID_LENGTH else None
        return SearchQuery("id", text=cleaned, key=digits[: _ID_LENGTH + 1], case_sequence=sequence)
    if compact.startswith("+") or len(digits) > 12:
        return SearchQuery("id", text=cleaned, key=digits[: _ID_LENGTH + 1])  # nothing can match
    return SearchQuery("case_number", text=cleaned, case_sequence=digits)


def _name_parts(text: str) -> tuple[str, ...]:
    """The normalised name parts to match: letters and digits only, one-letter parts dropped beside others."""
    raw = name_tokens(text)
    tokens: list[str] = []
    for token in raw:
        tokens.extend("".join(ch if ch.isalnum() else " " for ch in token).split())
    # One letter, or the article alone, matches half the names: not a search yet.
    kept = [token for token in tokens if len(token) > 1 and token != "ال"]
    return tuple(dict.fromkeys(kept))[:MAX_SEARCH_TOKENS]


def _prefix_range(column: str) -> str:
    """SQL of a prefix match on a digits-only key as an index range (never LIKE)."""
    return f"{column} >= :lo AND {column} < :hi"


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))


def beneficiary_ids(session: Session, query: SearchQuery, *, limit: int) -> list[uuid.UUID]:
    """Live beneficiaries matching an id, phone or name query (at most `limit`, exact matches first)."""
    if limit < 1:
        return []
    if query.kind == "id":
        return _digit_search(session, "id_number", query.key, _ID_LENGTH, limit)
    if query.kind == "phone":
        return _digit_search(session, "phone_key", query.key, _PHONE_KEY_LENGTH, limit)
    if query.kind == "name" and query.tokens:
        return _name_search(session, query.tokens, limit)
    return []


def _digit_search(session: Session, column: str, key: str, length: int, limit: int) -> list[uuid.UUID]:
    """Beneficiaries whose `column` equals `key` (complete) or starts with it (an index range)."""
    if not key.isdigit() or len(key) > length:
        return []
    if len(key) == length:
        condition, params = f"{column} = :key", {"key": key}
    else:
        condition, params = _prefix_range(column), {"lo": key, "hi": key + _AFTER_DIGIT}
    rows = session.execute(
        sql(f"SELECT id FROM beneficiary WHERE {condition} AND deleted_at IS NULL ORDER BY {column} LIMIT :limit"),
        {**params, "limit": limit},
    ).scalars()
    return [_uuid(value) for value in rows]


def _fts_available(session: Session) -> bool:
    return bool(session.scalar(sql("SELECT count(*) FROM sqlite_master WHERE name = 'beneficiary_fts'")))


def _name_search(session: Session, tokens: tuple[str, ...], limit: int) -> list[uuid.UUID]:
    """Beneficiaries with every part as a word (or its start): the same name first, then whole words, then starts."""
    key = " ".join(tokens)
    found: dict[uuid.UUID, None] = {}
    exact = session.execute(
        sql("SELECT id FROM beneficiary WHERE name_key = :key AND deleted_at IS NULL LIMIT :limit"),
        {"key": key, "limit": limit},
    ).scalars()
    found.update((_uuid(value), None) for value in exact)
    if _fts_available(session):
        for whole_words in (True, False):
            if len(found) >= limit:
                break
            rows = session.execute(
                sql(
                    "SELECT beneficiary.id FROM beneficiary_fts JOIN beneficiary "
                    "ON beneficiary.rowid = beneficiary_fts.rowid "
                    "WHERE beneficiary_fts MATCH :match AND beneficiary.deleted_at IS NULL LIMIT :limit"
                ),
                {"match": fts_name_query(tokens, whole_words=whole_words), "limit": limit},
            ).scalars()
            for value in rows:
                if len(found) >= limit:
                    break
                found.setdefault(_uuid(value), None)
        return list(found)[:limit]
    # No FTS5 in this SQLite: the first part (or its twin) as a start of the name, the others checked here.
    candidates: list[Any] = []
    for first in article_forms(tokens[0]):
        candidates.extend(
            session.execute(
                sql(
                    "SELECT id, name_key FROM beneficiary WHERE name_key >= :lo AND name_key < :hi "
                    "AND deleted_at IS NULL LIMIT :limit"
                ),
                {"lo": first, "hi": first + "\U0010ffff", "limit": limit * 50},
            ).all()
        )
    matching = [
        row for row in candidates
        if all(any(part.startswith(form) for part in row.name_key.split() for form in article_forms(t)) for t in tokens)
    ]
    matching.sort(key=lambda row: name_match_rank(tokens, row.name_key))
    for row in matching:
        if len(found) >= limit:
            break
        found.setdefault(_uuid(row.id), None)
    return list(found)[:limit]


def case_ids(session: Session, query: SearchQuery, *, limit: int) -> list[uuid.UUID]:
    """Live cases whose number starts with the typed number, or whose sequence is the typed digits."""
    if limit < 1:
        return []
    found: dict[uuid.UUID, None] = {}
    if query.kind == "case_number" and query.key:
        rows = session.execute(
            sql(
                'SELECT id FROM "case" WHERE case_number >= :lo AND case_number < :hi '
                "AND deleted_at IS NULL ORDER BY case_number LIMIT :limit"
            ),
            {"lo": query.key, "hi": query.key + "\U0010ffff", "limit": limit},
        ).scalars()
        found.update((_uuid(value), None) for value in rows)
    if query.case_sequence and _SEQUENCE.fullmatch(query.case_sequence):
        numbers = [group + seq for group in _case_groups(session) for seq in _sequence_forms(query.case_sequence)]
        for start in range(0, len(numbers), 500):
            rows = session.execute(
                sql('SELECT id FROM "case" WHERE case_number IN (SELECT value FROM json_each(:numbers)) '
                    "AND deleted_at IS NULL"),
                {"numbers": _json_list(numbers[start:start + 500])},
            ).scalars()
            found.update((_uuid(value), None) for value in rows)
    return list(found)[:limit]


def _json_list(values: list[str]) -> str:
    import json

    return json.dumps(values)


def _sequence_forms(digits: str) -> list[str]:
    """The stored spellings of a sequence: at least six digits, zero-padded (the demo data pads to seven)."""
    value = digits.lstrip("0") or "0"
    if len(value) > 12:
        return []
    return sorted({value.zfill(width) for width in (6, 7, len(digits)) if width >= len(value)})


def _case_groups(session: Session) -> list[str]:
    """The distinct ``PREFIX-YEAR-`` starts of case numbers, one index seek each."""
    groups: list[str] = []
    after = ""
    while len(groups) < _MAX_CASE_GROUPS:
        number = session.execute(
            sql('SELECT case_number FROM "case" WHERE case_number > :after ORDER BY case_number LIMIT 1'),
            {"after": after},
        ).scalar()
        if number is None:
            break
        parts = number.split("-")
        if len(parts) < 3:
            after = number
            continue
        group = f"{parts[0]}-{parts[1]}-"
        groups.append(group)
        after = group[:-1] + chr(ord("-") + 1)  # skip every number of this group
    return groups


def _fts_words(token: str) -> str:
    """One typed part as an FTS5 prefix query (quoted), with or without the article; a joined «عبدال…» also
    matches the two written words."""
    forms = ['"' + form.replace('"', '""') + '"*' for form in article_forms(token)]
    if token.startswith("عبدال") and len(token) > len("عبد"):
        forms.append(f'"عبد {token[3:]}"*')
    return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"


def report_case_ids(session: Session, query: SearchQuery, *, limit: int) -> list[uuid.UUID]:
    """Live cases whose rescue report's caller phone, caller name or place matches the query (at most `limit`)."""
    if limit < 1:
        return []
    rows: Iterable[Any] = ()
    compact = _PHONE_SEPARATORS.sub("", to_latin_digits(query.text))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if query.kind == "phone" and query.key.isdigit():
        lo = "+966" + query.key
        rows = session.execute(
            sql("SELECT case_id FROM rescue_report WHERE reporter_phone >= :lo AND reporter_phone < :hi "
                "AND deleted_at IS NULL ORDER BY reporter_phone LIMIT :limit"),
            {"lo": lo, "hi": lo + _AFTER_DIGIT, "limit": limit},
        ).scalars()
    elif compact.startswith("+") and compact[1:].isascii() and compact[1:].isdigit() and len(compact) > MIN_DIGITS:
        rows = session.execute(
            sql("SELECT case_id FROM rescue_report WHERE reporter_phone >= :lo AND reporter_phone < :hi "
                "AND deleted_at IS NULL ORDER BY reporter_phone LIMIT :limit"),
            {"lo": compact, "hi": compact + _AFTER_DIGIT, "limit": limit},
        ).scalars()
    elif query.kind == "name" and query.tokens and _report_fts_available(session):
        match = " AND ".join(_fts_words(token) for token in query.tokens)
        rows = session.execute(
            sql("SELECT r.case_id FROM rescue_report_fts JOIN rescue_report AS r ON r.rowid = rescue_report_fts.rowid "
                "WHERE rescue_report_fts MATCH :match AND r.deleted_at IS NULL LIMIT :limit"),
            {"match": match, "limit": limit},
        ).scalars()
    return list(dict.fromkeys(_uuid(value) for value in rows))[:limit]


def _report_fts_available(session: Session) -> bool:
    return bool(session.scalar(sql("SELECT count(*) FROM sqlite_master WHERE name = 'rescue_report_fts'")))
