"""The code is typed: mypy --strict finds nothing in desktop/, db/ and ui/ (configured in pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _cache_dir() -> Path:
    """mypy's incremental cache, outside the checkout (as the frozen build's): a fresh clone on the same machine
    re-checks only the files whose contents changed. `$MUSTAFID_MYPY_CACHE` chooses another folder."""
    configured = os.environ.get("MUSTAFID_MYPY_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "mustafid-desk" / "mypy"


@pytest.mark.slow
def test_core_is_mypy_clean() -> None:
    """`mypy` over the packages named in [tool.mypy] reports no error."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(_cache_dir()), "--no-error-summary"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
