"""The sanctioned erasure (issue 14 item 4): the ``erasure`` table and append-only guards that allow exactly it.

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-05

Frozen: this file must not import `db.models`; it reads the marker and the erasable columns from `db.erasure`,
whose meaning never changes. ``erasure`` is a synced, append-only table (its own guards, the outbox triggers).
The update guards of ``declaration``, ``step_completion``, ``committee_decision`` and ``audit_event`` are made
again over the live columns with one exception: they let through an update that sets only the erasable columns
to the marker while an erasure row of that case exists (audit details: to the erased form naming an erasure
present). ``audit_event`` gains an index on ``entity_id``, ``survey_response`` and ``survey_slip`` one on ``case_id`` (an
erasure finds a case's rows, then the events about them, by these). Any other change is refused as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.erasure import ERASABLE_COLUMNS, MARKER
from db.outbox import install_outbox_triggers

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Columns of an append-only row that may still change: sync bookkeeping only (as in 0001).
_MUTABLE_SYNC_COLUMNS = frozenset({"version", "server_seq", "hlc", "updated_at"})
#: Columns of an audit event the server's re-stamp sets (as in 0012).
_RESTAMP_COLUMNS = frozenset({"actor_id", "claimed_actor_id", "restamped_at"})
_GUARDED = ("declaration", "step_completion", "committee_decision", "audit_event")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _content_columns(table: str) -> list[str]:
    mutable = _MUTABLE_SYNC_COLUMNS | (_RESTAMP_COLUMNS if table == "audit_event" else frozenset())
    rows = op.get_bind().exec_driver_sql(f'PRAGMA table_info("{table}")').fetchall()
    return [row[1] for row in rows if row[1] not in mutable]


def _sanctioned(table: str, columns: list[str]) -> str:
    """The WHEN condition of an update an erasure makes (every other content column unchanged)."""
    marker = _sql_text(MARKER)
    erasable: tuple[str, ...]
    if table == "audit_event":
        erasable = ("details",)
        covered = ("EXISTS (SELECT 1 FROM erasure AS e WHERE e.deleted_at IS NULL "
                   "AND e.id = json_extract(NEW.details, '$.erasure'))")
        shape = (f"json_valid(NEW.details) AND json_extract(NEW.details, '$.erased') = {marker} "
                 "AND length(json_extract(NEW.details, '$.sha256')) = 64 "
                 "AND json_extract(NEW.details, '$.chain') IN (1, 2) "
                 "AND (SELECT count(*) FROM json_each(NEW.details)) = 4")
        checks = [covered, shape]
    else:
        erasable = ERASABLE_COLUMNS[table]
        checks = ["EXISTS (SELECT 1 FROM erasure AS e WHERE e.case_id = OLD.case_id AND e.deleted_at IS NULL)"]
        checks += [f'(NEW."{c}" IS OLD."{c}" OR NEW."{c}" = {marker})' for c in erasable]
    checks += [f'NEW."{c}" IS OLD."{c}"' for c in columns if c not in erasable]
    return " AND ".join(checks)


def _guard(table: str, *, allow_erasure: bool) -> None:
    columns = _content_columns(table)
    listed = ", ".join(f'"{c}"' for c in columns)
    when = f" WHEN NOT ({_sanctioned(table, columns)})" if allow_erasure else ""
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_update")
    op.execute(
        f"CREATE TRIGGER {table}_append_only_update BEFORE UPDATE OF {listed} ON {table}{when} "
        f"BEGIN SELECT RAISE(ABORT, 'append-only: rows of {table} cannot be changed'); END"
    )


def upgrade() -> None:
    """Create ``erasure`` (guarded, outbox triggers) and remake the four update guards with the erasure's door."""
    op.create_table(
        "erasure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=True),
        sa.Column("policy_version_id", sa.Uuid(), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("erased_by", sa.Uuid(), nullable=True),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("server_seq", sa.Integer(), nullable=True),
        sa.Column("hlc", sa.String(length=40), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *[sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_erasure_{column}_{target}"),
                                  initially="DEFERRED", deferrable=True)
          for column, target in (("association_id", "association"), ("case_id", "case"),
                                 ("policy_version_id", "policy_version"), ("erased_by", "app_user"))],
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure")),
    )
    with op.batch_alter_table("erasure", schema=None) as batch_op:
        batch_op.create_index("ix_erasure_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_erasure_beneficiary_id", ["beneficiary_id"], unique=False)
    _guard("erasure", allow_erasure=False)
    op.execute("CREATE TRIGGER erasure_append_only_delete BEFORE DELETE ON erasure "
               "BEGIN SELECT RAISE(ABORT, 'append-only: rows of erasure cannot be deleted'); END")
    for table in _GUARDED:
        _guard(table, allow_erasure=True)
    op.execute("CREATE INDEX ix_audit_event_entity_id ON audit_event (entity_id)")
    op.execute("CREATE INDEX ix_survey_response_case_id ON survey_response (case_id)")
    op.execute("CREATE INDEX ix_survey_slip_case_id ON survey_slip (case_id)")
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]


def downgrade() -> None:
    """The four guards without the erasure's door; ``erasure`` dropped."""
    for index in ("ix_audit_event_entity_id", "ix_survey_response_case_id", "ix_survey_slip_case_id"):
        op.execute(f"DROP INDEX IF EXISTS {index}")
    for table in _GUARDED:
        _guard(table, allow_erasure=False)
    op.execute("DROP TRIGGER IF EXISTS erasure_append_only_update")
    op.execute("DROP TRIGGER IF EXISTS erasure_append_only_delete")
    for kind in ("update", "insert", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_outbox_erasure_{kind}")
    op.drop_table("erasure")
