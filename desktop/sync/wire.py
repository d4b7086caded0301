"""A first sync's hot path: one table's pulled rows decoded straight into their SQLite storage tuples.

A first sync writes hundreds of thousands of rows, and what costs is Python per row: a dict per
row's fields, a plan looked up per row, a call per value. Here, per table and once per sync
(`wire_plan`, kept by `SyncStorage`):

* a msgspec decoder of a JSON array of that table's fields into typed structs — every live column
  present and of its wire type, a required column not null, checked in C while decoding;
* a generated function turning the decoded structs (and their envelopes: id, version, sequence)
  into the tuples of every live column's storage value, in the table's column order, for ONE
  ``executemany`` of one prepared INSERT (`desktop.sync.bulk`).

A group with any row that does not fit (a field missing or of another type, a required column
empty, a value that does not convert) is not written here at all: `storage_tuples` returns None and
the caller takes the general path (`SyncStorage.apply_rows`), which sets that row aside in
quarantine and applies the others. Both paths give the same storage values (the inline conversions
are `desktop.sync.forms`'s).
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import msgspec

from desktop.sync.forms import INLINE_CONVERSIONS, TableInfo, conversion_namespace
from desktop.sync.pulled import WireRow, joined_fields

__all__ = ["WirePlan", "storage_tuples", "wire_plan"]

#: Columns whose value comes from the row's envelope, not from its fields.
_ENVELOPE = {"id": "r.row_id", "version": "r.version", "server_seq": "r.server_seq"}
#: The wire type of a column kind (`protocol.column_kind`) as msgspec checks it; json and decimal take any value.
_WIRE_TYPES: dict[str, Any] = {"int": int, "float": float, "bool": bool, "json": Any, "decimal": Any}
#: What a conversion may raise for a value it cannot store (the row then takes the general path).
_UNCONVERTIBLE = (ValueError, TypeError, KeyError, OverflowError, AttributeError, ArithmeticError)

#: (wire rows, their decoded fields) → (storage tuples, newest HLC among them or "").
Convert = Callable[[Sequence[WireRow], list[Any]], tuple[list[tuple[Any, ...]], str]]


@dataclass(frozen=True)
class WirePlan:
    """How one table's pulled rows become storage tuples: the columns written (all live ones, in order), the decoder
    of an array of its fields, and the generated conversion."""

    columns: tuple[str, ...]
    decoder: msgspec.json.Decoder[list[Any]]
    convert: Convert


def wire_plan(info: TableInfo) -> WirePlan | None:
    """The plan of a table's live columns (the caller keeps it), or None when a column cannot be a struct field."""
    columns = tuple(info.columns)
    names = [c for c in columns if c not in _ENVELOPE]
    if not {"id", "version"} <= set(columns) or any(not c.isidentifier() or keyword.iskeyword(c) for c in names):
        return None
    table = info.table
    spec: list[tuple[str, Any]] = []
    for name in names:
        wire: Any = _WIRE_TYPES.get(info.kinds[name], str)
        if table.c[name].nullable and wire is not Any:
            wire = Optional[wire]  # noqa: UP007 - a runtime type for msgspec
        spec.append((name, wire))
    fields = msgspec.defstruct(f"Wire_{table.name}", spec, gc=False)
    decoder: msgspec.json.Decoder[list[Any]] = msgspec.json.Decoder(list[fields])  # type: ignore[valid-type]
    return WirePlan(columns, decoder, _compile(info, columns))


def _compile(info: TableInfo, columns: tuple[str, ...]) -> Convert:
    """The generated conversion: one local per column, one inline expression per value (no call per value for the
    common wire forms), required json/decimal columns checked (msgspec checks the others)."""
    reads: list[str] = []
    checks: list[str] = []
    values: list[str] = []
    for i, column in enumerate(columns):
        local = f"v{i}"
        reads.append(f"        {local} = {_ENVELOPE.get(column) or f'f.{column}'}")
        kind = info.kinds[column]
        if column not in _ENVELOPE and kind in ("json", "decimal") and not info.table.c[column].nullable:
            checks.append(f"        if {local} is None:\n            raise ValueError({column!r})")
        values.append(INLINE_CONVERSIONS.get(kind, "{v}").format(v=local))
    newest = ""
    if "hlc" in columns:
        hlc = f"v{columns.index('hlc')}"
        newest = f"        if type({hlc}) is str and {hlc} > newest:\n            newest = {hlc}\n"
    source = ("def convert(rows, fields):\n    out = []\n    append = out.append\n    newest = ''\n"
              "    for r, f in zip(rows, fields, strict=True):\n" + "\n".join(reads) + "\n"
              + "".join(c + "\n" for c in checks) + newest
              + "        append((" + "".join(f"({v}), " for v in values) + "))\n    return out, newest\n")
    namespace = conversion_namespace()
    exec(compile(source, f"<wire converter {info.table.name}>", "exec"), namespace)  # noqa: S102 - column names only
    convert: Convert = namespace["convert"]
    return convert


def storage_tuples(plan: WirePlan, rows: Sequence[WireRow]) -> tuple[list[tuple[Any, ...]], str] | None:
    """The storage tuples of `rows` (one table's) and the newest HLC among them; None when any row does not fit the
    typed form (nothing is written here: the caller applies the group by the general path)."""
    try:
        fields = plan.decoder.decode(joined_fields(rows))
        return plan.convert(rows, fields)
    except (msgspec.DecodeError, *_UNCONVERTIBLE):
        return None
