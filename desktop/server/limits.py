"""Rate limits of the sync server: token buckets per key, answered with 429 and ``Retry-After``.

Decisions recorded here:

* Three limits (`RateLimits`): enrolment attempts per client address (a branch enrolling its PCs
  one after the other is never held), failures — a wrong enrolment code or device token — per
  client address (neither can be guessed at speed: after the burst, one try every few seconds), and
  requests per enrolled device (one desk looping cannot starve the others).
* A bucket holds `Rate.burst` tokens and regains `Rate.per_second`; a request that finds it empty is
  refused with the whole seconds until a token is back (``Retry-After``).
* The buckets live in the database (``rate_bucket``, UNLOGGED on PostgreSQL), so the limit is one limit
  however many worker processes (or servers) share it: each take is one atomic upsert
  (`take_statement`), the bucket's row locked only for that statement. What it costs:
  enrolment and authentication failures only when they happen (one statement each); the per-device
  take and the check of the client's failures ride in the authentication statement every request makes
  anyway (`desktop.server.store.ServerStore.authenticate`, one round trip on PostgreSQL as before),
  an UNLOGGED row update without WAL. Batching counts per process instead would let a burst through
  N workers before the counts meet; counting in the push's transaction would leave pulls uncounted.
* Times are the server's wall clock in seconds (``time.time()``); a clock set back refills nothing.
  Buckets full again are forgotten, at most once a minute per process, when an enrolment or a failure
  is counted (`forget_full_statement`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AUTH_FAILURE",
    "DEVICE",
    "ENROLL",
    "Rate",
    "RateLimits",
    "bucket_level",
    "forget_full_statement",
    "level_sql",
    "rate_params",
    "retry_after",
    "take_statement",
]

#: The kinds of bucket (``rate_bucket.kind``): per client address, per address, per device.
ENROLL = "enroll"
AUTH_FAILURE = "auth_failure"
DEVICE = "device"


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

    def of(self, kind: str) -> Rate:
        """The rate of a bucket kind (`ENROLL`, `AUTH_FAILURE`, `DEVICE`)."""
        rate: Rate = getattr(self, kind)
        return rate


def bucket_level(tokens: float | None, at: float | None, rate: Rate, now: float) -> float:
    """The tokens a bucket holds at `now` (a bucket never written is full)."""
    if tokens is None or at is None:
        return float(rate.burst)
    return min(float(rate.burst), tokens + max(0.0, now - at) * rate.per_second)


def retry_after(tokens: float, rate: Rate) -> int:
    """Whole seconds (≥ 1) until a bucket holding `tokens` (< 1) has one again."""
    return max(1, math.ceil((1 - tokens) / rate.per_second))


def level_sql(prefix: str, alias: str = "b") -> str:
    """SQL of the refilled level of the bucket row `alias` (parameters :now, :<prefix>_burst, :<prefix>_rate)."""
    grown = f"{alias}.tokens + (CASE WHEN :now > {alias}.at THEN :now - {alias}.at ELSE 0.0 END) * :{prefix}_rate"
    return f"(CASE WHEN {grown} < :{prefix}_burst THEN {grown} ELSE :{prefix}_burst END)"


def take_statement(prefix: str, source: str) -> str:
    """SQL taking one token from a bucket, atomically (PostgreSQL and SQLite): ``RETURNING tokens, granted``.

    `source` names the new row: ``VALUES (:kind, :key, :<prefix>_burst - 1, :now, true)`` or a SELECT of
    those five; `prefix` names the rate's parameters (`rate_params`). The bucket is refilled to `now` first;
    an empty one keeps that level (``granted`` false) and the caller answers `retry_after` its ``tokens``.
    """
    level = level_sql(prefix)
    return (f"INSERT INTO rate_bucket AS b (kind, key, tokens, at, granted) {source} "
            f"ON CONFLICT (kind, key) DO UPDATE SET "
            f"tokens = CASE WHEN {level} >= 1 THEN {level} - 1 ELSE {level} END, "
            f"at = :now, "
            f"granted = {level} >= 1 RETURNING tokens, granted")


def forget_full_statement(kinds: tuple[str, ...]) -> str:
    """SQL deleting the buckets of `kinds` that are full again (parameters :now and :<kind>_burst/_rate)."""
    return "DELETE FROM rate_bucket WHERE " + " OR ".join(
        f"(kind = '{kind}' AND at + :{kind}_burst / :{kind}_rate < :now)" for kind in kinds)


def rate_params(prefix: str, rate: Rate) -> dict[str, Any]:
    """The parameters a statement of this module needs for one rate."""
    return {f"{prefix}_burst": float(rate.burst), f"{prefix}_rate": float(rate.per_second)}
