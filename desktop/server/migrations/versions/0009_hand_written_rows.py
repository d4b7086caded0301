"""A row written into ``sync_row`` by hand is re-summed by the server; the late rows stored un-erased are erased.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

* ``sync_row_stale`` and two triggers on ``sync_row``: an INSERT whose ``digest`` is 0 (an administrator's INSERT
  in psql, which leaves the column's default) and an UPDATE that changes ``fields``, ``version`` or the id yet
  keeps ``digest`` as it was (or sets it to 0) mark the row. The server writes every row with its digest, so its
  own writes mark nothing (a digest of 0 or an unchanged one is one chance in 2^40: then the row is re-summed for
  nothing). Before it answers a verification (``GET /v1/checksums``) the server computes the marked rows' bucket
  and digest and sums their buckets again from the rows (`ServerStore.heal_hand_written`), so the desks'
  verification converges without a manual ``rows repair``. A DELETE by hand is not marked (``rows repair
  --remove`` is the way to take a row off).
* The append-only rows of an erased case that reached a server before late arrivals were erased (before server
  migration 0006's release) were stored with the person's words: they are erased here once, as the push erases a
  late arrival now (`desktop.server.repair.erase_late_rows`, idempotent; the rows keep their version: every desk
  holding the erasure erases its copy as its verification repairs the bucket).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: When an UPDATE is a hand-written one (its digest not computed again).
_HAND_UPDATE = ("NEW.digest = 0 OR (NEW.digest = OLD.digest AND (NEW.version <> OLD.version "
                "OR NEW.row_id <> OLD.row_id OR NEW.fields {distinct} OLD.fields))")

_PG = [
    """CREATE OR REPLACE FUNCTION sync_row_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_row_stale (association_id, table_name, row_id)
    VALUES (NEW.association_id, NEW.table_name, NEW.row_id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER sync_row_hand_insert AFTER INSERT ON sync_row FOR EACH ROW WHEN (NEW.digest = 0) "
    "EXECUTE FUNCTION sync_row_mark_stale()",
    f"CREATE TRIGGER sync_row_hand_update AFTER UPDATE ON sync_row FOR EACH ROW "
    f"WHEN ({_HAND_UPDATE.format(distinct='IS DISTINCT FROM')}) EXECUTE FUNCTION sync_row_mark_stale()",
]
_SQLITE_MARK = ("BEGIN INSERT OR IGNORE INTO sync_row_stale (association_id, table_name, row_id) "
                "VALUES (NEW.association_id, NEW.table_name, NEW.row_id); END")
_SQLITE = [
    f"CREATE TRIGGER sync_row_hand_insert AFTER INSERT ON sync_row FOR EACH ROW WHEN NEW.digest = 0 {_SQLITE_MARK}",
    f"CREATE TRIGGER sync_row_hand_update AFTER UPDATE ON sync_row FOR EACH ROW "
    f"WHEN {_HAND_UPDATE.format(distinct='IS NOT')} {_SQLITE_MARK}",
]


def upgrade() -> None:
    """The marks' table and triggers; the late rows erased once."""
    from desktop.server.repair import erase_late_rows

    op.create_table(
        "sync_row_stale",
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("association_id", "table_name", "row_id", name="pk_sync_row_stale"),
    )
    for statement in _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)
    erase_late_rows(op.get_bind())


def downgrade() -> None:
    """Drop the triggers and the marks (an erased row stays erased)."""
    op.execute("DROP TRIGGER IF EXISTS sync_row_hand_insert" + (" ON sync_row" if _pg() else ""))
    op.execute("DROP TRIGGER IF EXISTS sync_row_hand_update" + (" ON sync_row" if _pg() else ""))
    if _pg():
        op.execute("DROP FUNCTION IF EXISTS sync_row_mark_stale()")
    op.drop_table("sync_row_stale")


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"
