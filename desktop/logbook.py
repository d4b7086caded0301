"""The desk's log: named loggers under ``mustafid``, a private rotating file, incident numbers, redaction.

Decisions recorded here:

* One file per program in ``<data dir>/logs``: the desk writes ``desk.log``, ``mustafid-admin`` writes
  ``admin.log`` (two processes rotating one file fail on Windows, where an open file cannot be renamed).
  Each is 1 MiB with 5 older files beside it, UTF-8, and readable by the OS user only where the platform
  has POSIX modes (on Windows the per-user application data folder is already private to the user).
* Personal data never reaches the file. A `RedactionFilter` on the handler rewrites every record before it
  is written, message and traceback alike: SQLAlchemy's ``[parameters: ...]`` blocks, runs of Arabic letters
  (our messages are Arabic and may embed a name or a note), runs of six or more digits in Latin or
  Arabic-Indic digits, spaces, dashes or slashes between them allowed (IDs, phones, birth dates),
  e-mail addresses, the value pydantic quotes in a validation error (``input_value=...``, a Latin name
  would pass the rest), and the user name in paths. A traceback keeps its ``File "...", line N, in f`` lines,
  which is what support needs. Counts are logged with thousands separators (``12,345``) so that they
  stay readable.
* An unexpected error is written once, with its whole traceback, under an incident number such as
  ``M-4F7A2C`` (six upper-case hexadecimal characters, at least one a letter so that it never looks like
  a redacted number) that the officer reads to the administrator over the phone.
* Before `configure` is called, ``mustafid`` records go nowhere (a `logging.NullHandler`, so Python's
  last-resort handler never prints them unredacted). A program that cannot open its log file may call
  `buffer_until_configured`: records are then kept, redacted, in memory (the newest `BUFFER_CAPACITY`)
  and written to the file by the next successful `configure`.

Standard library only, no Qt.
"""

from __future__ import annotations

import collections
import getpass
import io
import logging
import os
import re
import threading
from pathlib import Path

__all__ = [
    "ADMIN_LOG",
    "BACKUP_COUNT",
    "DESK_LOG",
    "LEVEL_ENV",
    "LOGGER_NAME",
    "LOG_DIR_NAME",
    "MAX_BYTES",
    "RedactionFilter",
    "app_version",
    "buffer_until_configured",
    "close",
    "configure",
    "current_log_file",
    "get_logger",
    "log_dir",
    "log_files",
    "new_incident_number",
    "record_incident",
    "redact",
    "tail",
]

#: The parent of every logger of the application (``mustafid.sync``, ``mustafid.qt``, ...).
LOGGER_NAME = "mustafid"
#: The folder of the log files inside the data directory.
LOG_DIR_NAME = "logs"
#: The desk's log file, and the administrator's command line's.
DESK_LOG = "desk.log"
ADMIN_LOG = "admin.log"
#: Rotation: the current file grows to MAX_BYTES, then becomes ``.1`` (up to BACKUP_COUNT older files).
MAX_BYTES = 1 << 20
BACKUP_COUNT = 5
#: Set to DEBUG (or INFO, WARNING...) to change the level without a code change.
LEVEL_ENV = "MUSTAFID_LOG_LEVEL"
#: Records kept in memory by `buffer_until_configured`.
BUFFER_CAPACITY = 2000

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
_INCIDENT_ALPHABET = "0123456789ABCDEF"
_INCIDENT_LENGTH = 6

# ---------------------------------------------------------------------------------------------- redaction

_ARABIC_LETTERS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# SQLAlchemy writes "[parameters: (...)]" on one line (repr escapes newlines); the whole rest of it goes.
_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
_SQL_PARAMETERS_HIDDEN = "[parameters: <hidden>]"
# Tried only where a word starts (the look-behind), so that a long line costs linear time, not quadratic.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_DIGIT_RUN = re.compile(rf"\+?[{_DIGIT}](?:[ \-/]?[{_DIGIT}]){{5,}}")
# A run of Arabic words with the spaces and punctuation between them (never across a line break).
_ARABIC_RUN = re.compile(
    rf"[{_ARABIC_LETTERS}]+(?:[ \t\u00a0\u200c\u200d«»().,:;!?'\"\-/]*[{_ARABIC_LETTERS}]+)*"
)
# pydantic's validation errors quote the value they refused ("input_value='...'"), in any script.
_PYDANTIC_INPUT = re.compile(r"input_value=(?:'[^'\n]*'|\"[^\"\n]*\"|[^,\]\n]*)")
_WINDOWS_PROFILE = re.compile(r"(?i)([A-Z]:[\\/]+(?:Users|Documents and Settings)[\\/]+)[^\\/\n\"':]+")
_POSIX_HOME = re.compile(r"(/home/|/Users/)[^/\n\"':]+")


def _home_pattern() -> re.Pattern[str] | None:
    """The home directory as a whole path component, written with either separator, in any case."""
    try:
        home = str(Path.home())
    except (RuntimeError, KeyError, OSError):
        return None
    if home in ("", "/"):
        return None
    variants = sorted({home, home.replace("\\", "/"), home.replace("/", "\\")}, key=len, reverse=True)
    alternatives = "|".join(re.escape(variant) for variant in variants)
    return re.compile(rf"(?i)(?<![\w])(?:{alternatives})(?=[\\/\"'\s:]|$)")


def _user_pattern() -> re.Pattern[str] | None:
    """The OS login as a whole word (logins of three letters or more: shorter ones would hit ordinary words)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):
        return None
    if len(user) < 3:
        return None
    return re.compile(rf"(?i)(?<![\w]){re.escape(user)}(?![\w])")


_HOME = _home_pattern()
_USER = _user_pattern()


def redact(text: str, *, keep_arabic: bool = False) -> str:
    """`text` with personal data replaced by markers (``<ar>``, ``<digits>``, ``<email>``, ``<user>``).

    `keep_arabic` leaves Arabic words alone: only for sentences the application itself wrote (a stored
    sync error) that are shown to support as they are; names and notes must never go through it.
    """
    text = _BIDI_CONTROLS.sub("", text)
    text = _PARAMETERS.sub(_SQL_PARAMETERS_HIDDEN, text)
    text = _PYDANTIC_INPUT.sub("input_value=<hidden>", text)
    if _HOME is not None:
        text = _HOME.sub("~", text)
    text = _WINDOWS_PROFILE.sub(r"\1<user>", text)
    text = _POSIX_HOME.sub(r"\1<user>", text)
    if _USER is not None:
        text = _USER.sub("<user>", text)
    text = _EMAIL.sub("<email>", text)
    text = _DIGIT_RUN.sub("<digits>", text)
    if not keep_arabic:
        text = _ARABIC_RUN.sub("<ar>", text)
    return text


class RedactionFilter(logging.Filter):
    """Rewrites a record so that no personal data is written: its message, traceback and stack, redacted.

    The formatted traceback is stored in ``record.exc_text`` (which formatters use as it is), so any
    other handler that sees the record afterwards sees the redacted text too.
    """

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# ---------------------------------------------------------------------------------------------- handlers


def _posix_modes() -> bool:
    return os.name == "posix"


class _PrivateRotatingFileHandler(logging.FileHandler):
    """A file handler rotating by size (``desk.log`` → ``desk.log.1`` … ``.{BACKUP_COUNT}``) whose files are created
    owner-only and which never prints its own errors.

    A full disk or a locked file loses log records, never the officer's work: `handleError` counts
    instead of writing a traceback to stderr. Not `logging.handlers.RotatingFileHandler`: that module imports
    socket, pickle and queue, about 7 ms on the first window's path (issue 10); rotation by size is the two
    methods below, as the standard library's.
    """

    def __init__(self, path: Path) -> None:
        self.dropped = 0
        self.maxBytes = MAX_BYTES
        self.backupCount = BACKUP_COUNT
        super().__init__(path, mode="a", encoding="utf-8")

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, first rotating the files when it would take this one past `maxBytes`."""
        try:
            if self._full_with(record):
                self._rotate()
        except Exception:  # noqa: BLE001 - a log record lost, never the officer's work
            self.handleError(record)
            return
        super().emit(record)

    def _full_with(self, record: logging.LogRecord) -> bool:
        if self.maxBytes <= 0:
            return False
        if self.stream is None:
            self.stream = self._open()
        self.stream.seek(0, os.SEEK_END)
        return bool(self.stream.tell()) and self.stream.tell() + len(f"{self.format(record)}\n") >= self.maxBytes

    def _rotate(self) -> None:
        """``.4`` → ``.5`` … the file itself → ``.1``; the oldest beyond `backupCount` is replaced."""
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        if self.backupCount > 0:
            for number in range(self.backupCount - 1, 0, -1):
                if os.path.exists(f"{base}.{number}"):
                    os.replace(f"{base}.{number}", f"{base}.{number + 1}")
            if os.path.exists(base):
                os.replace(base, f"{base}.1")
        self.stream = self._open()

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        descriptor = os.open(self.baseFilename, flags, 0o600)
        try:
            if _posix_modes():
                os.chmod(descriptor, 0o600)  # a file left by an older version or another umask
            return open(descriptor, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115
        except BaseException:
            os.close(descriptor)
            raise

    def handleError(self, record: logging.LogRecord) -> None:
        """Count the lost record; never a traceback on the console."""
        self.dropped += 1


class _BufferHandler(logging.Handler):
    """Keeps the newest records in memory until a log file can be opened."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.records: collections.deque[logging.LogRecord] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the (already redacted) record."""
        self.records.append(record)


_lock = threading.RLock()
_handler: _PrivateRotatingFileHandler | None = None
_buffer: _BufferHandler | None = None
_root = logging.getLogger(LOGGER_NAME)
_root.addHandler(logging.NullHandler())


def get_logger(name: str) -> logging.Logger:
    """The named logger ``mustafid.<name>`` (``get_logger("sync")``)."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


def log_dir(data_dir: Path) -> Path:
    """Where a data directory keeps its log files."""
    return Path(data_dir) / LOG_DIR_NAME


def _private_directory(directory: Path) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if _posix_modes():
        os.chmod(directory, 0o700)


def _level(level: int | str | None) -> int:
    """The explicit level, else $MUSTAFID_LOG_LEVEL, else INFO."""
    chosen = level if level is not None else os.environ.get(LEVEL_ENV, "").strip().upper() or logging.INFO
    if isinstance(chosen, str):
        value = logging.getLevelName(chosen.upper())
        return value if isinstance(value, int) else logging.INFO
    return chosen


def configure(data_dir: Path, *, file_name: str = DESK_LOG, level: int | str | None = None) -> Path:
    """Log to ``<data_dir>/logs/<file_name>`` from now on and return that path.

    Idempotent: called again for the same file it changes nothing but the level; for another data
    directory (or file name) it moves the handler there (the old file is closed). The level is `level`,
    else the one already in force when a log was configured before, else $MUSTAFID_LOG_LEVEL, else INFO.
    Records kept by `buffer_until_configured` are written to the file. Raises OSError when the folder or
    the file cannot be created (nothing changes then).
    """
    global _handler, _buffer
    directory = log_dir(data_dir)
    path = directory / file_name
    with _lock:
        keep_level = level is None and (_handler is not None or _buffer is not None)
        if _handler is None or Path(_handler.baseFilename) != Path(os.path.abspath(path)):
            _private_directory(directory)
            handler = _PrivateRotatingFileHandler(path)
            handler.setFormatter(logging.Formatter(_FORMAT))
            handler.addFilter(RedactionFilter())
            previous, _handler = _handler, handler
            _root.addHandler(handler)
            if previous is not None:
                _root.removeHandler(previous)
                previous.close()
            if _buffer is not None:
                _root.removeHandler(_buffer)
                for record in _buffer.records:
                    handler.handle(record)
                _buffer = None
        if not keep_level:
            _root.setLevel(_level(level))
    return path


def buffer_until_configured(level: int | str | None = None) -> None:
    """Keep records in memory (redacted, the newest `BUFFER_CAPACITY`) until `configure` succeeds."""
    global _buffer
    with _lock:
        if _buffer is None and _handler is None:
            _buffer = _BufferHandler(BUFFER_CAPACITY)
            _buffer.addFilter(RedactionFilter())
            _root.addHandler(_buffer)
            _root.setLevel(_level(level))


def current_log_file() -> Path | None:
    """The file being written, or None before `configure`."""
    with _lock:
        return None if _handler is None else Path(_handler.baseFilename)


def close() -> None:
    """Stop writing the log file (end of a command; tests). Records go nowhere until `configure` again."""
    global _handler, _buffer
    with _lock:
        for handler in (_handler, _buffer):
            if handler is not None:
                _root.removeHandler(handler)
                handler.close()
        _handler = None
        _buffer = None


# ---------------------------------------------------------------------------------------------- incidents


def new_incident_number() -> str:
    """A short number to read over the phone, e.g. ``M-4F7A2C`` (never six digits in a row)."""
    import secrets  # here: hmac and hashlib stay off the first window's path

    while True:
        body = "".join(secrets.choice(_INCIDENT_ALPHABET) for _ in range(_INCIDENT_LENGTH))
        if not body.isdigit():
            return f"M-{body}"


def record_incident(error: BaseException, where: str = "") -> str:
    """Write `error` with its whole traceback (redacted) under a new incident number and return the number."""
    number = new_incident_number()
    place = f" in {where}" if where else ""
    get_logger("incident").error(
        "incident %s%s: %s", number, place, type(error).__qualname__,
        exc_info=(type(error), error, error.__traceback__),
    )
    return number


# ---------------------------------------------------------------------------------------------- reading


def app_version() -> str:
    """The version of this copy of Mustafid Desk (`desktop.version.app_version`)."""
    from desktop.version import app_version as version

    return version()


def log_files(data_dir: Path) -> list[Path]:
    """The log files of a data directory, each program's current file first, then its older ones."""
    directory = log_dir(data_dir)
    if not directory.is_dir():
        return []
    files: list[Path] = []
    for name in (DESK_LOG, ADMIN_LOG):
        for index in range(BACKUP_COUNT + 1):
            path = directory / (name if index == 0 else f"{name}.{index}")
            if path.is_file():
                files.append(path)
    return files


def tail(path: Path, lines: int) -> list[str]:
    """The last `lines` lines of a log file, redacted again (a file from an older version stays private)."""
    if lines <= 0:
        return []
    size = path.stat().st_size
    with path.open("rb") as stream:
        stream.seek(max(0, size - MAX_BYTES * 2))
        data = stream.read()
    text = data.decode("utf-8", errors="replace")
    return [_redact_line(line) for line in text.splitlines()[-lines:]]


# The time stamp the formatter writes at the start of a line (not personal, and it must stay readable).
_LINE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} )(.*)", re.DOTALL)


def _redact_line(line: str) -> str:
    """A log line redacted after its time stamp."""
    match = _LINE_TIME.fullmatch(line)
    return redact(line) if match is None else match.group(1) + redact(match.group(2))

