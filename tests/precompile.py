"""Compile the checkout once, on both cores, before pytest-xdist starts its workers (`tests/conftest.py`).

On a fresh clone nothing is compiled yet: each worker compiled the desk's modules and had pytest rewrite the asserts
of every test module (pytest's own cached ``*-pytest-*.pyc``) at its first collection, the same work once per worker
at the same time. The controller now does it once, before the workers start: the modules with `py_compile`, the
test modules through pytest's own rewriting (`_pytest.assertion.rewrite`, private: a pytest without it leaves the
workers to do it as before). Once compiled, a run only reads the files' headers (~0.1 s).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import py_compile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The checkout's packages (the tests import them, and so do the desks and servers they start).
PACKAGES = ("desktop", "db", "ui", "tests")
#: What this module uses of pytest's private rewriting (present in the pytest of requirements/dev.lock).
_PYTEST_PARTS = ("get_cache_dir", "PYC_TAIL", "_read_pyc", "_rewrite_test", "_write_pyc", "try_makedirs")

_config: pytest.Config | None = None  # the controller's configuration, inherited by the forked processes


def _compiled(paths: list[str]) -> None:
    """Compile modules as their first import would (timestamp-checked pyc in __pycache__)."""
    for path in paths:
        py_compile.compile(path, doraise=False, quiet=2)


def _rewritten(paths: list[str]) -> None:
    """Write pytest's rewritten pyc of each test module in `paths`."""
    from _pytest.assertion import rewrite
    from _pytest.assertion.rewrite import assertstate_key

    assert _config is not None
    state = _config.stash[assertstate_key]
    for name in paths:
        source = Path(name)
        pyc = _rewritten_pyc(source)
        if rewrite.try_makedirs(pyc.parent):
            source_hash, code = rewrite._rewrite_test(source, _config)
            rewrite._write_pyc(state, code, source_hash, pyc)


def _rewritten_pyc(source: Path) -> Path:
    """Where pytest keeps the rewritten code of a test module."""
    from _pytest.assertion import rewrite

    return Path(rewrite.get_cache_dir(source)) / (source.name[:-3] + rewrite.PYC_TAIL)


def _header(pyc: str) -> bytes:
    """The first 16 bytes of a pyc (magic number, flags, then a timestamp and size, or a source hash), or b""."""
    try:
        with open(pyc, "rb") as handle:
            return handle.read(16)
    except OSError:
        return b""


def _stale(source: str, pyc: str) -> bool:
    """True unless `pyc` is Python's timestamp pyc of `source` as it is now."""
    header = _header(pyc)
    try:
        status = os.stat(source)
    except OSError:
        return True
    return (len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER or header[4:8] != bytes(4)
            or int.from_bytes(header[8:12], "little") != int(status.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(header[12:16], "little") != status.st_size & 0xFFFFFFFF)


def _stale_rewrite(source: str, pyc: str) -> bool:
    """True unless `pyc` is pytest's rewritten pyc of `source` as it is now (a checked-hash pyc, PEP 552)."""
    header = _header(pyc)
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER or header[4:8] != b"\x03\x00\x00\x00":
        return True
    return header[8:16] != importlib.util.source_hash(Path(source).read_bytes())[:8]


def _is_test_module(name: str, patterns: list[str]) -> bool:
    """pytest rewrites conftest files, the test files (``python_files``) and `tests/postgres.py` (a plugin)."""
    return name == "conftest.py" or name == "postgres.py" or any(fnmatch.fnmatch(name, p) for p in patterns)


def prepare(config: pytest.Config, workers: int = 2) -> None:
    """Compile what is not compiled yet of the checkout, and rewrite the test modules not rewritten yet, on
    `workers` processes."""
    global _config
    from _pytest.assertion import rewrite

    can_rewrite = all(hasattr(rewrite, name) for name in _PYTEST_PARTS)
    patterns = list(config.getini("python_files"))
    modules: list[str] = []
    tests: list[str] = []
    for package in PACKAGES:
        for directory, subdirectories, files in os.walk(ROOT / package):
            subdirectories[:] = [d for d in subdirectories if d != "__pycache__" and not d.startswith(".")]
            for file in files:
                if not file.endswith(".py"):
                    continue
                path = os.path.join(directory, file)
                if can_rewrite and package == "tests" and _is_test_module(file, patterns):
                    if _stale_rewrite(path, str(_rewritten_pyc(Path(path)))):
                        tests.append(path)
                elif _stale(path, importlib.util.cache_from_source(path)):
                    modules.append(path)
    if not modules and not tests:
        return
    _config = config
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            done = [pool.submit(_compiled, modules[index::workers]) for index in range(workers)]
            done += [pool.submit(_rewritten, tests[index::workers]) for index in range(workers)]
            for future in done:
                future.result()
    finally:
        _config = None
