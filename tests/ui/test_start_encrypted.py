"""The desk started as a program on an encrypted database (issue 14): the sign-in gate takes a password before
anything can be read, the password opens the database and the reception page is shown.

Run in a subprocess (as `test_app.py`'s program tests): the real `python -m desktop`, real SQLCipher, Argon2id
at a low cost (the cost is data in the keystore and in each account's hash).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.encryption import encrypt_desk
from desktop.keystore import KdfCost
from desktop.startup import read_snapshot, snapshot_path
from desktop.workspace import Workspace
from tests.accounts import ADMIN_LOGIN, PASSWORD, TEST_HASH
from tests.templates import seed_data_dir
from ui import app as desk


@pytest.fixture(scope="session")
def encrypted_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An adopted desk with its administrator, encrypted in place (made once per process; the tests start copies)."""
    directory = seed_data_dir(tmp_path_factory.mktemp("encrypted") / "desk")
    workspace = Workspace.open(directory)
    workspace.hash_parameters = TEST_HASH
    try:
        workspace.adopt_builtin_profile("baraah")
        workspace.staff().create_first_administrator(ADMIN_LOGIN, "نورة عبدالله القحطاني", PASSWORD)
    finally:
        workspace.close()
    encrypt_desk(directory, ADMIN_LOGIN, PASSWORD, cost=KdfCost(time_cost=1, memory_kib=256, parallelism=1))
    return directory


@pytest.fixture
def encrypted_dir(encrypted_template: Path, tmp_path: Path) -> Path:
    """An adopted desk with its administrator, encrypted in place: this test's own copy of `encrypted_template`."""
    return Path(shutil.copytree(encrypted_template, tmp_path / "desk"))


def test_an_encrypted_desk_starts_on_its_gate_and_a_password_opens_it(encrypted_dir: Path) -> None:
    """The locked desk starts from its snapshot (nothing read before the password), the gate takes the password,
    and the page the administrator lands on is shown."""
    done = _start(encrypted_dir, sign_in=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-3:] == [desk.READY_MARKER, desk.WORKSPACE_READY_MARKER, desk.SIGNED_IN_MARKER]


def test_without_a_snapshot_an_encrypted_desk_shows_its_gate_and_writes_one_only_once_opened(
        encrypted_dir: Path) -> None:
    """No snapshot: the locked desk opens first and shows its gate (it used to stop on «locked» before any
    window); nothing can be read before a sign-in, so the snapshot is written by the first one."""
    snapshot_path(encrypted_dir).unlink()
    done = _start(encrypted_dir, sign_in=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == [desk.WORKSPACE_READY_MARKER, desk.READY_MARKER]
    assert read_snapshot(encrypted_dir) is None
    workspace = Workspace.open(encrypted_dir)
    try:
        workspace.sign_in_with_password(ADMIN_LOGIN, PASSWORD)
    finally:
        workspace.close()
    assert read_snapshot(encrypted_dir) is not None


def _start(data_dir: Path, *, sign_in: bool) -> subprocess.CompletedProcess[str]:
    """`python -m desktop --data-dir DATA_DIR` with the start-up probe (signing in as the administrator if asked)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MUSTAFID_AUTO_BACKUP="0", **{desk.STARTUP_PROBE_ENV: "1"})
    if sign_in:
        env.update({desk.PROBE_LOGIN_ENV: ADMIN_LOGIN, desk.PROBE_PASSWORD_ENV: PASSWORD})
    return subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
