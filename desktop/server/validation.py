"""What the sync server accepts of a pushed row: a schema derived from `db.models`, checked per mutation.

Decisions recorded here:

* The rules are read from the models' tables (`derive_rules`), never written by hand: a column's
  wire kind (`desktop.sync.protocol.column_kind`), whether it may be NULL, its length (``String(n)``),
  its enumeration (`db.models.ENUM_COLUMNS`) and the synced table it points to (its foreign key).
  A migration adding a column changes the rules by itself.
* A row the server does not hold yet (an insert, or a delete of a row it never had) must carry every
  NOT NULL column, except those the server fills itself (`SERVER_FILLED`: ids, version, sequence,
  HLC, device, author, creation time) and those absent with a constant default in the model
  (``status`` "draft", ``active`` true, ``roles`` []), which the server fills with it: a desk of an
  older schema does not know a column added since, and every newer desk must still be able to
  store its row. A default computed at the time (``updated_at``) is never guessed: refused. An update may not set a NOT NULL column to NULL. A desk would
  otherwise fail every pull on ``NOT NULL constraint failed`` (issue 15).
* A reference must name a row of the same association held by the server or created earlier in the
  same batch (a declaration without its case is refused). ``association_id`` is checked by the
  store's scope check (403); references to tables that do not sync are not checked.
* Texts may not hold NUL (PostgreSQL refuses it), integers fit 64 bits, amounts fit the desk's
  halalas, floats are finite: what the server stores, every desk can store.
* An HLC is fixed width (`desktop.sync.protocol.format_hlc`) and its time lies between
  `HLC_FLOOR_MS` and `MAX_HLC_AHEAD_MS` past the server's clock: a stamp from year 9999 would win
  every conflict for ever (and was an HTTP 500). A desk stamps on its clock corrected to the
  server's (`desktop.sync.hlc`); the month's margin covers a PC that was offline with a wrong clock.
* Status moves of a case are not judged here: the store's merge keeps a move the state machine
  refuses as a conflict for the supervisor (`desktop.cases.states`), as the protocol describes.

Every refusal is one Arabic sentence naming the table and column; the store answers it as that
mutation's ``rejected`` result, stores nothing of it, and applies the others.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import String, Table

from db.models import ENUM_COLUMNS
from desktop.sync import protocol as p

__all__ = [
    "HLC_FLOOR_MS",
    "MAX_HLC_AHEAD_MS",
    "SERVER_FILLED",
    "ColumnRule",
    "RowValidator",
    "TableRule",
    "derive_rules",
    "hlc_problem",
]

#: No stamp before 2020-01-01 UTC (the program did not exist).
HLC_FLOOR_MS = int(dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
#: No stamp further than this ahead of the server's clock.
MAX_HLC_AHEAD_MS = 30 * 24 * 3600 * 1000
#: Columns the server fills on a new row itself (a push need not carry them).
SERVER_FILLED: frozenset[str] = p.SERVER_ASSIGNED_COLUMNS | {"hlc", "device_id", "updated_by", "created_at"}
#: The widest integer any desk stores (SQLite's 64 bits).
_INT_LIMIT = 2**63
#: The largest amount a desk stores as integer halalas.
_AMOUNT_LIMIT = Decimal(10) ** 15
_HLC = re.compile(r"^\d{15}-\d{6}$")
#: Tables a reference is not checked against (the scope check covers the association; the rest do not sync).
_UNCHECKED_TARGETS = frozenset({"association"})


@dataclass(frozen=True)
class ColumnRule:
    """What one column accepts: its wire kind, NOT NULL, length, enumeration and the synced table it points to."""

    name: str
    kind: str
    not_null: bool
    max_length: int | None
    choices: frozenset[str] | None
    references: str | None
    #: The wire value the server fills when a new row lacks the column (a constant default), else None.
    fill: Any = None


@dataclass(frozen=True)
class TableRule:
    """The rules of one synced table and the columns a new row must carry."""

    name: str
    columns: Mapping[str, ColumnRule]
    required: tuple[str, ...]


def derive_rules(tables: Mapping[str, Table]) -> dict[str, TableRule]:
    """The rules of every synced table, read from its SQLAlchemy table (see the module docstring)."""
    rules: dict[str, TableRule] = {}
    for name, table in tables.items():
        columns: dict[str, ColumnRule] = {}
        for column in table.columns:
            enum = ENUM_COLUMNS.get((name, column.name))
            target = next((fk.column.table.name for fk in column.foreign_keys), None)
            if target is not None and (target not in tables or target in _UNCHECKED_TARGETS):
                target = None
            length = column.type.length if isinstance(column.type, String) else None
            columns[column.name] = ColumnRule(
                name=column.name, kind=p.column_kind(column.type),
                not_null=not column.nullable and not column.primary_key, max_length=length,
                choices=frozenset(member.value for member in enum) if enum is not None else None,
                references=target, fill=_constant_default(column))
        required = tuple(c.name for c in columns.values()
                         if c.not_null and c.name not in SERVER_FILLED and c.fill is None)
        rules[name] = TableRule(name=name, columns=columns, required=required)
    return rules


def _constant_default(column: Any) -> Any:
    """The wire value of a column's constant default (a scalar, or an empty list or mapping), else None."""
    default = column.default
    if default is None or column.nullable:
        return None
    if default.is_scalar:
        return p.encode_value(column.type, default.arg)
    name = getattr(default.arg, "__name__", "")
    return [] if name == "list" else {} if name == "dict" else None


def hlc_problem(hlc: str, now: dt.datetime) -> str | None:
    """Why an HLC stamp is refused (Arabic), or None: fixed width, and its time within the window of `now`."""
    if not _HLC.match(hlc):
        return "ختم الوقت المنطقي (HLC) للتغيير بصيغة غير صحيحة؛ لم يُطبّق هذا التغيير"
    millis = p.parse_hlc(hlc)[0]
    now_ms = int(now.timestamp() * 1000)
    if millis < HLC_FLOOR_MS or millis > now_ms + MAX_HLC_AHEAD_MS:
        return ("ختم وقت التغيير خارج المدى المقبول (ساعة الجهاز أو بياناته غير صحيحة: أبعد من شهر عن "
                "وقت الخادم أو قبل ٢٠٢٠)؛ لم يُطبّق هذا التغيير")
    return None


def _value_problem(table: str, rule: ColumnRule, value: Any) -> str | None:
    """Why one canonical wire value does not fit its column (Arabic), or None."""
    where = f"«{rule.name}» في الجدول «{table}»"
    if value is None:
        return f"الحقل {where} مطلوب ولا يقبل قيمة فارغة؛ لم يُطبّق هذا التغيير" if rule.not_null else None
    if rule.kind == "str":
        if "\x00" in value:
            return f"الحقل {where} يحتوي محرفًا غير مسموح؛ لم يُطبّق هذا التغيير"
        if rule.max_length is not None and len(value) > rule.max_length:
            return f"الحقل {where} أطول من المسموح ({rule.max_length} حرفًا)؛ لم يُطبّق هذا التغيير"
        if rule.choices is not None and value not in rule.choices:
            return f"قيمة الحقل {where} ليست من القيم المعروفة لدى الخادم؛ لم يُطبّق هذا التغيير"
    elif rule.kind == "int" and not -_INT_LIMIT < value < _INT_LIMIT:
        return f"الحقل {where} عدد أكبر من المسموح؛ لم يُطبّق هذا التغيير"
    elif rule.kind == "float" and not math.isfinite(value):
        return f"الحقل {where} ليس عددًا منتهيًا؛ لم يُطبّق هذا التغيير"
    elif rule.kind == "decimal":
        try:
            too_large = abs(Decimal(value)) >= _AMOUNT_LIMIT
        except InvalidOperation:
            too_large = True
        if too_large:
            return f"المبلغ في الحقل {where} أكبر من المسموح؛ لم يُطبّق هذا التغيير"
    elif rule.kind == "json" and _holds_nul(value):
        return f"الحقل {where} يحتوي محرفًا غير مسموح؛ لم يُطبّق هذا التغيير"
    return None


def _holds_nul(value: Any) -> bool:
    """True when a JSON value holds a NUL character in any text or key."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class RowValidator:
    """Checks pushed rows against `derive_rules` of the synced tables (see the module docstring)."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.rules = derive_rules(tables)

    def references(self, table: str, fields: Mapping[str, Any]) -> Iterator[tuple[str, uuid.UUID]]:
        """The (table, id) of every checked reference among the given canonical fields."""
        rule = self.rules.get(table)
        if rule is None:
            return
        for name, value in fields.items():
            column = rule.columns.get(name)
            if column is not None and column.references is not None and value is not None:
                yield column.references, uuid.UUID(str(value))

    def fill_defaults(self, table: str, fields: dict[str, Any]) -> None:
        """Give a new row the constant defaults of the NOT NULL columns it lacks (see the module docstring)."""
        for column in self.rules[table].columns.values():
            if column.fill is not None and column.name not in fields:
                fields[column.name] = column.fill

    def problem(self, table: str, fields: Mapping[str, Any], *, new: bool,
                present: Callable[[str, uuid.UUID], bool]) -> str | None:
        """Why a mutation's canonical fields cannot be stored (Arabic), or None.

        `new` is True when the server does not hold the row yet; `present(table, id)` tells whether a
        referenced row exists in the association (or earlier in the batch).
        """
        rule = self.rules[table]
        if new:
            missing = [name for name in rule.required if fields.get(name) is None]
            if missing:
                return (f"السجل الجديد في الجدول «{table}» ينقصه حقول مطلوبة: {'، '.join(missing)}؛ "
                        "لم يُطبّق هذا التغيير")
        for name, value in fields.items():
            column = rule.columns.get(name)
            if column is None or name in p.SERVER_ASSIGNED_COLUMNS:
                continue
            reason = _value_problem(table, column, value)
            if reason is not None:
                return reason
        for target, row_id in self.references(table, fields):
            if not present(target, row_id):
                return (f"السجل في الجدول «{table}» يشير إلى سجل غير موجود لدى الخادم في الجدول «{target}»؛ "
                        "لم يُطبّق هذا التغيير")
        return None
