"""Each pushed row keeps its own author when that account signed in on the pushing device.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-05

``device_sign_in`` holds which accounts signed in on which device, filled from the desks' ``signed_in`` audit
events as they are pushed (and here from those the server already holds); ``author_restamp`` records every row
whose claimed author the server replaced by the pushing account, with the reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime
from desktop.server.models import BigInt

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create both tables; record the sign-ins of the audit events already held."""
    op.create_table(
        "device_sign_in",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("first_seen_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "account_id", name="pk_device_sign_in"),
    )
    op.create_table(
        "author_restamp",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("claimed_id", sa.Uuid(), nullable=False),
        sa.Column("stamped_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_author_restamp"),
    )
    op.create_index("ix_author_restamp_association_id_at", "author_restamp", ["association_id", "at"])
    _backfill()


def _backfill() -> None:
    """One `device_sign_in` per (device, account) of the `signed_in` events the server already holds."""
    from desktop.server.models import device_sign_in, sync_row

    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    seen: dict[tuple[uuid.UUID, uuid.UUID], dict[str, object]] = {}
    for association_id, fields in bind.execute(
        sa.select(sync_row.c.association_id, sync_row.c.fields).where(sync_row.c.table_name == "audit_event")
    ):
        if not isinstance(fields, dict) or fields.get("action") != "signed_in":
            continue
        try:
            device, account = uuid.UUID(str(fields["device_id"])), uuid.UUID(str(fields["actor_id"]))
        except (KeyError, ValueError):
            continue
        seen.setdefault((device, account), {
            "device_id": device, "account_id": account, "association_id": association_id,
            "first_seen_at": now,
        })
    for row in seen.values():
        bind.execute(sa.insert(device_sign_in).values(**row))


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_author_restamp_association_id_at", table_name="author_restamp")
    op.drop_table("author_restamp")
    op.drop_table("device_sign_in")
