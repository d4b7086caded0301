"""Sync on the desk: outbox, push batches, sync state, trigger switch, missing files, conflict records.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Only new tables: nothing existing is copied. The outbox triggers of every synced table are
created from the live schema by `db.outbox.install_outbox_triggers` (which reads ``PRAGMA
table_info`` and never imports `db.models`); a later revision that adds a synced table or copies
one (batch mode) must call it again at its end, since a copied table loses its triggers.
Rows already in the database are not put in the outbox here: the first enrolment queues every
row the server has not acknowledged (`desktop.sync.client.queue_unsynced_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.outbox import install_outbox_triggers

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the sync tables, the switch row and the outbox triggers."""
    op.create_table('sync_batch',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_batch'))
    )
    op.create_table('sync_conflict',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Uuid(), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('base_value', sa.JSON(), nullable=True),
    sa.Column('value_a', sa.JSON(), nullable=True),
    sa.Column('value_b', sa.JSON(), nullable=True),
    sa.Column('device_a', sa.Uuid(), nullable=True),
    sa.Column('device_b', sa.Uuid(), nullable=True),
    sa.Column('user_a', sa.Uuid(), nullable=True),
    sa.Column('user_b', sa.Uuid(), nullable=True),
    sa.Column('hlc_a', sa.String(length=40), nullable=True),
    sa.Column('hlc_b', sa.String(length=40), nullable=True),
    sa.Column('at_a', sa.DateTime(), nullable=True),
    sa.Column('at_b', sa.DateTime(), nullable=True),
    sa.Column('winner', sa.String(length=1), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolved_by', sa.Uuid(), nullable=True),
    sa.Column('resolution_value', sa.JSON(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflict'))
    )
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_index('ix_sync_conflict_status', ['status'], unique=False)

    op.create_table('sync_missing_file',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_path', sa.String(length=400), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_sync_missing_file'))
    )
    op.create_table('sync_outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Uuid(), nullable=False),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('columns', sa.Text(), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('state', sa.String(length=16), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('message_ar', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_sync_outbox'))
    )
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_sync_outbox_table_name_row_id', ['table_name', 'row_id'], unique=False)

    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_url', sa.String(length=400), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('association_id', sa.Uuid(), nullable=True),
    sa.Column('token_sha256', sa.String(length=64), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(), nullable=True),
    sa.Column('pull_after', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_hlc', sa.String(length=40), nullable=True),
    sa.Column('clock_offset_ms', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.Column('last_summary_at', sa.DateTime(), nullable=True),
    sa.Column('last_error_ar', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )
    op.create_table('sync_switch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suppressed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_switch'))
    )
    op.execute("INSERT INTO sync_switch (id, suppressed) VALUES (1, 0)")
    op.execute("INSERT INTO sync_state (id, pull_after, clock_offset_ms) VALUES (1, 0, 0)")
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]


def downgrade() -> None:
    """Drop the outbox triggers and the sync tables (only for development: their data is lost)."""
    bind = op.get_bind()
    for (name,) in bind.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_outbox_%'"
    ).fetchall():
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    op.drop_table('sync_switch')
    op.drop_table('sync_state')
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_outbox_table_name_row_id')
    op.drop_table('sync_outbox')
    op.drop_table('sync_missing_file')
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_conflict_status')
    op.drop_table('sync_conflict')
    op.drop_table('sync_batch')
