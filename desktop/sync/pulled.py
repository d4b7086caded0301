"""Pulled rows as the desk's apply path reads them: ``/v1/pull`` and ``/v1/rows`` answers decoded with msgspec.

The server's pydantic models (`desktop.sync.protocol`) describe the same answers; the desk decodes
them with msgspec instead, because a first sync reads millions of rows. A ``/v1/pull`` page is
decoded in two steps (`parse_pull_page`): the envelope of every row typed in C (table, id,
version, sequence, deleted) with its ``fields`` kept as raw JSON (`WireRow`), then, per table, all
of that table's fields at once — typed per table into value tuples by the first sync's bulk path
(`desktop.sync.wire`), or as dicts (`PageRows`, `materialize`) by every other path.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import msgspec

from desktop.sync.link import bad_answer

__all__ = ["PageRows", "PulledPage", "PulledRow", "WireRow", "materialize", "parse_pull_page", "parse_rows_page"]


class PulledRow:
    """One pulled row as the apply path reads it (no pydantic: pages are large).

    ``row_id`` is the canonical string with dashes, ``hex`` the 32-hex storage form.
    """

    __slots__ = ("deleted", "fields", "row_id", "server_seq", "table", "version")

    def __init__(self, table: str, row_id: str, version: int, server_seq: int, deleted: bool,
                 fields: dict[str, Any]) -> None:
        self.table = table
        self.row_id = row_id
        self.version = version
        self.server_seq = server_seq
        self.deleted = deleted
        self.fields = fields

    @property
    def hex(self) -> str:
        """The row id in its 32-hex storage form."""
        return self.row_id.replace("-", "")


class WireRow(msgspec.Struct, gc=False):
    """One row of a ``/v1/pull`` page as decoded (types checked in C): its ``fields`` still raw JSON bytes."""

    table: str
    row_id: str
    version: int
    server_seq: int
    deleted: bool
    fields: msgspec.Raw


class _WirePage(msgspec.Struct, gc=False):
    """A ``/v1/pull`` answer as decoded."""

    rows: list[WireRow]
    next_after: int
    has_more: bool
    head_seq: int


_PAGE = msgspec.json.Decoder(_WirePage)
_ANY = msgspec.json.Decoder()


def joined_fields(rows: Sequence[WireRow]) -> bytes:
    """The raw ``fields`` of `rows` as one JSON array (decoded in one call)."""
    return b"[" + b",".join([row.fields for row in rows]) + b"]"


def materialize(rows: Sequence[WireRow]) -> list[PulledRow]:
    """`PulledRow`s of wire rows, their fields decoded as dicts (all at once; SyncError "server" when one is not an
    object)."""
    if not rows:
        return []
    try:
        decoded = _ANY.decode(joined_fields(rows))
    except msgspec.DecodeError as exc:
        raise bad_answer(f"malformed fields: {exc}") from None
    out: list[PulledRow] = []
    append = out.append
    for row, fields in zip(rows, decoded, strict=True):
        if type(fields) is not dict:
            raise bad_answer(f"row of wrong types: {row.table} {row.row_id}")
        append(PulledRow(row.table, row.row_id, row.version, row.server_seq, row.deleted, fields))
    return out


class PageRows(Sequence[PulledRow]):
    """The rows of one pulled page in ``server_seq`` order: their envelopes decoded, their fields decoded when first
    asked for (as `PulledRow`s), or per table into value tuples by the bulk path (`by_table`)."""

    __slots__ = ("_rows", "wire")

    def __init__(self, wire: list[WireRow]) -> None:
        self.wire = wire
        self._rows: list[PulledRow] | None = None

    def __len__(self) -> int:
        return len(self.wire)

    @overload
    def __getitem__(self, index: int) -> PulledRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[PulledRow]: ...

    def __getitem__(self, index: int | slice) -> PulledRow | Sequence[PulledRow]:
        return self.materialized()[index]

    def __iter__(self) -> Iterator[PulledRow]:
        return iter(self.materialized())

    def materialized(self) -> list[PulledRow]:
        """Every row as a `PulledRow` (decoded once)."""
        if self._rows is None:
            self._rows = materialize(self.wire)
        return self._rows

    def by_table(self) -> dict[str, list[WireRow]]:
        """The wire rows grouped by table, each group in page order, tables in order of first appearance."""
        groups: dict[str, list[WireRow]] = {}
        for row in self.wire:
            group = groups.get(row.table)
            if group is None:
                group = groups[row.table] = []
            group.append(row)
        return groups


@dataclass
class PulledPage:
    """One ``/v1/pull`` answer: rows in ``server_seq`` order and the cursor to store with them."""

    rows: Sequence[PulledRow]
    next_after: int
    has_more: bool
    head_seq: int


def _pulled_rows(items: Any) -> list[PulledRow]:
    """Checked `PulledRow`s of a JSON list (SyncError "server" when the shape is wrong)."""
    if type(items) is not list:
        raise bad_answer("rows is not a list")
    rows: list[PulledRow] = []
    append = rows.append
    try:
        for item in items:
            table, row_id, version, seq, deleted, fields = (
                item["table"], item["row_id"], item["version"], item["server_seq"], item["deleted"], item["fields"])
            if not (type(table) is str and type(row_id) is str and type(version) is int and type(seq) is int
                    and type(deleted) is bool and type(fields) is dict):
                raise bad_answer(f"row of wrong types: {str(item)[:200]}")
            if len(row_id) != 36 or not row_id.islower():
                row_id = str(uuid.UUID(row_id))
            append(PulledRow(table, row_id, version, seq, deleted, fields))
    except (KeyError, TypeError, ValueError) as exc:
        raise bad_answer(f"malformed row: {exc!r}") from None
    return rows


def parse_pull_page(content: bytes) -> PulledPage:
    """The body of a ``/v1/pull`` answer as a `PulledPage` (SyncError "server" when it is not one); its rows are a
    `PageRows`, fields decoded when first used."""
    try:
        body = _PAGE.decode(content)
    except msgspec.DecodeError as exc:  # ValidationError included: a missing key or a value of the wrong type
        raise bad_answer(f"malformed page: {exc}") from None
    wire = body.rows
    for row in wire:
        row_id = row.row_id
        if len(row_id) != 36 or not row_id.islower():
            try:
                row.row_id = str(uuid.UUID(row_id))
            except ValueError:
                raise bad_answer(f"malformed row id: {row_id[:60]!r}") from None
    return PulledPage(PageRows(wire), body.next_after, body.has_more, body.head_seq)


def parse_rows_page(content: bytes) -> tuple[list[PulledRow], str | None, bool]:
    """The body of a ``/v1/rows`` answer: rows, ``next_after_id`` and ``has_more``."""
    try:
        body = json.loads(content)
        rows, after, more = _pulled_rows(body["rows"]), body["next_after_id"], body["has_more"]
    except (ValueError, KeyError, TypeError) as exc:
        raise bad_answer(f"malformed rows page: {exc!r}") from None
    if not (after is None or type(after) is str) or type(more) is not bool:
        raise bad_answer("rows page cursor of wrong types")
    return rows, after, more
