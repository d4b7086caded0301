"""Verification: this desk's rows compared with the server's by count and hash, and a targeted resync when they differ.

After a round that moved anything, and at most every `SUMMARY_INTERVAL` otherwise: per table, the
count and hash of (id, version) of the rows the server has acknowledged, compared with
``/v1/summary`` for tables with no pending change; a mismatch triggers a resync of that table
through ``/v1/rows`` — rows missing or different here are applied, rows the server lacks are
queued again. Never silence.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from db.engine import Database
from desktop.sync.forms import now_storage, quote
from desktop.sync.link import ServerLink
from desktop.sync.outcome import SyncReport
from desktop.sync.protocol import SummaryResponse, summary_hash
from desktop.sync.pulled import parse_rows_page
from desktop.sync.storage import SyncStorage

__all__ = ["SUMMARY_INTERVAL", "Verifier", "busy_tables_left", "local_summary"]

#: How often an idle round still compares counts and hashes with the server.
SUMMARY_INTERVAL = dt.timedelta(minutes=15)
#: Rows per ``/v1/rows`` page of a targeted resync.
RESYNC_PAGE = 5000


def local_summary(conn: sqlite3.Connection, table_name: str) -> tuple[int, str]:
    """(count, hash) of this desk's rows of a table that the server has acknowledged."""
    rows = conn.execute(  # in id order: the sort in `summary_hash` then only checks it
        f"SELECT id, version FROM {quote(table_name)} WHERE server_seq IS NOT NULL ORDER BY id"
    ).fetchall()
    return len(rows), summary_hash(rows)


def busy_tables_left(db: Database) -> bool:
    """True while some outbox entry is still pending (the round could not verify every table)."""
    fairy = db.engine.raw_connection()
    try:
        conn = fairy.driver_connection
        assert isinstance(conn, sqlite3.Connection)
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
        report.verified = not busy_tables_left(storage.db)
        with storage.write() as conn:
            conn.execute("UPDATE sync_state SET last_summary_at = ? WHERE id = 1", (now_storage(),))

    def resync(self, table_name: str) -> None:
        """Targeted resync of one table: apply what the server has differently, queue what it lacks."""
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
                    conn.execute(f"UPDATE {quote(table_name)} SET server_seq = NULL WHERE id = ?", (row_hex,))
