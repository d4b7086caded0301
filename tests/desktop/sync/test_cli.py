"""`mustafid-admin enroll` and `mustafid-admin sync` through the real command line and the real server.

The commands run by the command line's own `main` in this process (`run_admin`: the same parser, output and exit
codes), the last one, offline, as its own process: the exit status a scheduler sees.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.desktop.sync.conftest import run_admin

ROOT = Path(__file__).resolve().parents[3]
ADMIN = ("import sys; from desktop import cli; cli.COMMAND_MODULES = ('desktop.sync.cli',); "
         "sys.exit(cli.main())")


def _admin(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ADMIN, "--data-dir", str(data_dir), *args], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_enroll_then_sync_then_offline(tmp_path: Path, sync_server, make_desk) -> None:
    data_dir = tmp_path / "cli-desk"
    assert run_admin(data_dir, "init", "--policy", "mafateeh-alkhair").returncode == 0
    code = make_desk.code("جمعية مفاتيح الخير الأسرية")
    done = run_admin(data_dir, "enroll", "--server", sync_server.url, "--code", code, "--name", "مكتب 1",
                     "--branch", "الرياض")
    assert done.returncode == 0, done.stderr
    assert "بادئة" in done.stdout
    done = run_admin(data_dir, "sync")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("تمت المزامنة")
    again = run_admin(data_dir, "enroll", "--server", sync_server.url, "--code", code)
    assert again.returncode != 0 and again.stderr.strip()  # a code is single-use
    sync_server.stop()
    done = _admin(data_dir, "sync")
    assert done.returncode == 3
    assert "دون اتصال" in done.stderr
    sync_server.start()
