"""The gate's facts read without SQLAlchemy (issue 10): what a sound desk tells, and None for every doubt, so that
the workspace's own opening decides and words the refusal (issue 14 §5). Real desks: the migrated template,
real accounts, real SQLCipher."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db.models import UserRole
from desktop.encryption import encrypt_desk
from desktop.gate_facts import ADMIN_ROLE, GateFacts, read_gate_facts
from desktop.keystore import KEYSTORE_FILE, KdfCost
from desktop.workspace import DATABASE_FILE, Workspace, WorkspaceError
from tests.accounts import ADMIN_LOGIN, PASSWORD, add_account, sign_in_desk
from tests.desktop.test_database_trouble import HOLD_LOCK
from tests.templates import seed_data_dir

ROOT = Path(__file__).resolve().parents[2]


def _desk(tmp_path: Path, *, administrator: bool = True) -> Path:
    """An adopted desk, with its first administrator when asked."""
    directory = seed_data_dir(tmp_path / "desk")
    workspace = Workspace.open(directory)
    try:
        workspace.adopt_builtin_profile("baraah")
        if administrator:
            sign_in_desk(workspace)
    finally:
        workspace.close()
    return directory


def _execute(directory: Path, statement: str) -> None:
    connection = sqlite3.connect(directory / DATABASE_FILE)
    try:
        connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def test_the_administrators_stored_role_is_the_models(tmp_path: Path) -> None:
    """The role is named here without importing the models: it must stay their stored value."""
    assert ADMIN_ROLE == UserRole.ADMIN.value


def test_a_sound_plaintext_desk_with_an_administrator(tmp_path: Path) -> None:
    directory = _desk(tmp_path)
    assert read_gate_facts(directory) == GateFacts(encrypted=False, has_administrator=True)


def test_a_desk_without_an_administrator_asks_for_the_first(tmp_path: Path) -> None:
    assert read_gate_facts(_desk(tmp_path, administrator=False)) == GateFacts(False, False)


def test_only_an_active_live_administrator_with_a_password_counts(tmp_path: Path) -> None:
    """As `StaffService.has_administrator`: an officer alone, or a deleted administrator, is no administrator."""
    directory = seed_data_dir(tmp_path / "desk")
    workspace = Workspace.open(directory)
    try:
        workspace.adopt_builtin_profile("baraah")
        sign_in_desk(workspace, roles=[UserRole.ADMIN.value])
        add_account(workspace, "muwazzaf", "سارة محمد الدوسري", [UserRole.OFFICER.value, UserRole.ADMIN.value])
        assert workspace.staff().has_administrator()
    finally:
        workspace.close()
    assert read_gate_facts(directory) == GateFacts(False, True)
    _execute(directory, f"UPDATE app_user SET deleted_at = CURRENT_TIMESTAMP WHERE username = '{ADMIN_LOGIN}'")
    assert read_gate_facts(directory) == GateFacts(False, True)  # the officer holds the role too (second)
    _execute(directory, "UPDATE app_user SET active = 0 WHERE username = 'muwazzaf'")
    assert read_gate_facts(directory) == GateFacts(False, False)


def test_an_encrypted_desk_is_known_by_its_keystore(tmp_path: Path) -> None:
    directory = _desk(tmp_path)
    encrypt_desk(directory, ADMIN_LOGIN, PASSWORD, cost=KdfCost(time_cost=1, memory_kib=256, parallelism=1))
    assert read_gate_facts(directory) == GateFacts(encrypted=True, has_administrator=True)


@pytest.mark.parametrize("trouble", ["missing", "empty", "foreign", "header wiped", "migration due",
                                     "closed by the server", "bad keystore", "keystore beside plaintext"])
def test_every_doubt_leaves_the_answer_to_the_opening(tmp_path: Path, trouble: str) -> None:
    """None, the file untouched: the gate waits for the workspace, whose opening refuses (or migrates) as before."""
    directory = _desk(tmp_path)
    database = directory / DATABASE_FILE
    if trouble == "missing":
        database.unlink()
    elif trouble == "empty":
        database.write_bytes(b"")
    elif trouble == "foreign":
        database.write_bytes(b"PK\x03\x04 a zip file, not a database" * 50)
    elif trouble == "header wiped":
        database.write_bytes(b"\0" * 4096 + database.read_bytes()[4096:])
    elif trouble == "migration due":
        _execute(directory, "UPDATE alembic_version SET version_num = '0022'")
        _execute(directory, "PRAGMA user_version = 0")  # as revision 0022's release left the header (unstamped)
    elif trouble == "closed by the server":
        _execute(directory, "UPDATE sync_state SET closed_at = CURRENT_TIMESTAMP, closed_reason_ar = 'أُغلق' "
                            "WHERE id = 1")
    elif trouble == "bad keystore":
        (directory / KEYSTORE_FILE).write_text("{not json", encoding="utf-8")
    elif trouble == "keystore beside plaintext":
        encrypted = _desk(tmp_path / "other")
        encrypt_desk(encrypted, ADMIN_LOGIN, PASSWORD, cost=KdfCost(time_cost=1, memory_kib=256, parallelism=1))
        (directory / KEYSTORE_FILE).write_bytes((encrypted / KEYSTORE_FILE).read_bytes())
    before = database.read_bytes() if database.exists() else None
    assert read_gate_facts(directory) is None
    assert (database.read_bytes() if database.exists() else None) == before
    if trouble in ("empty", "foreign", "header wiped", "closed by the server", "bad keystore",
                   "keystore beside plaintext"):
        with pytest.raises(WorkspaceError):  # the opening refuses, with its own Arabic message
            Workspace.open(directory).close()


def test_a_file_another_program_holds_locked_is_a_doubt(tmp_path: Path, short_busy_wait: None) -> None:
    """Another process holds the whole file (exclusive lock): no facts (without the desk's wait for the lock);
    the opening then refuses it with its «locked» message and a retry."""
    directory = _desk(tmp_path)
    process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(directory / DATABASE_FILE), "exclusive"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "LOCKED"
        assert read_gate_facts(directory) is None
        with pytest.raises(WorkspaceError) as raised:
            Workspace.open(directory).close()
        assert raised.value.retry
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def test_reading_the_facts_imports_no_sqlalchemy(tmp_path: Path) -> None:
    """The point of the module: the gate's questions answered before SQLAlchemy and the models are loaded."""
    directory = _desk(tmp_path)
    probe = ("import sys; from pathlib import Path; from desktop.gate_facts import read_gate_facts; "
             f"facts = read_gate_facts(Path({str(directory)!r})); "
             "print(facts is not None and facts.has_administrator, "
             "sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'pydantic')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[]"]
