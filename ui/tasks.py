"""Background work for the GUI: run a function off the GUI thread, get its result back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    """Carries a task's outcome from the worker thread to the GUI thread (queued signal delivery)."""

    sig_succeeded = Signal(object)
    sig_failed = Signal(object)


class _Task(QRunnable):
    """One function call run by a thread pool."""

    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        """Call the function; report its result or the exception it raised."""
        try:
            result = self._work()
        except BaseException as error:  # reported to the GUI thread, which decides what to show
            self._relay.sig_failed.emit(error)
        else:
            self._relay.sig_succeeded.emit(result)


class BackgroundRunner(QObject):
    """A single-worker queue for database work (one writer at a time, like Anki's collection executor)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> None:
        """Run `work` in the background; `on_success(result)` or `on_failure(error)` is called on the GUI thread."""
        relay = _Relay(self)
        self._relays.add(relay)

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._relays.discard(relay)
            relay.deleteLater()
            callback(value)

        relay.sig_succeeded.connect(lambda result: finish(on_success, result))
        relay.sig_failed.connect(lambda error: finish(on_failure, error))
        self._pool.start(_Task(work, relay))

    def wait(self, msecs: int = -1) -> bool:
        """Block until queued work is done (shutdown and tests); True when nothing is left running."""
        return self._pool.waitForDone(msecs)
