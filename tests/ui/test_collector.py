"""Cycles are collected on the GUI thread only: a worker of `ui.ops` never frees a Qt object off its thread."""

from __future__ import annotations

import gc
import threading

from ui.collector import CollectionPolicy
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
    # The worker did not collect: the cycle is not freed yet, or was freed by the GUI thread's timer meanwhile
    # (`wait` turns the event loop, and a collection may fall due there).
    assert done and _Cycle.freed_on in ([], [threading.main_thread().name])
    qtbot.waitUntil(lambda: _Cycle.freed_on != [], timeout=5_000)
    assert _Cycle.freed_on == [threading.main_thread().name]


def _allocate_until_due(policy: CollectionPolicy, kept: list[object]) -> int:
    """Keep allocating (and keeping) containers until a collection is due; collect it; return its generation."""
    while True:
        kept.extend([] for _ in range(8))
        generation = policy.collect_due()
        if generation is not None:
            return generation


def test_a_full_collection_waits_until_a_quarter_of_the_long_lived_objects_are_new() -> None:
    """As Python's own collector: the oldest generation's count passing its threshold is not enough for a full
    collection (the whole heap scanned); the objects that reached it since the last one must number a quarter of
    those it kept then. Until then the middle generation is collected instead."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        heap = [[] for _ in range(40_000)]  # a heap of long-lived objects (the test run's own are frozen)
        gc.collect()
        policy = CollectionPolicy((10, 1, 1))
        assert policy.long_lived >= len(heap)
        kept: list[object] = []
        collected = [_allocate_until_due(policy, kept) for _ in range(30)]
        assert 2 not in collected and collected.count(1) >= 10
        assert gc.get_count()[2] > 1  # the oldest generation's count alone would have called for a full one
        assert len(kept) // 2 <= policy.pending <= len(kept) + 1000  # the kept containers reached it
        kept.extend([] for _ in range(policy.long_lived // 4))  # now a quarter of the long-lived objects are new
        collected = [_allocate_until_due(policy, kept) for _ in range(6)]
        assert 2 in collected
        assert policy.pending < len(kept) // 2  # counted afresh from the full collection
        assert policy.long_lived >= len(heap) + len(kept)  # what it kept: the heap and the kept containers
    finally:
        if was_enabled:
            gc.enable()
