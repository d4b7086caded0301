"""The erasure's lookups of a case's rows by JSON id use an index instead of reading the association's rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

`desktop.server.erasure` finds a case's rows of any table by ``fields->>'case_id'``, the audit events about them by
``fields->>'entity_id'``, a case's erasure by its ``case_id`` or ``beneficiary_id``, and the attachment rows
holding a file by ``sha256`` (an erased case's scans go once no live row holds them). On PostgreSQL these are
partial expression indexes (only the rows that have the key; the audit events' only over ``audit_event``), so a
lookup is an index scan (a BitmapOr with the primary key for "the case's rows, the case, the person"); the plans
are checked with EXPLAIN in tests/server/test_erasure_indexes.py. The SQLite trial server binds the JSON path as a
parameter, which no expression index matches: it keeps its scan (a trial holds one association's few rows).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, key, the partial index's condition beyond the key being present).
_INDEXES = (
    ("ix_sync_row_case_id", "case_id", None),
    ("ix_sync_row_audit_entity_id", "entity_id", "table_name = 'audit_event'"),
    ("ix_sync_row_erasure_beneficiary_id", "beneficiary_id", "table_name = 'erasure'"),
    ("ix_sync_row_attachment_sha256", "sha256", "table_name = 'attachment'"),
)


def upgrade() -> None:
    """Create the four indexes (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, key, condition in _INDEXES:
        where = f"(fields ->> '{key}') IS NOT NULL" + (f" AND {condition}" if condition else "")
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON sync_row (association_id, (fields ->> '{key}')) "
                   f"WHERE {where}")


def downgrade() -> None:
    """Drop them."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _key, _condition in _INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
