"""Fixtures for the desk's sync screens: real workspaces, the real server on real PostgreSQL, real main windows.

`sync_desk(name, enrolled=...)` makes a workspace with the policy adopted (enrolled and synced once
when asked) and a main window on it whose SyncController runs against `sync_server`. Windows are
closed before their workspaces at teardown. `other_desk` is a second PC driven through its
SyncService only (tests.desktop.sync's `make_desk`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

import ui.sync.controller as controller_module
from desktop.reception import ReceptionService
from desktop.sync.service import SyncService
from desktop.workspace import Workspace
from desktop.sync.link import nodelay_transport
from tests.desktop.sync.conftest import make_desk  # noqa: F401 - the other PCs of a test
from tests.desktop.sync.conftest import shared_ssl_context
from tests.postgres import SyncServerProcess
from tests.templates import seed_data_dir
from ui.main_window import MainWindow
from tests.accounts import sign_in_desk

PROFILE = "mafateeh-alkhair"


class ThreadRecordingService(SyncService):
    """The real SyncService that notes which thread called each of its methods."""

    calls: list[tuple[str, threading.Thread]]

    def __init__(self, workspace: Workspace) -> None:
        self.calls = []
        self._note("__init__")
        super().__init__(workspace)

    def _note(self, name: str) -> None:
        self.calls.append((name, threading.current_thread()))

    def status(self) -> Any:
        self._note("status")
        return super().status()

    def run_round(self, progress: Any = None, cancel: Any = None) -> Any:
        self._note("run_round")
        return super().run_round(progress, cancel)

    def enroll(self, *args: Any, **kwargs: Any) -> Any:
        self._note("enroll")
        return super().enroll(*args, **kwargs)

    def conflicts(self, *, include_resolved: bool = False) -> Any:
        self._note("conflicts")
        return super().conflicts(include_resolved=include_resolved)

    def resolve(self, conflict_id: uuid.UUID, choose: Any) -> Any:
        self._note("resolve")
        return super().resolve(conflict_id, choose)

    def gui_thread_calls(self) -> list[str]:
        """Methods called on the GUI (main) thread."""
        return [name for name, thread in self.calls if thread is threading.main_thread()]


@dataclass
class WindowDesk:
    """A PC with the desk open: its workspace and main window."""

    ws: Workspace
    window: MainWindow
    services: list[ThreadRecordingService] = field(default_factory=list)

    @property
    def service(self) -> ThreadRecordingService:
        """The controller's sync service."""
        service = self.window.sync.service if self.window.sync else None
        assert isinstance(service, ThreadRecordingService)
        return service

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.ws.db.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def new_case(self) -> uuid.UUID:
        """A case opened at reception (a local change, with its outbox rows)."""
        reception = ReceptionService(self.ws)
        profile = reception.profile
        return reception.start_contact(profile.channels[0].id, profile.case_kinds[0].id).case_id

    def edit_case(self, case_id: uuid.UUID, **values: Any) -> None:
        """Change fields of a case as a service would (one session, ORM)."""
        from db.models import Case

        with self.ws.db.session() as session:
            case = session.get(Case, case_id)
            assert case is not None
            for key, value in values.items():
                setattr(case, key, value)


def _setup_transport() -> httpx.HTTPTransport:
    """The desk's own transport for the set-up services, on the process's one TLS context (`shared_ssl_context`).

    Left to themselves they each build a default context (the CA bundle read again); the window's own service,
    the one under test, keeps the transport it makes itself.
    """
    return nodelay_transport(shared_ssl_context())


def enrol_and_settle(ws: Workspace, server: SyncServerProcess, name: str) -> None:
    """Enrol a workspace on the server with its own short-lived service and finish its first sync."""
    profile = ws.active_profile()
    assert profile is not None
    service = SyncService(ws, transport=_setup_transport())
    try:
        service.enroll(server.url, server.enroll_code(profile.association.name), device_name=name)
        service.run_round()
        service.run_round()
    finally:
        service.close()


def _send_sign_in(ws: Workspace) -> None:
    """Push what signing in wrote (the account made, its audit events): the desk starts with nothing pending."""
    service = SyncService(ws, transport=_setup_transport())
    try:
        service.run_round()
    finally:
        service.close()


@pytest.fixture
def fast_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short controller intervals (the behaviour is the same, the test does not wait a minute)."""
    monkeypatch.setattr(controller_module, "INTERVAL_MS", 60_000)
    monkeypatch.setattr(controller_module, "POLL_MS", 200)
    monkeypatch.setattr(controller_module, "CHANGE_DELAY_MS", 300)
    monkeypatch.setattr(controller_module, "RETRY_MS", 500)


@pytest.fixture
def sync_desk(
    qtbot: Any, tmp_path: Path, sync_server: SyncServerProcess, fast_sync: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., WindowDesk]]:
    """Make a PC with the desk open on the test's server (closed, then its workspace closed, at teardown)."""
    made: list[WindowDesk] = []
    monkeypatch.setattr(controller_module, "default_service", ThreadRecordingService)

    def factory(name: str = "desk", *, enrolled: bool = True) -> WindowDesk:
        ws = Workspace.open(seed_data_dir(tmp_path / name))
        ws.adopt_builtin_profile(PROFILE)
        if enrolled:
            enrol_and_settle(ws, sync_server, name)
        sign_in_desk(ws)  # after the first sync: a second desk signs in with the account the first one made
        if enrolled:
            _send_sign_in(ws)
        window = MainWindow(ws)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        desk = WindowDesk(ws, window)
        made.append(desk)
        qtbot.waitUntil(lambda: window.sync is not None and window.sync.state().status is not None, timeout=20_000)
        return desk

    yield factory
    for desk in made:
        desk.window.close()
        assert desk.window.sync is None or not desk.window.sync.running
        desk.ws.close()
