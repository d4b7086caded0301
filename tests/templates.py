"""A local database migrated once per test process, copied into each test's fresh data directory.

Migrating a new SQLite file through every Alembic revision costs a few hundred milliseconds; most
tests only need *a* migrated database, not to watch the migration run. `seed_data_dir` copies
the file made by the real `Database.upgrade` (built on first use, once per process, so once per
pytest-xdist worker) into a directory before the test opens its workspace there; the workspace
then finds its database at `HEAD_REVISION` and opens it as the application does on every later
start. Tests that are about migrating (tests/db/test_engine.py, the reception and summaries
migration tests, the application and command-line start-ups) do not use it and migrate for real.

`seed_data_dir(directory, profile=...)` copies instead a template with that built-in policy already adopted (made
once per process by the real `Workspace.adopt_builtin_profile`): for tests of one desk that would adopt it first
thing. Adopting registers the PC as a device with its own case-number prefix, so every desk seeded from one such
template is the *same* device: never use it for two desks that sync with each other (tests/desktop/sync enrols
desks adopted one by one).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.workspace import DATABASE_FILE

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["administered_database", "adopted_database", "migrated_database", "seed_data_dir"]

_lock = threading.Lock()
_template: Path | None = None
_derived_templates: dict[tuple[str, ...], Path] = {}


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


def _derived(key: tuple[str, ...], base: Path, step: Callable[[Workspace], object]) -> Path:
    """A template made once per process from a copy of `base` by `step` on its workspace, left checkpointed."""
    with _lock:
        if key not in _derived_templates:
            from desktop.workspace import Workspace

            directory = Path(tempfile.mkdtemp(prefix=f"mustafid-template-{'-'.join(key)}-"))
            atexit.register(shutil.rmtree, directory, True)
            shutil.copyfile(base, directory / DATABASE_FILE)
            workspace = Workspace.open(directory)
            step(workspace)
            workspace.close()  # checkpointed: the file alone is the database
            if Path(f"{directory / DATABASE_FILE}-wal").exists():
                raise RuntimeError(f"the template {key} was not left checkpointed")
            _derived_templates[key] = directory / DATABASE_FILE
        return _derived_templates[key]


def adopted_database(profile: str) -> Path:
    """A template with the built-in policy `profile` adopted on the migrated one (built once per process)."""
    return _derived((profile,), migrated_database(), lambda workspace: workspace.adopt_builtin_profile(profile))


def administered_database(profile: str) -> Path:
    """The adopted template with the first administrator made by `tests.accounts.sign_in_desk` (once per process)."""
    from tests.accounts import sign_in_desk

    return _derived((profile, "admin"), adopted_database(profile), sign_in_desk)


def seed_data_dir(directory: Path, file_name: str = DATABASE_FILE, *, profile: str | None = None) -> Path:
    """Put a copy of the migrated template (with `profile` adopted when given) in `directory` (created) unless it
    already holds a database; return it."""
    directory = Path(directory)
    target = directory / file_name
    if not target.exists():
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(adopted_database(profile) if profile else migrated_database(), target)
    return directory
