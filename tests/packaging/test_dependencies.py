"""A desk carries no server: FastAPI, uvicorn, starlette and psycopg are the `server` extra's, and no desk code
imports them (nor at module level, nor inside a function); the lock files agree with pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from tests.sources import imported_top_names

ROOT = Path(__file__).resolve().parents[2]
SERVER_ONLY = {"fastapi", "uvicorn", "starlette", "psycopg", "psycopg_binary", "psycopg_c"}
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(path: Path) -> frozenset[str]:
    """Top-level names of every import in a file (function-local ones included; read once per process,
    `tests.sources`, as tests/test_architecture.py reads them)."""
    return imported_top_names(path)


def test_no_desk_code_imports_the_server_packages() -> None:
    """Outside desktop/server/ nothing in db/, desktop/ or ui/ imports the server's packages."""
    offenders = []
    for package in ("db", "desktop", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative.parts[:2] == ("desktop", "server"):
                continue
            if _imports(path) & SERVER_ONLY:
                offenders.append(f"{relative}: {sorted(_imports(path) & SERVER_ONLY)}")
    assert offenders == []


def test_the_desk_runs_its_commands_with_the_server_packages_blocked() -> None:
    """With FastAPI, uvicorn and psycopg made unimportable, the desk's modules and mustafid-admin still load."""
    code = (
        "import sys\n"
        f"BLOCKED = {sorted(SERVER_ONLY)!r}\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in BLOCKED:\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import ui.app, ui.main_window, desktop.reception, desktop.casedesk, desktop.sync.service, desktop.cli\n"
        "import desktop.server.admin_cli\n"
        "desktop.cli.build_parser()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False,
                          env={"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_server_packages_are_an_extra_not_a_desk_dependency() -> None:
    """pyproject: the desk's dependencies hold none of them; the server extra holds all three; test pulls server."""
    desk = {_canonical(Requirement(r).name) for r in PROJECT["dependencies"]}
    server = {_canonical(Requirement(r).name) for r in PROJECT["optional-dependencies"]["server"]}
    assert desk.isdisjoint({"fastapi", "uvicorn", "psycopg"})
    assert {"fastapi", "uvicorn", "psycopg"} <= server
    assert any(Requirement(r).name == "mustafid-desk" and "server" in Requirement(r).extras
               for r in PROJECT["optional-dependencies"]["test"])


def _lock(name: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            package, _, version = line.partition("==")
            pins[_canonical(package)] = Version(version)
    return pins


def _direct(extras: tuple[str, ...]) -> list[Requirement]:
    wanted = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        for text in PROJECT["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if requirement.name == "mustafid-desk":
                wanted += _direct(tuple(sorted(requirement.extras)))
            else:
                wanted.append(requirement)
    return wanted


def test_each_lock_pins_every_direct_requirement_within_its_range() -> None:
    """desk.lock, server.lock and dev.lock pin each requirement of pyproject (run packaging/lock.py if not)."""
    for lock, extras in (("desk.lock", ()), ("server.lock", ("server",)), ("dev.lock", ("test",))):
        pins = _lock(lock)
        for requirement in _direct(extras):
            name = _canonical(requirement.name)
            assert name in pins, f"{lock} lacks {name}: run python packaging/lock.py"
            assert requirement.specifier.contains(pins[name], prereleases=True), f"{lock}: {name}=={pins[name]}"


def test_the_desk_lock_holds_no_server_package() -> None:
    """What an officer's PC installs has no web server or PostgreSQL driver."""
    assert set(_lock("desk.lock")).isdisjoint({"fastapi", "uvicorn", "starlette", "psycopg", "psycopg-binary"})
