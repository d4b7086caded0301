"""Server migration 0009 on PostgreSQL and on the SQLite trial server: a ``sync_row`` written by hand (an UPDATE that
keeps its digest, an INSERT that leaves it to its default) is given its bucket and digest and its buckets are
summed again before ``/v1/checksums`` answers; the server's own writes mark nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import create_engine, text

from desktop.server.store import normalize_db_url
from desktop.sync import protocol as p
from tests.server.helpers import Desk, LiveServer, http_client


def _roots(desk: Desk) -> dict[str, tuple[int, int]]:
    response = http_client().get(f"{desk.url}/v1/checksums", headers=desk.headers())
    assert response.status_code == 200, response.text
    return {name: (int(s["count"]), int(s["total"])) for name, s in response.json()["sums"].items()}


def _expected(desk: Desk, table: str) -> tuple[int, int]:
    """The count and digest sum of the table's rows as a desk pulls them."""
    rows = [row for (name, _id), row in desk.pull_all().items() if name == table]
    return len(rows), sum(p.row_digest(p.synced_tables()[table], row["row_id"], row["version"], row["fields"])
                          for row in rows)


def _marks(server: LiveServer) -> int:
    engine = create_engine(normalize_db_url(server.db_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM sync_row_stale")).scalar_one())
    finally:
        engine.dispose()


def _by_hand(server: LiveServer, sql: str, **params: Any) -> None:
    engine = create_engine(normalize_db_url(server.db_url))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def test_hand_written_rows_are_summed_again_before_a_verification(any_server: LiveServer) -> None:
    server = any_server
    desk = server.desk()
    person, fields = desk.beneficiary()
    other, other_fields = desk.beneficiary(id_number="1000000002")
    desk.push(desk.mutation("beneficiary", person, fields), desk.mutation("beneficiary", other, other_fields))
    desk.push(desk.mutation("beneficiary", person, {"city": "مكة"}, base=1))
    assert _marks(server) == 0  # the server's own inserts and updates carry their digests
    assert _roots(desk)["beneficiary"] == _expected(desk, "beneficiary")

    sqlite = server.db_url.startswith("sqlite")
    ids = (person.hex, uuid.uuid4().hex) if sqlite else (person, uuid.uuid4())
    copy_id = str(uuid.UUID(hex=ids[1].hex if isinstance(ids[1], uuid.UUID) else ids[1]))
    if sqlite:
        _by_hand(server, "UPDATE sync_row SET fields = json_set(fields, '$.city', 'جدة') WHERE row_id = :r", r=ids[0])
        _by_hand(server, "INSERT INTO sync_row (association_id, table_name, row_id, version, server_seq, deleted, "
                 "fields, meta) SELECT association_id, table_name, :n, 1, (SELECT max(server_seq) + 1 FROM sync_row), 0, "
                 "json_set(fields, '$.id', :t, '$.id_number', '1000000003'), '{}' FROM sync_row WHERE row_id = :r",
                 n=ids[1], t=copy_id, r=ids[0])
    else:
        _by_hand(server, "UPDATE sync_row SET fields = fields || '{\"city\": \"جدة\"}'::jsonb WHERE row_id = :r", r=ids[0])
        _by_hand(server, "INSERT INTO sync_row (association_id, table_name, row_id, version, server_seq, deleted, "
                 "fields, meta) SELECT association_id, table_name, :n, 1, (SELECT max(server_seq) + 1 FROM sync_row), "
                 "false, fields || jsonb_build_object('id', CAST(:t AS text), 'id_number', '1000000003'), '{}'::jsonb "
                 "FROM sync_row WHERE row_id = :r", n=ids[1], t=copy_id, r=ids[0])
    _by_hand(server, "UPDATE server_association SET seq = (SELECT max(server_seq) FROM sync_row)")
    assert _marks(server) == 2
    assert _roots(desk)["beneficiary"] == _expected(desk, "beneficiary") and _expected(desk, "beneficiary")[0] == 3
    assert _marks(server) == 0
    desk.push(desk.mutation("beneficiary", other, {"city": "الدمام"}, base=1))  # pushes go on adding to the sums
    assert _roots(desk)["beneficiary"] == _expected(desk, "beneficiary")
