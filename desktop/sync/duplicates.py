"""Duplicates by a unique key: a pulled row that another PC made for what this PC already holds.

Two PCs may register the same beneficiary, the same file, the same policy version or the same
username. When a pulled row collides with a local one on a unique key:

* the local row has never reached the server: the pulled row survives — references are moved to
  it, the local row's differing content is re-applied to it as a local change (so the server
  merges it, or records a conflict), and the local row is removed (`_merge_into_pulled`);
* both rows are on the server: the smaller id survives on every PC; the other is soft-deleted and
  references moved (those changes are pushed like any change) (`_keep_smaller`);
* both are live on the server under a full unique key: both are kept, the pulled copy's key marked.

Runs inside the apply transaction, with the outbox suppressed; the changes meant to be pushed are
made with the outbox triggers resumed for just those statements.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from db.models import APPEND_ONLY_TABLES
from db.outbox import resume_outbox, suppress_outbox
from desktop.sync.forms import TableInfo, now_storage, quote

__all__ = ["resolve_duplicate"]

#: Tables whose duplicates carry no content of their own worth re-applying to the surviving row.
_EQUIVALENT_DUPLICATES = frozenset({"policy_version", "attachment", "app_user", "association"})
#: Columns never re-applied from a removed local duplicate (bookkeeping, not content).
_BOOKKEEPING = ("id", "version", "server_seq", "hlc", "created_at", "updated_at", "device_id")


def resolve_duplicate(
    conn: sqlite3.Connection, info: TableInfo, columns: tuple[str, ...], values: tuple[Any, ...]
) -> tuple[Any, ...]:
    """Make room for a pulled row that duplicates a local one by a unique key; returns the values to write."""
    row = dict(zip(columns, values, strict=True))
    name = info.table.name
    pulled_id = str(row["id"])
    for key_columns, partial in info.unique:
        if not all(c in row for c in key_columns):
            continue
        if partial and row.get("deleted_at") is not None:
            continue
        where = " AND ".join(f"{quote(c)} IS ?" for c in key_columns)
        if partial:
            where += " AND deleted_at IS NULL"
        local = conn.execute(
            f"SELECT id, server_seq FROM {quote(name)} WHERE {where} AND id != ?",
            (*[row[c] for c in key_columns], pulled_id),
        ).fetchone()
        if local is None:
            continue
        local_id, local_seq = str(local[0]), local[1]
        in_flight = conn.execute(
            "SELECT 1 FROM sync_outbox WHERE table_name = ? AND row_id = ? AND batch_id IS NOT NULL",
            (name, local_id),
        ).fetchone()
        if local_seq is None and in_flight is None:
            return _merge_into_pulled(conn, info, local_id, row, columns)
        if partial:
            return _keep_smaller(conn, info, local_id, row, columns)
        for c in key_columns:  # both rows are live on the server: keep both, this copy's key marked
            if isinstance(row[c], str):
                row[c] = f"{row[c]}~{pulled_id[:8]}"
        return tuple(row[c] for c in columns)
    raise sqlite3.IntegrityError(f"unresolved unique collision in {name}")


def _repoint(conn: sqlite3.Connection, info: TableInfo, old: str, new: str) -> None:
    """Move every reference from row `old` to row `new` (recorded in the outbox: triggers on)."""
    resume_outbox(conn)
    try:
        for child, column in info.references:
            if child in APPEND_ONLY_TABLES:
                continue  # their content cannot change; they keep pointing at the (kept) duplicate
            conn.execute(f"UPDATE {quote(child)} SET {quote(column)} = ? WHERE {quote(column)} = ?", (new, old))
    finally:
        suppress_outbox(conn)


def _current(conn: sqlite3.Connection, name: str, row_id: str) -> dict[str, Any]:
    """Every column of one row as stored now."""
    found = conn.execute(f"SELECT * FROM {quote(name)} WHERE id = ?", (row_id,))
    return dict(zip([d[0] for d in found.description], found.fetchone(), strict=True))


def _merge_into_pulled(
    conn: sqlite3.Connection, info: TableInfo, local_id: str, row: dict[str, Any], columns: tuple[str, ...]
) -> tuple[Any, ...]:
    """The local duplicate never reached the server: the pulled row replaces it, its content re-applied."""
    name = info.table.name
    pulled_id = str(row["id"])
    local = _current(conn, name, local_id)
    _repoint(conn, info, local_id, pulled_id)
    conn.execute("DELETE FROM sync_outbox WHERE table_name = ? AND row_id = ?", (name, local_id))
    conn.execute(f"DELETE FROM {quote(name)} WHERE id = ?", (local_id,))
    if name not in _EQUIVALENT_DUPLICATES and name not in APPEND_ONLY_TABLES:
        differing = [
            c for c in columns
            if c not in _BOOKKEEPING and local.get(c) is not None and local.get(c) != row.get(c)
        ]
        if differing:
            conn.execute(info.upsert_sql(columns), tuple(row[c] for c in columns))
            resume_outbox(conn)
            try:
                assignments = ", ".join(f"{quote(c)} = ?" for c in differing)
                conn.execute(f"UPDATE {quote(name)} SET {assignments} WHERE id = ?",
                             (*[local[c] for c in differing], pulled_id))
            finally:
                suppress_outbox(conn)
            current = _current(conn, name, pulled_id)
            return tuple(current[c] for c in columns)
    return tuple(row[c] for c in columns)


def _keep_smaller(
    conn: sqlite3.Connection, info: TableInfo, local_id: str, row: dict[str, Any], columns: tuple[str, ...]
) -> tuple[Any, ...]:
    """Both duplicates are on the server: the smaller id stays live on every PC, the other is soft-deleted."""
    name = info.table.name
    pulled_id = str(row["id"])
    deleted_at = now_storage()
    if pulled_id < local_id:
        resume_outbox(conn)
        try:
            conn.execute(f"UPDATE {quote(name)} SET deleted_at = ? WHERE id = ?", (deleted_at, local_id))
        finally:
            suppress_outbox(conn)
        _repoint(conn, info, local_id, pulled_id)
        return tuple(row[c] for c in columns)
    row["deleted_at"] = deleted_at
    conn.execute(
        "INSERT INTO sync_outbox (table_name, row_id, op, columns, base_version, user_id, changed_at) "
        "VALUES (?, ?, 'delete', 'deleted_at', ?, NULL, ?)",
        (name, pulled_id, row.get("version"), deleted_at),
    )
    values = tuple(row[c] for c in columns)
    conn.execute(info.upsert_sql(columns), values)
    _repoint(conn, info, pulled_id, local_id)
    current = _current(conn, name, pulled_id)
    return tuple(current[c] for c in columns)
