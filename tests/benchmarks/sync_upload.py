"""Upload memory benchmark (issue 15): the real sync server process on a real PostgreSQL cluster, large attachments.

Figure, beside its target and a baseline measured in the same run:

* the server's peak resident memory growth while FOUR uploads of `--mib` MiB arrive at once, as a multiple
  of its growth for the same four uploads sent one after the other (the baseline). Target ≤ 1.5: bodies are
  streamed to a temporary file and one upload at a time is read back for its INSERT (``UPLOAD_WRITERS``), so
  four at once cost what one costs, not four plus their chunk lists (before issue 15: 99 → 384 MB for four
  uploads of 60 MiB).

Peak memory is the kernel's ``VmHWM`` of the server process, reset before each series
(``/proc/PID/clear_refs``; Linux only). The client streams its bodies from a generator (no Content-Length).

    python tests/benchmarks/sync_upload.py             # 4 × 60 MiB
    python tests/benchmarks/sync_upload.py --mib 20
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from _common import emit_json, say  # noqa: E402

from desktop.server.store import ServerStore  # noqa: E402
from desktop.sync import protocol as p  # noqa: E402
from tests.postgres import SyncServerProcess, start_cluster  # noqa: E402

TARGET_RATIO = 1.5
CHUNK = 1024 * 1024


def _kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/{pid}/status")


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _body(seed: int, mib: int) -> Iterator[bytes]:
    block = hashlib.sha256(str(seed).encode()).digest() * (CHUNK // 32)
    for index in range(mib):
        yield block[:-8] + index.to_bytes(8, "big")


def _digest(seed: int, mib: int) -> str:
    digest = hashlib.sha256()
    for chunk in _body(seed, mib):
        digest.update(chunk)
    return digest.hexdigest()


def _upload(url: str, headers: dict[str, str], seed: int, mib: int, sha: str, answers: list[int]) -> None:
    with httpx.Client(timeout=300) as client:
        answers.append(client.put(f"{url}/v1/attachments/{sha}", headers=headers, content=_body(seed, mib)).status_code)


def _series(url: str, headers: dict[str, str], pid: int, seeds: list[int], mib: int, *, together: bool) -> float:
    """Peak RSS growth in MiB over the RSS before the series."""
    digests = {seed: _digest(seed, mib) for seed in seeds}
    time.sleep(0.5)
    before = _kib(pid, "VmRSS")
    _reset_peak(pid)
    answers: list[int] = []
    if together:
        threads = [threading.Thread(target=_upload, args=(url, headers, s, mib, digests[s], answers)) for s in seeds]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for seed in seeds:
            _upload(url, headers, seed, mib, digests[seed], answers)
    if answers != [201] * len(seeds):
        raise RuntimeError(f"uploads answered {answers}")
    return (_kib(pid, "VmHWM") - before) / 1024


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=60, help="size of each upload in MiB")
    args = parser.parse_args(argv)
    if args.mib * CHUNK > p.MAX_ATTACHMENT_BYTES:
        parser.error("an upload larger than the server's limit")
    cluster = start_cluster()
    server = None
    try:
        db_url = cluster.create_database()
        server = SyncServerProcess(db_url).start()
        assert server.process is not None
        pid = server.process.pid
        store = ServerStore(db_url)
        code = store.create_enrollment_code("جمعية القياس")
        store.dispose()
        base = {p.HEADER_PROTOCOL: str(p.PROTOCOL_VERSION), p.HEADER_SCHEMA: "0017"}
        answer = httpx.post(f"{server.url}/v1/enroll", headers=base, timeout=30, json={
            "code": code, "device_name": "bench", "association_id": str(uuid.uuid4())}).json()
        headers = {**base, "Authorization": f"Bearer {answer['token']}"}
        _series(server.url, headers, pid, [0], 1, together=False)  # warm up: imports, pool, first INSERT
        say(f"{args.mib} MiB × 4, one after the other")
        one_by_one = _series(server.url, headers, pid, [1, 2, 3, 4], args.mib, together=False)
        say(f"{args.mib} MiB × 4, at once")
        together = _series(server.url, headers, pid, [5, 6, 7, 8], args.mib, together=True)
        ratio = together / max(one_by_one, 1.0)
        emit_json({
            "benchmark": "sync_upload",
            "upload_mib": args.mib,
            "peak_growth_4_at_once_mib": round(together, 1),
            "baseline_peak_growth_4_one_by_one_mib": round(one_by_one, 1),
            "ratio": round(ratio, 2),
            "target_ratio_max": TARGET_RATIO,
            "meets_target": ratio <= TARGET_RATIO,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        })
    finally:
        if server is not None:
            server.stop()
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
