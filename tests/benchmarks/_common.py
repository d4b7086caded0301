"""Shared helpers for the benchmark scripts: timing child processes, demo databases, medians, the JSON line."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT: Path = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
READY_MARKER = "MUSTAFID_READY"
#: Printed by the start-up probe once the workspace is open and the gate takes a password (ui/app.py).
WORKSPACE_READY_MARKER = "MUSTAFID_WORKSPACE_READY"
#: Printed by the start-up probe once the probe's login has signed in and its landing page is shown.
SIGNED_IN_MARKER = "MUSTAFID_SIGNED_IN"
PROBE_ENV = "MUSTAFID_STARTUP_PROBE"
COMPLETE_MARKER = ".benchmark-complete.json"


class BenchmarkError(RuntimeError):
    """A measured program failed or never reported ready."""


@dataclass(frozen=True)
class Timing:
    """Summary of one measured series, in seconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median of the samples."""
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        """Fastest sample."""
        return min(self.samples)

    @property
    def maximum(self) -> float:
        """Slowest sample."""
        return max(self.samples)

    def describe(self) -> str:
        """One human line: median, min and max."""
        return f"median {self.median:.3f} s (min {self.minimum:.3f}, max {self.maximum:.3f}, n={len(self.samples)})"


def say(message: str) -> None:
    """Progress on stderr, so stdout keeps only the figures."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def default_cache_dir() -> Path:
    """Where benchmark databases are kept between runs."""
    return Path(tempfile.gettempdir()) / "mustafid-bench"


def probe_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured GUI process: offscreen Qt, start-up probe on, the checkout importable."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env[PROBE_ENV] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    # The measured desks remember their window in a folder of the benchmark, not the user's own settings.
    env.setdefault("MUSTAFID_SETTINGS_DIR", str(default_cache_dir() / "settings"))
    if extra:
        env.update(extra)
    return env


def time_until_markers(
    argv: Sequence[str],
    env: Mapping[str, str],
    markers: Sequence[str],
    *,
    timeout: float = 300.0,
    stderr: list[str] | None = None,
    stdin_text: str | None = None,
) -> dict[str, float]:
    """Seconds from starting `argv` to each line of `markers` on its stdout; the process must exit with 0.

    With `stderr`, the lines the process wrote there are appended to it (figures a probe reports); `stdin_text`
    is written to its standard input (a password, never an argument).
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv), cwd=ROOT, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.PIPE if stdin_text is not None else None,
    )
    if stdin_text is not None:
        assert process.stdin is not None
        process.stdin.write(stdin_text)
        process.stdin.close()
        process.stdin = None  # communicate() must not flush it again
    seen: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() in markers and line.strip() not in seen:
            seen[line.strip()] = time.perf_counter() - started
            if len(seen) == len(markers):
                break
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
        raise BenchmarkError(f"{argv!r} did not exit within {timeout} s") from None
    if stderr is not None:
        stderr.extend(err.splitlines())
    if len(seen) != len(markers) or process.returncode != 0:
        missing = [marker for marker in markers if marker not in seen]
        raise BenchmarkError(
            f"{' '.join(argv)} exited with {process.returncode} without {missing!r}:\n{err.strip()[-2000:]}"
        )
    return seen


def time_until_ready(
    argv: Sequence[str], env: Mapping[str, str], *, marker: str = READY_MARKER, timeout: float = 300.0,
    stdin_text: str | None = None,
) -> float:
    """Seconds from starting `argv` to the line `marker` on its stdout; the process must then exit with 0."""
    return time_until_markers(argv, env, [marker], timeout=timeout, stdin_text=stdin_text)[marker]


def interleaved(runs: int, series: Mapping[str, Callable[[], float]], *, warmup: int = 1) -> dict[str, Timing]:
    """Run every series `runs` times, alternating between them, after `warmup` untimed rounds."""
    for _ in range(warmup):
        for measure in series.values():
            measure()
    samples: dict[str, list[float]] = {name: [] for name in series}
    for round_number in range(1, runs + 1):
        for name, measure in series.items():
            value = measure()
            samples[name].append(value)
            say(f"run {round_number}/{runs} {name}: {value:.3f} s")
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def demo_workspace(cache_dir: Path, beneficiaries: int, *, profile_id: str | None = None) -> Path:
    """A data directory with an adopted policy and `beneficiaries` demo beneficiaries, built once and reused."""
    from desktop.demo_data import DEFAULT_PROFILE_ID, generate_demo_data
    from desktop.workspace import Workspace

    chosen = profile_id or DEFAULT_PROFILE_ID
    data_dir = cache_dir / f"{chosen}-{beneficiaries}"
    marker = data_dir / COMPLETE_MARKER
    if marker.is_file():
        say(f"reusing {data_dir}")
        return data_dir
    if data_dir.exists():
        say(f"removing the incomplete {data_dir}")
        _remove_tree(data_dir)
    say(f"building {data_dir} with {beneficiaries:,} beneficiaries (once; reused by later runs)")
    workspace = Workspace.open(data_dir)
    try:
        profile = workspace.adopt_builtin_profile(chosen)
        step = max(beneficiaries // 10, 1)

        def progress(done: int, total: int) -> None:
            if done % step < 20_000 or done == total:
                say(f"  {done:,}/{total:,}")

        summary = generate_demo_data(workspace.db, beneficiaries=beneficiaries, profile=profile, progress=progress)
    finally:
        workspace.close()
    marker.write_text(
        json.dumps({"beneficiaries": summary.beneficiaries, "cases": summary.cases, "seconds": summary.seconds}),
        encoding="utf-8",
    )
    say(f"built in {summary.seconds:.1f} s: {summary.beneficiaries:,} beneficiaries, {summary.cases:,} cases")
    return data_dir


def _remove_tree(path: Path) -> None:
    """Delete a directory tree (an interrupted build)."""
    import shutil

    shutil.rmtree(path)


def emit_json(result: Mapping[str, Any]) -> None:
    """Print the result object as the last line of stdout (machine-readable)."""
    print(json.dumps(dict(result), ensure_ascii=False, separators=(",", ":")), flush=True)
