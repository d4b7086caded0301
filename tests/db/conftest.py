"""Fixtures for the database tests: a migrated database in a fresh data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import Database


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A database migrated to head in this test's own data directory."""
    db = Database.open(data_dir / "mustafid.db")
    db.upgrade()
    yield db
    db.close()
