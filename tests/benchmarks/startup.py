"""Start-up benchmark: seconds from process start to the main window shown, and to the desk *usable*
(the sign-in screen taking a password with the database open; `signin.py` times signing in).

Runs `python -m desktop --data-dir DIR` with MUSTAFID_STARTUP_PROBE=1 beside a bare PySide6 QMainWindow
started the same way (same python, offscreen), interleaved. The app prints MUSTAFID_READY once its main
window is shown and the event loop idle, then MUSTAFID_WORKSPACE_READY once it is *usable* — the database
open and the sign-in screen taking a password (issue 13; before it, the reception page shown), the event
loop idle — and quits. Targets (issue 10): usable within
0.5 s; the window within 2x the bare window. Prints the medians, the processes' CPU seconds (less
sensitive to other load on the machine than wall time: the desk's own count at the moment it is usable, the
bare window's until it exits), the load average before and after, and, as the last line, one JSON object.

The checkout is byte-compiled first, as an installed application is: without it (PYTHONDONTWRITEBYTECODE
set) every run would compile the desk's own modules from source and time that instead.

    python tests/benchmarks/startup.py                      # 1,000,000 beneficiaries, 7 runs each
    python tests/benchmarks/startup.py --beneficiaries 10000 --runs 3
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from _common import (
    READY_MARKER,
    ROOT,
    BenchmarkError,
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
USABLE_CPU_PREFIX = "MUSTAFID_USABLE_CPU_S="

#: The desk usable (database open, sign-in screen taking a password) within this many seconds.
TARGET_USABLE_S = 0.5
#: The main window shown within this many times the bare PySide6 window.
TARGET_RATIO = 2.0

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


def _children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _with_cpu(measure: Callable[[], float], cpu: list[float]) -> Callable[[], float]:
    """`measure`, also appending the CPU seconds of the process it ran (it has exited when it returns)."""

    def measured() -> float:
        before = _children_cpu()
        seconds = measure()
        cpu.append(_children_cpu() - before)
        return seconds

    return measured


def time_app(argv: Sequence[str], env: Mapping[str, str]) -> tuple[float, float, float]:
    """Seconds from starting the desk to its window shown and to it usable, and its CPU seconds when usable
    (written by its probe to stderr)."""
    err: list[str] = []
    seen = time_until_markers(argv, env, [READY_MARKER, WORKSPACE_READY_MARKER], stderr=err)
    cpu = [float(line.removeprefix(USABLE_CPU_PREFIX)) for line in err if line.startswith(USABLE_CPU_PREFIX)]
    if not cpu:
        raise BenchmarkError(f"{' '.join(argv)} did not report its CPU seconds ({USABLE_CPU_PREFIX})")
    return seen[READY_MARKER], seen[WORKSPACE_READY_MARKER], cpu[0]


def compile_checkout() -> None:
    """Byte-compile the desk's packages, so each run loads them as an installed application would."""
    for package in ("db", "desktop", "ui", "resources"):
        compileall.compile_dir(str(ROOT / package), quiet=1, workers=1)


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
    compile_checkout()
    env = probe_environment()
    app_argv = [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)]
    bare_argv = [sys.executable, "-c", BARE_WINDOW]
    load_before = os.getloadavg()
    say(f"timing {args.runs} runs each (after {args.warmup} warm-up), interleaved; load {load_before[0]:.2f}")
    usable_samples: list[float] = []
    usable_cpu: list[float] = []
    bare_cpu: list[float] = []

    def measure_app() -> float:
        """Window shown and idle; the moment the desk is usable (and its CPU seconds then) is kept beside it."""
        shown, usable_at, cpu = time_app(app_argv, env)
        usable_samples.append(usable_at)
        usable_cpu.append(cpu)
        return shown

    timings = interleaved(
        args.runs,
        {
            "mustafid": measure_app,
            "bare-qt": _with_cpu(lambda: time_until_ready(bare_argv, env), bare_cpu),
        },
        warmup=args.warmup,
    )
    load_after = os.getloadavg()
    app, bare = timings["mustafid"], timings["bare-qt"]
    usable = Timing(tuple(usable_samples[-args.runs:]))
    cpu_app, cpu_bare = Timing(tuple(usable_cpu[-args.runs:])), Timing(tuple(bare_cpu[-args.runs:]))
    ratio = app.median / bare.median
    print(f"database: {data_dir} ({args.beneficiaries:,} beneficiaries)")
    print(f"Mustafid Desk, main window shown:  {app.describe()}")
    print(f"Mustafid Desk usable (sign-in):    {usable.describe()} (target <= {TARGET_USABLE_S} s)")
    print(f"bare PySide6 QMainWindow:          {bare.describe()}")
    print(f"window / bare ratio of medians: {ratio:.2f} (target <= {TARGET_RATIO:g})")
    print(f"CPU seconds, the desk until usable: {cpu_app.describe()}")
    print(f"CPU seconds, the bare window until it quit: {cpu_bare.describe()}")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}, on {os.cpu_count()} CPUs")
    emit_json(
        {
            "benchmark": "startup",
            "beneficiaries": args.beneficiaries,
            "median_s": round(app.median, 4),
            "baseline_median_s": round(bare.median, 4),
            "ratio": round(ratio, 3),
            "target_ratio": TARGET_RATIO,
            "usable_median_s": round(usable.median, 4),
            "usable_min_s": round(usable.minimum, 4),
            "usable_max_s": round(usable.maximum, 4),
            "target_usable_s": TARGET_USABLE_S,
            "usable_over_baseline": round(usable.median / bare.median, 3),
            "usable_cpu_median_s": round(cpu_app.median, 4),
            "baseline_cpu_median_s": round(cpu_bare.median, 4),
            "runs": args.runs,
            "warmup": args.warmup,
            "min_s": round(app.minimum, 4),
            "max_s": round(app.maximum, 4),
            "loadavg_before": round(load_before[0], 2),
            "loadavg_after": round(load_after[0], 2),
            "cpus": os.cpu_count(),
            "meets_target": usable.median <= TARGET_USABLE_S and ratio <= TARGET_RATIO,
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
