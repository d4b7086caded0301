"""Storage forms of synced values on the desk: wire value ⇄ SQLite value, per column kind, and `TableInfo`.

A first sync converts millions of values, so a pulled row is converted by a function generated per
table and set of fields (`compile_converter`: one inline expression per column, the common wire
forms handled without a call); rows read back for a push are decoded by `decode_storage` into the
Python values the ORM would load (then `protocol.encode_fields` puts them on the wire).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Table

from db.models import APPEND_ONLY_TABLES
from desktop.sync.protocol import column_kind

__all__ = [
    "APPEND_ONLY_MUTABLE",
    "APPEND_ONLY_RESTAMPED",
    "INLINE_CONVERSIONS",
    "Converter",
    "TableInfo",
    "append_only_mutable",
    "compile_converter",
    "conversion_namespace",
    "decode_storage",
    "now_storage",
    "quote",
]

#: Columns of an append-only row that a pulled version may still change (bookkeeping only).
APPEND_ONLY_MUTABLE = ("version", "server_seq", "hlc", "updated_at")
#: Per append-only table, further columns a pulled version may set: the author of an audit event as the
#: server re-stamped it (`db.models.AuditEvent`; its chain hashes the author the desk wrote).
APPEND_ONLY_RESTAMPED: dict[str, tuple[str, ...]] = {"audit_event": ("actor_id", "claimed_actor_id", "restamped_at")}


def append_only_mutable(table_name: str) -> tuple[str, ...]:
    """The columns of an append-only table that a pulled version may change."""
    return APPEND_ONLY_MUTABLE + APPEND_ONLY_RESTAMPED.get(table_name, ())

#: (fields, row id, version, server_seq) → storage values; see `compile_converter`.
Converter = Callable[[dict[str, Any], str, int, int], tuple[Any, ...]]
#: Columns whose value comes from the pulled row itself, not from its fields.
_ROW_LEVEL = frozenset({"id", "version", "server_seq"})


def quote(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def now_storage() -> str:
    """The current UTC time in the storage form of a datetime column."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _uuid_storage(value: Any) -> Any:
    if value is None:
        return None
    text = str(value)
    return text.replace("-", "").lower() if len(text) == 36 else uuid.UUID(text).hex


def _datetime_storage(value: Any) -> Any:
    if value is None:
        return None
    text = str(value)
    if text.endswith("+00:00") and len(text) in (25, 32) and text[10] == "T":
        body = text[:10] + " " + text[11:-6]
        return body + ".000000" if len(body) == 19 else body
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _decimal_storage(value: Any) -> Any:
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _json_storage(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _bool_storage(value: Any) -> Any:
    return None if value is None else int(bool(value))


#: Inline storage conversions of the common wire forms, per column kind, ``{v}`` the value (anything else falls back to
#: the functions above, named in `conversion_namespace`).
INLINE_CONVERSIONS: dict[str, str] = {
    "uuid": "None if {v} is None else {v}.replace('-', '').lower() if type({v}) is str and len({v}) == 36 "
            "else _uuid({v})",
    "datetime": "None if {v} is None else {v}[:10] + ' ' + {v}[11:-6] if type({v}) is str and len({v}) == 32 "
                "and {v}[10] == 'T' and {v}.endswith('+00:00') else _datetime({v})",
    "bool": "None if {v} is None else 1 if {v} is True else 0 if {v} is False else _bool({v})",
    "decimal": "_decimal({v})",
    "json": "_json({v})",
}


def conversion_namespace() -> dict[str, Any]:
    """The functions `INLINE_CONVERSIONS` call, for the namespace of a generated converter."""
    return {"_uuid": _uuid_storage, "_datetime": _datetime_storage, "_bool": _bool_storage,
            "_decimal": _decimal_storage, "_json": _json_storage}


def compile_converter(columns: Sequence[str], kinds: Sequence[str]) -> Converter:
    """A function from a pulled row (fields, id, version, server_seq) to the tuple of storage values of
    `columns` (one generated expression per column: a first sync converts millions of values, and a
    function call per value costs more than the conversion)."""
    row_level = {"id": "rid", "version": "ver", "server_seq": "seq"}
    reads = [f"    v{i} = {row_level.get(column) or f'f[{column!r}]'}" for i, column in enumerate(columns)]
    values = [INLINE_CONVERSIONS.get(kind, "{v}").format(v=f"v{i}") for i, kind in enumerate(kinds)]
    source = ("def convert(f, rid, ver, seq):\n" + "\n".join(reads) + "\n    return ("
              + "".join(f"({v}), " for v in values) + ")\n")
    namespace = conversion_namespace()
    exec(compile(source, "<sync converter>", "exec"), namespace)  # noqa: S102 - source built from column names only
    convert: Converter = namespace["convert"]
    return convert


def decode_storage(table: Table, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Python values of a raw SQLite row, as the ORM would load them (for `encode_fields`)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in raw:
            continue
        out[column.name] = storage_value(column_kind(column.type), raw[column.name])
    return out


def storage_value(kind: str, value: Any) -> Any:
    """The Python value of one SQLite storage value of a column of this kind (`protocol.column_kind`)."""
    if value is None:
        return None
    if kind == "uuid":
        return uuid.UUID(hex=str(value))
    if kind == "datetime":
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    if kind == "decimal":
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    if kind == "bool":
        return bool(value)
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    return value


@dataclass
class TableInfo:
    """What the apply path needs of one synced table: live columns, unique keys, references, cached SQL."""

    table: Table
    columns: list[str]
    unique: list[tuple[list[str], bool]]  # (columns, partial on live rows)
    references: list[tuple[str, str]]  # (child table, column) pointing at this table's id
    kinds: dict[str, str] = field(default_factory=dict)
    statements: dict[tuple[str, ...], str] = field(default_factory=dict)
    plans: dict[tuple[str, ...], tuple[tuple[str, ...], Converter]] = field(default_factory=dict)

    def plan(self, keys: tuple[str, ...]) -> tuple[tuple[str, ...], Converter]:
        """For pulled fields with these keys: the columns written and a function giving their storage values (cached)."""
        plan = self.plans.get(keys)
        if plan is None:
            present = set(keys) | _ROW_LEVEL
            columns = tuple(c for c in self.columns if c in present)
            plan = (columns, compile_converter(columns, [self.kinds[c] for c in columns]))
            self.plans[keys] = plan
        return plan

    def insert_sql(self, columns: tuple[str, ...]) -> str:
        """A plain INSERT of the given columns (bulk mode: the rows are expected to be new)."""
        key = ("\0insert", *columns)
        sql = self.statements.get(key)
        if sql is None:
            names = ", ".join(quote(c) for c in columns)
            sql = f"INSERT INTO {quote(self.table.name)} ({names}) VALUES ({', '.join('?' for _ in columns)})"
            self.statements[key] = sql
        return sql

    def upsert_sql(self, columns: tuple[str, ...]) -> str:
        """INSERT … ON CONFLICT(id) DO UPDATE of the given columns (append-only tables: bookkeeping only)."""
        sql = self.statements.get(columns)
        if sql is None:
            names = ", ".join(quote(c) for c in columns)
            marks = ", ".join("?" for _ in columns)
            settable = [c for c in columns if c != "id"]
            if self.table.name in APPEND_ONLY_TABLES:
                settable = [c for c in settable if c in append_only_mutable(self.table.name)]
            assignments = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in settable)
            sql = f"INSERT INTO {quote(self.table.name)} ({names}) VALUES ({marks})"
            sql += f" ON CONFLICT(id) DO UPDATE SET {assignments}" if assignments else " ON CONFLICT(id) DO NOTHING"
            self.statements[columns] = sql
        return sql
