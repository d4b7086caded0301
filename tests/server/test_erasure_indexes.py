"""The erasure's lookups of a case's rows by JSON id (`desktop.server.erasure`) use server migration 0006's indexes
on real PostgreSQL: the very statements the server sends are EXPLAINed over an association of many rows."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import create_engine, event, select, text

from desktop.server.erasure import erasure_rows, late_erasures
from desktop.server.models import sync_row
from desktop.server.store import ServerStore

#: Rows of the association the plans are made over (and of a neighbour association).
ROWS = 30000
TABLES = ("step_completion", "audit_event", "declaration", "service", "referral", "erasure", "case", "attachment")


def _fill(conn: Any, association: uuid.UUID) -> None:
    conn.execute(text("""
        INSERT INTO sync_row (association_id, table_name, row_id, version, server_seq, deleted, fields, meta)
        SELECT :a, (CAST(:tables AS text[]))[1 + n % 8], gen_random_uuid(), 1, n, false,
               jsonb_build_object('case_id', 'c' || (n % 3000), 'entity_id', 'e' || (n % 5000),
                                  'beneficiary_id', 'b' || (n % 2000), 'sha256', md5(n::text)),
               '{}'::jsonb
        FROM generate_series(CAST(:start AS bigint), CAST(:start AS bigint) + CAST(:rows AS bigint) - 1) AS n"""),
        {"a": association, "tables": list(TABLES), "start": 1 if association.int % 2 else ROWS + 1, "rows": ROWS})


def test_the_erasure_lookups_use_an_index_not_a_scan_of_the_association(postgres_url: str) -> None:
    store = ServerStore(postgres_url)
    store.upgrade()
    store.dispose()
    engine = create_engine(postgres_url)
    association, neighbour = uuid.UUID(int=1), uuid.UUID(int=2)
    statements: list[tuple[str, Any]] = []
    try:
        with engine.begin() as conn:
            _fill(conn, association)
            _fill(conn, neighbour)
            conn.execute(text("ANALYZE sync_row"))
        with engine.connect() as conn:
            def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
                if "sync_row" in statement:
                    statements.append((statement, parameters))

            event.listen(conn, "before_cursor_execute", capture)
            erasure_rows(conn, association, uuid.uuid4(), uuid.uuid4())
            late_erasures(conn, association, {}, [("audit_event", {"entity": "step_completion",
                                                                   "entity_id": str(uuid.uuid4())})])
            sha = sync_row.c.fields["sha256"].as_string()  # the live rows holding an erased case's file (the store's)
            conn.execute(select(sync_row.c.row_id, sha).where(
                sync_row.c.association_id == association, sync_row.c.table_name == "attachment",
                sync_row.c.deleted.is_(False), sha.in_(["0" * 64, "1" * 64])))
            event.remove(conn, "before_cursor_execute", capture)
            # the case's rows, the events about them; for a late arrival: any erasure at all, the case of the row
            # an event is about, the erasures reaching it; the live rows holding a file
            assert len(statements) == 6, statements
            plans = []
            for statement, parameters in statements:
                plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
                plans.append(plan)
            # The probe "does the association hold any erasure", asked for one that holds none (the usual answer):
            # over one holding thousands, stopping at the first row of a scan is the planner's right choice.
            probe, parameters = statements[2]
            elsewhere = {k: (uuid.UUID(int=3) if v == association else v) for k, v in parameters.items()}
            plans[2] = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + probe, elsewhere))
    finally:
        engine.dispose()
    rows_plan, events_plan, probe_plan, owner_plan, erasure_plan, files_plan = plans
    for plan in plans:
        assert "Seq Scan" not in plan, plan
    assert "ix_sync_row_case_id" in rows_plan and "BitmapOr" in rows_plan, rows_plan  # with the case, the person
    assert "ix_sync_row_audit_entity_id" in events_plan, events_plan
    assert "ix_sync_row_case_id" in erasure_plan and "ix_sync_row_erasure_beneficiary_id" in erasure_plan, erasure_plan
    assert "pk_sync_row" in owner_plan or "uq_sync_row_table_name_row_id" in owner_plan, owner_plan
    assert "ix_sync_row_attachment_sha256" in files_plan, files_plan
    assert "ix_sync_row_association_id_table_name_bucket" in probe_plan, probe_plan
