"""The desk's hybrid logical clock: HLC stamps for local changes, robust to a PC clock that is wrong by a day.

Decisions recorded here:

* Physical time is the PC's wall clock corrected by `offset_ms`, the difference to the server's
  clock learnt from the ``Date`` header of its answers (`learn_offset`, ignoring jitter under
  `OFFSET_TOLERANCE_MS`). A PC whose clock is a day fast or slow therefore stamps its changes
  with (roughly) the server's time once it has talked to the server, and the provisional winner
  of a conflict is not decided by a wrong clock.
* Stamps never go backwards: each is greater than the last one given and than every remote HLC
  observed (the standard HLC rule), and the last one is persisted by the caller (`last`), so a
  restart or a clock set back keeps the order.
* A remote HLC more than `MAX_FUTURE_MS` ahead of the corrected clock is not adopted (one wrong
  clock elsewhere cannot drag this PC's stamps into the future).
* A change is stamped with the time it was made, not the time it is pushed, so edits made offline
  for a week keep their place in time: the caller gives its age (SQLite's now minus the outbox's
  ``changed_at``, both on the PC's clock, so a wrong clock cancels out).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from desktop.sync.protocol import format_hlc, parse_hlc

__all__ = ["MAX_FUTURE_MS", "OFFSET_TOLERANCE_MS", "DeskClock"]

#: Offsets smaller than this are jitter (the Date header has a one-second resolution).
OFFSET_TOLERANCE_MS = 2_000
#: Remote stamps further ahead than this are not adopted.
MAX_FUTURE_MS = 5 * 60 * 1000


class DeskClock:
    """HLC stamps for this PC's changes, on the wall clock corrected to the server's."""

    def __init__(
        self,
        last: str | None = None,
        offset_ms: int = 0,
        wall: Callable[[], float] | None = None,
    ) -> None:
        self._millis, self._counter = parse_hlc(last) if last else (0, 0)
        self.offset_ms = offset_ms
        self._wall = wall or time.time
        self._lock = threading.Lock()

    @property
    def last(self) -> str:
        """The greatest stamp given or observed (persist it)."""
        return format_hlc(self._millis, self._counter)

    def physical_ms(self, wall_seconds: float | None = None) -> int:
        """Milliseconds since the epoch on the corrected clock (now, or at a given wall time)."""
        seconds = self._wall() if wall_seconds is None else wall_seconds
        return int(seconds * 1000) + self.offset_ms

    def stamp(self, age_ms: int = 0) -> str:
        """The HLC of a change made `age_ms` milliseconds ago (measured on one clock, so its skew cancels)."""
        physical = self.physical_ms() - max(0, age_ms)
        with self._lock:
            if physical > self._millis:
                self._millis, self._counter = physical, 0
            else:
                self._counter += 1
            return format_hlc(self._millis, self._counter)

    def observe(self, remote: str | None) -> None:
        """Order later local stamps after a remote HLC (unless it is implausibly far in the future)."""
        if not remote:
            return
        try:
            millis, counter = parse_hlc(remote)
        except ValueError:
            return
        if millis > self.physical_ms() + MAX_FUTURE_MS:
            return
        with self._lock:
            if (millis, counter) > (self._millis, self._counter):
                self._millis, self._counter = millis, counter

    def learn_offset(self, date_header: str | None, sent: float, received: float) -> bool:
        """Update the offset from a server ``Date`` header seen between `sent` and `received` (wall seconds).

        Returns True when the offset changed.
        """
        if not date_header:
            return False
        try:
            server = parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            return False
        server_ms = int(_aware(server).timestamp() * 1000) + 500  # the header truncates to the second
        local_ms = int((sent + received) / 2 * 1000)
        offset = server_ms - local_ms
        if abs(offset - self.offset_ms) <= OFFSET_TOLERANCE_MS:
            return False
        self.offset_ms = 0 if abs(offset) <= OFFSET_TOLERANCE_MS else offset
        return True


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
