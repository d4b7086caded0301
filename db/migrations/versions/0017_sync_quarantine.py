"""Pulled rows this desk cannot store are set aside with their reason (issue 15): ``sync_quarantine``.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-05

Frozen: this file must not import `db.models`. A local table (no sync columns, never synced, no outbox
trigger); see `db.models.SyncQuarantine` and `desktop.sync.quarantine`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``sync_quarantine``."""
    op.create_table(
        "sync_quarantine",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("server_seq", sa.Integer(), nullable=False),
        sa.Column("row", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", name=op.f("pk_sync_quarantine")),
    )


def downgrade() -> None:
    """Drop ``sync_quarantine``."""
    op.drop_table("sync_quarantine")
