"""Pytest fixtures for a REAL PostgreSQL server and the real sync server process.

* ``postgres_cluster`` (session): ``initdb`` in a temporary directory (as the ``postgres`` system
  user when the tests run as root, since initdb refuses root), listening on 127.0.0.1 on a free
  port with its unix socket in that directory; stopped with ``pg_ctl stop -m fast`` at the end.
* ``postgres_url`` (function): a fresh, empty database for one test, as a
  ``postgresql+psycopg://`` URL.
* ``sync_server`` (function): `SyncServerProcess`, the real ``python -m desktop.server`` on a
  fresh database, with ``.url``, ``.kill()``, ``.restart()``, ``.enroll_code(name)``.

Binaries are looked up in ``$MUSTAFID_PG_BIN``, /usr/lib/postgresql/<newest>/bin, then ``$PATH``;
when missing, the fixture fails saying how to install them (Debian: ``apt-get install postgresql``).
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
_db_numbers = itertools.count(1)


def _find_bin_dir() -> Path | None:
    """Where initdb/pg_ctl/postgres are, or None."""
    explicit = os.environ.get("MUSTAFID_PG_BIN")
    if explicit and (Path(explicit) / "initdb").exists():
        return Path(explicit)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    """A running throw-away PostgreSQL cluster (superuser ``postgres``, trust auth on loopback)."""

    bin_dir: Path
    data_dir: Path
    port: int
    run_as: list[str]

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) to a database of this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement as the superuser in autocommit (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self) -> str:
        """A fresh empty database; its URL."""
        name = f"t{os.getpid()}_{next(_db_numbers)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def stop(self) -> None:
        """Stop the cluster (fast shutdown) and remove its directory."""
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "stop", "-m", "fast", "-w",
                        "-D", str(self.data_dir / "data")], capture_output=True, check=False)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start_cluster() -> PostgresCluster:
    """initdb + start a cluster in a temporary directory on a free loopback port."""
    bin_dir = _find_bin_dir()
    if bin_dir is None:
        pytest.fail("PostgreSQL binaries (initdb, pg_ctl) not found: install them first, e.g. "
                    "`apt-get install -y postgresql` on Debian, or set MUSTAFID_PG_BIN", pytrace=False)
    base = Path(tempfile.mkdtemp(prefix="mustafid-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root needs the `postgres` system user (initdb refuses root)", pytrace=False)
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    done = subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                           "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"initdb failed: {done.stderr.strip()}", pytrace=False)
    port = _free_port()
    options = (f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c synchronous_commit=off "
               f"-c full_page_writes=off -c max_connections=200")
    done = subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data),
                           "-l", str(base / "log"), "-o", options], capture_output=True, text=True)
    if done.returncode != 0:
        log = (base / "log").read_text(errors="replace") if (base / "log").exists() else ""
        pytest.fail(f"PostgreSQL did not start: {done.stderr.strip()} {log[-2000:]}", pytrace=False)
    return PostgresCluster(bin_dir=bin_dir, data_dir=base, port=port, run_as=run_as)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One real PostgreSQL cluster for the whole test session."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A fresh empty database for this test (psycopg 3 URL)."""
    return postgres_cluster.create_database()


_LISTENING = re.compile(r"listening on (\S+)")


class SyncServerProcess:
    """The real sync server as a subprocess (``python -m desktop.server --db URL --port 0``)."""

    def __init__(self, db_url: str, *, extra_args: tuple[str, ...] = (), log_path: Path | None = None) -> None:
        self.db_url = db_url
        self.extra_args = extra_args
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="mustafid-server-", suffix=".log")[1])
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self._port = 0

    def start(self) -> SyncServerProcess:
        """Start it (on the same port as before after a restart) and wait for /v1/health."""
        port = str(self._port)
        log = self.log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "desktop.server", "--db", self.db_url, "--host", "127.0.0.1", "--port", port,
             *self.extra_args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = _LISTENING.search(line)
        if match is None:
            self.process.wait(timeout=10)
            raise RuntimeError(f"sync server did not start: {line!r}\n{self.log_path.read_text(errors='replace')}")
        self.url = match.group(1)
        self._port = int(self.url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=2, verify=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"sync server not healthy\n{self.log_path.read_text(errors='replace')}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the server (no clean shutdown: a transaction in flight is lost)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop it gracefully (SIGTERM), then SIGKILL if it lingers."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def restart(self) -> None:
        """Stop (or after `kill`) and start again on the same database and port."""
        self.stop()
        self.start()

    def enroll_code(self, association_name: str, branch: str | None = None, expires_hours: float = 72) -> str:
        """A one-time enrolment code, made with the real admin command (`mustafid-admin devices enroll-code`)."""
        args = [sys.executable, "-c", "import sys; from desktop.server.admin_cli import main; sys.exit(main())",
                "devices", "enroll-code", "--server-db", self.db_url, "--association", association_name,
                "--expires-hours", str(expires_hours)]
        if branch:
            args += ["--branch", branch]
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return done.stdout.strip().splitlines()[-1]

    def log(self) -> str:
        """What the server wrote to stderr (one JSON line per request)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def sync_server(postgres_url: str) -> Iterator[SyncServerProcess]:
    """The real sync server on a fresh PostgreSQL database, stopped at teardown."""
    server = SyncServerProcess(postgres_url).start()
    try:
        yield server
    finally:
        server.stop()
