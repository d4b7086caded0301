"""Smoke test of the frozen desk (packaging/mustafid.spec built for Linux): what an installed copy does first.

The programs run from the bundle with nothing of the checkout or the venv on their path: `mustafid-admin` answers
its version and lists the built-in policies, opens a database written by an earlier release (migrating it, a copy
taken first) and renders a declaration in the bundled Amiri; `mustafid` starts offscreen on it, shows its window
and exits cleanly, with Qt's Arabic catalogue and the bundled screen font found.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tomllib
import unicodedata
from pathlib import Path

import pytest

from db.engine import BEFORE_UPGRADE_DIR, HEAD_REVISION
from tests.packaging.test_spec import opened_data_files

#: The frozen build takes the longest of the suite: scheduled first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "db" / "fixtures" / "release-0008.sqlite3"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
#: Seconds a frozen program may take (a loaded 2-core machine) before the test says it hangs.
TIMEOUT_S = 120


def _env(tmp_path: Path) -> dict[str, str]:
    """A bare environment: no PYTHONPATH or venv, offscreen Qt, a home of the test's own."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
            "MUSTAFID_SETTINGS_DIR": str(tmp_path / "settings")}


def _run(program: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(program), *args], capture_output=True, text=True, env=env, timeout=TIMEOUT_S,
                          check=False, cwd=program.parent.parent)


def test_frozen_admin_answers_its_version_and_the_policies(frozen_desk: Path, tmp_path: Path) -> None:
    """`mustafid-admin --version` is pyproject's version; `policy list` reads the five bundled profiles."""
    admin = frozen_desk / "mustafid-admin"
    version = _run(admin, ["--version"], _env(tmp_path))
    assert version.returncode == 0 and VERSION in version.stdout, version.stderr
    listed = _run(admin, ["policy", "list"], _env(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.strip().splitlines()) == len(list((ROOT / "resources" / "policies").glob("*.toml")))


def test_frozen_desk_migrates_an_earlier_database_renders_and_starts(frozen_desk: Path, tmp_path: Path) -> None:
    """An earlier release's database opened by the frozen copy: migrated with a copy first, a declaration in the
    bundled Amiri, then the window shown offscreen and a clean exit."""
    data_dir = tmp_path / "desk"
    data_dir.mkdir()
    shutil.copyfile(FIXTURE, data_dir / "mustafid.sqlite3")
    with sqlite3.connect(data_dir / "mustafid.sqlite3") as connection:
        number = connection.execute("SELECT case_number FROM \"case\" ORDER BY case_number LIMIT 1").fetchone()[0]
    connection.close()
    env = _env(tmp_path)
    out = tmp_path / "declaration.pdf"
    rendered = _run(frozen_desk / "mustafid-admin",
                    ["--data-dir", str(data_dir), "pdf", "blank-declaration", number, "--out", str(out)], env)
    assert rendered.returncode == 0, rendered.stderr
    with sqlite3.connect(data_dir / "mustafid.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
    connection.close()
    assert len(list((data_dir / BEFORE_UPGRADE_DIR).iterdir())) == 1
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Amiri-Regular" in fonts and "Amiri-Bold" in fonts
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "إقرار بصحة البيانات" in unicodedata.normalize("NFKC", text)  # shaped forms back to letters

    started = _run(frozen_desk / "mustafid", ["--data-dir", str(data_dir)],
                   dict(env, MUSTAFID_STARTUP_PROBE="1"))
    assert started.returncode == 0, started.stderr
    assert "MUSTAFID_READY" in started.stdout and "MUSTAFID_WORKSPACE_READY" in started.stdout
    assert "translations not found" not in started.stderr  # Qt's own qtbase_ar.qm is in the bundle
    assert "font could not be loaded" not in started.stderr
    assert "Traceback" not in started.stderr
    log = (data_dir / "logs" / "desk.log").read_text(encoding="utf-8")
    assert "incident" not in log.lower() and "ERROR" not in log


def test_frozen_bundle_holds_every_data_file_where_the_code_looks(frozen_desk: Path) -> None:
    """Each file the loaders open (tests/packaging/test_spec.py) is in ``_internal`` at its checkout path."""
    internal = frozen_desk / "_internal"
    missing = [str(path.relative_to(ROOT)) for path in opened_data_files()
               if not (internal / path.relative_to(ROOT)).is_file()]
    assert missing == []
    translations = {p.name for p in internal.rglob("qtbase_ar.qm")}
    assert translations == {"qtbase_ar.qm"}
    platforms = {p.name for p in internal.rglob("libqoffscreen.so")} | {p.name for p in internal.rglob("libqxcb.so")}
    assert platforms == {"libqoffscreen.so", "libqxcb.so"}


def test_frozen_desk_carries_no_server_or_test_packages(frozen_desk: Path) -> None:
    """FastAPI, uvicorn, psycopg, pytest and PyInstaller stay out of an officer's PC."""
    internal = frozen_desk / "_internal"
    present = {name for name in ("fastapi", "uvicorn", "starlette", "psycopg", "psycopg_binary", "pytest",
                                 "PyInstaller") if (internal / name).exists()}
    assert present == set()
    assert os.access(frozen_desk / "mustafid", os.X_OK) and os.access(frozen_desk / "mustafid-admin", os.X_OK)
