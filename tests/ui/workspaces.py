"""Opening a test workspace on a copy of a template (tests/templates.py), as the UI fixtures and worlds do.

Besides the templates of tests/templates.py (migrated; a built-in policy adopted), `open_test_workspace(...,
with_administrator=True)` copies `tests.templates.administered_database`: after adopting, `sign_in_desk` also made
the first administrator (holding every role), once per process: a test that signs in first thing then only signs in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop.workspace import DATABASE_FILE, Workspace
from tests.accounts import TEST_HASH
from tests.templates import administered_database, seed_data_dir

__all__ = ["FULL_PROFILE_ID", "open_test_workspace"]

#: A built-in policy with a licence, an approval record, a committee and a declaration (NCNP template).
FULL_PROFILE_ID = "mafateeh-alkhair"


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
