"""A declaration may supersede an earlier one: the corrected declaration signed after a correction of the particulars.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Frozen: this file must not import `db.models`. One nullable column ``declaration.supersedes_id`` (the id of the
declaration it replaces; no foreign key: SQLite's ADD COLUMN cannot name a table constraint), added with SQLite's ADD COLUMN so the table is not copied (its append-only,
outbox and report triggers stay). The append-only guard names every content column, so it is made again with
the new one; the outbox triggers name every column too and are recreated from the live schema
(`db.outbox.install_outbox_triggers`). Declarations signed before this revision supersede nothing (NULL).
A row of this table is still insert-only: the marker is on the new declaration, never an update of the old.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from db.outbox import install_outbox_triggers

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Columns of an append-only row that may still change: sync bookkeeping only (as in 0001).
_MUTABLE_SYNC_COLUMNS = frozenset({"version", "server_seq", "hlc", "updated_at"})


def _guard_declaration() -> None:
    """The append-only update guard of declaration, naming every content column of the live table."""
    rows = op.get_bind().exec_driver_sql('PRAGMA table_info("declaration")').fetchall()
    columns = ", ".join(row[1] for row in rows if row[1] not in _MUTABLE_SYNC_COLUMNS)
    op.execute("DROP TRIGGER IF EXISTS declaration_append_only_update")
    op.execute(
        f"CREATE TRIGGER declaration_append_only_update BEFORE UPDATE OF {columns} ON declaration "
        "BEGIN SELECT RAISE(ABORT, 'append-only: rows of declaration cannot be changed'); END"
    )


def upgrade() -> None:
    """Add declaration.supersedes_id (nullable; the id of a declaration of the same case)."""
    op.execute("ALTER TABLE declaration ADD COLUMN supersedes_id CHAR(32)")
    _guard_declaration()
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]


def downgrade() -> None:
    """Drop the column (SQLite ≥ 3.35 drops a column that no index or trigger names: the guard goes first)."""
    op.execute("DROP TRIGGER IF EXISTS declaration_append_only_update")
    op.execute("DROP TRIGGER IF EXISTS sync_outbox_declaration_update")
    op.execute("DROP TRIGGER IF EXISTS sync_outbox_declaration_insert")
    op.execute("DROP TRIGGER IF EXISTS sync_outbox_declaration_delete")
    op.execute("ALTER TABLE declaration DROP COLUMN supersedes_id")
    _guard_declaration()
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]
