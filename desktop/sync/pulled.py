"""Pulled rows as the desk's apply path reads them: ``/v1/pull`` and ``/v1/rows`` answers parsed with `json`.

The server's pydantic models (`desktop.sync.protocol`) describe the same answers; the desk parses
them with plain `json` and type checks instead, because a first sync reads millions of rows.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from desktop.sync.link import bad_answer

__all__ = ["PulledPage", "PulledRow", "parse_pull_page", "parse_rows_page"]


class PulledRow:
    """One pulled row as the apply path reads it (parsed with `json`, no pydantic: pages are large).

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


@dataclass
class PulledPage:
    """One ``/v1/pull`` answer: rows in ``server_seq`` order and the cursor to store with them."""

    rows: list[PulledRow]
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
    """The body of a ``/v1/pull`` answer as a `PulledPage` (SyncError "server" when it is not one)."""
    try:
        body = json.loads(content)
        page = PulledPage(_pulled_rows(body["rows"]), body["next_after"], body["has_more"], body["head_seq"])
    except (ValueError, KeyError, TypeError) as exc:
        raise bad_answer(f"malformed page: {exc!r}") from None
    if not (type(page.next_after) is int and type(page.has_more) is bool and type(page.head_seq) is int):
        raise bad_answer("page cursor of wrong types")
    return page


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
