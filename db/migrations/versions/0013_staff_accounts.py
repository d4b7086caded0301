"""Staff accounts (issue 13): an account's roles, branch and PIN; this desk's PIN misses.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Frozen: this file must not import `db.models`. Three columns are added to ``app_user`` (batch mode; on SQLite
an ADD COLUMN does not copy the table): ``roles`` (a JSON list of role values; an account may hold several),
``branch`` and ``pin_hash`` (Argon2id, like ``password_hash``). Every existing account gets ``roles`` = [its
``role``], which stays its primary role for every earlier reader. That copy is derived on every PC by this same
revision, so the outbox is suppressed while it is written. ``desk_sign_in`` counts wrong PINs per account on
this PC and never syncs (no sync columns). The outbox triggers name every column of their table, so they are
recreated from the live schema at the end of both directions (`db.outbox.install_outbox_triggers`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.outbox import install_outbox_triggers, resume_outbox, suppress_outbox

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add roles, branch and pin_hash to app_user (roles = [role] for every row); create desk_sign_in."""
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roles", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("branch", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("pin_hash", sa.String(length=255), nullable=True))
    connection = op.get_bind().connection.driver_connection
    suppress_outbox(connection)  # type: ignore[arg-type]
    op.execute("UPDATE app_user SET roles = json_array(role) WHERE roles = '[]' AND role IS NOT NULL AND role != ''")
    resume_outbox(connection)  # type: ignore[arg-type]
    op.create_table(
        "desk_sign_in",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("pin_misses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_desk_sign_in")),
    )
    install_outbox_triggers(connection)  # type: ignore[arg-type]


def downgrade() -> None:
    """Drop desk_sign_in and the three columns (the roles beyond the primary one are lost)."""
    op.drop_table("desk_sign_in")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("pin_hash")
        batch_op.drop_column("branch")
        batch_op.drop_column("roles")
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]
