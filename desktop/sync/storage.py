"""The local side of sync: raw sqlite3 transactions on the desk database and pulled rows applied to it.

Decisions recorded here (see also `db.outbox` for how local changes are captured):

* The sync client writes through its own raw sqlite3 connection in its own IMMEDIATE transactions
  (`SyncStorage.write`), with the outbox triggers suppressed: what a round writes is not a local
  change to send back.
* A pulled page is applied in the caller's transaction (the one holding its cursor); foreign keys
  are not checked (rows may arrive before the rows they point to). Columns with a pending local
  change keep the local value (they will be pushed and merged by the server). Rows are converted to
  their SQLite storage form by a per-table generated function (`desktop.sync.forms`) and written
  with one ``executemany``; outside bulk mode, the FTS insert trigger of ``beneficiary`` is
  suspended around a page's INSERT and the page's new rows indexed in one statement.
* A row colliding on a unique key is resolved by `desktop.sync.duplicates`.
* A row this desk cannot store (a required column empty, a value that does not convert, any other
  constraint) is set aside by `desktop.sync.quarantine` with its reason; the rest of the page applies.
* Inside a first sync's bulk transaction (`desktop.sync.bulk`), new rows are plain INSERTs with the
  per-row triggers suspended; each table's rows of a page are decoded and converted without Python per
  value (`_apply_wire`, `desktop.sync.wire`), and a table group with any row that does not fit goes by
  the general path (quarantine included); every slow path (a duplicate, a row with a local change)
  leaves bulk mode first (`end_bulk`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.pool import PoolProxiedConnection

from db.engine import UNSTORABLE_ERRORS as UNSTORABLE
from db.engine import Database, driver_connection
from desktop.attachments import AttachmentStore
from db.erasure import (
    LATE_TABLES,
    apply_erasure_sqlite,
    erased_case_files_sqlite,
    erased_only_attachments_sqlite,
    erasures_reaching_sqlite,
)
from db.models import APPEND_ONLY_TABLES
from db.outbox import LOCAL_ONLY_TABLES, install_outbox_triggers, outbox_triggers_current, resume_outbox, suppress_outbox
from desktop.sync import quarantine
from desktop.sync.duplicates import resolve_duplicate
from desktop.sync.forms import TableInfo, append_only_mutable, now_storage, quote
from desktop.sync.hlc import DeskClock
from desktop.sync.protocol import column_kind, synced_tables
from desktop.sync.pulled import PageRows, PulledRow, WireRow, materialize
from desktop.sync.wire import WirePlan, storage_tuples, wire_plan

if TYPE_CHECKING:
    from desktop.sync.bulk import _BulkApply

__all__ = ["SyncStorage", "local_synced_tables", "queue_unsynced_rows", "sync_transaction"]

_FTS_INSERT_TRIGGER = "beneficiary_fts_after_insert"
_DEMO_PREFIX = "DEMO"
_STATE_COLUMNS = ("pull_after", "last_hlc", "clock_offset_ms", "last_summary_at", "device_id")





def _refusal(error: BaseException) -> str:
    """The Arabic reason a row was set aside; SQLite's own words name only the constraint (tables, columns)."""
    detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    if isinstance(error, sqlite3.IntegrityError):
        return f"رفضت قاعدة بيانات الجهاز السجل ({detail})"
    return "قيمة في السجل لا تناسب نوع عمودها على هذا الجهاز"


def local_synced_tables() -> dict[str, Table]:
    """The tables this desk syncs: the protocol's synced tables without the local-only ones."""
    return {name: table for name, table in synced_tables().items() if name not in LOCAL_ONLY_TABLES}


def queue_unsynced_rows(connection: sqlite3.Connection, *, skip: Mapping[str, Sequence[str]] | None = None) -> int:
    """Put every row the server has not acknowledged (and not yet in the outbox) in the outbox; returns how many.

    Runs inside the caller's transaction. Rows written by the demo data's device are left out
    (demonstration data never leaves the PC); `skip` gives {table: [32-hex ids]} not to queue.
    """
    demo = connection.execute(
        "SELECT id FROM device WHERE case_number_prefix = ?", (_DEMO_PREFIX,)
    ).fetchone()
    demo_id = demo[0] if demo else None
    queued = 0
    now = now_storage()
    for name in local_synced_tables():
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
        if not exists:
            continue
        skipped = list((skip or {}).get(name, ()))
        marks = ", ".join("?" for _ in skipped)
        cursor = connection.execute(
            f"INSERT INTO sync_outbox (table_name, row_id, op, columns, base_version, user_id, changed_at) "
            f"SELECT ?, t.id, 'insert', NULL, NULL, t.updated_by, ? FROM {quote(name)} AS t "
            "WHERE t.server_seq IS NULL AND (t.device_id IS NOT ? OR ? IS NULL) "
            f"{'AND t.id NOT IN (' + marks + ') ' if skipped else ''}"
            "AND NOT EXISTS (SELECT 1 FROM sync_outbox AS o WHERE o.table_name = ? AND o.row_id = t.id "
            "AND o.state = 'pending') ORDER BY t.rowid",
            (name, now, demo_id, demo_id, *skipped, name),
        )
        queued += max(cursor.rowcount, 0)
    return queued


@contextmanager
def sync_transaction(db: Database, *, foreign_keys: bool = True) -> Iterator[sqlite3.Connection]:
    """One IMMEDIATE transaction on a raw connection of `db`, committed on success, rolled back on any error; the
    outbox triggers are suppressed in it (what sync writes is not a local change to send back) and, with
    `foreign_keys=False`, references are not checked (rows may arrive before the rows they point to)."""
    fairy = db.engine.raw_connection()
    try:
        conn = driver_connection(fairy)
        if not foreign_keys:
            conn.execute("PRAGMA foreign_keys=OFF")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                suppress_outbox(conn)
                yield conn
                resume_outbox(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            if not foreign_keys:
                conn.execute("PRAGMA foreign_keys=ON")
    finally:
        fairy.close()


class SyncStorage:
    """One desk database as the sync client sees it: raw transactions, sync state, its clock, the apply path.

    `bulk` is the bulk mode of the transaction being applied (`desktop.sync.bulk`), None outside one.
    """

    def __init__(self, db: Database, data_dir: Path, *, wall: Callable[[], float] | None = None,
                 store: AttachmentStore | None = None) -> None:
        """`store`: the desk's attachment store (sealed on an encrypted desk); a plaintext one by default."""
        self.db = db
        self.data_dir = Path(data_dir)
        self.store = store if store is not None else AttachmentStore(self.data_dir)
        self.tables = local_synced_tables()
        self.bulk: _BulkApply | None = None
        self._wall = wall or time.time
        self._info: dict[str, TableInfo] = {}
        self._required: dict[str, tuple[str, ...]] = {}
        self._wire: dict[str, WirePlan | None] = {}
        self._clock: DeskClock | None = None
        self._triggers_checked = False

    # ------------------------------------------------------------------ connections

    def raw_connection(self) -> tuple[PoolProxiedConnection, sqlite3.Connection]:
        """A pooled connection (close it when done) and its sqlite3 connection."""
        fairy = self.db.engine.raw_connection()
        conn = driver_connection(fairy)
        return fairy, conn

    def write(self, *, foreign_keys: bool = True) -> AbstractContextManager[sqlite3.Connection]:
        """One IMMEDIATE transaction on a raw connection (committed on success), outbox triggers suppressed."""
        return sync_transaction(self.db, foreign_keys=foreign_keys)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction on a raw connection (a consistent snapshot, rolled back at the end)."""
        fairy, conn = self.raw_connection()
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")
        finally:
            fairy.close()

    @staticmethod
    def state(conn: sqlite3.Connection) -> dict[str, Any]:
        """The sync state row: pull cursor, last HLC, clock offset, last verification, device id."""
        row = conn.execute(f"SELECT {', '.join(_STATE_COLUMNS)} FROM sync_state WHERE id = 1").fetchone()
        if row is None:
            return {"pull_after": 0, "last_hlc": None, "clock_offset_ms": 0, "last_summary_at": None, "device_id": None}
        return dict(zip(_STATE_COLUMNS, row, strict=True))

    def ensure_triggers(self) -> None:
        """Outbox triggers matching the live schema (repaired if a migration dropped some); checked once."""
        if self._triggers_checked:
            return
        with self.read() as conn:
            current = outbox_triggers_current(conn)
        if not current:
            with self.write() as conn:
                install_outbox_triggers(conn)
        self._triggers_checked = True

    @property
    def clock(self) -> DeskClock:
        """This desk's HLC, loaded from the sync state on first use."""
        if self._clock is None:
            with self.read() as conn:
                state = self.state(conn)
            self._clock = DeskClock(state["last_hlc"], int(state["clock_offset_ms"] or 0), wall=self._wall)
        return self._clock

    def table_info(self, conn: sqlite3.Connection, name: str) -> TableInfo:
        """What the apply path needs of a synced table, read from the live schema once."""
        info = self._info.get(name)
        if info is None:
            table = self.tables[name]
            live = [row[1] for row in conn.execute(f"PRAGMA table_info({quote(name)})").fetchall()]
            columns = [c.name for c in table.columns if c.name in live]
            unique: list[tuple[list[str], bool]] = []
            for _seq, index, is_unique, origin, partial in conn.execute(
                f"PRAGMA index_list({quote(name)})"
            ).fetchall():
                if not is_unique or origin == "pk":
                    continue
                cols = [row[2] for row in conn.execute(f"PRAGMA index_info({quote(index)})").fetchall()]
                unique.append((cols, bool(partial)))
            references = [
                (child.name, fk.parent.name)
                for child in self.tables.values()
                for fk in child.foreign_keys
                if fk.column.table.name == name and child.name in self.tables
            ]
            kinds = {c: column_kind(table.c[c].type) for c in columns}
            info = TableInfo(table, columns, unique, references, kinds)
            self._info[name] = info
        return info

    def end_bulk(self) -> None:
        """Leave bulk mode within the current transaction (triggers back, their work redone set-based)."""
        if self.bulk is not None:
            bulk, self.bulk = self.bulk, None
            bulk.restore()

    # ------------------------------------------------------------------ applying pulled rows

    @staticmethod
    def pending(conn: sqlite3.Connection) -> dict[tuple[str, str], set[str] | None]:
        """{(table, 32-hex id): columns with a pending local change (None: every column)}."""
        pending: dict[tuple[str, str], set[str] | None] = {}
        for table_name, row_hex, op, columns in conn.execute(
            "SELECT table_name, row_id, op, columns FROM sync_outbox WHERE state IN ('pending', 'blocked')"
        ):
            key = (table_name, row_hex)
            if op == "insert" or key in pending and pending[key] is None:
                pending[key] = None
                continue
            current = pending.setdefault(key, set())
            assert current is not None
            current.update(c for c in (columns or "").split(",") if c)
        return pending

    def apply_rows(self, conn: sqlite3.Connection, rows: Sequence[PulledRow]) -> None:
        """Write pulled rows (triggers suppressed by the caller's transaction); pending local columns are kept.

        A page inside a first sync's bulk transaction goes by `_apply_wire` first (per table: typed decode,
        generated conversion, one INSERT); what it leaves takes the general path below."""
        if not rows:
            return
        if self.bulk is not None and isinstance(rows, PageRows):
            rows = self._apply_wire(conn, rows)
            if not rows:
                return
        pending = self.pending(conn)
        by_table: dict[str, list[PulledRow]] = {}
        newest = ""
        tables = self.tables
        for row in rows:
            if row.table not in tables:
                continue
            group = by_table.get(row.table)
            if group is None:
                group = by_table[row.table] = []
            group.append(row)
            hlc = row.fields.get("hlc")
            if type(hlc) is str and hlc > newest:
                newest = hlc
        if newest:
            self.clock.observe(newest)
        pending_tables = {table_name for table_name, _row in pending}
        held = conn.execute("SELECT 1 FROM sync_quarantine LIMIT 1").fetchone() is not None
        for table_name, table_rows in by_table.items():
            info = self.table_info(conn, table_name)
            kept: list[PulledRow] = []
            if table_name in pending_tables:
                fresh = []
                for row in table_rows:
                    if (table_name, row.hex) in pending:
                        kept.append(row)
                    else:
                        fresh.append(row)
            else:
                fresh = table_rows
            plain, sources = self._storable(conn, info, fresh)
            stored = self._write_plain(conn, info, plain, sources)
            if kept:
                self.end_bulk()  # the slow path below needs every trigger in place
            for row in kept:
                try:
                    self._apply_keeping(conn, info, row, pending[(table_name, row.hex)])
                except (sqlite3.IntegrityError, sqlite3.InterfaceError, ValueError, TypeError, KeyError,
                        OverflowError) as exc:
                    quarantine.set_aside(conn, row, _refusal(exc))
                else:
                    stored.append(row)
            if held:
                quarantine.release(conn, stored)
            if table_name == "erasure":
                self._apply_erasures(conn, stored)
            elif table_name in LATE_TABLES and stored:
                self._erase_late_arrivals(conn, table_name, stored)
            if table_name == "attachment":
                self._note_missing_files(conn, table_rows)

    def _apply_wire(self, conn: sqlite3.Connection, page: PageRows) -> list[PulledRow]:
        """Bulk mode's hot path: each table's rows of the page decoded into storage tuples and INSERTed at once
        (`desktop.sync.wire`); returns, as `PulledRow`s, the rows left for the general path — every row of a table
        with a pending local change, of attachments (their files are noted), of a table with a row that does not
        fit or collides with a row already here, and every row when some row waits in quarantine."""
        if conn.execute("SELECT 1 FROM sync_quarantine LIMIT 1").fetchone() is not None:
            return page.materialized()  # rows that apply must release their quarantined copies: the general path
        bulk = self.bulk
        assert bulk is not None
        busy = {table_name for table_name, _row in self.pending(conn)}
        left: list[WireRow] = []
        newest = ""
        for table_name, group in page.by_table().items():
            plan = None
            if table_name in self.tables and table_name not in busy and table_name != "attachment":
                if table_name not in self._wire:
                    self._wire[table_name] = wire_plan(self.table_info(conn, table_name))
                plan = self._wire[table_name]
            converted = storage_tuples(plan, group) if plan is not None else None
            if plan is None or converted is None or not bulk.write_new(
                    self.table_info(conn, table_name), plan.columns, converted[0]):
                left.extend(group)
                continue
            if converted[1] > newest:
                newest = converted[1]
        if newest:
            self.clock.observe(newest)
        return materialize(left)

    def _storable(self, conn: sqlite3.Connection, info: TableInfo, rows: Sequence[PulledRow]
                  ) -> tuple[list[tuple[tuple[str, ...], tuple[Any, ...]]], list[PulledRow]]:
        """The storage forms of the rows this desk can store, and those rows; the others are set aside."""
        name = info.table.name
        required = self._required.get(name)
        if required is None:
            required = self._required[name] = tuple(
                c for c in info.columns
                if not info.table.c[c].nullable and c not in ("id", "version", "server_seq"))
        storage_row = self.storage_row
        plain: list[tuple[tuple[str, ...], tuple[Any, ...]]] = []
        sources: list[PulledRow] = []
        for row in rows:
            fields = row.fields
            for column in required:
                if fields.get(column) is None:
                    empty = [c for c in required if fields.get(c) is None]
                    quarantine.set_aside(conn, row, f"حقول مطلوبة فارغة في السجل: {'، '.join(empty)}")
                    break
            else:
                try:
                    plain.append(storage_row(info, row))
                except (ValueError, TypeError, KeyError, OverflowError, AttributeError):
                    quarantine.set_aside(conn, row, "قيمة في السجل لا تناسب نوع عمودها على هذا الجهاز")
                    continue
                sources.append(row)
        return plain, sources

    @staticmethod
    def storage_row(info: TableInfo, row: PulledRow) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        """(columns, values in their SQLite storage form) of a pulled row."""
        fields = row.fields
        columns, convert = info.plan(tuple(fields))
        return columns, convert(fields, row.row_id, row.version, row.server_seq)

    def _write_plain(
        self, conn: sqlite3.Connection, info: TableInfo, rows: list[tuple[tuple[str, ...], tuple[Any, ...]]],
        sources: list[PulledRow],
    ) -> list[PulledRow]:
        """Upsert rows with no local change; rows colliding on a unique key go through `resolve_duplicate`, rows
        SQLite refuses otherwise are set aside (`sources[i]` is the pulled row of `rows[i]`). Returns those stored.

        Outside a bulk transaction, many new beneficiaries are indexed for name search in one
        statement (the FTS insert trigger is dropped around the INSERT, inside its savepoint).
        """
        groups: dict[tuple[str, ...], tuple[list[tuple[Any, ...]], list[PulledRow]]] = {}
        for (columns, values), source in zip(rows, sources, strict=True):
            group = groups.get(columns)
            if group is None:
                group = groups[columns] = ([], [])
            group[0].append(values)
            group[1].append(source)
        bulk = self.bulk
        stored: list[PulledRow] = []
        for columns, (values_list, group_sources) in groups.items():
            if bulk is not None and bulk.write_new(info, columns, values_list):
                stored.extend(group_sources)
                continue
            sql = info.upsert_sql(columns)
            conn.execute("SAVEPOINT sync_page")
            try:
                if bulk is not None and info.table.name == "beneficiary":
                    bulk.fts_incremental = False  # existing rows may change: the whole name index is rebuilt
                fts_sql = None
                if info.table.name == "beneficiary" and len(values_list) >= 50 and self.bulk is None:
                    found = conn.execute(
                        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_FTS_INSERT_TRIGGER,)
                    ).fetchone()
                    fts_sql = found[0] if found else None
                if fts_sql is not None:
                    last_rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM beneficiary").fetchone()[0]
                    conn.execute(f"DROP TRIGGER {_FTS_INSERT_TRIGGER}")
                    conn.executemany(sql, values_list)
                    conn.execute("INSERT INTO beneficiary_fts(rowid, name_key) SELECT rowid, name_key FROM beneficiary "
                                 "WHERE rowid > ?", (last_rowid,))
                    conn.execute(fts_sql)
                else:
                    conn.executemany(sql, values_list)
                conn.execute("RELEASE sync_page")
                stored.extend(group_sources)
                continue
            except UNSTORABLE:
                conn.execute("ROLLBACK TO sync_page")
                conn.execute("RELEASE sync_page")
            self.end_bulk()  # the row-by-row path below records local changes: every trigger back
            for values, source in zip(values_list, group_sources, strict=True):
                try:
                    self._write_one(conn, info, columns, values)
                except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError) as exc:
                    quarantine.set_aside(conn, source, _refusal(exc))
                else:
                    stored.append(source)
        return stored

    def _write_one(self, conn: sqlite3.Connection, info: TableInfo, columns: tuple[str, ...],
                   values: tuple[Any, ...], attempts: int = 4) -> None:
        """Upsert one row; on a unique-key collision make room for it (`resolve_duplicate`) and try again."""
        conn.execute("SAVEPOINT sync_row")
        try:
            conn.execute(info.upsert_sql(columns), values)
            conn.execute("RELEASE sync_row")
            return
        except UNSTORABLE as exc:
            conn.execute("ROLLBACK TO sync_row")
            conn.execute("RELEASE sync_row")
            if "UNIQUE" not in str(exc) or attempts <= 0:
                raise
        values = resolve_duplicate(conn, info, columns, values)
        self._write_one(conn, info, columns, values, attempts - 1)

    def _apply_keeping(
        self, conn: sqlite3.Connection, info: TableInfo, row: PulledRow, keep: set[str] | None
    ) -> None:
        """Apply a pulled row over one with pending local changes: those columns keep the local value."""
        columns, values = self.storage_row(info, row)
        exists = conn.execute(f"SELECT 1 FROM {quote(info.table.name)} WHERE id = ?", (row.hex,)).fetchone()
        if exists is None:
            self._write_one(conn, info, columns, values)
            return
        if keep is None:  # created here and not yet acknowledged: only learn that the server has it
            conn.execute(f"UPDATE {quote(info.table.name)} SET server_seq = ? WHERE id = ?",
                         (row.server_seq, row.hex))
            return
        skip = keep | {"id", "version"}
        if info.table.name in APPEND_ONLY_TABLES:
            skip |= {c for c in columns if c not in append_only_mutable(info.table.name)}
        chosen = [(c, v) for c, v in zip(columns, values, strict=True) if c not in skip]
        if chosen:
            assignments = ", ".join(f"{quote(c)} = ?" for c, _ in chosen)
            conn.execute(f"UPDATE {quote(info.table.name)} SET {assignments} WHERE id = ?",
                         (*[v for _, v in chosen], row.hex))

    def _apply_erasures(self, conn: sqlite3.Connection, rows: Sequence[PulledRow]) -> None:
        """A pulled sanctioned erasure is applied here too (`db.erasure`): the case's append-only rows lose their
        personal content as they did on the desk that ran retention and on the server (outbox suppressed), and
        the case's stored scans no other live attachment row holds leave this desk's attachment store (not to be
        fetched again: `_note_missing_files`)."""
        for row in rows:
            case_id = row.fields.get("case_id")
            if row.deleted or not isinstance(case_id, str):
                continue
            beneficiary = row.fields.get("beneficiary_id")
            apply_erasure_sqlite(conn, row.hex, case_id, beneficiary if isinstance(beneficiary, str) else None)
            for sha, path in erased_case_files_sqlite(conn, case_id):
                self.store.path_of(path).unlink(missing_ok=True)
                conn.execute("DELETE FROM sync_missing_file WHERE sha256 = ?", (sha,))

    @staticmethod
    def _erase_late_arrivals(conn: sqlite3.Connection, table_name: str, rows: Sequence[PulledRow]) -> None:
        """Pulled append-only rows of a case this desk already holds an erasure of (a desk that was offline wrote
        them before it learnt of the erasure) are erased on arrival, as the server erases them: the same
        `apply_erasure_sqlite`, which leaves rows already erased alone (outbox suppressed by the caller)."""
        for erasure_id, case_id, beneficiary_id in sorted(
                erasures_reaching_sqlite(conn, table_name, [row.fields for row in rows])):
            apply_erasure_sqlite(conn, erasure_id, case_id, beneficiary_id)

    def _note_missing_files(self, conn: sqlite3.Connection, rows: Sequence[PulledRow]) -> None:
        """Remember pulled attachment rows whose file is not in the data directory (fetched after the pull), but for
        the files only erased cases use (`db.erasure.erased_only_attachments_sqlite`)."""
        erased = erased_only_attachments_sqlite(conn, [row.hex for row in rows if not row.deleted])
        for row in rows:
            sha = row.fields.get("sha256")
            path = row.fields.get("stored_path")
            if not isinstance(sha, str) or not isinstance(path, str) or row.deleted or row.hex in erased:
                continue
            if not self.data_dir.joinpath(*path.split("/")).is_file():
                conn.execute("INSERT OR IGNORE INTO sync_missing_file (sha256, stored_path) VALUES (?, ?)", (sha, path))
