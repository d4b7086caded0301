"""The idle lock's watch: no keyboard or mouse input for the association's period, and the desk locks.

Input is noticed by an event filter on each top-level *window* (`QWindow`) that takes the focus — the main
window and any dialog — not on the whole application: a filter there would run Python for every event of
every widget (building a page sends thousands), and only input matters here. The time comes from an
injected clock and `check()` is what the periodic timer calls, so a test drives both without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

__all__ = ["IdleWatch"]

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.InputMethod,
})

#: How often the watch looks at the clock (the lock comes at most this late).
CHECK_INTERVAL_MS = 5_000


class IdleWatch(QObject):
    """Emits `sig_idle()` once the desk had no input for `minutes` (then waits for `start` again).

    `clock` returns seconds (monotonic by default); `note_activity()` is what an input event calls.
    """

    sig_idle = Signal()

    def __init__(self, parent: QObject | None = None, *, clock: Callable[[], float] = time.monotonic,
                 interval_ms: int = CHECK_INTERVAL_MS) -> None:
        """A stopped watch; `start(minutes)` arms it."""
        super().__init__(parent)
        self._clock = clock
        self._limit_s: float | None = None
        self._last = clock()
        self._windows: set[int] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._watch_window)

    def start(self, minutes: int) -> None:
        """Arm the watch for `minutes` of no input, counted from now."""
        self._limit_s = max(1, int(minutes)) * 60.0
        self._last = self._clock()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            self._watch_window(app.focusWindow())
        self.timer.start()

    def stop(self) -> None:
        """Disarm (the desk is locked or signed out)."""
        self._limit_s = None
        self.timer.stop()

    @property
    def armed(self) -> bool:
        """True while the watch is counting."""
        return self._limit_s is not None

    def watch(self, window: QWindow | None) -> None:
        """Count input in `window` too (the main window's handle; the focused windows are watched by themselves)."""
        self._watch_window(window)

    def _watch_window(self, window: QWindow | None) -> None:
        if window is None or id(window) in self._windows:
            return
        self._windows.add(id(window))
        window.installEventFilter(self)
        window.destroyed.connect(lambda _=None, key=id(window): self._windows.discard(key))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any keyboard, mouse or touch input counts as activity; nothing is filtered out."""
        if event.type() in _INPUT_EVENTS:
            self._last = self._clock()
        return False

    def note_activity(self) -> None:
        """The person at the desk did something now."""
        self._last = self._clock()

    def idle_seconds(self) -> float:
        """Seconds since the last input."""
        return self._clock() - self._last

    def check(self) -> bool:
        """Emit `sig_idle` (and disarm) when the period has passed with no input; True if it did."""
        if self._limit_s is None or self.idle_seconds() < self._limit_s:
            return False
        self.stop()
        self.sig_idle.emit()
        return True
