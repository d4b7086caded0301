"""Python's cyclic garbage collector runs on the GUI thread only.

Left automatic, a collection runs in whichever thread happens to allocate past the threshold — often a worker of
`ui.ops` — and may free the last reference to a Qt object (a model a worker's closure held, a widget in a
reference cycle) there; Qt objects must be deleted on their own thread, and PySide6 crashes when they are not
(seen: a segmentation fault while a reader counted the case list as its page was being closed). As pyqtgraph's
`GarbageCollector` does, the automatic collector is turned off and a timer on the GUI thread collects each
generation whenever its count passes the threshold Python itself would have used. Objects without cycles are
freed by reference counting as always, on any thread; only cycles wait for the next tick.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

__all__ = ["COLLECT_INTERVAL_MS", "GuiThreadCollector", "collect_due", "collect_on_gui_thread"]

#: The thresholds Python's automatic collector uses (read before anything changes them).
_THRESHOLDS: tuple[int, int, int] = gc.get_threshold()

#: How often the GUI thread looks at the collector's counts (a look costs nanoseconds; a collection of the young
#: generation well under a millisecond).
COLLECT_INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Turns the automatic collector off and collects on a GUI-thread timer, generation by generation."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = _THRESHOLDS
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect what is due (the timer's tick)."""
        collect_due(self._thresholds)


def collect_due(thresholds: tuple[int, int, int] | None = None) -> None:
    """On the GUI thread: collect the generations whose counts passed their thresholds (Python's own by default),
    youngest first, as the automatic collector would have."""
    first, second, third = thresholds or _THRESHOLDS
    young, middle, old = gc.get_count()
    if young > first:
        gc.collect(0)
        if middle > second:
            gc.collect(1)
            if old > third:
                gc.collect(2)


_collector: GuiThreadCollector | None = None


def collect_on_gui_thread() -> None:
    """From the GUI thread, once a QApplication exists: from now on only the GUI thread collects (idempotent)."""
    global _collector
    app = QCoreApplication.instance()
    if app is None:
        return
    if _collector is None or not shiboken6.isValid(_collector) or _collector.parent() is not app:
        _collector = GuiThreadCollector(app)
    else:
        gc.disable()  # someone turned the automatic collector back on: off again, the timer collects
