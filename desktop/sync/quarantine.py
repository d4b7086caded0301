"""Quarantine: pulled rows this desk cannot store, set aside with their reason so the rest of sync goes on.

Decisions recorded here:

* A pulled row is set aside (`set_aside`, table ``sync_quarantine``) when it lacks a column this
  desk's schema requires, when a value does not convert to its column, or when SQLite refuses it for
  any reason other than a unique key (those are resolved by `desktop.sync.duplicates`). The rest of
  its page applies, the cursor moves on, and the round reports how many rows wait here (issue 15:
  one poisoned row on the server used to stop every pull of every desk of the association).
* The row is kept as the server sent it (JSON of its wire fields). A later pull of the same row —
  the administrator repaired it on the server (`mustafid-admin rows repair`) — replaces or clears it:
  `release` is called for every row that applies.
* `retry` applies the kept rows again (after a desk update that can store them); `drop` forgets one.
  Neither touches the server. The reason is Arabic and names only tables and columns, never values:
  it is shown to the supervisor and may reach the log.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop.sync.forms import now_storage
from desktop.sync.pulled import PulledRow

__all__ = ["QuarantinedRow", "RejectedChange", "count", "drop", "listing", "rejected_changes", "release", "set_aside",
           "stored_rows"]


@dataclass(frozen=True)
class QuarantinedRow:
    """One row set aside: table, row id (canonical uuid text), server version and sequence, reason, when, retries."""

    table: str
    row_id: str
    version: int
    server_seq: int
    reason_ar: str
    quarantined_at: str
    attempts: int


@dataclass(frozen=True)
class RejectedChange:
    """A change of this desk the server refused (never stored there): table, row id, when made, the server's reason."""

    table: str
    row_id: str
    op: str
    changed_at: str
    reason_ar: str


def rejected_changes(conn: sqlite3.Connection) -> list[RejectedChange]:
    """The outbox entries the server rejected, newest first (one per row and reason)."""
    return [
        RejectedChange(str(table), _canonical(str(row_id)), str(op), str(at), str(reason or ""))
        for table, row_id, op, at, reason in conn.execute(
            "SELECT table_name, row_id, min(op), max(changed_at), message_ar FROM sync_outbox WHERE state = 'rejected' "
            "GROUP BY table_name, row_id, message_ar ORDER BY max(changed_at) DESC")
    ]


def _hex(row_id: str) -> str:
    return row_id.replace("-", "").lower()


def _canonical(hex_id: str) -> str:
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}" if len(hex_id) == 32 else hex_id


def set_aside(conn: sqlite3.Connection, row: PulledRow, reason_ar: str) -> None:
    """Keep a pulled row that cannot be stored, with its Arabic reason (replacing an older copy of it)."""
    conn.execute(
        "INSERT INTO sync_quarantine (table_name, row_id, version, server_seq, row, reason, quarantined_at, attempts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (table_name, row_id) DO UPDATE SET version = excluded.version, "
        "server_seq = excluded.server_seq, row = excluded.row, reason = excluded.reason, "
        "quarantined_at = excluded.quarantined_at, attempts = sync_quarantine.attempts + 1",
        (row.table, _hex(row.row_id), row.version, row.server_seq,
         json.dumps({"deleted": row.deleted, "fields": row.fields}, ensure_ascii=False), reason_ar[:400],
         now_storage()),
    )


def release(conn: sqlite3.Connection, rows: Sequence[PulledRow]) -> None:
    """Forget the quarantined copies of rows that have just been stored."""
    conn.executemany("DELETE FROM sync_quarantine WHERE table_name = ? AND row_id = ?",
                     [(row.table, _hex(row.row_id)) for row in rows])


def count(conn: sqlite3.Connection) -> int:
    """How many rows are set aside."""
    return int(conn.execute("SELECT count(*) FROM sync_quarantine").fetchone()[0])


def listing(conn: sqlite3.Connection) -> list[QuarantinedRow]:
    """Every row set aside, oldest first."""
    return [
        QuarantinedRow(table, _canonical(str(row_id)), int(version), int(seq), str(reason), str(at), int(attempts))
        for table, row_id, version, seq, reason, at, attempts in conn.execute(
            "SELECT table_name, row_id, version, server_seq, reason, quarantined_at, attempts FROM sync_quarantine "
            "ORDER BY quarantined_at, table_name, row_id")
    ]


def stored_rows(conn: sqlite3.Connection, row_id: str | None = None) -> list[PulledRow]:
    """The kept rows as pulled rows (all, or those of one row id), to apply again."""
    query = "SELECT table_name, row_id, version, server_seq, row FROM sync_quarantine"
    params: tuple[Any, ...] = ()
    if row_id is not None:
        query += " WHERE row_id = ?"
        params = (_hex(row_id),)
    rows: list[PulledRow] = []
    for table, hex_id, version, seq, text in conn.execute(query + " ORDER BY server_seq", params):
        body = json.loads(text)
        rows.append(PulledRow(str(table), _canonical(str(hex_id)), int(version), int(seq), bool(body["deleted"]),
                              dict(body["fields"])))
    return rows


def drop(conn: sqlite3.Connection, row_id: str) -> int:
    """Forget the rows set aside under a row id (every table); how many."""
    return max(conn.execute("DELETE FROM sync_quarantine WHERE row_id = ?", (_hex(row_id),)).rowcount, 0)
