"""Device tokens rotate on use and expire when idle; the server refuses a network address without TLS; make-cert."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from desktop.server.admin_cli import main as admin_main
from desktop.server.models import server_device
from desktop.sync import protocol as p
from tests.server.conftest import _serve
from tests.server.helpers import Desk, LiveServer, http_client, is_arabic

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rotating(migrated_postgres_url: str) -> Iterator[LiveServer]:
    """The real app whose tokens rotate at every use and expire after an hour unused."""
    yield from _serve(migrated_postgres_url, upgrade=False, token_rotate_after=dt.timedelta(0),
                      token_idle_expiry=dt.timedelta(hours=1))


def _pull(desk: Desk, token: str) -> tuple[int, str | None, str]:
    response = http_client().get(f"{desk.url}/v1/pull", params={"after": 0, "limit": 1},
                                 headers={**desk.headers(), "Authorization": f"Bearer {token}"})
    return response.status_code, response.headers.get(p.HEADER_TOKEN), response.text


def test_a_token_rotates_on_use_and_the_old_one_dies_once_the_new_one_is_used(rotating: LiveServer) -> None:
    desk = rotating.desk()
    first = desk.token
    status, second, _ = _pull(desk, first)
    assert status == 200 and second and second != first
    status, lost, _ = _pull(desk, first)  # the answer carrying `second` was lost: the old token still works once more
    assert status == 200 and lost and lost not in (first, second)
    status, third, _ = _pull(desk, lost)  # the desk moves on with the newest token …
    assert status == 200 and third
    status, _, body = _pull(desk, first)  # … and every older one is refused from then on
    assert status == 401 and is_arabic(body)
    assert _pull(desk, second)[0] == 401


def test_an_idle_token_expires(rotating: LiveServer) -> None:
    desk = rotating.desk()
    with rotating.store.engine.begin() as conn:
        conn.execute(update(server_device).where(server_device.c.id == desk.device_id).values(
            last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)))
    status, token, body = _pull(desk, desk.token)
    assert status == 401 and token is None and "انتهت صلاحية" in body


def test_tokens_do_not_rotate_before_their_time(server: LiveServer) -> None:
    desk = server.desk()
    assert _pull(desk, desk.token)[:2] == (200, None)


def _server_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.server", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_the_server_refuses_a_network_address_without_a_certificate(tmp_path: Path) -> None:
    done = _server_cli("--db", f"sqlite:///{tmp_path / 's.sqlite3'}", "--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 2 and "TLS" in done.stderr and "--insecure-lan" in done.stderr
    assert is_arabic(done.stderr) and "Traceback" not in done.stderr
    several = _server_cli("--db", f"sqlite:///{tmp_path / 's.sqlite3'}", "--workers", "2")
    assert several.returncode == 2 and "PostgreSQL" in several.stderr


def test_make_cert_writes_a_certificate_and_prints_its_fingerprint(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import ssl

    assert admin_main(["server", "make-cert", "--out", str(tmp_path), "--host", "10.0.0.5"]) == 0
    out = capsys.readouterr().out
    der = ssl.PEM_cert_to_DER_cert((tmp_path / "server.crt").read_text())
    assert p.fingerprint_text(p.certificate_fingerprint(der)) in out and is_arabic(out)
    assert (tmp_path / "server.key").stat().st_mode & 0o077 == 0
    # The start line it suggests names where the database comes from, never a password on the command line.
    start = next(line for line in out.splitlines() if "mustafid-server" in line)
    assert "MUSTAFID_SERVER_DB" in start and "--db" not in start
