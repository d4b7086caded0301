"""The sync server as a service: the systemd units pass `systemd-analyze verify`, compose.yaml is a valid compose
file (`docker compose config` where it is installed, else the checks below of what compose itself refuses), the
image installs the server's lock. The pg_dump → pg_restore round trip is tests/server/test_pg_dump_restore.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "packaging" / "server"


def _docker_compose() -> list[str] | None:
    """The compose command of this machine, or None."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.parametrize("units", [["mustafid-server.service"], ["mustafid-pg-dump.service", "mustafid-pg-dump.timer"]])
def test_systemd_units_verify(units: list[str], tmp_path: Path) -> None:
    """`systemd-analyze verify` finds nothing to say (the installed paths pointed at this checkout's programs)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    server_program = Path(sys.executable).parent / "mustafid-server"
    if not server_program.exists():
        pytest.skip("mustafid-server is not installed in this environment")
    for name in units:
        text = (SERVER / name).read_text(encoding="utf-8")
        text = text.replace("/opt/mustafid/venv/bin/mustafid-server", str(server_program))
        text = text.replace("/opt/mustafid/pg-dump.sh", str(SERVER / "pg-dump.sh"))
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / name) for name in units)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_the_server_unit_keeps_secrets_off_the_command_line() -> None:
    """The database URL (and its password) come from the environment file, never ExecStart."""
    unit = (SERVER / "mustafid-server.service").read_text(encoding="utf-8")
    exec_start = unit.split("ExecStart=", 1)[1].split("\n\n", 1)[0]
    assert "--db" not in exec_start and "postgresql" not in exec_start
    assert "EnvironmentFile=/etc/mustafid/server.env" in unit
    assert "MUSTAFID_SERVER_DB=" in (SERVER / "server.env.example").read_text(encoding="utf-8")


def _compose() -> dict[str, object]:
    return dict(yaml.safe_load((SERVER / "compose.yaml").read_text(encoding="utf-8")))


def test_compose_file_is_valid(tmp_path: Path) -> None:
    """`docker compose config` accepts it when compose is installed; otherwise the structure compose checks."""
    command = _docker_compose()
    if command is not None:
        (tmp_path / ".env").write_text("POSTGRES_PASSWORD=test\n")
        done = subprocess.run([*command, "--env-file", str(tmp_path / ".env"), "-f", str(SERVER / "compose.yaml"),
                               "config", "--quiet"], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    compose = _compose()
    assert set(compose) <= {"name", "services", "volumes", "networks", "secrets", "configs"}
    services = compose["services"]
    assert isinstance(services, dict) and set(services) == {"db", "server"}
    declared_volumes = set(dict(compose.get("volumes") or {}))  # type: ignore[arg-type]
    allowed_keys = {"image", "build", "restart", "environment", "volumes", "healthcheck", "depends_on", "command",
                    "ports", "user"}
    for name, service in services.items():
        assert set(service) <= allowed_keys, (name, set(service) - allowed_keys)
        assert "image" in service or "build" in service
        health = service["healthcheck"]
        assert set(health) <= {"test", "interval", "timeout", "retries", "start_period"}
        assert health["test"][0] in {"CMD", "CMD-SHELL"}
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith((".", "/")) or source in declared_volumes, (name, volume)
        for dependency, condition in dict(service.get("depends_on", {})).items():
            assert dependency in services and condition["condition"] == "service_healthy"
            assert "healthcheck" in services[dependency]
    build = services["server"]["build"]
    assert (SERVER / build["context"] / build["dockerfile"]).resolve() == (SERVER / "Dockerfile").resolve()


def test_compose_server_has_tls_a_data_volume_and_postgres() -> None:
    """TLS certificate paths mounted read-only and passed to the server; PostgreSQL's data in a named volume."""
    services = _compose()["services"]
    assert isinstance(services, dict)
    server = services["server"]
    assert "./tls:/run/tls:ro" in server["volumes"]
    assert "/run/tls/server.crt" in server["command"] and "/run/tls/server.key" in server["command"]
    assert server["environment"]["MUSTAFID_SERVER_DB"].startswith("postgresql+psycopg://")
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])


def test_the_image_installs_the_server_lock() -> None:
    """The Dockerfile installs requirements/server.lock, then the project without its dependencies."""
    dockerfile = (SERVER / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -r requirements/server.lock" in dockerfile
    assert "--no-deps ." in dockerfile
