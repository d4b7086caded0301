"""Frozen-build benchmark: the PyInstaller desk (packaging/mustafid.spec) against the same desk from the venv.

Both start with MUSTAFID_STARTUP_PROBE=1 on the same demo database (offscreen), interleaved; the figure is the
seconds from process start to the main window shown (MUSTAFID_READY), and to the desk usable
(MUSTAFID_WORKSPACE_READY). Target (issue 16): frozen ≤ 1.5× the venv's start in the same run. Also the bundle
folder's size (target ≤ 200 MB) and what dominates it. The installer's size (target ≤ 90 MB) needs Inno Setup on
Windows: the workflow measures it (.github/workflows/windows.yml), it cannot be measured here.

The bundle comes from the same cache as the test suite's (tests/packaging/frozen_build.py): built if missing.
The checkout is byte-compiled first so that the venv's start is not charged for compiling the desk's sources.

    python tests/benchmarks/frozen.py                     # 10,000 beneficiaries, 5 runs each
    python tests/benchmarks/frozen.py --beneficiaries 1000 --runs 3
"""

from __future__ import annotations

import argparse
import compileall
import os
import sys
from pathlib import Path

from _common import (
    READY_MARKER,
    WORKSPACE_READY_MARKER,
    ROOT,
    Timing,
    default_cache_dir,
    demo_workspace,
    emit_json,
    interleaved,
    probe_environment,
    say,
    time_until_markers,
)

from tests.packaging.frozen_build import folder_size, frozen_bundle

#: The frozen desk's window within this many times the venv desk's.
TARGET_RATIO = 1.5
#: The one-folder bundle at most this big.
TARGET_FOLDER_MB = 200.0
#: The installer at most this big (measured on Windows only).
TARGET_INSTALLER_MB = 90.0


def largest_parts(bundle: Path, count: int = 8) -> list[tuple[str, float]]:
    """The biggest entries of the bundle (folders of _internal, and Qt's libraries apart), in MB."""
    internal = bundle / "_internal"
    parts: dict[str, int] = {}
    for entry in internal.iterdir():
        if entry.is_symlink():
            continue
        parts[entry.name] = folder_size(entry) if entry.is_dir() else entry.stat().st_size
    qt_lib = internal / "PySide6" / "Qt" / "lib"
    if qt_lib.is_dir():
        for library in qt_lib.iterdir():
            if library.stat().st_size > 4 * 1024 * 1024:
                parts[f"PySide6/Qt/lib/{library.name}"] = library.stat().st_size
    ranked = sorted(parts.items(), key=lambda item: item[1], reverse=True)[:count]
    return [(name, round(size / 1024**2, 1)) for name, size in ranked]


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the bundle and the database, time both starts, print the figures and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--beneficiaries", type=int, default=10_000, help="beneficiaries in the database")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each program")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each program first")
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir(), help="where databases are kept")
    args = parser.parse_args(argv)

    args.cache_dir.mkdir(parents=True, exist_ok=True)
    data_dir = demo_workspace(args.cache_dir, args.beneficiaries)
    say("building (or finding) the frozen desk")
    bundle = frozen_bundle()
    for package in ("db", "desktop", "ui", "resources"):
        compileall.compile_dir(str(ROOT / package), quiet=1, workers=1)
    env = probe_environment()
    frozen_env = {key: value for key, value in env.items() if key != "PYTHONPATH"}
    venv_argv = [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)]
    frozen_argv = [str(bundle / "mustafid"), "--data-dir", str(data_dir)]
    markers = [READY_MARKER, WORKSPACE_READY_MARKER]
    usable: dict[str, list[float]] = {"frozen": [], "venv": []}

    def measure(name: str, program: list[str], environment: dict[str, str]) -> float:
        seen = time_until_markers(program, environment, markers)
        usable[name].append(seen[WORKSPACE_READY_MARKER])
        return seen[READY_MARKER]

    load_before = os.getloadavg()
    say(f"timing {args.runs} runs each (after {args.warmup} warm-up), interleaved; load {load_before[0]:.2f}")
    timings = interleaved(args.runs, {
        "frozen": lambda: measure("frozen", frozen_argv, frozen_env),
        "venv": lambda: measure("venv", venv_argv, env),
    }, warmup=args.warmup)
    load_after = os.getloadavg()
    frozen, venv = timings["frozen"], timings["venv"]
    frozen_usable, venv_usable = Timing(tuple(usable["frozen"][-args.runs:])), Timing(tuple(usable["venv"][-args.runs:]))
    ratio = frozen.median / venv.median
    size_mb = round(folder_size(bundle) / 1024**2, 1)
    parts = largest_parts(bundle)
    print(f"bundle: {bundle} ({size_mb} MB, target <= {TARGET_FOLDER_MB:g} MB)")
    print("largest parts: " + ", ".join(f"{name} {mb} MB" for name, mb in parts))
    print(f"frozen desk, main window shown: {frozen.describe()}")
    print(f"venv desk, main window shown:   {venv.describe()}")
    print(f"frozen / venv ratio of medians: {ratio:.2f} (target <= {TARGET_RATIO:g})")
    print(f"usable: frozen {frozen_usable.describe()}; venv {venv_usable.describe()}")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}, on {os.cpu_count()} CPUs")
    print("installer size: not measurable here (Inno Setup runs on the Windows workflow)")
    emit_json({
        "benchmark": "frozen",
        "beneficiaries": args.beneficiaries,
        "median_s": round(frozen.median, 4),
        "baseline_median_s": round(venv.median, 4),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "usable_median_s": round(frozen_usable.median, 4),
        "baseline_usable_median_s": round(venv_usable.median, 4),
        "folder_mb": size_mb,
        "target_folder_mb": TARGET_FOLDER_MB,
        "largest_parts_mb": dict(parts),
        "installer_mb": None,
        "target_installer_mb": TARGET_INSTALLER_MB,
        "runs": args.runs,
        "warmup": args.warmup,
        "loadavg_before": round(load_before[0], 2),
        "loadavg_after": round(load_after[0], 2),
        "cpus": os.cpu_count(),
        "meets_target": ratio <= TARGET_RATIO and size_mb <= TARGET_FOLDER_MB,
    })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
