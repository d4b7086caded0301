"""Fixtures for the sync tests: desks (real workspaces in their own data directories) enrolled on the real server.

The server is the real FastAPI app as a subprocess on a real PostgreSQL cluster (`tests.postgres`).
Fault injection is done with httpx transports wrapping the real one (`FaultyTransport`): the
request really reaches the server and commits; only what the desk sees is changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import ssl
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from desktop.reception import ReceptionService
from desktop.sync.client import SyncReport, local_synced_tables
from desktop.sync.link import nodelay_transport
from desktop.sync.service import SyncService
from desktop.workspace import Workspace
from tests.postgres import PostgresCluster, SyncServerProcess  # noqa: F401 - the fixtures come from tests/conftest.py
from tests.templates import seed_data_dir

PROFILE = "mafateeh-alkhair"


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The system's default TLS context, built once per process: every test desk's transport verifies with it.

    Building one (the CA bundle read and parsed) costs tens of milliseconds of CPU; a transport built for each
    desk of each test built its own. The desks' servers here are plain HTTP on loopback anyway.
    """
    return httpx.create_ssl_context()


class FaultyTransport(httpx.BaseTransport):
    """The real HTTP transport, with faults switched on by the test.

    * `drop_reply_once[path]`: the request is sent and answered (the server commits), then the
      desk gets a connection error instead of the answer.
    * `truncate_upload_once`: the next attachment upload sends only half of the bytes.
    * `corrupt_upload_once`: the next attachment upload sends the bytes with one flipped.
    * `offline`: every request fails before reaching the server.
    * `unreachable_once[path]`: the next request to that path fails before reaching the server.
    """

    def __init__(self) -> None:
        self.inner = nodelay_transport(shared_ssl_context())  # the desk's own transport (TCP_NODELAY)
        self.drop_reply_once: set[str] = set()
        self.truncate_upload_once = False
        self.corrupt_upload_once = False
        self.offline = False
        self.unreachable_once: set[str] = set()
        self.requests: list[tuple[str, str, int]] = []
        #: Every request's full URL (query included), and the bytes of every answer body read, by path.
        self.urls: list[str] = []
        self.bytes_read: dict[str, int] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.offline or path in self.unreachable_once:
            self.unreachable_once.discard(path)
            raise httpx.ConnectError("offline (test)", request=request)
        if request.method == "PUT" and path.startswith("/v1/attachments/") and (
            self.truncate_upload_once or self.corrupt_upload_once
        ):
            body = request.read()
            if self.truncate_upload_once:
                body = body[: len(body) // 2]
                self.truncate_upload_once = False
            else:
                body = bytes([body[0] ^ 0xFF]) + body[1:]
                self.corrupt_upload_once = False
            headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
            request = httpx.Request(request.method, request.url, headers=headers, content=body)
        response = self.inner.handle_request(request)
        response.read()
        self.requests.append((request.method, path, response.status_code))
        self.urls.append(str(request.url))
        self.bytes_read[path] = self.bytes_read.get(path, 0) + len(response.content)
        if path in self.drop_reply_once:
            self.drop_reply_once.discard(path)
            raise httpx.ReadError("reply lost (test)", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass
class Desk:
    """One PC: its workspace, sync service, reception service and fault-injecting transport."""

    name: str
    ws: Workspace
    sync: SyncService
    reception: ReceptionService
    transport: FaultyTransport
    clock_skew: list[float] = field(default_factory=lambda: [0.0])

    def round(self) -> SyncReport:
        """One sync round."""
        return self.sync.run_round()

    def settle(self, rounds: int = 2) -> None:
        """A few rounds (the last one verifies against the server)."""
        for _ in range(rounds):
            self.round()

    def rows(self, table: str) -> dict[str, tuple[Any, ...]]:
        """{id: (version, deleted_at, content...)} of every row of a synced table."""
        with self.ws.db.engine.connect() as conn:
            result = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY id'))
            names = list(result.keys())
            out = {}
            for row in result:
                values = dict(zip(names, row, strict=True))
                out[values["id"]] = tuple(
                    values[n] for n in names if n not in ("server_seq", "hlc", "device_id", "updated_by")
                )
            return out

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.ws.db.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def pending(self) -> int:
        return int(self.scalar("SELECT count(*) FROM sync_outbox WHERE state = 'pending'"))

    def new_case(self) -> uuid.UUID:
        """A case opened at reception on this desk (walk-in channel)."""
        profile = self.reception.profile
        view = self.reception.start_contact(profile.channels[0].id, profile.case_kinds[0].id)
        return view.case_id

    def edit_case(self, case_id: uuid.UUID, **values: Any) -> None:
        """Change fields of a case as a service would (one session, ORM)."""
        from db.models import Case

        with self.ws.db.session() as session:
            case = session.get(Case, case_id)
            assert case is not None
            for key, value in values.items():
                setattr(case, key, value)


def snapshot(desk: Desk) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every synced table's rows as the desk holds them."""
    out = {}
    for name in local_synced_tables():
        exists = desk.scalar("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=:n", n=name)
        if exists:
            out[name] = desk.rows(name)
    return out


def assert_converged(server: SyncServerProcess, *desks: Desk) -> None:
    """Every desk has no pending change and holds exactly the server's rows (ids and versions, per table)."""
    for desk in desks:
        assert desk.pending() == 0, f"{desk.name}: pending changes left"
        assert desk.scalar("SELECT count(*) FROM sync_batch") == 0
    summary = server_summary(server, desks[0])
    for desk in desks:
        client = desk.sync.client()
        with desk.ws.db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            for name in local_synced_tables():
                exists = raw.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
                if not exists:
                    continue
                count, digest = client.local_summary(raw, name)
                theirs = summary.get(name)
                if theirs is None:
                    assert count == 0, f"{desk.name}.{name}: {count} rows the server lacks"
                else:
                    assert (count, digest) == (theirs["count"], theirs["hash"]), f"{desk.name}.{name} differs"
                    unsynced = raw.execute(f'SELECT count(*) FROM "{name}" WHERE server_seq IS NULL').fetchone()[0]
                    demo = 0
                    assert unsynced == demo, f"{desk.name}.{name}: {unsynced} rows never acknowledged"
    first = snapshot(desks[0])
    for desk in desks[1:]:
        other = snapshot(desk)
        for name, rows in first.items():
            assert set(rows) == set(other.get(name, {})), f"{name}: ids differ between desks"
            for row_id, values in rows.items():
                if name in ("app_user",):
                    continue
                assert other[name][row_id][:2] == values[:2], f"{name} {row_id}: versions differ"


def server_summary(server: SyncServerProcess, desk: Desk) -> dict[str, dict[str, Any]]:
    client = desk.sync.client()
    response = client._request("GET", "/v1/summary")  # noqa: SLF001 - the same authenticated client
    return dict(response.json()["tables"])


@pytest.fixture
def make_desk(tmp_path: Path, sync_server: SyncServerProcess) -> Iterator[Callable[..., Desk]]:
    """Make a desk: a workspace with the policy adopted, enrolled on the test's server."""
    made: list[Desk] = []
    from desktop.server.store import ServerStore

    store = ServerStore(sync_server.db_url)  # codes made in-process: the same store call as the admin command

    def factory(name: str = "desk", *, enroll: bool = True, branch: str | None = None,
                skew_seconds: float = 0.0) -> Desk:
        ws = Workspace.open(seed_data_dir(tmp_path / name))
        ws.adopt_builtin_profile(PROFILE)
        transport = FaultyTransport()
        skew = [skew_seconds]
        service = SyncService(ws, transport=transport, wall=lambda: time.time() + skew[0])
        desk = Desk(name, ws, service, ReceptionService(ws), transport, skew)
        if enroll:
            association = ws.active_profile()
            assert association is not None
            code = store.create_enrollment_code(association.association.name, branch)
            service.enroll(sync_server.url, code, device_name=name, branch=branch)
            desk.reception = ReceptionService(ws)  # forget the device cached before enrolment
        made.append(desk)
        return desk

    factory.code = lambda name, branch=None: store.create_enrollment_code(name, branch)  # type: ignore[attr-defined]
    yield factory
    store.dispose()
    for desk in made:
        desk.sync.close()
        desk.transport.close()
        desk.ws.close()


def run_admin(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mustafid-admin --data-dir DATA_DIR ARGS...` run by its own `main` in this process (stdout and stderr captured).

    The same parser, commands, Arabic lines and exit code as the console script, without starting and importing
    another interpreter for every command (about a second of CPU each); `main` gives back the caller's log.
    """
    from desktop.cli import main

    argv = ["--data-dir", str(data_dir), *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own refusal of a malformed command line
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(["mustafid-admin", *argv], code, out.getvalue(), err.getvalue())


def utc(days: float = 0) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
