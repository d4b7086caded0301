"""Initial schema: every table, the beneficiary name search index (FTS5) and append-only guards.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Frozen: this file must not import `db.models` (models change, a revision does not). Column
types are the storage types: timestamps DATETIME text (UTC), money INTEGER halalas.

Beware in later revisions: a batch operation (table copy) on ``beneficiary`` drops the FTS
triggers and renumbers rowids; such a revision must recreate the triggers and run
``INSERT INTO beneficiary_fts(beneficiary_fts) VALUES('rebuild')``. The same holds for the
append-only triggers of a table it copies.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create every table, then the search index and the append-only guards."""
    op.create_table('attachment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('stored_path', sa.String(length=400), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('sha256', name=op.f('uq_attachment_sha256'))
    )
    op.create_table('association',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('licence_number', sa.String(length=32), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('profile_id', sa.String(length=64), nullable=False),
    sa.Column('logo_attachment_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['logo_attachment_id'], ['attachment.id'], name=op.f('fk_association_logo_attachment_id_attachment'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association'))
    )
    op.create_table('app_user',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('1'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_app_user_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index('uq_app_user_username_live', ['username'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'))

    op.create_table('audit_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_audit_event_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_event_entity_entity_id', ['entity', 'entity_id'], unique=False)

    op.create_table('beneficiary',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=10), nullable=False),
    sa.Column('id_kind', sa.String(length=16), nullable=False),
    sa.Column('id_expiry', sa.Date(), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('mobile', sa.String(length=13), nullable=True),
    sa.Column('phone_key', sa.String(length=9), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_beneficiary_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary'))
    )
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.create_index('ix_beneficiary_name_key', ['name_key'], unique=False)
        batch_op.create_index('ix_beneficiary_phone_key', ['phone_key'], unique=False)
        batch_op.create_index('uq_beneficiary_id_number_live', ['id_number'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'))

    op.create_table('device',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('branch', sa.String(length=80), nullable=True),
    sa.Column('case_number_prefix', sa.String(length=16), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_device_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device')),
    sa.UniqueConstraint('case_number_prefix', name=op.f('uq_device_case_number_prefix'))
    )
    op.create_table('policy_version',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('profile_id', sa.String(length=64), nullable=False),
    sa.Column('version_label', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('approved_meeting', sa.String(length=120), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approved_on_hijri', sa.String(length=10), nullable=True),
    sa.Column('adopted_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_policy_version_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_version'))
    )
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.create_index('uq_policy_version_profile_version', ['association_id', 'profile_id', 'version_label'], unique=True)

    op.create_table('case',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=True),
    sa.Column('policy_version_id', sa.Uuid(), nullable=False),
    sa.Column('channel_id', sa.String(length=64), nullable=False),
    sa.Column('case_kind_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('officer_id', sa.Uuid(), nullable=True),
    sa.Column('branch', sa.String(length=80), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('promised_decision_date', sa.Date(), nullable=True),
    sa.Column('signature_pending', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('current_step_id', sa.String(length=64), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_case_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_case_beneficiary_id_beneficiary'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['app_user.id'], name=op.f('fk_case_officer_id_app_user'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_version.id'], name=op.f('fk_case_policy_version_id_policy_version'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case')),
    sa.UniqueConstraint('case_number', name=op.f('uq_case_case_number'))
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_beneficiary_id', ['beneficiary_id'], unique=False)
        batch_op.create_index('ix_case_promised_decision_date', ['promised_decision_date'], unique=False)
        batch_op.create_index('ix_case_status_promised_decision_date', ['status', 'promised_decision_date'], unique=False)

    op.create_table('suggestion',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('channel_id', sa.String(length=64), nullable=True),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_suggestion_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_suggestion_beneficiary_id_beneficiary'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index('ix_suggestion_status_due_date', ['status', 'due_date'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('assessor_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('recommendation', sa.Text(), nullable=True),
    sa.Column('assessed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['app_user.id'], name=op.f('fk_assessment_assessor_id_app_user'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_assessment_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_case_id', ['case_id'], unique=False)

    op.create_table('committee_decision',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_committee_decision_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], name=op.f('fk_committee_decision_recorded_by_app_user'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_decision'))
    )
    with op.batch_alter_table('committee_decision', schema=None) as batch_op:
        batch_op.create_index('ix_committee_decision_case_id', ['case_id'], unique=False)

    op.create_table('declaration',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('signature_kind', sa.String(length=8), nullable=False),
    sa.Column('signature_attachment_id', sa.Uuid(), nullable=True),
    sa.Column('pdf_attachment_id', sa.Uuid(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('officer_id', sa.Uuid(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_declaration_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['app_user.id'], name=op.f('fk_declaration_officer_id_app_user'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['pdf_attachment_id'], ['attachment.id'], name=op.f('fk_declaration_pdf_attachment_id_attachment'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['signature_attachment_id'], ['attachment.id'], name=op.f('fk_declaration_signature_attachment_id_attachment'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration'))
    )
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.create_index('ix_declaration_case_id', ['case_id'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('from_user_id', sa.Uuid(), nullable=True),
    sa.Column('to_role', sa.String(length=32), nullable=False),
    sa.Column('to_user_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.Uuid(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by'], ['app_user.id'], name=op.f('fk_referral_answered_by_app_user'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_referral_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['from_user_id'], ['app_user.id'], name=op.f('fk_referral_from_user_id_app_user'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['to_user_id'], ['app_user.id'], name=op.f('fk_referral_to_user_id_app_user'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_case_id', ['case_id'], unique=False)
        batch_op.create_index('ix_referral_to_user_id', ['to_user_id'], unique=False)

    op.create_table('required_document',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('provided', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('attachment_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_required_document_attachment_id_attachment'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_required_document_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_required_document'))
    )
    with op.batch_alter_table('required_document', schema=None) as batch_op:
        batch_op.create_index('ix_required_document_case_id', ['case_id'], unique=False)

    op.create_table('service',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('in_kind', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('delivered_by', sa.Uuid(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_service_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['delivered_by'], ['app_user.id'], name=op.f('fk_service_delivered_by_app_user'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service'))
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index('ix_service_case_id', ['case_id'], unique=False)

    op.create_table('step_completion',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('step_id', sa.String(length=64), nullable=False),
    sa.Column('step_kind', sa.String(length=32), nullable=False),
    sa.Column('officer_id', sa.Uuid(), nullable=True),
    sa.Column('channel_id', sa.String(length=64), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=False),
    sa.Column('policy_version_id', sa.Uuid(), nullable=False),
    sa.Column('skipped', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('skip_reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_step_completion_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['app_user.id'], name=op.f('fk_step_completion_officer_id_app_user'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_version.id'], name=op.f('fk_step_completion_policy_version_id_policy_version'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_completion'))
    )
    with op.batch_alter_table('step_completion', schema=None) as batch_op:
        batch_op.create_index('ix_step_completion_case_id', ['case_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('association_id', sa.Uuid(), nullable=False),
    sa.Column('policy_version_id', sa.Uuid(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('officer_id', sa.Uuid(), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('hlc', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], name=op.f('fk_survey_response_association_id_association'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_survey_response_case_id_case'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['app_user.id'], name=op.f('fk_survey_response_officer_id_app_user'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_version.id'], name=op.f('fk_survey_response_policy_version_id_policy_version'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_answered_at', ['answered_at'], unique=False)

    _create_search_index()
    _create_append_only_guards()


def downgrade() -> None:
    """Drop everything (only for development: data is lost)."""
    _drop_append_only_guards()
    _drop_search_index()
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_response_answered_at')

    op.drop_table('survey_response')
    with op.batch_alter_table('step_completion', schema=None) as batch_op:
        batch_op.drop_index('ix_step_completion_case_id')

    op.drop_table('step_completion')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index('ix_service_case_id')

    op.drop_table('service')
    with op.batch_alter_table('required_document', schema=None) as batch_op:
        batch_op.drop_index('ix_required_document_case_id')

    op.drop_table('required_document')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_to_user_id')
        batch_op.drop_index('ix_referral_case_id')

    op.drop_table('referral')
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_index('ix_declaration_case_id')

    op.drop_table('declaration')
    with op.batch_alter_table('committee_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_decision_case_id')

    op.drop_table('committee_decision')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_case_id')

    op.drop_table('assessment')
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestion_status_due_date')

    op.drop_table('suggestion')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_status_promised_decision_date')
        batch_op.drop_index('ix_case_promised_decision_date')
        batch_op.drop_index('ix_case_beneficiary_id')

    op.drop_table('case')
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_index('uq_policy_version_profile_version')

    op.drop_table('policy_version')
    op.drop_table('device')
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.drop_index('uq_beneficiary_id_number_live', sqlite_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_beneficiary_phone_key')
        batch_op.drop_index('ix_beneficiary_name_key')

    op.drop_table('beneficiary')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_entity_entity_id')
        batch_op.drop_index('ix_audit_event_at')

    op.drop_table('audit_event')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index('uq_app_user_username_live', sqlite_where=sa.text('deleted_at IS NULL'))

    op.drop_table('app_user')
    op.drop_table('association')
    op.drop_table('attachment')


# --------------------------------------------------------------------------- search index

SEARCH_TRIGGERS = {
    "beneficiary_fts_after_insert": (
        "AFTER INSERT ON beneficiary BEGIN "
        "INSERT INTO beneficiary_fts(rowid, name_key) VALUES (new.rowid, new.name_key); END"
    ),
    "beneficiary_fts_after_delete": (
        "AFTER DELETE ON beneficiary BEGIN "
        "INSERT INTO beneficiary_fts(beneficiary_fts, rowid, name_key) "
        "VALUES ('delete', old.rowid, old.name_key); END"
    ),
    "beneficiary_fts_after_update": (
        "AFTER UPDATE OF name_key ON beneficiary BEGIN "
        "INSERT INTO beneficiary_fts(beneficiary_fts, rowid, name_key) "
        "VALUES ('delete', old.rowid, old.name_key); "
        "INSERT INTO beneficiary_fts(rowid, name_key) VALUES (new.rowid, new.name_key); END"
    ),
}


def _fts5_available() -> bool:
    """True when this process's SQLite library has FTS5 (probed on a throw-away memory database)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def _create_search_index() -> None:
    """FTS5 over beneficiary.name_key (external content, keyed by rowid), kept in sync by triggers.

    Skipped when SQLite lacks FTS5: search then falls back to the name_key B-tree index.
    """
    if not _fts5_available():
        return
    op.execute(
        "CREATE VIRTUAL TABLE beneficiary_fts USING fts5("
        "name_key, content='beneficiary', content_rowid='rowid', tokenize='unicode61')"
    )
    for name, body in SEARCH_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def _drop_search_index() -> None:
    for name in SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS beneficiary_fts")


# --------------------------------------------------------------------------- append-only guards

#: Columns of an append-only row that may still change: sync bookkeeping only.
MUTABLE_SYNC_COLUMNS = frozenset({"version", "server_seq", "hlc", "updated_at"})

APPEND_ONLY_TABLES = ("step_completion", "declaration", "committee_decision", "survey_response", "audit_event")


def _append_only_columns(table: str) -> list[str]:
    rows = op.get_bind().exec_driver_sql(f'PRAGMA table_info("{table}")').fetchall()
    return [row[1] for row in rows if row[1] not in MUTABLE_SYNC_COLUMNS]


def _create_append_only_guards() -> None:
    """Triggers refusing updates of content columns and deletes on append-only tables."""
    for table in APPEND_ONLY_TABLES:
        columns = ", ".join(_append_only_columns(table))
        op.execute(
            f"CREATE TRIGGER {table}_append_only_update BEFORE UPDATE OF {columns} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: rows of {table} cannot be changed'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: rows of {table} cannot be deleted'); END"
        )


def _drop_append_only_guards() -> None:
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_delete")
