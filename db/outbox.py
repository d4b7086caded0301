"""The sync outbox: SQLite triggers that record every local change of a synced row in the same transaction.

Decisions recorded here:

* Triggers, not the service layer, write the outbox: a raw SQL bulk UPDATE, a migration's data
  fix or another module's session cannot escape it. Each synced table has three triggers
  (``sync_outbox_<table>_insert|update|delete``) generated from the LIVE schema (``PRAGMA
  table_info``), so they always name the table's current columns. `install_outbox_triggers`
  drops and recreates them; it is idempotent and cheap (a few dozen DDL statements) and must
  run after every migration that adds a synced table or copies one (a batch table rebuild
  drops its triggers): migration 0005 runs it, and `outbox_triggers_current` lets the sync
  client check (and repair) at its start.
* Synced tables are those carrying every column of `db.models.SYNC_COLUMN_NAMES`, except
  `LOCAL_ONLY_TABLES`: ``device`` (each PC's own identity; the server keeps the registry of
  enrolled devices, and a synced device list would make every PC think it is the earliest
  enrolled one) and ``reception_draft`` (what one officer is typing on one PC, saved on every
  keystroke pause: neither useful elsewhere nor worth the traffic or the conflicts). The
  outbox, batch, state, switch and missing-file tables have no sync columns and stay local.
* An update is recorded only when a column other than the bookkeeping ones (`BOOKKEEPING`)
  changed; the changed column names are listed. A soft delete (``deleted_at`` set) is op
  "delete"; a hard DELETE (never done by the app) is recorded too, so nothing escapes.
* ``base_version``: NULL for a row never acknowledged by the server (``server_seq`` NULL);
  otherwise the base of the row's oldest pending outbox entry if there is one (local edits
  bump the ORM's `version`, which is then no server version), else the row's version before
  this change (the sync sets ``version`` to the server's when it applies a pulled row).
* Suppression: the triggers fire only when ``sync_switch.suppressed = 0``. The sync sets it to 1
  at the start of the transaction that applies pulled rows and back to 0 before its COMMIT
  (`suppress_outbox` / `resume_outbox`), so other connections never see 1 committed and a
  crash rolls it back. Bulk loaders (the demo data) do the same per transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

__all__ = [
    "BOOKKEEPING",
    "LOCAL_ONLY_TABLES",
    "OUTBOX_TABLE",
    "SYNC_COLUMNS",
    "install_outbox_triggers",
    "outbox_trigger_sql",
    "outbox_triggers_current",
    "resume_outbox",
    "suppress_outbox",
    "synced_table_columns",
]

OUTBOX_TABLE = "sync_outbox"

#: Tables with sync columns that never leave this PC (see the module docstring).
LOCAL_ONLY_TABLES: frozenset[str] = frozenset({"device", "reception_draft"})

#: The sync columns (the same names as `db.models.SYNC_COLUMN_NAMES`; db.outbox reads the live schema).
SYNC_COLUMNS: tuple[str, ...] = (
    "id", "version", "server_seq", "hlc", "device_id", "updated_by", "deleted_at", "created_at", "updated_at",
)

#: Columns whose change alone is not a local change to push (the server assigns or derives them).
BOOKKEEPING: frozenset[str] = frozenset(
    {"id", "version", "server_seq", "hlc", "device_id", "updated_by", "created_at", "updated_at"}
)

_PREFIX = "sync_outbox_"
_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
_ACTIVE = "(SELECT suppressed FROM sync_switch WHERE id = 1) IS NOT 1"


class _Executes(Protocol):
    """A DB-API connection or cursor (``sqlite3``): what the helpers here need."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any:
        """Run one SQL statement."""


def suppress_outbox(connection: _Executes) -> None:
    """Inside an open transaction: stop the outbox triggers until `resume_outbox` (call both before COMMIT)."""
    connection.execute("UPDATE sync_switch SET suppressed = 1 WHERE id = 1")


def resume_outbox(connection: _Executes) -> None:
    """Inside the same transaction, before its COMMIT: the outbox triggers record changes again."""
    connection.execute("UPDATE sync_switch SET suppressed = 0 WHERE id = 1")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def synced_table_columns(connection: _Executes) -> dict[str, list[str]]:
    """{table: its columns} of every table of the live schema that syncs (sync columns, not local-only)."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    ]
    tables: dict[str, list[str]] = {}
    for name in names:
        if name in LOCAL_ONLY_TABLES:
            continue
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({_quote(name)})").fetchall()]
        if all(column in columns for column in SYNC_COLUMNS):
            tables[name] = columns
    return tables


def outbox_trigger_sql(table: str, columns: Sequence[str]) -> dict[str, str]:
    """{trigger name: CREATE TRIGGER statement} of the three outbox triggers of one synced table."""
    t = _quote(table)
    literal = "'" + table.replace("'", "''") + "'"
    content = [c for c in columns if c not in BOOKKEEPING]
    pending_base = (
        f"(SELECT o.base_version FROM {OUTBOX_TABLE} AS o WHERE o.table_name = {literal} "
        "AND o.row_id = {row}.id AND o.state = 'pending' ORDER BY o.seq LIMIT 1)"
    )
    has_pending = (
        f"EXISTS (SELECT 1 FROM {OUTBOX_TABLE} AS o WHERE o.table_name = {literal} "
        "AND o.row_id = {row}.id AND o.state = 'pending')"
    )
    base_new = (
        f"CASE WHEN {has_pending.format(row='NEW')} THEN {pending_base.format(row='NEW')} "
        "WHEN OLD.server_seq IS NULL THEN NULL ELSE OLD.version END"
    )
    base_old = (
        f"CASE WHEN {has_pending.format(row='OLD')} THEN {pending_base.format(row='OLD')} "
        "WHEN OLD.server_seq IS NULL THEN NULL ELSE OLD.version END"
    )
    changed_any = " OR ".join(f"OLD.{_quote(c)} IS NOT NEW.{_quote(c)}" for c in content) or "0"
    changed_list = " || ".join(
        f"CASE WHEN OLD.{_quote(c)} IS NOT NEW.{_quote(c)} THEN ',{c}' ELSE '' END" for c in content
    ) or "''"
    insert_columns = f"INSERT INTO {OUTBOX_TABLE} (table_name, row_id, op, columns, base_version, user_id, changed_at)"
    return {
        f"{_PREFIX}{table}_insert": (
            f"CREATE TRIGGER {_quote(_PREFIX + table + '_insert')} AFTER INSERT ON {t} "
            f"WHEN {_ACTIVE} BEGIN {insert_columns} "
            f"VALUES ({literal}, NEW.id, 'insert', NULL, NULL, NEW.updated_by, {_NOW}); END"
        ),
        f"{_PREFIX}{table}_update": (
            f"CREATE TRIGGER {_quote(_PREFIX + table + '_update')} AFTER UPDATE ON {t} "
            f"WHEN {_ACTIVE} AND ({changed_any}) BEGIN {insert_columns} "
            f"VALUES ({literal}, NEW.id, "
            "CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'delete' ELSE 'update' END, "
            f"substr({changed_list}, 2), {base_new}, NEW.updated_by, {_NOW}); END"
        ),
        f"{_PREFIX}{table}_delete": (
            f"CREATE TRIGGER {_quote(_PREFIX + table + '_delete')} AFTER DELETE ON {t} "
            f"WHEN {_ACTIVE} BEGIN {insert_columns} "
            f"VALUES ({literal}, OLD.id, 'delete', 'deleted_at', {base_old}, OLD.updated_by, {_NOW}); END"
        ),
    }


def _expected(connection: _Executes) -> dict[str, str]:
    expected: dict[str, str] = {}
    for table, columns in synced_table_columns(connection).items():
        expected.update(outbox_trigger_sql(table, columns))
    return expected


def _existing(connection: _Executes) -> dict[str, str]:
    rows = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync\\_outbox\\_%' ESCAPE '\\'"
    ).fetchall()
    return {str(name): str(sql) for name, sql in rows}


def _fingerprint(statements: Iterable[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for name, sql in sorted(statements):
        digest.update(f"{name}\n{sql}\n".encode())
    return digest.hexdigest()


def outbox_triggers_current(connection: _Executes) -> bool:
    """True when every synced table has exactly the outbox triggers its live columns call for."""
    return _fingerprint(_expected(connection).items()) == _fingerprint(_existing(connection).items())


def install_outbox_triggers(connection: _Executes) -> int:
    """(Re)create the outbox triggers of every synced table from the live schema; returns how many exist.

    Run it inside a transaction (migrations do); triggers of tables gone or no longer synced
    are dropped.
    """
    expected = _expected(connection)
    existing = _existing(connection)
    for name, sql in existing.items():
        if expected.get(name) != sql:
            connection.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
    for name, sql in expected.items():
        if existing.get(name) != sql:
            connection.execute(sql)
    return len(expected)
