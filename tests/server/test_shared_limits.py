"""Rate limits hold across server processes (issue 15): the buckets live in PostgreSQL, not in a worker.

Two real `mustafid-server` processes on one database, requests sent to each in turn: the limit is the one
limit, not one per process. (Two processes of one worker each, so which process answers is known; the
``--workers N`` processes share the database the same way.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from desktop.server.__main__ import ServerConfigError, parse_rate_limits
from desktop.server.limits import Rate
from tests.postgres import PostgresCluster, SyncServerProcess, retire_associations
from tests.server.helpers import BASE_HEADERS, Desk, is_arabic

#: Three requests per device and two failures per address, then (for the test's length) none.
LIMITS = ("--rate-limit", "device=3/0.001", "--rate-limit", "auth_failure=2/0.001", "--rate-limit", "enroll=3/0.001")


@pytest.fixture(scope="module")
def two_processes(postgres_cluster: PostgresCluster) -> Iterator[tuple[SyncServerProcess, SyncServerProcess]]:
    """Two server processes with tight limits on one database (a copy of the migrated template), started once for
    this module's tests: `two_servers` gives each test empty buckets and fresh associations."""
    db_url = postgres_cluster.create_database(migrated=True)
    first = SyncServerProcess(db_url, extra_args=LIMITS).start()
    second = SyncServerProcess(db_url, extra_args=LIMITS).start()
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()
        postgres_cluster.drop_database(db_url)


@pytest.fixture
def two_servers(two_processes: tuple[SyncServerProcess, SyncServerProcess],
                postgres_cluster: PostgresCluster) -> tuple[SyncServerProcess, SyncServerProcess]:
    """The two processes, running, as on a fresh database: no rate bucket holds a count (the limits live only in
    ``rate_bucket``, nothing in a process) and every earlier association is retired (see `retire_associations`)."""
    for process in two_processes:
        process.ensure_running()
    retire_associations(postgres_cluster, two_processes[0].db_url)
    postgres_cluster.execute("DELETE FROM rate_bucket", database=two_processes[0].db_url)
    return two_processes


def _assert_429(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"] == "too_many_requests" and is_arabic(response.json()["message_ar"])


def test_a_device_limit_holds_across_two_server_processes(
        two_servers: tuple[SyncServerProcess, SyncServerProcess]) -> None:
    first, second = two_servers
    desk = Desk(first.url)
    assert desk.enroll(first.enroll_code("جمعية البر"), uuid.uuid4()).status_code == 200
    with httpx.Client(timeout=30) as http:
        answers = [http.get(f"{server.url}/v1/summary", headers=desk.headers())
                   for server in (first, second, first, second, first, second)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    for answer in answers[3:]:  # each process alone has counted at most two of this device's requests
        _assert_429(answer)


def test_token_guesses_are_counted_across_two_server_processes(
        two_servers: tuple[SyncServerProcess, SyncServerProcess]) -> None:
    first, second = two_servers
    wrong = {**BASE_HEADERS, "Authorization": "Bearer guess"}
    with httpx.Client(timeout=30) as http:
        assert http.get(f"{first.url}/v1/summary", headers=wrong).status_code == 401
        assert http.get(f"{second.url}/v1/summary", headers=wrong).status_code == 401
        _assert_429(http.get(f"{first.url}/v1/summary", headers=wrong))
        _assert_429(http.get(f"{second.url}/v1/summary", headers=wrong))
        body = {"code": "AAAA-BBBB-CCCC", "device_name": "PC"}  # the same address's enrolment is held back too
        _assert_429(http.post(f"{second.url}/v1/enroll", headers=BASE_HEADERS, json=body))


def test_enrolment_attempts_are_counted_across_two_server_processes(
        two_servers: tuple[SyncServerProcess, SyncServerProcess]) -> None:
    first, second = two_servers
    desks = [Desk(server.url) for server in (first, second, first, second)]
    statuses = [desk.enroll(first.enroll_code("جمعية البر"), uuid.uuid4()).status_code for desk in desks]
    assert statuses == [200, 200, 200, 429]


def test_rate_limit_options_are_read_and_a_wrong_one_is_refused_in_arabic() -> None:
    limits = parse_rate_limits(["device=10/2.5", "enroll=5/1"])
    assert limits.device == Rate(10, 2.5) and limits.enroll == Rate(5, 1)
    assert limits.auth_failure == parse_rate_limits([]).auth_failure
    for wrong in ("device=10", "devices=10/1", "device=0/1", "device=10/0", "device=ten/1"):
        with pytest.raises(ServerConfigError) as caught:
            parse_rate_limits([wrong])
        assert is_arabic(caught.value.message_ar)
