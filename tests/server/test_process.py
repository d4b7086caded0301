"""The real `mustafid-server` process: start on PostgreSQL, logs, SIGKILL and restart, TLS, SQLite trial."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.postgres import ROOT, SyncServerProcess
from tests.server.helpers import Desk


def test_server_process_serves_survives_sigkill_and_logs_json(sync_server: SyncServerProcess) -> None:
    """Enrol with the admin command's code, push; SIGKILL; restart: the acknowledged change is there."""
    health = httpx.get(f"{sync_server.url}/v1/health").json()
    assert health["status"] == "ok" and health["protocol"] == 1
    desk = Desk(sync_server.url)
    assert desk.enroll(sync_server.enroll_code("جمعية البر", branch="الرياض"), uuid.uuid4()).status_code == 200
    row_id, fields = desk.beneficiary()
    assert desk.push(desk.mutation("beneficiary", row_id, fields))[0]["status"] == "applied"
    sync_server.kill()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{sync_server.url}/v1/health", timeout=2)
    sync_server.restart()
    assert ("beneficiary", str(row_id)) in desk.pull_all()
    lines = [json.loads(line) for line in sync_server.log().splitlines() if line.startswith("{")]
    pushes = [line for line in lines if line["path"] == "/v1/push"]
    assert pushes and pushes[0]["status"] == 200 and pushes[0]["device"] == str(desk.device_id)
    assert {"ts", "method", "path", "status", "ms"} <= set(pushes[0])


def test_sqlite_trial_server(tmp_path: Path) -> None:
    """With a SQLite file (the one-office trial) the same server starts and serves."""
    server = SyncServerProcess(f"sqlite:///{tmp_path / 'trial.sqlite3'}").start()
    try:
        desk = Desk(server.url)
        assert desk.enroll(server.enroll_code("جمعية تجربة"), uuid.uuid4()).status_code == 200
        row_id, fields = desk.beneficiary()
        assert desk.push(desk.mutation("beneficiary", row_id, fields))[0]["status"] == "applied"
    finally:
        server.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
def test_tls(tmp_path: Path, migrated_postgres_url: str) -> None:
    """Given --cert and --key the server speaks HTTPS only."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = SyncServerProcess(migrated_postgres_url, extra_args=("--cert", str(cert), "--key", str(key)))
    server.url = ""
    try:
        server.start()
        assert server.url.startswith("https://")
        assert httpx.get(f"{server.url}/v1/health", verify=ssl.create_default_context(cafile=str(cert))).json()["status"] == "ok"
        with pytest.raises(httpx.HTTPError):
            httpx.get(server.url.replace("https://", "http://") + "/v1/health", timeout=5)
    finally:
        server.stop()


def test_start_failures_are_one_arabic_line(tmp_path: Path) -> None:
    """An unreachable database or a certificate without its key: one Arabic line, non-zero exit."""
    for args in (["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "--port", "0"],
                 ["--cert", str(tmp_path / "c.pem"), "--port", "0"]):
        done = subprocess.run([sys.executable, "-m", "desktop.server", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode != 0
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("خطأ:")


def test_listening_socket_sends_replies_without_delay() -> None:
    """The server's socket says it is TCP (so asyncio sets TCP_NODELAY on each accepted connection) and carries
    TCP_NODELAY itself: a reply on a kept-alive connection does not wait for the client's delayed ACK."""
    import socket

    from desktop.server.__main__ import listening_socket

    with listening_socket(socket.AF_INET) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with socket.create_connection(sock.getsockname()) as client:
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            assert client is not None
