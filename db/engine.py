"""The local SQLite database: opening it, its connection settings, sessions and migrations at start-up.

Start-up cost is kept low on purpose: `Database.open` and `Database.upgrade` on a database
already at `HEAD_REVISION` use the DB-API driver only (one read of ``alembic_version``); SQLAlchemy's
engine is created on first use of `Database.engine` or `Database.session`, and Alembic is imported
only when a migration has to run.

An encrypted desk (issue 14) is SQLCipher through ``sqlcipher3``: `Database` is given the 256-bit data
key and every connection it makes (the engine's, the fast path's, hence the outbox triggers' and the
FTS5 index's, which live in the same file) is keyed first with it as a *raw* key (``PRAGMA key =
"x'…'"``: no key derivation, opening stays fast). Without a key the standard library's ``sqlite3``
opens a plaintext file as before (a wave-1 desk until `desktop.encryption` migrates it). The key
itself is kept wrapped in `desktop.keystore`; this module never sees a password.
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
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from db.file_limits import ignore_file_size_signal

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

__all__ = [
    "BEFORE_UPGRADE_DIR",
    "BUSY_TIMEOUT_MS",
    "HEAD_REVISION",
    "MIGRATIONS_DIR",
    "DataDirectoryError",
    "Database",
    "DatabaseDamagedError",
    "DatabaseError",
    "DatabaseLockedError",
    "DatabaseTooNewError",
    "DATA_KEY_BYTES",
    "INTEGRITY_ERRORS",
    "UNSTORABLE_ERRORS",
    "SQLITE_HEADER",
    "DatabaseSealedError",
    "WrongKeyError",
    "check_header",
    "connect_raw",
    "ignore_file_size_signal",
    "lock_holders",
    "locked_error",
    "alembic_config",
    "connect_keyed",
    "driver_connection",
    "is_encrypted_file",
    "sqlcipher_module",
    "autogenerate_include_name",
    "begin_sqlite_transaction",
    "configure_sqlite_connection",
]

#: The Alembic revision this code's models correspond to (a test checks it is Alembic's head).
HEAD_REVISION = "0023"
#: The SQLite header's application id of a Mustafid Desk database ("MDSK"). Every migration step also writes its
#: revision's number into the header's user_version (`revision_stamp`, db/migrations/env.py), so a file stamped
#: with both at `HEAD_REVISION` is known to be at head from its header alone: a new connection parses the whole
#: schema (~5 ms) on its first query, a header pragma does not. A file without the stamp (written before it, or
#: changed by hand) is read the long way, from alembic_version.
APPLICATION_ID = 0x4D44534B


def revision_stamp(revision: str | None) -> int:
    """The user_version a migration step leaves for `revision`: its number, 0 for none (or a name not a number)."""
    return int(revision) if revision is not None and revision.isdigit() else 0


#: Where the Alembic environment and revisions live (inside the package, no alembic.ini needed).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Where `Database.copy_before_upgrade` keeps the database as it was before a newer version migrated it
#: (relative to the database's folder, the data directory).
BEFORE_UPGRADE_DIR = Path("backups") / "before-upgrade"

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


class DatabaseDamagedError(DatabaseError):
    """The file is damaged, empty or not a desk database; it is left exactly as it is (never replaced)."""


class DatabaseLockedError(DatabaseError):
    """Another program holds the database's lock; `holders` names it when the system tells (Linux)."""

    def __init__(self, message_ar: str, *, holders: tuple[str, ...] = (), detail: str | None = None) -> None:
        super().__init__(message_ar, detail=detail)
        self.holders = holders


#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"

_DAMAGED_AR = "ملف قاعدة البيانات تالف أو ليس قاعدة بيانات، ولم يُغيَّر فيه شيء"
_EMPTY_AR = "ملف قاعدة البيانات فارغ (حجمه صفر)، ولم يُستبدل بقاعدة جديدة ولم يُغيَّر فيه شيء"
_LOCKED_AR = "قاعدة البيانات مقفلة الآن ببرنامج آخر يستخدمها{holders}، ولم يُغيَّر فيها شيء؛ أغلقه ثم أعد المحاولة."


def connect_raw(path: Path, *, read_only: bool = False, immutable: bool = False,
                key: bytes | None = None) -> sqlite3.Connection:
    """A DB-API connection to a desk database file: the one place backup, verify, restore and the start-up check
    open one; an encrypted database is keyed here with its data `key` (SQLCipher, `connect_keyed`).

    `read_only` opens it without writing anything (no -wal/-shm made when `immutable` too); the caller closes it.
    """
    mode = "ro&immutable=1" if read_only and immutable else "ro" if read_only else "rw"
    connection = connect_keyed(_sqlite_uri(path, mode), key, uri=True, isolation_level=None,
                               check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def check_header(path: Path) -> None:
    """The cheap start-up check of a database file that exists: not empty, SQLite's header, whole pages.

    Reads 100 bytes. Raises `DatabaseDamagedError` (the file untouched) for an empty file, a foreign file
    or one cut short; `PRAGMA quick_check` (which reads the whole file) is left to the backups and `verify`.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise DataDirectoryError("تعذرت قراءة ملف قاعدة البيانات: تحقق من الصلاحيات", detail=str(error)) from error
    if size == 0:
        raise DatabaseDamagedError(_EMPTY_AR, detail=str(path))
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise DatabaseDamagedError(_DAMAGED_AR, detail=f"{path}: no SQLite header")
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return  # a checkpoint cut short may leave the file shorter than its header says: the log completes it
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages_in_header = int.from_bytes(header[28:32], "big")
    if page_size < 512 or page_size & (page_size - 1) or size % page_size:
        raise DatabaseDamagedError(_DAMAGED_AR, detail=f"{path}: size {size} not whole pages of {page_size}")
    # The header's page count is valid only when written by a library that keeps it (version-valid-for).
    valid_for = int.from_bytes(header[92:96], "big")
    change_counter = int.from_bytes(header[24:28], "big")
    if valid_for == change_counter and pages_in_header and pages_in_header * page_size > size:
        raise DatabaseDamagedError(_DAMAGED_AR, detail=f"{path}: {size} bytes, header says {pages_in_header} pages")


def quick_check(path: Path, key: bytes | None = None) -> None:
    """SQLite's ``PRAGMA quick_check`` over the whole file (seconds on a large desk: never on the start-up path).

    Opens its own read-only connection (keyed for an encrypted desk), so the desk's sessions go on beside it.
    Raises `DatabaseDamagedError` with the start-up check's wording (the file untouched) when SQLite reports
    anything but "ok", or cannot read the file as a database at all.
    """
    driver_errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
    if key is not None:
        driver_errors += (cast(type[Exception], sqlcipher_module().DatabaseError),)
    try:
        connection = connect_raw(path, read_only=True, key=key)
    except driver_errors as error:
        raise DatabaseDamagedError(_DAMAGED_AR, detail=f"{path}: {type(error).__name__}") from error
    try:
        rows = [str(row[0]) for row in connection.execute("PRAGMA quick_check(20)").fetchall()]
    except driver_errors as error:  # "database disk image is malformed"
        raise DatabaseDamagedError(_DAMAGED_AR, detail=f"{path}: {type(error).__name__}") from error
    finally:
        connection.close()
    if rows != ["ok"]:
        raise DatabaseDamagedError(_DAMAGED_AR, detail=f"{path}: quick_check reported {len(rows)} problems")


def lock_holders(path: Path) -> tuple[str, ...]:
    """The names of the other programs that have `path` open, when the system tells (Linux ``/proc``), else ()."""
    proc = Path("/proc")
    if not proc.is_dir():
        return ()
    try:
        target = path.resolve()
    except OSError:
        return ()
    names: list[str] = []
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if Path(os.readlink(fd)) == target:
                    name = (entry / "comm").read_text(encoding="utf-8").strip()
                    names.append(f"{name} ({entry.name})")
                    break
        except OSError:
            continue
    return tuple(names)


def locked_error(path: Path, error: BaseException | None = None) -> DatabaseLockedError:
    """The `DatabaseLockedError` for `path`, naming the programs holding it when known."""
    holders = lock_holders(path)
    named = f" ({'، '.join(holders)})" if holders else ""
    return DatabaseLockedError(_LOCKED_AR.format(holders=named), holders=holders,
                               detail=None if error is None else str(error))


def _is_locked(error: BaseException) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class DatabaseSealedError(DatabaseError):
    """The database is encrypted and no member of staff has signed in yet to unlock it."""


class WrongKeyError(DatabaseError):
    """The key given does not open this database (a wrong key, or a file that is not this desk's)."""


#: The data key's length: 256 bits, random, given to SQLCipher as a raw key.
DATA_KEY_BYTES = 32

#: Every file the desk creates is readable by its owner only (the database, its -wal/-shm, keystore, scans).
PRIVATE_FILE_MODE = 0o600

LOCKED_MESSAGE = "قاعدة البيانات مشفّرة ومقفلة: سجّل الدخول بكلمة مرورك لفتحها"
WRONG_KEY_MESSAGE = "مفتاح التشفير لا يفتح قاعدة البيانات هذه: تحقق من كلمة المرور أو من مفتاح الاسترداد"

_sqlcipher: ModuleType | None = None


def sqlcipher_module() -> ModuleType:
    """The SQLCipher DB-API module (``sqlcipher3.dbapi2``), imported on first use (same API as ``sqlite3``)."""
    global _sqlcipher
    if _sqlcipher is None:
        import importlib

        _sqlcipher = importlib.import_module("sqlcipher3.dbapi2")
    return _sqlcipher


def _integrity_errors() -> tuple[type[Exception], ...]:
    try:
        return (sqlite3.IntegrityError, cast(type[Exception], sqlcipher_module().IntegrityError))
    except ImportError:  # pragma: no cover - sqlcipher3 is a dependency; a plaintext desk still works without it
        return (sqlite3.IntegrityError,)


#: The driver's integrity errors, for code working on a raw connection (either driver may have made it).
INTEGRITY_ERRORS: tuple[type[Exception], ...] = _integrity_errors()


def _unstorable_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [*INTEGRITY_ERRORS, sqlite3.InterfaceError, OverflowError]
    try:
        errors.append(cast(type[Exception], sqlcipher_module().InterfaceError))
    except ImportError:  # pragma: no cover - sqlcipher3 is a dependency
        pass
    return tuple(errors)


#: What either driver raises for a value it cannot store (a constraint, a type, a number out of range): the sync
#: sets such a pulled row aside instead of stopping the round.
UNSTORABLE_ERRORS: tuple[type[Exception], ...] = _unstorable_errors()


def _key_pragma(key: bytes) -> str:
    """``PRAGMA key`` with `key` as a raw 256-bit key (hex digits only: nothing to quote)."""
    if len(key) != DATA_KEY_BYTES:
        raise ValueError("the data key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_keyed(database: str, key: bytes | None, *, uri: bool = False, **kwargs: Any) -> sqlite3.Connection:
    """A DB-API connection to `database`: SQLCipher keyed with `key`, or the standard ``sqlite3`` without one.

    The SQLCipher connection has the ``sqlite3`` API; it is typed as one so that code on a raw connection
    (sync, demo data) serves both. The key is checked at once (`WrongKeyError`, Arabic).
    """
    if key is None:
        plain: sqlite3.Connection = sqlite3.connect(database, uri=uri, **kwargs)
        return plain
    module = sqlcipher_module()
    connection = cast(sqlite3.Connection, module.connect(database, uri=uri, **kwargs))
    try:
        _apply_key(connection, key)
    except BaseException:
        connection.close()
        raise
    return connection


def _apply_key(connection: Any, key: bytes) -> None:
    """Key a fresh SQLCipher connection and prove the key (one read of the schema).

    SQLCipher's own log (a wrong key's "hmac check failed" on stderr) is silenced: the refusal is the
    `WrongKeyError` raised here, worded in Arabic, and the desk's log records only its kind.
    """
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(_key_pragma(key))
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as error:  # sqlcipher3's DatabaseError: "file is not a database"
        raise WrongKeyError(WRONG_KEY_MESSAGE, detail=type(error).__name__) from error


def driver_connection(fairy: Any) -> sqlite3.Connection:
    """The DB-API connection under a pooled one (``sqlite3`` or SQLCipher's, which has the same API)."""
    connection = fairy.driver_connection
    assert connection is not None and hasattr(connection, "execute")
    return cast(sqlite3.Connection, connection)


def is_encrypted_file(path: Path) -> bool:
    """True when `path` is not a plaintext SQLite file (SQLCipher encrypts the header too); False when absent/empty."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return bool(head) and head != b"SQLite format 3\x00"


def make_private(path: Path) -> None:
    """Make an existing file owner-only (POSIX; on Windows the data directory's ACL and DPAPI protect it)."""
    if os.name == "posix":
        try:
            os.chmod(path, PRIVATE_FILE_MODE)
        except OSError:
            pass


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
    """One local SQLite database file: engine, sessions, migrations; SQLCipher when it has a key.

    `encrypted` says the file is (or is to be made) SQLCipher; until `unlock` gives it the key, opening an
    engine raises `DatabaseSealedError` (Arabic).
    """

    def __init__(self, path: Path, *, key: bytes | None = None, encrypted: bool | None = None) -> None:
        self.path = path
        self._key = key
        self.encrypted = key is not None if encrypted is None else encrypted
        self._engine: Engine | None = None
        self._read_engine: Engine | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path, *, key: bytes | None = None, encrypted: bool | None = None) -> Database:
        """Prepare the database at `path` (its directory is created); nothing is migrated yet.

        With `key` the file is SQLCipher; `encrypted=True` without a key prepares a locked database that
        `unlock` opens later. The file is made (owner-only) by the first connection, not here.
        """
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
        return cls(path, key=key, encrypted=encrypted)

    @property
    def is_unlocked(self) -> bool:
        """True when the database can be opened: plaintext, or encrypted with its key given."""
        return not self.encrypted or self._key is not None

    def unlock(self, key: bytes) -> None:
        """Give an encrypted database its data key (checked at once: `WrongKeyError` when it does not open it)."""
        if self._key == key:
            return
        if self.path.exists() and self.path.stat().st_size > 0:
            connect_keyed(_sqlite_uri(self.path, "ro"), key, uri=True).close()
        with self._lock:
            self._dispose()
            self._key = key
            self.encrypted = True

    def lock(self) -> None:
        """Drop the key and every connection (sign-out): nothing can be read until `unlock` again."""
        if not self.encrypted:
            return
        with self._lock:
            self._dispose()
            self._key = None

    @contextmanager
    def closed_for_maintenance(self) -> Iterator[None]:
        """Close every connection and refuse new ones (`DatabaseSealedError`) while the file is rewritten in
        place (`desktop.encryption`): nothing reads or writes a file about to be replaced. Afterwards the
        database opens as before, unless `unlock` gave it a key meanwhile."""
        with self._lock:
            self._dispose()
            was_encrypted, key = self.encrypted, self._key
            self.encrypted, self._key = True, None
        try:
            yield
        finally:
            with self._lock:
                if self._key is None:
                    self.encrypted, self._key = was_encrypted, key

    def connect(self, *, uri_mode: str | None = None) -> sqlite3.Connection:
        """A plain DB-API connection to this file (keyed when encrypted), for tools that work outside the engine."""
        self._require_key()
        if uri_mode is None:
            return connect_keyed(str(self.path), self._key)
        return connect_keyed(_sqlite_uri(self.path, uri_mode), self._key, uri=True)

    @property
    def data_key(self) -> bytes | None:
        """The data key this database is open with (None: plaintext, or encrypted and sealed). Never logged."""
        return self._key

    def _require_key(self) -> None:
        if self.encrypted and self._key is None:
            raise DatabaseSealedError(LOCKED_MESSAGE)

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

        self._require_key()
        key = self._key
        options: dict[str, Any] = {}
        if key is not None:
            # SQLAlchemy's pysqlite dialect over SQLCipher's module (the same DB-API), keyed before anything else.
            options["module"] = sqlcipher_module()
        engine = create_engine(
            URL.create("sqlite", database=str(self.path)),  # no URL parsing of the path ("?", "#")
            hide_parameters=True,  # errors never carry the values (names, IDs) into a message or the log
            json_serializer=lambda value: json.dumps(value, ensure_ascii=False),
            # The GUI reads on up to three threads: hand out the connection used last, whose page cache is warm,
            # instead of the oldest (each SQLite connection keeps its own cache; LIFO keeps memory at one).
            pool_use_lifo=True,
            **options,
        )
        path = self.path
        # First on every connection: the file (created by the first one) owner-only before the WAL is switched
        # on, so that SQLite gives the -wal and -shm it creates the same mode. Database.open creates nothing.
        event.listen(engine, "connect", lambda _connection, _record: make_private(path))
        if key is not None:
            event.listen(engine, "connect", lambda connection, _record: _apply_key(connection, key))
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

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only connection for one quick look-up (a check before an action): no ORM unit of work,
        about a fifth of a read-only `session()`'s cost; nothing is written, no write lock is taken."""
        with self._readonly_engine().connect() as connection:
            yield connection

    # ------------------------------------------------------------------ migrations

    def current_revision(self) -> str | None:
        """The Alembic revision stored in the file, or None for a new (empty) database.

        Read through a read-only ``sqlite3`` connection, so that even a database this code
        must refuse is not modified (no journal-mode change, nothing written).
        """
        if not self.path.exists():
            return None
        # An empty or foreign file is refused before anything could write to it (issue 14, item 5): SQLite
        # would otherwise take a 0-byte file for a new database and create the tables in it.
        self._require_key()  # a sealed (encrypted, locked) database says so before anything is read
        if not self.encrypted:  # SQLCipher encrypts the header too: a keyed file is proved by its key instead
            check_header(self.path)
        # Without a write-ahead log beside it the file is the whole database: read it as immutable,
        # which creates no -wal/-shm files. With one, a normal read-only open also reads the log.
        has_wal = Path(f"{self.path}-wal").exists()
        self._require_key()
        try:
            connection = connect_raw(self.path, read_only=True, immutable=not has_wal, key=self._key)
        except WrongKeyError:
            raise
        except Exception as error:  # either driver's Error
            if _is_locked(error):
                raise locked_error(self.path, error) from error
            raise DatabaseError("تعذر فتح ملف قاعدة البيانات", detail=type(error).__name__) from error
        try:
            stamped = (connection.execute("PRAGMA application_id").fetchone()[0],
                       connection.execute("PRAGMA user_version").fetchone()[0])
            if stamped == (APPLICATION_ID, revision_stamp(HEAD_REVISION)):
                return HEAD_REVISION  # the header says so: the schema is not read (see APPLICATION_ID)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                if tables:
                    raise DatabaseDamagedError(
                        "الملف قاعدة بيانات لبرنامج آخر وليس قاعدة بيانات مكتب المستفيد، ولم يُغيَّر فيه شيء",
                        detail=str(self.path),
                    )
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except DatabaseError:
            raise
        except Exception as error:  # either driver's (a plaintext read of an encrypted file too)
            if _is_locked(error):
                raise locked_error(self.path, error) from error
            raise DatabaseDamagedError(_DAMAGED_AR, detail=str(error)) from error
        finally:
            connection.close()
        return None if row is None else str(row[0])

    def upgrade(self, *, keep_copy: bool = True) -> None:
        """Bring the database to `HEAD_REVISION` at start-up; at head this costs one query.

        A copy is kept first (`copy_before_upgrade`) unless `keep_copy` is False (a restore's copy of a backup,
        whose backup is that copy). Raises `DatabaseTooNewError` (database untouched) when the stored revision is unknown
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
        if revision is not None and keep_copy:
            self.copy_before_upgrade(revision)
        started = time.perf_counter()
        self._run_migrations()
        _log.info("database migrated from revision %s to %s in %.2f s", revision or "(new)", HEAD_REVISION,
                  time.perf_counter() - started)

    def copy_before_upgrade(self, revision: str) -> Path:
        """Copy the database as it is, before a newer version migrates it; return the copy's path.

        An upgrade installed over an older desk migrates its database at first start: the copy, in
        ``<data dir>/backups/before-upgrade/``, named by the schema revisions and the time, is the way back. It is
        taken with SQLite's online backup (the write-ahead log included) into a file renamed only when whole; a
        copy that cannot be written stops the migration (`DataDirectoryError`), the database untouched.
        """
        folder = self.path.parent / BEFORE_UPGRADE_DIR
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        target = folder / f"{self.path.stem}-{revision}-to-{HEAD_REVISION}-{stamp}{self.path.suffix or '.sqlite3'}"
        partial = target.with_name(target.name + ".partial")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Keyed like the database (an encrypted desk's copy stays encrypted, under the same data key).
            source = connect_keyed(_sqlite_uri(self.path, "ro"), self._key, uri=True)
            try:
                copy = connect_keyed(str(partial), self._key)
                try:
                    source.backup(copy)
                finally:
                    copy.close()
            finally:
                source.close()
            make_private(partial)
            os.replace(partial, target)
        except WrongKeyError:
            raise
        except Exception as error:  # OSError, or either driver's Error
            partial.unlink(missing_ok=True)
            raise DataDirectoryError(
                "تعذّر أخذ نسخة من قاعدة البيانات قبل تحديثها، فلم تُحدَّث: تحقق من المساحة والصلاحيات في مجلد البيانات",
                detail=f"{folder}: {error}",
            ) from error
        _log.info("database copied before migrating from revision %s (%s)", revision, target.name)
        return target

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
        self._dispose()

    def _dispose(self) -> None:
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
