"""Ten desks writing at once against two server processes (uvicorn workers) on one PostgreSQL: nothing lost,
nothing duplicated, every desk converges, and what a round reads stays proportional to what changed."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from desktop.sync.outcome import SyncError
from tests.desktop.sync.conftest import Desk, assert_converged
from tests.postgres import PostgresCluster, SyncServerProcess

DESKS = 10
#: How many rounds each desk completes while they all write at once (60 concurrent rounds, each after a new case).
ROUNDS_PER_DESK = 6
#: The longest the desks write, however loaded the machine (the whole test stays well under a minute).
WRITING_SECONDS = 12.0
#: What a round may read beyond the bytes of the rows it pulls: checksum roots, push answers, one descent.
ROUND_OVERHEAD_BYTES = 24_000


@pytest.fixture
def sync_server(postgres_cluster: PostgresCluster) -> Iterator[SyncServerProcess]:
    """The real server as two worker processes sharing one listening socket and one PostgreSQL database."""
    server = SyncServerProcess(postgres_cluster.create_database(), extra_args=("--workers", "2")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_ten_desks_against_two_server_processes(make_desk: Callable[..., Desk],
                                                sync_server: SyncServerProcess) -> None:
    desks = [make_desk(f"desk{i}") for i in range(DESKS)]
    for desk in desks:
        desk.settle(1)
    made: dict[str, list[uuid.UUID]] = {desk.name: [] for desk in desks}
    rounds: list[tuple[int, int]] = []  # (bytes read by the round, bytes of the rows it pulled)
    failures: list[BaseException] = []
    lock = threading.Lock()
    deadline = time.monotonic() + WRITING_SECONDS

    def work(desk: Desk) -> None:
        try:
            done = 0
            while done < ROUNDS_PER_DESK and time.monotonic() < deadline:
                made[desk.name].append(desk.new_case())
                before = dict(desk.transport.bytes_read)
                try:
                    desk.round()
                except SyncError as exc:  # a busy server may time a round out: the next one carries on
                    if exc.kind not in ("offline", "server"):
                        raise
                    continue
                after = desk.transport.bytes_read
                total = sum(after.values()) - sum(before.values())
                pulled = after.get("/v1/pull", 0) - before.get("/v1/pull", 0)
                with lock:
                    rounds.append((total, pulled))
                done += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(desk,), name=desk.name) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WRITING_SECONDS + 120)
    assert not failures, failures
    for _ in range(3):  # quiet now: every desk pushes what is left and pulls everyone else's
        for desk in desks:
            desk.round()
    for desk in desks:
        desk.sync.client().run_round(verify=True)
    assert_converged(sync_server, *desks)
    created = [case_id.hex for ids in made.values() for case_id in ids]
    assert len(created) == len(set(created)) and len(created) >= DESKS
    for desk in desks:  # 0 lost, 0 duplicated: every desk holds exactly the cases all desks made
        held = {str(r) for r in desk.ws.db.engine.connect().exec_driver_sql('SELECT id FROM "case"').scalars()}
        assert held == set(created), desk.name
    assert len(rounds) >= DESKS
    for total, pulled in rounds:  # what a round reads follows what changed, never whole tables
        assert total <= 2 * pulled + ROUND_OVERHEAD_BYTES, (total, pulled)
