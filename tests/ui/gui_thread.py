"""A guard for UI tests: any service call or database session on the GUI thread is recorded and fails.

The real services run (no mocks): their public methods, and `Database.session`, are wrapped so that a call
made on the GUI thread (the main thread in tests) is recorded with the widget code that made it and
raises `AssertionError`; a call from a `ui.ops` worker passes straight through. Tests assert the record
is empty, so a failure that a Qt callback swallowed still fails the test, naming where the call came from.

`Workspace.active_profile` is not wrapped: once read it is an attribute lookup (the main window and the
pages read the policy the worker already loaded); a first, uncached read opens a session and is caught
there.
"""

from __future__ import annotations

import functools
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from db.engine import Database
from desktop.reports import DashboardService, ReportService
from desktop.satisfaction import SurveyService
from desktop.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]

#: The services the desk's own pages (reports, satisfaction, first run, main window, start-up) call.
GUARDED: tuple[type, ...] = (Workspace, SurveyService, DashboardService, ReportService)

#: Methods that are in-memory once read (see the module docstring).
_IN_MEMORY = {(Workspace, "active_profile")}


def _caller() -> str:
    """The innermost frame of the desk's own code or tests (ui/, desktop/, tests/) that made the call, as file:line."""
    for frame in reversed(traceback.extract_stack()):
        if frame.filename == __file__:
            continue
        if any(Path(frame.filename).is_relative_to(ROOT / part) for part in ("ui", "desktop", "tests")):
            return f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} ({frame.name})"
    return "?"


@contextmanager
def no_service_calls_on_the_gui_thread(*extra: type) -> Iterator[list[str]]:
    """While active, a call on the GUI thread to a guarded service (or a session) is recorded and raises."""
    calls: list[str] = []
    originals: list[tuple[type, str, Any]] = []

    def guard(owner: type, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                calls.append(f"{owner.__name__}.{name} from {_caller()}")
                raise AssertionError(f"{owner.__name__}.{name} called on the GUI thread")
            return function(*args, **kwargs)

        return guarded

    def wrap(owner: type, name: str) -> None:
        raw = owner.__dict__[name]
        originals.append((owner, name, raw))
        if isinstance(raw, staticmethod):
            setattr(owner, name, staticmethod(guard(owner, name, raw.__func__)))
        elif isinstance(raw, classmethod):
            setattr(owner, name, classmethod(guard(owner, name, raw.__func__)))
        else:
            setattr(owner, name, guard(owner, name, raw))

    try:
        for owner in (*GUARDED, *extra):
            for name, raw in list(vars(owner).items()):
                function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
                if name.startswith("_") or not callable(function) or isinstance(raw, type):
                    continue
                if (owner, name) not in _IN_MEMORY:
                    wrap(owner, name)
        wrap(Database, "session")
        yield calls
    finally:
        for owner, name, raw in reversed(originals):
            setattr(owner, name, raw)
