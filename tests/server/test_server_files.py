"""The server's files and secrets (issue 14, item 6): the trial SQLite file owner-only; the PostgreSQL password
from an environment variable or an owner-only config file, refused on the command line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.server.__main__ import DB_PASSWORD_ENV, DB_URL_ENV, ServerConfigError, database_url
from desktop.server.store import ServerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_trial_sqlite_file_and_its_log_are_the_server_accounts_only(tmp_path: Path) -> None:
    path = tmp_path / "server" / "mustafid-server.sqlite3"
    store = ServerStore(f"sqlite:///{path}")
    store.upgrade()
    with store.engine.connect():
        for file in (path, Path(f"{path}-wal")):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    store.engine.dispose()


def test_a_password_on_the_command_line_is_refused_in_one_arabic_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop.server", "--db", "postgresql+psycopg://mustafid:secret@127.0.0.1:1/m",
         "--port", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("خطأ: ") and len(done.stderr.strip().splitlines()) == 1
    assert DB_PASSWORD_ENV in done.stderr and "secret" not in done.stderr


def test_the_password_comes_from_the_environment_or_an_owner_only_config_file(tmp_path: Path) -> None:
    url = database_url("postgresql+psycopg://mustafid@dbhost/m", None, {DB_PASSWORD_ENV: "s3cret"})
    assert url == "postgresql+psycopg://mustafid:s3cret@dbhost/m"
    assert database_url(None, None, {DB_URL_ENV: "postgresql+psycopg://u@h/d", DB_PASSWORD_ENV: "p"}) == \
        "postgresql+psycopg://u:p@h/d"
    config = tmp_path / "server.toml"
    config.write_text('[database]\nurl = "postgresql+psycopg://u@h/d"\npassword = "from-file"\n', encoding="utf-8")
    config.chmod(0o600)
    assert database_url(None, config, {}) == "postgresql+psycopg://u:from-file@h/d"
    if os.name == "posix":
        config.chmod(0o644)
        with pytest.raises(ServerConfigError) as raised:
            database_url(None, config, {})
        assert "chmod 600" in raised.value.message_ar
