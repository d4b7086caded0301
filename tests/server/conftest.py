"""Fixtures of the sync server tests: real PostgreSQL (tests/postgres.py), the real app over HTTP on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from desktop.server.app import create_app
from tests.server.helpers import LiveServer


def _serve(db_url: str) -> Iterator[LiveServer]:
    app = create_app(db_url)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.01)
    live = LiveServer(url=url, store=app.state.store, db_url=db_url)
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=10)
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
