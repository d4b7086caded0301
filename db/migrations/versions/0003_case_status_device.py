"""Index cases by (status, device): the unfinished reception drafts of this PC are found without a scan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

On a database of 1.5 million cases the draft look-up at start-up read every draft case of every PC
(tens of thousands after a sync or a demo load) to keep this PC's; with this index it reads only its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the (status, device_id) index on case."""
    op.create_index("ix_case_status_device_id", "case", ["status", "device_id"], unique=False)


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_case_status_device_id", table_name="case")
