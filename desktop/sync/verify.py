"""Verification: this desk's rows compared with the server's by bucket checksums, top-down, and only the
buckets that differ fetched again.

Every acknowledged row has a digest (`protocol.row_digest`: id, version and content in wire form,
bookkeeping aside) and a bucket (`protocol.bucket_of`: the last three hex digits of its id, 4,096 per
table). Both sides keep per (table, bucket) the count and digest sum of their rows, and per table the
root (bucket -1): the server in its writing transaction, this desk in ``sync_bucket`` as of the pull
cursor ``sync_state.verified_seq``. (After a first sync, a table of over `ADOPT_ROWS` rows takes the
server's sums at first; the rolling re-summing below checks them against the rows.)

A verification:

1. brings this desk's sums up to date: only the buckets of rows whose ``server_seq`` is past
   ``verified_seq`` are summed again (nothing when nothing moved); when due (`SUMMARY_INTERVAL`),
   ranges of buckets are summed again from their rows, about `CONTENT_BUDGET` rows at a time round
   the tables (``sync_state.content_cursor``: "<table>\t<first bucket>"), and every table when asked
   (``full``), so a row edited behind the app's back (in SQLite, without the outbox) changes a sum;
2. compares the roots with ``GET /v1/checksums`` (one small answer), skipping tables with pending
   changes; when they differ and the server's head is past this desk's cursor (other desks wrote since
   this round pulled), it pulls those rows first (they were coming anyway) and compares once more;
3. for a table whose root differs, descends 16 children at a time (``/v1/checksums?table=&prefix=``)
   to the buckets that differ, and reads only those buckets' rows (``/v1/rows?bucket=&upto=``; rows
   written since this desk's pull come without content, the next pull brings them): a row
   missing here, at another version or with other content is applied from the server (append-only
   rows keep their content: their tampering is for ``audit verify``); a row the server lacks is
   queued again. Those buckets are summed again from the rows.

A pulled row set aside in quarantine (`desktop.sync.quarantine`) counts in its bucket at the version
and content the server sent (its local copy, if any, does not): it makes no round resync its bucket.
When the server no longer has it (its administrator removed it, `mustafid-admin rows repair --remove`),
the bucket differs and its repair forgets the row set aside.

So a round with nothing changed reads one answer of a few hundred bytes; concurrent writers cost
the buckets they touched, never a whole table.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Container, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Table

from db.engine import Database, driver_connection
from desktop.sync.forms import now_storage, quote, storage_value
from desktop.sync.link import ServerLink
from desktop.sync.outcome import SyncError, SyncReport
from desktop.sync.protocol import (
    BUCKET_COUNT,
    BUCKET_DIGITS,
    ChecksumsResponse,
    bucket_of,
    digest_columns,
    digest_of,
    encode_value,
    row_digest,
    summary_hash,
)
from desktop.sync.pulled import PulledRow, parse_rows_page
from desktop.sync.storage import SyncStorage

__all__ = ["SUMMARY_INTERVAL", "Verifier", "busy_tables_left", "local_digest", "local_summary"]

#: How often an idle round still verifies, and sums whole tables again from their rows.
SUMMARY_INTERVAL = dt.timedelta(minutes=15)
#: Rows per ``/v1/rows`` page of a bucket's rows.
RESYNC_PAGE = 5000
#: Rows one verification sums again from scratch when due (bucket ranges, round the tables).
CONTENT_BUDGET = 20000
#: A table with more acknowledged rows than this is not summed from its rows at the first verification after
#: enrolment (a first sync): this desk takes the server's bucket sums for it (the rows were just applied as the
#: server sent them), and the rolling re-summing (`CONTENT_BUDGET` rows when due) checks them against the rows.
ADOPT_ROWS = 1000
_HEX = "0123456789abcdef"
#: A table's rows not set aside in quarantine (their quarantined copy is counted instead); one parameter, the table.
_NOT_SET_ASIDE = "id NOT IN (SELECT row_id FROM sync_quarantine WHERE table_name = ?)"


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


def local_digest(table: Table, raw: dict[str, Any]) -> int:
    """`row_digest` of a raw SQLite row of `table`: its storage forms encoded for the wire (already canonical)."""
    content: list[Any] = []
    for name, kind, column_type in digest_columns(table):
        value = raw.get(name)
        content.append(None if value is None else encode_value(column_type, storage_value(kind, value), kind=kind))
    return digest_of(str(raw["id"]), int(raw["version"] or 0), content)


def _rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """The rows of a query as dicts."""
    cursor = conn.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor]


class Verifier:
    """Compares one desk database with the server by bucket checksums and repairs the buckets that differ."""

    def __init__(self, link: ServerLink, storage: SyncStorage,
                 catch_up: Callable[[SyncReport], None] | None = None) -> None:
        self._link = link
        self._storage = storage
        self._catch_up = catch_up

    def due(self) -> bool:
        """True when the last verification is older than `SUMMARY_INTERVAL` (or there was none)."""
        with self._storage.read() as conn:
            last = self._storage.state(conn)["last_summary_at"]
        if last is None:
            return True
        moment = dt.datetime.fromisoformat(str(last)).replace(tzinfo=dt.UTC)
        return dt.datetime.now(dt.UTC) - moment >= SUMMARY_INTERVAL

    # ------------------------------------------------------------------ the round's verification

    def verify(self, report: SyncReport, *, full: bool = False) -> None:
        """Compare every table without pending changes; repair the buckets that differ (tables named in `report`).

        `full` sums every table again from its rows first (otherwise `CONTENT_BUDGET` rows of them when due).
        """
        storage = self._storage
        with storage.read() as conn:
            state = conn.execute("SELECT pull_after, verified_seq FROM sync_state WHERE id = 1").fetchone()
        first = state is None or state[1] is None  # just enrolled (a first sync): sums built, nothing re-summed
        rescan = full or (not first and self.due())
        busy, local, remote = self._roots(rescan=rescan, full=full)
        if self._catch_up is not None and any(
                local.get(name, (0, 0)) != ((s.count, s.total)) for name, s in remote.sums.items() if name not in busy):
            with storage.read() as conn:
                cursor = int(storage.state(conn)["pull_after"] or 0)
            if remote.head_seq > cursor:  # other desks wrote since this round pulled: pull those first, once
                self._catch_up(report)
                busy, local, remote = self._roots(rescan=False, full=False)
        for name in sorted(storage.tables):
            if name in busy:
                continue
            theirs = remote.sums.get(name)
            if local.get(name, (0, 0)) == ((theirs.count, theirs.total) if theirs else (0, 0)):
                continue
            if self._descend(name, "", report) and name not in report.resynced_tables:
                report.resynced_tables.append(name)
        report.verified = not busy_tables_left(storage.db)
        if rescan or first:  # `due` counts from the last time the sums were checked against the rows
            with storage.write() as conn:
                conn.execute("UPDATE sync_state SET last_summary_at = ? WHERE id = 1", (now_storage(),))

    def _roots(self, *, rescan: bool, full: bool) -> tuple[set[str], dict[str, tuple[int, int]], ChecksumsResponse]:
        """(tables with pending changes, this desk's roots, the server's roots), this desk's sums brought up to date."""
        storage = self._storage
        adopted = self._server_sums_to_adopt()
        with storage.read() as conn:
            state = conn.execute("SELECT pull_after, verified_seq FROM sync_state WHERE id = 1").fetchone()
        quiet = not rescan and state is not None and state[1] is not None and int(state[0] or 0) == int(state[1])
        if quiet:  # nothing moved: a few indexed reads here, not worth a helper thread beside the request
            remote = ChecksumsResponse.model_validate_json(self._link.request("GET", "/v1/checksums").content)
            busy, local = self._local_roots(adopted, quiet=True, rescan=False, full=False)
            return busy, local, remote
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-checksums") as executor:
            asked = executor.submit(self._link.request, "GET", "/v1/checksums")  # the server reads while we sum
            busy, local = self._local_roots(adopted, quiet=False, rescan=rescan, full=full)
            remote = ChecksumsResponse.model_validate_json(asked.result().content)
        return busy, local, remote

    def _local_roots(self, adopted: dict[str, dict[int, list[int]]], *, quiet: bool, rescan: bool,
                     full: bool) -> tuple[set[str], dict[str, tuple[int, int]]]:
        """(tables with pending changes, this desk's roots), its sums brought up to date first unless `quiet`."""
        storage = self._storage
        with storage.read() if quiet else storage.write() as conn:  # nothing moved: no write transaction
            if not quiet:
                self._bring_up_to_date(conn, adopted)
                if rescan:
                    self._rescan(conn, budget=None if full else CONTENT_BUDGET)
            busy = {r[0] for r in conn.execute("SELECT DISTINCT table_name FROM sync_outbox WHERE state = 'pending'")}
            names = sorted(storage.tables)  # by primary key, table by table: no scan of every bucket
            local = {str(t): (int(c), int(x)) for t, c, x in conn.execute(
                f"SELECT table_name, count, total FROM sync_bucket WHERE table_name IN ({','.join('?' * len(names))}) "
                "AND bucket = -1", names)}
        return busy, local

    # ------------------------------------------------------------------ this desk's sums

    def _server_sums_to_adopt(self) -> dict[str, dict[int, list[int]]]:
        """Before the first verification: the server's bucket sums of every table holding over `ADOPT_ROWS` rows."""
        with self._storage.read() as conn:
            found = conn.execute("SELECT verified_seq FROM sync_state WHERE id = 1").fetchone()
            if found is None or found[0] is not None:
                return {}
            big = [name for name in sorted(self._storage.tables) if self._exists(conn, name) and conn.execute(
                f"SELECT count(*) FROM {quote(name)} WHERE server_seq IS NOT NULL").fetchone()[0] > ADOPT_ROWS]
        adopted: dict[str, dict[int, list[int]]] = {}
        for name in big:
            answer = self._link.request("GET", "/v1/checksums", params={"table": name, "buckets": "all"})
            sums = ChecksumsResponse.model_validate_json(answer.content).sums
            adopted[name] = {int(key, 16): [value.count, value.total] for key, value in sums.items()}
        return adopted

    def _bring_up_to_date(self, conn: sqlite3.Connection, adopted: dict[str, dict[int, list[int]]]) -> None:
        """Sum again the buckets of rows acknowledged or pulled since ``verified_seq`` (all of them the first time,
        the `adopted` tables excepted: they take the server's sums)."""
        state = conn.execute("SELECT pull_after, verified_seq FROM sync_state WHERE id = 1").fetchone()
        if state is None:
            return
        pull_after, verified = int(state[0] or 0), state[1]
        if verified is None:
            conn.execute("DELETE FROM sync_bucket")
            for name in self._storage.tables:
                if name in adopted:
                    self._store_sums(conn, name, adopted[name], replace=None)
                else:
                    self._sum_table(conn, name)
        elif int(verified) != pull_after:
            for name in self._storage.tables:
                if not self._exists(conn, name):
                    continue
                moved = {bucket_of(str(r[0])) for r in conn.execute(
                    f"SELECT id FROM {quote(name)} WHERE server_seq > ? UNION ALL SELECT row_id FROM sync_quarantine "
                    "WHERE table_name = ? AND server_seq > ?", (int(verified), name, int(verified)))}
                if moved:
                    self._sum_buckets(conn, name, moved)
        conn.execute("UPDATE sync_state SET verified_seq = ? WHERE id = 1", (pull_after,))

    def _rescan(self, conn: sqlite3.Connection, *, budget: int | None) -> None:
        """Sum whole tables again from their rows, from the stored cursor on (every table when `budget` is None)."""
        names = sorted(self._storage.tables)
        if budget is None:
            conn.execute("DELETE FROM sync_bucket")
            for name in names:
                self._sum_table(conn, name)
            return
        found = conn.execute("SELECT content_cursor FROM sync_state WHERE id = 1").fetchone()
        cursor, _, start_text = str(found[0] or "").partition("\t") if found else ("", "", "")
        position = names.index(cursor) if cursor in names else 0
        start = int(start_text) if start_text.isdigit() and cursor in names else 0
        summed = 0
        for _ in range(2 * len(names)):
            if summed >= budget:
                break
            name = names[position]
            rows = conn.execute(f"SELECT count(*) FROM {quote(name)} WHERE server_seq IS NOT NULL").fetchone()[0] \
                if self._exists(conn, name) else 0
            if start == 0 and rows <= budget - summed:
                summed += max(1, self._sum_table(conn, name))
                end = BUCKET_COUNT
            else:  # a large table: the range of buckets holding about the budget left
                end = min(BUCKET_COUNT, start + max(16, BUCKET_COUNT * (budget - summed) // max(rows, 1)))
                summed += max(1, self._sum_range(conn, name, start, end))
            if end >= BUCKET_COUNT:
                position, start = (position + 1) % len(names), 0
            else:
                start = end
            conn.execute("UPDATE sync_state SET content_cursor = ? WHERE id = 1", (f"{names[position]}\t{start}",))

    def _exists(self, conn: sqlite3.Connection, name: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None

    def _sum_table(self, conn: sqlite3.Connection, name: str) -> int:
        """Every bucket of one table summed again from its acknowledged rows; the number of rows read."""
        conn.execute("DELETE FROM sync_bucket WHERE table_name = ?", (name,))
        if not self._exists(conn, name):
            return 0
        table = self._storage.tables[name]
        sums: dict[int, list[int]] = {}
        rows = _rows(conn, f"SELECT * FROM {quote(name)} WHERE server_seq IS NOT NULL AND {_NOT_SET_ASIDE}", (name,))
        for raw in rows:
            entry = sums.setdefault(bucket_of(str(raw["id"])), [0, 0])
            entry[0] += 1
            entry[1] += local_digest(table, raw)
        self._add_quarantined(conn, name, sums, None)
        self._store_sums(conn, name, sums, replace=None)
        return len(rows)

    def _sum_range(self, conn: sqlite3.Connection, name: str, start: int, end: int) -> int:
        """Buckets `start` … `end` - 1 of one table summed again from their rows; the number of rows read."""
        table = self._storage.tables[name]
        sums: dict[int, list[int]] = {b: [0, 0] for b in range(start, end)}
        first = 33 - BUCKET_DIGITS
        rows = _rows(conn, f"SELECT * FROM {quote(name)} WHERE server_seq IS NOT NULL AND substr(id, {first}) >= ? "
                           f"AND substr(id, {first}) < ? AND {_NOT_SET_ASIDE}",
                     (f"{start:0{BUCKET_DIGITS}x}", f"{end:0{BUCKET_DIGITS}x}" if end < BUCKET_COUNT else "g", name))
        for raw in rows:
            entry = sums[bucket_of(str(raw["id"]))]
            entry[0] += 1
            entry[1] += local_digest(table, raw)
        self._add_quarantined(conn, name, sums, range(start, end))
        self._store_sums(conn, name, sums, replace=set(range(start, end)))
        return len(rows)

    def _sum_buckets(self, conn: sqlite3.Connection, name: str, buckets: set[int]) -> None:
        """Some buckets of one table summed again from their rows (one pass over the table's ids)."""
        table = self._storage.tables[name]
        keys = sorted(f"{b:0{BUCKET_DIGITS}x}" for b in buckets)
        sums: dict[int, list[int]] = {b: [0, 0] for b in buckets}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for raw in _rows(conn, f"SELECT * FROM {quote(name)} WHERE server_seq IS NOT NULL AND "
                                   f"substr(id, {33 - BUCKET_DIGITS}) IN ({','.join('?' * len(chunk))}) "
                                   f"AND {_NOT_SET_ASIDE}", [*chunk, name]):
                entry = sums[bucket_of(str(raw["id"]))]
                entry[0] += 1
                entry[1] += local_digest(table, raw)
        self._add_quarantined(conn, name, sums, buckets)
        self._store_sums(conn, name, sums, replace=buckets)

    def _quarantined(self, conn: sqlite3.Connection, name: str,
                     buckets: Container[int] | None) -> dict[str, tuple[int, int, int]]:
        """The rows of one table set aside here (`desktop.sync.quarantine`), in `buckets` (None: all), by id:
        (bucket, version, digest) at the version and content the server sent."""
        table = self._storage.tables[name]
        found: dict[str, tuple[int, int, int]] = {}
        for row_hex, version, body in conn.execute(
                "SELECT row_id, version, row FROM sync_quarantine WHERE table_name = ?", (name,)):
            bucket = bucket_of(str(row_hex))
            if buckets is not None and bucket not in buckets:
                continue
            fields = json.loads(body).get("fields") or {}
            found[str(row_hex)] = (bucket, int(version), row_digest(table, str(row_hex), int(version), fields))
        return found

    def _add_quarantined(self, conn: sqlite3.Connection, name: str, sums: dict[int, list[int]],
                         buckets: Container[int] | None) -> None:
        """Count the rows set aside here in their buckets' sums at their quarantined version and content, as the
        server counts them: a row set aside does not make every round resync its bucket (it is the supervisor's
        to see, and the pull of a repair replaces it); one the server removes then differs, and is forgotten."""
        for bucket, _version, digest in self._quarantined(conn, name, buckets).values():
            entry = sums.setdefault(bucket, [0, 0])
            entry[0] += 1
            entry[1] += digest

    @staticmethod
    def _store_sums(conn: sqlite3.Connection, name: str, sums: dict[int, list[int]],
                    *, replace: set[int] | None) -> None:
        """Write bucket sums and the table's root (`replace`: the buckets these sums supersede; None: all)."""
        if replace is not None:
            keys = sorted(replace)
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                conn.execute(f"DELETE FROM sync_bucket WHERE table_name = ? AND bucket IN ({','.join('?' * len(chunk))})",
                             (name, *chunk))
        conn.executemany("INSERT INTO sync_bucket (table_name, bucket, count, total) VALUES (?, ?, ?, ?)",
                         [(name, b, c, x) for b, (c, x) in sums.items() if c])
        conn.execute("DELETE FROM sync_bucket WHERE table_name = ? AND bucket = -1", (name,))
        conn.execute("INSERT INTO sync_bucket (table_name, bucket, count, total) SELECT table_name, -1, "
                     "coalesce(sum(count), 0), coalesce(sum(total), 0) FROM sync_bucket "
                     "WHERE table_name = ? AND bucket >= 0 GROUP BY table_name", (name,))

    # ------------------------------------------------------------------ top-down comparison

    def _descend(self, name: str, prefix: str, report: SyncReport) -> bool:
        """Compare the 16 children of `prefix`; repair the buckets that differ. True when a row was repaired."""
        try:
            answer = self._link.request("GET", "/v1/checksums", params={"table": name, "prefix": prefix})
        except SyncError as exc:
            if exc.kind != "invalid":
                raise
            return False  # a table this server does not know (an older server): nothing to compare
        theirs = ChecksumsResponse.model_validate_json(answer.content).sums
        shift = 4 * (BUCKET_DIGITS - len(prefix) - 1)
        low = int(prefix, 16) << (shift + 4) if prefix else 0
        mine: dict[str, tuple[int, int]] = {}
        with self._storage.read() as conn:
            for bucket, count, total in conn.execute(
                "SELECT bucket, count, total FROM sync_bucket WHERE table_name = ? AND bucket >= ? AND bucket < ?",
                (name, low, low + (16 << shift)),
            ):
                key = prefix + _HEX[(int(bucket) >> shift) & 15]
                old = mine.get(key, (0, 0))
                mine[key] = (old[0] + int(count), old[1] + int(total))
        differing = sorted(key for key in set(mine) | set(theirs)
                           if mine.get(key, (0, 0)) != ((theirs[key].count, theirs[key].total) if key in theirs
                                                        else (0, 0)))
        if not differing:
            return False
        if len(prefix) + 1 == BUCKET_DIGITS:
            return self._repair_buckets(name, {int(key, 16) for key in differing}, report)
        repaired = False
        for key in differing:
            repaired = self._descend(name, key, report) or repaired
        return repaired

    def _repair_buckets(self, name: str, buckets: set[int], report: SyncReport) -> bool:
        """Read the server's rows of these buckets; apply what differs here, queue what it lacks, forget rows set
        aside that the server no longer has; sum them again."""
        storage = self._storage
        table = storage.tables[name]
        server_rows: list[PulledRow] = []
        with storage.read() as conn:
            cursor = int(storage.state(conn)["pull_after"] or 0)
        for bucket in sorted(buckets):
            after: str | None = None
            while True:
                params: dict[str, Any] = {"table": name, "bucket": bucket, "limit": RESYNC_PAGE, "upto": cursor}
                if after is not None:
                    params["after_id"] = after
                page_rows, next_after_id, has_more = parse_rows_page(
                    self._link.request("GET", "/v1/rows", params=params).content)
                server_rows.extend(page_rows)
                if not has_more or next_after_id is None:
                    break
                after = next_after_id
        keys = sorted(f"{b:0{BUCKET_DIGITS}x}" for b in buckets)
        repaired = False
        with storage.write(foreign_keys=False) as conn:
            local: dict[str, dict[str, Any]] = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                for raw in _rows(conn, f"SELECT * FROM {quote(name)} WHERE "
                                       f"substr(id, {33 - BUCKET_DIGITS}) IN ({','.join('?' * len(chunk))})", chunk):
                    local[str(raw["id"])] = raw
            set_aside = self._quarantined(conn, name, buckets)
            differing: list[PulledRow] = []
            edited = 0
            for row in server_rows:
                if row.server_seq > cursor:
                    continue  # written since this desk pulled: its next pull brings it
                kept = set_aside.get(row.hex)
                if kept is not None and kept[1:] == (row.version, row_digest(table, row.row_id, row.version,
                                                                              row.fields)):
                    continue  # set aside here as the server has it: the supervisor's (a repair comes by pull)
                mine = local.get(row.hex)
                if mine is None or mine.get("version") != row.version:
                    differing.append(row)  # missing here, or at another version
                    continue
                raw = mine
                if raw.get("server_seq") is None:
                    continue  # not acknowledged yet: the push handles it
                if local_digest(table, raw) != row_digest(table, row.row_id, row.version, row.fields):
                    differing.append(row)
                    edited += 1
            if differing:
                storage.apply_rows(conn, differing)
                repaired = True
            report.edited_rows += edited
            seen = {row.hex for row in server_rows}
            for row_hex, raw in local.items():
                if raw.get("server_seq") is not None and row_hex not in seen:
                    conn.execute(
                        "INSERT INTO sync_outbox (table_name, row_id, op, columns, base_version, user_id, changed_at) "
                        "VALUES (?, ?, 'insert', NULL, NULL, NULL, ?)",
                        (name, row_hex, now_storage()),
                    )
                    conn.execute(f"UPDATE {quote(name)} SET server_seq = NULL WHERE id = ?", (row_hex,))
                    repaired = True
            for row_hex in set_aside:
                if row_hex not in seen:  # removed on the server by its administrator: nothing left to store
                    conn.execute("DELETE FROM sync_quarantine WHERE table_name = ? AND row_id = ?", (name, row_hex))
                    conn.execute(f"UPDATE {quote(name)} SET server_seq = NULL WHERE id = ?", (row_hex,))
                    repaired = True
            self._sum_buckets(conn, name, buckets)
        return repaired
