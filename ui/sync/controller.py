"""The desk's sync in the background: one SyncService per open workspace, rounds off the GUI thread.

When rounds run:

* on a timer (every `interval_ms`, 60 s by default), and sooner after a failure to reach the
  server (`retry_ms`, doubling up to the interval);
* soon after a saved change: the controller reads `SyncService.status()` every `poll_ms` (3 s)
  and starts a round `change_delay_ms` after it sees the count of pending changes grow. Polling
  was chosen over a signal from the pages because every page (reception, case desk, committee,
  satisfaction — built by different hands) writes through services whose outbox triggers fill
  `sync_outbox`: the count notices every saved change, including ones a page forgets to announce,
  and costs one indexed count every few seconds. Pages may still call `note_local_change()` to be
  noticed at once;
* on demand (`sync_now()`).

Where the work runs (issue 10): every call into the service goes through `ui.ops` machinery, off
the GUI thread, results back on it, failures worded by `desktop.errors.describe`. Two lanes:

* **The sync lane** — rounds and enrolment. A round takes seconds on a good day, minutes for a
  first sync, and up to the HTTP timeout (30 s per request) against a server that accepts the
  connection and never answers; enrolment also waits on the server. On the application's single
  writer lane that would hold every save the officer makes behind the network, so they run on a
  lane of their own: a second `ui.ops.Operations` owned by this controller, whose one writer
  thread runs only this work, one item at a time (two rounds never overlap, enrolment never
  interleaves with a round). The sync client writes through its own sqlite3 connection in short
  transactions of its own (a page, a batch), which SQLite serialises with the officer's writes.
* **The application's `ui.ops` lanes** — everything short and local: preparing the service
  (`run_write`: it may repair outbox triggers), status reads and conflict lists (`run_read`),
  conflict resolutions (`run_write`, like any save of the officer's; the next round sends them).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ui.ops import FailureCallback, Operations, run_read, run_write
from ui.sync.text import SyncState

if TYPE_CHECKING:
    from desktop.sync.quarantine import QuarantinedRow, RejectedChange
    from desktop.sync.service import ConflictView, EnrolmentResult, SyncReport, SyncService, SyncStatus
    from desktop.workspace import Workspace

T = TypeVar("T")

INTERVAL_MS = 60_000
POLL_MS = 3_000
CHANGE_DELAY_MS = 1_500
RETRY_MS = 10_000
SHUTDOWN_WAIT_MS = 40_000  # the HTTP client's timeout is 30 s: a round in flight ends within it

NOT_READY_AR = "تعذر تجهيز المزامنة على هذا الجهاز: "


def default_service(workspace: Workspace) -> SyncService:
    """The workspace's SyncService (imported here, on a worker thread: httpx stays off the start-up path)."""
    from desktop.sync.service import SyncService

    return SyncService(workspace)


class _ProgressRelay(QObject):
    """Carries a round's progress from the sync lane to the GUI thread.

    `sig_progress(done, total)`: rows pulled so far and rows to pull, emitted on the worker thread.
    """

    sig_progress = Signal(int, int)


class SyncController(QObject):
    """Owns the workspace's SyncService and runs its rounds in the background; reports state for the desk.

    Signals (all emitted on the GUI thread):

    * `sig_state(SyncState)` — what the desk shows changed (status read, round started or over, failure);
    * `sig_round_started(bool)` — a round starts; True for this PC's first sync;
    * `sig_progress(int, int)` — rows pulled so far and rows to pull, during a round;
    * `sig_round_finished(SyncReport)` — a round is over (also when it was cancelled: `report.cancelled`);
    * `sig_round_failed(str, object)` — a round failed: its Arabic message (from `describe`) and the error
      (a SyncError with `.kind`);
    * `sig_first_sync()` — the first sync of a newly enrolled PC starts: show its progress;
    * `sig_stopped()` — `shutdown` finished.
    """

    sig_state = Signal(object)
    sig_round_started = Signal(bool)
    sig_progress = Signal(int, int)
    sig_round_finished = Signal(object)
    sig_round_failed = Signal(str, object)
    sig_first_sync = Signal()
    sig_stopped = Signal()

    def __init__(
        self,
        workspace: Workspace,
        parent: QObject | None = None,
        *,
        service_factory: Callable[[Workspace], SyncService] | None = None,
        interval_ms: int | None = None,
        poll_ms: int | None = None,
        change_delay_ms: int | None = None,
        retry_ms: int | None = None,
    ) -> None:
        """Intervals default to the module's INTERVAL_MS, POLL_MS, CHANGE_DELAY_MS and RETRY_MS."""
        super().__init__(parent)
        self._workspace = workspace
        self._factory = service_factory or default_service
        self._interval_ms = INTERVAL_MS if interval_ms is None else interval_ms
        self._change_delay_ms = CHANGE_DELAY_MS if change_delay_ms is None else change_delay_ms
        self._retry_base_ms = RETRY_MS if retry_ms is None else retry_ms
        self._retry_ms = self._retry_base_ms
        poll_ms = POLL_MS if poll_ms is None else poll_ms
        self._lane = Operations(self)  # the sync lane: rounds and enrolment, one at a time (module docstring)
        self._service: SyncService | None = None
        self._status: SyncStatus | None = None
        self._unavailable: str | None = None
        self._error_kind: str | None = None
        self._running = False
        self._enrolling = False
        self._first_round = False
        self._again = False
        self._reading = False
        self._stopped = False
        self._started = False
        self._cancel = threading.Event()
        self._first_sync_offered = False
        self._check_leftover = False
        self.last_report: SyncReport | None = None
        self.last_error: BaseException | None = None
        self.rounds_started = 0

        self._progress = _ProgressRelay(self)
        self._progress.sig_progress.connect(self._on_progress)
        self._round_timer = QTimer(self)
        self._round_timer.setSingleShot(True)
        self._round_timer.timeout.connect(self._timer_round)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(poll_ms)
        self._poll_timer.timeout.connect(self.refresh_status)

    # ------------------------------------------------------------------ state

    @property
    def service(self) -> SyncService | None:
        """The sync service once it is ready (None before `start` finished or after `shutdown`)."""
        return self._service

    @property
    def running(self) -> bool:
        """A round is in progress."""
        return self._running

    @property
    def stopped(self) -> bool:
        """`shutdown` was called."""
        return self._stopped

    def state(self) -> SyncState:
        """What the desk shows now."""
        return SyncState(self._status, self._running, self._error_kind, self._unavailable)

    def _emit_state(self) -> None:
        if not self._stopped:
            self.sig_state.emit(self.state())

    # ------------------------------------------------------------------ start and stop

    def start(self) -> None:
        """Prepare the service in the background (httpx and the outbox check stay off the GUI thread)."""
        if self._started or self._stopped:
            return
        self._started = True
        workspace, factory = self._workspace, self._factory
        self._emit_state()
        run_write(self, lambda: factory(workspace), self._service_ready, self._service_failed, where="sync.start")

    def _service_ready(self, service: SyncService) -> None:
        if self._stopped:
            service.close()
            return
        self._service = service
        self._poll_timer.start()
        self.refresh_status()

    def _service_failed(self, message: str, error: BaseException) -> None:
        self._unavailable = NOT_READY_AR + message
        self.last_error = error
        self._emit_state()

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop timers, ask a running round to stop, wait for the sync lane, close the service; True when idle.

        Short operations already asked of `ui.ops` finish on their own; their callbacks find the controller
        stopped and do nothing.
        """
        if self._stopped:
            return True
        self._stopped = True
        self._round_timer.stop()
        self._poll_timer.stop()
        self._cancel.set()
        idle = self._lane.shutdown(wait_ms)
        if idle and self._service is not None:
            self._service.close()
            self._service = None
        self._running = False
        self.sig_stopped.emit()
        return idle

    # ------------------------------------------------------------------ status

    def note_local_change(self) -> None:
        """A page saved something: look at the pending changes now (a round follows shortly)."""
        self.refresh_status()

    @Slot()
    def refresh_status(self) -> None:
        """Read the status off the GUI thread (skipped when a read is already under way)."""
        service = self._service
        if service is None or self._reading or self._stopped:
            return
        self._reading = True
        run_read(self, service.status, self._status_read, self._status_failed, where="sync.status")

    def _status_read(self, status: SyncStatus) -> None:
        self._reading = False
        if self._stopped:
            return
        previous = self._status
        self._status = status
        self._emit_state()
        if not status.configured:
            self._round_timer.stop()
            return
        if status.first_sync_pending and not self._first_sync_offered and not self._running:
            self.start_first_sync()
            return
        leftover, self._check_leftover = self._check_leftover, False
        if leftover and status.pending_changes and not self._running:
            self._schedule(self._change_delay_ms)
            return
        grew = status.pending_changes > (previous.pending_changes if previous is not None else 0)
        if grew and not self._running and self._error_kind is None:
            self._schedule(self._change_delay_ms)
        elif not self._round_timer.isActive() and not self._running:
            self._schedule(self._interval_ms if self._error_kind is None else self._retry_ms)

    def _status_failed(self, _message: str, error: BaseException) -> None:
        """A status read failed: kept quietly (the next poll tries again; `describe` logged what was unexpected)."""
        self._reading = False
        self.last_error = error

    # ------------------------------------------------------------------ rounds

    def _schedule(self, delay_ms: int) -> None:
        """The next automatic round in `delay_ms` (sooner wins over later)."""
        if self._stopped:
            return
        if self._round_timer.isActive() and self._round_timer.remainingTime() <= delay_ms:
            return
        self._round_timer.start(max(0, delay_ms))

    def _timer_round(self) -> None:
        self._start_round(first=False)

    def sync_now(self) -> bool:
        """Start a round now (on demand); False when this PC is not enrolled or the controller is stopped."""
        if self._stopped or self._service is None or not (self._status and self._status.configured):
            return False
        if self._running or self._enrolling:
            self._again = True
            return True
        self._start_round(first=bool(self._status.first_sync_pending))
        return True

    def start_first_sync(self) -> bool:
        """The first sync of a newly enrolled PC: announce it (the desk shows its progress) and run it."""
        if self._stopped or self._service is None:
            return False
        self._first_sync_offered = True
        if self._running or self._enrolling:
            self._again = True
            return True
        self.sig_first_sync.emit()
        self._start_round(first=True)
        return True

    def cancel_round(self) -> None:
        """Ask the round in progress to stop after the page it is applying (what it applied stays)."""
        if self._running:
            self._cancel.set()

    def _start_round(self, *, first: bool) -> None:
        service = self._service
        if service is None or self._stopped:
            return
        if self._running or self._enrolling:
            self._again = True
            return
        self._round_timer.stop()
        self._running = True
        self._first_round = first
        self._again = False
        self._cancel.clear()
        self.rounds_started += 1
        cancel = self._cancel
        relay = self._progress

        def progress(done: int, total: int) -> None:
            relay.sig_progress.emit(done, total)

        def work() -> SyncReport:
            return service.run_round(progress, cancel.is_set)

        self._emit_state()
        self.sig_round_started.emit(first)
        self._lane.write(work, self._round_done, self._round_failed, owner=self, where="sync.round")

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self._stopped:
            self.sig_progress.emit(done, total)

    def _round_done(self, report: SyncReport) -> None:
        self._running = False
        if self._stopped:
            return
        self.last_report = report
        self._error_kind = None
        self._retry_ms = self._retry_base_ms
        # Changes saved while this round ran may have missed its push: look again once it is over.
        self._check_leftover = report.acknowledged > 0 and not report.cancelled
        self.sig_round_finished.emit(report)
        self._after_round(self._interval_ms)

    def _round_failed(self, message: str, error: BaseException) -> None:
        self._running = False
        if self._stopped:
            return
        self.last_error = error
        self._error_kind = str(getattr(error, "kind", "server"))
        if self._error_kind == "offline":
            delay = self._retry_ms
            self._retry_ms = min(self._retry_ms * 2, self._interval_ms)
        else:
            delay = self._interval_ms
        self.sig_round_failed.emit(message, error)
        self._after_round(delay)

    def _after_round(self, delay_ms: int) -> None:
        if self._again:
            self._again = False
            self._schedule(0)
        else:
            self._round_timer.start(delay_ms)
        self._emit_state()
        self.refresh_status()

    # ------------------------------------------------------------------ enrolment and conflicts

    def enroll(
        self,
        owner: QObject,
        server_url: str,
        code: str,
        device_name: str | None,
        branch: str | None,
        on_done: Callable[[EnrolmentResult], None],
        on_failure: FailureCallback,
        pinned_fingerprint: str | None = None,
    ) -> bool:
        """Enrol this PC on the sync lane (after a round in progress); on success the first sync starts.

        `pinned_fingerprint`: the server certificate's fingerprint the administrator compared (then only it is trusted).

        `owner` is the widget that asked: its callbacks are skipped once it is deleted. False when not ready.
        """
        service = self._service
        if service is None or self._stopped:
            return False
        self._enrolling = True

        def done(result: EnrolmentResult) -> None:
            self._enrolling = False
            if self._stopped:
                return
            self._error_kind = None
            self._retry_ms = self._retry_base_ms
            self._first_sync_offered = True
            self._for(owner, on_done)(result)
            self.start_first_sync()

        def failed(message: str, error: BaseException) -> None:
            self._enrolling = False
            if self._stopped:
                return
            self._failure_for(owner, on_failure)(message, error)
            if self._again:
                self._again = False
                self._schedule(0)

        self._lane.write(lambda: service.enroll(server_url, code, device_name, branch,
                                                pinned_fingerprint=pinned_fingerprint),
                         done, failed, owner=self, where="sync.enrol")
        return True

    def server_certificate(self, owner: QObject, server_url: str, on_done: Callable[[Any], None],
                           on_failure: FailureCallback) -> bool:
        """Fetch the server's TLS certificate in the background, for its fingerprint to be compared (`ServerCertificate`)."""
        service = self._service
        if service is None or self._stopped:
            return False
        run_read(self, lambda: service.server_certificate(server_url), self._for(owner, on_done),
                 self._failure_for(owner, on_failure), where="sync.certificate")
        return True

    def load_conflicts(
        self,
        owner: QObject,
        include_resolved: bool,
        on_done: Callable[[list[ConflictView]], None],
        on_failure: FailureCallback,
    ) -> bool:
        """Read the conflicts for the supervisor screen in the background (callbacks skipped once `owner` is gone)."""
        service = self._service
        if service is None or self._stopped:
            return False
        run_read(self, lambda: service.conflicts(include_resolved=include_resolved), self._for(owner, on_done),
                 self._failure_for(owner, on_failure), where="sync.conflicts")
        return True

    def load_refused(
        self,
        owner: QObject,
        on_done: Callable[[tuple[list[RejectedChange], list[QuarantinedRow]]], None],
        on_failure: FailureCallback,
    ) -> bool:
        """Read, in the background, this desk's changes the server rejected and the pulled rows set aside."""
        service = self._service
        if service is None or self._stopped:
            return False
        run_read(self, service.refused, self._for(owner, on_done), self._failure_for(owner, on_failure),
                 where="sync.refused")
        return True

    def resolve(
        self,
        owner: QObject,
        conflict_id: uuid.UUID,
        choose: Any,
        on_done: Callable[[ConflictView], None],
        on_failure: FailureCallback,
    ) -> bool:
        """Keep one side of a conflict (saved like any of the officer's changes); a round follows to send it."""
        service = self._service
        if service is None or self._stopped:
            return False

        def done(view: ConflictView) -> None:
            if self._stopped:
                return
            self._for(owner, on_done)(view)
            self.refresh_status()
            self.sync_now()

        run_write(self, lambda: service.resolve(conflict_id, choose), done, self._failure_for(owner, on_failure),
                  where="sync.resolve")
        return True

    def _for(self, owner: QObject, callback: Callable[[T], None]) -> Callable[[T], None]:
        """`callback`, skipped once the controller is stopped or `owner` (a dialog) was deleted."""

        def call(value: T) -> None:
            if not self._stopped and shiboken6.isValid(owner):
                callback(value)

        return call

    def _failure_for(self, owner: QObject, callback: FailureCallback) -> FailureCallback:
        """The failure `callback`, skipped once the controller is stopped or `owner` was deleted."""

        def call(message: str, error: BaseException) -> None:
            if not self._stopped and shiboken6.isValid(owner):
                callback(message, error)

        return call
