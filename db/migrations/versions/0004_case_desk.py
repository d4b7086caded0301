"""Case desk: eligibility checks, decision notices, service delivery and suggestion routing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Frozen: this file must not import `db.models`. Only new tables and two indexes on existing
tables (created in place, no batch copy of "case" or beneficiary, so the FTS triggers and the
append-only guards of 0001 are untouched):

* assessment_item — one line of an eligibility check (a document examined, an interview answer);
* eligibility_recommendation — the researcher's recommendation to the committee;
* decision_letter — the letter PDF stored for a committee decision, and the more-info deadline;
* beneficiary_notice — the beneficiary was informed of a decision, and how;
* suggestion_event — received / routed / answered / closed steps of a suggestion or complaint;
* ix_required_document_valid_until, ix_beneficiary_id_expiry, ix_referral_unanswered_created_at —
  the follow-up lists (expiring documents and IDs, referrals without an answer).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sync_columns() -> list[sa.Column[object]]:
    """The sync bookkeeping columns every synced table carries (as in 0001)."""
    return [
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("server_seq", sa.Integer(), nullable=True),
        sa.Column("hlc", sa.String(length=40), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), initially="DEFERRED", deferrable=True
    )


def upgrade() -> None:
    """Create the case desk's tables and the follow-up indexes."""
    op.create_table(
        "assessment_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("required_document_id", sa.Uuid(), nullable=True),
        *_sync_columns(),
        _fk("assessment_item", "assessment_id", "assessment"),
        _fk("assessment_item", "case_id", "case"),
        _fk("assessment_item", "required_document_id", "required_document"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_item")),
    )
    with op.batch_alter_table("assessment_item", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_item_assessment_id", ["assessment_id"], unique=False)
        batch_op.create_index("ix_assessment_item_case_id", ["case_id"], unique=False)

    op.create_table(
        "eligibility_recommendation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recommendation", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recommended_by", sa.Uuid(), nullable=True),
        sa.Column("recommended_at", sa.DateTime(), nullable=False),
        *_sync_columns(),
        _fk("eligibility_recommendation", "case_id", "case"),
        _fk("eligibility_recommendation", "recommended_by", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_recommendation")),
    )
    with op.batch_alter_table("eligibility_recommendation", schema=None) as batch_op:
        batch_op.create_index("ix_eligibility_recommendation_case_id", ["case_id"], unique=False)

    op.create_table(
        "decision_letter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("attachment_id", sa.Uuid(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("info_due_date", sa.Date(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        *_sync_columns(),
        _fk("decision_letter", "case_id", "case"),
        _fk("decision_letter", "decision_id", "committee_decision"),
        _fk("decision_letter", "attachment_id", "attachment"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_letter")),
    )
    with op.batch_alter_table("decision_letter", schema=None) as batch_op:
        batch_op.create_index("ix_decision_letter_case_id", ["case_id"], unique=False)
        batch_op.create_index("uq_decision_letter_decision_id", ["decision_id"], unique=True)

    op.create_table(
        "beneficiary_notice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("informed_by", sa.Uuid(), nullable=True),
        sa.Column("informed_at", sa.DateTime(), nullable=False),
        *_sync_columns(),
        _fk("beneficiary_notice", "case_id", "case"),
        _fk("beneficiary_notice", "decision_id", "committee_decision"),
        _fk("beneficiary_notice", "informed_by", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beneficiary_notice")),
    )
    with op.batch_alter_table("beneficiary_notice", schema=None) as batch_op:
        batch_op.create_index("ix_beneficiary_notice_case_id", ["case_id"], unique=False)

    op.create_table(
        "suggestion_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("suggestion_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("to_role", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        *_sync_columns(),
        _fk("suggestion_event", "suggestion_id", "suggestion"),
        _fk("suggestion_event", "case_id", "case"),
        _fk("suggestion_event", "actor_id", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_event")),
    )
    with op.batch_alter_table("suggestion_event", schema=None) as batch_op:
        batch_op.create_index("ix_suggestion_event_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_suggestion_event_suggestion_id", ["suggestion_id"], unique=False)

    # In place (CREATE INDEX), not in batch mode: the tables are large and keep their rows.
    op.create_index("ix_required_document_valid_until", "required_document", ["valid_until"], unique=False)
    op.create_index("ix_beneficiary_id_expiry", "beneficiary", ["id_expiry"], unique=False)
    op.create_index(
        "ix_referral_unanswered_created_at",
        "referral",
        ["created_at"],
        unique=False,
        sqlite_where=sa.text("answered_at IS NULL AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_referral_unanswered_created_at", table_name="referral")
    op.drop_index("ix_beneficiary_id_expiry", table_name="beneficiary")
    op.drop_index("ix_required_document_valid_until", table_name="required_document")
    for table in ("suggestion_event", "beneficiary_notice", "decision_letter", "eligibility_recommendation", "assessment_item"):
        op.drop_table(table)
