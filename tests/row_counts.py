"""Every table's row count of a desk database, for tests that prove nothing was lost (an encryption, a restore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def table_counts(connection: sqlite3.Connection, *, skip: Iterable[str] = ()) -> dict[str, int]:
    """Every table's row count through `connection` (SQLite's or SQLCipher's; closed after), but those in `skip`."""
    left_out = set(skip)
    try:
        names = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in names if name not in left_out}
    finally:
        connection.close()
