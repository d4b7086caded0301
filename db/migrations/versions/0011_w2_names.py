"""Names in search: invisible format characters are removed from the name keys, never made a space.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Frozen: this file must not import `db.models` (nor `desktop`, which `db` never imports). Until now the desk's
name key (`desktop.arabic_text.normalize_name`) turned a format character other than a bidi control, ZWNJ,
ZWJ, ZWSP or BOM (a soft hyphen, a word joiner, an Arabic number sign… Unicode category Cf) into a space,
splitting one word in two; it now removes every one of them. The keys of the beneficiaries whose name holds
such a character are made again with a frozen copy of the new normaliser (`_name_key`, written for the
Unicode database of Python 3.11); the beneficiary search index follows through its triggers. The outbox is
suppressed for that: the key is derived from the name, and every PC makes it again by this same revision.

The rescue reports' search words (0010's ``rescue_report_fts``) are spelt as the desk's search spells a
typed name: the triggers are made again so that format characters are removed there too (the unicode61
tokenizer would cut a word at a ZWNJ) and every mark the name key drops (Quranic marks included) is dropped,
and the words of the reports already there are written again.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Every format character (category Cf) of Python 3.11's Unicode database (14.0), as ranges.
_FORMAT_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_FORMAT: tuple[str, ...] = tuple(chr(c) for lo, hi in _FORMAT_RANGES for c in range(lo, hi + 1))
#: The format characters the old key already removed (bidi controls, ZWSP, ZWNJ, ZWJ, BOM): no key changes for them.
_REMOVED_BEFORE: frozenset[str] = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\ufeff"]
)

# ---- the frozen name key (desktop.arabic_text.normalize_name as of this revision) ----------------------

_DROPPED: frozenset[str] = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]
    + [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)
_LETTER_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "\u0672": "ا", "\u0673": "ا", "ة": "ه", "\u06c0": "ه",
    "ى": "ي", "\u06cc": "ي", "ؤ": "و", "ئ": "ي", "\u06a9": "ك",
}
_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def _name_key(text: str) -> str:
    """The name key of `text` as `desktop.arabic_text.normalize_name` makes it at this revision."""

    def no_format(value: str) -> str:
        return "".join(ch for ch in value if unicodedata.category(ch) != "Cf")

    value = unicodedata.normalize("NFKC", no_format(text)).casefold()
    value = unicodedata.normalize("NFKC", no_format(value))
    out: list[str] = []
    for ch in value:
        category = unicodedata.category(ch)
        if ch in _DROPPED or category == "Cf":
            continue
        out.append(" " if category == "Cc" else _LETTER_MAP.get(ch, ch))
    tokens = "".join(out).translate(_TO_LATIN).split()
    joined: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "عبد" and i + 1 < len(tokens) and tokens[i + 1].startswith("ال"):
            joined.append(tokens[i] + tokens[i + 1])
            i += 2
        else:
            joined.append(tokens[i])
            i += 1
    return " ".join(joined)


# ---- the rescue reports' search words ------------------------------------------------------------------

_SQL_LETTERS: tuple[tuple[str, str], ...] = tuple(_LETTER_MAP.items())


def _sql_literal(ch: str) -> str:
    return "char(" + str(ord(ch)) + ")"


#: The characters removed from the words: marks the name key drops, then format characters (BMP only: SQL).
_REMOVED_IN_SQL: tuple[str, ...] = tuple(sorted(_DROPPED)) + tuple(ch for ch in _FORMAT if ord(ch) <= 0xFFFF)
#: How many ``replace`` calls one SQL expression nests at most (SQLite's parser stack overflows at about thirty).
_NESTED = 20


def _replaced(expression: str, pairs: Sequence[tuple[str, str]]) -> str:
    out = expression
    for old, new in pairs:
        out = f"replace({out}, {old}, {new})"
    return out


def _chunks() -> list[list[tuple[str, str]]]:
    """The replacements in groups of `_NESTED`: the letters first, then the removed characters."""
    pairs = [(f"'{old}'", f"'{new}'") for old, new in _SQL_LETTERS]
    pairs += [(_sql_literal(ch), "''") for ch in _REMOVED_IN_SQL]
    return [pairs[i:i + _NESTED] for i in range(0, len(pairs), _NESTED)]


def words_statements(source: str, rowid: str) -> list[str]:
    """SQL statements writing the searchable words of the report at `rowid` (reading its columns from `source`,
    ``new.`` in a trigger): inserted with the first group of replacements, then rewritten with each next one."""
    first, *rest = _chunks()
    statements = [
        "INSERT INTO rescue_report_fts(rowid, caller, place) VALUES ("
        f"{rowid}, {_replaced(f'coalesce({source}reporter_name, {chr(39) * 2})', first)}, "
        f"{_replaced(f'coalesce({source}place, {chr(39) * 2})', first)})"
    ]
    for chunk in rest:
        statements.append(
            f"UPDATE rescue_report_fts SET caller = {_replaced('caller', chunk)}, place = {_replaced('place', chunk)} "
            f"WHERE rowid = {rowid}"
        )
    return statements


_WRITE = "; ".join(words_statements("new.", "new.rowid"))

#: The triggers keeping the search words of every report (the same names as 0010's).
SEARCH_TRIGGERS: dict[str, str] = {
    "rescue_report_fts_after_insert": f"AFTER INSERT ON rescue_report BEGIN {_WRITE}; END",
    "rescue_report_fts_after_update": (
        "AFTER UPDATE OF reporter_name, place ON rescue_report BEGIN "
        f"DELETE FROM rescue_report_fts WHERE rowid = old.rowid; {_WRITE}; END"
    ),
}


def _has_table(name: str) -> bool:
    bind = op.get_bind()
    return bool(bind.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = ?", (name,)).scalar())


def _rebuild_name_keys() -> None:
    """Make again the keys of the beneficiaries whose name holds a format character the old key made a space."""
    changed = frozenset(ch for ch in _FORMAT if ch not in _REMOVED_BEFORE)
    bind = op.get_bind()
    # Read once and looked at here: a set test is many times faster than SQLite's GLOB class or a regex
    # (about 0.6 s per 100,000 names on a loaded machine).
    updates = [
        (key, rowid)
        for rowid, full_name, name_key in bind.exec_driver_sql("SELECT rowid, full_name, name_key FROM beneficiary")
        if full_name and not changed.isdisjoint(full_name) and (key := _name_key(full_name)[:200]) != name_key
    ]
    if not updates:
        return
    switch = _has_table("sync_switch")
    if switch:
        bind.exec_driver_sql("UPDATE sync_switch SET suppressed = 1 WHERE id = 1")
    for key, rowid in updates:
        bind.exec_driver_sql("UPDATE beneficiary SET name_key = ? WHERE rowid = ?", (key, rowid))
    if switch:
        bind.exec_driver_sql("UPDATE sync_switch SET suppressed = 0 WHERE id = 1")


def _fts5_available() -> bool:
    """True when this process's SQLite library has FTS5 (probed on a throw-away memory database)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def upgrade() -> None:
    """Name keys without the format characters made spaces; the reports' search words spelt the same way."""
    _rebuild_name_keys()
    if not _fts5_available() or not _has_table("rescue_report_fts"):
        return
    for name, body in SEARCH_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("DELETE FROM rescue_report_fts")
    first, *rest = _chunks()
    caller, place = _replaced("coalesce(reporter_name, '')", first), _replaced("coalesce(place, '')", first)
    op.execute(f"INSERT INTO rescue_report_fts(rowid, caller, place) SELECT rowid, {caller}, {place} FROM rescue_report")
    for chunk in rest:
        op.execute(f"UPDATE rescue_report_fts SET caller = {_replaced('caller', chunk)}, place = {_replaced('place', chunk)}")


def downgrade() -> None:
    """The reports' search words as 0010 spelt them (name keys stay as they are: both revisions read them)."""
    if not _fts5_available() or not _has_table("rescue_report_fts"):
        return
    from importlib import import_module

    previous = import_module("db.migrations.versions.0010_rescue_desk")
    for name, body in previous.SEARCH_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")
