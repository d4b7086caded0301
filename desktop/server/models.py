"""The server's own tables (SQLAlchemy Core on its own MetaData, not `db.models.Base`).

* ``server_association``: one per association; ``seq`` is the counter row each push locks for its
  writes and commit only (``UPDATE … SET seq = seq + n RETURNING``, see `desktop.server.store`) to
  allocate ``server_seq`` values, so sequences commit in order.
  ``association_id`` is NULL ("unbound") until the first enrolment binds it to the desk's id.
* ``server_device``: enrolled PCs with the SHA-256 of their token (and of the one it replaced, until the
  new one is first used); revocable; idle tokens expire.
* ``enrollment_code``: one-time codes (stored hashed) that expire.
* ``sync_row``: every synced row of every table, schema-agnostic: ``fields`` (all columns, wire
  encoded, including id/version/server_seq), ``meta`` per field ``{column: {v, hlc, device, user, at}}``.
* ``sync_bucket``: per (association, table, bucket) the count and `row_digest` sum of its rows; bucket
  -1 is the table's root (incremental verification, kept in the writing transaction).
* ``sync_row_stale``: the rows written to ``sync_row`` by hand (an administrator's INSERT or UPDATE in psql that
  left ``digest`` as it was, or 0), marked by the triggers of server migration 0009; the server computes their
  digest and sums their buckets again before it answers a verification (`desktop.server.store`).
* ``processed_mutation``: mutation ids already applied, per device, with their result (idempotent push;
  another device's id, of this association or another, never answers for this one).
* ``server_attachment``: attachment bytes by (association, SHA-256).
* ``device_sign_in``: which accounts signed in on which device (from the desks' ``signed_in`` audit events as they
  are pushed, each proven as `desktop.server.sign_ins` says): the proof that lets a pushed row keep an author
  other than the pushing account.
* ``author_restamp``: every row whose claimed author the server replaced by the pushing account, and why.
* ``rate_bucket``: the rate limits' token buckets (`desktop.server.limits`), shared by every worker process:
  UNLOGGED on PostgreSQL (no WAL; emptied after a crash, which only forgives the limits).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB
from sqlalchemy.types import TypeEngine

from db.models import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The server's schema (its own Alembic migrations in desktop/server/migrations).
metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: JSON as JSONB on PostgreSQL, text JSON on SQLite.
JsonType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
BigInt: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
Bytes: TypeEngine[bytes] = LargeBinary().with_variant(BYTEA(), "postgresql")

server_association = Table(
    "server_association",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("association_id", Uuid, nullable=True, unique=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("seq", BigInt, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("bound_at", UtcDateTime, nullable=True),
)

server_device = Table(
    "server_device",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("association_pk", Integer, ForeignKey("server_association.pk"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("branch", String(80), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("case_number_prefix", String(16), nullable=False, unique=True),
    Column("enrolled_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_seen_at", UtcDateTime, nullable=True),
    Column("prev_token_hash", String(64), nullable=True),
    Column("token_issued_at", UtcDateTime, nullable=True),
)

enrollment_code = Table(
    "enrollment_code",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("association_pk", Integer, ForeignKey("server_association.pk"), nullable=False),
    Column("branch", String(80), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("device_id", Uuid, nullable=True),
)

sync_row = Table(
    "sync_row",
    metadata,
    Column("association_id", Uuid, primary_key=True),
    Column("table_name", String(64), primary_key=True),
    Column("row_id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("server_seq", BigInt, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("fields", JsonType, nullable=False),
    Column("meta", JsonType, nullable=False),
    Column("bucket", Integer, nullable=False, server_default="0"),
    Column("digest", BigInt, nullable=False, server_default="0"),
    Index("ix_sync_row_association_id_server_seq", "association_id", "server_seq", unique=True),
    Index("uq_sync_row_table_name_row_id", "table_name", "row_id", unique=True),
    Index("ix_sync_row_association_id_table_name_bucket", "association_id", "table_name", "bucket"),
)

#: The erasure's lookups by JSON id (`desktop.server.erasure`; server migration 0006): PostgreSQL only.
for _name, _key, _only in (("ix_sync_row_case_id", "case_id", None),
                           ("ix_sync_row_audit_entity_id", "entity_id", "audit_event"),
                           ("ix_sync_row_erasure_beneficiary_id", "beneficiary_id", "erasure"),
                           ("ix_sync_row_attachment_sha256", "sha256", "attachment")):
    Index(_name, sync_row.c.association_id, text(f"(fields ->> '{_key}')"),
          postgresql_where=text(f"(fields ->> '{_key}') IS NOT NULL"
                                + (f" AND table_name = '{_only}'" if _only else ""))).ddl_if(dialect="postgresql")

sync_row_stale = Table(
    "sync_row_stale",
    metadata,
    Column("association_id", Uuid, primary_key=True),
    Column("table_name", String(64), primary_key=True),
    Column("row_id", Uuid, primary_key=True),
)

sync_bucket = Table(
    "sync_bucket",
    metadata,
    Column("association_id", Uuid, primary_key=True),
    Column("table_name", String(64), primary_key=True),
    Column("bucket", Integer, primary_key=True),
    Column("count", BigInt, nullable=False),
    Column("total", BigInt, nullable=False),
    Index("ix_sync_bucket_association_id_bucket", "association_id", "bucket"),
)

processed_mutation = Table(
    "processed_mutation",
    metadata,
    Column("device_id", Uuid, primary_key=True),
    Column("mutation_id", Uuid, primary_key=True),
    Column("batch_id", Uuid, nullable=False),
    Column("result", JsonType, nullable=False),
    Column("processed_at", UtcDateTime, nullable=False),
)

server_attachment = Table(
    "server_attachment",
    metadata,
    Column("association_id", Uuid, primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInt, nullable=False),
    Column("content", Bytes, nullable=False),
    Column("stored_at", UtcDateTime, nullable=False),
)

device_sign_in = Table(
    "device_sign_in",
    metadata,
    Column("device_id", Uuid, primary_key=True),
    Column("account_id", Uuid, primary_key=True),
    Column("association_id", Uuid, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
)

author_restamp = Table(
    "author_restamp",
    metadata,
    Column("id", BigInt, primary_key=True, autoincrement=True),
    Column("association_id", Uuid, nullable=False),
    Column("device_id", Uuid, nullable=False),
    Column("mutation_id", Uuid, nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("row_id", Uuid, nullable=False),
    Column("claimed_id", Uuid, nullable=False),
    Column("stamped_id", Uuid, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_author_restamp_association_id_at", "association_id", "at"),
)

rate_bucket = Table(
    "rate_bucket",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("at", Float, nullable=False),
    Column("granted", Boolean, nullable=False),
)  # UNLOGGED on PostgreSQL: made so by its migration (0008)
