"""Incremental verification's bucket sums on the desk; the pinned server certificate; a revoked desk closed.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

Frozen: this file must not import `db.models`. ``sync_bucket`` keeps this desk's count and
`desktop.sync.protocol.row_digest` sum per (table, bucket) of the rows the server acknowledged, bucket
-1 being the table's root, as of the pull cursor ``sync_state.verified_seq``; it never syncs (no sync
columns) and is rebuilt from the rows whenever in doubt. ``sync_state`` gains ``verified_seq``,
``server_cert_sha256`` (the certificate fingerprint pinned at enrolment) and ``closed_at`` /
``closed_reason_ar`` (the server revoked this desk: its data is closed to users).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create sync_bucket; add the four sync_state columns."""
    op.create_table(
        "sync_bucket",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "bucket", name=op.f("pk_sync_bucket")),
    )
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("server_cert_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_reason_ar", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("closed_reason_ar")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("server_cert_sha256")
        batch_op.drop_column("verified_seq")
    op.drop_table("sync_bucket")
