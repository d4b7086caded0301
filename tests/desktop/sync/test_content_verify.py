"""The sync verification compares content: a row edited behind the app's back (no outbox) is found and restored."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tests.desktop.sync.conftest import Desk


def _edit_behind_the_back(desk: Desk, sql: str, *params: object) -> None:
    """Change a row directly in the SQLite file with the outbox triggers switched off, as a hand edit would."""
    conn = sqlite3.connect(desk.ws.db.path)
    conn.isolation_level = None
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE sync_switch SET suppressed = 1 WHERE id = 1")
    conn.execute(sql, params)
    conn.execute("UPDATE sync_switch SET suppressed = 0 WHERE id = 1")
    conn.execute("COMMIT")
    conn.close()


def test_a_row_edited_behind_the_apps_back_is_found_by_the_verification(make_desk: Callable[..., Desk]) -> None:
    desk = make_desk("desk")
    case_id = desk.new_case()
    desk.settle()
    clean = desk.sync.client().run_round(verify=True)
    assert clean.edited_rows == 0 and clean.resynced_tables == []  # whole copies compare equal, content included
    before = desk.scalar('SELECT status FROM "case" WHERE id = :id', id=case_id.hex)
    _edit_behind_the_back(desk, 'UPDATE "case" SET status = ? WHERE id = ?', "closed", case_id.hex)
    assert desk.pending() == 0
    desk.transport.urls.clear()
    report = desk.sync.client().run_round(verify=True)
    rows_read = [url for url in desk.transport.urls if "/v1/rows" in url]
    assert rows_read and all("bucket=" in url for url in rows_read)  # only the differing bucket is read again
    assert len(rows_read) == 1
    assert report.edited_rows == 1 and "case" in report.resynced_tables
    assert "خارج البرنامج" in report.summary_ar
    assert desk.scalar('SELECT status FROM "case" WHERE id = :id', id=case_id.hex) == before
    assert desk.sync.client().run_round(verify=True).edited_rows == 0
