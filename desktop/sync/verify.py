"""Verification: this desk's rows compared with the server's by count and hash, and a targeted resync when they differ.

After a round that moved anything, and at most every `SUMMARY_INTERVAL` otherwise: per table, the
count and hash of (id, version) of the rows the server has acknowledged, compared with
``/v1/summary`` for tables with no pending change; a mismatch triggers a resync of that table
through ``/v1/rows`` — rows missing or different here are applied, rows the server lacks are
queued again. Never silence.

Content, not only (id, version): each verification also compares the CONTENT of up to
`CONTENT_BUDGET` acknowledged rows with the server's (a ``/v1/rows`` page, field by field in the wire
form, bookkeeping columns aside), going on from where the last one stopped (``sync_state.content_cursor``,
table by table in name order, then round again). A row whose content differs at the same version was
changed behind the app's back (directly in SQLite, without the outbox): the server's row is applied
over it (append-only rows keep their content: their tampering is for ``audit verify``) and the table is
named in the report (`SyncReport.edited_rows`). Incremental on purpose: one verification reads a few
pages, whatever the association's size; a million rows are all compared within a day of idle rounds.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from db.engine import Database, driver_connection
from desktop.sync.forms import decode_storage, now_storage, quote
from desktop.sync.link import ServerLink
from desktop.sync.outcome import SyncError, SyncReport
from desktop.sync.protocol import (
    SERVER_ASSIGNED_COLUMNS,
    UNMERGED_COLUMNS,
    SummaryResponse,
    WireValueError,
    canonical_value,
    encode_fields,
    summary_hash,
)
from desktop.sync.pulled import PulledRow, parse_rows_page
from desktop.sync.storage import SyncStorage

__all__ = ["SUMMARY_INTERVAL", "Verifier", "busy_tables_left", "local_summary"]

#: How often an idle round still compares counts and hashes with the server.
SUMMARY_INTERVAL = dt.timedelta(minutes=15)
#: Rows per ``/v1/rows`` page of a targeted resync.
RESYNC_PAGE = 5000
#: Rows whose content one verification compares with the server's (pages of `RESYNC_PAGE`).
CONTENT_BUDGET = 20000
#: Columns left out of the content comparison: bookkeeping (server-assigned or merged by their own rule),
#: and per table what another check guards (the audit chain, verified by ``mustafid-admin audit verify``).
_NOT_CONTENT = SERVER_ASSIGNED_COLUMNS | UNMERGED_COLUMNS
_NOT_CONTENT_OF: dict[str, frozenset[str]] = {"audit_event": frozenset({"chain_seq", "prev_hash", "hash"})}


def local_summary(conn: sqlite3.Connection, table_name: str) -> tuple[int, str]:
    """(count, hash) of this desk's rows of a table that the server has acknowledged; a row set aside in
    quarantine (`desktop.sync.quarantine`) counts at its quarantined version, so it does not make every
    round resync the table (it is the supervisor's to see, and the next pull of a repair replaces it)."""
    rows = conn.execute(  # in id order: the sort in `summary_hash` then only checks it
        f"SELECT id, version FROM {quote(table_name)} WHERE server_seq IS NOT NULL AND id NOT IN "
        "(SELECT row_id FROM sync_quarantine WHERE table_name = ?) "
        "UNION ALL SELECT row_id, version FROM sync_quarantine WHERE table_name = ? ORDER BY 1",
        (table_name, table_name),
    ).fetchall()
    return len(rows), summary_hash(rows)


def busy_tables_left(db: Database) -> bool:
    """True while some outbox entry is still pending (the round could not verify every table)."""
    fairy = db.engine.raw_connection()
    try:
        conn = driver_connection(fairy)
        return conn.execute("SELECT 1 FROM sync_outbox WHERE state = 'pending' LIMIT 1").fetchone() is not None
    finally:
        fairy.close()


class Verifier:
    """Compares one desk database with the server and resyncs the tables that differ."""

    def __init__(self, link: ServerLink, storage: SyncStorage) -> None:
        self._link = link
        self._storage = storage

    def due(self) -> bool:
        """True when the last comparison is older than `SUMMARY_INTERVAL` (or there was none)."""
        with self._storage.read() as conn:
            last = self._storage.state(conn)["last_summary_at"]
        if last is None:
            return True
        moment = dt.datetime.fromisoformat(str(last)).replace(tzinfo=dt.UTC)
        return dt.datetime.now(dt.UTC) - moment >= SUMMARY_INTERVAL

    def verify(self, report: SyncReport) -> None:
        """Compare every table without pending changes; resync those that differ (named in `report`)."""
        storage = self._storage
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-summary") as executor:
            asked = executor.submit(self._link.request, "GET", "/v1/summary")  # the server counts while this PC does
            local: dict[str, tuple[int, str]] = {}
            with storage.read() as conn:
                busy = {r[0] for r in conn.execute("SELECT DISTINCT table_name FROM sync_outbox WHERE state = 'pending'")}
                for name in storage.tables:
                    if name in busy:
                        continue
                    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                          (name,)).fetchone()
                    if exists:
                        local[name] = local_summary(conn, name)
            response = asked.result()
        remote = SummaryResponse.model_validate_json(response.content).tables
        mismatched: list[str] = []
        for name, (count, digest) in local.items():
            theirs = remote.get(name)
            if theirs is None and count == 0:
                continue
            if theirs is None or theirs.count != count or theirs.hash != digest:
                mismatched.append(name)
        for name in mismatched:
            self.resync(name)
            report.resynced_tables.append(name)
        self.compare_content(report, skip=busy | set(mismatched))
        report.verified = not busy_tables_left(storage.db)
        with storage.write() as conn:
            conn.execute("UPDATE sync_state SET last_summary_at = ? WHERE id = 1", (now_storage(),))

    def compare_content(self, report: SyncReport, *, skip: set[str] | frozenset[str] = frozenset(),
                        budget: int = CONTENT_BUDGET) -> None:
        """Compare the content of up to `budget` acknowledged rows with the server's, from the stored cursor on."""
        storage = self._storage
        names = sorted(name for name in storage.tables if name not in skip)
        if not names:
            return
        with storage.read() as conn:
            found = conn.execute("SELECT content_cursor FROM sync_state WHERE id = 1").fetchone()
        cursor = found[0] if found else None
        table_name, _, after = str(cursor or "").partition("\t")
        if table_name not in names:
            table_name, after = names[0], ""
        checked = 0
        for _ in range(len(names) + 1):
            if checked >= budget:
                break
            params: dict[str, Any] = {"table": table_name, "limit": min(RESYNC_PAGE, budget - checked)}
            if after:
                params["after_id"] = after
            try:
                answer = self._link.request("GET", "/v1/rows", params=params)
            except SyncError as exc:
                if exc.kind != "invalid":
                    raise
                answer = None  # a table this server does not know (an older server): nothing to compare
            page_rows, next_after_id, has_more = parse_rows_page(answer.content) if answer else ([], None, False)
            checked += len(page_rows)
            differing = self._differing(table_name, page_rows)
            if differing:
                with storage.write(foreign_keys=False) as conn:
                    storage.apply_rows(conn, differing)
                report.edited_rows += len(differing)
                if table_name not in report.resynced_tables:
                    report.resynced_tables.append(table_name)
            if has_more and next_after_id is not None:
                after = uuid.UUID(str(next_after_id)).hex
                continue
            position = names.index(table_name) + 1
            table_name, after = names[position % len(names)], ""
            if position == len(names):
                break  # one pass over every table is the most a verification does
        with storage.write() as conn:
            conn.execute("UPDATE sync_state SET content_cursor = ? WHERE id = 1",
                         (f"{table_name}\t{after}" if after else table_name,))

    def _differing(self, table_name: str, page_rows: list[PulledRow]) -> list[PulledRow]:
        """The server's rows whose acknowledged local copy, at the same version, holds other content."""
        if not page_rows or table_name not in self._storage.tables:
            return []
        table = self._storage.tables[table_name]
        ignored = _NOT_CONTENT | _NOT_CONTENT_OF.get(table_name, frozenset())
        with self._storage.read() as conn:
            result = conn.execute(
                f"SELECT * FROM {quote(table_name)} WHERE server_seq IS NOT NULL AND id IN "
                f"({','.join('?' * len(page_rows))})", [row.hex for row in page_rows])
            names = [d[0] for d in result.description]
            local = {str(values[names.index("id")]): dict(zip(names, values, strict=True)) for values in result}
        columns = [c.name for c in table.columns if c.name not in ignored]
        differing: list[PulledRow] = []
        for row in page_rows:
            raw = local.get(row.hex)
            if raw is None or raw.get("version") != row.version:
                continue  # missing or at another version: the count-and-version summary handles it
            mine = encode_fields(table, decode_storage(table, raw), [c for c in columns if c in raw])
            for name, value in mine.items():
                try:
                    theirs = canonical_value(table.c[name].type, row.fields.get(name))
                except WireValueError:
                    theirs = row.fields.get(name)
                if theirs != value:
                    differing.append(row)
                    break
        return differing

    def resync(self, table_name: str) -> None:
        """Targeted resync of one table: apply what the server has differently, queue what it lacks, forget rows
        set aside that the server no longer has."""
        storage = self._storage
        seen: set[str] = set()
        after: str | None = None
        while True:
            params: dict[str, Any] = {"table": table_name, "limit": RESYNC_PAGE}
            if after is not None:
                params["after_id"] = after
            response = self._link.request("GET", "/v1/rows", params=params)
            page_rows, next_after_id, has_more = parse_rows_page(response.content)
            with storage.read() as conn:
                local = {
                    str(r[0]): r[1]
                    for r in conn.execute(
                        f"SELECT id, version FROM {quote(table_name)} WHERE id IN ({','.join('?' * len(page_rows))})",
                        [row.hex for row in page_rows],
                    )
                } if page_rows else {}
            differing = [row for row in page_rows if local.get(row.hex) != row.version]
            seen.update(row.hex for row in page_rows)
            if differing:
                with storage.write(foreign_keys=False) as conn:
                    storage.apply_rows(conn, differing)
            if not has_more or next_after_id is None:
                break
            after = next_after_id
        with storage.write() as conn:
            for (row_hex,) in conn.execute(
                f"SELECT id FROM {quote(table_name)} WHERE server_seq IS NOT NULL"
            ).fetchall():
                if str(row_hex) not in seen:
                    conn.execute(
                        "INSERT INTO sync_outbox (table_name, row_id, op, columns, base_version, user_id, changed_at) "
                        "VALUES (?, ?, 'insert', NULL, NULL, NULL, ?)",
                        (table_name, row_hex, now_storage()),
                    )
            for (row_hex,) in conn.execute("SELECT row_id FROM sync_quarantine WHERE table_name = ?",
                                           (table_name,)).fetchall():
                if str(row_hex) not in seen:  # removed on the server by its administrator: nothing left to store
                    conn.execute("DELETE FROM sync_quarantine WHERE table_name = ? AND row_id = ?", (table_name, row_hex))
                    conn.execute(f"UPDATE {quote(table_name)} SET server_seq = NULL WHERE id = ?", (row_hex,))
