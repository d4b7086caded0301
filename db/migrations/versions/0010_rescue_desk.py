"""The rescue desk: a report found by its caller's phone, name or place, by platform and received time.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24

Frozen: this file must not import `db.models`. Plain CREATE INDEX on ``rescue_report`` (phone, platform,
received time: the case list's filters and the dashboard's response times) and an FTS5 table
``rescue_report_fts`` of the caller's name and the place, keyed by the report's rowid and kept by triggers
(so reports pulled from another PC are found too). The words are stored as the desk's name key spells them
(`desktop.arabic_text.normalize_name`: hamza carriers, taa marbuta, alef maqsura unified; harakat and tatweel
dropped), written here as SQL ``replace`` calls because `db` does not import `desktop`. Skipped, like
``beneficiary_fts``, when SQLite lacks FTS5 (the search then finds reports by phone and number only).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Letters written as the name key writes them (the same pairs as `desktop.arabic_text`'s map).
_LETTERS: tuple[tuple[str, str], ...] = (
    ("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("\u0672", "ا"), ("\u0673", "ا"),
    ("ة", "ه"), ("\u06c0", "ه"), ("ى", "ي"), ("\u06cc", "ي"), ("ؤ", "و"), ("ئ", "ي"), ("\u06a9", "ك"),
)
#: Harakat, tanwin, shadda, sukun, dagger alef and the tatweel: dropped.
_DROPPED: tuple[str, ...] = tuple(chr(c) for c in range(0x064B, 0x0653)) + ("\u0670", "\u0640")


def words_sql(expression: str) -> str:
    """SQL giving the searchable words of a text column: letters unified, marks dropped."""
    out = f"coalesce({expression}, '')"
    for old, new in _LETTERS:
        out = f"replace({out}, '{old}', '{new}')"
    for mark in _DROPPED:
        out = f"replace({out}, '{mark}', '')"
    return out


_INSERT = (
    "INSERT INTO rescue_report_fts(rowid, caller, place) "
    f"VALUES (new.rowid, {words_sql('new.reporter_name')}, {words_sql('new.place')})"
)

#: The triggers keeping the search words of every report.
SEARCH_TRIGGERS: dict[str, str] = {
    "rescue_report_fts_after_insert": f"AFTER INSERT ON rescue_report BEGIN {_INSERT}; END",
    "rescue_report_fts_after_delete": (
        "AFTER DELETE ON rescue_report BEGIN DELETE FROM rescue_report_fts WHERE rowid = old.rowid; END"
    ),
    "rescue_report_fts_after_update": (
        "AFTER UPDATE OF reporter_name, place ON rescue_report BEGIN "
        f"DELETE FROM rescue_report_fts WHERE rowid = old.rowid; {_INSERT}; END"
    ),
}


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
    """Create the rescue report indexes and its search words (filled from the reports already there)."""
    op.create_index("ix_rescue_report_reporter_phone", "rescue_report", ["reporter_phone"], unique=False)
    op.create_index("ix_rescue_report_platform", "rescue_report", ["platform"], unique=False)
    op.create_index("ix_rescue_report_received_at", "rescue_report", ["received_at"], unique=False)
    if not _fts5_available():
        return
    op.execute("CREATE VIRTUAL TABLE rescue_report_fts USING fts5(caller, place, tokenize='unicode61')")
    for name, body in SEARCH_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT INTO rescue_report_fts(rowid, caller, place) SELECT rowid, "
        f"{words_sql('reporter_name')}, {words_sql('place')} FROM rescue_report"
    )


def downgrade() -> None:
    """Drop the search words and the indexes."""
    for name in SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS rescue_report_fts")
    op.drop_index("ix_rescue_report_received_at", table_name="rescue_report")
    op.drop_index("ix_rescue_report_platform", table_name="rescue_report")
    op.drop_index("ix_rescue_report_reporter_phone", table_name="rescue_report")
