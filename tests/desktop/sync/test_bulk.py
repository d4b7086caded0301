"""A first sync applied in bulk (triggers suspended per transaction): the same rows, triggers, name index and summaries.

The bulk thresholds are lowered so a few dozen rows on the real server take the bulk path, in
small pages, with the desk's own rows (association, officer, policy version) meeting their
duplicates inside a bulk transaction (the slow path leaves bulk mode and the next page resumes it).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import desktop.sync.bulk as sync_client
import desktop.sync.storage as sync_storage
from db.ids import uuid7
from db.outbox import outbox_triggers_current
from desktop.reports.summaries import missing_triggers, recompute, snapshot
from desktop.server.store import bulk_load_rows
from tests.desktop.sync.conftest import Desk, assert_converged
from tests.desktop.sync.conftest import snapshot as desk_rows
from tests.desktop.sync.test_quarantine import STAMP, _inject

ROOT = Path(__file__).resolve().parents[3]
NAMES = ("محمد عبد الله القحطاني", "سارة فهد العتيبي", "نورة خالد الشمري", "ريم سلطان الدوسري")


def _server_rows(desk: Desk, count: int, *, start: int = 0) -> Iterator[tuple[str, uuid.UUID, dict[str, Any]]]:
    """Wire rows of `count` cases with a beneficiary, two steps and a document each (as a push stores them)."""
    raw = desk.ws.db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, sqlite3.Connection)

        def one(sql: str) -> str:
            return str(uuid.UUID(hex=conn.execute(sql).fetchone()[0]))

        association, policy = one("SELECT id FROM association"), one("SELECT id FROM policy_version")
        user, device = one("SELECT id FROM app_user"), one("SELECT id FROM device")
    finally:
        raw.close()
    at = dt.datetime.now(dt.UTC).isoformat()
    common = {"hlc": None, "device_id": device, "updated_by": user, "deleted_at": None, "created_at": at,
              "updated_at": at}
    for n in range(start, start + count):
        beneficiary_id, case_id = uuid7(), uuid7()
        name = NAMES[n % len(NAMES)]
        yield "beneficiary", beneficiary_id, {
            **common, "association_id": association, "full_name": name, "name_key": name,
            "id_number": f"2{n:09d}", "id_kind": "national_id", "id_expiry": None, "birth_date": None,
            "gender": None, "nationality": "SA", "mobile": None, "phone_key": None, "city": "الرياض",
            "household_size": 3,
        }
        yield "case", case_id, {
            **common, "association_id": association, "case_number": f"BULK-1447-{n:07d}",
            "beneficiary_id": str(beneficiary_id), "policy_version_id": policy, "channel_id": "visit",
            "case_kind_id": "aid", "status": "received", "officer_id": user, "branch": "الرياض", "summary": None,
            "location": None, "submitted_at": at, "promised_decision_date": "2026-12-01",
            "signature_pending": False, "current_step_id": "verify", "closed_at": None,
        }
        for step in ("greet", "verify"):
            yield "step_completion", uuid7(), {
                **common, "case_id": str(case_id), "step_id": step, "step_kind": step, "officer_id": user,
                "channel_id": "visit", "completed_at": at, "policy_version_id": policy, "skipped": False,
                "skip_reason": None, "note": None,
            }
        yield "required_document", uuid7(), {
            **common, "case_id": str(case_id), "name": "صورة الهوية الوطنية", "provided": n % 2 == 0,
            "valid_until": None, "attachment_id": None,
        }


@pytest.fixture
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk mode for any backlog, in pages of 7 rows."""
    monkeypatch.setattr(sync_client, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(sync_client, "BULK_PAGE", 7)


def _check_local_structures(desk: Desk) -> None:
    """Triggers back, name index and dashboard summaries equal to what the rows call for."""
    raw = desk.ws.db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        assert outbox_triggers_current(conn)
        assert missing_triggers(conn) == []
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"beneficiary_fts_after_insert", "beneficiary_fts_after_update",
                "beneficiary_fts_after_delete"} <= names
        conn.execute("INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('integrity-check')")
        indexed = conn.execute("SELECT count(*) FROM beneficiary_fts WHERE beneficiary_fts MATCH ?",
                               ('"سارة"',)).fetchone()[0]
        stored = conn.execute("SELECT count(*) FROM beneficiary WHERE name_key LIKE '%سارة%'").fetchone()[0]
        assert indexed == stored > 0
        assert snapshot(conn) == recompute(conn)
        assert conn.execute("SELECT suppressed FROM sync_switch").fetchone()[0] == 0
    finally:
        raw.close()


def test_first_sync_in_bulk_equals_the_server(make_desk, sync_server, small_bulk) -> None:
    a = make_desk("a")
    a.new_case()
    a.settle()
    loaded = bulk_load_rows(sync_server.db_url, _association(a), _server_rows(a, 12))
    assert loaded == 60
    b = make_desk("b")
    client = b.sync.client()
    client._page_limit = 1  # noqa: SLF001 - the desk's own rows then meet their duplicates in bulk mode
    restore = sync_client._BulkApply.restore  # noqa: SLF001
    restored: list[int] = []

    def counting_restore(self: Any) -> None:
        restored.append(1)
        restore(self)

    sync_client._BulkApply.restore = counting_restore  # type: ignore[method-assign]  # noqa: SLF001
    try:
        report = b.round()
    finally:
        sync_client._BulkApply.restore = restore  # type: ignore[method-assign]  # noqa: SLF001
    assert restored, "the first sync did not take the bulk path"
    assert report.verified and not report.resynced_tables
    _check_local_structures(b)
    b.settle()
    a.settle()
    assert_converged(sync_server, a, b)
    assert b.scalar('SELECT count(*) FROM "case"') == 13
    b.edit_case(a_case(b), summary="بعد المزامنة الأولى")  # a local change is captured again
    assert b.pending() == 1
    b.settle()
    a.settle()
    assert_converged(sync_server, a, b)


def test_client_killed_mid_bulk_apply(make_desk, sync_server, small_bulk, monkeypatch) -> None:
    a = make_desk("a")
    a.settle()
    bulk_load_rows(sync_server.db_url, _association(a), _server_rows(a, 10))
    monkeypatch.setattr(sync_client, "BULK_CHUNK_SECONDS", 0.0)  # one transaction per page
    monkeypatch.setattr(sync_client, "BULK_COMMIT_SHARE", 0.0)  # ... however long a commit took on a busy machine
    b = make_desk("b")
    client = b.sync.client()
    client._page_limit = 1  # noqa: SLF001 - a one-row first page, then pages of 7 in bulk mode
    real_apply = client._apply_rows  # noqa: SLF001
    pages: list[int] = []

    def crash_on_the_fourth_page(conn: Any, rows: Any) -> None:
        pages.append(len(rows))
        real_apply(conn, rows)
        if len(pages) == 4:
            assert client._bulk is not None  # noqa: SLF001 - triggers suspended right now
            raise KeyboardInterrupt("power cut inside a bulk transaction")

    client._apply_rows = crash_on_the_fourth_page  # type: ignore[method-assign]  # noqa: SLF001
    with pytest.raises(KeyboardInterrupt):
        b.round()
    client._apply_rows = real_apply  # type: ignore[method-assign]  # noqa: SLF001
    kept = b.scalar("SELECT pull_after FROM sync_state")
    assert 0 < kept < sync_server_head(b)  # the three committed pages and their cursor stay
    _check_local_structures(b)  # the interrupted transaction took its suspended triggers back with it
    b.settle()
    a.settle()
    assert_converged(sync_server, a, b)
    assert b.scalar('SELECT count(*) FROM "case"') == 10
    _check_local_structures(b)


def _count_typed_groups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows of every table group the bulk path wrote by its typed decoding (`desktop.sync.wire`), one entry a group."""
    typed: list[int] = []
    real = sync_storage.storage_tuples

    def counting(plan: Any, rows: Any) -> Any:
        converted = real(plan, rows)
        if converted is not None:
            typed.append(len(rows))
        return converted

    monkeypatch.setattr(sync_storage, "storage_tuples", counting)
    return typed


def test_typed_bulk_path_stores_what_the_general_path_stores(make_desk, sync_server, monkeypatch) -> None:
    """The same server rows pulled by a desk in bulk mode (typed decoding, one INSERT per table and page) and by a
    desk applying them one page per transaction: every column of every row equal."""
    a = make_desk("a")
    a.settle()
    bulk_load_rows(sync_server.db_url, _association(a), _server_rows(a, 30))
    monkeypatch.setattr(sync_client, "BULK_MIN_ROWS", 10**9)  # c: never bulk
    c = make_desk("c")
    c.settle()
    monkeypatch.setattr(sync_client, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(sync_client, "BULK_PAGE", 40)
    typed = _count_typed_groups(monkeypatch)
    b = make_desk("b")
    b.sync.client()._page_limit = 1  # noqa: SLF001 - a one-row first page: the backlog is then a first sync's
    report = b.round()
    assert report.verified and not report.resynced_tables
    assert sum(typed) >= 100, typed  # the bulk pages went by the typed path
    _check_local_structures(b)
    assert desk_rows(b) == desk_rows(c)
    for desk in (a, b, c):
        desk.settle()
    assert_converged(sync_server, a, b, c)


def test_poison_rows_are_set_aside_in_the_bulk_path(make_desk, sync_server, small_bulk, monkeypatch) -> None:
    """A row the desk cannot store, among others pulled in bulk: set aside with its reason, the rest of its page and
    table applied (its table's group leaves the typed path for the general one), the next pages typed again."""
    a = make_desk("a")
    a.settle()
    bulk_load_rows(sync_server.db_url, _association(a), _server_rows(a, 6))
    name = a.ws.active_profile().association.name
    empty_case, late_step = uuid.uuid4(), uuid.uuid4()
    _inject(sync_server, name, [
        ("case", empty_case, {}),  # no fields at all
        ("step_completion", late_step, {"case_id": str(uuid.uuid4()), "step_id": "greet", "step_kind": "greet",
                                        "completed_at": "yesterday", "created_at": STAMP, "updated_at": STAMP,
                                        "policy_version_id": str(uuid.uuid4()), "skipped": False}),
    ])
    bulk_load_rows(sync_server.db_url, _association(a), _server_rows(a, 6, start=6))
    typed = _count_typed_groups(monkeypatch)
    b = make_desk("b")
    b.sync.client()._page_limit = 1  # noqa: SLF001 - a one-row first page, then bulk pages of 7
    report = b.round()
    assert report.quarantined == 2
    assert typed, "the bulk pages did not take the typed path"
    assert b.scalar('SELECT count(*) FROM "case"') == 12
    assert b.scalar("SELECT count(*) FROM step_completion") == 24
    _rejected, kept = b.sync.refused()
    reasons = {row.row_id: row.reason_ar for row in kept}
    assert set(reasons) == {str(empty_case), str(late_step)}
    assert "حقول مطلوبة فارغة" in reasons[str(empty_case)]
    assert "لا تناسب نوع عمودها" in reasons[str(late_step)]
    _check_local_structures(b)


CHILD = """
import sys
from pathlib import Path

import desktop.sync.bulk as bulk

bulk.BULK_MIN_ROWS, bulk.BULK_PAGE, bulk.BULK_CHUNK_SECONDS, bulk.BULK_COMMIT_SHARE = 1, 60, 0.0, 0.0
commit = bulk.Chunk.commit


def announced(self):
    took = commit(self)
    print("committed", flush=True)
    return took


bulk.Chunk.commit = announced
from desktop.sync.service import SyncService
from desktop.workspace import Workspace

SyncService(Workspace.open(Path(sys.argv[1]))).run_round()
print("done", flush=True)
"""


def test_desk_process_killed_during_a_first_sync_resumes(make_desk, sync_server) -> None:
    """A desk's process killed (SIGKILL, as a power cut) in the middle of a first sync of thousands of rows: the
    pages committed stay with their cursor, triggers, name index and summaries are whole, and the next round brings
    exactly the server's rows (none twice, none missing)."""
    a = make_desk("a")
    a.settle()
    bulk_load_rows(sync_server.db_url, _association(a), _server_rows(a, 1200))  # 6,000 rows
    b = make_desk("b")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(b.ws.data_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "MUSTAFID_AUTO_BACKUP": "0"})
    assert child.stdout is not None
    commits = 0
    for line in child.stdout:
        commits += line.strip() == "committed"
        if commits == 4:
            break
    child.send_signal(signal.SIGKILL)
    _out, err = child.communicate(timeout=60)
    assert commits == 4, err
    assert child.returncode == -signal.SIGKILL
    kept = b.scalar("SELECT pull_after FROM sync_state")
    assert 0 < kept < sync_server_head(b)
    assert 0 < b.scalar('SELECT count(*) FROM "case"') < 1200
    _check_local_structures(b)  # the killed transaction took its dropped triggers with it
    b.settle()
    assert b.scalar('SELECT count(*) FROM "case"') == 1200
    assert b.scalar("SELECT count(*) FROM beneficiary") == 1200
    assert b.scalar("SELECT count(*) FROM step_completion") == 2400
    assert b.scalar("SELECT count(*) FROM required_document") == 1200
    _check_local_structures(b)
    a.settle()
    assert_converged(sync_server, a, b)


def _association(desk: Desk) -> uuid.UUID:
    return uuid.UUID(hex=str(desk.scalar("SELECT id FROM association")))


def a_case(desk: Desk) -> uuid.UUID:
    return uuid.UUID(hex=str(desk.scalar('SELECT id FROM "case" ORDER BY case_number LIMIT 1')))


def sync_server_head(desk: Desk) -> int:
    response = desk.sync.client()._request("GET", "/v1/pull", params={"after": 10**12, "limit": 1})  # noqa: SLF001
    return int(response.json()["head_seq"])
