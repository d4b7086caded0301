"""The erasures a restore re-applies (issue 14, PDPL «beyond use»): a backup is never edited, but restoring one
never brings an erased person back. No Qt here.

Decisions recorded here:

* The erasures a desk knows are kept outside any one backup, in a small ledger ``erasures.json`` beside the
  database and the keystore: one entry per `db.models.Erasure` row, its stored columns as they are (ids, the
  policy version, the retention years, the closing and erasure times, who erased: no name, ID, phone or note —
  the erasure table holds none). Retention writes it after each applied run; every backup refreshes it from the
  live database's erasure rows (so an erasure pulled by the sync reaches it too) and carries a copy of it as one
  of its parts (``erasures.json`` in the backup's folder, hashed in its manifest).
* What a restore re-applies is the union of that ledger, the live database's own erasure rows when the file can
  still be read (with the desk's key when encrypted), and the backup's own copy: every erasure whose case is in
  the restored database and whose row is not (`desktop.retention.reapply_erasures`). The restored desk therefore
  opens already erased; the ledger is written back with the union, so the next restore knows them too.
* An entry without readable columns (a hand-edited ledger) is skipped, never guessed at.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from desktop.logbook import get_logger

__all__ = ["LEDGER_FILE", "Erasures", "cases_present", "erasure_case_ids", "erasures_in_database", "merge", "read_ledger",
           "write_ledger"]

#: The ledger's file name, beside the database (and inside each backup's folder).
LEDGER_FILE = "erasures.json"
_FORMAT = 1

#: {erasure id (32 hex digits, as stored): the erasure row's stored columns}.
Erasures = dict[str, dict[str, Any]]

_log = get_logger("backup")


def _hex(value: object) -> str:
    return str(value).replace("-", "").lower()


def read_ledger(folder: Path) -> Erasures:
    """The erasures recorded in ``erasures.json`` in `folder` ({} when there is none, or it cannot be read)."""
    path = Path(folder) / LEDGER_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = raw["erasures"] if raw.get("format") == _FORMAT else []
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        _log.warning("the erasure ledger could not be read: the database's erasure rows are used alone")
        return {}
    found: Erasures = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("id") and entry.get("case_id"):
            found[_hex(entry["id"])] = dict(entry)
    return found


def write_ledger(folder: Path, erasures: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write the ledger into `folder` whole (a temporary file renamed over the old one, flushed); returns it."""
    path = Path(folder) / LEDGER_FILE
    temporary = path.with_name(f".{LEDGER_FILE}.writing")
    body = {"format": _FORMAT, "erasures": [dict(erasures[key]) for key in sorted(erasures)]}
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(body, handle, ensure_ascii=False, indent=1, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return path


def erasures_in_database(connection: sqlite3.Connection) -> Erasures:
    """The erasure rows of an open database, their stored columns by name ({} before the erasure table)."""
    if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'erasure'").fetchone() is None:
        return {}
    cursor = connection.execute("SELECT * FROM erasure WHERE deleted_at IS NULL")
    names = [column[0] for column in cursor.description]
    return {_hex(row["id"]): row for row in (dict(zip(names, values, strict=True)) for values in cursor)}


def merge(*sources: Mapping[str, Mapping[str, Any]]) -> Erasures:
    """The union of several sets of erasures (the first one's columns kept for an erasure in more than one)."""
    union: Erasures = {}
    for source in sources:
        for key, row in source.items():
            union.setdefault(_hex(key), dict(row))
    return union


def cases_present(connection: sqlite3.Connection, case_ids: Iterable[str]) -> set[str]:
    """Which of `case_ids` (32 hex digits) are cases of this database: a look-up by the primary key each, never a
    read of every case (a million of them)."""
    wanted = sorted({_hex(case_id) for case_id in case_ids})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(str(row[0]) for row in connection.execute(
            f'SELECT id FROM "case" WHERE id IN ({", ".join("?" for _ in chunk)})', chunk))
    return found


def erasure_case_ids(erasures: Iterable[Mapping[str, Any]]) -> set[str]:
    """The case ids (32 hex digits) the erasures are about."""
    return {_hex(row["case_id"]) for row in erasures}
