"""Issue 15: poison rows written straight into the server's table are set aside at pull while the rest syncs;
the administrator's commands repair or remove them and every desk converges (real server, real PostgreSQL)."""

from __future__ import annotations

import contextlib
import io
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select, update

from desktop.server.models import server_association, sync_bucket, sync_row
from desktop.server.store import add_to_buckets, normalize_db_url
from desktop.sync import protocol as p
from tests.desktop.sync.conftest import assert_converged, run_admin
from tests.postgres import SyncServerProcess

STAMP = "2026-11-22T08:00:00+00:00"


def _desk_admin(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The desk's administrator command (in this process: tests/desktop/sync/test_cli.py runs it as a process)."""
    return run_admin(data_dir, *args)


def _server_admin(*args: str) -> tuple[int, str, str]:
    from desktop.server.admin_cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _inject(server: SyncServerProcess, association_name: str, rows: list[tuple[str, uuid.UUID, dict[str, Any]]]) -> None:
    """Write rows into the server's table as a server without validation would: next sequences, bucket sums kept."""
    engine = create_engine(normalize_db_url(server.db_url))
    tables = p.synced_tables()
    try:
        with engine.begin() as conn:
            pk, association_id, seq = conn.execute(
                select(server_association.c.pk, server_association.c.association_id, server_association.c.seq)
                .where(server_association.c.name == association_name).with_for_update()).one()
            for table, row_id, values in rows:
                seq += 1
                fields: dict[str, Any] = dict.fromkeys(c.name for c in tables[table].columns)
                fields.update(values)
                fields.update({"id": str(row_id), "version": 1, "server_seq": seq})
                digest = p.row_digest(tables[table], row_id, 1, fields)
                conn.execute(insert(sync_row).values(association_id=association_id, table_name=table, row_id=row_id,
                                                     version=1, server_seq=seq, deleted=False, fields=fields, meta={},
                                                     bucket=p.bucket_of(row_id), digest=digest))
                add_to_buckets(conn, association_id, {(table, p.bucket_of(row_id)): [1, digest]})
            conn.execute(update(server_association).where(server_association.c.pk == pk).values(seq=seq))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_poison_rows_are_set_aside_then_repaired_by_the_administrator(make_desk, sync_server, tmp_path) -> None:
    a = make_desk("a")
    first = a.new_case()
    a.settle()
    name = a.ws.active_profile().association.name
    association_id = a.scalar("SELECT id FROM association")
    empty_case, orphan, member = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    _inject(sync_server, name, [
        ("case", empty_case, {}),  # a case row with no fields
        ("declaration", orphan, {"case_id": None, "text": "إقرار", "signature_kind": "paper", "signed_at": STAMP,
                                 "created_at": STAMP, "updated_at": STAMP}),  # a declaration without its case
        ("rescue_member", member, {"association_id": str(uuid.UUID(hex=association_id)), "name": "مسعف",
                                   "phone": "0500000000", "latitude": 24.7, "longitude": 46.7, "available": True,
                                   "created_at": STAMP}),  # a member without updated_at
    ])
    second = a.new_case()  # a good change after the poison: it must reach everyone
    report = a.round()
    assert report.quarantined == 3
    assert "جُنّب" in report.summary_ar

    b = make_desk("b")
    b.settle()  # the first sync goes through the poisoned pages
    assert b.scalar('SELECT count(*) FROM "case"') == 2
    assert {first.hex, second.hex} == {r for r in b.rows("case")}
    assert b.sync.status().quarantined_rows == 3
    _rejected, kept = b.sync.refused()
    reasons = {row.row_id: row.reason_ar for row in kept}
    assert set(reasons) == {str(empty_case), str(orphan), str(member)}
    assert "case_id" in reasons[str(orphan)] and "updated_at" in reasons[str(member)]
    assert all("حقول مطلوبة فارغة" in reason for reason in reasons.values())
    assert b.sync.retry_quarantined() == (3, 3)  # nothing changed on the server: still set aside

    cli_desk = tmp_path / "cli-desk"
    assert _desk_admin(cli_desk, "init", "--policy", "mafateeh-alkhair").returncode == 0
    done = _desk_admin(cli_desk, "enroll", "--server", sync_server.url, "--code", make_desk.code(name), "--name", "c")
    assert done.returncode == 0, done.stderr
    done = _desk_admin(cli_desk, "sync")
    assert done.returncode == 0, done.stderr
    listed = _desk_admin(cli_desk, "sync", "quarantine", "list")
    assert listed.returncode == 0 and len(listed.stdout.strip().splitlines()) == 3, listed.stdout

    code, out, _err = _server_admin("rows", "inspect", "--server-db", sync_server.db_url, "--association", name)
    assert code == 1 and len(out.strip().splitlines()) == 3, out
    code, out, err = _server_admin("rows", "repair", str(member), "--server-db", sync_server.db_url,
                                   "--association", name, "--set", f'updated_at="{STAMP}"')
    assert code == 0 and "صُحّح" in out, err
    for poison in (empty_case, orphan):
        code, out, err = _server_admin("rows", "repair", str(poison), "--server-db", sync_server.db_url,
                                       "--association", name, "--remove")
        assert code == 0 and "أُزيل" in out, err
    code, out, _err = _server_admin("rows", "inspect", "--server-db", sync_server.db_url, "--association", name)
    assert code == 0, out

    a.settle()
    b.settle()
    assert b.sync.status().quarantined_rows == 0 and a.sync.status().quarantined_rows == 0
    assert b.scalar("SELECT count(*) FROM rescue_member WHERE id = :i", i=member.hex) == 1
    assert_converged(sync_server, a, b)
    assert _desk_admin(cli_desk, "sync").returncode == 0
    assert _desk_admin(cli_desk, "sync").returncode == 0
    listed = _desk_admin(cli_desk, "sync", "quarantine", "list")
    assert listed.returncode == 0 and "لا توجد سجلات مجنّبة" in listed.stdout, listed.stdout


def test_quarantine_drop_forgets_a_row_on_this_desk_only(make_desk, sync_server) -> None:
    a = make_desk("a")
    a.new_case()
    a.settle()
    name = a.ws.active_profile().association.name
    poison = uuid.uuid4()
    _inject(sync_server, name, [("case", poison, {})])
    assert a.round().quarantined == 1
    assert a.sync.drop_quarantined(str(poison)) == 1
    assert a.sync.drop_quarantined(str(poison)) == 0
    assert a.sync.status().quarantined_rows == 0


def _expected_sums(server: SyncServerProcess, association_name: str) -> dict[tuple[str, int], tuple[int, int]]:
    """The association's bucket sums (and roots, bucket -1) computed again from the server's stored rows."""
    engine = create_engine(normalize_db_url(server.db_url))
    tables = p.synced_tables()
    sums: dict[tuple[str, int], list[int]] = {}
    try:
        with engine.connect() as conn:
            association_id = conn.execute(select(server_association.c.association_id)
                                          .where(server_association.c.name == association_name)).scalar_one()
            for table, row_id, version, fields in conn.execute(
                    select(sync_row.c.table_name, sync_row.c.row_id, sync_row.c.version, sync_row.c.fields)
                    .where(sync_row.c.association_id == association_id)):
                digest = p.row_digest(tables[table], row_id, version, fields)
                for key in ((table, p.bucket_of(row_id)), (table, -1)):
                    entry = sums.setdefault(key, [0, 0])
                    entry[0] += 1
                    entry[1] += digest
            stored = {(t, int(b)): (int(c), int(x)) for t, b, c, x in conn.execute(
                select(sync_bucket.c.table_name, sync_bucket.c.bucket, sync_bucket.c.count, sync_bucket.c.total)
                .where(sync_bucket.c.association_id == association_id)) if c}
    finally:
        engine.dispose()
    assert stored == {key: (c, x) for key, (c, x) in sums.items()}, "the server's bucket sums differ from its rows"
    return stored


def test_rows_repair_keeps_the_bucket_sums_so_the_next_verification_finds_nothing(make_desk, sync_server) -> None:
    """`rows repair` (a field set, a row removed) changes the server's bucket sums in its own transaction: the
    sums still equal the rows, and a desk's next verification compares equal without reading any bucket."""
    a = make_desk("a")
    repaired = a.new_case()
    a.settle()
    name = a.ws.active_profile().association.name
    poison = uuid.uuid4()
    _inject(sync_server, name, [("case", poison, {})])
    assert a.round().quarantined == 1
    _expected_sums(sync_server, name)

    code, out, err = _server_admin("rows", "repair", str(repaired), "--server-db", sync_server.db_url,
                                   "--association", name, "--set", 'summary="ملخص صححه مسؤول الخادم"')
    assert code == 0 and "صُحّح" in out, err
    _expected_sums(sync_server, name)
    a.transport.urls.clear()
    report = a.sync.client().run_round(verify=True)
    assert report.pulled == 1 and report.resynced_tables == [] and report.edited_rows == 0
    assert not [url for url in a.transport.urls if "/v1/rows" in url]  # no bucket differed
    assert a.scalar('SELECT summary FROM "case" WHERE id = :i', i=repaired.hex) == "ملخص صححه مسؤول الخادم"

    code, out, err = _server_admin("rows", "repair", str(poison), "--server-db", sync_server.db_url,
                                   "--association", name, "--remove")
    assert code == 0 and "أُزيل" in out, err
    _expected_sums(sync_server, name)
    forgot = a.sync.client().run_round(verify=True)  # the bucket of the row set aside differs: it is forgotten
    assert "case" in forgot.resynced_tables and a.sync.status().quarantined_rows == 0
    a.transport.urls.clear()
    again = a.sync.client().run_round(verify=True)
    assert again.resynced_tables == [] and not [url for url in a.transport.urls if "/v1/rows" in url]
    assert_converged(sync_server, a)
