"""The sync verification compares content: a row edited behind the app's back (no outbox) is found and restored."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

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


def test_sums_taken_from_the_server_after_a_first_sync_are_checked_by_the_rolling_resumming(
        make_desk: Callable[..., Desk], monkeypatch: pytest.MonkeyPatch) -> None:
    """A table adopted with the server's sums (a large first sync) is still re-summed from its rows when due."""
    from desktop.sync import verify

    writer = make_desk("writer")
    case_ids = [writer.new_case() for _ in range(3)]
    writer.settle()
    monkeypatch.setattr(verify, "ADOPT_ROWS", 0)  # every table counts as large here
    monkeypatch.setattr(verify, "CONTENT_BUDGET", 2)
    reader = make_desk("reader")
    first = reader.round()
    assert first.pulled and first.verified and not first.resynced_tables
    assert [u for u in reader.transport.urls if "buckets=all" in u]  # the server's sums were taken, not recomputed
    _edit_behind_the_back(reader, 'UPDATE "case" SET summary = ? WHERE id = ?', "عبث", case_ids[0].hex)
    found = 0
    for _ in range(60):  # round the tables a few rows at a time, as idle rounds do every SUMMARY_INTERVAL
        with reader.ws.db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE sync_state SET last_summary_at = '2000-01-01 00:00:00' WHERE id = 1")
        found += reader.round().edited_rows
        if found:
            break
    assert found == 1
    assert reader.scalar('SELECT summary FROM "case" WHERE id = :id', id=case_ids[0].hex) != "عبث"
