"""The devices' names on sync conflict records, so a supervisor can tell which PC made each change.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

Frozen: this file must not import `db.models`. Two nullable columns added to ``sync_conflict``
(batch mode; on SQLite an ADD COLUMN does not copy the table). Records pulled before this
revision keep NULL there (the screen falls back to the device id). The outbox triggers name
every column of their table, so they are recreated from the live schema at the end of both
directions (`db.outbox.install_outbox_triggers`; the downgrade's DROP COLUMN copies the table).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.outbox import install_outbox_triggers

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add device_a_name and device_b_name to sync_conflict."""
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_a_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("device_b_name", sa.String(length=120), nullable=True))
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_column("device_b_name")
        batch_op.drop_column("device_a_name")
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]
