"""The frozen desk for the packaging tests: built once per set of inputs (see `tests.packaging.frozen_build`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def frozen_desk() -> Path:
    """The one-folder build (``…/mustafid`` holding ``mustafid`` and ``mustafid-admin``), built if not cached."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the suite builds the frozen desk on Linux; Windows builds it in .github/workflows/windows.yml")
    from tests.packaging.frozen_build import frozen_bundle

    return frozen_bundle()
