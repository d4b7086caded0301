"""Rate limits of the sync server: token buckets per key, answered with 429 and ``Retry-After``.

Decisions recorded here:

* Three limits (`RateLimits`): enrolment attempts per client address (a branch enrolling its PCs
  one after the other is never held), failures — a wrong enrolment code or device token — per
  client address (neither can be guessed at speed: after the burst, one try every few seconds), and
  requests per enrolled device (one desk looping cannot starve the others).
* A bucket holds `Rate.burst` tokens and regains `Rate.per_second`; a request that finds it empty is
  refused with the whole seconds until a token is back (``Retry-After``). Idle buckets are forgotten.
* In-process: each worker process keeps its own buckets, so with N uvicorn workers a client gets up
  to N times the rate (the syncscale branch runs several workers; a shared store such as PostgreSQL
  or Redis would be needed for one exact limit). The defaults are generous for a real desk (a round
  is a handful of requests; a first sync a few hundred) and tight for a guesser.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Rate", "RateLimiter", "RateLimits"]


@dataclass(frozen=True)
class Rate:
    """A bucket of `burst` requests refilled at `per_second`."""

    burst: float
    per_second: float


@dataclass(frozen=True)
class RateLimits:
    """The server's three limits (see the module docstring)."""

    enroll: Rate = field(default_factory=lambda: Rate(burst=60, per_second=1))
    auth_failure: Rate = field(default_factory=lambda: Rate(burst=20, per_second=1 / 6))
    device: Rate = field(default_factory=lambda: Rate(burst=600, per_second=50))


class RateLimiter:
    """Token buckets by key for one `Rate`; thread-safe."""

    #: Buckets idle (full again) are dropped once there are more than this many.
    MAX_BUCKETS = 10_000

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.rate.burst, now))
        return min(self.rate.burst, tokens + (now - at) * self.rate.per_second)

    def retry_after(self, key: str) -> int:
        """Seconds to wait (≥ 1) when the bucket of `key` is empty, else 0 — without taking a token."""
        with self._lock:
            tokens = self._level(key, self._clock())
        return 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate.per_second))

    def take(self, key: str) -> int:
        """Take a token for `key`: 0 when allowed, else the seconds to wait (nothing taken)."""
        with self._lock:
            now = self._clock()
            tokens = self._level(key, now)
            if tokens < 1:
                return max(1, math.ceil((1 - tokens) / self.rate.per_second))
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > self.MAX_BUCKETS:
                self._forget_full(now)
            return 0

    def _forget_full(self, now: float) -> None:
        for key in [k for k in self._buckets if self._level(k, now) >= self.rate.burst]:
            del self._buckets[key]
