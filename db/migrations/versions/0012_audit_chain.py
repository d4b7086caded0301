"""The verifiable audit trail: audit events hash-chained per desk, and the server's re-stamp of their author.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25

Branch w2-audit (issue 13 part 4). Adds to ``audit_event``: ``chain_seq``, ``prev_hash``, ``hash``
(`db.audit_chain`: the event's place in its desk's chain), ``claimed_actor_id`` and ``restamped_at``
(set when the sync server replaced an author the desk claimed by the pushing account) and the index
``(device_id, chain_seq)``; to ``sync_state`` the cursor of the sync's content comparison (``content_cursor``). Events already written are chained here, per ``device_id`` in the order
they were written (time, then id): the trail is sealed as it stands at the upgrade. The append-only
guard of ``audit_event`` is recreated over the live columns: the chain columns are protected like the
others; the author columns the server may re-stamp (``actor_id``, ``claimed_actor_id``,
``restamped_at``) may be set by a pulled row (the chain hashes what the desk wrote, so a local edit of
them is still found by ``mustafid-admin audit verify``). Outbox triggers follow the live columns.

Frozen except for `db.audit_chain`, whose canonical form is versioned (``"v": 1``) and never changes meaning.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from alembic import op

from db.audit_chain import GENESIS, event_hash
from db.outbox import install_outbox_triggers

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Columns of an append-only row that may still change: sync bookkeeping only (as in 0001).
_MUTABLE_SYNC_COLUMNS = frozenset({"version", "server_seq", "hlc", "updated_at"})
#: Columns of an audit event the server's re-stamp sets (pulled onto the desk that wrote it).
_RESTAMP_COLUMNS = frozenset({"actor_id", "claimed_actor_id", "restamped_at"})


def _guard_audit_event(mutable: frozenset[str]) -> None:
    """The append-only update guard of audit_event, naming every live column not in `mutable`."""
    rows = op.get_bind().exec_driver_sql('PRAGMA table_info("audit_event")').fetchall()
    columns = ", ".join(row[1] for row in rows if row[1] not in mutable)
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only_update")
    op.execute(
        f"CREATE TRIGGER audit_event_append_only_update BEFORE UPDATE OF {columns} ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'append-only: rows of audit_event cannot be changed'); END"
    )


def _chain_existing() -> None:
    """Chain the events already written, per device in the order written (outbox suppressed: a local fix-up)."""
    conn = op.get_bind()
    conn.exec_driver_sql("UPDATE sync_switch SET suppressed = 1 WHERE id = 1")
    heads: dict[str | None, tuple[int, str]] = {}
    rows = conn.exec_driver_sql(
        "SELECT id, device_id, actor_id, action, entity, entity_id, at, details FROM audit_event "
        "ORDER BY at, id"
    ).fetchall()
    for event_id, device, actor, action, entity, entity_id, at, details in rows:
        seq, prev = heads.get(device, (0, GENESIS))
        parsed = json.loads(details) if isinstance(details, str) else (details or {})
        digest = event_hash(event_id=event_id, chain_seq=seq + 1, actor_id=actor, action=action, entity=entity,
                            entity_id=entity_id, at=at, details=parsed, prev_hash=prev)
        conn.exec_driver_sql(
            "UPDATE audit_event SET chain_seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (seq + 1, prev, digest, event_id),
        )
        heads[device] = (seq + 1, digest)
    conn.exec_driver_sql("UPDATE sync_switch SET suppressed = 0 WHERE id = 1")


def upgrade() -> None:
    """Add the chain and re-stamp columns and their index, chain the existing events, renew the guards."""
    op.execute("ALTER TABLE audit_event ADD COLUMN chain_seq INTEGER")
    op.execute("ALTER TABLE audit_event ADD COLUMN prev_hash VARCHAR(64)")
    op.execute("ALTER TABLE audit_event ADD COLUMN hash VARCHAR(64)")
    op.execute("ALTER TABLE audit_event ADD COLUMN claimed_actor_id CHAR(32)")
    op.execute("ALTER TABLE audit_event ADD COLUMN restamped_at DATETIME")
    op.execute("CREATE INDEX ix_audit_event_device_chain ON audit_event (device_id, chain_seq)")
    op.execute("ALTER TABLE sync_state ADD COLUMN content_cursor VARCHAR(120)")
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]
    _chain_existing()
    _guard_audit_event(_MUTABLE_SYNC_COLUMNS | _RESTAMP_COLUMNS)


def downgrade() -> None:
    """Drop the columns and the index (the guards naming them go first, then come back as in 0001)."""
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only_update")
    for kind in ("update", "insert", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_outbox_audit_event_{kind}")
    op.execute("DROP INDEX IF EXISTS ix_audit_event_device_chain")
    op.execute("ALTER TABLE sync_state DROP COLUMN content_cursor")
    for column in ("restamped_at", "claimed_actor_id", "hash", "prev_hash", "chain_seq"):
        op.execute(f"ALTER TABLE audit_event DROP COLUMN {column}")
    _guard_audit_event(_MUTABLE_SYNC_COLUMNS)
    install_outbox_triggers(op.get_bind().connection.driver_connection)  # type: ignore[arg-type]
