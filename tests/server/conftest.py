"""Fixtures of the sync server tests: real PostgreSQL (tests/postgres.py), the real app over HTTP on loopback."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from desktop.server.__main__ import listening_socket
from desktop.server.app import create_app
from desktop.server.store import ServerStore
from tests.server.helpers import LiveServer


#: How long a test's server may take to finish its requests in flight once asked to stop (uvicorn's own bound).
GRACEFUL_SHUTDOWN_SECONDS = 2.0
#: How long teardown waits for the server thread before forcing it to exit.
SHUTDOWN_WAIT_SECONDS = 5.0


def _serve(db_url: str, **app_options: Any) -> Iterator[LiveServer]:
    """Serve the real app on `db_url` (`create_app` options given) from a thread of this process; stop it within a
    bounded time at teardown. A database copied from a migrated template is served with ``upgrade=False``: it is
    at the head already (the upgrade would be Alembic finding nothing to do, ~30 ms a test)."""
    app = create_app(db_url, **app_options)
    # The server's own listening socket (TCP_NODELAY on every connection): with a bare socket.socket() each reply
    # waited ~40 ms for the client's delayed ACK (Nagle), ~45 ms a request instead of ~1.
    sock = listening_socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the in-process sync server did not start")
        time.sleep(0.01)
    live = LiveServer(url=url, store=app.state.store, db_url=db_url)
    try:
        yield live
    finally:
        server.should_exit = True  # graceful: stop accepting, finish what is in flight (bounded above)
        thread.join(timeout=SHUTDOWN_WAIT_SECONDS)
        if thread.is_alive():
            server.force_exit = True  # a connection that never closes does not hold the test run
            thread.join(timeout=SHUTDOWN_WAIT_SECONDS)
        app.state.store.dispose()  # also when the lifespan shutdown was skipped
        sock.close()


@pytest.fixture(scope="session")
def sqlite_server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite trial server file the real `ServerStore.upgrade` migrated to the schema head, once per session
    (per xdist worker); `any_server` copies it (every connection closed, so its WAL is folded into the file)."""
    path = tmp_path_factory.mktemp("server-template") / "server.sqlite3"
    store = ServerStore(f"sqlite:///{path}")
    try:
        store.upgrade()
    finally:
        store.dispose()
    return path


@pytest.fixture
def server(migrated_postgres_url: str) -> Iterator[LiveServer]:
    """The real app on a fresh PostgreSQL database (a copy of the migrated template: the server tests that are
    about migrating start from an empty one), served by uvicorn on a loopback port in this process."""
    yield from _serve(migrated_postgres_url, upgrade=False)


@pytest.fixture(params=["postgresql", "sqlite"])
def any_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The same, once on PostgreSQL and once on a SQLite file (the one-office trial), a copy of a migrated one."""
    if request.param == "postgresql":
        url = request.getfixturevalue("migrated_postgres_url")
    else:
        path = tmp_path / "server.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_server_template"), path)
        url = f"sqlite:///{path}"
    yield from _serve(url, upgrade=False)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A plain HTTP client."""
    with httpx.Client(timeout=30) as client:
        yield client
