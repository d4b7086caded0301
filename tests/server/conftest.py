"""Fixtures of the sync server tests: real PostgreSQL (tests/postgres.py), the real app over HTTP on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from desktop.server.app import create_app
from tests.server.helpers import LiveServer


#: How long a test's server may take to finish its requests in flight once asked to stop (uvicorn's own bound).
GRACEFUL_SHUTDOWN_SECONDS = 2.0
#: How long teardown waits for the server thread before forcing it to exit.
SHUTDOWN_WAIT_SECONDS = 5.0


def _serve(db_url: str, **app_options: Any) -> Iterator[LiveServer]:
    """Serve the real app on `db_url` from a thread of this process; stop it within a bounded time at teardown."""
    app = create_app(db_url, **app_options)
    sock = socket.socket()
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


@pytest.fixture
def server(postgres_url: str) -> Iterator[LiveServer]:
    """The real app on a fresh PostgreSQL database, served by uvicorn on a loopback port in this process."""
    yield from _serve(postgres_url)


@pytest.fixture(params=["postgresql", "sqlite"])
def any_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The same, once on PostgreSQL and once on a SQLite file (the one-office trial)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    yield from _serve(url)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A plain HTTP client."""
    with httpx.Client(timeout=30) as client:
        yield client
