"""A local database migrated once per test process, copied into each test's fresh data directory.

Migrating a new SQLite file through every Alembic revision costs a few hundred milliseconds; most
tests only need *a* migrated database, not to watch the migration run. `seed_data_dir` copies
the file made by the real `Database.upgrade` (built on first use, once per process, so once per
pytest-xdist worker) into a directory before the test opens its workspace there; the workspace
then finds its database at `HEAD_REVISION` and opens it as the application does on every later
start. Tests that are about migrating (tests/db/test_engine.py, the reception and summaries
migration tests, the application and command-line start-ups) do not use it and migrate for real.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from desktop.workspace import DATABASE_FILE

__all__ = ["migrated_database", "seed_data_dir"]

_lock = threading.Lock()
_template: Path | None = None


def migrated_database() -> Path:
    """The template: an SQLite file migrated to head by the real `Database.upgrade` (built once per process)."""
    global _template
    with _lock:
        if _template is None:
            from db.engine import HEAD_REVISION, Database

            directory = Path(tempfile.mkdtemp(prefix="mustafid-template-"))
            atexit.register(shutil.rmtree, directory, True)
            db = Database.open(directory / DATABASE_FILE)
            db.upgrade()
            db.close()  # the last connection checkpoints the write-ahead log: the file is the whole database
            if Path(f"{db.path}-wal").exists() or db.current_revision() != HEAD_REVISION:
                raise RuntimeError("the template database was not left migrated and checkpointed")
            _template = db.path
        return _template


def seed_data_dir(directory: Path, file_name: str = DATABASE_FILE) -> Path:
    """Put a copy of the migrated template in `directory` (created) unless it already holds a database; return it."""
    directory = Path(directory)
    target = directory / file_name
    if not target.exists():
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_database(), target)
    return directory
