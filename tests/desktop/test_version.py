"""One version number (pyproject.toml's) everywhere: each command's --version, the log, the diagnostics, the About
box's text and the sync handshake."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from desktop import logbook
from desktop.version import app_version, version_line

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_version_is_pyprojects() -> None:
    """The installed copy answers pyproject.toml's version, and the log's helper says the same."""
    assert app_version() == PYPROJECT_VERSION
    assert logbook.app_version() == PYPROJECT_VERSION


@pytest.mark.parametrize("module", ["desktop.cli", "desktop.server", "desktop"])
def test_every_command_answers_version(module: str) -> None:
    """`mustafid-admin --version`, `mustafid-server --version` and `mustafid --version`: one line, exit 0."""
    done = subprocess.run([sys.executable, "-m", module, "--version"], cwd=ROOT, capture_output=True, text=True,
                          check=False, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                                            "PYTHONPATH": str(ROOT), "HOME": str(ROOT / ".no-home")})
    assert done.returncode == 0, done.stderr
    assert PYPROJECT_VERSION in done.stdout
    assert "مكتب المستفيد" in done.stdout
    assert len(done.stdout.strip().splitlines()) == 1


def test_version_line_holds_the_version_left_to_right() -> None:
    """The program and version are one left-to-right island inside the Arabic line."""
    line = version_line("mustafid-admin")
    assert f"\u2066mustafid-admin {PYPROJECT_VERSION}\u2069" in line


def test_the_diagnostics_name_the_version_and_the_kind_of_build(tmp_path: Path) -> None:
    """diagnostics.json says which version and whether it is the installer's frozen build."""
    from desktop.diagnostics import collect

    facts = collect(tmp_path / "none")
    assert facts["app_version"] == PYPROJECT_VERSION
    assert facts["frozen_build"] is False


def test_the_health_answer_tolerates_a_server_without_the_version() -> None:
    """A server older than the field answers without it: still a valid HealthResponse (None)."""
    from desktop.sync.protocol import HealthResponse

    old = HealthResponse.model_validate_json('{"status": "ok", "protocol": 1, "server_schema": "0001", '
                                             '"min_client_schema": "0005"}')
    assert old.app_version is None
    new = HealthResponse(server_schema="0001", min_client_schema="0005", app_version=PYPROJECT_VERSION)
    assert HealthResponse.model_validate_json(new.model_dump_json()).app_version == PYPROJECT_VERSION


def test_the_sync_handshake_carries_both_versions(sync_server: object) -> None:
    """The real server answers its version on /v1/health and logs the desk's from every request's header."""
    import json

    import httpx

    from db.engine import HEAD_REVISION
    from desktop.sync.protocol import HEADER_APP_VERSION, HEADER_PROTOCOL, HEADER_SCHEMA, PROTOCOL_VERSION
    from tests.postgres import SyncServerProcess

    assert isinstance(sync_server, SyncServerProcess)
    health = httpx.get(f"{sync_server.url}/v1/health", timeout=10, verify=False).json()
    assert health["app_version"] == PYPROJECT_VERSION
    headers = {HEADER_PROTOCOL: str(PROTOCOL_VERSION), HEADER_SCHEMA: HEAD_REVISION, HEADER_APP_VERSION: "9.8.7"}
    refused = httpx.post(f"{sync_server.url}/v1/enroll", json={"code": "nope", "device_name": "x"},
                         headers=headers, timeout=10, verify=False)
    assert refused.status_code >= 400
    without = httpx.post(f"{sync_server.url}/v1/enroll", json={"code": "nope", "device_name": "x"},
                         headers={k: v for k, v in headers.items() if k != HEADER_APP_VERSION}, timeout=10,
                         verify=False)
    assert without.status_code == refused.status_code  # an older desk, without the header, is served the same
    lines = [json.loads(line) for line in sync_server.log().splitlines() if line.startswith("{")]
    enrolls = [line for line in lines if line.get("path") == "/v1/enroll"]
    assert [line["desk_version"] for line in enrolls] == ["9.8.7", None]
