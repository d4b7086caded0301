"""Bucket checksums (incremental verification) and rotating, expiring device tokens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

``sync_row`` gains ``bucket`` (the last three hex digits of the row id, `protocol.bucket_of`) and
``digest`` (`protocol.row_digest`), indexed by (association, table, bucket) so one bucket's rows are
read without the table's. ``sync_bucket`` keeps per (association, table, bucket) the count and digest
sum of its rows, and bucket -1 the table's root; every write keeps them in the same transaction.
Existing rows are hashed here, in pages. ``server_device`` gains ``prev_token_hash`` (the token just
replaced, still accepted until the new one is first used) and ``token_issued_at``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime
from desktop.server.models import BigInt

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the bucket columns and table, hash every existing row; add the token columns."""
    with op.batch_alter_table("sync_row") as batch:
        batch.add_column(sa.Column("bucket", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("digest", BigInt, nullable=False, server_default="0"))
    op.create_index("ix_sync_row_association_id_table_name_bucket", "sync_row",
                    ["association_id", "table_name", "bucket"])
    op.create_table(
        "sync_bucket",
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", BigInt, nullable=False),
        sa.Column("total", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("association_id", "table_name", "bucket", name="pk_sync_bucket"),
    )
    op.create_index("ix_sync_bucket_association_id_bucket", "sync_bucket", ["association_id", "bucket"])
    with op.batch_alter_table("server_device") as batch:
        batch.add_column(sa.Column("prev_token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("token_issued_at", UtcDateTime(), nullable=True))
    from desktop.server.store import rehash_all_rows

    rehash_all_rows(op.get_bind())


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("server_device") as batch:
        batch.drop_column("token_issued_at")
        batch.drop_column("prev_token_hash")
    op.drop_index("ix_sync_bucket_association_id_bucket", table_name="sync_bucket")
    op.drop_table("sync_bucket")
    op.drop_index("ix_sync_row_association_id_table_name_bucket", table_name="sync_row")
    with op.batch_alter_table("sync_row") as batch:
        batch.drop_column("digest")
        batch.drop_column("bucket")
