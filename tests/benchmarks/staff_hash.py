"""Benchmark: one Argon2id hash of a staff password at the desk's parameters (issue 13: 100–250 ms per hash).

Usage: ``python tests/benchmarks/staff_hash.py [--runs N]``. Each run hashes the same password with
`desktop.staff.DEFAULT_PARAMETERS` (a fresh salt each time, as the desk does), then verifies it (what a sign-in
costs); the baseline is a SHA-256 of the same input, in the same run, interleaved. Wall time and process CPU time
are both reported: on a shared machine the wall time grows with the load average (reported too), the CPU time is
what one hash costs on an idle desk PC. The last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections.abc import Callable

from _common import Timing, emit_json, interleaved, say

from desktop.staff import DEFAULT_PARAMETERS

PASSWORD = "كلمة-مرور-الموظف-2025"


def _timed(work: Callable[[], object], clock: Callable[[], float]) -> Callable[[], float]:
    def measure() -> float:
        started = clock()
        work()
        return clock() - started

    return measure


def main() -> None:
    """Measure and print the hash, verify and baseline figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    hasher = DEFAULT_PARAMETERS.hasher()
    stored = hasher.hash(PASSWORD)
    data = PASSWORD.encode()
    load_before = os.getloadavg()[0]
    series = {
        "argon2id_hash_wall": _timed(lambda: hasher.hash(PASSWORD), time.perf_counter),
        "argon2id_hash_cpu": _timed(lambda: hasher.hash(PASSWORD), time.process_time),
        "argon2id_verify_wall": _timed(lambda: hasher.verify(stored, PASSWORD), time.perf_counter),
        "sha256_wall": _timed(lambda: hashlib.sha256(data).hexdigest(), time.perf_counter),
    }
    timings: dict[str, Timing] = interleaved(args.runs, series)
    for name, timing in timings.items():
        say(f"{name}: {timing.describe()}")
    emit_json({
        "benchmark": "staff_hash",
        "parameters": {"type": "argon2id", "time_cost": DEFAULT_PARAMETERS.time_cost,
                       "memory_kib": DEFAULT_PARAMETERS.memory_kib, "parallelism": DEFAULT_PARAMETERS.parallelism},
        "runs": args.runs,
        "hash_ms_median": round(timings["argon2id_hash_wall"].median * 1000, 1),
        "hash_ms_min": round(timings["argon2id_hash_wall"].minimum * 1000, 1),
        "hash_cpu_ms_median": round(timings["argon2id_hash_cpu"].median * 1000, 1),
        "verify_ms_median": round(timings["argon2id_verify_wall"].median * 1000, 1),
        "baseline_sha256_us_median": round(timings["sha256_wall"].median * 1e6, 2),
        "target_ms": [100, 250],
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    })


if __name__ == "__main__":
    main()
