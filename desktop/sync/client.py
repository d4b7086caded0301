"""The desk's sync client: one round = pull, upload missing files, push the outbox, pull again, verify.

Decisions recorded here (see also `db.outbox` for how local changes are captured):

* Order of a round: pull to the head first (a row another PC made that duplicates one made
  here — the same ID number, username, policy version or file — is met before this PC pushes
  its own), then push, then pull again when anything was pushed (merged rows and conflict
  records come back), then compare per-table count and hash with the server.
* Push: outbox entries are composed into a batch of at most `MAX_BATCH_MUTATIONS` row mutations
  (several entries of one row become one mutation: the union of their changed columns, values
  read at composition time, op "delete" when the row ends soft-deleted). The batch is stored
  (`sync_batch`) and its entries marked in the same transaction before it is sent, so a resend
  after a lost reply or a crash is byte-identical and answered "duplicate". The answer is applied
  in one transaction: acknowledged entries removed, the row's server version and sequence
  recorded (suppressed triggers), later entries of the same row re-based on the new version;
  rejected entries kept with the server's Arabic reason and not resent.
* A whole batch refused with 400/422 is split and retried one mutation at a time, so one bad
  row cannot block the others; that row is kept as rejected.
* Pull: one page = one transaction holding the applied rows and the cursor; the outbox triggers
  are suppressed in it and foreign keys are not checked (rows may arrive before the rows they
  point to). Columns with a pending local change keep the local value (they will be pushed and
  merged by the server). The FTS insert trigger of ``beneficiary`` is suspended around a page's
  INSERT and the page's new rows indexed in one statement. The next page is downloaded on a helper
  thread while this one is applied; pages are parsed with `json` (`parse_pull_page`), converted to
  their SQLite storage form by a per-table generated function, and written with one ``executemany``.
* First sync (a backlog of at least `BULK_MIN_ROWS` rows, more than this PC's cases): pages of
  `BULK_PAGE` rows, several per transaction (`BULK_CHUNK_SECONDS`), each transaction in bulk mode
  (`_BulkApply`: per-row triggers dropped inside it and their work redone set-based before its
  COMMIT) and holding its cursor; a crash rolls back to the last committed chunk, triggers included.
* Duplicates by a unique key (two PCs registering the same beneficiary, the same file, the same
  policy version, the same username): when the local row has never reached the server, the
  pulled row survives — references are moved to it, the local row's differing content is
  re-applied to it as a local change (so the server merges it, or records a conflict), and the
  local row is removed. When both rows are on the server, the smaller id survives on every PC;
  the other is soft-deleted and references moved (those changes are pushed like any change).
* Attachments: before a batch, the server is asked which of its files it lacks and those are
  uploaded (checked against their hash first: a damaged local file is not sent, its row waits as
  "blocked"); an upload the server refuses (truncated, corrupted in transit) fails the round and is
  retried by the next one, and the batch waits for it. Pulled attachment rows whose file is not
  here are fetched after the pull, verified, and retried until they arrive.
* Verification (after a round that moved anything, and at most every `SUMMARY_INTERVAL`
  otherwise): per table, the count and hash of (id, version) of the rows the server has
  acknowledged, compared with ``/v1/summary`` for tables with no pending change; a mismatch
  triggers a resync of that table through ``/v1/rows`` — rows missing or different here are
  applied, rows the server lacks are queued again. Never silence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Table, Text, Uuid, select
from sqlalchemy.types import JSON, TypeEngine

from db.engine import HEAD_REVISION, Database
from db.models import APPEND_ONLY_TABLES, Base, Money
from db.outbox import LOCAL_ONLY_TABLES, install_outbox_triggers, outbox_triggers_current, resume_outbox, suppress_outbox
from desktop.attachments import write_atomically
from desktop.sync.hlc import DeskClock
from desktop.sync.protocol import (
    HEADER_PROTOCOL,
    HEADER_SCHEMA,
    MAX_BATCH_MUTATIONS,
    PAGE_LIMIT_MAX,
    PROTOCOL_VERSION,
    MissingResponse,
    PushResponse,
    SummaryResponse,
    encode_fields,
    summary_hash,
    synced_tables,
)

__all__ = [
    "SUMMARY_INTERVAL",
    "SyncClient",
    "SyncError",
    "SyncReport",
    "local_synced_tables",
    "parse_pull_page",
    "queue_unsynced_rows",
]

#: How often an idle round still compares counts and hashes with the server.
SUMMARY_INTERVAL = dt.timedelta(minutes=15)
PULL_PAGE = 1000
#: A pull with at least this many rows to go (and more than this PC holds) is applied in bulk (see `_BulkApply`).
BULK_MIN_ROWS = 20_000
#: Rows per page in bulk mode (the protocol's largest page).
BULK_PAGE = PAGE_LIMIT_MAX
#: A bulk transaction is committed (with the pages and the cursor it holds) after about this many seconds,
#: or after `BULK_COMMIT_SHARE` times what the previous commit took (triggers back, index and summaries redone).
BULK_CHUNK_SECONDS = 8.0
BULK_COMMIT_SHARE = 5.0
_FTS_INSERT_TRIGGER = "beneficiary_fts_after_insert"
_APPEND_ONLY_MUTABLE = ("version", "server_seq", "hlc", "updated_at")
_DEMO_PREFIX = "DEMO"
#: Tables whose duplicates carry no content of their own worth re-applying to the surviving row.
_EQUIVALENT_DUPLICATES = frozenset({"policy_version", "attachment", "app_user", "association"})


class SyncError(Exception):
    """A round that could not be completed; `message_ar` is shown as it is, `kind` tells the GUI why.

    Kinds: "offline" (no answer), "refused" (credential wrong or revoked), "upgrade" (this
    version of the app is too old for the server), "server" (the server failed or refused),
    "not_configured", "attachment" (a file upload was refused; retried next round).
    """

    def __init__(self, message_ar: str, kind: str = "server", *, detail: str | None = None) -> None:
        super().__init__(message_ar if detail is None else f"{message_ar} ({detail})")
        self.message_ar = message_ar
        self.kind = kind
        self.detail = detail


@dataclass
class SyncReport:
    """What one round did (counts of rows and mutations)."""

    pushed: int = 0
    acknowledged: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    duplicates: int = 0
    pulled: int = 0
    uploaded: int = 0
    downloaded: int = 0
    resynced_tables: list[str] = field(default_factory=list)
    verified: bool = False
    cancelled: bool = False
    seconds: float = 0.0
    messages_ar: list[str] = field(default_factory=list)

    @property
    def summary_ar(self) -> str:
        """One Arabic line for the status bar or the command line."""
        parts = [f"أُرسل {self.acknowledged} تغيير", f"واستُلم {self.pulled} سجل"]
        if self.conflicts:
            parts.append(f"وظهر {self.conflicts} تعارض يحتاج مراجعة")
        if self.rejected:
            parts.append(f"ورُفض {self.rejected} تغيير")
        if self.resynced_tables:
            parts.append("وأُعيدت مطابقة: " + "، ".join(self.resynced_tables))
        if self.cancelled:
            parts.append("(أُوقفت المزامنة قبل اكتمالها)")
        return "تمت المزامنة: " + " ".join(parts)


def local_synced_tables() -> dict[str, Table]:
    """The tables this desk syncs: the protocol's synced tables without the local-only ones."""
    return {name: table for name, table in synced_tables().items() if name not in LOCAL_ONLY_TABLES}


# --------------------------------------------------------------------------- pulled rows


class PulledRow:
    """One pulled row as the apply path reads it (parsed with `json`, no pydantic: pages are large).

    ``row_id`` is the canonical string with dashes, ``hex`` the 32-hex storage form.
    """

    __slots__ = ("deleted", "fields", "row_id", "server_seq", "table", "version")

    def __init__(self, table: str, row_id: str, version: int, server_seq: int, deleted: bool,
                 fields: dict[str, Any]) -> None:
        self.table = table
        self.row_id = row_id
        self.version = version
        self.server_seq = server_seq
        self.deleted = deleted
        self.fields = fields

    @property
    def hex(self) -> str:
        """The row id in its 32-hex storage form."""
        return self.row_id.replace("-", "")


@dataclass
class PulledPage:
    """One ``/v1/pull`` answer: rows in ``server_seq`` order and the cursor to store with them."""

    rows: list[PulledRow]
    next_after: int
    has_more: bool
    head_seq: int


def _bad_answer(what: str) -> SyncError:
    return SyncError("أرسل خادم المزامنة ردًا غير مفهوم؛ أعد المحاولة لاحقًا أو راجع مسؤول النظام", "server",
                     detail=what)


def _pulled_rows(items: Any) -> list[PulledRow]:
    """Checked `PulledRow`s of a JSON list (SyncError "server" when the shape is wrong)."""
    if type(items) is not list:
        raise _bad_answer("rows is not a list")
    rows: list[PulledRow] = []
    append = rows.append
    try:
        for item in items:
            table, row_id, version, seq, deleted, fields = (
                item["table"], item["row_id"], item["version"], item["server_seq"], item["deleted"], item["fields"])
            if not (type(table) is str and type(row_id) is str and type(version) is int and type(seq) is int
                    and type(deleted) is bool and type(fields) is dict):
                raise _bad_answer(f"row of wrong types: {str(item)[:200]}")
            if len(row_id) != 36 or not row_id.islower():
                row_id = str(uuid.UUID(row_id))
            append(PulledRow(table, row_id, version, seq, deleted, fields))
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad_answer(f"malformed row: {exc!r}") from None
    return rows


def parse_pull_page(content: bytes) -> PulledPage:
    """The body of a ``/v1/pull`` answer as a `PulledPage` (SyncError "server" when it is not one)."""
    try:
        body = json.loads(content)
        page = PulledPage(_pulled_rows(body["rows"]), body["next_after"], body["has_more"], body["head_seq"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad_answer(f"malformed page: {exc!r}") from None
    if not (type(page.next_after) is int and type(page.has_more) is bool and type(page.head_seq) is int):
        raise _bad_answer("page cursor of wrong types")
    return page


def _parse_rows_page(content: bytes) -> tuple[list[PulledRow], str | None, bool]:
    """The body of a ``/v1/rows`` answer: rows, ``next_after_id`` and ``has_more``."""
    try:
        body = json.loads(content)
        rows, after, more = _pulled_rows(body["rows"]), body["next_after_id"], body["has_more"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad_answer(f"malformed rows page: {exc!r}") from None
    if not (after is None or type(after) is str) or type(more) is not bool:
        raise _bad_answer("rows page cursor of wrong types")
    return rows, after, more


# --------------------------------------------------------------------------- storage forms


def _kind(column_type: TypeEngine[Any]) -> str:
    if isinstance(column_type, Money):
        return "decimal"
    impl = getattr(column_type, "impl_instance", None) or getattr(column_type, "impl", column_type)
    for candidate in (column_type, impl):
        for cls, name in (
            (Uuid, "uuid"), (DateTime, "datetime"), (Date, "date"), (Boolean, "bool"), (Integer, "int"),
            (Float, "float"), (JSON, "json"), (String, "str"), (Text, "str"),
        ):
            if isinstance(candidate, cls):
                return name
    return "json"


def _uuid_storage(value: Any) -> Any:
    if value is None:
        return None
    text = str(value)
    return text.replace("-", "").lower() if len(text) == 36 else uuid.UUID(text).hex


def _datetime_storage(value: Any) -> Any:
    if value is None:
        return None
    text = str(value)
    if text.endswith("+00:00") and len(text) in (25, 32) and text[10] == "T":
        body = text[:10] + " " + text[11:-6]
        return body + ".000000" if len(body) == 19 else body
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _decimal_storage(value: Any) -> Any:
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _json_storage(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _bool_storage(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: Inline storage conversions of the common wire forms (anything else falls back to the functions above).
_INLINE: dict[str, str] = {
    "uuid": "None if {v} is None else {v}.replace('-', '').lower() if type({v}) is str and len({v}) == 36 "
            "else _uuid({v})",
    "datetime": "None if {v} is None else {v}[:10] + ' ' + {v}[11:-6] if type({v}) is str and len({v}) == 32 "
                "and {v}[10] == 'T' and {v}.endswith('+00:00') else _datetime({v})",
    "bool": "None if {v} is None else 1 if {v} is True else 0 if {v} is False else _bool({v})",
    "decimal": "_decimal({v})",
    "json": "_json({v})",
}


#: (fields, row id, version, server_seq) → storage values; see `_compile_converter`.
_Converter = Callable[[dict[str, Any], str, int, int], tuple[Any, ...]]
#: Columns whose value comes from the pulled row itself, not from its fields.
_ROW_LEVEL = frozenset({"id", "version", "server_seq"})


def _compile_converter(columns: Sequence[str], kinds: Sequence[str]) -> _Converter:
    """A function from a pulled row (fields, id, version, server_seq) to the tuple of storage values of
    `columns` (one generated expression per column: a first sync converts millions of values, and a
    function call per value costs more than the conversion)."""
    row_level = {"id": "rid", "version": "ver", "server_seq": "seq"}
    reads = [f"    v{i} = {row_level.get(column) or f'f[{column!r}]'}" for i, column in enumerate(columns)]
    values = [_INLINE.get(kind, "{v}").format(v=f"v{i}") for i, kind in enumerate(kinds)]
    source = ("def convert(f, rid, ver, seq):\n" + "\n".join(reads) + "\n    return ("
              + "".join(f"({v}), " for v in values) + ")\n")
    namespace: dict[str, Any] = {"_uuid": _uuid_storage, "_datetime": _datetime_storage, "_bool": _bool_storage,
                                 "_decimal": _decimal_storage, "_json": _json_storage}
    exec(compile(source, "<sync converter>", "exec"), namespace)  # noqa: S102 - source built from column names only
    convert: _Converter = namespace["convert"]
    return convert


@dataclass
class _TableInfo:
    """What the apply path needs of one synced table."""

    table: Table
    columns: list[str]
    unique: list[tuple[list[str], bool]]  # (columns, partial on live rows)
    references: list[tuple[str, str]]  # (child table, column) pointing at this table's id
    kinds: dict[str, str] = field(default_factory=dict)
    statements: dict[tuple[str, ...], str] = field(default_factory=dict)
    plans: dict[tuple[str, ...], tuple[tuple[str, ...], _Converter]] = field(default_factory=dict)

    def plan(self, keys: tuple[str, ...]) -> tuple[tuple[str, ...], _Converter]:
        """For pulled fields with these keys: the columns written and a function giving their storage values (cached)."""
        plan = self.plans.get(keys)
        if plan is None:
            present = set(keys) | _ROW_LEVEL
            columns = tuple(c for c in self.columns if c in present)
            plan = (columns, _compile_converter(columns, [self.kinds[c] for c in columns]))
            self.plans[keys] = plan
        return plan

    def insert_sql(self, columns: tuple[str, ...]) -> str:
        """A plain INSERT of the given columns (bulk mode: the rows are expected to be new)."""
        key = ("\0insert", *columns)
        sql = self.statements.get(key)
        if sql is None:
            names = ", ".join(_quote(c) for c in columns)
            sql = f"INSERT INTO {_quote(self.table.name)} ({names}) VALUES ({', '.join('?' for _ in columns)})"
            self.statements[key] = sql
        return sql

    def upsert_sql(self, columns: tuple[str, ...]) -> str:
        """INSERT … ON CONFLICT(id) DO UPDATE of the given columns (append-only tables: bookkeeping only)."""
        sql = self.statements.get(columns)
        if sql is None:
            names = ", ".join(_quote(c) for c in columns)
            marks = ", ".join("?" for _ in columns)
            settable = [c for c in columns if c != "id"]
            if self.table.name in APPEND_ONLY_TABLES:
                settable = [c for c in settable if c in _APPEND_ONLY_MUTABLE]
            assignments = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in settable)
            sql = f"INSERT INTO {_quote(self.table.name)} ({names}) VALUES ({marks})"
            sql += f" ON CONFLICT(id) DO UPDATE SET {assignments}" if assignments else " ON CONFLICT(id) DO NOTHING"
            self.statements[columns] = sql
        return sql


# --------------------------------------------------------------------------- bulk apply of a first sync


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
            conn.execute(f"DROP TRIGGER {_quote(name)}")

    def write_new(self, info: _TableInfo, columns: tuple[str, ...], values: list[tuple[Any, ...]]) -> bool:
        """INSERT rows expected to be new in one statement; False (nothing written) when one already exists
        or collides on a unique key (the caller then upserts them)."""
        conn = self.conn
        conn.execute("SAVEPOINT sync_new")
        try:
            conn.executemany(info.insert_sql(columns), values)
        except sqlite3.IntegrityError:
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
            from desktop.reports.summaries import rebuild_summaries

            rebuild_summaries(conn)


class _Chunk:
    """One IMMEDIATE transaction of pulled pages (foreign keys off, outbox suppressed), in bulk mode or not."""

    def __init__(self, client: SyncClient, *, bulk: bool) -> None:
        self._client = client
        self._fairy = client._db.engine.raw_connection()  # noqa: SLF001
        conn = self._fairy.driver_connection
        assert isinstance(conn, sqlite3.Connection)
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
        client = self._client
        if self.bulk and client._bulk is None:  # noqa: SLF001
            client._bulk = _BulkApply(self.conn)  # noqa: SLF001
        client._apply_rows(self.conn, rows)  # noqa: SLF001

    def age(self) -> float:
        """Seconds since the transaction began."""
        return time.perf_counter() - self._started

    def commit(self) -> float:
        """Leave bulk mode, resume the outbox and COMMIT, then release the connection; the seconds it took."""
        started = time.perf_counter()
        self._client._end_bulk()  # noqa: SLF001
        resume_outbox(self.conn)
        self.conn.execute("COMMIT")
        self._close()
        return time.perf_counter() - started

    def rollback(self) -> None:
        """Roll everything back (triggers included) and release the connection."""
        self._client._bulk = None  # noqa: SLF001
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


# --------------------------------------------------------------------------- queueing rows already here


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
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    for name in local_synced_tables():
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
        if not exists:
            continue
        skipped = list((skip or {}).get(name, ()))
        marks = ", ".join("?" for _ in skipped)
        cursor = connection.execute(
            f"INSERT INTO sync_outbox (table_name, row_id, op, columns, base_version, user_id, changed_at) "
            f"SELECT ?, t.id, 'insert', NULL, NULL, t.updated_by, ? FROM {_quote(name)} AS t "
            "WHERE t.server_seq IS NULL AND (t.device_id IS NOT ? OR ? IS NULL) "
            f"{'AND t.id NOT IN (' + marks + ') ' if skipped else ''}"
            "AND NOT EXISTS (SELECT 1 FROM sync_outbox AS o WHERE o.table_name = ? AND o.row_id = t.id "
            "AND o.state = 'pending') ORDER BY t.rowid",
            (name, now, demo_id, demo_id, *skipped, name),
        )
        queued += max(cursor.rowcount, 0)
    return queued


# --------------------------------------------------------------------------- the client


class SyncClient:
    """Runs sync rounds between one desk database and the server, over HTTP."""

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        server_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        wall: Callable[[], float] | None = None,
        timeout: float = 30.0,
        page_limit: int = PULL_PAGE,
        batch_limit: int = MAX_BATCH_MUTATIONS,
        schema: str = HEAD_REVISION,
    ) -> None:
        self._db = db
        self._data_dir = Path(data_dir)
        self._wall = wall or time.time
        self._page_limit = page_limit
        self._batch_limit = max(1, min(batch_limit, MAX_BATCH_MUTATIONS))
        self._http = httpx.Client(
            base_url=server_url.rstrip("/"),
            headers={
                HEADER_PROTOCOL: str(PROTOCOL_VERSION),
                HEADER_SCHEMA: schema,
                "Authorization": f"Bearer {token}",
            },
            timeout=timeout,
            transport=transport if transport is not None else _nodelay_transport(),
        )
        self._tables = local_synced_tables()
        self._info: dict[str, _TableInfo] = {}
        self._clock: DeskClock | None = None
        self._triggers_checked = False
        self._bulk: _BulkApply | None = None
        self.last_round_moved = False

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    # ------------------------------------------------------------------ database plumbing

    @contextmanager
    def _write(self, *, foreign_keys: bool = True) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction on a raw connection (committed on success), outbox triggers suppressed."""
        fairy = self._db.engine.raw_connection()
        try:
            conn = fairy.driver_connection
            assert isinstance(conn, sqlite3.Connection)
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

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        fairy = self._db.engine.raw_connection()
        try:
            conn = fairy.driver_connection
            assert isinstance(conn, sqlite3.Connection)
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")
        finally:
            fairy.close()

    def _state(self, conn: sqlite3.Connection) -> dict[str, Any]:
        row = conn.execute(
            "SELECT pull_after, last_hlc, clock_offset_ms, last_summary_at, device_id FROM sync_state WHERE id = 1"
        ).fetchone()
        if row is None:
            return {"pull_after": 0, "last_hlc": None, "clock_offset_ms": 0, "last_summary_at": None, "device_id": None}
        return dict(zip(("pull_after", "last_hlc", "clock_offset_ms", "last_summary_at", "device_id"), row, strict=True))

    def _ensure_ready(self) -> None:
        """Outbox triggers matching the live schema (repaired if a migration dropped some) and the clock loaded."""
        if not self._triggers_checked:
            with self._read() as conn:
                current = outbox_triggers_current(conn)
            if not current:
                with self._write() as conn:
                    install_outbox_triggers(conn)
            self._triggers_checked = True
        if self._clock is None:
            with self._read() as conn:
                state = self._state(conn)
            self._clock = DeskClock(state["last_hlc"], int(state["clock_offset_ms"] or 0), wall=self._wall)

    @property
    def clock(self) -> DeskClock:
        """This desk's HLC (loaded on first use)."""
        self._ensure_ready()
        assert self._clock is not None
        return self._clock

    def _table_info(self, conn: sqlite3.Connection, name: str) -> _TableInfo:
        info = self._info.get(name)
        if info is None:
            table = self._tables[name]
            live = [row[1] for row in conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()]
            columns = [c.name for c in table.columns if c.name in live]
            unique: list[tuple[list[str], bool]] = []
            for _seq, index, is_unique, origin, partial in conn.execute(
                f"PRAGMA index_list({_quote(name)})"
            ).fetchall():
                if not is_unique or origin == "pk":
                    continue
                cols = [row[2] for row in conn.execute(f"PRAGMA index_info({_quote(index)})").fetchall()]
                unique.append((cols, bool(partial)))
            references = [
                (child.name, fk.parent.name)
                for child in self._tables.values()
                for fk in child.foreign_keys
                if fk.column.table.name == name and child.name in self._tables
            ]
            kinds = {c: _kind(table.c[c].type) for c in columns}
            info = _TableInfo(table, columns, unique, references, kinds)
            self._info[name] = info
        return info

    # ------------------------------------------------------------------ HTTP

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        sent = self._wall()
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise SyncError("تعذر الوصول إلى خادم المزامنة: الجهاز يعمل دون اتصال وستُرسل التغييرات لاحقًا",
                            "offline", detail=f"{type(exc).__name__}: {exc}") from exc
        if self._clock is not None:
            self._clock.learn_offset(response.headers.get("date"), sent, self._wall())
        if response.status_code >= 400:
            raise _error_of(response)
        return response

    # ------------------------------------------------------------------ the round

    def run_round(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        verify: bool | None = None,
    ) -> SyncReport:
        """One sync round (pull, push, pull, verify); raises SyncError when the server cannot be used."""
        started = time.perf_counter()
        self._ensure_ready()
        report = SyncReport()
        stop = cancel or (lambda: False)
        self._pull(report, progress, stop)
        if not stop():
            self._push(report, stop)
        if report.acknowledged or report.conflicts or report.duplicates:
            self._pull(report, None, stop)
        if stop():
            report.cancelled = True
        else:
            self._download_missing_files(report)
            moved = bool(report.pulled or report.acknowledged)
            if verify is None:
                verify = moved or self._summary_due()
            if verify:
                self._verify(report)
        self.last_round_moved = bool(report.pulled or report.acknowledged)
        report.seconds = time.perf_counter() - started
        return report

    def _summary_due(self) -> bool:
        with self._read() as conn:
            last = self._state(conn)["last_summary_at"]
        if last is None:
            return True
        moment = dt.datetime.fromisoformat(str(last)).replace(tzinfo=dt.UTC)
        return dt.datetime.now(dt.UTC) - moment >= SUMMARY_INTERVAL

    # ------------------------------------------------------------------ push

    def _push(self, report: SyncReport, stop: Callable[[], bool]) -> None:
        while not stop():
            batch = self._sent_batch() or self._compose_batch(self._batch_limit)
            if batch is None:
                return
            batch_id, payload = batch
            self._upload_attachments(payload, report)
            try:
                response = self._request("POST", "/v1/push", content=_json_bytes(payload),
                                         headers={"Content-Type": "application/json"})
            except SyncError as exc:
                if exc.kind == "invalid" and len(payload["mutations"]) > 1:
                    self._split_batch(batch_id)
                    self._batch_limit = 1
                    continue
                if exc.kind == "invalid":
                    self._reject_batch(batch_id, exc.message_ar, report)
                    continue
                raise
            result = PushResponse.model_validate_json(response.content)
            self._acknowledge(batch_id, payload, result, report)
            report.pushed += len(payload["mutations"])

    def _sent_batch(self) -> tuple[uuid.UUID, dict[str, Any]] | None:
        """The batch composed earlier and not yet acknowledged (resent as it is)."""
        with self._read() as conn:
            row = conn.execute("SELECT id, payload FROM sync_batch ORDER BY created_at LIMIT 1").fetchone()
        if row is None:
            return None
        return uuid.UUID(hex=row[0]), json.loads(row[1])

    def _compose_batch(self, limit: int) -> tuple[uuid.UUID, dict[str, Any]] | None:
        """Compose, store and mark the next batch of pending outbox entries; None when nothing is left."""
        while True:
            composed = self._compose_once(limit)
            if composed is None or isinstance(composed, tuple):
                return composed

    def _compose_once(self, limit: int) -> tuple[uuid.UUID, dict[str, Any]] | None | bool:
        """One composition in one transaction; False when the entries read needed no mutation (try again)."""
        with self._write() as conn:
            entries = conn.execute(
                "SELECT seq, table_name, row_id, op, columns, base_version, user_id, "
                "CAST((julianday('now') - julianday(changed_at)) * 86400000 AS INTEGER) "
                "FROM sync_outbox WHERE state = 'pending' AND batch_id IS NULL ORDER BY seq LIMIT ?",
                (limit * 20,),
            ).fetchall()
            if not entries:
                return None
            groups: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
            for entry in entries:
                key = (entry[1], entry[2])
                if key not in groups and len(groups) >= limit:
                    continue
                groups.setdefault(key, []).append(entry)
            batch_id = uuid.uuid4()
            mutations: list[dict[str, Any]] = []
            used: list[int] = []
            blocked: list[tuple[int, str]] = []
            clock = self.clock
            for (table_name, row_hex), group in groups.items():
                mutation = self._mutation(conn, table_name, row_hex, group, clock)
                if isinstance(mutation, str):
                    blocked.extend((entry[0], mutation) for entry in group)
                    continue
                if mutation is not None:
                    mutations.append(mutation)
                used.extend(entry[0] for entry in group)
            for seq, message in blocked:
                conn.execute("UPDATE sync_outbox SET state = 'blocked', message_ar = ? WHERE seq = ?", (message, seq))
            if not mutations:
                conn.executemany("DELETE FROM sync_outbox WHERE seq = ?", [(s,) for s in used])
                return False
            payload = {"batch_id": str(batch_id), "mutations": mutations}
            conn.execute(
                "INSERT INTO sync_batch (id, payload, created_at) VALUES (?, ?, ?)",
                (batch_id.hex, json.dumps(payload, ensure_ascii=False), _now_storage()),
            )
            conn.executemany("UPDATE sync_outbox SET batch_id = ? WHERE seq = ?", [(batch_id.hex, s) for s in used])
            conn.execute(
                "UPDATE sync_state SET last_hlc = ?, clock_offset_ms = ? WHERE id = 1", (clock.last, clock.offset_ms)
            )
        return batch_id, payload

    def _mutation(
        self, conn: sqlite3.Connection, table_name: str, row_hex: str, group: list[tuple[Any, ...]], clock: DeskClock
    ) -> dict[str, Any] | str | None:
        """The wire mutation of a row's pending entries; a str (Arabic) when it must wait; None when nothing to send."""
        table = self._tables.get(table_name)
        if table is None:
            return None
        row_id = uuid.UUID(hex=row_hex)
        values = conn.execute(
            f"SELECT * FROM {_quote(table_name)} WHERE id = ?", (row_hex,)
        ).fetchone()
        base = group[0][5]
        inserted = any(entry[3] == "insert" for entry in group) or base is None
        last = group[-1]
        age_ms = int(last[7] or 0)
        hlc = clock.stamp(age_ms)
        user = last[6]
        mutation: dict[str, Any] = {
            "mutation_id": str(uuid.uuid4()),
            "table": table_name,
            "row_id": str(row_id),
            "base_version": None if inserted else base,
            "hlc": hlc,
            "user_id": str(uuid.UUID(hex=user)) if user else None,
        }
        if values is None:  # removed for good (never done by the app): a delete
            mutation.update(op="delete", fields={})
            return mutation
        names = [d[0] for d in conn.execute(f"SELECT * FROM {_quote(table_name)} LIMIT 0").description]
        raw = dict(zip(names, values, strict=True))
        decoded = _decode_storage(table, raw)
        if inserted:
            columns = [c.name for c in table.columns if c.name in raw]
        else:
            changed: set[str] = set()
            for entry in group:
                changed.update(c for c in (entry[4] or "").split(",") if c)
            columns = [c.name for c in table.columns if c.name in changed]
            if "updated_at" in raw:
                columns.append("updated_at")
        deleted = raw.get("deleted_at") is not None and any(entry[3] == "delete" for entry in group)
        if table_name == "attachment":
            problem = self._check_local_file(raw)
            if problem is not None:
                return problem
        mutation["op"] = "delete" if deleted and not inserted else "upsert"
        mutation["fields"] = encode_fields(table, decoded, columns)
        return mutation

    def _check_local_file(self, raw: Mapping[str, Any]) -> str | None:
        """None when the attachment's file is here and matches its hash; else why its row waits (Arabic)."""
        path = self._data_dir.joinpath(*str(raw["stored_path"]).split("/"))
        try:
            data = path.read_bytes()
        except OSError:
            return f"ملف المرفق غير موجود في مجلد البيانات ولن يُرسل: {raw['stored_path']}"
        if hashlib.sha256(data).hexdigest() != raw["sha256"]:
            return f"ملف المرفق تالف لا يطابق بصمته ولن يُرسل: {raw['stored_path']}"
        return None

    def _upload_attachments(self, payload: Mapping[str, Any], report: SyncReport) -> None:
        """Upload the files of the batch's attachment rows the server lacks (verified here first)."""
        wanted: dict[str, str] = {}
        for mutation in payload["mutations"]:
            if mutation["table"] == "attachment" and mutation["op"] == "upsert":
                sha = mutation["fields"].get("sha256")
                path = mutation["fields"].get("stored_path")
                if sha and path:
                    wanted[sha] = path
        if not wanted:
            return
        response = self._request("POST", "/v1/attachments/missing", json={"sha256": sorted(wanted)})
        missing = MissingResponse.model_validate_json(response.content).missing
        for sha in missing:
            path = self._data_dir.joinpath(*wanted[sha].split("/"))
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise SyncError(f"ملف المرفق غير موجود في مجلد البيانات: {wanted[sha]}", "attachment") from exc
            if hashlib.sha256(data).hexdigest() != sha:
                raise SyncError(f"ملف المرفق تالف لا يطابق بصمته: {wanted[sha]}", "attachment")
            try:
                self._request("PUT", f"/v1/attachments/{sha}", content=data,
                              headers={"Content-Type": "application/octet-stream"})
            except SyncError as exc:
                if exc.kind in ("invalid", "server"):
                    raise SyncError("رفض الخادم ملف مرفق وصل ناقصًا أو تالفًا؛ سيُعاد إرساله في المزامنة التالية",
                                    "attachment", detail=exc.detail) from exc
                raise
            report.uploaded += 1

    def _acknowledge(
        self, batch_id: uuid.UUID, payload: Mapping[str, Any], result: PushResponse, report: SyncReport
    ) -> None:
        """Apply the server's answer to a batch in one transaction."""
        by_id = {m["mutation_id"]: m for m in payload["mutations"]}
        with self._write() as conn:
            for answer in result.results:
                mutation = by_id.get(str(answer.mutation_id))
                if mutation is None:
                    continue
                table_name = mutation["table"]
                row_hex = uuid.UUID(mutation["row_id"]).hex
                status = answer.original_status if answer.status == "duplicate" and answer.original_status else answer.status
                if answer.status == "duplicate":
                    report.duplicates += 1
                if status == "rejected":
                    conn.execute(
                        "UPDATE sync_outbox SET state = 'rejected', message_ar = ? "
                        "WHERE batch_id = ? AND table_name = ? AND row_id = ?",
                        (answer.message_ar or "رفض الخادم هذا التغيير", batch_id.hex, table_name, row_hex),
                    )
                    report.rejected += 1
                    if answer.message_ar:
                        report.messages_ar.append(answer.message_ar)
                    continue
                report.acknowledged += 1
                if status == "merged":
                    report.merged += 1
                if status == "conflict":
                    report.conflicts += 1
                conn.execute(
                    "DELETE FROM sync_outbox WHERE batch_id = ? AND table_name = ? AND row_id = ?",
                    (batch_id.hex, table_name, row_hex),
                )
                if answer.version is None:
                    continue
                later = conn.execute(
                    "SELECT count(*) FROM sync_outbox WHERE table_name = ? AND row_id = ? AND state = 'pending'",
                    (table_name, row_hex),
                ).fetchone()[0]
                if later:
                    conn.execute(
                        "UPDATE sync_outbox SET base_version = ? WHERE table_name = ? AND row_id = ? "
                        "AND state = 'pending' AND batch_id IS NULL",
                        (answer.version, table_name, row_hex),
                    )
                    conn.execute(
                        f"UPDATE {_quote(table_name)} SET server_seq = coalesce(server_seq, ?) WHERE id = ?",
                        (answer.server_seq, row_hex),
                    )
                else:
                    conn.execute(
                        f"UPDATE {_quote(table_name)} SET version = ?, server_seq = ? WHERE id = ?",
                        (answer.version, answer.server_seq, row_hex),
                    )
            conn.execute("UPDATE sync_outbox SET batch_id = NULL WHERE batch_id = ? AND state = 'pending'",
                         (batch_id.hex,))
            conn.execute("DELETE FROM sync_batch WHERE id = ?", (batch_id.hex,))

    def _split_batch(self, batch_id: uuid.UUID) -> None:
        """Forget a batch the server refused whole (nothing of it was applied): its entries go back to pending."""
        with self._write() as conn:
            conn.execute("UPDATE sync_outbox SET batch_id = NULL WHERE batch_id = ?", (batch_id.hex,))
            conn.execute("DELETE FROM sync_batch WHERE id = ?", (batch_id.hex,))

    def _reject_batch(self, batch_id: uuid.UUID, message_ar: str, report: SyncReport) -> None:
        """A single-mutation batch refused whole: its entries are kept as rejected with the server's reason."""
        with self._write() as conn:
            conn.execute("UPDATE sync_outbox SET state = 'rejected', message_ar = ?, batch_id = NULL WHERE batch_id = ?",
                         (message_ar, batch_id.hex))
            conn.execute("DELETE FROM sync_batch WHERE id = ?", (batch_id.hex,))
        report.rejected += 1
        report.messages_ar.append(message_ar)

    # ------------------------------------------------------------------ pull

    def _fetch_page(self, after: int, limit: int) -> bytes:
        """The body of one ``/v1/pull`` answer (runs on the prefetch thread: network only — parsing there
        would hold the GIL against the apply, which gives it up and takes it back for every row)."""
        return self._request("GET", "/v1/pull", params={"after": after, "limit": limit}).content

    def _pull(self, report: SyncReport, progress: Callable[[int, int], None] | None, stop: Callable[[], bool]) -> None:
        """Pull to the head. The next page is downloaded (on a helper thread) while this one is applied; a
        large backlog (a first sync) is applied in bulk (`_BulkApply`) with pages of `BULK_PAGE` rows,
        several pages per transaction, each transaction holding its cursor."""
        if stop():
            return
        with self._read() as conn:
            after = int(self._state(conn)["pull_after"])
        start = after
        page = parse_pull_page(self._fetch_page(after, self._page_limit))
        backlog = page.head_seq - after
        limit = self._page_limit
        bulk = False
        if page.has_more and backlog >= BULK_MIN_ROWS:
            with self._read() as conn:
                held = conn.execute('SELECT count(*) FROM "case"').fetchone()[0]
            bulk = backlog >= held
            limit = max(limit, BULK_PAGE) if bulk else max(limit, PAGE_LIMIT_MAX)
        executor: ThreadPoolExecutor | None = None
        upcoming: Future[bytes] | None = None
        chunk: _Chunk | None = None
        chunk_seconds = BULK_CHUNK_SECONDS
        try:
            while True:
                if page.has_more and not stop():
                    if executor is None:
                        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull")
                    upcoming = executor.submit(self._fetch_page, page.next_after, limit)
                if page.rows or page.next_after != after:
                    if chunk is None:  # the first page (small) in a plain transaction: it meets this PC's own rows
                        chunk = _Chunk(self, bulk=bulk and after != start)
                    chunk.apply(page.rows)
                    chunk.conn.execute(
                        "UPDATE sync_state SET pull_after = ?, last_hlc = ?, clock_offset_ms = ? WHERE id = 1",
                        (page.next_after, self.clock.last, self.clock.offset_ms))
                    if not chunk.bulk or upcoming is None or chunk.age() >= chunk_seconds:
                        # leaving bulk mode costs in proportion to the rows held: keep it a small share
                        chunk_seconds = max(chunk_seconds, BULK_COMMIT_SHARE * chunk.commit())
                        chunk = None
                    report.pulled += len(page.rows)
                after = page.next_after
                if progress is not None:
                    total = max(page.head_seq - start, 1)
                    progress(min(after - start, total), total)
                if upcoming is None:
                    break
                try:
                    body, upcoming = upcoming.result(), None
                    page = parse_pull_page(body)
                except SyncError:  # offline, refused or a garbled answer mid-pull: keep the pages already applied
                    upcoming = None
                    if chunk is not None:
                        chunk.commit()
                        chunk = None
                    raise
            if chunk is not None:
                chunk.commit()
                chunk = None
        finally:
            if chunk is not None:
                chunk.rollback()
            if upcoming is not None:
                upcoming.cancel()
                try:
                    upcoming.result()
                except BaseException:  # noqa: BLE001 - the round already fails or stops; this page is not applied
                    pass
            if executor is not None:
                executor.shutdown(wait=True)

    def _end_bulk(self) -> None:
        """Leave bulk mode within the current transaction (triggers back, their work redone set-based)."""
        if self._bulk is not None:
            bulk, self._bulk = self._bulk, None
            bulk.restore()

    def _pending(self, conn: sqlite3.Connection) -> dict[tuple[str, str], set[str] | None]:
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

    def _apply_rows(self, conn: sqlite3.Connection, rows: Sequence[PulledRow]) -> None:
        """Write pulled rows (triggers suppressed by the caller's transaction); pending local columns are kept."""
        if not rows:
            return
        pending = self._pending(conn)
        by_table: dict[str, list[PulledRow]] = {}
        newest = ""
        tables = self._tables
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
        for table_name, table_rows in by_table.items():
            info = self._table_info(conn, table_name)
            plain: list[tuple[tuple[str, ...], tuple[Any, ...]]] = []
            kept: list[PulledRow] = []
            storage_row = self._storage_row
            if table_name in pending_tables:
                for row in table_rows:
                    if (table_name, row.hex) in pending:
                        kept.append(row)
                    else:
                        plain.append(storage_row(info, row))
            else:
                plain = [storage_row(info, row) for row in table_rows]
            self._write_plain(conn, info, plain)
            if kept:
                self._end_bulk()  # the slow path below needs every trigger in place
            for row in kept:
                self._apply_keeping(conn, info, row, pending[(table_name, row.hex)])
            if table_name == "attachment":
                self._note_missing_files(conn, table_rows)

    @staticmethod
    def _storage_row(info: _TableInfo, row: PulledRow) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        """(columns, values in their SQLite storage form) of a pulled row."""
        fields = row.fields
        columns, convert = info.plan(tuple(fields))
        return columns, convert(fields, row.row_id, row.version, row.server_seq)

    def _write_plain(
        self, conn: sqlite3.Connection, info: _TableInfo, rows: list[tuple[tuple[str, ...], tuple[Any, ...]]]
    ) -> None:
        """Upsert rows with no local change; rows colliding on a unique key go through `_resolve_duplicate`.

        Outside a bulk transaction, many new beneficiaries are indexed for name search in one
        statement (the FTS insert trigger is dropped around the INSERT, inside its savepoint).
        """
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for columns, values in rows:
            group = groups.get(columns)
            if group is None:
                group = groups[columns] = []
            group.append(values)
        bulk = self._bulk
        for columns, values_list in groups.items():
            if bulk is not None and bulk.write_new(info, columns, values_list):
                continue
            sql = info.upsert_sql(columns)
            conn.execute("SAVEPOINT sync_page")
            try:
                if bulk is not None and info.table.name == "beneficiary":
                    bulk.fts_incremental = False  # existing rows may change: the whole name index is rebuilt
                fts_sql = None
                if info.table.name == "beneficiary" and len(values_list) >= 50 and self._bulk is None:
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
                continue
            except sqlite3.IntegrityError:
                conn.execute("ROLLBACK TO sync_page")
                conn.execute("RELEASE sync_page")
            self._end_bulk()  # the row-by-row path below records local changes: every trigger back
            for values in values_list:
                self._write_one(conn, info, columns, values)

    def _write_one(self, conn: sqlite3.Connection, info: _TableInfo, columns: tuple[str, ...],
                   values: tuple[Any, ...], attempts: int = 4) -> None:
        conn.execute("SAVEPOINT sync_row")
        try:
            conn.execute(info.upsert_sql(columns), values)
            conn.execute("RELEASE sync_row")
            return
        except sqlite3.IntegrityError as exc:
            conn.execute("ROLLBACK TO sync_row")
            conn.execute("RELEASE sync_row")
            if "UNIQUE" not in str(exc) or attempts <= 0:
                raise
        values = self._resolve_duplicate(conn, info, columns, values)
        self._write_one(conn, info, columns, values, attempts - 1)

    def _resolve_duplicate(
        self, conn: sqlite3.Connection, info: _TableInfo, columns: tuple[str, ...], values: tuple[Any, ...]
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
            where = " AND ".join(f"{_quote(c)} IS ?" for c in key_columns)
            if partial:
                where += " AND deleted_at IS NULL"
            local = conn.execute(
                f"SELECT id, server_seq FROM {_quote(name)} WHERE {where} AND id != ?",
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
                return self._merge_into_pulled(conn, info, local_id, row, columns)
            if partial:
                return self._keep_smaller(conn, info, local_id, row, columns)
            for c in key_columns:  # both rows are live on the server: keep both, this copy's key marked
                if isinstance(row[c], str):
                    row[c] = f"{row[c]}~{pulled_id[:8]}"
            return tuple(row[c] for c in columns)
        raise sqlite3.IntegrityError(f"unresolved unique collision in {name}")

    def _repoint(self, conn: sqlite3.Connection, info: _TableInfo, old: str, new: str) -> None:
        """Move every reference from row `old` to row `new` (recorded in the outbox: triggers on)."""
        resume_outbox(conn)
        try:
            for child, column in info.references:
                if child in APPEND_ONLY_TABLES:
                    continue  # their content cannot change; they keep pointing at the (kept) duplicate
                conn.execute(f"UPDATE {_quote(child)} SET {_quote(column)} = ? WHERE {_quote(column)} = ?", (new, old))
        finally:
            suppress_outbox(conn)

    def _merge_into_pulled(
        self, conn: sqlite3.Connection, info: _TableInfo, local_id: str, row: dict[str, Any], columns: tuple[str, ...]
    ) -> tuple[Any, ...]:
        """The local duplicate never reached the server: the pulled row replaces it, its content re-applied."""
        name = info.table.name
        pulled_id = str(row["id"])
        cursor = conn.execute(f"SELECT * FROM {_quote(name)} WHERE id = ?", (local_id,))
        names = [d[0] for d in cursor.description]
        local = dict(zip(names, cursor.fetchone(), strict=True))
        self._repoint(conn, info, local_id, pulled_id)
        conn.execute("DELETE FROM sync_outbox WHERE table_name = ? AND row_id = ?", (name, local_id))
        conn.execute(f"DELETE FROM {_quote(name)} WHERE id = ?", (local_id,))
        if name not in _EQUIVALENT_DUPLICATES and name not in APPEND_ONLY_TABLES:
            differing = [
                c for c in columns
                if c not in ("id", "version", "server_seq", "hlc", "created_at", "updated_at", "device_id")
                and local.get(c) is not None and local.get(c) != row.get(c)
            ]
            if differing:
                conn.execute(info.upsert_sql(columns), tuple(row[c] for c in columns))
                resume_outbox(conn)
                try:
                    assignments = ", ".join(f"{_quote(c)} = ?" for c in differing)
                    conn.execute(f"UPDATE {_quote(name)} SET {assignments} WHERE id = ?",
                                 (*[local[c] for c in differing], pulled_id))
                finally:
                    suppress_outbox(conn)
                found = conn.execute(f"SELECT * FROM {_quote(name)} WHERE id = ?", (pulled_id,))
                current = dict(zip([d[0] for d in found.description], found.fetchone(), strict=True))
                return tuple(current[c] for c in columns)
        return tuple(row[c] for c in columns)

    def _keep_smaller(
        self, conn: sqlite3.Connection, info: _TableInfo, local_id: str, row: dict[str, Any], columns: tuple[str, ...]
    ) -> tuple[Any, ...]:
        """Both duplicates are on the server: the smaller id stays live on every PC, the other is soft-deleted."""
        name = info.table.name
        pulled_id = str(row["id"])
        deleted_at = _now_storage()
        if pulled_id < local_id:
            resume_outbox(conn)
            try:
                conn.execute(f"UPDATE {_quote(name)} SET deleted_at = ? WHERE id = ?", (deleted_at, local_id))
            finally:
                suppress_outbox(conn)
            self._repoint(conn, info, local_id, pulled_id)
            return tuple(row[c] for c in columns)
        row["deleted_at"] = deleted_at
        conn.execute(
            "INSERT INTO sync_outbox (table_name, row_id, op, columns, base_version, user_id, changed_at) "
            "VALUES (?, ?, 'delete', 'deleted_at', ?, NULL, ?)",
            (name, pulled_id, row.get("version"), deleted_at),
        )
        values = tuple(row[c] for c in columns)
        conn.execute(info.upsert_sql(columns), values)
        self._repoint(conn, info, pulled_id, local_id)
        found = conn.execute(f"SELECT * FROM {_quote(name)} WHERE id = ?", (pulled_id,))
        current = dict(zip([d[0] for d in found.description], found.fetchone(), strict=True))
        return tuple(current[c] for c in columns)

    def _apply_keeping(
        self, conn: sqlite3.Connection, info: _TableInfo, row: PulledRow, keep: set[str] | None
    ) -> None:
        """Apply a pulled row over one with pending local changes: those columns keep the local value."""
        columns, values = self._storage_row(info, row)
        exists = conn.execute(f"SELECT 1 FROM {_quote(info.table.name)} WHERE id = ?", (row.hex,)).fetchone()
        if exists is None:
            self._write_one(conn, info, columns, values)
            return
        if keep is None:  # created here and not yet acknowledged: only learn that the server has it
            conn.execute(f"UPDATE {_quote(info.table.name)} SET server_seq = ? WHERE id = ?",
                         (row.server_seq, row.hex))
            return
        skip = keep | {"id", "version"}
        if info.table.name in APPEND_ONLY_TABLES:
            skip |= {c for c in columns if c not in _APPEND_ONLY_MUTABLE}
        chosen = [(c, v) for c, v in zip(columns, values, strict=True) if c not in skip]
        if chosen:
            assignments = ", ".join(f"{_quote(c)} = ?" for c, _ in chosen)
            conn.execute(f"UPDATE {_quote(info.table.name)} SET {assignments} WHERE id = ?",
                         (*[v for _, v in chosen], row.hex))

    # ------------------------------------------------------------------ attachments pulled

    def _note_missing_files(self, conn: sqlite3.Connection, rows: Sequence[PulledRow]) -> None:
        for row in rows:
            sha = row.fields.get("sha256")
            path = row.fields.get("stored_path")
            if not isinstance(sha, str) or not isinstance(path, str) or row.deleted:
                continue
            if not self._data_dir.joinpath(*path.split("/")).is_file():
                conn.execute("INSERT OR IGNORE INTO sync_missing_file (sha256, stored_path) VALUES (?, ?)", (sha, path))

    def _download_missing_files(self, report: SyncReport) -> None:
        """Fetch the files of pulled attachment rows, verify each against its hash, store atomically."""
        with self._read() as conn:
            wanted = conn.execute("SELECT sha256, stored_path FROM sync_missing_file ORDER BY attempts").fetchall()
        for sha, path in wanted:
            target = self._data_dir.joinpath(*str(path).split("/"))
            data: bytes | None = None
            try:
                response = self._request("GET", f"/v1/attachments/{sha}")
                data = response.content
            except SyncError as exc:
                if exc.kind == "offline":
                    raise
            ok = data is not None and hashlib.sha256(data).hexdigest() == sha
            if ok and data is not None:
                write_atomically(target, data)
                report.downloaded += 1
            with self._write() as conn:
                if ok:
                    conn.execute("DELETE FROM sync_missing_file WHERE sha256 = ?", (sha,))
                else:
                    conn.execute("UPDATE sync_missing_file SET attempts = attempts + 1 WHERE sha256 = ?", (sha,))

    # ------------------------------------------------------------------ verification

    def local_summary(self, conn: sqlite3.Connection, table_name: str) -> tuple[int, str]:
        """(count, hash) of this desk's rows of a table that the server has acknowledged."""
        rows = conn.execute(  # in id order: the sort in `summary_hash` then only checks it
            f"SELECT id, version FROM {_quote(table_name)} WHERE server_seq IS NOT NULL ORDER BY id"
        ).fetchall()
        return len(rows), summary_hash(rows)

    def _verify(self, report: SyncReport) -> None:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-summary") as executor:
            asked = executor.submit(self._request, "GET", "/v1/summary")  # the server counts while this PC does
            local: dict[str, tuple[int, str]] = {}
            with self._read() as conn:
                busy = {r[0] for r in conn.execute("SELECT DISTINCT table_name FROM sync_outbox WHERE state = 'pending'")}
                for name in self._tables:
                    if name in busy:
                        continue
                    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                          (name,)).fetchone()
                    if exists:
                        local[name] = self.local_summary(conn, name)
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
            self._resync(name)
            report.resynced_tables.append(name)
        report.verified = not busy_tables_left(self._db)
        with self._write() as conn:
            conn.execute("UPDATE sync_state SET last_summary_at = ? WHERE id = 1", (_now_storage(),))

    def _resync(self, table_name: str) -> None:
        """Targeted resync of one table: apply what the server has differently, queue what it lacks."""
        seen: set[str] = set()
        after: str | None = None
        while True:
            params: dict[str, Any] = {"table": table_name, "limit": 5000}
            if after is not None:
                params["after_id"] = after
            response = self._request("GET", "/v1/rows", params=params)
            page_rows, next_after_id, has_more = _parse_rows_page(response.content)
            with self._read() as conn:
                local = {
                    str(r[0]): r[1]
                    for r in conn.execute(
                        f"SELECT id, version FROM {_quote(table_name)} WHERE id IN ({','.join('?' * len(page_rows))})",
                        [row.hex for row in page_rows],
                    )
                } if page_rows else {}
            differing = [row for row in page_rows if local.get(row.hex) != row.version]
            seen.update(row.hex for row in page_rows)
            if differing:
                with self._write(foreign_keys=False) as conn:
                    self._apply_rows(conn, differing)
            if not has_more or next_after_id is None:
                break
            after = next_after_id
        with self._write() as conn:
            for (row_hex,) in conn.execute(
                f"SELECT id FROM {_quote(table_name)} WHERE server_seq IS NOT NULL"
            ).fetchall():
                if str(row_hex) not in seen:
                    conn.execute(
                        "INSERT INTO sync_outbox (table_name, row_id, op, columns, base_version, user_id, changed_at) "
                        "VALUES (?, ?, 'insert', NULL, NULL, NULL, ?)",
                        (table_name, row_hex, _now_storage()),
                    )
                    conn.execute(f"UPDATE {_quote(table_name)} SET server_seq = NULL WHERE id = ?", (row_hex,))


def busy_tables_left(db: Database) -> bool:
    """True while some outbox entry is still pending (the round could not verify every table)."""
    fairy = db.engine.raw_connection()
    try:
        conn = fairy.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        return conn.execute("SELECT 1 FROM sync_outbox WHERE state = 'pending' LIMIT 1").fetchone() is not None
    finally:
        fairy.close()


# --------------------------------------------------------------------------- helpers


def _decode_storage(table: Table, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Python values of a raw SQLite row, as the ORM would load them (for `encode_fields`)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in raw:
            continue
        value = raw[column.name]
        kind = _kind(column.type)
        if value is None:
            out[column.name] = None
        elif kind == "uuid":
            out[column.name] = uuid.UUID(hex=str(value))
        elif kind == "datetime":
            out[column.name] = dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
        elif kind == "date":
            out[column.name] = dt.date.fromisoformat(str(value))
        elif kind == "decimal":
            out[column.name] = (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
        elif kind == "bool":
            out[column.name] = bool(value)
        elif kind == "json":
            out[column.name] = json.loads(value) if isinstance(value, str) else value
        else:
            out[column.name] = value
    return out


def _nodelay_transport() -> httpx.HTTPTransport:
    """Kept-alive connections with TCP_NODELAY: a request's header and body writes go out at once."""
    import socket

    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


def _now_storage() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _json_bytes(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _error_of(response: httpx.Response) -> SyncError:
    """The SyncError of an HTTP error answer (the server's Arabic message when it gave one)."""
    try:
        body = response.json()
        message = str(body.get("message_ar") or "")
        code = str(body.get("error") or "")
    except (ValueError, AttributeError):
        message, code = "", ""
    status = response.status_code
    if status == 426:
        return SyncError(message or "إصدار البرنامج على هذا الجهاز أقدم مما يقبله الخادم: حدّث البرنامج ثم أعد المزامنة",
                         "upgrade", detail=code)
    if status in (401, 403):
        return SyncError(message or "رفض الخادم بيانات اعتماد هذا الجهاز: اطلب من مسؤول النظام رمز تسجيل جديدًا",
                         "refused", detail=code)
    if status in (400, 413, 422):
        return SyncError(message or "رفض الخادم البيانات المرسلة", "invalid", detail=f"{status} {code}")
    return SyncError(message or "تعذرت المزامنة: خطأ في خادم المزامنة", "server", detail=f"{status} {code}")
