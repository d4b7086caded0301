"""The fault tests of issue 4: after each fault, every acknowledged change is everywhere, nothing twice, all equal.

Real server (subprocess) on real PostgreSQL; desks are real workspaces. Faults are injected in
the HTTP transport (the server really receives and commits) or by killing the server process.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest

from desktop.sync.client import SyncError
from desktop.sync.service import SyncService
from tests.desktop.reception.conftest import png_file
from tests.desktop.sync.conftest import Desk, assert_converged


def _server_count(desk: Desk, table: str) -> int:
    response = desk.sync.client()._request("GET", "/v1/summary")  # noqa: SLF001
    return int(response.json()["tables"].get(table, {}).get("count", 0))


def _conflicts(desk: Desk) -> list[tuple[str, str, str]]:
    with desk.ws.db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        return [tuple(r) for r in raw.execute("SELECT table_name, row_id, field FROM sync_conflict ORDER BY id")]


def test_reply_lost_after_the_server_committed(make_desk, sync_server) -> None:
    a, b = make_desk("a"), make_desk("b")
    a.settle()
    case_id = a.new_case()
    a.transport.drop_reply_once.add("/v1/push")
    with pytest.raises(SyncError) as raised:
        a.round()
    assert raised.value.kind == "offline"
    assert a.pending() > 0  # not acknowledged here, though the server has it
    report = a.round()  # the same batch again: answered "duplicate", nothing applied twice
    assert report.duplicates > 0
    b.settle()
    a.settle()
    assert b.scalar('SELECT count(*) FROM "case" WHERE id = :i', i=case_id.hex) == 1
    assert_converged(sync_server, a, b)


def test_the_same_batch_sent_twice(make_desk, sync_server) -> None:
    a, b = make_desk("a"), make_desk("b")
    a.settle()
    for _ in range(3):
        a.new_case()
    client = a.sync.client()
    composed = client._compose_batch(500)  # noqa: SLF001 - stored exactly as it will be sent
    assert composed is not None
    _, payload = composed
    first = client._request("POST", "/v1/push", json=payload).json()  # noqa: SLF001
    second = client._request("POST", "/v1/push", json=payload).json()  # noqa: SLF001
    assert {r["status"] for r in second["results"]} == {"duplicate"}
    assert [r["version"] for r in first["results"]] == [r["version"] for r in second["results"]]
    a.settle()
    b.settle()
    assert_converged(sync_server, a, b)
    assert b.scalar('SELECT count(*) FROM "case"') == a.scalar('SELECT count(*) FROM "case"') == 3


def test_server_killed_mid_batch(make_desk, sync_server) -> None:
    a, b = make_desk("a"), make_desk("b")
    a.settle()
    for _ in range(20):
        a.new_case()
    killer = threading.Timer(0.01, sync_server.kill)
    original = a.transport.handle_request

    def kill_during_push(request):  # the server dies while the batch is in flight
        if request.url.path == "/v1/push":
            killer.start()
        return original(request)

    a.transport.handle_request = kill_during_push  # type: ignore[method-assign]
    with pytest.raises(SyncError):
        for _ in range(5):
            a.round()
    killer.join()
    a.transport.handle_request = original  # type: ignore[method-assign]
    sync_server.restart()
    a.settle()
    b.settle()
    a.settle()
    assert_converged(sync_server, a, b)
    assert b.scalar('SELECT count(*) FROM "case"') == 20


def test_client_killed_mid_apply(make_desk, sync_server) -> None:
    a, b = make_desk("a"), make_desk("b")
    for _ in range(5):
        a.new_case()
    a.settle()
    client = b.sync.client()
    real_apply = client._apply_rows  # noqa: SLF001

    def crash_after_applying(conn, rows):
        real_apply(conn, rows)
        raise KeyboardInterrupt("power cut inside the apply transaction")

    client._apply_rows = crash_after_applying  # type: ignore[method-assign]  # noqa: SLF001
    with pytest.raises(KeyboardInterrupt):
        b.round()
    client._apply_rows = real_apply  # type: ignore[method-assign]  # noqa: SLF001
    assert b.scalar('SELECT count(*) FROM "case"') == 0  # rolled back with its cursor
    assert b.scalar("SELECT pull_after FROM sync_state") == 0
    assert b.scalar("SELECT suppressed FROM sync_switch") == 0
    b.settle()
    a.settle()
    assert b.scalar('SELECT count(*) FROM "case"') == 5
    assert_converged(sync_server, a, b)


def test_one_desk_offline_for_a_week_of_edits(make_desk, sync_server) -> None:
    a, b = make_desk("a"), make_desk("b")
    a.settle()
    b.settle()
    b.transport.offline = True
    made_offline = []
    for day in range(7):
        b.clock_skew[0] = day * 86400.0  # the week passes on b
        case_id = b.new_case()
        b.edit_case(case_id, summary=f"اليوم {day + 1}")
        made_offline.append(case_id)
        a.new_case()
        a.round()
        with pytest.raises(SyncError):
            b.round()
    assert b.sync.status().online is False
    assert b.sync.status().pending_changes >= 7
    b.transport.offline = False
    b.settle()
    a.settle()
    for case_id in made_offline:
        assert a.scalar('SELECT count(*) FROM "case" WHERE id = :i', i=case_id.hex) == 1
    assert a.scalar('SELECT count(*) FROM "case"') == 14
    assert_converged(sync_server, a, b)


def test_clock_skewed_a_day_either_way(make_desk, sync_server) -> None:
    fast, slow = make_desk("fast", skew_seconds=86400.0), make_desk("slow", skew_seconds=-86400.0)
    case_id = fast.new_case()
    fast.settle()
    slow.settle()
    fast.edit_case(case_id, summary="من الجهاز المتقدم ساعته")
    fast.round()
    time.sleep(0.05)
    slow.edit_case(case_id, summary="من الجهاز المتأخر ساعته، بعده فعلًا")
    slow.settle()
    fast.settle()
    slow.settle()
    # the later edit (in real time) is the provisional winner although its PC's clock is two days behind
    assert fast.scalar('SELECT summary FROM "case" WHERE id = :i', i=case_id.hex) == "من الجهاز المتأخر ساعته، بعده فعلًا"
    assert len(_conflicts(fast)) == 1
    hlc = fast.scalar('SELECT hlc FROM "case" WHERE id = :i', i=case_id.hex)
    assert abs(int(hlc.split("-")[0]) / 1000 - time.time()) < 3600
    assert_converged(sync_server, fast, slow)


def test_two_desks_edit_one_case_on_different_fields_and_on_the_same_field(make_desk, sync_server) -> None:
    a, b = make_desk("a", branch="الرياض"), make_desk("b")
    case_id = a.new_case()
    a.settle()
    b.settle()
    a.edit_case(case_id, summary="ملخص من أ")
    b.edit_case(case_id, location="حي النسيم")
    a.round()
    b.settle()
    a.settle()
    assert _conflicts(a) == [] and _conflicts(b) == []
    for desk in (a, b):
        assert desk.scalar('SELECT summary || \'|\' || location FROM "case" WHERE id = :i', i=case_id.hex) == "ملخص من أ|حي النسيم"

    a.edit_case(case_id, summary="أ يقول")
    b.edit_case(case_id, summary="ب يقول")
    a.round()
    b.settle()
    a.settle()
    b.settle()
    assert len(_conflicts(a)) == len(_conflicts(b)) == 1  # recorded exactly once, seen on both
    assert a.sync.status().open_conflicts == 1
    [view] = b.sync.conflicts()
    assert view.field_label_ar == "ملخص الحالة" and view.table_label_ar == "الحالة"
    assert {view.value_a_text, view.value_b_text} == {"أ يقول", "ب يقول"}
    # Each PC by its enrolled name (and branch); this PC as such.
    assert {view.device_a_ar, view.device_b_ar} == {"هذا الجهاز", "a (الرياض)"}
    [seen_on_a] = a.sync.conflicts()
    assert {seen_on_a.device_a_ar, seen_on_a.device_b_ar} == {"هذا الجهاز", "b"}
    winner_value = view.value_a if view.winner == "a" else view.value_b
    assert a.scalar('SELECT summary FROM "case" WHERE id = :i', i=case_id.hex) == winner_value
    loser = "a" if view.winner == "b" else "b"
    b.sync.resolve(view.id, loser)  # the supervisor keeps the other value
    b.settle()
    a.settle()
    assert a.sync.status().open_conflicts == 0
    chosen = view.value_a if loser == "a" else view.value_b
    assert a.scalar('SELECT summary FROM "case" WHERE id = :i', i=case_id.hex) == chosen

    # Two more conflicts; the newer one resolved: the older, still open, is listed before every resolved one.
    a.edit_case(case_id, summary="أ مرة ثانية", location="حي الملز")
    b.edit_case(case_id, summary="ب مرة ثانية", location="حي العليا")
    a.round()
    b.settle()
    a.settle()
    newer, older = b.sync.conflicts()
    assert newer.status == older.status == "open"
    b.sync.resolve(newer.id, "a")
    listed = b.sync.conflicts(include_resolved=True)
    assert [(c.id, c.status) for c in listed] == [(older.id, "open"), (newer.id, "resolved"), (view.id, "resolved")]
    b.settle()
    a.settle()
    assert [(c.id, c.status) for c in a.sync.conflicts(include_resolved=True)] == [(c.id, c.status) for c in listed]
    assert_converged(sync_server, a, b)


def test_delete_on_one_desk_edit_on_another(make_desk, sync_server) -> None:
    a, b = make_desk("a"), make_desk("b")
    case_id = a.new_case()
    a.settle()
    b.settle()
    with a.ws.db.session() as session:
        from sqlalchemy import text

        session.execute(text('UPDATE "case" SET deleted_at = \'2026-01-01 00:00:00.000000\' WHERE id = :i'),
                        {"i": case_id.hex})
    b.edit_case(case_id, summary="تعديل بعد الحذف")
    a.round()
    b.settle()
    a.settle()
    b.settle()
    for desk in (a, b):  # the delete wins provisionally, the edit is kept in the row, one conflict to review
        assert desk.scalar('SELECT deleted_at IS NOT NULL FROM "case" WHERE id = :i', i=case_id.hex) == 1
        assert desk.scalar('SELECT summary FROM "case" WHERE id = :i', i=case_id.hex) == "تعديل بعد الحذف"
        assert [c[2] for c in _conflicts(desk)] == ["deleted_at"]
    [view] = a.sync.conflicts()
    restore = "a" if view.value_a is None else "b"
    a.sync.resolve(view.id, restore)  # the supervisor restores the case
    a.settle()
    b.settle()
    assert b.scalar('SELECT deleted_at IS NULL FROM "case" WHERE id = :i', i=case_id.hex) == 1
    assert_converged(sync_server, a, b)


def test_a_case_moved_between_branches(make_desk, sync_server) -> None:
    riyadh, jeddah = make_desk("riyadh", branch="الرياض"), make_desk("jeddah", branch="جدة")
    case_id = riyadh.new_case()
    assert riyadh.scalar('SELECT branch FROM "case" WHERE id = :i', i=case_id.hex) == "الرياض"
    riyadh.settle()
    jeddah.settle()
    riyadh.edit_case(case_id, branch="جدة")
    riyadh.settle()
    jeddah.settle()
    jeddah.edit_case(case_id, summary="استلمها فرع جدة")
    jeddah.settle()
    riyadh.settle()
    for desk in (riyadh, jeddah):
        assert desk.scalar('SELECT branch || \'|\' || summary FROM "case" WHERE id = :i', i=case_id.hex) == "جدة|استلمها فرع جدة"
    assert _conflicts(riyadh) == []
    assert_converged(sync_server, riyadh, jeddah)


def test_an_old_client_schema_is_refused_and_nothing_is_lost(make_desk, sync_server) -> None:
    a, b = make_desk("a"), make_desk("b")
    a.settle()
    case_id = a.new_case()
    old = SyncService(a.ws, transport=a.transport, schema="0004")
    with pytest.raises(SyncError) as raised:
        old.run_round()
    assert raised.value.kind == "upgrade" and raised.value.message_ar
    assert a.pending() > 0
    old.close()
    a.settle()  # after the upgrade (the current schema) everything goes
    b.settle()
    assert b.scalar('SELECT count(*) FROM "case" WHERE id = :i', i=case_id.hex) == 1
    assert_converged(sync_server, a, b)


@pytest.mark.parametrize("fault", ["truncate_upload_once", "corrupt_upload_once"])
def test_a_truncated_or_corrupted_attachment_upload(make_desk, sync_server, tmp_path: Path, fault: str) -> None:
    a, b = make_desk("a"), make_desk("b")
    a.settle()
    sha = a.reception.import_attachment(png_file(tmp_path / "scan.png"))
    setattr(a.transport, fault, True)
    with pytest.raises(SyncError) as raised:
        a.round()
    assert raised.value.kind == "attachment"
    assert ("PUT", f"/v1/attachments/{sha}", 422) in a.transport.requests
    assert a.pending() > 0  # the row waits for its file
    a.settle()
    b.settle()
    path = b.scalar("SELECT stored_path FROM attachment WHERE sha256 = :s", s=sha)
    import hashlib

    assert hashlib.sha256((b.ws.data_dir / path).read_bytes()).hexdigest() == sha
    assert_converged(sync_server, a, b)


def test_a_damaged_local_file_is_not_sent_and_does_not_block_the_rest(make_desk, sync_server, tmp_path: Path) -> None:
    a, b = make_desk("a"), make_desk("b")
    a.settle()
    sha = a.reception.import_attachment(png_file(tmp_path / "scan.png"))
    path = a.ws.data_dir / a.scalar("SELECT stored_path FROM attachment WHERE sha256 = :s", s=sha)
    path.write_bytes(path.read_bytes()[:100])
    case_id = a.new_case()
    a.settle()
    b.settle()
    assert b.scalar('SELECT count(*) FROM "case" WHERE id = :i', i=case_id.hex) == 1
    assert b.scalar("SELECT count(*) FROM attachment WHERE sha256 = :s", s=sha) == 0
    assert a.sync.status().blocked_changes == 1


def test_a_second_desk_is_rekeyed_to_the_association_and_one_with_cases_is_refused(make_desk, sync_server) -> None:
    a = make_desk("a")
    b = make_desk("b")
    assert a.scalar("SELECT id FROM association") == b.scalar("SELECT id FROM association")
    assert a.scalar("SELECT case_number_prefix FROM device") != b.scalar("SELECT case_number_prefix FROM device")
    case_b = b.new_case()
    prefix = b.scalar("SELECT case_number_prefix FROM device")
    assert b.scalar('SELECT case_number FROM "case" WHERE id = :i', i=case_b.hex).startswith(prefix + "-")
    c = make_desk("c", enroll=False)
    c.new_case()
    code = make_desk.code(c.ws.active_profile().association.name)
    with pytest.raises(SyncError) as raised:
        c.sync.enroll(sync_server.url, code, device_name="c")
    assert "حالة" in raised.value.message_ar
    assert c.sync.status().configured is False
    a.settle()
    b.settle()
    a.settle()
    assert_converged(sync_server, a, b)


def test_officer_row_merged_by_a_pull_is_not_used_again(make_desk, sync_server) -> None:
    """Two PCs, one login: a pull merges this PC's officer row into the server's; the next case still saves.

    Found by the stateful test (a FOREIGN KEY failure at commit): the services cached the officer's row id,
    which the pull had replaced with the same login's row from the other PC.
    """
    first, second = make_desk("login-a"), make_desk("login-b")
    first.new_case()
    first.new_case()
    first.round()
    second.new_case()
    second.new_case()  # the officer's row id is cached from here on
    second.round()  # pulls the other PC's row for the same login
    case_id = second.new_case()
    assert second.scalar('SELECT count(*) FROM "case" WHERE id = :i', i=case_id.hex) == 1
    officer = second.scalar('SELECT updated_by FROM "case" WHERE id = :i', i=case_id.hex)
    assert second.scalar("SELECT count(*) FROM app_user WHERE id = :i AND deleted_at IS NULL", i=officer) == 1


def test_a_fault_of_this_program_is_worded_by_describe_and_recorded(make_desk, sync_server) -> None:
    """A round that fails for a reason of the desk itself (here: a bookkeeping table lost from the database) is a
    SyncError "server" worded by `desktop.errors.describe`, recorded for the status bar; the cause stays chained."""
    a = make_desk("a")
    a.settle()
    with a.ws.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE sync_missing_file")
    with pytest.raises(SyncError) as raised:
        a.round()
    error = raised.value
    assert error.kind == "server"
    assert isinstance(error.__cause__, sqlite3.OperationalError)
    assert any("\u0600" <= ch <= "\u06ff" for ch in error.message_ar)
    assert "sync_missing_file" not in error.message_ar and "Traceback" not in error.message_ar
    assert a.sync.status().last_error_ar == error.message_ar
    assert a.sync.status().online is False
