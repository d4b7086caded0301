"""Opening a test workspace on a copy of a template (tests/templates.py), as the UI fixtures and worlds do.

Besides the templates of tests/templates.py (migrated; a built-in policy adopted), `open_test_workspace(...,
with_administrator=True)` copies one where, after adopting, `tests.accounts.sign_in_desk` also made the first
administrator (holding every role), made once per process: a test that signs in first thing then only signs in.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from desktop.workspace import DATABASE_FILE, Workspace
from tests.accounts import TEST_HASH, sign_in_desk
from tests.templates import adopted_database, seed_data_dir

__all__ = ["FULL_PROFILE_ID", "open_test_workspace"]

#: A built-in policy with a licence, an approval record, a committee and a declaration (NCNP template).
FULL_PROFILE_ID = "mafateeh-alkhair"

_lock = threading.Lock()
_with_administrator: dict[str, Path] = {}


def administered_database(profile: str) -> Path:
    """A template with `profile` adopted and the first administrator made by `sign_in_desk` (once per process)."""
    adopted = adopted_database(profile)
    with _lock:
        if profile not in _with_administrator:
            directory = Path(tempfile.mkdtemp(prefix=f"mustafid-template-{profile}-admin-"))
            atexit.register(shutil.rmtree, directory, True)
            shutil.copyfile(adopted, directory / DATABASE_FILE)
            workspace = Workspace.open(directory)
            sign_in_desk(workspace)
            workspace.close()  # checkpointed: the file alone is the database
            if Path(f"{directory / DATABASE_FILE}-wal").exists():
                raise RuntimeError("the administered template database was not left checkpointed")
            _with_administrator[profile] = directory / DATABASE_FILE
        return _with_administrator[profile]


def open_test_workspace(data_dir: Path, profile: str | None = None, *, with_administrator: bool = False) -> Workspace:
    """A workspace on a copy of the migrated template, or of the template with the built-in policy `profile`
    already adopted by the real `adopt_builtin_profile` (and its first administrator made, `with_administrator`),
    then with the start-up snapshot that adopting writes beside the database, as adopting it here would have left
    it; hashing at the tests' cost. Nobody is signed in yet."""
    if profile is not None and with_administrator:
        data_dir.mkdir(parents=True, exist_ok=True)
        if not (data_dir / DATABASE_FILE).exists():
            shutil.copyfile(administered_database(profile), data_dir / DATABASE_FILE)
    opened = Workspace.open(seed_data_dir(data_dir, profile=profile))
    opened.hash_parameters = TEST_HASH
    if profile is not None:
        opened.save_snapshot()
    return opened
