"""The sync wire protocol (version 1) shared by the server (`desktop.server`) and the desk's client.

Everything travels as JSON under ``/v1``. Every request except ``GET /v1/health`` carries the
headers ``X-Mustafid-Protocol: 1`` and ``X-Mustafid-Schema: <the desk's Alembic revision>``
(e.g. ``"0008"``); every request except health and enrol carries ``Authorization: Bearer <token>``.

Endpoints (request model → response model):

* ``GET  /v1/health`` → `HealthResponse`.
* ``POST /v1/enroll`` `EnrollRequest` → `EnrollResponse`. A code is single-use and expires. The
  server's association is "unbound" until its first enrolment, which binds it to the enrolling
  desk's ``association_id`` (the first PC keeps its data); later enrolments get the bound id back
  (a fresh PC re-keys its association row to it).
* ``POST /v1/push`` `PushRequest` → `PushResponse`: the whole batch in ONE transaction; each
  mutation id is remembered, so a resent batch answers ``"duplicate"`` (with the original
  ``version``/``server_seq``/``conflict_ids`` and ``original_status``) and changes nothing.
* ``GET  /v1/pull?after=<seq>&limit=<n ≤ PAGE_LIMIT_MAX>`` → `PullResponse` ordered by ``server_seq``.
  The client stores ``next_after`` as its cursor in the same transaction as the applied page and
  repeats while ``has_more``.
* ``POST /v1/attachments/missing`` `MissingRequest` → `MissingResponse`;
  ``PUT /v1/attachments/{sha256}`` raw bytes → 201 (422 when the bytes' SHA-256 differs: nothing
  stored); ``GET /v1/attachments/{sha256}`` → the bytes (404 when absent).
* ``GET  /v1/summary`` → `SummaryResponse`: per table the count and `summary_hash` of its rows
  (deleted ones included); the client compares with `summary_hash` over its own rows.
* ``GET  /v1/rows?table=T&after_id=<uuid>&limit=<n>[&bucket=<b>]`` → `RowsResponse`: full rows of one
  table ordered by id (a targeted resync after a summary mismatch); with ``bucket`` only the rows of
  that bucket (`bucket_of`); with ``upto=<seq>`` rows whose ``server_seq`` is past it come with empty
  ``fields`` (the desk's next pull brings them: only their existence is told).
* ``GET  /v1/checksums`` → `ChecksumsResponse`: per table the count and `row_digest` sum of its rows
  (the roots) and the association's ``head_seq``; ``GET /v1/checksums?table=T&prefix=<0-2 hex>`` →
  the 16 children of that prefix (``prefix`` "" → "0".."f", "a" → "a0".."af", "ab" → buckets
  "ab0".."abf"), so a desk descends top-down to the buckets that differ (incremental verification);
  ``?table=T&buckets=all`` → every bucket of the table by its full key (a desk after its first sync).

Device tokens rotate: an authenticated answer may carry ``X-Mustafid-Token: <new token>``
(`HEADER_TOKEN`); the desk keeps it and uses it from then on (the old one is accepted until the new
one is first used). A token unused for the server's idle period is refused (401 ``token_expired``).

Errors are `ErrorResponse` ``{"error": code, "message_ar": ...}`` with 400 malformed JSON, 401
unknown/wrong/expired credential or enrolment code, 403 revoked device or a row of another association,
404 unknown attachment, 413 oversized batch/body, 422 wrong types (also a field value of the wrong
type for its column), 426 unknown protocol or a desk schema older than the server's minimum.
Nothing is applied on any error.

Rows on the wire: ``fields`` maps column names to JSON values encoded by `encode_value` from the
SQLAlchemy column types of `db.models` (uuid → canonical string with dashes, datetime → ISO 8601
in UTC with ``+00:00``, date → ``YYYY-MM-DD``, Money/Decimal → string like ``"12.50"``, JSON as is).
In a push, ``fields`` of an update holds only the columns changed locally; of an insert, all
columns. ``id``, ``version`` and ``server_seq`` in pushed fields are ignored (the server assigns
them); ``hlc``, ``device_id`` and ``updated_by`` are taken from the mutation and the authenticated
device; ``deleted_at`` is set by ``op: "delete"`` (the desk's deletion time may be given in
``fields["deleted_at"]``) and cleared by an upsert with ``"deleted_at": null`` based on the
version that deleted it (a restore). Pulled ``fields`` hold every column, including ``id``,
``version`` and ``server_seq``, so ``decode_fields(table, fields)`` is a complete row.

Merge on the server (three-way, against ``base_version``; ``null`` = a row created on the desk):

* A field not changed on the server since the base applies; a field whose server value equals the
  incoming one is nothing; otherwise it is a CONFLICT: the provisional winner is the greater
  ``(hlc, device_id)`` pair (so every PC converges whatever the arrival order) and one
  ``sync_conflict`` row records both values, users, devices (ids and names), HLCs and times.
* Bookkeeping columns (`UNMERGED_COLUMNS`) never conflict: ``hlc``/``device_id``/``updated_by``/
  ``updated_at`` are those of the greatest ``(hlc, device_id)`` change; ``created_at`` keeps the first.
* Domain rules first: ``case.status`` moves only along ``desktop.cases.states.TRANSITIONS`` — a
  status allowed from the current one applies without conflict; one that cannot follow is not
  applied and becomes a conflict record (winner ``"a"``, the current status kept). Tables in
  ``db.models.APPEND_ONLY_TABLES`` are insert-only: inserts never conflict, updates and deletes are
  ``"rejected"`` (step completions therefore stay completed).
* Delete against edit (a delete based on a version older than an edit, or an edit based on a
  version before the delete): the DELETE is the provisional winner in both arrival orders; the
  edit's field values are still merged into the (deleted) row, so nothing is lost, and one conflict
  record on field ``deleted_at`` lets a supervisor restore the row (an upsert with
  ``"deleted_at": null`` based on the current version).
* Unknown table or column → that mutation ``"rejected"`` with ``message_ar``; the others apply.

Mutation statuses: ``applied`` (based on the current version, or nothing changed), ``merged``
(based on an older version, no field conflicted), ``conflict`` (``conflict_ids`` lists the new
``sync_conflict`` rows, which come back by pull), ``duplicate``, ``rejected``. After ``conflict``
or ``merged`` the row's server state differs from the desk's: pull brings it back.

HLC strings (`format_hlc`) are fixed width, so string order is time order; `HybridLogicalClock`
generates them on the desk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Column, Date, DateTime, MetaData, String, Table, Text, Uuid
from sqlalchemy.types import Boolean, Float, Integer, TypeEngine

__all__ = [
    "ACCOUNT_REQUIRED_SCHEMA",
    "DEVICE_LABEL_MAX",
    "HEADER_PROTOCOL",
    "HEADER_SCHEMA",
    "HEADER_APP_VERSION",
    "HEADER_TOKEN",
    "MAX_ATTACHMENT_BYTES",
    "MAX_BATCH_MUTATIONS",
    "MAX_BODY_BYTES",
    "PAGE_LIMIT_DEFAULT",
    "PAGE_LIMIT_MAX",
    "PROTOCOL_VERSION",
    "SERVER_ASSIGNED_COLUMNS",
    "SYNC_CONFLICT_TABLE",
    "SYNC_CONFLICT_TABLE_NAME",
    "UNMERGED_COLUMNS",
    "EnrollRequest",
    "EnrollResponse",
    "ErrorResponse",
    "HealthResponse",
    "HybridLogicalClock",
    "MissingRequest",
    "MissingResponse",
    "Mutation",
    "MutationResult",
    "MutationStatus",
    "PullResponse",
    "PulledRow",
    "PushRequest",
    "PushResponse",
    "RowsResponse",
    "SummaryResponse",
    "TableSummary",
    "WireValueError",
    "BUCKET_COUNT",
    "BUCKET_DIGITS",
    "NOT_CONTENT_COLUMNS",
    "BucketSum",
    "ChecksumsResponse",
    "bucket_of",
    "digest_columns",
    "digest_of",
    "canonical_value",
    "certificate_fingerprint",
    "fingerprint_text",
    "row_digest",
    "column_kind",
    "decode_fields",
    "dumps",
    "decode_value",
    "encode_fields",
    "encode_value",
    "format_hlc",
    "parse_hlc",
    "summary_hash",
    "synced_tables",
]

#: The protocol this code speaks (header ``X-Mustafid-Protocol``).
PROTOCOL_VERSION = 1
HEADER_PROTOCOL = "X-Mustafid-Protocol"
HEADER_SCHEMA = "X-Mustafid-Schema"
#: The desk's release (``desktop.version``), sent with every request; optional: a desk without it is served
#: as before, and the server names it in its request log. The server's own is `HealthResponse.app_version`.
HEADER_APP_VERSION = "X-Mustafid-App-Version"
#: An answer carrying this header gives the device its new token (rotation): use it from the next request on.
HEADER_TOKEN = "X-Mustafid-Token"

#: At most this many mutations in one push batch (413 beyond).
MAX_BATCH_MUTATIONS = 500
#: At most this many bytes in one request body (413 beyond).
MAX_BODY_BYTES = 8 * 1024 * 1024
#: At most this many bytes in one attachment upload (413 beyond).
MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024
#: Pull and rows page sizes.
PAGE_LIMIT_MAX = 5000
PAGE_LIMIT_DEFAULT = 1000

#: Columns the server assigns itself (ignored in pushed fields).
SERVER_ASSIGNED_COLUMNS: frozenset[str] = frozenset({"id", "version", "server_seq"})
#: Bookkeeping columns that never conflict (see the module docstring).
UNMERGED_COLUMNS: frozenset[str] = frozenset(
    {"hlc", "device_id", "updated_by", "updated_at", "created_at", "deleted_at"}
)

# --------------------------------------------------------------------------- the conflict record

SYNC_CONFLICT_TABLE_NAME = "sync_conflict"
#: The longest device label (name and branch) a conflict record carries; longer ones end in "…".
DEVICE_LABEL_MAX = 120

_conflict_metadata = MetaData()

#: The columns of a conflict record as it travels (the desk's local table mirrors them, plus the
#: usual sync columns). Values (base/a/b/resolution) are wire-encoded values of the target column.
#: ``device_a_name``/``device_b_name`` (optional: records made before desk schema 0008 lack them)
#: are the enrolled devices' names as the server knew them when it made the record, with the
#: branch in parentheses when the device has one, e.g. «مكتب الاستقبال 1 (الرياض)».
SYNC_CONFLICT_TABLE = Table(
    SYNC_CONFLICT_TABLE_NAME,
    _conflict_metadata,
    Column("id", Uuid, primary_key=True),
    Column("table_name", String(64)),
    Column("row_id", Uuid),
    Column("field", String(64)),
    Column("base_value", JSON),
    Column("value_a", JSON),
    Column("value_b", JSON),
    Column("device_a", Uuid),
    Column("device_b", Uuid),
    Column("device_a_name", String(DEVICE_LABEL_MAX)),
    Column("device_b_name", String(DEVICE_LABEL_MAX)),
    Column("user_a", Uuid),
    Column("user_b", Uuid),
    Column("hlc_a", String(40)),
    Column("hlc_b", String(40)),
    Column("at_a", DateTime),
    Column("at_b", DateTime),
    Column("winner", String(1)),
    Column("status", String(16)),
    Column("resolved_by", Uuid),
    Column("resolution_value", JSON),
    Column("resolved_at", DateTime),
    Column("version", Integer),
    Column("server_seq", Integer),
    Column("hlc", String(40)),
    Column("device_id", Uuid),
    Column("updated_by", Uuid),
    Column("deleted_at", DateTime),
    Column("created_at", DateTime),
    Column("updated_at", DateTime),
)


def synced_tables() -> dict[str, Table]:
    """Every table that syncs: the `db.models` tables carrying all sync columns, plus ``sync_conflict``."""
    from db.models import SYNC_COLUMN_NAMES, Base

    tables: dict[str, Table] = {}
    for table in Base.metadata.sorted_tables:
        if all(name in table.c for name in SYNC_COLUMN_NAMES):
            tables[table.name] = table
    tables.setdefault(SYNC_CONFLICT_TABLE_NAME, SYNC_CONFLICT_TABLE)
    return tables


# --------------------------------------------------------------------------- value encoding


class WireValueError(ValueError):
    """A wire value that does not fit its column's type (the server answers 422)."""


def column_kind(column_type: TypeEngine[Any]) -> str:
    """The kind of a SQLAlchemy type, the same on the wire and in the desk's storage forms: uuid, datetime, date,
    decimal, bool, int, float, json, str."""
    from db.models import Money

    if isinstance(column_type, Money):
        return "decimal"
    impl = getattr(column_type, "impl_instance", None) or getattr(column_type, "impl", column_type)
    for candidate in (column_type, impl):
        if isinstance(candidate, Uuid):
            return "uuid"
        if isinstance(candidate, DateTime):
            return "datetime"
        if isinstance(candidate, Date):
            return "date"
        if isinstance(candidate, Boolean):
            return "bool"
        if isinstance(candidate, Integer):
            return "int"
        if isinstance(candidate, Float):
            return "float"
        if isinstance(candidate, JSON):
            return "json"
        if isinstance(candidate, (String, Text)):
            return "str"
    return "json"


def encode_value(column_type: TypeEngine[Any], value: Any, *, kind: str | None = None) -> Any:
    """Encode a Python value of a column for the wire (None stays None); `kind` when already known."""
    if value is None:
        return None
    kind = kind or column_kind(column_type)
    if kind == "uuid":
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if kind == "datetime":
        if not isinstance(value, dt.datetime):
            raise WireValueError(f"not a datetime: {value!r}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if kind == "date":
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise WireValueError(f"not a date: {value!r}")
        return value.isoformat()
    if kind == "decimal":
        return str(Decimal(value).quantize(Decimal("0.01")))
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value


def decode_value(column_type: TypeEngine[Any], value: Any, *, kind: str | None = None) -> Any:
    """Decode a wire value into the Python value of a column; `WireValueError` when it does not fit."""
    if value is None:
        return None
    kind = kind or column_kind(column_type)
    try:
        if kind == "uuid":
            if not isinstance(value, str):
                raise WireValueError(f"uuid expected, got {value!r}")
            return uuid.UUID(value)
        if kind == "datetime":
            if not isinstance(value, str):
                raise WireValueError(f"datetime expected, got {value!r}")
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment.astimezone(dt.UTC)
        if kind == "date":
            if not isinstance(value, str):
                raise WireValueError(f"date expected, got {value!r}")
            return dt.date.fromisoformat(value)
        if kind == "decimal":
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise WireValueError(f"amount expected, got {value!r}")
            return Decimal(str(value)).quantize(Decimal("0.01"))
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise WireValueError(f"boolean expected, got {value!r}")
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise WireValueError(f"integer expected, got {value!r}")
            return value
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise WireValueError(f"number expected, got {value!r}")
            return float(value)
        if kind == "str":
            if not isinstance(value, str):
                raise WireValueError(f"text expected, got {value!r}")
            return value
        return value
    except (ValueError, InvalidOperation, OverflowError) as exc:  # overflow: a time past year 9999 in UTC
        if isinstance(exc, WireValueError):
            raise
        raise WireValueError(str(exc)) from None


def canonical_value(column_type: TypeEngine[Any], value: Any) -> Any:
    """The one wire form of a value (decode then encode), so equal values compare equal."""
    return encode_value(column_type, decode_value(column_type, value))


def encode_fields(table: Table, row: Mapping[str, Any], columns: Iterable[str] | None = None) -> dict[str, Any]:
    """Encode the given columns (all of the table's by default) of a row mapping for the wire."""
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    return {name: encode_value(table.c[name].type, row[name]) for name in names}


def decode_fields(table: Table, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Decode wire fields into Python values of the table's columns (unknown columns are skipped)."""
    return {name: decode_value(table.c[name].type, value) for name, value in fields.items() if name in table.c}


_HEX = frozenset("0123456789abcdef")


def _canonical_id(row_id: uuid.UUID | str) -> str:
    """The canonical uuid text (lowercase, with dashes) of a uuid or its 32-hex / 36-character text."""
    if type(row_id) is str:
        if len(row_id) == 32 and _HEX.issuperset(row_id):
            return f"{row_id[:8]}-{row_id[8:12]}-{row_id[12:16]}-{row_id[16:20]}-{row_id[20:]}"
        if len(row_id) == 36 and _HEX.issuperset(row_id.replace("-", "")) and row_id[8] == row_id[13] == "-":
            return str(uuid.UUID(row_id)) if row_id[18] != "-" or row_id[23] != "-" else row_id
    return str(uuid.UUID(str(row_id)))


def summary_hash(rows: Iterable[tuple[uuid.UUID | str, int]]) -> str:
    """SHA-256 hex of the sorted lines ``"<row_id>:<version>\\n"`` (row ids as canonical uuid strings)."""
    hexdigits = _HEX
    lines = sorted([
        f"{r[:8]}-{r[8:12]}-{r[12:16]}-{r[16:20]}-{r[20:]}:{int(v)}\n"
        if type(r) is str and len(r) == 32 and hexdigits.issuperset(r) else f"{_canonical_id(r)}:{int(v)}\n"
        for r, v in rows
    ])
    return hashlib.sha256("".join(lines).encode("ascii")).hexdigest()


# --------------------------------------------------------------------------- bucket checksums

#: A row's bucket is the last `BUCKET_DIGITS` hex digits of its id (uuid7 ids end in random bits, so
#: buckets fill evenly): 4,096 buckets per table, ~250 rows each at a million rows.
BUCKET_DIGITS = 3
BUCKET_COUNT = 16 ** BUCKET_DIGITS
#: Columns a row digest leaves out: bookkeeping (server-assigned, or merged by their own rule; the
#: version is hashed on its own), and per table what another check guards (the audit chain).
NOT_CONTENT_COLUMNS: frozenset[str] = SERVER_ASSIGNED_COLUMNS | UNMERGED_COLUMNS
_NOT_CONTENT_OF: dict[str, frozenset[str]] = {"audit_event": frozenset({"chain_seq", "prev_hash", "hash"})}
_DIGEST_COLUMNS: dict[str, list[tuple[str, str, TypeEngine[Any]]]] = {}


def bucket_of(row_id: uuid.UUID | str) -> int:
    """The bucket (0 … `BUCKET_COUNT` - 1) of a row id (a uuid, its 32-hex or its 36-character text)."""
    text = row_id.hex if isinstance(row_id, uuid.UUID) else str(row_id)
    return int(text[-BUCKET_DIGITS:], 16)


def digest_columns(table: Table) -> list[tuple[str, str, TypeEngine[Any]]]:
    """(name, kind, type) of the columns a row digest covers, in name order (cached per table)."""
    columns = _DIGEST_COLUMNS.get(table.name)
    if columns is None:
        skip = NOT_CONTENT_COLUMNS | _NOT_CONTENT_OF.get(table.name, frozenset())
        columns = _DIGEST_COLUMNS[table.name] = [
            (c.name, column_kind(c.type), c.type) for c in sorted(table.columns, key=lambda c: c.name)
            if c.name not in skip]
    return columns


def digest_of(row_id: uuid.UUID | str, version: int, content: list[Any]) -> int:
    """The 40-bit digest of a row's id, version and canonical content values (in `digest_columns` order)."""
    text = f"{_canonical_id(row_id)}:{int(version)}:" + json.dumps(
        content, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:5], "big")


def row_digest(table: Table, row_id: uuid.UUID | str, version: int, fields: Mapping[str, Any]) -> int:
    """A 40-bit digest of one row: its id, version and content in canonical wire form.

    Both sides compute it: the server from its stored wire ``fields``, the desk from its storage
    row encoded for the wire. Sums of 40-bit digests stay within a signed 64-bit integer for up to
    eight million rows, so bucket sums are plain additions on both sides (order does not matter).
    A value that does not decode (a row tampered with) is hashed as it stands: it still differs.
    """
    content: list[Any] = []
    for name, kind, column_type in digest_columns(table):
        value = fields.get(name)
        if value is not None:
            try:
                value = encode_value(column_type, decode_value(column_type, value, kind=kind), kind=kind)
            except WireValueError:
                value = ["undecodable", repr(value)]
        content.append(value)
    return digest_of(row_id, version, content)


# --------------------------------------------------------------------------- TLS certificate fingerprints


def certificate_fingerprint(der: bytes) -> str:
    """The SHA-256 of a certificate's DER bytes as 64 lowercase hex digits (what a desk pins at enrolment)."""
    return hashlib.sha256(der).hexdigest()


def fingerprint_text(fingerprint: str) -> str:
    """A fingerprint as an administrator compares it: pairs of upper-case hex digits separated by colons."""
    value = fingerprint.replace(":", "").upper()
    return ":".join(value[i:i + 2] for i in range(0, len(value), 2))


# --------------------------------------------------------------------------- hybrid logical clock

_HLC_MILLIS_WIDTH = 15
_HLC_COUNTER_WIDTH = 6


def format_hlc(millis: int, counter: int) -> str:
    """An HLC string ``"<15-digit ms since epoch>-<6-digit counter>"``: string order = clock order."""
    return f"{millis:0{_HLC_MILLIS_WIDTH}d}-{counter:0{_HLC_COUNTER_WIDTH}d}"


def parse_hlc(value: str) -> tuple[int, int]:
    """The (milliseconds, counter) of an HLC string made by `format_hlc`."""
    millis, _, counter = value.partition("-")
    return int(millis), int(counter)


class HybridLogicalClock:
    """A hybrid logical clock: monotonic even if the wall clock goes back; `observe` merges remote HLCs."""

    def __init__(self, last: str | None = None, wall_ms: Any = None) -> None:
        self._millis, self._counter = parse_hlc(last) if last else (0, 0)
        self._wall_ms = wall_ms or (lambda: int(time.time() * 1000))
        self._lock = threading.Lock()

    def now(self) -> str:
        """The next HLC value for a local change."""
        with self._lock:
            wall = int(self._wall_ms())
            if wall > self._millis:
                self._millis, self._counter = wall, 0
            else:
                self._counter += 1
            return format_hlc(self._millis, self._counter)

    def observe(self, remote: str) -> None:
        """Move past a remote HLC seen in a pulled row, so later local changes order after it."""
        millis, counter = parse_hlc(remote)
        with self._lock:
            if (millis, counter) > (self._millis, self._counter):
                self._millis, self._counter = millis, counter


# --------------------------------------------------------------------------- messages


#: The desk schema from which a push must name its signed-in account (`PushRequest.account_id`).
ACCOUNT_REQUIRED_SCHEMA = "0012"


class _Model(BaseModel):
    """Strict-ish base: unknown keys refused, so a typo is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorResponse(_Model):
    """Every error: a stable code and one clear Arabic sentence."""

    error: str
    message_ar: str


class HealthResponse(_Model):
    """``GET /v1/health``."""

    status: Literal["ok"] = "ok"
    protocol: int = PROTOCOL_VERSION
    server_schema: str
    min_client_schema: str
    #: The server's release; absent (None) from a server older than the field.
    app_version: str | None = None


class EnrollRequest(_Model):
    """``POST /v1/enroll``: exchange a one-time code for a device credential."""

    code: str = Field(min_length=1, max_length=64)
    device_name: str = Field(min_length=1, max_length=200)
    branch: str | None = Field(default=None, max_length=80)
    association_id: uuid.UUID | None = None
    association_name: str | None = Field(default=None, max_length=200)


class EnrollResponse(_Model):
    """The device credential: keep ``token`` secret (the server keeps only its SHA-256)."""

    device_id: uuid.UUID
    token: str
    association_id: uuid.UUID
    association_name: str
    case_number_prefix: str


class Mutation(_Model):
    """One local change: an upsert (insert or update of some fields) or a soft delete of one row."""

    mutation_id: uuid.UUID
    table: str = Field(min_length=1, max_length=64)
    row_id: uuid.UUID
    op: Literal["upsert", "delete"]
    base_version: int | None = Field(default=None, ge=0)
    fields: dict[str, Any] = Field(default_factory=dict)
    hlc: str = Field(min_length=1, max_length=40)
    user_id: uuid.UUID | None = None


class PushRequest(_Model):
    """``POST /v1/push``: at most `MAX_BATCH_MUTATIONS` mutations applied in one transaction.

    `account_id` is the account signed in on the pushing desk (an ``app_user`` row). A desk of schema
    `ACCOUNT_REQUIRED_SCHEMA` or later must name it; the server checks it against the accounts of the
    device's association (unknown, disabled or of another association: 403, nothing applied; an account
    created in the same batch counts). Each mutation names its own author (`Mutation.user_id`, an audit
    event's ``actor_id``): kept as the row's ``updated_by`` when it is that account, or an active account of
    the association that signed in on the pushing device (a ``signed_in`` audit event pushed by it before or
    in this batch that is a link of the device's audit hash chain following what the server holds,
    `desktop.server.sign_ins`: two officers sharing a PC offline keep their own rows); any other is re-stamped to the
    pushing account (an audit event: ``actor_id`` = the account, the claimed one in ``claimed_actor_id``,
    ``restamped_at`` the server's time) and the re-stamp recorded in the server's ``author_restamp``. Older
    desks send none: their rows keep the mutation's ``user_id`` (raise the server's minimum schema to refuse
    them).
    """

    batch_id: uuid.UUID
    mutations: list[Mutation]
    account_id: uuid.UUID | None = None


MutationStatus = Literal["applied", "merged", "conflict", "duplicate", "rejected"]


class MutationResult(_Model):
    """The server's answer for one mutation (``version``/``server_seq`` of the row after it)."""

    mutation_id: uuid.UUID
    status: MutationStatus
    version: int | None = None
    server_seq: int | None = None
    conflict_ids: list[uuid.UUID] = Field(default_factory=list)
    message_ar: str | None = None
    original_status: MutationStatus | None = None


class PushResponse(_Model):
    """Results in the order of the pushed mutations."""

    results: list[MutationResult]


class PulledRow(_Model):
    """One row as the server holds it: ``fields`` has every column (encoded)."""

    table: str
    row_id: uuid.UUID
    version: int
    server_seq: int
    deleted: bool
    fields: dict[str, Any]


class PullResponse(_Model):
    """``GET /v1/pull``: rows with ``server_seq > after`` in order; store ``next_after`` as the cursor."""

    rows: list[PulledRow]
    next_after: int
    has_more: bool
    head_seq: int


class MissingRequest(_Model):
    """``POST /v1/attachments/missing``: the hashes the desk holds."""

    sha256: list[str] = Field(max_length=10000)


class MissingResponse(_Model):
    """The hashes the server lacks (upload these)."""

    missing: list[str]


class TableSummary(_Model):
    """Count and `summary_hash` of one table's rows of the association."""

    count: int
    hash: str


class SummaryResponse(_Model):
    """``GET /v1/summary``: tables with no row are absent."""

    tables: dict[str, TableSummary]


class BucketSum(_Model):
    """Count and `row_digest` sum of the rows under one key (a table, a prefix or a bucket)."""

    count: int
    total: int


class ChecksumsResponse(_Model):
    """``GET /v1/checksums``: roots per table (``table`` absent) or the children of one prefix.

    Keys absent from ``sums`` hold no row. ``head_seq`` is the association's head when they were read.
    """

    head_seq: int
    sums: dict[str, BucketSum]


class RowsResponse(_Model):
    """``GET /v1/rows``: full rows of one table ordered by id; continue with ``after_id=next_after_id``."""

    rows: list[PulledRow]
    next_after_id: uuid.UUID | None
    has_more: bool


def dumps(model: BaseModel) -> bytes:
    """The JSON body of a message (UTF-8, Arabic kept readable)."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")).encode()
