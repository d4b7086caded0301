"""Indexes for the case list, its filters and sorts on a million cases.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

Measured on the demo database of 1.5 million cases (tests/benchmarks/search.py): without them the
first page sorted newest first took 5.4 s (every case sorted), a channel with no case 1.8 s and open
referrals to me read every referral. Plain CREATE INDEX: no table is rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "answered_at IS NULL AND deleted_at IS NULL"
_NOT_PROVIDED = "provided = 0 AND deleted_at IS NULL"


def upgrade() -> None:
    """Create the case list's indexes."""
    op.create_index("ix_case_submitted_at", "case", ["submitted_at"], unique=False)
    op.create_index(
        "ix_case_status_submitted_at", "case", ["status", "submitted_at", "promised_decision_date"], unique=False
    )
    op.create_index("ix_case_channel_id", "case", ["channel_id"], unique=False)
    op.create_index("ix_case_case_kind_id", "case", ["case_kind_id"], unique=False)
    op.create_index(
        "ix_case_signature_pending",
        "case",
        ["submitted_at"],
        unique=False,
        sqlite_where=sa.text("signature_pending = 1"),
        postgresql_where=sa.text("signature_pending"),
    )
    op.create_index(
        "ix_referral_open",
        "referral",
        ["to_user_id", "to_role"],
        unique=False,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    op.create_index(
        "ix_required_document_missing",
        "required_document",
        ["case_id"],
        unique=False,
        sqlite_where=sa.text(_NOT_PROVIDED),
        postgresql_where=sa.text("NOT provided AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_required_document_missing", table_name="required_document")
    op.drop_index("ix_referral_open", table_name="referral")
    op.drop_index("ix_case_signature_pending", table_name="case")
    op.drop_index("ix_case_case_kind_id", table_name="case")
    op.drop_index("ix_case_channel_id", table_name="case")
    op.drop_index("ix_case_status_submitted_at", table_name="case")
    op.drop_index("ix_case_submitted_at", table_name="case")
