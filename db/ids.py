"""Client-generated UUIDv7 identifiers (RFC 9562), monotonic within a process.

Layout of the 128 bits: 48-bit Unix time in milliseconds, 4-bit version (7), a 42-bit
counter split over the 12 bits of ``rand_a`` and the first 30 bits of ``rand_b`` (after the
2-bit variant), then 32 random bits. This is RFC 9562 section 6.2, method 1 (fixed-length
dedicated counter), the same choice as CPython 3.14's ``uuid.uuid7``:

* on a new millisecond the counter is seeded with 41 random bits (its top bit clear, so
  at least 2**41 ids fit in one millisecond before it can overflow);
* within the same millisecond, or when the clock goes backwards, the counter is incremented;
* on counter overflow the timestamp is advanced by one millisecond (the id stays greater
  than the previous one; the clock catches up).

Ids from one process are therefore strictly increasing, which keeps B-tree inserts appending
at the end of the primary-key index. Ids from different PCs are unique by their random bits.
"""

from __future__ import annotations

import os
import threading
from array import array
import time
import uuid

__all__ = ["uuid7", "uuid7_hex", "uuid7_hex_batch", "uuid7_timestamp_ms"]

_COUNTER_BITS = 42
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1
_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0x2 << 62

_lock = threading.Lock()
_last_ms = -1
_last_counter = 0


def _next_fields() -> tuple[int, int, int]:
    """Return (timestamp_ms, counter, tail32) for the next id, updating the process state."""
    global _last_ms, _last_counter
    random_bytes = os.urandom(10)
    tail = int.from_bytes(random_bytes[:4], "big")
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            counter = int.from_bytes(random_bytes[4:], "big") >> 7  # 48 - 7 = 41 bits
            timestamp = now_ms
        else:
            counter = _last_counter + 1
            timestamp = _last_ms
            if counter > _COUNTER_MAX:
                timestamp += 1
                counter = int.from_bytes(random_bytes[4:], "big") >> 7
        _last_ms = timestamp
        _last_counter = counter
    return timestamp, counter, tail


def _as_int(timestamp: int, counter: int, tail: int) -> int:
    return (
        (timestamp & 0xFFFF_FFFF_FFFF) << 80
        | _VERSION_7
        | (counter >> 30) << 64
        | _VARIANT_RFC
        | (counter & 0x3FFF_FFFF) << 32
        | tail
    )


def uuid7() -> uuid.UUID:
    """A new UUIDv7, strictly greater than every earlier one from this process."""
    return uuid.UUID(int=_as_int(*_next_fields()))


def uuid7_hex() -> str:
    """A new UUIDv7 as 32 lowercase hex digits, the form the `Uuid` column stores in SQLite."""
    return f"{_as_int(*_next_fields()):032x}"


def uuid7_hex_batch(count: int) -> list[str]:
    """`count` new UUIDv7 as 32-hex strings, increasing, made in one go (for bulk loads)."""
    global _last_ms, _last_counter
    if count <= 0:
        return []
    tails = array("L")
    tails.frombytes(os.urandom(tails.itemsize * count))
    seed_counter = int.from_bytes(os.urandom(6), "big") >> 7
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            timestamp, counter = now_ms, seed_counter
        else:
            timestamp, counter = _last_ms, _last_counter + 1
        if counter + count - 1 > _COUNTER_MAX:
            timestamp, counter = timestamp + 1, seed_counter
        _last_ms = timestamp
        _last_counter = counter + count - 1
    high = (timestamp & 0xFFFF_FFFF_FFFF) << 80 | _VERSION_7 | _VARIANT_RFC
    return [
        f"{high | ((counter + i) >> 30) << 64 | ((counter + i) & 0x3FFF_FFFF) << 32 | (tail & 0xFFFF_FFFF):032x}"
        for i, tail in enumerate(tails)
    ]


def uuid7_timestamp_ms(value: uuid.UUID) -> int:
    """The Unix time in milliseconds held in the first 48 bits of a UUIDv7."""
    return value.int >> 80
