"""The sync server's first schema: associations, devices, enrolment codes, rows, processed mutations, attachments.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime
from desktop.server.models import BigInt, Bytes, JsonType

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the server's tables."""
    op.create_table(
        "server_association",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("association_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("seq", BigInt, nullable=False, server_default="0"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("bound_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_server_association"),
        sa.UniqueConstraint("association_id", name="uq_server_association_association_id"),
        sa.UniqueConstraint("name", name="uq_server_association_name"),
    )
    op.create_table(
        "server_device",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("association_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("branch", sa.String(80), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("case_number_prefix", sa.String(16), nullable=False),
        sa.Column("enrolled_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("last_seen_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_server_device"),
        sa.ForeignKeyConstraint(["association_pk"], ["server_association.pk"],
                                name="fk_server_device_association_pk_server_association"),
        sa.UniqueConstraint("token_hash", name="uq_server_device_token_hash"),
        sa.UniqueConstraint("case_number_prefix", name="uq_server_device_case_number_prefix"),
    )
    op.create_table(
        "enrollment_code",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("association_pk", sa.Integer(), nullable=False),
        sa.Column("branch", sa.String(80), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name="pk_enrollment_code"),
        sa.ForeignKeyConstraint(["association_pk"], ["server_association.pk"],
                                name="fk_enrollment_code_association_pk_server_association"),
    )
    op.create_table(
        "sync_row",
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("server_seq", BigInt, nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("fields", JsonType, nullable=False),
        sa.Column("meta", JsonType, nullable=False),
        sa.PrimaryKeyConstraint("association_id", "table_name", "row_id", name="pk_sync_row"),
    )
    op.create_index("ix_sync_row_association_id_server_seq", "sync_row", ["association_id", "server_seq"],
                    unique=True)
    op.create_index("uq_sync_row_table_name_row_id", "sync_row", ["table_name", "row_id"], unique=True)
    op.create_table(
        "processed_mutation",
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("result", JsonType, nullable=False),
        sa.Column("processed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("mutation_id", name="pk_processed_mutation"),
    )
    op.create_table(
        "server_attachment",
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", BigInt, nullable=False),
        sa.Column("content", Bytes, nullable=False),
        sa.Column("stored_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("association_id", "sha256", name="pk_server_attachment"),
    )


def downgrade() -> None:
    """Drop them."""
    for name in ("server_attachment", "processed_mutation", "sync_row", "enrollment_code",
                 "server_device", "server_association"):
        op.drop_table(name)
