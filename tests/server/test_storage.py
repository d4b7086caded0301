"""The server's storage: migrations equal the models, the counter row under concurrency, bulk loading."""

from __future__ import annotations

import threading
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from desktop.server import bulk_load_rows
from desktop.server.models import metadata
from desktop.server.store import ServerStore
from tests.server.helpers import Desk, LiveServer


@pytest.mark.parametrize("engine_kind", ["postgresql", "sqlite"])
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")  # PG only (0006)
def test_migrations_match_the_models(engine_kind: str, request: pytest.FixtureRequest, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Autogenerate finds no difference between the server's migrations and its models."""
    url = request.getfixturevalue("postgres_url") if engine_kind == "postgresql" else f"sqlite:///{tmp_path}/s.db"
    store = ServerStore(url)
    store.upgrade()
    store.dispose()
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "version_table": "mustafid_server_version"})
        diff = [d for d in compare_metadata(context, metadata)
                if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "mustafid_server_version")]
    engine.dispose()
    assert diff == []


def test_concurrent_pushes_get_gapless_ordered_sequences(server: LiveServer) -> None:
    """Pushes from several PCs at once: every server_seq used once, none skipped, pulls see all rows."""
    desks = [server.desk(name=f"PC{i}") for i in range(4)]
    failures: list[str] = []

    def work(desk: Desk) -> None:
        for _ in range(8):
            batch = []
            for _ in range(5):
                row_id, fields = desk.beneficiary()
                batch.append(desk.mutation("beneficiary", row_id, fields))
            response = desk.push_raw(batch)
            if response.status_code != 200:
                failures.append(response.text)

    threads = [threading.Thread(target=work, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    rows = desks[0].pull_all()
    assert sorted(r["server_seq"] for r in rows.values()) == list(range(1, 161))


def test_bulk_load_assigns_sequences_like_pushes(server: LiveServer) -> None:
    """Bulk-loaded rows continue the association's sequence at version 1; pushes continue after them."""
    desk = server.desk()
    row_id, fields = desk.beneficiary()
    desk.push(desk.mutation("beneficiary", row_id, fields))
    loaded = []
    for _ in range(300):
        rid, f = desk.beneficiary()
        loaded.append(("beneficiary", rid, f))
    assert desk.association_id is not None
    assert bulk_load_rows(server.db_url, desk.association_id, iter(loaded)) == 300
    rows = desk.pull_all()
    assert len(rows) == 301 and desk.head() == 301
    assert all(rows[("beneficiary", str(rid))]["version"] == 1 for _, rid, _ in loaded)
    assert rows[("beneficiary", str(loaded[-1][1]))]["server_seq"] == 301
    (result,) = desk.push(desk.mutation("beneficiary", loaded[0][1], {"city": "جدة"}, base=1))
    assert (result["status"], result["version"], result["server_seq"]) == ("applied", 2, 302)
    with pytest.raises(Exception):
        bulk_load_rows(server.db_url, uuid.uuid4(), iter([]))
