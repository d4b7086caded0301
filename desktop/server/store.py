"""The sync server's storage and merge: enrolment, devices, push (three-way merge), pull, summary, attachments.

A push's transaction has two parts (issue 15: ten desks against two server processes waited on each other):

* Unordered, concurrent with other pushes of the association: the mutation ids already processed, the
  scope and account checks (these read in one statement, `_batch_reads`), the stored rows it touches read
  and locked (``SELECT … FOR UPDATE`` in key order: only a push touching the same rows waits, and then
  merges onto their committed result), validation, the three-way merge, conflicts, the new digests and
  bucket deltas. Numbers are taken relative (-1, -2, …) meanwhile.
* Ordered, under the association's counter row (``UPDATE server_association SET seq = seq + n …
  RETURNING``, locked to the commit): the numbers made absolute, then the rows written (one INSERT, one
  UPDATE), the bucket sums added (one upsert per bucket) and the results recorded, sent to PostgreSQL at
  once with the COMMIT behind them (its pipeline mode: one round trip under the lock). So ``server_seq``
  values still commit in order and a pull (whose head is the counter) never skips a row committed late;
  a push with nothing to write (duplicates, refusals) never takes the lock. Repairs and bulk loads lock
  the same row, so they exclude pushes' writes. A push that loses a race the row locks cannot prevent
  (a new row inserted by another push meanwhile, its own resend) is applied again from the start.

An erasure in a push (`desktop.server.erasure`) is applied to the rows it reaches in the unordered part; a new
append-only row of an already-erased case is erased before it is stored, and a changeable row of an erased case
(or person) the push wrote keeps the erased values (`_erase_late`); the erased cases' stored
files no live row holds are deleted from ``server_attachment`` with the writes (`_erased_scans`).

A row an administrator wrote into ``sync_row`` by hand (psql) without its digest is marked by server migration
0009's triggers; a verification's first ``/v1/checksums`` gives it its digest and sums its buckets again
(`heal_hand_written`), so the desks converge without a manual step.

On ten desks sharing two cores with the server and PostgreSQL a push's time is mostly waiting for a core at each
round trip, so a push makes few (issue 15): authentication is one statement outside a transaction (the rate
limits' takes inside it, `desktop.server.limits`), pooled connections are pinged only after sitting idle
(`_ping_when_idle`), and the push itself is BEGIN, one read, the locks, the counter, the writes with the commit.
The statements on this path are built once (module constants with expanding parameters), not per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn

from sqlalchemy import (
    Text,
    bindparam,
    case,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    literal,
    null,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError

from db.ids import uuid7
from db.erasure import ANONYMISED_COLUMNS, LATE_TABLES
from db.models import APPEND_ONLY_TABLES, CaseStatus, utc_now
from desktop.cases.states import TRANSITIONS
from desktop.server.erasure import (
    erased_fields,
    erasure_problem,
    erasure_rows,
    late_edits,
    late_erasures,
    without_history,
)
from desktop.server.limits import (
    AUTH_FAILURE,
    ENROLL,
    RateLimits,
    bucket_level,
    forget_full_statement,
    level_sql,
    rate_params,
    retry_after,
    take_statement,
)
from desktop.server.models import (
    author_restamp,
    device_sign_in,
    enrollment_code,
    processed_mutation,
    rate_bucket,
    server_association,
    server_attachment,
    server_device,
    sync_bucket,
    sync_row,
    sync_row_stale,
)
from desktop.server.sign_ins import proven_sign_ins, sign_in_actor
from desktop.server.validation import RowValidator, hlc_problem
from desktop.sync import protocol as p

__all__ = [
    "MIN_CLIENT_SCHEMA",
    "SERVER_SCHEMA",
    "DeviceContext",
    "DeviceInfo",
    "ServerError",
    "ServerStore",
    "add_to_buckets",
    "bulk_load_rows",
    "check_sha256",
    "rehash_all_rows",
    "device_label",
    "normalize_db_url",
    "too_many_requests",
]

#: The server's own Alembic head.
SERVER_SCHEMA = "0009"
#: The oldest desk schema (db Alembic revision) this server accepts. Still "0007" after the desk's
#: 0008 (device names on conflict records): a 0007 desk ignores pulled columns it lacks and never
#: sends them, so branches may update their PCs one by one after the server.
MIN_CLIENT_SCHEMA = "0007"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_HLC = re.compile(r"^\d{15}-\d{6}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PREFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_CONFLICT_FIELDS = [c.name for c in p.SYNC_CONFLICT_TABLE.columns]
#: Uploads read into memory for their INSERT at the same time (the others wait, spooled on disk): the
#: server holds about two copies of its largest upload however many arrive at once.
UPLOAD_WRITERS = 1
#: After storing an upload this large on PostgreSQL its pooled connection is closed rather than kept.
LARGE_UPLOAD_BYTES = 4 * 1024 * 1024


def check_sha256(value: str) -> None:
    """422 unless `value` is 64 lowercase hex digits."""
    if not _SHA256.match(value):
        raise ServerError(422, "invalid_sha256", "بصمة SHA-256 غير صحيحة: 64 حرفًا ست عشريًا صغيرًا")


class _BytesSource(io.BytesIO):
    """Bytes already in memory, read like a spooled upload."""


class ServerError(Exception):
    """A refused request: HTTP status, stable error code, one Arabic sentence and extra headers (``Retry-After``)."""

    def __init__(self, status: int, error: str, message_ar: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {error}: {message_ar}")
        self.status = status
        self.error = error
        self.message_ar = message_ar
        self.headers = dict(headers or {})


#: A pooled PostgreSQL connection idle longer than this (seconds) is pinged before use (`_ping_when_idle`).
_PING_AFTER_IDLE = 5.0


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection at checkout only when it sat unused longer than `idle_seconds` (a database restarted
    overnight is noticed before a request uses it) instead of before every use (``pool_pre_ping``: a round trip
    on every request). A connection that dies in use raises its error once and SQLAlchemy empties the pool."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the pooled connection did not answer its ping") from exc


def too_many_requests(seconds: int) -> ServerError:
    """The 429 of a rate limit (`desktop.server.limits`), with ``Retry-After``."""
    return ServerError(429, "too_many_requests", f"طلبات كثيرة في وقت قصير؛ أعد المحاولة بعد {seconds} ثانية",
                       headers={"Retry-After": str(seconds)})


#: How often (seconds) a process forgets the rate buckets that are full again.
_FORGET_EVERY = 60.0

#: The device behind a token, the client address's failures and the device's request taken, in one statement
#: (PostgreSQL; see `desktop.server.limits`): the token is taken only from a device not revoked, for an address
#: its failures do not hold back.
_AUTHENTICATE_PG = (
    "WITH dev AS (SELECT d.id, d.revoked_at, d.token_hash, d.prev_token_hash, d.token_issued_at, d.last_seen_at,"
    " d.enrolled_at, a.pk AS association_pk, a.association_id, a.seq AS association_seq"
    " FROM server_device d JOIN server_association a ON a.pk = d.association_pk"
    " WHERE d.token_hash = :presented OR d.prev_token_hash = :presented),"
    " held AS (SELECT tokens, at FROM rate_bucket WHERE kind = 'auth_failure' AND key = :client),"
    " took AS (" + take_statement(
        "device", "SELECT 'device', CAST(dev.id AS TEXT), :device_burst - 1, :now, true FROM dev"
        " WHERE dev.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM held h WHERE "
        + level_sql("failure", "h") + " < 1)") + ")"
    " SELECT dev.*, held.tokens AS held_tokens, held.at AS held_at, took.tokens AS device_tokens,"
    " took.granted AS device_granted"
    " FROM (SELECT 1 AS one) AS one LEFT JOIN dev ON true LEFT JOIN held ON true LEFT JOIN took ON true")
#: The same without the take (SQLite, the one-process trial: the take follows as its own statement).
_AUTHENTICATE_SQLITE = (
    "SELECT dev.*, held.tokens AS held_tokens, held.at AS held_at"
    " FROM (SELECT 1 AS one) AS one LEFT JOIN (SELECT d.id, d.revoked_at, d.token_hash, d.prev_token_hash,"
    " d.token_issued_at, d.last_seen_at, d.enrolled_at, a.pk AS association_pk, a.association_id,"
    " a.seq AS association_seq"
    " FROM server_device d JOIN server_association a ON a.pk = d.association_pk"
    " WHERE d.token_hash = :presented OR d.prev_token_hash = :presented) AS dev ON 1"
    " LEFT JOIN (SELECT tokens, at FROM rate_bucket WHERE kind = 'auth_failure' AND key = :client) AS held ON 1")


def _auth_columns(statement: str) -> Any:
    """`statement` as text with the result types of its device columns (uuid and aware timestamps)."""
    return text(statement).columns(id=server_device.c.id.type, revoked_at=server_device.c.revoked_at.type,
                                   token_issued_at=server_device.c.token_issued_at.type,
                                   last_seen_at=server_device.c.last_seen_at.type,
                                   enrolled_at=server_device.c.enrolled_at.type,
                                   association_id=server_association.c.association_id.type)


_AUTHENTICATE = {"postgresql": _auth_columns(_AUTHENTICATE_PG), "sqlite": _auth_columns(_AUTHENTICATE_SQLITE)}


#: The association's head, whether a row of it was written to ``sync_row`` by hand (server migration 0009), and
#: its tables' roots (bucket -1), in one statement: `ServerStore.checksums` without a table.
_ROOTS = (
    select(server_association.c.seq,
           select(sync_row_stale.c.row_id).where(
               sync_row_stale.c.association_id == server_association.c.association_id).exists().label("hand_written"),
           sync_bucket.c.table_name, sync_bucket.c.count, sync_bucket.c.total)
    .select_from(server_association.outerjoin(sync_bucket, (
        sync_bucket.c.association_id == server_association.c.association_id) & (sync_bucket.c.bucket == -1)))
    .where(server_association.c.pk == bindparam("pk")))


def _batch_read_statements() -> tuple[Any, Any]:
    """The statements of `ServerStore._batch_reads`, made once (a statement built per push cost more CPU than
    running it): the union of the device's mutations already pushed, the erasure probe and the stored rows of
    the first thousand keys; the stored rows of the next thousand. Parameters: device_id, mutation_ids,
    association_id, account, keys (expanding)."""
    is_account = (sync_row.c.table_name == "app_user") & (sync_row.c.row_id == bindparam("account"))
    stored = select(literal("row").label("kind"), sync_row.c.table_name, sync_row.c.row_id, sync_row.c.association_id,
                    sync_row.c.deleted, case((is_account, sync_row.c.fields), else_=null()).label("fields")).where(
        tuple_(sync_row.c.table_name, sync_row.c.row_id).in_(bindparam("keys", expanding=True)))
    pushed = select(literal("done").label("kind"), cast(null(), sync_row.c.table_name.type).label("table_name"),
                    processed_mutation.c.mutation_id.label("row_id"),
                    cast(null(), sync_row.c.association_id.type).label("association_id"),
                    cast(null(), sync_row.c.deleted.type).label("deleted"), processed_mutation.c.result.label("fields")
                    ).where(processed_mutation.c.device_id == bindparam("device_id"),
                            processed_mutation.c.mutation_id.in_(bindparam("mutation_ids", expanding=True)))
    erasure = select(literal("erasure").label("kind"), *[cast(null(), c.type).label(c.name) for c in (
        sync_row.c.table_name, sync_row.c.row_id, sync_row.c.association_id, sync_row.c.deleted, sync_row.c.fields)]
                     ).where(select(sync_row.c.row_id).where(
                         sync_row.c.association_id == bindparam("association_id"), sync_row.c.table_name == "erasure",
                         sync_row.c.deleted.is_(False)).exists())
    return union_all(pushed, erasure, stored), stored


_BATCH_READS, _STORED_ROWS = _batch_read_statements()
#: The stored rows of a push, locked in key order (`ServerStore._lock_rows`); parameters association_id, keys.
_LOCK_ROWS = select(sync_row).where(
    sync_row.c.association_id == bindparam("association_id"),
    tuple_(sync_row.c.table_name, sync_row.c.row_id).in_(bindparam("keys", expanding=True)),
).order_by(sync_row.c.table_name, sync_row.c.row_id).with_for_update()


@dataclass(frozen=True)
class DeviceContext:
    """The authenticated device of a request and its association; `new_token` when this request rotated it."""

    device_id: uuid.UUID
    association_pk: int
    association_id: uuid.UUID
    new_token: str | None = None
    #: The association's head (``server_association.seq``) as the authentication read it: a pull from there has
    #: nothing to bring (`ServerStore.pull` answers it without another statement).
    head_seq: int | None = None


#: A device token is replaced by a new one (sent back in `protocol.HEADER_TOKEN`) once it is this old.
TOKEN_ROTATE_AFTER = dt.timedelta(hours=1)
#: A device token unused for this long no longer opens the server: the desk must be enrolled again.
TOKEN_IDLE_EXPIRY = dt.timedelta(days=30)
#: `last_seen_at` is written at most this often per device (not on every request).
_SEEN_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class DeviceInfo:
    """One enrolled device as the administrator lists it."""

    device_id: uuid.UUID
    association_name: str
    name: str
    branch: str | None
    case_number_prefix: str
    enrolled_at: dt.datetime
    revoked_at: dt.datetime | None
    last_seen_at: dt.datetime | None


def normalize_db_url(url: str) -> str:
    """A SQLAlchemy URL: ``postgresql://`` gets the psycopg 3 driver; a bare path becomes SQLite."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _hlc_time(hlc: str | None) -> str | None:
    """The wall time an HLC carries, wire-encoded (the desk's clock when the change was made)."""
    if not hlc:
        return None
    millis, _ = p.parse_hlc(hlc)
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).isoformat()


def device_label(name: str, branch: str | None) -> str:
    """How a supervisor recognises a PC: its enrolled name, and its branch in parentheses when it has one."""
    label = name.strip()
    if branch and branch.strip():
        label = f"{label} ({branch.strip()})"
    if len(label) > p.DEVICE_LABEL_MAX:
        label = label[:p.DEVICE_LABEL_MAX - 1] + "…"
    return label


class _DeviceLabels:
    """The labels of one association's devices, read once per push and only when a conflict needs them."""

    def __init__(self, conn: Connection, association_pk: int) -> None:
        self._conn = conn
        self._association_pk = association_pk
        self._labels: dict[str, str] | None = None

    def of(self, device_id: Any) -> str | None:
        """The label of a device id (uuid or its text); None when unknown or absent."""
        if device_id is None:
            return None
        if self._labels is None:
            rows = self._conn.execute(
                select(server_device.c.id, server_device.c.name, server_device.c.branch)
                .where(server_device.c.association_pk == self._association_pk)
            ).all()
            self._labels = {str(row.id): device_label(row.name, row.branch) for row in rows}
        try:
            return self._labels.get(str(uuid.UUID(str(device_id))))
        except ValueError:
            return None


def _pair(hlc: str | None, device: Any) -> tuple[str, str]:
    return (hlc or "", str(device or ""))


def _transition_allowed(current: Any, target: Any) -> bool:
    """True when the case state machine allows current → target (or nothing is known yet)."""
    if current is None or current == target:
        return True
    try:
        return CaseStatus(target) in TRANSITIONS[CaseStatus(current)]
    except ValueError:
        return False


@dataclass
class _Row:
    """A sync_row held in memory during one push."""

    table: str
    row_id: uuid.UUID
    version: int
    server_seq: int
    deleted: bool
    fields: dict[str, Any]
    meta: dict[str, Any]
    new: bool
    dirty: bool = False
    digest: int = 0
    #: The digest after this push's changes (set with the bucket deltas, before the writes).
    new_digest: int = 0


#: How many times a push that lost a race (`_lost_race`) is applied again from the start before its error stands.
_PUSH_ATTEMPTS = 4
#: SQLSTATEs of a race between two pushes: unique violation, deadlock, serialization failure.
_RACE_STATES = frozenset({"23505", "40P01", "40001"})


def _lost_race(error: Exception) -> bool:
    """True when a push failed only because another push wrote the same key first (or they deadlocked): the
    driver's error wrapped by SQLAlchemy, or raised as it is at the end of a pipeline."""
    if isinstance(error, IntegrityError) and not isinstance(getattr(error.orig, "sqlstate", None), str):
        return True  # SQLite names no SQLSTATE
    state = getattr(error.orig if isinstance(error, DBAPIError) else error, "sqlstate", None)
    return state in _RACE_STATES


def _absolute_seq(seq: int, base: int) -> int:
    """A push's relative number (-k, see `ServerStore._next_seq`) as the association's (`base` + k)."""
    return base - seq if seq < 0 else seq


def _owner_only_sqlite_file(path: Path) -> None:
    """Create the trial SQLite file (and its folder) readable by the server's account only (0600, folder 0700).

    It holds every association's personal data; SQLite gives its -wal and -shm files the same mode.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    if os.name == "posix":
        os.chmod(path, 0o600)
        for suffix in ("-wal", "-shm"):
            sidecar = Path(f"{path}{suffix}")
            if sidecar.exists():
                os.chmod(sidecar, 0o600)


class ServerStore:
    """The server database: open it with a URL, `upgrade` it, then serve the protocol's operations."""

    def __init__(self, db_url: str, *, min_client_schema: str = MIN_CLIENT_SCHEMA,
                 token_rotate_after: dt.timedelta = TOKEN_ROTATE_AFTER,
                 token_idle_expiry: dt.timedelta = TOKEN_IDLE_EXPIRY, limits: RateLimits | None = None) -> None:
        """`limits` are the rate limits (`RateLimits()` by default), counted in the database for every process."""
        self.url = normalize_db_url(db_url)
        self.min_client_schema = min_client_schema
        self.limits = limits or RateLimits()
        self._forgotten_at = 0.0
        self.token_rotate_after = token_rotate_after
        self.token_idle_expiry = token_idle_expiry
        url = make_url(self.url)
        self.is_sqlite = url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            from db.engine import begin_sqlite_transaction, configure_sqlite_connection

            if url.database and url.database != ":memory:":
                _owner_only_sqlite_file(Path(url.database))
            self.engine: Engine = create_engine(self.url, hide_parameters=True)
            event.listen(self.engine, "connect", configure_sqlite_connection)
            event.listen(self.engine, "begin", begin_sqlite_transaction)
        else:
            self.engine = create_engine(self.url, pool_size=10, max_overflow=10, hide_parameters=True)
            _ping_when_idle(self.engine, _PING_AFTER_IDLE)
        #: Single statements outside any transaction (no BEGIN and COMMIT round trips) on PostgreSQL.
        self._autocommit = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._tables = p.synced_tables()
        self._validator = RowValidator(self._tables)
        self._upload_writers = threading.BoundedSemaphore(UPLOAD_WRITERS)

    # ------------------------------------------------------------------ set-up

    def upgrade(self) -> None:
        """Bring the server schema to `SERVER_SCHEMA` (its own Alembic migrations)."""
        from alembic import command
        from alembic.config import Config

        with self.engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def _statement(self) -> Iterator[Connection]:
        """A connection for statements that each stand alone: autocommit on PostgreSQL, a transaction on SQLite."""
        if self.is_sqlite:
            with self.engine.begin() as conn:
                yield conn
        else:
            with self._autocommit.connect() as conn:
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_begin="BEGIN")
            with conn.begin():
                yield conn

    # ------------------------------------------------------------------ administration

    def create_enrollment_code(self, association_name: str, branch: str | None = None,
                               expires_hours: float = 72) -> str:
        """A new one-time enrolment code for the association (created, unbound, if new)."""
        name = association_name.strip()
        if not name:
            raise ServerError(422, "invalid_association", "اسم الجمعية مطلوب")
        if expires_hours <= 0:
            raise ServerError(422, "invalid_expiry", "مدة صلاحية الرمز يجب أن تكون أكبر من صفر")
        now = utc_now()
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"
        with self.engine.begin() as conn:
            pk = conn.execute(select(server_association.c.pk).where(server_association.c.name == name)).scalar()
            if pk is None:
                pk = conn.execute(
                    insert(server_association).values(name=name, seq=0, created_at=now)
                    .returning(server_association.c.pk)
                ).scalar_one()
            conn.execute(insert(enrollment_code).values(
                code_hash=_sha(_normalize_code(code)), association_pk=pk, branch=branch, created_at=now,
                expires_at=now + dt.timedelta(hours=expires_hours),
            ))
        return code

    def list_devices(self) -> list[DeviceInfo]:
        """Every enrolled device, oldest first."""
        d, a = server_device, server_association
        with self._read() as conn:
            rows = conn.execute(
                select(d.c.id, a.c.name, d.c.name, d.c.branch, d.c.case_number_prefix, d.c.enrolled_at,
                       d.c.revoked_at, d.c.last_seen_at)
                .join(a, a.c.pk == d.c.association_pk).order_by(d.c.enrolled_at)
            ).all()
        return [DeviceInfo(*row) for row in rows]

    def revoke_device(self, device_id: uuid.UUID) -> None:
        """Revoke a device's credential: every later request of it is refused (403)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(server_device).where(server_device.c.id == device_id, server_device.c.revoked_at.is_(None))
                .values(revoked_at=utc_now())
            )
            if done.rowcount == 0:
                exists = conn.execute(select(server_device.c.id).where(server_device.c.id == device_id)).scalar()
                if exists is None:
                    raise ServerError(404, "unknown_device", "لا يوجد جهاز بهذا المعرّف")

    # ------------------------------------------------------------------ enrolment and auth

    def enroll(self, request: p.EnrollRequest) -> p.EnrollResponse:
        """Exchange a one-time code for a device credential (binding the association on first use)."""
        now = utc_now()
        code_hash = _sha(_normalize_code(request.code))
        with self.engine.begin() as conn:
            code = conn.execute(
                select(enrollment_code).where(enrollment_code.c.code_hash == code_hash).with_for_update()
            ).mappings().first()
            if code is None:
                raise ServerError(401, "invalid_code", "رمز التسجيل غير صحيح")
            if code["used_at"] is not None:
                raise ServerError(401, "code_used", "استُخدم رمز التسجيل هذا من قبل؛ اطلب رمزًا جديدًا من مسؤول النظام")
            if code["expires_at"] <= now:
                raise ServerError(401, "code_expired", "انتهت صلاحية رمز التسجيل؛ اطلب رمزًا جديدًا من مسؤول النظام")
            assoc = conn.execute(
                select(server_association).where(server_association.c.pk == code["association_pk"]).with_for_update()
            ).mappings().one()
            association_id = assoc["association_id"]
            if association_id is None:
                association_id = request.association_id or uuid7()
                taken = conn.execute(
                    select(server_association.c.pk).where(server_association.c.association_id == association_id)
                ).scalar()
                if taken is not None:
                    raise ServerError(403, "association_taken",
                                      "بيانات هذا الجهاز تخص جمعية أخرى مسجلة على الخادم")
                conn.execute(update(server_association).where(server_association.c.pk == assoc["pk"])
                             .values(association_id=association_id, bound_at=now))
            token = secrets.token_urlsafe(32)
            device_id = uuid7()
            prefix = self._free_prefix(conn)
            conn.execute(insert(server_device).values(
                id=device_id, association_pk=assoc["pk"], name=request.device_name,
                branch=request.branch or code["branch"], token_hash=_sha(token), case_number_prefix=prefix,
                enrolled_at=now, token_issued_at=now, last_seen_at=now,
            ))
            conn.execute(update(enrollment_code).where(enrollment_code.c.code_hash == code_hash)
                         .values(used_at=now, device_id=device_id))
        return p.EnrollResponse(device_id=device_id, token=token, association_id=association_id,
                                association_name=assoc["name"], case_number_prefix=prefix)

    @staticmethod
    def _free_prefix(conn: Connection) -> str:
        for _ in range(100):
            prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(4))
            used = conn.execute(select(server_device.c.id).where(server_device.c.case_number_prefix == prefix)).first()
            if used is None:
                return prefix
        raise ServerError(500, "no_prefix", "تعذر تخصيص بادئة أرقام الحالات لهذا الجهاز")

    def authenticate(self, token: str | None, client: str = "-") -> DeviceContext:
        """The device a bearer token belongs to (401 unknown or expired, 403 revoked), rotating the token when due;
        429 while the `client` address's failures or the device's requests are over their limit.

        One statement on PostgreSQL, outside any transaction: the device, the address's failure bucket and the
        device's request taken (`desktop.server.limits`). A 401 counts a failure for the address.

        Rotation: once the current token is `token_rotate_after` old, a request with it gets a new one (in
        `DeviceContext.new_token`, sent back in a header); the old one stays accepted only until the new one is
        first used, so an answer lost on the way does not lock the desk out, and a copied old token stops
        working as soon as the desk moves on. Every step is a conditional UPDATE: several server processes
        authenticating the same device at once rotate it at most once. A token unused for
        `token_idle_expiry` is refused (401 ``token_expired``): the desk is enrolled again.
        """
        if not token:
            self._refuse_guess(client, ServerError(401, "unauthenticated",
                                                   "الطلب بلا بيانات اعتماد الجهاز؛ سجّل الجهاز أولًا"))
        d = server_device
        presented = _sha(token or "")
        clock = time.time()
        params = {"presented": presented, "client": client, "now": clock,
                  **rate_params("failure", self.limits.auth_failure), **rate_params("device", self.limits.device)}
        if self.is_sqlite:
            with self.engine.begin() as conn:
                row = conn.execute(_AUTHENTICATE["sqlite"], params).one()
                granted, tokens = True, 0.0
                blocked = bucket_level(row.held_tokens, row.held_at, self.limits.auth_failure, clock) < 1
                if row.id is not None and row.revoked_at is None and not blocked:
                    tokens, granted = conn.execute(text(take_statement(
                        "device", "VALUES ('device', :key, :device_burst - 1, :now, 1)")),
                        {**params, "key": str(row.id)}).one()
        else:
            with self._autocommit.connect() as conn:
                row = conn.execute(_AUTHENTICATE["postgresql"], params).one()
            granted, tokens = bool(row.device_granted), float(row.device_tokens or 0.0)
        level = bucket_level(row.held_tokens, row.held_at, self.limits.auth_failure, clock)
        if level < 1:
            raise too_many_requests(retry_after(level, self.limits.auth_failure))
        if row.id is None:
            self._refuse_guess(client, ServerError(401, "invalid_token",
                                                   "بيانات اعتماد الجهاز غير صحيحة؛ أعد تسجيل الجهاز"))
        if row.revoked_at is not None:
            raise ServerError(403, "device_revoked", "أُلغي تسجيل هذا الجهاز لدى الخادم؛ راجع مسؤول النظام")
        now = utc_now()
        last_used = row.last_seen_at or row.token_issued_at or row.enrolled_at
        if now - last_used > self.token_idle_expiry:
            self._refuse_guess(client, ServerError(
                401, "token_expired", "انتهت صلاحية بيانات اعتماد هذا الجهاز لعدم استخدامها مدة طويلة؛ "
                                      "اطلب من مسؤول النظام رمز تسجيل جديدًا وسجّل الجهاز مرة أخرى"))
        if not granted:
            raise too_many_requests(retry_after(tokens, self.limits.device))
        issued = row.token_issued_at or row.enrolled_at
        current = row.token_hash == presented
        new_token: str | None = None
        values: dict[str, Any] = {}
        if now - issued >= self.token_rotate_after:
            new_token = secrets.token_urlsafe(32)
            values = {"token_hash": _sha(new_token), "token_issued_at": now,
                      "prev_token_hash": presented if current else d.c.prev_token_hash}
        elif current and row.prev_token_hash is not None:
            values = {"prev_token_hash": None}  # the desk uses the new token: the old one is done with
        if now - last_used >= _SEEN_EVERY:
            values["last_seen_at"] = now
        if values:
            with self.engine.begin() as conn:
                done = conn.execute(update(d).where(d.c.id == row.id, d.c.token_hash == row.token_hash,
                                                    d.c.revoked_at.is_(None)).values(**values))
            if done.rowcount != 1:
                new_token = None  # another request rotated it meanwhile: this one keeps its token
        return DeviceContext(device_id=row.id, association_pk=row.association_pk, association_id=row.association_id,
                             new_token=new_token,
                             head_seq=None if row.association_seq is None else int(row.association_seq))

    def admit_enrolment(self, client: str) -> None:
        """429 unless the `client` address may try an enrolment now: its enrolment bucket gives a token and its
        failures do not hold it back."""
        wait = self._take(ENROLL, client) or self.rate_wait(AUTH_FAILURE, client)
        if wait:
            raise too_many_requests(wait)

    def rate_wait(self, kind: str, key: str) -> int:
        """Seconds until the bucket (`kind`, `key`) has a token again; 0 when it has one (nothing taken)."""
        rate = self.limits.of(kind)
        with self._statement() as conn:
            found = conn.execute(select(rate_bucket.c.tokens, rate_bucket.c.at).where(
                rate_bucket.c.kind == kind, rate_bucket.c.key == key)).first()
        level = bucket_level(found.tokens if found else None, found.at if found else None, rate, time.time())
        return 0 if level >= 1 else retry_after(level, rate)

    def count_failure(self, client: str) -> None:
        """Count a failed attempt (a wrong enrolment code or device token) of the `client` address."""
        self._take(AUTH_FAILURE, client)

    def _refuse_guess(self, client: str, error: ServerError) -> NoReturn:
        """Count the failure of `client` and raise `error` (a 401)."""
        self.count_failure(client)
        raise error

    def _take(self, kind: str, key: str) -> int:
        """Take a token from the bucket (`kind`, `key`): 0 when granted, else the seconds to wait (one statement;
        the buckets full again are forgotten at most every `_FORGET_EVERY` seconds of this process)."""
        rate = self.limits.of(kind)
        clock = time.time()
        params = {"kind": kind, "key": key, "now": clock, **rate_params("take", rate)}
        kinds = (ENROLL, AUTH_FAILURE)
        with self._statement() as conn:
            tokens, granted = conn.execute(text(take_statement(
                "take", "VALUES (:kind, :key, :take_burst - 1, :now, true)")), params).one()
            if clock - self._forgotten_at > _FORGET_EVERY:
                self._forgotten_at = clock
                conn.execute(text(forget_full_statement(kinds)), {
                    "now": clock, **{k: v for kind_ in kinds for k, v in rate_params(kind_, self.limits.of(kind_)).items()}})
        return 0 if granted else retry_after(float(tokens), rate)

    def check_client_schema(self, schema: str | None) -> None:
        """Refuse (426) a desk whose schema revision is missing or older than the minimum."""
        try:
            too_old = schema is None or int(schema) < int(self.min_client_schema)
        except ValueError:
            too_old = True
        if too_old:
            raise ServerError(426, "client_too_old",
                              "حدّث البرنامج على هذا الجهاز: نسخته أقدم مما يقبله الخادم، ولن تُزامَن بياناته قبل التحديث")

    # ------------------------------------------------------------------ push

    def push(self, ctx: DeviceContext, request: p.PushRequest, *, schema: str | None = None) -> p.PushResponse:
        """Apply a batch in one transaction; per-mutation results; resent mutations answer "duplicate".

        The batch's pusher is the signed-in account it names (`_check_account`). Each mutation keeps its own
        author (`Mutation.user_id`; an audit event's `actor_id`) when that is the pusher, or an active account of
        the association that signed in on this device (`_judge_authors`; a pushed sign-in event is proof only as
        `desktop.server.sign_ins` says); any other claimed author is re-stamped to the pusher and the re-stamp
        recorded in `author_restamp`.
        A batch that lost a race its locks could not prevent (the same new row inserted by another push, its
        own mutation ids recorded meanwhile by a resend, a deadlock) is applied again from the start: the
        second attempt sees the other push's rows and answers as if it had come after it.
        """
        if len(request.mutations) > p.MAX_BATCH_MUTATIONS:
            raise ServerError(413, "batch_too_large",
                              f"الدفعة أكبر من المسموح ({p.MAX_BATCH_MUTATIONS} تغيير في الدفعة الواحدة)")
        ids = [m.mutation_id for m in request.mutations]
        if len(set(ids)) != len(ids):
            raise ServerError(422, "duplicate_mutation_id", "تكرر معرّف تغيير داخل الدفعة نفسها")
        prepared = [self._prepare(ctx, m) for m in request.mutations]  # 422 before anything is touched
        for attempt in range(1, _PUSH_ATTEMPTS + 1):
            try:
                return self._push_once(ctx, request, [(m, dict(fields), error) for m, fields, error in prepared],
                                       schema)
            except Exception as exc:
                if attempt == _PUSH_ATTEMPTS or not _lost_race(exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _push_once(self, ctx: DeviceContext, request: p.PushRequest,
                   prepared: Sequence[tuple[p.Mutation, dict[str, Any], str | None]],
                   schema: str | None) -> p.PushResponse:
        """One attempt of `push` (see the module docstring for what runs before and under the association's lock)."""
        now = utc_now()
        with self.engine.begin() as conn:
            done, stored, account_row, erasure_held = self._batch_reads(conn, ctx, request, prepared)
            live = [item for item in prepared if item[0].mutation_id not in done]
            self._check_scope(ctx, live, stored)
            account = self._check_account(ctx, request.account_id, account_row, prepared, schema)
            proven, unproven = self._sign_in_proof(conn, ctx, account, live) if account is not None else (set(), set())
            refused = self._judge_authors(conn, ctx, account, live, proven, unproven) if account is not None else {}
            restamps: list[dict[str, Any]] = []
            sign_ins: dict[uuid.UUID, None] = {}
            keys = sorted({(m.table, m.row_id) for m, fields, err in live if err is None})
            rows = self._lock_rows(conn, ctx, keys)
            referenced = {key for key, association_id in stored.items() if association_id == ctx.association_id}

            def present(table: str, row_id: uuid.UUID) -> bool:
                return (table, row_id) in referenced or (table, row_id) in rows

            counter = [0]  # numbers taken so far, relative: the association's are taken under its lock, below
            labels = _DeviceLabels(conn, ctx.association_pk)
            answered: dict[uuid.UUID, p.MutationResult] = {}
            for m, _fields, _error in prepared:
                if m.mutation_id in done:
                    original = p.MutationResult.model_validate(done[m.mutation_id])
                    answered[m.mutation_id] = original.model_copy(update={
                        "status": "duplicate", "original_status": original.status})
            erased_cases: set[uuid.UUID] = set()
            arrivals: list[_Row] = []  # new append-only rows that an erasure already held may reach
            for m, fields, error in self._in_reference_order(live, present):
                erasing = False
                if error is None:
                    new = (m.table, m.row_id) not in rows
                    if new:
                        self._validator.fill_defaults(m.table, fields)
                    error = self._validator.problem(m.table, fields, new=new, present=present)
                    if error is None and new and m.table == "erasure":
                        error = erasure_problem(lambda t, i: self._current(conn, ctx, rows, t, i), fields, now)
                        erasing = error is None
                if error is not None:
                    answered[m.mutation_id] = p.MutationResult(mutation_id=m.mutation_id, status="rejected",
                                                               message_ar=error)
                    continue
                author = account
                if account is not None:
                    claimed = _claimed_author(m, fields)
                    kept = claimed is not None and (claimed == account or claimed not in refused)
                    author = claimed if kept and claimed is not None else account
                    if claimed is not None and not kept:
                        restamps.append({
                            "association_id": ctx.association_id, "device_id": ctx.device_id,
                            "mutation_id": m.mutation_id, "table_name": m.table, "row_id": m.row_id,
                            "claimed_id": claimed, "stamped_id": account, "reason": refused[claimed],
                            "at": now})
                    self._restamp(m, fields, author, now)
                    signed_in = _sign_in_of(m, fields)
                    if signed_in is not None and signed_in in proven:
                        sign_ins[signed_in] = None
                answered[m.mutation_id] = self._apply(ctx, m, fields, rows, counter, now, labels, account=author)
                if erasing:
                    self._erase(conn, ctx, rows, m.row_id, fields)
                    erased_cases.add(uuid.UUID(str(fields["case_id"])))
                elif m.table in LATE_TABLES and (m.table, m.row_id) in rows and rows[(m.table, m.row_id)].new:
                    arrivals.append(rows[(m.table, m.row_id)])
            edited = [r for r in rows.values() if r.server_seq < 0 and r.table in ANONYMISED_COLUMNS]
            if (arrivals or edited) and (erasure_held or any(table == "erasure" for table, _row_id in rows)):
                self._erase_late(conn, ctx, rows, arrivals, edited)
            results = [answered[m.mutation_id] for m, _fields, _error in prepared]  # in the batch's order
            self._record_authors(conn, ctx, sign_ins, restamps, now)
            dirty = [r for r in rows.values() if r.dirty]
            deltas = self._digests(dirty)  # the digests do not cover server_seq: computed before the lock
            # --- the ordered part: the association's numbers, the writes, the commit
            base = 0
            if counter[0]:
                base = conn.execute(
                    update(server_association).where(server_association.c.pk == ctx.association_pk)
                    .values(seq=server_association.c.seq + counter[0]).returning(server_association.c.seq)
                ).scalar_one() - counter[0]
                for r in dirty:
                    r.server_seq = _absolute_seq(r.server_seq, base)
                    r.fields["server_seq"] = r.server_seq
                results = [r if r.server_seq is None or r.server_seq >= 0
                           else r.model_copy(update={"server_seq": _absolute_seq(r.server_seq, base)})
                           for r in results]
            new_results = [{"mutation_id": result.mutation_id, "device_id": ctx.device_id,
                            "batch_id": request.batch_id, "result": result.model_dump(mode="json"),
                            "processed_at": now}
                           for result in results if result.mutation_id not in done]
            scans = self._erased_scans(conn, ctx, rows, erased_cases) if erased_cases else []
            with self._pipelined(conn):  # the writes and the commit need no answer from each other: sent at once
                self._write_rows(conn, ctx, dirty, deltas)
                if new_results:
                    conn.execute(insert(processed_mutation), new_results)
                for start in range(0, len(scans), 1000):
                    conn.execute(delete(server_attachment).where(
                        server_attachment.c.association_id == ctx.association_id,
                        server_attachment.c.sha256.in_(scans[start:start + 1000])))
                self._commit_in_pipeline(conn)
        return p.PushResponse(results=results)

    def _in_reference_order(self, live: Sequence[tuple[p.Mutation, dict[str, Any], str | None]],
                            present: Callable[[str, uuid.UUID], bool],
                            ) -> Iterator[tuple[p.Mutation, dict[str, Any], str | None]]:
        """The batch's new mutations in an order they can be applied in: one that refers to a row another
        mutation of the same batch creates waits until that one has been applied (a case opened at the greeting
        keeps its first place in the desk's outbox, yet names the beneficiary made at the verification, later in
        the batch); the others keep their order. A generator: `present` grows as the caller applies rows. What no
        mutation of the batch resolves (a cycle) comes in the batch's order and the validator refuses it."""
        waiting = list(live)
        while waiting:
            pending = {(m.table, m.row_id) for m, _fields, error in waiting if error is None}
            ready: list[tuple[p.Mutation, dict[str, Any], str | None]] = []
            later: list[tuple[p.Mutation, dict[str, Any], str | None]] = []
            for item in waiting:
                m, fields, error = item
                ahead = error is None and any(
                    key != (m.table, m.row_id) and key in pending and not present(*key)
                    for key in self._references(m.table, fields))
                (later if ahead else ready).append(item)
            if not ready:
                yield from later
                return
            yield from ready
            waiting = later

    def _references(self, table: str, fields: Mapping[str, Any]) -> list[tuple[str, uuid.UUID]]:
        """The references among a mutation's fields; none when one is malformed (the validator words that)."""
        try:
            return list(self._validator.references(table, fields))
        except (ValueError, TypeError, AttributeError):
            return []

    @staticmethod
    def _current(conn: Connection, ctx: DeviceContext, rows: Mapping[tuple[str, uuid.UUID], _Row], table: str,
                 row_id: uuid.UUID) -> dict[str, Any] | None:
        """A row's fields as this push sees them (changed by the batch so far, else stored); None if absent."""
        held = rows.get((table, row_id))
        if held is not None:
            return None if held.deleted else held.fields
        found = conn.execute(select(sync_row.c.fields, sync_row.c.deleted).where(
            sync_row.c.association_id == ctx.association_id, sync_row.c.table_name == table,
            sync_row.c.row_id == row_id)).first()
        return None if found is None or found.deleted else dict(found.fields)

    def _erase(self, conn: Connection, ctx: DeviceContext, rows: dict[tuple[str, uuid.UUID], _Row],
               erasure_id: uuid.UUID, fields: Mapping[str, Any]) -> None:
        """Apply a sanctioned erasure to the rows the server holds (`desktop.server.erasure`), in this push."""
        case_id = uuid.UUID(str(fields["case_id"]))
        person = uuid.UUID(str(fields["beneficiary_id"])) if fields.get("beneficiary_id") else None
        touched, about = erasure_rows(conn, ctx.association_id, case_id, person)
        about |= {key[1] for key, row in rows.items()
                  if row.fields.get("case_id") and uuid.UUID(str(row.fields["case_id"])) == case_id}
        rows.update(self._lock_rows(conn, ctx, sorted(key for key in touched if key not in rows)))
        marked = set(touched) | {("case", case_id)} | ({("beneficiary", person)} if person else set())
        for key, row in rows.items():
            changes = erased_fields(row.table, row.fields, erasure_id, case_id, about)
            if not changes and key not in marked and not (
                    row.fields.get("case_id") and uuid.UUID(str(row.fields["case_id"])) == case_id):
                continue
            row.fields.update(changes)
            row.meta = without_history(row.meta)
            row.dirty = True

    def _erase_late(self, conn: Connection, ctx: DeviceContext, rows: Mapping[tuple[str, uuid.UUID], _Row],
                    arrivals: Sequence[_Row], edited: Sequence[_Row]) -> None:
        """After the merge, when the association holds an erasure (the caller knows from `_batch_reads`, or the
        push brings one): the push's new append-only rows of an already-erased case (late arrivals) are erased
        before they are stored, and the changeable rows it wrote of an erased case or person keep their erased
        values (`desktop.server.erasure.late_erasures`, `late_edits`)."""
        held = {key: row.fields for key, row in rows.items()}
        if arrivals:
            reached = late_erasures(conn, ctx.association_id, held, [(row.table, row.fields) for row in arrivals],
                                    probed=True)
            for row, found in zip(arrivals, reached, strict=True):
                if found is not None and not row.deleted:
                    erasure_id, case_id, about = found
                    row.fields.update(erased_fields(row.table, row.fields, erasure_id, case_id, about))
        if edited:
            erased = late_edits(conn, ctx.association_id, held, [(r.table, r.row_id, r.fields) for r in edited])
            for row, values in zip(edited, erased, strict=True):
                changes = {name: value for name, value in values.items() if row.fields.get(name) != value}
                if changes:
                    row.fields.update(changes)
                    row.meta = without_history(row.meta)
                    self._erased_conflicts(rows, row, changes)

    @staticmethod
    def _erased_conflicts(rows: Mapping[tuple[str, uuid.UUID], _Row], row: _Row, changes: Mapping[str, Any]) -> None:
        """This push's conflict records about the erased fields of `row` keep the erased value on every side."""
        for (table, _id), record in rows.items():
            fields = record.fields
            if table == p.SYNC_CONFLICT_TABLE_NAME and record.new and fields.get("table_name") == row.table \
                    and fields.get("row_id") == str(row.row_id) and fields.get("field") in changes:
                erased = changes[str(fields["field"])]
                fields.update({"base_value": erased, "value_a": erased, "value_b": erased})

    def _erased_scans(self, conn: Connection, ctx: DeviceContext, rows: Mapping[tuple[str, uuid.UUID], _Row],
                      cases: set[uuid.UUID]) -> list[str]:
        """The SHA-256 of the stored files (``server_attachment``) of the cases erased in this push that no row still
        needs: a file referenced by a row of the case whose attachment row is deleted (retention deletes the rows
        of the files no other case uses, before it records the erasure), when no live attachment row of this
        association holds the same file. Another association's copy is its own row of ``server_attachment``.

        `rows` holds every row of those cases by now (`_erase` loads them), with this push's changes."""
        columns = {name: [c.name for c in table.columns if any(fk.column.table.name == "attachment"
                                                                 for fk in c.foreign_keys)]
                   for name, table in self._tables.items()}
        ids: set[uuid.UUID] = set()
        for (table, _row_id), row in rows.items():
            case_id = row.fields.get("case_id")
            if columns.get(table) and case_id and uuid.UUID(str(case_id)) in cases:
                ids.update(uuid.UUID(str(row.fields[c])) for c in columns[table] if row.fields.get(c))
        if not ids:
            return []
        held = {key[1]: row for key, row in rows.items() if key[0] == "attachment"}
        found: dict[uuid.UUID, tuple[str, bool]] = {
            i: (str(held[i].fields.get("sha256")), held[i].deleted) for i in ids if i in held}
        wanted = sorted(str(i) for i in ids if i not in held)
        for start in range(0, len(wanted), 1000):
            for row_id, stored, deleted in conn.execute(select(sync_row.c.row_id, sync_row.c.fields,
                                                               sync_row.c.deleted).where(
                    sync_row.c.association_id == ctx.association_id, sync_row.c.table_name == "attachment",
                    sync_row.c.row_id.in_(wanted[start:start + 1000]))):
                found[row_id] = (str(stored.get("sha256")), bool(deleted))
        gone = {sha for sha, deleted in found.values() if deleted}
        live = {str(row.fields.get("sha256")) for row in held.values() if not row.deleted}
        names = sorted(gone - live)
        for start in range(0, len(names), 1000):
            live.update(str(sha) for row_id, sha in conn.execute(
                select(sync_row.c.row_id, sync_row.c.fields["sha256"].as_string()).where(
                    sync_row.c.association_id == ctx.association_id, sync_row.c.table_name == "attachment",
                    sync_row.c.deleted.is_(False),
                    sync_row.c.fields["sha256"].as_string().in_(names[start:start + 1000])))
                if row_id not in held)
        return sorted(gone - live)

    def _pipelined(self, conn: Connection) -> AbstractContextManager[Any]:
        """PostgreSQL's pipeline mode on this connection (statements sent without waiting for each answer, their
        errors raised at the end of the block); nothing on SQLite."""
        if self.is_sqlite:
            return nullcontext()
        raw = conn.connection.driver_connection
        assert raw is not None
        return raw.pipeline()  # type: ignore[no-any-return]

    def _commit_in_pipeline(self, conn: Connection) -> None:
        """Inside `_pipelined`: queue the COMMIT behind the writes, so writes and commit are one round trip (the
        association's counter row, locked by the writes, is released one round trip sooner). SQLAlchemy's own
        commit at the end of the block then finds nothing to do; an error raised here rolls back as usual.
        Nothing on SQLite (committed at the end of the block)."""
        if not self.is_sqlite:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.commit()

    def _lock_rows(self, conn: Connection, ctx: DeviceContext,
                   keys: Sequence[tuple[str, uuid.UUID]]) -> dict[tuple[str, uuid.UUID], _Row]:
        """The stored rows a batch touches, locked (``FOR UPDATE``, in key order so two pushes never deadlock on
        them) until the commit: a push touching one of them waits for this one, then merges onto its result."""
        rows: dict[tuple[str, uuid.UUID], _Row] = {}
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            for r in conn.execute(_LOCK_ROWS, {"association_id": ctx.association_id, "keys": chunk}).mappings():
                rows[(r["table_name"], r["row_id"])] = _Row(
                    r["table_name"], r["row_id"], r["version"], r["server_seq"], r["deleted"],
                    dict(r["fields"]), dict(r["meta"]), new=False, digest=int(r["digest"]))
        return rows

    def _prepare(self, ctx: DeviceContext, m: p.Mutation) -> tuple[p.Mutation, dict[str, Any], str | None]:
        """Validate one mutation: canonical fields, or a rejection message; 422 on a wrong-typed value."""
        if not _HLC.match(m.hlc):
            raise ServerError(422, "invalid_hlc", "ختم الوقت المنطقي (HLC) لأحد التغييرات بصيغة غير صحيحة")
        late = hlc_problem(m.hlc, utc_now())
        if late is not None:
            return m, {}, late
        table = self._tables.get(m.table)
        if table is None:
            return m, {}, f"الجدول «{m.table}» غير معروف لدى الخادم؛ لم يُطبّق هذا التغيير"
        unknown = sorted(name for name in m.fields if name not in table.c)
        if unknown:
            return m, {}, f"حقول غير معروفة لدى الخادم في الجدول «{m.table}»: {'، '.join(unknown)}؛ لم يُطبّق هذا التغيير"
        fields: dict[str, Any] = {}
        for name, value in m.fields.items():
            if name in p.SERVER_ASSIGNED_COLUMNS:
                continue
            try:
                fields[name] = p.canonical_value(table.c[name].type, value)
            except p.WireValueError:
                raise ServerError(422, "invalid_value",
                                  f"قيمة الحقل «{name}» في الجدول «{m.table}» ليست من النوع الصحيح") from None
        return m, fields, None

    def _batch_reads(self, conn: Connection, ctx: DeviceContext, request: p.PushRequest,
                     prepared: Sequence[tuple[p.Mutation, dict[str, Any], str | None]],
                     ) -> tuple[dict[uuid.UUID, Any], dict[tuple[str, uuid.UUID], uuid.UUID], Any, bool]:
        """What a push reads before it merges, in one statement (a round trip each cost more than the reading):
        the results of its mutations this device already pushed (mutation id → result), the stored rows its
        rows and references name (key → association id; other associations' too, for the scope check), the
        row of its account (None when the server holds none) and whether the association holds an erasure
        (without one, no late arrival can be reached: `_erase_late` is not asked)."""
        keys: set[tuple[str, uuid.UUID]] = set()
        for m, fields, error in prepared:
            if error is None:
                keys.add((m.table, m.row_id))
                keys.update(self._targets(m.table, fields))
        if request.account_id is not None:
            keys.add(("app_user", request.account_id))
        wanted = sorted(keys)
        params = {"device_id": ctx.device_id, "mutation_ids": [m.mutation_id for m in request.mutations],
                  "association_id": ctx.association_id,
                  "account": request.account_id if request.account_id is not None else uuid.UUID(int=0)}
        done: dict[uuid.UUID, Any] = {}
        stored: dict[tuple[str, uuid.UUID], uuid.UUID] = {}
        account_row: Any = None
        erasure_held = False
        statements = [(_BATCH_READS, {**params, "keys": wanted[:1000]})] + [
            (_STORED_ROWS, {"account": params["account"], "keys": wanted[start:start + 1000]})
            for start in range(1000, len(wanted), 1000)]
        for statement, values in statements:
            for row in conn.execute(statement, values):
                if row.kind == "done":
                    done[row.row_id] = row.fields
                    continue
                if row.kind == "erasure":
                    erasure_held = True
                    continue
                stored[(row.table_name, row.row_id)] = row.association_id
                if row.table_name == "app_user" and row.row_id == request.account_id:
                    account_row = row
        return done, stored, account_row, erasure_held

    def _targets(self, table: str, fields: Mapping[str, Any]) -> Iterator[tuple[str, uuid.UUID]]:
        """The rows a mutation's fields point to by their foreign keys (each value a canonical uuid text)."""
        columns = self._tables[table].c
        for name, value in fields.items():
            if value is not None:
                for fk in columns[name].foreign_keys:
                    yield fk.column.table.name, uuid.UUID(value)

    def _check_scope(self, ctx: DeviceContext, prepared: Sequence[tuple[p.Mutation, dict[str, Any], str | None]],
                     stored: Mapping[tuple[str, uuid.UUID], uuid.UUID]) -> None:
        """403 when any mutation touches or points to a row of another association (`stored`: the association
        of every stored row the batch names)."""
        refused = ServerError(403, "other_association",
                              "الدفعة تحتوي سجلات تخص جمعية أخرى؛ لم يُطبّق شيء منها")
        for m, fields, error in prepared:
            if error is not None:
                continue
            if m.table == "association" and m.row_id != ctx.association_id:
                raise refused
            if fields.get("association_id") not in (None, str(ctx.association_id)):
                raise refused
            for key in ((m.table, m.row_id), *self._targets(m.table, fields)):
                if stored.get(key, ctx.association_id) != ctx.association_id:
                    raise refused

    @staticmethod
    def _next_seq(counter: list[int]) -> int:
        """The batch's next number, relative and negative (-1, -2, …) until `_push_once` takes the association's."""
        counter[0] += 1
        return -counter[0]

    def _check_account(self, ctx: DeviceContext, account_id: uuid.UUID | None, found: Any,
                       prepared: Sequence[tuple[p.Mutation, dict[str, Any], str | None]],
                       schema: str | None) -> uuid.UUID | None:
        """The batch's signed-in account, checked against the association's accounts (403 with the reason).

        `found` is its stored row (association_id, deleted, fields), None when the server holds none. None for a
        desk older than `p.ACCOUNT_REQUIRED_SCHEMA` that names none. An account created or changed by this very
        batch (the desk's first push) is judged by the batch's values.
        """
        if account_id is None:
            try:
                legacy = schema is not None and int(schema) < int(p.ACCOUNT_REQUIRED_SCHEMA)
            except ValueError:
                legacy = False
            if legacy:
                return None
            raise ServerError(403, "account_required",
                              "الدفعة لا تذكر المستخدم المسجّل دخوله على الجهاز؛ لم يُطبّق شيء منها")
        fields: dict[str, Any] | None = None
        if found is not None:
            if found.association_id != ctx.association_id:
                raise ServerError(403, "account_other_association",
                                  "المستخدم المسجّل دخوله على الجهاز حساب في جمعية أخرى؛ لم يُطبّق شيء من الدفعة")
            fields = dict(found.fields) if not found.deleted else None
            if found.deleted:
                raise ServerError(403, "account_disabled",
                                  "حساب المستخدم المسجّل دخوله على الجهاز محذوف؛ لم يُطبّق شيء من الدفعة")
        for m, values, error in prepared:
            if error is None and m.table == "app_user" and m.row_id == account_id:
                if m.op == "delete" or values.get("deleted_at") is not None:
                    raise ServerError(403, "account_disabled",
                                      "حساب المستخدم المسجّل دخوله على الجهاز محذوف؛ لم يُطبّق شيء من الدفعة")
                fields = {**(fields or {}), **values}
        if fields is None:
            raise ServerError(403, "account_unknown",
                              "المستخدم المسجّل دخوله على الجهاز ليس من حسابات الجمعية؛ لم يُطبّق شيء من الدفعة")
        if fields.get("active") is False:
            raise ServerError(403, "account_disabled",
                              "حساب المستخدم المسجّل دخوله على الجهاز معطّل؛ لم يُطبّق شيء من الدفعة")
        return account_id

    def _sign_in_proof(self, conn: Connection, ctx: DeviceContext, account: uuid.UUID,
                       prepared: Sequence[tuple[p.Mutation, dict[str, Any], str | None]]
                       ) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
        """(proven, unproven): the accounts whose sign-in on this device the batch's sign-in events prove
        (`desktop.server.sign_ins`), and those it claims without proof (not already held as signed in here)."""
        events = [(m.row_id, fields) for m, fields, error in prepared
                  if error is None and m.table == "audit_event" and m.op != "delete"]
        actors = {actor for _, fields in events for actor in (sign_in_actor(fields),) if actor is not None}
        if not actors:
            return set(), set()
        known = frozenset(conn.execute(select(device_sign_in.c.account_id).where(
            device_sign_in.c.device_id == ctx.device_id, device_sign_in.c.account_id.in_(sorted(actors)))).scalars())
        proven = proven_sign_ins(conn, association_id=ctx.association_id, device_id=ctx.device_id, pusher=account,
                                 proven=known, events=events)
        return proven, actors - proven - known

    def _judge_authors(self, conn: Connection, ctx: DeviceContext, account: uuid.UUID,
                       prepared: Sequence[tuple[p.Mutation, dict[str, Any], str | None]],
                       proven: set[uuid.UUID], unproven: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The claimed authors of the batch (other than the pusher) it may not keep, each with the reason.

        Kept: an active, undeleted account of the device's association (as the server holds it, or as this batch
        sets it) that signed in on this device (a `device_sign_in` row, or a sign-in event of this batch that
        `_sign_in_proof` finds `proven`). Refused: "unknown_account" (none, or another association's),
        "inactive_account" (disabled or deleted), "unproven_sign_in" (the batch claims a sign-in here it does
        not prove), "not_signed_in_here".
        """
        claimed = {author for m, fields, error in prepared if error is None
                   for author in (_claimed_author(m, fields),) if author is not None and author != account}
        if not claimed:
            return {}
        wanted = sorted(claimed)
        accounts: dict[uuid.UUID, dict[str, Any] | None] = {}
        for row_id, association_id, deleted, fields in conn.execute(
            select(sync_row.c.row_id, sync_row.c.association_id, sync_row.c.deleted, sync_row.c.fields).where(
                sync_row.c.table_name == "app_user", sync_row.c.row_id.in_(wanted))):
            ours = association_id == ctx.association_id and not deleted
            accounts[row_id] = dict(fields) if ours else None
        signed = set(conn.execute(select(device_sign_in.c.account_id).where(
            device_sign_in.c.device_id == ctx.device_id, device_sign_in.c.account_id.in_(wanted))).scalars())
        for m, values, error in prepared:
            if error is not None:
                continue
            if m.table == "app_user" and m.row_id in claimed and accounts.get(m.row_id, {}) is not None:
                if m.op == "delete" or values.get("deleted_at") is not None:
                    accounts[m.row_id] = None
                else:
                    known = accounts.get(m.row_id) or {}
                    accounts[m.row_id] = {**known, **values}
        signed |= proven
        refused: dict[uuid.UUID, str] = {}
        for author in claimed:
            fields = accounts.get(author)
            if fields is None or fields.get("association_id") not in (None, str(ctx.association_id)):
                refused[author] = "unknown_account"
            elif fields.get("active") is False or fields.get("deleted_at") is not None:
                refused[author] = "inactive_account"
            elif author not in signed:
                refused[author] = "unproven_sign_in" if author in unproven else "not_signed_in_here"
        return refused

    @staticmethod
    def _record_authors(conn: Connection, ctx: DeviceContext, sign_ins: Mapping[uuid.UUID, None],
                        restamps: Sequence[Mapping[str, Any]], now: dt.datetime) -> None:
        """Remember the batch's sign-ins on this device (the proof of later pushes) and its re-stamps."""
        if sign_ins:
            known = set(conn.execute(select(device_sign_in.c.account_id).where(
                device_sign_in.c.device_id == ctx.device_id,
                device_sign_in.c.account_id.in_(list(sign_ins)))).scalars())
            new = [{"device_id": ctx.device_id, "account_id": account, "association_id": ctx.association_id,
                    "first_seen_at": now} for account in sign_ins if account not in known]
            if new:
                conn.execute(insert(device_sign_in), new)
        if restamps:
            conn.execute(insert(author_restamp), list(restamps))

    @staticmethod
    def _restamp(m: p.Mutation, fields: dict[str, Any], account: uuid.UUID, now: dt.datetime) -> None:
        """An audit event's author is the pushing account: a differing claimed actor is kept beside it, with the time."""
        if m.table != "audit_event" or "actor_id" not in fields:
            return
        claimed = fields.get("actor_id")
        if claimed is not None and uuid.UUID(str(claimed)) == account:
            return
        fields["claimed_actor_id"] = claimed
        fields["actor_id"] = str(account)
        fields["restamped_at"] = now.isoformat()

    def _apply(self, ctx: DeviceContext, m: p.Mutation, fields: dict[str, Any],
               rows: dict[tuple[str, uuid.UUID], _Row], counter: list[int], now: dt.datetime,
               labels: _DeviceLabels, *, account: uuid.UUID | None = None) -> p.MutationResult:
        """Merge one mutation into its row (see the protocol module's docstring for the rules)."""
        dev = str(ctx.device_id)
        user = str(account) if account is not None else str(m.user_id) if m.user_id else None
        key = (m.table, m.row_id)
        row = rows.get(key)
        conflicts: list[uuid.UUID] = []
        if row is None:
            row = _Row(m.table, m.row_id, 0, 0, False,
                       dict.fromkeys(c.name for c in self._tables[m.table].columns), {}, new=True)
            if m.op == "delete":
                fields.setdefault("deleted_at", now.isoformat())
            row.fields.update(fields)
            row.deleted = row.fields.get("deleted_at") is not None
            self._stamp(row, m, dev, user, force=True)
            self._bump(row, counter)
            rows[key] = row
            return self._result(m, row, "applied", conflicts)

        b = m.base_version or 0
        if m.table in APPEND_ONLY_TABLES:
            content = {k: v for k, v in fields.items() if k not in p.UNMERGED_COLUMNS}
            if m.op == "upsert" and all(row.fields.get(k) == v for k, v in content.items()):
                return self._result(m, row, "applied", conflicts)
            return p.MutationResult(mutation_id=m.mutation_id, status="rejected", version=row.version,
                                    server_seq=row.server_seq,
                                    message_ar="هذا السجل لا يُعدَّل ولا يُحذف بعد حفظه؛ التصحيح يكون بسجل جديد")

        def meta_of(name: str) -> dict[str, Any]:
            return row.meta.get(name) or {"v": 1, "hlc": "", "device": None, "user": None}

        def other_since(name: str) -> bool:
            fm = meta_of(name)
            return bool(fm["v"] > b and fm.get("device") != dev)

        changed = False
        merged = any(other_since(name) for name in row.meta)
        incoming_pair = _pair(m.hlc, dev)
        side_b = {"device": dev, "user": user, "hlc": m.hlc}

        def record(field: str, base: Any, value_a: Any, side_a: Mapping[str, Any], value_b: Any, winner: str) -> None:
            conflicts.append(self._conflict(row, field, base, value_a, side_a, value_b, side_b, winner, counter, rows,
                                            labels))

        wants_delete = m.op == "delete" or fields.get("deleted_at") is not None
        wants_restore = m.op == "upsert" and "deleted_at" in fields and fields["deleted_at"] is None
        deleted_at = fields.get("deleted_at") or now.isoformat()
        content = {k: v for k, v in fields.items() if k not in p.UNMERGED_COLUMNS}
        if wants_delete and not row.deleted:
            edited = [name for name in row.meta if name != "deleted_at" and other_since(name)]
            if edited:
                last = max((meta_of(name) for name in edited), key=lambda fm: _pair(fm["hlc"], fm.get("device")))
                record("deleted_at", None, None, last, deleted_at, "b")
            self._set(row, "deleted_at", deleted_at, m, dev, user)
            row.deleted = True
            changed = True
        elif wants_restore and row.deleted:
            if not other_since("deleted_at"):
                self._set(row, "deleted_at", None, m, dev, user)
                row.deleted = False
                changed = True
            else:
                record("deleted_at", None, row.fields.get("deleted_at"), meta_of("deleted_at"), None, "a")
        elif m.op == "upsert" and row.deleted and content and other_since("deleted_at"):
            record("deleted_at", None, row.fields.get("deleted_at"), meta_of("deleted_at"), None, "a")

        for name, value in content.items():
            old = row.fields.get(name)
            if old == value:
                continue
            fm = meta_of(name)
            concurrent = other_since(name)
            base = fm.get("p") if fm.get("pv", 0) <= b and "p" in fm else None
            if m.table == "case" and name == "status":
                if _transition_allowed(old, value):
                    self._set(row, name, value, m, dev, user)
                    changed = True
                else:
                    record(name, base, old, fm, value, "a")
                continue
            if not concurrent:
                self._set(row, name, value, m, dev, user)
                changed = True
                continue
            wins = incoming_pair > _pair(fm["hlc"], fm.get("device"))
            record(name, base, old, fm, value, "b" if wins else "a")
            if wins:
                self._set(row, name, value, m, dev, user)
                changed = True
        if changed or conflicts:
            self._stamp(row, m, dev, user, force=False)
            if "updated_at" in fields and incoming_pair >= _pair(row.fields.get("hlc"), row.fields.get("device_id")):
                row.fields["updated_at"] = fields["updated_at"]
            self._bump(row, counter)
        status: p.MutationStatus = "conflict" if conflicts else ("merged" if merged and changed else "applied")
        return self._result(m, row, status, conflicts)

    @staticmethod
    def _set(row: _Row, name: str, value: Any, m: p.Mutation, dev: str, user: str | None) -> None:
        """Change one field and its metadata (the next version, who, when; the previous value kept)."""
        previous = row.meta.get(name) or {"v": 1}
        row.meta[name] = {"v": row.version + 1, "hlc": m.hlc, "device": dev, "user": user,
                          "p": row.fields.get(name), "pv": previous["v"]}
        row.fields[name] = value

    @staticmethod
    def _stamp(row: _Row, m: p.Mutation, dev: str, user: str | None, *, force: bool) -> None:
        """The row's hlc/device/user are those of its greatest (hlc, device) change."""
        if force or _pair(m.hlc, dev) >= _pair(row.fields.get("hlc"), row.fields.get("device_id")):
            row.fields["hlc"] = m.hlc
            row.fields["device_id"] = dev
            row.fields["updated_by"] = user
        if row.fields.get("created_at") is None and row.new:
            row.fields["created_at"] = _hlc_time(m.hlc)

    def _bump(self, row: _Row, counter: list[int]) -> None:
        row.version += 1
        row.server_seq = self._next_seq(counter)
        row.fields["id"] = str(row.row_id)
        row.fields["version"] = row.version
        row.fields["server_seq"] = row.server_seq
        row.dirty = True

    @staticmethod
    def _result(m: p.Mutation, row: _Row, status: p.MutationStatus, conflicts: list[uuid.UUID]) -> p.MutationResult:
        return p.MutationResult(mutation_id=m.mutation_id, status=status, version=row.version,
                                server_seq=row.server_seq, conflict_ids=conflicts)

    def _conflict(self, row: _Row, field: str, base: Any, value_a: Any, side_a: Mapping[str, Any], value_b: Any,
                  side_b: Mapping[str, Any], winner: str, counter: list[int],
                  rows: dict[tuple[str, uuid.UUID], _Row], labels: _DeviceLabels) -> uuid.UUID:
        """Create one open sync_conflict row (pulled by every PC of the association)."""
        conflict_id = uuid7()
        hlc = max(side_a.get("hlc") or "", side_b.get("hlc") or "")
        fields = dict.fromkeys(_CONFLICT_FIELDS)
        fields.update({
            "id": str(conflict_id), "table_name": row.table, "row_id": str(row.row_id), "field": field,
            "base_value": base, "value_a": value_a, "value_b": value_b,
            "device_a": side_a.get("device"), "device_b": side_b.get("device"),
            "device_a_name": labels.of(side_a.get("device")), "device_b_name": labels.of(side_b.get("device")),
            "user_a": side_a.get("user"), "user_b": side_b.get("user"),
            "hlc_a": side_a.get("hlc") or None, "hlc_b": side_b.get("hlc") or None,
            "at_a": _hlc_time(side_a.get("hlc")), "at_b": _hlc_time(side_b.get("hlc")),
            "winner": winner, "status": "open", "hlc": hlc, "created_at": utc_now().isoformat(),
            "updated_at": utc_now().isoformat(),
        })
        record = _Row(p.SYNC_CONFLICT_TABLE_NAME, conflict_id, 0, 0, False, fields, {}, new=True)
        self._bump(record, counter)
        rows[(record.table, conflict_id)] = record
        return conflict_id

    def _digests(self, rows: Sequence[_Row]) -> dict[tuple[str, int], list[int]]:
        """Give each changed row its new digest (`_Row.new_digest`); the (count, digest sum) delta of each bucket."""
        deltas: dict[tuple[str, int], list[int]] = {}
        for r in rows:
            r.new_digest = self._digest(r.table, r.row_id, r.version, r.fields)
            delta = deltas.setdefault((r.table, p.bucket_of(r.row_id)), [0, 0])
            delta[0] += 1 if r.new else 0
            delta[1] += r.new_digest - (0 if r.new else r.digest)
        return deltas

    def _write_rows(self, conn: Connection, ctx: DeviceContext, rows: Sequence[_Row],
                    deltas: Mapping[tuple[str, int], Sequence[int]]) -> None:
        """Insert the new rows and update the changed ones of a push (one statement each); their buckets' sums follow."""
        new = [r for r in rows if r.new]
        if new:
            conn.execute(insert(sync_row), [
                {"association_id": ctx.association_id, "table_name": r.table, "row_id": r.row_id,
                 "version": r.version, "server_seq": r.server_seq, "deleted": r.deleted,
                 "fields": r.fields, "meta": r.meta, "bucket": p.bucket_of(r.row_id), "digest": r.new_digest}
                for r in new
            ])
        changed = [r for r in rows if not r.new]
        if changed:
            conn.execute(update(sync_row).where(
                sync_row.c.association_id == ctx.association_id, sync_row.c.table_name == bindparam("t"),
                sync_row.c.row_id == bindparam("r"),
            ).values(version=bindparam("v"), server_seq=bindparam("s"), deleted=bindparam("d"),
                     fields=bindparam("f", type_=sync_row.c.fields.type), meta=bindparam("m", type_=sync_row.c.meta.type),
                     digest=bindparam("h")),
                [{"t": r.table, "r": r.row_id, "v": r.version, "s": r.server_seq, "d": r.deleted, "f": r.fields,
                  "m": r.meta, "h": r.new_digest} for r in changed])
        add_to_buckets(conn, ctx.association_id, deltas)

    def _digest(self, table: str, row_id: uuid.UUID, version: int, fields: Mapping[str, Any]) -> int:
        """`protocol.row_digest` of a stored row (0 for a table this server does not know)."""
        known = self._tables.get(table)
        return p.row_digest(known, row_id, version, fields) if known is not None else 0

    # ------------------------------------------------------------------ pull, summary, rows

    def pull(self, ctx: DeviceContext, after: int, limit: int) -> bytes:
        """The page after a cursor, as the JSON body of a `PullResponse` (rows spliced as stored).

        A desk already at the head its authentication read (the usual pull of a round: nothing new) is answered
        the empty page from that head without reading again; a push committed since comes with the next pull."""
        if ctx.head_seq is not None and after == ctx.head_seq:
            return f'{{"rows":[],"next_after":{after},"has_more":false,"head_seq":{after}}}'.encode()
        if not self.is_sqlite:
            return self._pull_postgresql(ctx, after, limit)
        with self._read() as conn:
            head = conn.execute(select(server_association.c.seq)
                                .where(server_association.c.pk == ctx.association_pk)).scalar_one()
            rows = conn.execute(
                select(sync_row.c.table_name, sync_row.c.row_id, sync_row.c.version, sync_row.c.server_seq,
                       sync_row.c.deleted, cast(sync_row.c.fields, Text))
                .where(sync_row.c.association_id == ctx.association_id, sync_row.c.server_seq > after,
                       sync_row.c.server_seq <= head)
                .order_by(sync_row.c.server_seq).limit(limit + 1)
            ).all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_after = rows[-1][3] if rows else max(after, 0) if after <= head else head
        parts = [
            f'{{"table":{json.dumps(t)},"row_id":"{rid}","version":{v},"server_seq":{s},'
            f'"deleted":{"true" if d else "false"},"fields":{f}}}'
            for t, rid, v, s, d, f in rows
        ]
        body = (f'{{"rows":[{",".join(parts)}],"next_after":{next_after},'
                f'"has_more":{"true" if has_more else "false"},"head_seq":{head}}}')
        return body.encode()

    def _pull_postgresql(self, ctx: DeviceContext, after: int, limit: int) -> bytes:
        """The page built by ONE statement: PostgreSQL writes each row's JSON text (the stored ``fields``
        pasted as they are) and joins the page, so Python neither decodes nor re-encodes a row.

        The head and the rows are read in the same statement (one snapshot); the extra row of
        ``LIMIT n + 1`` only tells whether more follow.
        """
        with self.engine.connect() as conn:
            # One right plan whatever the statistics say (e.g. just after a bulk import): walk the
            # (association_id, server_seq) index in order and stop after n + 1 rows; a bitmap scan
            # would read every row after the cursor and sort them.
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off")
            # The page's text comes back as UTF-8 bytes (bytea in binary format), pasted into the answer as
            # they are: megabytes of Arabic text are neither decoded into a str nor encoded again.
            driver = conn.connection.driver_connection
            assert driver is not None
            with driver.cursor(binary=True) as cursor:
                cursor.execute(_PULL_SQL, {
                    "pk": ctx.association_pk, "a": ctx.association_id, "after": after, "n": limit, "n1": limit + 1,
                })
                head, count, last, rows = cursor.fetchone()
            conn.rollback()
        head = int(head)
        has_more = count > limit
        next_after = int(last) if last is not None else max(after, 0) if after <= head else head
        return b"".join((b'{"rows":[', rows or b"", f'],"next_after":{next_after},"has_more":'
                         f'{"true" if has_more else "false"},"head_seq":{head}}}'.encode()))

    def summary(self, ctx: DeviceContext) -> p.SummaryResponse:
        """Count and hash of (row_id, version) per table of the association."""
        tables: dict[str, p.TableSummary] = {}
        with self._read() as conn:
            if not self.is_sqlite:
                # uuid order is byte order, the same as the canonical text's; the sort stays in memory
                conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
                rows = conn.exec_driver_sql(
                    "SELECT table_name, count(*), encode(sha256(convert_to(string_agg("
                    "row_id::text || ':' || version::text || E'\\n', '' ORDER BY row_id),"
                    " 'UTF8')), 'hex') FROM sync_row WHERE association_id = %(a)s GROUP BY table_name",
                    {"a": ctx.association_id},
                ).all()
                return p.SummaryResponse(tables={t: p.TableSummary(count=c, hash=h) for t, c, h in rows})
            grouped: dict[str, list[tuple[uuid.UUID, int]]] = {}
            for t, rid, v in conn.execute(select(sync_row.c.table_name, sync_row.c.row_id, sync_row.c.version)
                                          .where(sync_row.c.association_id == ctx.association_id)):
                grouped.setdefault(t, []).append((rid, v))
        for t, items in grouped.items():
            tables[t] = p.TableSummary(count=len(items), hash=p.summary_hash(items))
        return p.SummaryResponse(tables=tables)

    def checksums(self, ctx: DeviceContext, table: str | None, prefix: str, *,
                  every_bucket: bool = False) -> p.ChecksumsResponse:
        """The roots of every table (no `table`), the 16 children of `prefix` in one table's buckets, or (with
        `every_bucket`) all of that table's buckets by their full key."""
        if table is not None and table not in self._tables:
            raise ServerError(422, "unknown_table", f"الجدول «{table}» غير معروف لدى الخادم")
        if len(prefix) >= p.BUCKET_DIGITS or any(ch not in "0123456789abcdef" for ch in prefix):
            raise ServerError(422, "invalid_parameter",
                              f"المعامل «prefix» يجب أن يكون من صفر إلى {p.BUCKET_DIGITS - 1} خانات ست عشرية صغيرة")
        if table is None:  # the roots, as every verification asks: one statement (one snapshot), no transaction
            with self._autocommit.connect() as conn:
                found = conn.execute(_ROOTS, {"pk": ctx.association_pk}).all()
            if not found[0].hand_written:
                return p.ChecksumsResponse(head_seq=int(found[0].seq), sums={
                    t: p.BucketSum(count=int(c), total=int(x)) for _, _, t, c, x in found if t is not None and c})
        stale = select(sync_row_stale.c.row_id).where(sync_row_stale.c.association_id == ctx.association_id).exists()
        with self._read() as conn:
            head, hand_written = conn.execute(select(server_association.c.seq, stale)
                                              .where(server_association.c.pk == ctx.association_pk)).one()
            if not hand_written:
                return self._checksums(conn, ctx, int(head), table, prefix, every_bucket)
        # a row written by hand (server migration 0009's triggers): its digest and its buckets' sums first
        self.heal_hand_written(ctx.association_id, ctx.association_pk)
        with self._read() as conn:
            return self._checksums(conn, ctx, int(head), table, prefix, every_bucket)

    @staticmethod
    def _checksums(conn: Connection, ctx: DeviceContext, head: int, table: str | None, prefix: str,
                   every_bucket: bool) -> p.ChecksumsResponse:
        """`checksums` read on one connection (the arguments checked)."""
        b = sync_bucket
        if table is None:
            found = conn.execute(select(b.c.table_name, b.c.count, b.c.total).where(
                b.c.association_id == ctx.association_id, b.c.bucket == -1)).all()
            return p.ChecksumsResponse(head_seq=head, sums={
                t: p.BucketSum(count=int(c), total=int(x)) for t, c, x in found if c})
        if every_bucket:
            found = conn.execute(select(b.c.bucket, b.c.count, b.c.total).where(
                b.c.association_id == ctx.association_id, b.c.table_name == table, b.c.bucket >= 0)).all()
            return p.ChecksumsResponse(head_seq=head, sums={
                f"{int(k):0{p.BUCKET_DIGITS}x}": p.BucketSum(count=int(c), total=int(x)) for k, c, x in found if c})
        shift = 4 * (p.BUCKET_DIGITS - len(prefix) - 1)
        low = int(prefix, 16) << (shift + 4) if prefix else 0
        found = conn.execute(select(b.c.bucket, b.c.count, b.c.total).where(
            b.c.association_id == ctx.association_id, b.c.table_name == table,
            b.c.bucket >= low, b.c.bucket < low + (16 << shift))).all()
        sums: dict[str, list[int]] = {}
        for bucket, count, total in found:
            if not count:
                continue
            key = prefix + "0123456789abcdef"[(int(bucket) >> shift) & 15]
            entry = sums.setdefault(key, [0, 0])
            entry[0] += int(count)
            entry[1] += int(total)
        return p.ChecksumsResponse(head_seq=head, sums={k: p.BucketSum(count=c, total=x) for k, (c, x) in sums.items()})

    def heal_hand_written(self, association_id: uuid.UUID, association_pk: int) -> int:
        """Give the rows written to ``sync_row`` by hand (marked in ``sync_row_stale`` by server migration 0009's
        triggers: a psql INSERT or UPDATE that left the digest as it was) their bucket and digest, and sum their
        buckets again from the rows; returns the rows marked. The rows are locked as a push locks them, then the
        association's counter as a push's writes do, so the sums never miss a push's delta."""
        marks = sync_row_stale.c.association_id == association_id
        with self.engine.begin() as conn:
            keys = sorted((str(t), r) for t, r in conn.execute(
                select(sync_row_stale.c.table_name, sync_row_stale.c.row_id).where(marks)))
            if not keys:
                return 0
            found: list[Any] = []
            for start in range(0, len(keys), 1000):
                found += conn.execute(select(sync_row.c.table_name, sync_row.c.row_id, sync_row.c.version,
                                             sync_row.c.fields, sync_row.c.bucket, sync_row.c.digest).where(
                    sync_row.c.association_id == association_id,
                    tuple_(sync_row.c.table_name, sync_row.c.row_id).in_(keys[start:start + 1000]),
                ).order_by(sync_row.c.table_name, sync_row.c.row_id).with_for_update()).all()
            conn.execute(select(server_association.c.seq).where(server_association.c.pk == association_pk)
                         .with_for_update())
            buckets: set[tuple[str, int]] = set()
            fixed = []
            for table, row_id, version, fields, bucket, digest in found:
                right = (p.bucket_of(row_id), self._digest(table, row_id, int(version), dict(fields or {})))
                buckets |= {(table, int(bucket)), (table, right[0])}
                if right != (int(bucket), int(digest)):
                    fixed.append({"t": table, "r": row_id, "b": right[0], "h": right[1]})
            if fixed:
                conn.execute(update(sync_row).where(
                    sync_row.c.association_id == association_id, sync_row.c.table_name == bindparam("t"),
                    sync_row.c.row_id == bindparam("r")).values(bucket=bindparam("b"), digest=bindparam("h")), fixed)
            deltas: dict[tuple[str, int], list[int]] = {}
            for table, bucket in sorted(buckets):
                count, total = conn.execute(select(func.count(), func.coalesce(func.sum(sync_row.c.digest), 0)).where(
                    sync_row.c.association_id == association_id, sync_row.c.table_name == table,
                    sync_row.c.bucket == bucket)).one()
                held = conn.execute(select(sync_bucket.c.count, sync_bucket.c.total).where(
                    sync_bucket.c.association_id == association_id, sync_bucket.c.table_name == table,
                    sync_bucket.c.bucket == bucket)).first()
                deltas[(table, bucket)] = [int(count) - int(held[0] if held else 0),
                                           int(total) - int(held[1] if held else 0)]
            add_to_buckets(conn, association_id, deltas)
            for start in range(0, len(keys), 1000):
                conn.execute(delete(sync_row_stale).where(
                    marks, tuple_(sync_row_stale.c.table_name, sync_row_stale.c.row_id).in_(keys[start:start + 1000])))
        return len(keys)

    def rows(self, ctx: DeviceContext, table: str, after_id: uuid.UUID | None, limit: int,
             bucket: int | None = None, upto: int | None = None) -> p.RowsResponse:
        """Full rows of one table ordered by id, after `after_id` (targeted resync); of one bucket when given;
        rows past `upto` (the desk's pull cursor) without their fields (the desk's next pull brings them)."""
        if table not in self._tables:
            raise ServerError(422, "unknown_table", f"الجدول «{table}» غير معروف لدى الخادم")
        query = (select(sync_row.c.row_id, sync_row.c.version, sync_row.c.server_seq, sync_row.c.deleted,
                        sync_row.c.fields)
                 .where(sync_row.c.association_id == ctx.association_id, sync_row.c.table_name == table)
                 .order_by(sync_row.c.row_id).limit(limit + 1))
        if bucket is not None:
            query = query.where(sync_row.c.bucket == bucket)
        if after_id is not None:
            query = query.where(sync_row.c.row_id > after_id)
        with self._read() as conn:
            found = conn.execute(query).all()
        has_more = len(found) > limit
        found = found[:limit]
        return p.RowsResponse(
            rows=[p.PulledRow(table=table, row_id=r, version=v, server_seq=s, deleted=d,
                              fields=f if upto is None or s <= upto else {})
                  for r, v, s, d, f in found],
            next_after_id=found[-1][0] if found else None, has_more=has_more)

    # ------------------------------------------------------------------ attachments

    def missing_attachments(self, ctx: DeviceContext, hashes: Sequence[str]) -> list[str]:
        """The hashes among `hashes` the server does not hold for the association."""
        wanted = list(dict.fromkeys(hashes))
        for value in wanted:
            if not _SHA256.match(value):
                raise ServerError(422, "invalid_sha256", "بصمة SHA-256 غير صحيحة: 64 حرفًا ست عشريًا صغيرًا")
        held: set[str] = set()
        with self._read() as conn:
            for start in range(0, len(wanted), 1000):
                held.update(conn.execute(select(server_attachment.c.sha256).where(
                    server_attachment.c.association_id == ctx.association_id,
                    server_attachment.c.sha256.in_(wanted[start:start + 1000]))).scalars())
        return [value for value in wanted if value not in held]

    def put_attachment(self, ctx: DeviceContext, sha256: str, content: bytes) -> bool:
        """Store verified bytes (422 when their SHA-256 differs); False when already held."""
        check_sha256(sha256)
        return self.put_attachment_file(ctx, sha256, _BytesSource(content), hashlib.sha256(content).hexdigest(),
                                        len(content))

    def put_attachment_file(self, ctx: DeviceContext, sha256: str, source: IO[bytes], digest: str, size: int) -> bool:
        """Store an upload spooled to disk (`source`, of `size` bytes hashed to `digest` while it arrived).

        422 when the digest differs (nothing read into memory); False when already held. At most
        `UPLOAD_WRITERS` uploads are read into memory for their INSERT at once, so concurrent large
        uploads do not add up (the body itself is never held while it arrives).
        """
        check_sha256(sha256)
        if digest != sha256:
            raise ServerError(422, "attachment_hash_mismatch",
                              "المرفق الذي وصل لا يطابق بصمته (ناقص أو تالف)؛ لم يُحفظ، وسيُعاد رفعه")
        with self._read() as conn:
            if conn.execute(select(server_attachment.c.sha256).where(
                    server_attachment.c.association_id == ctx.association_id,
                    server_attachment.c.sha256 == sha256)).first() is not None:
                return False
        with self._upload_writers:
            try:
                with self.engine.connect() as conn:
                    with conn.begin():
                        source.seek(0)
                        conn.execute(insert(server_attachment).values(
                            association_id=ctx.association_id, sha256=sha256, size=size, content=source.read(),
                            stored_at=utc_now()))
                    if size >= LARGE_UPLOAD_BYTES and not self.is_sqlite:
                        conn.invalidate()  # libpq keeps its send buffer (the whole upload) as long as the connection
            except IntegrityError:
                return False
        return True

    def get_attachment(self, ctx: DeviceContext, sha256: str) -> bytes:
        """The bytes of a held attachment (404 otherwise)."""
        with self._read() as conn:
            content = conn.execute(select(server_attachment.c.content).where(
                server_attachment.c.association_id == ctx.association_id,
                server_attachment.c.sha256 == sha256)).scalar()
        if content is None:
            raise ServerError(404, "attachment_not_found", "المرفق غير موجود على الخادم")
        return bytes(content)

    def head_seq(self, association_id: uuid.UUID) -> int:
        """The association's last allocated server_seq."""
        with self._read() as conn:
            return int(conn.execute(select(func.coalesce(server_association.c.seq, 0))
                                    .where(server_association.c.association_id == association_id)).scalar_one())


#: One pull page on PostgreSQL (see `ServerStore._pull_postgresql`); uses ix_sync_row_association_id_server_seq.
_PULL_SQL = """
WITH head AS (SELECT seq FROM server_association WHERE pk = %(pk)s),
page AS (
    SELECT r.table_name, r.row_id, r.version, r.server_seq, r.deleted, r.fields,
           row_number() OVER (ORDER BY r.server_seq) AS n
    FROM (SELECT table_name, row_id, version, server_seq, deleted, fields FROM sync_row
          WHERE association_id = %(a)s AND server_seq > %(after)s AND server_seq <= (SELECT seq FROM head)
          ORDER BY server_seq LIMIT %(n1)s) AS r
)
SELECT (SELECT seq FROM head), count(*), max(server_seq) FILTER (WHERE n <= %(n)s),
       convert_to(string_agg('{"table":' || to_json(table_name)::text || ',"row_id":"' || row_id::text
                  || '","version":' || version::text || ',"server_seq":' || server_seq::text
                  || ',"deleted":' || CASE WHEN deleted THEN 'true' ELSE 'false' END
                  || ',"fields":' || fields::text || '}', ',' ORDER BY server_seq) FILTER (WHERE n <= %(n)s), 'UTF8')
FROM page
"""


def add_to_buckets(conn: Connection, association_id: uuid.UUID,
                   deltas: Mapping[tuple[str, int], Sequence[int]]) -> None:
    """Add (count, digest sum) deltas to an association's buckets and their tables' roots (bucket -1).

    Called inside the writing transaction, which holds the association's counter row (the buckets are
    written in key order under it); one ``INSERT … ON CONFLICT DO UPDATE`` adds to a bucket or creates it.
    """
    merged: dict[tuple[str, int], list[int]] = {}
    for (table, bucket), (count, total) in deltas.items():
        for key in ((table, bucket), (table, -1)):
            entry = merged.setdefault(key, [0, 0])
            entry[0] += int(count)
            entry[1] += int(total)
    merged = {key: value for key, value in merged.items() if value != [0, 0]}
    if not merged:
        return
    values = [{"association_id": association_id, "table_name": t, "bucket": k, "count": c, "total": x}
              for (t, k), (c, x) in sorted(merged.items())]
    conn.execute(_bucket_upsert(conn.dialect.name), values)  # in key order, whatever exists already


_BUCKET_UPSERTS: dict[str, Any] = {}


def _bucket_upsert(dialect: str) -> Any:
    """The one-bucket ``INSERT … ON CONFLICT DO UPDATE`` adding a delta, made once per dialect: executed for many
    buckets at once (pipelined by psycopg) and compiled once, where a multi-row VALUES was compiled on every push."""
    upsert = _BUCKET_UPSERTS.get(dialect)
    if upsert is None:
        b = sync_bucket
        base = (pg_insert(b) if dialect == "postgresql" else sqlite_insert(b)).values(
            {name: bindparam(name) for name in ("association_id", "table_name", "bucket", "count", "total")})
        upsert = _BUCKET_UPSERTS[dialect] = base.on_conflict_do_update(
            index_elements=[b.c.association_id, b.c.table_name, b.c.bucket],
            set_={"count": b.c.count + base.excluded.count, "total": b.c.total + base.excluded.total})
    return upsert


def rehash_all_rows(conn: Connection) -> int:
    """Compute every row's bucket and digest and rebuild every bucket sum (migration 0003; a repair)."""
    tables = p.synced_tables()
    conn.execute(sync_bucket.delete())
    deltas: dict[uuid.UUID, dict[tuple[str, int], list[int]]] = {}
    count = 0
    last: tuple[Any, ...] | None = None
    while True:
        query = (select(sync_row.c.association_id, sync_row.c.table_name, sync_row.c.row_id, sync_row.c.version,
                        sync_row.c.fields)
                 .order_by(sync_row.c.association_id, sync_row.c.table_name, sync_row.c.row_id).limit(5000))
        if last is not None:
            query = query.where(tuple_(sync_row.c.association_id, sync_row.c.table_name, sync_row.c.row_id) > last)
        page = conn.execute(query).all()
        if not page:
            break
        updates = []
        for association_id, table, row_id, version, fields in page:
            known = tables.get(table)
            digest = p.row_digest(known, row_id, version, fields) if known is not None else 0
            bucket = p.bucket_of(row_id)
            updates.append({"a": association_id, "t": table, "r": row_id, "b": bucket, "d": digest})
            entry = deltas.setdefault(association_id, {}).setdefault((table, bucket), [0, 0])
            entry[0] += 1
            entry[1] += digest
        from sqlalchemy import bindparam

        conn.execute(update(sync_row).where(
            sync_row.c.association_id == bindparam("a"), sync_row.c.table_name == bindparam("t"),
            sync_row.c.row_id == bindparam("r")).values(bucket=bindparam("b"), digest=bindparam("d")), updates)
        count += len(page)
        last = tuple(page[-1][:3])
    for association_id, per_bucket in deltas.items():
        add_to_buckets(conn, association_id, per_bucket)
    return count


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def bulk_load_rows(db_url: str, association_id: uuid.UUID,
                   rows: Iterable[tuple[str, uuid.UUID, dict[str, Any]]]) -> int:
    """Load many rows into a bound association fast (COPY on PostgreSQL), as pushes would store them.

    Each row is (table, row_id, wire-encoded fields of all columns). Every row gets version 1 and
    the next ``server_seq`` of the association's counter (locked for the whole load), exactly as
    one push inserting it would; rows are not merged, so they must be new. Returns the count.
    For benchmarks and first imports; the server may run meanwhile (pushes of the association wait).
    On PostgreSQL the table's statistics are refreshed afterwards (``ANALYZE``).
    """
    store = ServerStore(db_url)
    store.upgrade()
    count = 0
    try:
        with store.engine.begin() as conn:
            assoc = conn.execute(select(server_association.c.pk, server_association.c.seq)
                                 .where(server_association.c.association_id == association_id)
                                 .with_for_update()).first()
            if assoc is None:
                raise ServerError(404, "unknown_association", "الجمعية غير مرتبطة بالخادم بعد: سجّل جهازًا أولًا")
            seq = int(assoc.seq)

            tables = p.synced_tables()
            deltas: dict[tuple[str, int], list[int]] = {}

            def encoded() -> Iterator[tuple[str, uuid.UUID, int, int, bool, str, int, int]]:
                nonlocal seq, count
                for table, row_id, fields in rows:
                    seq += 1
                    count += 1
                    full = dict(fields)
                    full.update({"id": str(row_id), "version": 1, "server_seq": seq})
                    known = tables.get(table)
                    digest = p.row_digest(known, row_id, 1, full) if known is not None else 0
                    bucket = p.bucket_of(row_id)
                    entry = deltas.setdefault((table, bucket), [0, 0])
                    entry[0] += 1
                    entry[1] += digest
                    yield (table, row_id, 1, seq, full.get("deleted_at") is not None,
                           json.dumps(full, ensure_ascii=False, separators=(",", ":")), bucket, digest)

            if store.is_sqlite:
                batch: list[dict[str, Any]] = []
                for t, rid, v, s, d, f, b, h in encoded():
                    batch.append({"association_id": association_id, "table_name": t, "row_id": rid, "version": v,
                                  "server_seq": s, "deleted": d, "fields": json.loads(f), "meta": {},
                                  "bucket": b, "digest": h})
                    if len(batch) >= 5000:
                        conn.execute(insert(sync_row), batch)
                        batch = []
                if batch:
                    conn.execute(insert(sync_row), batch)
            else:
                raw = conn.connection.dbapi_connection
                assert raw is not None
                with raw.cursor() as cur, cur.copy(  # type: ignore[attr-defined]
                    "COPY sync_row (association_id, table_name, row_id, version, server_seq, deleted, fields, meta,"
                    " bucket, digest) FROM STDIN"
                ) as copy:
                    for t, rid, v, s, d, f, b, h in encoded():
                        copy.write_row((association_id, t, rid, v, s, d, f, "{}", b, h))
            add_to_buckets(conn, association_id, deltas)
            conn.execute(update(server_association).where(server_association.c.pk == assoc.pk).values(seq=seq))
        if not store.is_sqlite:  # fresh statistics for the planner after a bulk import
            with store.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE sync_row")
    finally:
        store.dispose()
    return count


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _claimed_author(m: p.Mutation, fields: Mapping[str, Any]) -> uuid.UUID | None:
    """Who the desk says wrote this mutation: an audit event's actor, else the mutation's `user_id`."""
    if m.table == "audit_event" and "actor_id" in fields:
        return _uuid_or_none(fields.get("actor_id"))
    return m.user_id


def _sign_in_of(m: p.Mutation, fields: Mapping[str, Any]) -> uuid.UUID | None:
    """The account a pushed `signed_in` audit event says signed in on the pushing desk, else None (whether it is
    proof is `desktop.server.sign_ins`' to say)."""
    return sign_in_actor(fields) if m.table == "audit_event" else None
