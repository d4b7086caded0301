"""`mustafid-admin diagnostics --out FILE`: one zip for support, with no personal data in it.

What the zip holds:

* ``diagnostics.json`` — the app version; platform facts (operating system, Python, library versions; not
  the computer's name, which often carries its owner's); the data directory's non-personal settings read
  through a read-only SQLite connection (nothing is migrated or written, so a database the desk refuses
  can still be examined): the schema revision beside the code's, the adopted policy (profile id, version
  label, content hash, adoption time), the enrolment state (server address, device and association ids,
  times of the last rounds, the last sync error as the desk wrote it — never the credential, only whether
  its file exists), row counts per table, file sizes and free disk space. No path is written (a path on
  Windows holds the user's name).
* ``log-tail.txt`` — the last lines of each program's log (``desk.log``, ``admin.log``), redacted again on
  the way out (`desktop.logbook.tail`).

Standard library only (and `db.engine`'s constants), no Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import locale
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop import logbook

__all__ = ["DEFAULT_LINES", "add_commands", "collect", "log_tail", "write_archive"]

#: Log lines per program written to the zip unless `--lines` says otherwise.
DEFAULT_LINES = 500

EXIT_OK = 0
EXIT_FAILURE = 1

#: Libraries whose versions support asks for first.
PACKAGES: tuple[str, ...] = (
    "PySide6-Essentials", "SQLAlchemy", "alembic", "reportlab", "arabic-reshaper", "python-bidi", "hijridate",
    "pydantic", "httpx", "pypdfium2", "Pillow", "platformdirs",
)

_log = logbook.get_logger("diagnostics")


def _package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _platform_facts() -> dict[str, Any]:
    """The operating system and Python the desk runs on (no computer or user name)."""
    return {
        "system": platform.system(),
        "release": platform.release(),
        "version": platform.version(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "encoding": locale.getpreferredencoding(False),
        "filesystem_encoding": sys.getfilesystemencoding(),
        "timezone": list(time.tzname),
        "utc_offset_minutes": int((dt.datetime.now().astimezone().utcoffset() or dt.timedelta()).total_seconds() // 60),
        "packages": _package_versions(),
    }


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _server_address(url: object) -> str | None:
    """The scheme, host and port of the sync server (no user, path or query)."""
    if not isinstance(url, str) or not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _one_row(connection: sqlite3.Connection, sql: str) -> dict[str, Any] | None:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    row = cursor.fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def _database_facts(data_dir: Path) -> dict[str, Any]:
    """Schema revision, policy, enrolment and row counts, read without writing anything."""
    from db.engine import HEAD_REVISION, is_encrypted_file
    from desktop.workspace import DATABASE_FILE

    path = data_dir / DATABASE_FILE
    facts: dict[str, Any] = {"present": path.is_file(), "code_revision": HEAD_REVISION}
    if not facts["present"]:
        return facts
    facts["size_bytes"] = _size(path)
    facts["wal_size_bytes"] = _size(Path(f"{path}-wal"))
    if is_encrypted_file(path):
        facts["encrypted"] = True  # read only after a sign-in: a support report never asks for a password
        return facts
    has_wal = Path(f"{path}-wal").exists()
    uri = f"{path.resolve().as_uri()}?mode=ro{'' if has_wal else '&immutable=1'}"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        facts["error"] = type(error).__name__
        return facts
    try:
        facts.update(_read_database(connection))
    except sqlite3.Error as error:
        facts["error"] = f"{type(error).__name__}: {logbook.redact(str(error))}"
    finally:
        connection.close()
    return facts


def _read_database(connection: sqlite3.Connection) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    tables = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )]
    counts: dict[str, int | None] = {}
    for table in tables:
        try:
            counts[table] = int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        except sqlite3.Error:
            counts[table] = None
    facts["row_counts"] = counts
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        facts["schema_revision"] = None if row is None else str(row[0])
    if "policy_version" in tables:
        policy = _one_row(
            connection,
            "SELECT profile_id, version_label, content_hash, adopted_at FROM policy_version "
            "WHERE deleted_at IS NULL ORDER BY adopted_at DESC LIMIT 1",
        )
        facts["policy"] = None if policy is None else {key: _text(value) for key, value in policy.items()}
    if "sync_state" in tables:
        state = _one_row(connection, "SELECT * FROM sync_state WHERE id = 1") or {}
        facts["enrolment"] = {
            "enrolled": bool(state.get("server_url") and state.get("token_sha256")),
            "server": _server_address(state.get("server_url")),
            "device_id": _text(state.get("device_id")),
            "association_id": _text(state.get("association_id")),
            "enrolled_at": _text(state.get("enrolled_at")),
            "pull_after": state.get("pull_after"),
            "clock_offset_ms": state.get("clock_offset_ms"),
            "last_attempt_at": _text(state.get("last_attempt_at")),
            "last_success_at": _text(state.get("last_success_at")),
            # The desk's own sentence (kept readable); digits, addresses and paths in it are redacted.
            "last_error": None if not state.get("last_error_ar")
            else logbook.redact(str(state["last_error_ar"]), keep_arabic=True),
        }
    return facts


def _data_dir_facts(data_dir: Path) -> dict[str, Any]:
    """The data directory's files: sizes and free space, never its path."""
    from desktop.startup import snapshot_path

    facts: dict[str, Any] = {"exists": data_dir.is_dir()}
    if not facts["exists"]:
        return facts
    try:
        facts["free_disk_bytes"] = shutil.disk_usage(data_dir).free
    except OSError:
        facts["free_disk_bytes"] = None
    attachments = data_dir / "attachments"
    files = [p for p in attachments.rglob("*") if p.is_file()] if attachments.is_dir() else []
    facts["attachment_files"] = len(files)
    facts["attachment_bytes"] = sum(_size(p) or 0 for p in files)
    facts["desk_snapshot_present"] = snapshot_path(data_dir).is_file()  # it names the officer: not copied
    facts["device_credential_present"] = (data_dir / "sync" / "device.credential").is_file()  # never read
    facts["log_files"] = {path.name: _size(path) for path in logbook.log_files(data_dir)}
    return facts


def collect(data_dir: Path) -> dict[str, Any]:
    """Everything ``diagnostics.json`` holds (see the module's docstring); no personal data, no path."""
    data_dir = Path(data_dir)
    return {
        "app_version": logbook.app_version(),
        # A copy from the installer (PyInstaller's frozen build) or from a venv: support asks which first.
        "frozen_build": bool(getattr(sys, "frozen", False)),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": _platform_facts(),
        "data_directory": _data_dir_facts(data_dir),
        "database": _database_facts(data_dir),
    }


def log_tail(data_dir: Path, lines: int = DEFAULT_LINES) -> str:
    """The last `lines` lines of each program's log, oldest first, under a heading per program (redacted)."""
    sections: list[str] = []
    for name in (logbook.DESK_LOG, logbook.ADMIN_LOG):
        files = [path for path in logbook.log_files(data_dir) if path.name.split(".log")[0] + ".log" == name]
        collected: list[str] = []
        for path in files:  # the current file first, then .1, .2...: read until enough lines
            if len(collected) >= lines:
                break
            try:
                collected = logbook.tail(path, lines - len(collected)) + collected
            except OSError:
                continue
        if files:
            sections.append(f"===== {name} (last {len(collected)} lines) =====")
            sections.extend(collected)
    return "\n".join(sections) + "\n" if sections else "(no log file)\n"


def write_archive(data_dir: Path, out: Path, *, lines: int = DEFAULT_LINES) -> Path:
    """Write the support zip to `out` (atomically: a failure leaves no half file) and return `out`."""
    data_dir, out = Path(data_dir), Path(out)
    facts = collect(data_dir)
    tail_text = log_tail(data_dir, lines)
    descriptor, temporary = tempfile.mkstemp(prefix=".diagnostics-", suffix=".zip", dir=out.parent)
    os.close(descriptor)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("diagnostics.json", json.dumps(facts, ensure_ascii=False, indent=2, default=str))
            archive.writestr("log-tail.txt", tail_text)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _log.info("diagnostics written (%s log lines per program)", f"{lines:,}")
    return out


def _cmd_diagnostics(args: argparse.Namespace) -> int:
    """Write the support zip; one Arabic line either way."""
    from desktop.startup import default_data_dir

    if args.lines < 0:
        print("خطأ: عدد أسطر السجل يجب أن يكون صفرًا أو أكثر", file=sys.stderr)
        return EXIT_FAILURE
    data_dir = args.data_dir if args.data_dir is not None else default_data_dir()
    out = Path(args.out)
    try:
        write_archive(data_dir, out, lines=args.lines)
    except OSError as error:
        print(f"خطأ: تعذرت كتابة ملف التشخيص {out}: {error.strerror or type(error).__name__}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"كُتب ملف التشخيص {out}: الإصدار وبيانات النظام والإعدادات غير الشخصية وآخر {args.lines} سطر من السجل، "
          "دون أي بيانات شخصية")
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add `diagnostics` to `mustafid-admin`."""
    command = subparsers.add_parser(
        "diagnostics", help="ملف مضغوط للدعم الفني: الإصدار والنظام والإعدادات غير الشخصية وآخر أسطر السجل"
    )
    command.add_argument("--out", required=True, type=Path, metavar="FILE", help="ملف ZIP الناتج")
    command.add_argument("--lines", type=int, default=DEFAULT_LINES, metavar="N",
                         help=f"عدد أسطر السجل الأخيرة لكل برنامج (الافتراضي {DEFAULT_LINES})")
    command.set_defaults(func=_cmd_diagnostics)
