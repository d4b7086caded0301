"""Backup benchmark (issue 14): seconds to back up the 1,000,000-beneficiary desk, beside a plain file copy.

The backup is `desktop.backup.create_backup` as the desk and `mustafid-admin backup create` run it: the
database copied page by page through an open connection (online backup API) with its progress callback, the
copy hashed (SHA-256) for the manifest, its counts read, the attachments copied. The baseline, in the same
run, is `shutil.copyfile` of the same database file to the same disk (the least a backup can cost). Also
measured: the start-up check of the database (`db.engine.check_header`, what every start pays) beside
`PRAGMA quick_check` of the whole file (why that one is left to the backups and `verify`).

Target: the backup ≤ 60 s with its progress moving. Prints the load average before and after, and, as the
last line, one JSON object.

    python tests/benchmarks/backup.py                       # 1,000,000 beneficiaries
    python tests/benchmarks/backup.py --beneficiaries 10000
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from _common import default_cache_dir, demo_workspace, emit_json, say

TARGET_BACKUP_S = 60.0


def main() -> int:
    """Build (or reuse) the demo desk, time the backup and the plain copy, print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--beneficiaries", type=int, default=1_000_000)
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    parser.add_argument("--out", type=Path, default=None, help="where the backups are written (removed after)")
    parser.add_argument("--skip-quick-check", action="store_true", help="do not time PRAGMA quick_check")
    args = parser.parse_args()

    from db.engine import check_header
    from desktop.backup import create_backup
    from desktop.workspace import DATABASE_FILE

    data_dir = demo_workspace(args.cache_dir, args.beneficiaries)
    database = data_dir / DATABASE_FILE
    out = args.out or args.cache_dir / f"backup-out-{os.getpid()}"
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    try:
        started = time.perf_counter()
        shutil.copyfile(database, out / "plain-copy.sqlite3")
        os.sync()
        baseline_s = time.perf_counter() - started
        say(f"plain copy of {database.stat().st_size / 2**30:.2f} GiB: {baseline_s:.1f} s")
        (out / "plain-copy.sqlite3").unlink()

        updates: list[tuple[float, int, int]] = []
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            now = time.perf_counter() - started
            if not updates or now - updates[-1][0] >= 1 or done == total:
                updates.append((now, done, total))
                say(f"  backup {done / max(total, 1):.0%} at {now:.1f} s")

        info = create_backup(data_dir, out, progress=progress)
        os.sync()
        backup_s = time.perf_counter() - started
        say(f"backup: {backup_s:.1f} s, {info.size / 2**30:.2f} GiB, counts {info.counts}")
        longest_gap = max((b[0] - a[0] for a, b in zip(updates, updates[1:])), default=0.0)

        started = time.perf_counter()
        for _ in range(100):
            check_header(database)
        header_ms = (time.perf_counter() - started) * 1000 / 100
        quick_check_s = None
        if not args.skip_quick_check:
            started = time.perf_counter()
            connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            connection.execute("PRAGMA quick_check").fetchall()
            connection.close()
            quick_check_s = time.perf_counter() - started
            say(f"quick_check of the live file: {quick_check_s:.1f} s; header check {header_ms:.3f} ms")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    load_after = os.getloadavg()
    say(f"load average before {load_before}, after {load_after}")
    emit_json({
        "benchmark": "backup",
        "beneficiaries": args.beneficiaries,
        "database_gib": round(database.stat().st_size / 2**30, 2),
        "backup_s": round(backup_s, 2),
        "target_backup_s": TARGET_BACKUP_S,
        "meets_target": backup_s <= TARGET_BACKUP_S,
        "baseline_plain_copy_s": round(baseline_s, 2),
        "ratio_to_plain_copy": round(backup_s / baseline_s, 2) if baseline_s else None,
        "progress_updates": len(updates),
        "longest_progress_gap_s": round(longest_gap, 2),
        "startup_header_check_ms": round(header_ms, 3),
        "quick_check_s": None if quick_check_s is None else round(quick_check_s, 2),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
