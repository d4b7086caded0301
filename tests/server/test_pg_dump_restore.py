"""The server's backups restore: packaging/server/pg-dump.sh (what the nightly timer runs) dumps the sync server's
PostgreSQL database, pg_restore puts it in a new database, and that copy holds the same rows and serves the same
pulls. Real PostgreSQL (tests/postgres.py's cluster and its binaries), the real server app."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.postgres import PostgresCluster
from tests.server.conftest import _serve
from tests.server.helpers import LiveServer

ROOT = Path(__file__).resolve().parents[2]
DUMP_SCRIPT = ROOT / "packaging" / "server" / "pg-dump.sh"


def _fingerprint(cluster: PostgresCluster, url: str) -> dict[str, tuple[int, str]]:
    """Per table of the public schema: its row count and an md5 of its rows in a fixed order."""
    database = url.rsplit("/", 1)[1]
    found: dict[str, tuple[int, str]] = {}
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname=database) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        for table in tables:
            count, digest = conn.execute(  # type: ignore[misc]
                f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) FROM "{table}" t'
            ).fetchone()
            found[table] = (count, digest)
    return found


@pytest.fixture
def restored_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """An empty database to restore into; dropped afterwards."""
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


def test_a_nightly_dump_restores_into_a_working_server(server: LiveServer, postgres_cluster: PostgresCluster,
                                                        restored_url: str, tmp_path: Path) -> None:
    """Rows pushed by a desk, dumped by the timer's script, restored with pg_restore: same rows, same pulls."""
    desk = server.desk()
    batch = []
    for index in range(25):
        row_id, fields = desk.beneficiary(city="جدة" if index % 2 else "الرياض")
        batch.append(desk.mutation("beneficiary", row_id, fields))
    case_id, case_fields = desk.case()
    batch.append(desk.mutation("case", case_id, case_fields))
    desk.push(*batch)
    before_pull = desk.pull_all()
    tables = [table for table, _row in before_pull]
    assert tables.count("beneficiary") == 25 and tables.count("case") == 1  # (and the policy version the case is under)

    dumps = tmp_path / "dumps"
    env = dict(os.environ, PATH=f"{postgres_cluster.bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
               MUSTAFID_SERVER_DB=server.db_url, MUSTAFID_DUMP_DIR=str(dumps), MUSTAFID_DUMP_KEEP="2")
    for _ in range(3):  # three nights: the oldest is removed, two kept
        done = subprocess.run(["sh", str(DUMP_SCRIPT)], env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    kept = sorted(dumps.glob("mustafid-*.dump"))
    assert len(kept) <= 2 and not list(dumps.glob("*.partial"))
    dump = Path(done.stdout.strip())
    assert dump in kept

    database = restored_url.rsplit("/", 1)[1]
    restored = subprocess.run(
        [str(postgres_cluster.bin_dir / "pg_restore"), "--no-owner", "--exit-on-error", "-h", "127.0.0.1",
         "-p", str(postgres_cluster.port), "-U", "postgres", "-d", database, str(dump)],
        capture_output=True, text=True, check=False)
    assert restored.returncode == 0, restored.stderr
    assert _fingerprint(postgres_cluster, restored_url) == _fingerprint(postgres_cluster, server.db_url)

    # The restored database is a working server: the same desk (its token) pulls the same rows from it.
    serving = _serve(restored_url)
    copy = next(serving)
    try:
        desk.url = copy.url
        assert desk.pull_all() == before_pull
    finally:
        serving.close()
