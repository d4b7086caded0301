"""UUIDv7 generation: layout (RFC 9562), time, and strict monotonic order within the process."""

from __future__ import annotations

import time
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from db.ids import uuid7, uuid7_hex, uuid7_hex_batch, uuid7_timestamp_ms


def test_version_variant_and_timestamp() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert (value.int >> 76) & 0xF == 7
    assert (value.int >> 62) & 0b11 == 0b10
    # The timestamp may run ahead by at most a millisecond (counter overflow), never behind.
    assert before <= uuid7_timestamp_ms(value) <= after + 1


def test_many_in_the_same_millisecond_are_strictly_increasing() -> None:
    values = [uuid7() for _ in range(20_000)]
    assert all(a < b for a, b in zip(values, values[1:], strict=False))
    assert len({uuid7_timestamp_ms(v) for v in values}) < len(values)  # many shared a millisecond
    assert len(set(values)) == len(values)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["uuid", "hex", "batch"]), min_size=1, max_size=30), st.integers(1, 50))
def test_all_generators_share_one_increasing_sequence(calls: list[str], batch_size: int) -> None:
    produced: list[str] = []
    for call in calls:
        if call == "uuid":
            produced.append(uuid7().hex)
        elif call == "hex":
            produced.append(uuid7_hex())
        else:
            produced.extend(uuid7_hex_batch(batch_size))
    assert produced == sorted(produced)
    assert len(set(produced)) == len(produced)
    for text in produced:
        value = uuid.UUID(hex=text)
        assert len(text) == 32 and text == text.lower()
        assert value.version == 7 and value.variant == uuid.RFC_4122


def test_batch_of_zero_is_empty() -> None:
    assert uuid7_hex_batch(0) == []
