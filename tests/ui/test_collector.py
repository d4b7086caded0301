"""Cycles are collected on the GUI thread only: a worker of `ui.ops` never frees a Qt object off its thread."""

from __future__ import annotations

import gc
import threading

from ui.ops import operations, run_read


class _Cycle:
    """Garbage in a reference cycle that notes the thread it is freed on."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def test_a_worker_that_allocates_past_the_threshold_does_not_collect(qtbot) -> None:
    operations()
    assert not gc.isenabled()
    _Cycle.freed_on.clear()
    _Cycle()  # unreachable at once, freed only by a collection

    def allocate() -> list[list[int]]:
        # Far past generation 0's threshold, and kept (freeing them would take the count back down): an
        # automatic collector would run here, on the worker thread.
        return [[index] for index in range(50 * gc.get_threshold()[0])]

    done: list[list[list[int]]] = []
    run_read(None, allocate, done.append)
    assert operations().wait(10_000)
    assert done and _Cycle.freed_on == []  # the worker did not collect
    qtbot.waitUntil(lambda: _Cycle.freed_on != [], timeout=5_000)
    assert _Cycle.freed_on == [threading.main_thread().name]
