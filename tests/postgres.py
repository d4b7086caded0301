"""Pytest fixtures for a REAL PostgreSQL server and the real sync server process.

* ``postgres_cluster`` (session, so one per pytest-xdist worker): ``initdb`` in a temporary
  directory, on /dev/shm when it has room (as the ``postgres`` system user when the tests run as
  root, since initdb refuses root), listening on 127.0.0.1 on a free port with its unix socket in
  that directory; stopped with ``pg_ctl stop -m immediate`` and removed at the end.
* ``postgres_url`` (function): a fresh, empty database for one test, as a
  ``postgresql+psycopg://`` URL; dropped at teardown.
* ``migrated_postgres_url`` (function): a fresh database already at the sync server's schema head, a
  copy (``CREATE DATABASE … TEMPLATE``, PostgreSQL's own way) of a template database the real
  ``ServerStore.upgrade`` migrated once per cluster; dropped at teardown. For tests that need a
  server's database, not its migration (those that are about migrating take ``postgres_url``).
* ``shared_sync_server`` (session): `SyncServerProcess`, the real ``python -m desktop.server`` on
  its own database, started once per test session (once per pytest-xdist worker).
* ``sync_server`` (function): that process, running and healthy, for one test, with ``.url``,
  ``.kill()``, ``.restart()``, ``.stop()``, ``.start()``, ``.log()``, ``.enroll_code(name)``. Every
  association earlier tests enrolled is retired (renamed) first and the per-address rate limits are
  emptied (`forget_address_limits`), so the test's enrolment codes make a fresh association with no
  rows, devices or sequence of anyone else's; its ``.log()`` holds only what the server wrote during
  the test. A test may kill, stop, freeze or restart it: the next test
  finds it dead or unhealthy and starts it again on the same database.

Binaries are looked up in ``$MUSTAFID_PG_BIN``, /usr/lib/postgresql/<newest>/bin, then ``$PATH``;
when missing, the fixture fails saying how to install them (Debian: ``apt-get install postgresql``).
"""

from __future__ import annotations

import contextlib
import io
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
    _server_template: str | None = None

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) to a database of this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement as the superuser in autocommit (CREATE/DROP DATABASE), in `database` (a name or a URL
        of this cluster)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database.rsplit("/", 1)[-1],
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, *, migrated: bool = False) -> str:
        """A fresh database, empty or (`migrated`) a copy of the server schema's template; its URL."""
        template = self.server_template() if migrated else "template0"
        name = f"t{os.getpid()}_{next(_db_numbers)}"
        # FILE_COPY copies the template's files instead of writing every page to the WAL (cheaper for a small one).
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def server_template(self) -> str:
        """The name of this cluster's template database at the sync server's schema head, made on first use.

        The real `ServerStore.upgrade` migrates it once; every connection to it is closed before it is
        copied (PostgreSQL refuses to copy a database someone is connected to) and it then refuses connections.
        """
        if self._server_template is None:
            from desktop.server.store import ServerStore

            name = "mustafid_server_template"
            self.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY')
            store = ServerStore(self.url(name))
            try:
                store.upgrade()
            finally:
                store.dispose()
            # No connection to it from now on (autovacuum's included), so nothing stands in the way of a copy.
            self.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            self._server_template = name
        return self._server_template

    def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database`, closing any connection still open to it."""
        self.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the cluster and remove its directory (immediate shutdown: nothing in it is kept, so nothing is flushed)."""
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "stop", "-m", "immediate", "-w",
                        "-D", str(self.data_dir / "data")], capture_output=True, check=False)
        shutil.rmtree(self.data_dir, ignore_errors=True)


#: Room a cluster needs on a memory file system before the tests put it there (template0 copies and WAL).
_SHM_NEEDED_BYTES = 2 * 1024**3


def _cluster_parent() -> str | None:
    """/dev/shm when it is a large enough memory file system (no disk writes at all), else the temp directory.

    The clusters are thrown away and run with fsync off; on a disk shared with other jobs, removing
    a few hundred MiB of freshly written database files at the end of a run took tens of seconds.
    """
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= _SHM_NEEDED_BYTES:
            return str(shm)
    except OSError:
        pass
    return None


def start_cluster(*, in_memory: bool = False) -> PostgresCluster:
    """initdb + start a cluster in a temporary directory on a free loopback port.

    `in_memory` puts it on /dev/shm when that has room (the tests); the benchmarks keep the default,
    a disk, as a real server has.
    """
    bin_dir = _find_bin_dir()
    if bin_dir is None:
        pytest.fail("PostgreSQL binaries (initdb, pg_ctl) not found: install them first, e.g. "
                    "`apt-get install -y postgresql` on Debian, or set MUSTAFID_PG_BIN", pytrace=False)
    base = Path(tempfile.mkdtemp(prefix="mustafid-pg-", dir=_cluster_parent() if in_memory else None))
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
    """One real PostgreSQL cluster for the whole test session (per xdist worker), in memory when it can be."""
    cluster = start_cluster(in_memory=True)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh empty database for this test (psycopg 3 URL), dropped at teardown."""
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture
def migrated_postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh database at the sync server's schema head for this test (a copy of the migrated template)."""
    url = postgres_cluster.create_database(migrated=True)
    yield url
    postgres_cluster.drop_database(url)


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
        self._log_offset = 0

    def start(self) -> SyncServerProcess:
        """Start it (on the same port as before after a restart) and wait for /v1/health."""
        port = str(self._port)
        with self.log_path.open("a", encoding="utf-8") as log:  # the child keeps its own descriptor
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
        """A one-time enrolment code, made with the real admin command (`mustafid-admin devices enroll-code`).

        The command's own `main` runs in this process (its stdout captured): the same parser, store
        and output as the console script, without starting another interpreter for every code.
        """
        from desktop.server.admin_cli import main as devices_main

        args = ["devices", "enroll-code", "--server-db", self.db_url, "--association", association_name,
                "--expires-hours", str(expires_hours)]
        if branch:
            args += ["--branch", branch]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = devices_main(args)
        if code != 0:
            raise RuntimeError(err.getvalue())
        return out.getvalue().strip().splitlines()[-1]

    def begin_test(self) -> None:
        """Start a test's share of the log: `log` returns only what the server writes from now on."""
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0

    def log(self) -> str:
        """What the server wrote to stderr since `begin_test` (one JSON line per request)."""
        with self.log_path.open("rb") as file:
            file.seek(self._log_offset)
            return file.read().decode("utf-8", errors="replace")

    def healthy(self, timeout: float = 5) -> bool:
        """True when the process runs and answers /v1/health."""
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            return httpx.get(f"{self.url}/v1/health", timeout=timeout, verify=False).status_code == 200
        except httpx.HTTPError:
            return False

    def ensure_running(self) -> None:
        """Start it again (same database, same port) when a test left it killed, stopped or frozen."""
        if self.healthy():
            return
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)  # a frozen (SIGSTOP) process cannot even be killed cleanly
        self.kill()
        self.stop()
        self.start()


def retire_associations(cluster: PostgresCluster, db_url: str) -> None:
    """Rename every association of the server database out of the way of the next test's enrolment codes.

    Codes are asked for by association name (`ServerStore.create_enrollment_code`); once the names
    in use are retired, the same name makes a new, unbound association: no rows, devices or
    sequence numbers of an earlier test reach the next one. Retired ones keep their data.
    """
    import psycopg

    database = db_url.rsplit("/", 1)[1]
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname=database,
                         autocommit=True) as conn:
        conn.execute("UPDATE server_association SET name = left('~retired ' || pk || ' ' || name, 200) "
                     "WHERE name NOT LIKE '~retired %'")


def forget_address_limits(cluster: PostgresCluster, db_url: str) -> None:
    """Empty the server's per-address rate-limit buckets (enrolments, failures), as a new server has them.

    Every test's desks enrol from 127.0.0.1 on the session's one server, whose buckets live in its database: once
    the tests ran faster than the enrolment limit refills (60, then one a second), a later test's enrolment was
    refused with 429. The limits themselves are tested in tests/server on servers of their own.
    """
    from desktop.server.limits import AUTH_FAILURE, ENROLL

    cluster.execute(f"DELETE FROM rate_bucket WHERE kind IN ('{ENROLL}', '{AUTH_FAILURE}')", database=db_url)


@pytest.fixture(scope="session")
def shared_sync_server(postgres_cluster: PostgresCluster,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncServerProcess]:
    """The real sync server process of this test session (of this xdist worker), on its own database."""
    log_path = tmp_path_factory.mktemp("sync-server") / "server.log"
    server = SyncServerProcess(postgres_cluster.create_database(), log_path=log_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sync_server(shared_sync_server: SyncServerProcess, postgres_cluster: PostgresCluster) -> SyncServerProcess:
    """The session's sync server, running and healthy, with a fresh association and fresh per-address limits for this test (see above)."""
    shared_sync_server.ensure_running()
    retire_associations(postgres_cluster, shared_sync_server.db_url)
    forget_address_limits(postgres_cluster, shared_sync_server.db_url)
    shared_sync_server.begin_test()
    return shared_sync_server
