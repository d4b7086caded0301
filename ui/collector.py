"""Python's cyclic garbage collector runs on the GUI thread only.

Left automatic, a collection runs in whichever thread happens to allocate past the threshold — often a worker of
`ui.ops` — and may free the last reference to a Qt object (a model a worker's closure held, a widget in a
reference cycle) there; Qt objects must be deleted on their own thread, and PySide6 crashes when they are not
(seen: a segmentation fault while a reader counted the case list as its page was being closed). As pyqtgraph's
`GarbageCollector` does, the automatic collector is turned off and a timer on the GUI thread collects what Python
itself would have collected, by its own rule (`CollectionPolicy`). Objects without cycles are
freed by reference counting as always, on any thread; only cycles wait for the next tick.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

__all__ = ["COLLECT_INTERVAL_MS", "CollectionPolicy", "GuiThreadCollector", "collect_due", "collect_on_gui_thread"]

#: The thresholds Python's automatic collector uses (read before anything changes them).
_THRESHOLDS: tuple[int, int, int] = gc.get_threshold()

#: How often the GUI thread looks at the collector's counts (a look costs nanoseconds; a collection of the young
#: generation well under a millisecond).
COLLECT_INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Turns the automatic collector off and collects on a GUI-thread timer, as Python's own would have."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect what is due (the timer's tick)."""
        _policy().collect_due()


class CollectionPolicy:
    """Which generation Python's automatic collector (CPython 3.11, `collect_generations`) would collect now, and
    that collection: the oldest generation whose count passed its threshold, the younger ones with it — and the
    oldest (a full collection, the whole heap scanned) only once the objects that reached it since the last full
    one number a quarter of those it kept then. Without that rule a full collection ran every 70,000 allocations
    (~0.2 s on a test worker's heap, tens of milliseconds on a desk's, on the GUI thread). The counts Python keeps
    for the rule are not exposed: the objects reaching the oldest generation are counted as the survivors of each
    middle collection (the young generations' sizes before it, less what it found unreachable), and those kept by
    a full collection as the oldest generation's size after it."""

    def __init__(self, thresholds: tuple[int, int, int] | None = None) -> None:
        """Python's thresholds by default."""
        self.thresholds = thresholds or _THRESHOLDS
        #: Objects moved to the oldest generation since the last full collection (Python's long_lived_pending).
        self.pending = 0
        #: Objects in the oldest generation after the last full collection (Python's long_lived_total).
        self.long_lived = len(gc.get_objects(2))

    def due(self) -> int | None:
        """The generation Python would collect now, or None."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                if generation == 2 and self.pending < self.long_lived // 4:
                    continue
                return generation
        return None

    def collect_due(self) -> int | None:
        """On the GUI thread: collect the generation that is due (see `due`); returns it, or None."""
        generation = self.due()
        if generation == 2:
            gc.collect(2)
            self.long_lived = len(gc.get_objects(2))
            self.pending = 0
        elif generation == 1:
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
            self.pending += max(young - gc.collect(1), 0)
        elif generation == 0:
            gc.collect(0)
        return generation


_shared_policy: CollectionPolicy | None = None


def _policy() -> CollectionPolicy:
    """The process's one policy (its counts are the process's), made at the first look, not at start-up (it counts
    the oldest generation once)."""
    global _shared_policy
    if _shared_policy is None:
        _shared_policy = CollectionPolicy()
    return _shared_policy


def collect_due() -> int | None:
    """On the GUI thread, once the automatic collector is off: collect what it would collect now (see
    `CollectionPolicy`); returns the generation collected, or None. While it is on, nothing: it does so itself."""
    if gc.isenabled():
        return None
    return _policy().collect_due()


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
