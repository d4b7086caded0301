"""The local SQLite database: opening it, its connection settings, sessions and migrations at start-up.

Start-up cost is kept low on purpose: `Database.open` and `Database.upgrade` on a database
already at `HEAD_REVISION` use the standard library's ``sqlite3`` only (one read of
``alembic_version``); SQLAlchemy's engine is created on first use of `Database.engine` or
`Database.session`, and Alembic is imported only when a migration has to run.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

__all__ = [
    "BUSY_TIMEOUT_MS",
    "HEAD_REVISION",
    "MIGRATIONS_DIR",
    "DataDirectoryError",
    "Database",
    "DatabaseError",
    "DatabaseTooNewError",
    "alembic_config",
    "autogenerate_include_name",
    "begin_sqlite_transaction",
    "configure_sqlite_connection",
]

#: The Alembic revision this code's models correspond to (a test checks it is Alembic's head).
HEAD_REVISION = "0018"

#: Where the Alembic environment and revisions live (inside the package, no alembic.ini needed).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: How long a connection waits for another one's write lock before giving up.
BUSY_TIMEOUT_MS = 5000

_PROBE_PREFIX = ".mustafid-write-probe-"

#: The storage layer's logger (a child of the desk's ``mustafid`` logger, see `desktop.logbook`).
_log = logging.getLogger("mustafid.db")


class DatabaseError(Exception):
    """A database problem the officer can be told about: `message_ar` is shown as it is."""

    def __init__(self, message_ar: str, *, detail: str | None = None) -> None:
        super().__init__(message_ar if detail is None else f"{message_ar} ({detail})")
        self.message_ar = message_ar
        self.detail = detail


class DatabaseTooNewError(DatabaseError):
    """The database was written by a newer version of the app; it is left untouched."""


class DataDirectoryError(DatabaseError):
    """The data directory (or the database file) cannot be created or written."""


def configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: object = None) -> None:
    """Connection settings applied to every new connection (the engine's "connect" listener).

    ``isolation_level = None`` hands transaction control to SQLAlchemy (`begin_sqlite_transaction`
    emits BEGIN), which makes DDL in migrations transactional and SAVEPOINT work.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA cache_size=-32768")  # 32 MiB of page cache per connection
    finally:
        cursor.close()


def begin_sqlite_transaction(connection: Connection) -> None:
    """Emit BEGIN for SQLAlchemy: IMMEDIATE (write lock up front) unless the engine asks otherwise.

    Taking the write lock at BEGIN means a user action never fails half-way with "database
    is locked" when another connection (the sync) wrote between its read and its write;
    read-only sessions use a deferred BEGIN and never wait for writers (WAL).
    """
    connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN IMMEDIATE"))


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the migrations in this package, bound to `connection` if given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


#: Tables made by raw SQL in migrations (the FTS5 index and its shadow tables), unknown to the models.
RAW_SQL_TABLE_PREFIXES: tuple[str, ...] = ("beneficiary_fts", "rescue_report_fts")


def autogenerate_include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic `include_name` hook: autogenerate leaves the raw-SQL tables (FTS5) alone."""
    return not (type_ == "table" and name is not None and name.startswith(RAW_SQL_TABLE_PREFIXES))


def _sqlite_uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


class Database:
    """One local SQLite database file: engine, sessions, migrations."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine: Engine | None = None
        self._read_engine: Engine | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path) -> Database:
        """Prepare the database at `path` (its directory is created); nothing is migrated yet."""
        path = Path(path)
        _ensure_writable_directory(path.parent)
        if path.exists():
            if path.is_dir():
                raise DatabaseError(
                    "مسار قاعدة البيانات مجلد وليس ملفًا: اختر مسارًا آخر لملف البيانات", detail=str(path)
                )
            if not os.access(path, os.R_OK | os.W_OK):
                raise DataDirectoryError(
                    "لا يمكن الكتابة في ملف قاعدة البيانات: تحقق من صلاحيات الملف", detail=str(path)
                )
        return cls(path)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (created on first use, with the pragmas on every connection)."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> Engine:
        import json

        from sqlalchemy import URL, create_engine, event

        engine = create_engine(
            URL.create("sqlite", database=str(self.path)),  # no URL parsing of the path ("?", "#")
            hide_parameters=True,  # errors never carry the values (names, IDs) into a message or the log
            json_serializer=lambda value: json.dumps(value, ensure_ascii=False),
            # The GUI reads on up to three threads: hand out the connection used last, whose page cache is warm,
            # instead of the oldest (each SQLite connection keeps its own cache; LIFO keeps memory at one).
            pool_use_lifo=True,
        )
        event.listen(engine, "connect", configure_sqlite_connection)
        event.listen(engine, "begin", begin_sqlite_transaction)
        return engine

    def _readonly_engine(self) -> Engine:
        if self._read_engine is None:
            self._read_engine = self.engine.execution_options(sqlite_begin="BEGIN")
        return self._read_engine

    # ------------------------------------------------------------------ sessions

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """One unit of work (one user action): committed on success, rolled back on any error.

        `read_only=True` starts a deferred transaction that does not take the write lock
        (searches, lists); nothing is committed, and loaded objects stay readable afterwards.
        """
        from sqlalchemy.orm import Session

        bind = self._readonly_engine() if read_only else self.engine
        session = Session(bind=bind, expire_on_commit=False)
        try:
            yield session
            if not read_only:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # ------------------------------------------------------------------ migrations

    def current_revision(self) -> str | None:
        """The Alembic revision stored in the file, or None for a new (empty) database.

        Read through a read-only ``sqlite3`` connection, so that even a database this code
        must refuse is not modified (no journal-mode change, nothing written).
        """
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None
        # Without a write-ahead log beside it the file is the whole database: read it as immutable,
        # which creates no -wal/-shm files. With one, a normal read-only open also reads the log.
        has_wal = Path(f"{self.path}-wal").exists()
        mode = "ro" if has_wal else "ro&immutable=1"
        try:
            connection = sqlite3.connect(_sqlite_uri(self.path, mode), uri=True)
        except sqlite3.Error as error:
            raise DatabaseError("تعذر فتح ملف قاعدة البيانات", detail=str(error)) from error
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                if tables:
                    raise DatabaseError(
                        "الملف قاعدة بيانات لبرنامج آخر وليس قاعدة بيانات مكتب المستفيد، ولم يُغيَّر فيه شيء",
                        detail=str(self.path),
                    )
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise DatabaseError(
                "ملف قاعدة البيانات تالف أو ليس قاعدة بيانات: استعد آخر نسخة احتياطية", detail=str(error)
            ) from error
        finally:
            connection.close()
        return None if row is None else str(row[0])

    def upgrade(self) -> None:
        """Bring the database to `HEAD_REVISION` at start-up; at head this costs one query.

        Raises `DatabaseTooNewError` (database untouched) when the stored revision is unknown
        to this code, i.e. the file was written by a newer version of the app.
        """
        revision = self.current_revision()
        if revision == HEAD_REVISION:
            return
        from alembic.script import ScriptDirectory
        from alembic.script.revision import RevisionError
        from alembic.util import CommandError

        if revision is not None:
            try:
                known = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
            except (CommandError, RevisionError):
                known = None
            if known is None:
                raise DatabaseTooNewError(
                    "قاعدة البيانات أُنشئت بإصدار أحدث من البرنامج: حدّث البرنامج لفتحها، "
                    "ولم يُغيَّر في الملف شيء",
                    detail=f"revision {revision}",
                )
        started = time.perf_counter()
        self._run_migrations()
        _log.info("database migrated from revision %s to %s in %.2f s", revision or "(new)", HEAD_REVISION,
                  time.perf_counter() - started)

    def _run_migrations(self) -> None:
        from alembic import command
        from sqlalchemy import text

        with self.engine.connect() as connection:
            # SQLite ignores this pragma inside a transaction, so it goes to the driver before
            # BEGIN: batch migrations copy and drop tables, which must not trip foreign keys.
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    command.upgrade(alembic_config(connection), "head")
                    # Tables a migration adds get their outbox triggers in the same transaction,
                    # so no local change can escape the sync outbox (see db/outbox.py).
                    from db.outbox import install_outbox_triggers

                    install_outbox_triggers(driver)
                    problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                    if problems:
                        raise DatabaseError(
                            "فشل تحديث قاعدة البيانات: بيانات مرتبطة غير متسقة، ولم يُطبَّق التحديث",
                            detail=repr(problems[:5]),
                        )
            finally:
                driver.execute("PRAGMA foreign_keys=ON")

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Close every pooled connection (the last one checkpoints the WAL into the file)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._read_engine = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _ensure_writable_directory(directory: Path) -> None:
    """Create `directory` if needed and prove that files can be created in it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataDirectoryError(
            "تعذر إنشاء مجلد البيانات: اختر مجلدًا يمكن الكتابة فيه", detail=f"{directory}: {error}"
        ) from error
    if not directory.is_dir():
        raise DataDirectoryError("مسار مجلد البيانات ليس مجلدًا: اختر مجلدًا آخر", detail=str(directory))
    try:
        fd, probe = tempfile.mkstemp(prefix=_PROBE_PREFIX, dir=directory)
    except OSError as error:
        raise DataDirectoryError(
            "لا يمكن الكتابة في مجلد البيانات: تحقق من الصلاحيات أو اختر مجلدًا آخر",
            detail=f"{directory}: {error}",
        ) from error
    os.close(fd)
    os.unlink(probe)
