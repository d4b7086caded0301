"""Start-up benchmark: seconds from process start to the main window shown and idle, on a large database.

Runs `python -m desktop --data-dir DIR` with MUSTAFID_STARTUP_PROBE=1 (the app prints MUSTAFID_READY once
its main window is shown and the event loop is idle, then quits) beside a bare PySide6 QMainWindow started
the same way (same python, offscreen), interleaved, and prints the medians, their ratio and, as the last
line, one JSON object.

    python tests/benchmarks/startup.py                      # 1,000,000 beneficiaries, 7 runs each
    python tests/benchmarks/startup.py --beneficiaries 10000 --runs 3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _common import (
    READY_MARKER,
    Timing,
    default_cache_dir,
    demo_workspace,
    emit_json,
    interleaved,
    probe_environment,
    say,
    time_until_markers,
    time_until_ready,
)

WORKSPACE_READY_MARKER = "MUSTAFID_WORKSPACE_READY"

TARGET_MEDIAN_S = 0.6
TARGET_RATIO = 3.0

# The baseline: the least a PySide6 window costs, reporting ready exactly as the app does.
BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.show()
def ready():
    print("MUSTAFID_READY", flush=True)
    app.quit()
QTimer.singleShot(0, lambda: QTimer.singleShot(0, ready))
sys.exit(app.exec())
"""


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the database, time both programs, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--beneficiaries", type=int, default=1_000_000, help="beneficiaries in the database")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each program")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each program first")
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir(), help="where databases are kept")
    parser.add_argument("--profile", default=None, help="built-in policy id (default: the demo default)")
    args = parser.parse_args(argv)

    args.cache_dir.mkdir(parents=True, exist_ok=True)
    data_dir = demo_workspace(args.cache_dir, args.beneficiaries, profile_id=args.profile)
    env = probe_environment()
    app_argv = [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)]
    bare_argv = [sys.executable, "-c", BARE_WINDOW]
    say(f"timing {args.runs} runs each (after {args.warmup} warm-up), interleaved")
    workspace_ready: list[float] = []

    def measure_app() -> float:
        """Window shown and idle (the target); the workspace opened in the background is kept beside it."""
        seen = time_until_markers(app_argv, env, [READY_MARKER, WORKSPACE_READY_MARKER])
        workspace_ready.append(seen[WORKSPACE_READY_MARKER])
        return seen[READY_MARKER]

    timings = interleaved(
        args.runs,
        {
            "mustafid": measure_app,
            "bare-qt": lambda: time_until_ready(bare_argv, env),
        },
        warmup=args.warmup,
    )
    app, bare = timings["mustafid"], timings["bare-qt"]
    opened = Timing(tuple(workspace_ready[-args.runs:]))
    ratio = app.median / bare.median
    print(f"database: {data_dir} ({args.beneficiaries:,} beneficiaries)")
    print(f"Mustafid Desk to idle main window: {app.describe()}")
    print(f"... and its database open, policy shown: {opened.describe()}")
    print(f"bare PySide6 QMainWindow:          {bare.describe()}")
    print(f"ratio of medians: {ratio:.2f} (target <= {TARGET_RATIO:g}); target median <= {TARGET_MEDIAN_S} s")
    emit_json(
        {
            "benchmark": "startup",
            "beneficiaries": args.beneficiaries,
            "median_s": round(app.median, 4),
            "baseline_median_s": round(bare.median, 4),
            "ratio": round(ratio, 3),
            "target_median_s": TARGET_MEDIAN_S,
            "target_ratio": TARGET_RATIO,
            "runs": args.runs,
            "warmup": args.warmup,
            "workspace_ready_median_s": round(opened.median, 4),
            "min_s": round(app.minimum, 4),
            "max_s": round(app.maximum, 4),
            "meets_target": app.median <= TARGET_MEDIAN_S and ratio <= TARGET_RATIO,
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
