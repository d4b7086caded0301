"""Reception: drafts saved as the officer types, the rescue members roster and rescue reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Frozen: this file must not import `db.models`. Only new tables: nothing existing is copied,
so the FTS triggers and the append-only guards of 0001 are untouched. None of the new tables
is append-only (a draft is replaced as typed; a report gains its dispatch and closing times).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the reception draft, rescue member and rescue report tables."""
    op.create_table('rescue_member',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('available', sa.Boolean(), server_default=sa.text('1'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_rescue_member_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rescue_member'))
    )
    op.create_table('reception_draft',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('step_id', sa.String(length=64), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_reception_draft_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_draft'))
    )
    with op.batch_alter_table('reception_draft', schema=None) as batch_op:
        batch_op.create_index('uq_reception_draft_case_id_step_id', ['case_id', 'step_id'], unique=True)

    op.create_table('rescue_report',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('reporter_name', sa.String(length=200), nullable=False),
    sa.Column('reporter_phone', sa.String(length=20), nullable=True),
    sa.Column('platform', sa.String(length=32), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('escalation_note', sa.Text(), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(), nullable=True),
    sa.Column('dispatched_member_id', sa.Uuid(), nullable=True),
    sa.Column('nearest_member_id', sa.Uuid(), nullable=True),
    sa.Column('dispatch_override_reason', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('help_given', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_rescue_report_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['dispatched_member_id'], ['rescue_member.id'], name=op.f('fk_rescue_report_dispatched_member_id_rescue_member'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['nearest_member_id'], ['rescue_member.id'], name=op.f('fk_rescue_report_nearest_member_id_rescue_member'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rescue_report'))
    )
    with op.batch_alter_table('rescue_report', schema=None) as batch_op:
        batch_op.create_index('uq_rescue_report_case_id', ['case_id'], unique=True)


def downgrade() -> None:
    """Drop the three tables (only for development: their data is lost)."""
    with op.batch_alter_table('rescue_report', schema=None) as batch_op:
        batch_op.drop_index('uq_rescue_report_case_id')

    op.drop_table('rescue_report')
    with op.batch_alter_table('reception_draft', schema=None) as batch_op:
        batch_op.drop_index('uq_reception_draft_case_id_step_id')

    op.drop_table('reception_draft')
    op.drop_table('rescue_member')
