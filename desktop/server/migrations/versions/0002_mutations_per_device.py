"""Processed mutation ids are remembered per device: another device's id no longer silently drops a change.

Before, ``processed_mutation`` was keyed by the mutation id alone, across every association: a
device (of any association) sending an id already used elsewhere got "duplicate" and its change
was dropped (issue 15). The key becomes (device_id, mutation_id).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime
from desktop.server.models import JsonType

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "device_id, mutation_id, batch_id, result, processed_at"


def _rebuild(key: list[str]) -> None:
    """Copy the table into one keyed by `key` (the same on PostgreSQL and SQLite)."""
    op.create_table(
        "processed_mutation_next",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("result", JsonType, nullable=False),
        sa.Column("processed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name="pk_processed_mutation_next"),
    )
    op.execute(f"INSERT INTO processed_mutation_next ({_COLUMNS}) SELECT {_COLUMNS} FROM processed_mutation")
    op.drop_table("processed_mutation")
    op.rename_table("processed_mutation_next", "processed_mutation")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE processed_mutation RENAME CONSTRAINT pk_processed_mutation_next "
                   "TO pk_processed_mutation")


def upgrade() -> None:
    """Key processed mutations by (device, mutation id)."""
    _rebuild(["device_id", "mutation_id"])


def downgrade() -> None:
    """Back to one key per mutation id (fails if two devices used the same id)."""
    _rebuild(["mutation_id"])
