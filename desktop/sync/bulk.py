"""A first sync in bulk: how a pull is cut into transactions, and per-row triggers suspended inside each one.

A pull with at least `BULK_MIN_ROWS` rows to go, more than this PC holds cases, is a first sync
(`plan_pull`): pages of `BULK_PAGE` rows, several per transaction (`Chunk`), each transaction in
bulk mode (`_BulkApply`) and holding its cursor, committed after about `BULK_CHUNK_SECONDS` (or
`BULK_COMMIT_SHARE` times what the previous commit took). A crash rolls back to the last committed
chunk, triggers included. Any other pull applies one page per transaction, without bulk mode.

The thresholds are read when a pull is planned (tests lower them on this module).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from db.engine import INTEGRITY_ERRORS
from db.outbox import resume_outbox, suppress_outbox
from desktop.sync.forms import TableInfo, quote
from desktop.sync.protocol import PAGE_LIMIT_MAX
from desktop.sync.pulled import PulledPage, PulledRow

if TYPE_CHECKING:
    from desktop.sync.storage import SyncStorage

__all__ = [
    "BULK_CHUNK_SECONDS",
    "BULK_COMMIT_SHARE",
    "BULK_MIN_ROWS",
    "BULK_PAGE",
    "ApplyRows",
    "Chunk",
    "PullPlan",
    "plan_pull",
]

#: A pull with at least this many rows to go (and more than this PC holds) is applied in bulk (see `_BulkApply`).
BULK_MIN_ROWS = 20_000
#: Rows per page in bulk mode (the protocol's largest page).
BULK_PAGE = PAGE_LIMIT_MAX
#: A bulk transaction is committed (with the pages and the cursor it holds) after about this many seconds,
#: or after `BULK_COMMIT_SHARE` times what the previous commit took (triggers back, index and summaries redone).
BULK_CHUNK_SECONDS = 8.0
BULK_COMMIT_SHARE = 5.0

#: Applies one page of pulled rows inside the caller's transaction.
ApplyRows = Callable[[sqlite3.Connection, Sequence[PulledRow]], None]


class _BulkApply:
    """Per-row triggers suspended inside ONE transaction of pulled pages, their work redone set-based before COMMIT.

    A fresh PC's first sync writes hundreds of thousands of rows; the triggers fired by each row
    cost more than the row itself: the outbox triggers (suppressed, yet each still evaluates its
    WHEN), the FTS name index (``beneficiary_fts_*``) and the dashboard summaries (``report_*``,
    see `desktop.reports.summaries`). They are dropped at the start of the transaction and, before
    it commits, recreated from their own SQL, the new rows added to the FTS index in one statement
    (the whole index rebuilt when existing beneficiaries were overwritten) and the summaries
    refilled (`rebuild_summaries`). Everything happens in the one transaction, so a crash or an error rolls
    back to the triggers as they were: other connections never see them missing. Any slow path of
    the apply (a unique-key duplicate, a row with a local change) ends bulk mode first.
    """

    _SUSPENDED = ("sync_outbox_*", "beneficiary_fts_*", "report_*")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        #: True while every beneficiary written was new (plain INSERT): only rows past this rowid need indexing.
        self.fts_incremental = True
        self.fts_after = conn.execute("SELECT coalesce(max(rowid), 0) FROM beneficiary").fetchone()[0] if (
            conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'beneficiary'").fetchone()) else 0
        where = " OR ".join("name GLOB ?" for _ in self._SUSPENDED)
        self.triggers: list[tuple[str, str]] = [
            (str(name), str(sql)) for name, sql in conn.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND ({where}) ORDER BY name",
                self._SUSPENDED).fetchall()
        ]
        for name, _sql in self.triggers:
            conn.execute(f"DROP TRIGGER {quote(name)}")

    def write_new(self, info: TableInfo, columns: tuple[str, ...], values: list[tuple[Any, ...]]) -> bool:
        """INSERT rows expected to be new in one statement; False (nothing written) when one already exists
        or collides on a unique key (the caller then upserts them)."""
        conn = self.conn
        conn.execute("SAVEPOINT sync_new")
        try:
            conn.executemany(info.insert_sql(columns), values)
        except INTEGRITY_ERRORS:
            conn.execute("ROLLBACK TO sync_new")
            conn.execute("RELEASE sync_new")
            return False
        conn.execute("RELEASE sync_new")
        return True

    def restore(self) -> None:
        """Recreate the triggers, bring the name index up to date and refill the summaries (same transaction)."""
        conn = self.conn
        for _name, sql in self.triggers:
            conn.execute(sql)
        names = {name for name, _sql in self.triggers}
        if any(name.startswith("beneficiary_fts_") for name in names):
            if self.fts_incremental:
                conn.execute("INSERT INTO beneficiary_fts(rowid, name_key) SELECT rowid, name_key FROM beneficiary "
                             "WHERE rowid > ?", (self.fts_after,))
            else:
                conn.execute("INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('rebuild')")
        if any(name.startswith("report_") for name in names):
            # Function-local: the reports package stays off the sync client's start-up path (first syncs only).
            from desktop.reports.summaries import rebuild_summaries

            rebuild_summaries(conn)


class Chunk:
    """One IMMEDIATE transaction of pulled pages (foreign keys off, outbox suppressed), in bulk mode or not."""

    def __init__(self, storage: SyncStorage, apply: ApplyRows, *, bulk: bool) -> None:
        self._storage = storage
        self._apply = apply
        self._fairy, conn = storage.raw_connection()
        self.conn = conn
        self._started = time.perf_counter()
        self.bulk = bulk
        try:
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("BEGIN IMMEDIATE")
            suppress_outbox(conn)
        except BaseException:
            self.rollback()
            raise

    def apply(self, rows: Sequence[PulledRow]) -> None:
        """Apply one page (in bulk mode again if a slow path of the previous page left it)."""
        if self.bulk and self._storage.bulk is None:
            self._storage.bulk = _BulkApply(self.conn)
        self._apply(self.conn, rows)

    def age(self) -> float:
        """Seconds since the transaction began."""
        return time.perf_counter() - self._started

    def commit(self) -> float:
        """Leave bulk mode, resume the outbox and COMMIT, then release the connection; the seconds it took."""
        started = time.perf_counter()
        self._storage.end_bulk()
        resume_outbox(self.conn)
        self.conn.execute("COMMIT")
        self._close()
        return time.perf_counter() - started

    def rollback(self) -> None:
        """Roll everything back (triggers included) and release the connection."""
        self._storage.bulk = None
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        finally:
            self._close()

    def _close(self) -> None:
        try:
            self.conn.execute("PRAGMA foreign_keys=ON")
        finally:
            self._fairy.close()


@dataclass
class PullPlan:
    """How one pull is applied: the page size, bulk mode, and when a transaction of pages is committed."""

    limit: int
    bulk: bool
    chunk_seconds: float

    def open_chunk(self, storage: SyncStorage, apply: ApplyRows, *, first: bool) -> Chunk:
        """A transaction for the next pages; the first page of a pull is applied in a plain one (it meets this PC's
        own rows)."""
        return Chunk(storage, apply, bulk=self.bulk and not first)

    def commit_due(self, chunk: Chunk, *, more: bool) -> bool:
        """True when the transaction should be committed after the page it just applied."""
        return not chunk.bulk or not more or chunk.age() >= self.chunk_seconds

    def committed(self, seconds: float) -> None:
        """A commit took `seconds`: leaving bulk mode costs in proportion to the rows held, keep it a small share."""
        self.chunk_seconds = max(self.chunk_seconds, BULK_COMMIT_SHARE * seconds)


def plan_pull(page_limit: int, first: PulledPage, after: int, held_cases: Callable[[], int]) -> PullPlan:
    """The plan of a pull whose first page (asked after `after`) is `first`; bulk for a backlog larger than what this
    PC holds (`held_cases()` is asked only for a large backlog)."""
    backlog = first.head_seq - after
    if first.has_more and backlog >= BULK_MIN_ROWS:
        bulk = backlog >= held_cases()
        limit = max(page_limit, BULK_PAGE) if bulk else max(page_limit, PAGE_LIMIT_MAX)
        return PullPlan(limit, bulk, BULK_CHUNK_SECONDS)
    return PullPlan(page_limit, False, BULK_CHUNK_SECONDS)
