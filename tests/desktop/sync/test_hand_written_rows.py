"""A row an administrator writes into the server's ``sync_row`` by hand (psql: an UPDATE or an INSERT that leaves
``digest`` as it was) no longer breaks its bucket's checksum for ever (issue 15): server migration 0009's triggers
mark it, the server gives it its digest and sums its buckets again before it answers a verification, and the
desks' verification converges without a manual step. Real PostgreSQL, the real server over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text

from db.models import Case
from desktop.server.store import normalize_db_url
from desktop.sync import protocol as p
from tests.desktop.sync.conftest import Desk, assert_converged


def _psql(db_url: str, sql: str, **params: Any) -> None:
    """One statement as an administrator types it in psql (no digest, no bucket sums)."""
    engine = create_engine(normalize_db_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def _server_sums_match_the_rows(db_url: str, association: uuid.UUID) -> None:
    """Every bucket sum of the association is the count and digest sum of its rows as they are now."""
    tables = p.synced_tables()
    engine = create_engine(normalize_db_url(db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT table_name, row_id, version, fields FROM sync_row "
                                     "WHERE association_id = :a"), {"a": association}).all()
            held = {(t, int(b)): (int(c), int(x)) for t, b, c, x in conn.execute(text(
                "SELECT table_name, bucket, count, total FROM sync_bucket WHERE association_id = :a AND count <> 0"),
                {"a": association})}
    finally:
        engine.dispose()
    sums: dict[tuple[str, int], list[int]] = {}
    for table, row_id, version, fields in rows:
        digest = p.row_digest(tables[table], row_id, int(version), fields) if table in tables else 0
        for key in ((table, p.bucket_of(row_id)), (table, -1)):
            entry = sums.setdefault(key, [0, 0])
            entry[0] += 1
            entry[1] += digest
    assert held == {key: (c, x) for key, (c, x) in sums.items()}


def _verification_reads(desk: Desk) -> list[str]:
    """One round that verifies in full; the bucket reads it made (a descent below the roots, a bucket's rows)."""
    before = len(desk.transport.urls)
    desk.sync.client().run_round(verify=True)
    return [url for url in desk.transport.urls[before:]
            if "/v1/rows" in url or ("/v1/checksums" in url and "table=" in url)]


def _summary(desk: Desk, case_id: uuid.UUID) -> str | None:
    with desk.ws.db.session(read_only=True) as session:
        return session.get_one(Case, case_id).summary


def test_hand_written_rows_without_their_digest_are_summed_again_and_the_desks_converge(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk("desk")
    case_id = desk.new_case()
    desk.settle()
    other = make_desk("other")
    other.settle()
    association = uuid.UUID(hex=str(desk.scalar("SELECT id FROM association")))
    where = "association_id = :a AND table_name = 'case' AND row_id = :r"

    # 1. an UPDATE that gives the row its next version and sequence, but not its digest
    _psql(sync_server.db_url,
          "WITH s AS (UPDATE server_association SET seq = seq + 1 WHERE association_id = :a RETURNING seq) "
          "UPDATE sync_row SET version = version + 1, server_seq = s.seq, fields = fields || jsonb_build_object("
          "'summary', CAST(:v AS text), 'version', version + 1, 'server_seq', s.seq) FROM s WHERE " + where,
          a=association, r=case_id, v="صُحّح الملخص يدويًا")
    for each in (desk, other):
        each.round()  # pulls the row, then verifies: the server's sums are right by then
        assert _summary(each, case_id) == "صُحّح الملخص يدويًا"
        assert _verification_reads(each) == [], each.name

    # 2. an UPDATE of the content alone (no version): the verification finds it and repairs the desks' copies
    _psql(sync_server.db_url, "UPDATE sync_row SET fields = jsonb_set(fields, '{summary}', to_jsonb(CAST(:v AS text))) "
          "WHERE " + where, a=association, r=case_id, v="ملخص آخر بيد المسؤول")
    assert _verification_reads(other)  # repaired once...
    assert _summary(other, case_id) == "ملخص آخر بيد المسؤول"
    assert _verification_reads(other) == []  # ...then nothing differs

    # 3. an INSERT of a new row with the next sequence (the digest and bucket left to their defaults)
    copy = uuid.uuid4()
    _psql(sync_server.db_url,
          "WITH s AS (UPDATE server_association SET seq = seq + 1 WHERE association_id = :a RETURNING seq) "
          "INSERT INTO sync_row (association_id, table_name, row_id, version, server_seq, deleted, fields, meta) "
          "SELECT association_id, table_name, :n, 1, s.seq, false, fields || jsonb_build_object('id', CAST(:t AS text), "
          "'version', 1, 'server_seq', s.seq, 'case_number', 'يدوي-1'), '{}'::jsonb FROM sync_row, s WHERE " + where,
          a=association, r=case_id, n=copy, t=str(copy))
    for each in (desk, other):
        each.round()
        assert _verification_reads(each) == [], each.name
    assert desk.scalar("SELECT case_number FROM \"case\" WHERE id = :i", i=copy.hex) == "يدوي-1"
    _server_sums_match_the_rows(sync_server.db_url, association)
    assert_converged(sync_server, desk, other)
