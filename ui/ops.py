"""The one path from a widget to a service: operations off the GUI thread, results back on it (like Anki's CollectionOp).

Every service call a user action triggers goes through `run_write` or `run_read`:

* the work runs on a worker thread; `on_success(result)` or `on_failure(message, error)` is called on the GUI
  thread, where `message` is the Arabic text from `desktop.errors.describe` (the one function that turns an
  error into words; it also writes unexpected ones to the desk log with an incident number);
* writes run one at a time, in the order they were asked for (one database writer, like Anki's collection
  executor); reads run beside them on their own small pool (SQLite in WAL mode lets readers go on while a
  writer writes);
* a callback is dropped when the widget that asked (`owner`) has been deleted meanwhile, so closing a
  dialog mid-operation never calls into a dead widget; the work itself still finishes (nothing half-written);
* without `on_failure` the message is shown in a non-blocking Arabic message box over `owner`.

`operations()` is the application's single `Operations`; tests call `operations().wait()` to let queued work
finish before they look at its result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.errors import describe
from ui.collector import collect_on_gui_thread

__all__ = ["FailureCallback", "Operations", "operations", "run_read", "run_write", "show_failure"]

T = TypeVar("T")

#: Called on the GUI thread with the Arabic message and the error itself.
FailureCallback = Callable[[str, BaseException], None]

#: How many reads may run at once beside the single writer.
READ_THREADS = 2
#: A read asked to wait for a widget's paint starts at the latest this long after it was asked for.
AFTER_DRAWN_MS = 100


class _Relay(QObject):
    """Carries one operation's outcome from its worker thread to the GUI thread (queued signal delivery).

    `sig_succeeded(result)` and `sig_failed(error)` are emitted on the worker thread and delivered on the
    thread the relay lives in (the GUI thread).
    """

    sig_succeeded = Signal(object)
    sig_failed = Signal(object)


class _Task(QRunnable):
    """One function call run by a thread pool; its outcome goes to the relay."""

    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        """Call the function; report its result or the exception it raised."""
        try:
            result = self._work()
        except BaseException as error:  # noqa: BLE001 — every failure goes to the GUI thread, which words it
            self._relay.sig_failed.emit(error)
        else:
            self._relay.sig_succeeded.emit(result)


def _alive(owner: QObject | None) -> bool:
    """True when there is no owner or its C++ object still exists."""
    return owner is None or shiboken6.isValid(owner)


def show_failure(owner: QObject | None, message: str) -> None:
    """Show an operation's Arabic failure message in a non-blocking box over `owner` (when it is a live widget)."""
    parent = owner if isinstance(owner, QWidget) and shiboken6.isValid(owner) else None
    box = QMessageBox(QMessageBox.Icon.Warning, "تعذّر إتمام العملية", message, QMessageBox.StandardButton.Ok, parent)
    box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class Operations(QObject):
    """The application's single runner: one writer thread, a small reader pool, results on the GUI thread.

    `sig_busy_changed(bool)` tells the main window when operations start and stop being in flight (for a busy
    cursor or status text); `longest_callback_ms` records the longest GUI-thread callback, for the benchmarks.
    """

    sig_busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(READ_THREADS)
        self._relays: set[_Relay] = set()
        self.longest_callback_ms = 0.0
        # A worker thread must never be the one that frees a Qt object: cycles are collected on this thread only.
        collect_on_gui_thread()

    @property
    def in_flight(self) -> int:
        """How many operations have been asked for and not yet reported back."""
        return len(self._relays)

    def write(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None = None,
        *,
        owner: QObject | None = None,
        where: str = "",
    ) -> None:
        """Run `work` (which may write) after every write asked for before it; report back on the GUI thread."""
        self._start(self._writer, work, on_success, on_failure, owner, where)

    def read(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None = None,
        *,
        owner: QObject | None = None,
        where: str = "",
        after_drawn: QWidget | None = None,
    ) -> None:
        """Run `work` (which only reads) beside the writer; report back on the GUI thread.

        With `after_drawn`, a visible widget just given new content, the read is in flight at once but starts
        only once that widget has been painted (at the latest `AFTER_DRAWN_MS` later): a secondary read (the
        counts under a list) never takes the CPU from the paint of what the user waits for.
        """
        self._start(self._readers, work, on_success, on_failure, owner, where, after_drawn)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until all queued work has run and its callbacks were delivered (tests, shutdown); True when done."""
        deadline = time.monotonic() + msecs / 1000
        while True:
            remaining = max(0, int((deadline - time.monotonic()) * 1000))
            self._writer.waitForDone(remaining)
            self._readers.waitForDone(max(0, int((deadline - time.monotonic()) * 1000)))
            QCoreApplication.processEvents()
            if not self._relays:
                return True
            if time.monotonic() >= deadline:
                return False
            QCoreApplication.processEvents()

    def shutdown(self, msecs: int = 10_000) -> bool:
        """At exit: wait, at most `msecs` per pool, for queued work to finish; True when everything finished."""
        writer_done = self._writer.waitForDone(msecs)
        readers_done = self._readers.waitForDone(msecs)
        return writer_done and readers_done

    def _start(
        self,
        pool: QThreadPool,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None,
        owner: QObject | None,
        where: str,
        after_drawn: QWidget | None = None,
    ) -> None:
        relay = _Relay()  # not a child of self: its own deleteLater must be the only deletion
        was_idle = not self._relays
        self._relays.add(relay)

        def finish() -> None:
            self._relays.discard(relay)
            relay.deleteLater()
            if not self._relays:
                self.sig_busy_changed.emit(False)

        def succeeded(result: Any) -> None:
            finish()
            if _alive(owner):
                self._timed(lambda: on_success(result))

        def failed(error: BaseException) -> None:
            finish()
            message = describe(error, where)
            if not _alive(owner):
                return
            if on_failure is not None:
                self._timed(lambda: on_failure(message, error))
            else:
                show_failure(owner, message)

        relay.sig_succeeded.connect(succeeded)
        relay.sig_failed.connect(failed)
        if was_idle:
            self.sig_busy_changed.emit(True)
        task = _Task(work, relay)
        if after_drawn is None or not shiboken6.isValid(after_drawn) or not after_drawn.isVisible():
            pool.start(task)
        else:
            _PaintWatch(after_drawn, lambda: pool.start(task))

    def _timed(self, callback: Callable[[], None]) -> None:
        started = time.perf_counter()
        try:
            callback()
        finally:
            self.longest_callback_ms = max(self.longest_callback_ms, (time.perf_counter() - started) * 1000)


class _PaintWatch(QObject):
    """Calls `start` once, just after the watched widget's next paint, or `AFTER_DRAWN_MS` after being made
    if no paint comes (the widget covered or deleted); a child of the widget, deleted when done."""

    def __init__(self, widget: QWidget, start: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._start: Callable[[], None] | None = start
        widget.installEventFilter(self)
        # Plain functions, not this object's methods: they run even when the watch died with its widget.
        QTimer.singleShot(AFTER_DRAWN_MS, lambda: self._fire())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the widget's paint: start once the paint is done (the next turn of the event loop)."""
        if watched is self._widget and event.type() == QEvent.Type.Paint and self._start is not None:
            QTimer.singleShot(0, lambda: self._fire())
        return False

    def _fire(self) -> None:
        start, self._start = self._start, None
        if start is None:
            return
        if shiboken6.isValid(self):
            if shiboken6.isValid(self._widget):
                self._widget.removeEventFilter(self)
            self.deleteLater()
        start()


_operations: Operations | None = None


def operations() -> Operations:
    """The application's single `Operations` (made on first use, owned by the QApplication)."""
    global _operations
    if _operations is None or not shiboken6.isValid(_operations):
        _operations = Operations(QCoreApplication.instance())
    return _operations


def run_write(
    owner: QObject | None,
    work: Callable[[], T],
    on_success: Callable[[T], None],
    on_failure: FailureCallback | None = None,
    *,
    where: str = "",
) -> None:
    """Shorthand for `operations().write(...)` on behalf of `owner`."""
    operations().write(work, on_success, on_failure, owner=owner, where=where)


def run_read(
    owner: QObject | None,
    work: Callable[[], T],
    on_success: Callable[[T], None],
    on_failure: FailureCallback | None = None,
    *,
    where: str = "",
    after_drawn: QWidget | None = None,
) -> None:
    """Shorthand for `operations().read(...)` on behalf of `owner` (`after_drawn`: see `Operations.read`)."""
    operations().read(work, on_success, on_failure, owner=owner, where=where, after_drawn=after_drawn)
