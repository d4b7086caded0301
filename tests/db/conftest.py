"""Fixtures for the database tests: a migrated database in a fresh data directory.

`database` is a copy of the run's template (`tests/templates.py`: migrated once per process by the real
`Database.upgrade`); most tests here are about sessions, constraints and indexes, not about migrating.
`migrated_here` migrates a new file through every revision in the test itself, for the tests about what the
migration makes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import Database
from tests.templates import seed_data_dir

DATABASE_NAME = "mustafid.db"


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A database at head in this test's own data directory (a copy of the migrated template)."""
    db = Database.open(seed_data_dir(data_dir, DATABASE_NAME) / DATABASE_NAME)
    db.upgrade()  # at head: one query, as at every later start of the desk
    yield db
    db.close()


@pytest.fixture
def migrated_here(data_dir: Path) -> Iterator[Database]:
    """A new database migrated to head in this test's own data directory, by this test."""
    db = Database.open(data_dir / DATABASE_NAME)
    db.upgrade()
    yield db
    db.close()
