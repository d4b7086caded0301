"""The rate limits' token buckets in the database, so every worker process counts against the same limit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

``rate_bucket`` holds one token bucket per (kind, key): enrolment attempts and authentication failures per
client address, requests per device (`desktop.server.limits`). UNLOGGED on PostgreSQL: no WAL is written for
its updates, and after a crash it is empty again, which only forgives the limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the bucket table (UNLOGGED on PostgreSQL)."""
    unlogged = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "rate_bucket",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_rate_bucket"),
        prefixes=["UNLOGGED"] if unlogged else [],
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("rate_bucket")
