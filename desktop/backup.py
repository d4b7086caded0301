"""Backups that restore (issue 14, item 3): create, list, verify and restore a desk's data. No Qt here.

Decisions recorded here:

* A backup is one folder ``mustafid-backup-<UTC time>-<kind>`` holding ``mustafid.sqlite3`` (the database,
  copied page by page through an open connection with SQLite's online backup API, inside one read
  transaction: a consistent copy while the desk keeps working, and one that works on an encrypted database
  because the connection is opened — and keyed — by `db.engine.connect_raw`), ``attachments/`` (the stored
  files copied as they are, ciphertext once attachments are encrypted) and ``manifest.json`` (format, app
  version, schema revision, time, kind, counts of beneficiaries, cases and attachments, and the size and
  SHA-256 of every part).
* It is written under a ``.partial-`` name and renamed when whole, so a folder without that prefix is always a
  complete backup; a leftover ``.partial-`` folder (a crash, a full USB stick) is removed by the next backup.
* Automatic backups (at close and once a day) go to ``<data dir>/backups`` and keep the newest `keep` of
  their kinds (a desk setting, `DEFAULT_KEEP`); manual backups and the safety copies a restore makes are
  never pruned.
* Restoring never overwrites without a copy: the current database file (with its -wal and -shm, as they are,
  even damaged) is first copied to a ``safety`` folder in ``<data dir>/backups``; the restored database is
  written under a temporary name and renamed over the live one; attachments are only added, never removed.
  The desk must be closed (the GUI closes its workspace first; the CLI refuses when another program holds the
  file, where the system says so).
* A backup is never edited, but a restore never brings an erased person back (PDPL «beyond use»): each backup
  carries the desk's erasure ledger (``erasures.json``, `desktop.backup_erasures`: ids and dates, no personal
  data), and a restore applies again to the restored copy, before it replaces the live file, every erasure the
  desk knew (its ledger, the live database's rows when readable, the backup's own) that the copy lacks
  (`desktop.retention.reapply_erasures`, SQLite's ``secure_delete`` on); the files of those cases are removed
  after the attachments are added. An older backup is then migrated at the restore (the backup is the copy kept).
  `verify_backup` and the settings' preview say how many cases that is; `backups_before_erasure` lists the
  automatic backups the retention run offers to remove.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from db.engine import HEAD_REVISION, connect_keyed, connect_raw, is_encrypted_file, lock_holders
from desktop.attachments import ATTACHMENTS_DIR
from desktop.backup_erasures import (
    LEDGER_FILE,
    Erasures,
    cases_present,
    erasure_case_ids,
    erasures_in_database,
    merge,
    read_ledger,
    write_ledger,
)
from desktop.startup import DATABASE_FILE

__all__ = [
    "BACKUPS_DIR",
    "DEFAULT_KEEP",
    "MANIFEST_FILE",
    "BackupCounts",
    "BackupError",
    "BackupInfo",
    "BackupKind",
    "Progress",
    "RestoreResult",
    "VerifyResult",
    "create_backup",
    "erase_again_count",
    "erase_again_text",
    "erased_again_text",
    "known_erasures",
    "latest_backup",
    "list_backups",
    "prune_backups",
    "read_backup",
    "restore_backup",
    "verify_backup",
    "backup_summary",
    "backups_before_erasure",
    "newest_erasure",
    "remove_backups",
]

BACKUPS_DIR = "backups"
MANIFEST_FILE = "manifest.json"
#: How many automatic backups are kept when the desk setting was never changed.
DEFAULT_KEEP = 7
_FORMAT = 1
_PREFIX = "mustafid-backup-"
_PARTIAL = ".partial-"
#: Pages copied per step of the online backup (16 MiB of 4 KiB pages): the progress bar moves, the copy is fast.
_PAGES_PER_STEP = 4096
_CHUNK = 1024 * 1024

#: A progress callback: (done, total), in bytes of the whole backup (the database counted twice: copy, hash).
Progress = Callable[[int, int], None]


class BackupError(Exception):
    """A backup that cannot be made, read, verified or restored; `message_ar` says why, for the user."""

    def __init__(self, message_ar: str) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar


class BackupKind(StrEnum):
    """Why a backup was made: the automatic ones are pruned, the others kept."""

    CLOSE = "close"
    DAILY = "daily"
    MANUAL = "manual"
    SAFETY = "safety"

    @property
    def label_ar(self) -> str:
        """How a list of backups names it."""
        return {
            BackupKind.CLOSE: "تلقائية عند الإغلاق",
            BackupKind.DAILY: "تلقائية يومية",
            BackupKind.MANUAL: "يدوية",
            BackupKind.SAFETY: "نسخة أمان قبل الاستعادة",
        }[self]

    @property
    def automatic(self) -> bool:
        """True for the kinds pruned to the kept number."""
        return self in (BackupKind.CLOSE, BackupKind.DAILY)


@dataclass(frozen=True)
class BackupCounts:
    """What a backup holds, for the preview before a restore."""

    beneficiaries: int
    cases: int
    attachments: int


@dataclass(frozen=True)
class BackupInfo:
    """A backup as its manifest describes it."""

    path: Path
    created_at: dt.datetime
    kind: BackupKind
    schema_revision: str | None
    app_version: str
    counts: BackupCounts | None
    parts: dict[str, tuple[int, str]] = field(default_factory=dict)  # relative path -> (size, sha256)

    @property
    def size(self) -> int:
        """The bytes of all its parts."""
        return sum(size for size, _digest in self.parts.values())


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `verify_backup`: no problems means the backup restores."""

    info: BackupInfo
    problems: tuple[str, ...]
    #: The cases a restore of this backup erases again (erased on this desk after the backup was taken).
    erase_again: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing was found wrong."""
        return not self.problems


@dataclass(frozen=True)
class RestoreResult:
    """What `restore_backup` did: the backup restored and where the data it replaced was kept."""

    info: BackupInfo
    safety_copy: Path | None
    attachments_added: int
    #: The cases whose erasure the restore applied again (`desktop.retention.reapply_erasures`).
    erased_again: int = 0


def backup_summary(info: BackupInfo) -> str:
    """One Arabic line for a backup: its date (Hijri beside Gregorian) and Riyadh time, kind and counts."""
    from desktop.counting import ATTACHMENTS, BENEFICIARIES, CASES, count_phrase
    from desktop.hijri import format_dual, format_time, local_date

    when = f"{format_dual(local_date(info.created_at))} الساعة \u2068{format_time(info.created_at)}\u2069"
    line = f"{when} — {info.kind.label_ar}"
    if info.counts is not None:
        line += (f": {count_phrase(info.counts.beneficiaries, BENEFICIARIES, grouped=True)}، "
                 f"{count_phrase(info.counts.cases, CASES, grouped=True)}، "
                 f"{count_phrase(info.counts.attachments, ATTACHMENTS, grouped=True)}")
    return line


def erase_again_text(count: int) -> str:
    """The line saying how many cases a restore erases again (erased on this desk after the backup); "" for none."""
    if not count:
        return ""
    from desktop.counting import CASES, count_phrase

    return (f"عند الاستعادة تُحذف من جديد البيانات الشخصية في {count_phrase(count, CASES, grouped=True)} "
            "حُذفت بموجب سياسة الاحتفاظ بعد أخذ هذه النسخة، فلا تعود بالاستعادة")


def erased_again_text(count: int) -> str:
    """The line saying a restore erased `count` cases again (after it)."""
    from desktop.counting import CASES, count_phrase

    return f"حُذفت من جديد البيانات الشخصية في {count_phrase(count, CASES, grouped=True)} بموجب سياسة الاحتفاظ"


# ---------------------------------------------------------------------------------------------- helpers


def _sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest()


def _copy_hashed(source: Path, target: Path, progress: Callable[[int], None] | None = None) -> tuple[int, str]:
    """Copy `source` to `target` (flushed to disk), returning the size and SHA-256 of what was written."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            dst.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            if progress is not None:
                progress(len(chunk))
        dst.flush()
        os.fsync(dst.fileno())
    return size, digest.hexdigest()


def _attachment_files(attachments_dir: Path) -> Iterator[Path]:
    if attachments_dir.is_dir():
        for path in sorted(attachments_dir.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path


def _counts(connection: sqlite3.Connection) -> BackupCounts:
    def count(table: str) -> int:
        return int(connection.execute(f'SELECT count(*) FROM "{table}" WHERE deleted_at IS NULL').fetchone()[0])

    return BackupCounts(beneficiaries=count("beneficiary"), cases=count("case"), attachments=count("attachment"))


def _revision(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _os_error(error: OSError, where: Path) -> BackupError:
    import errno

    if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return BackupError(f"لا توجد مساحة كافية لكتابة النسخة الاحتياطية في {where}، ولم تُحفظ نسخة ناقصة")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return BackupError(f"لا يمكن الكتابة في {where}: تحقق من الصلاحيات أو اختر مجلدًا آخر")
    return BackupError(f"تعذرت كتابة النسخة الاحتياطية في {where} ({error.strerror or error})")


def _is_disk_full(error: sqlite3.Error) -> bool:
    return "full" in str(error).lower()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _complete(partial: Path, directory: Path, name: str) -> Path:
    """Give the whole backup in `partial` its final name in `directory` (``-2``, ``-3``… if taken); returns it."""
    final = directory / name
    suffix = 2
    while final.exists():
        final = directory / f"{name}-{suffix}"
        suffix += 1
    os.replace(partial, final)
    return final


def _remove_partials(directory: Path) -> None:
    if directory.is_dir():
        for leftover in directory.glob(f"{_PARTIAL}*"):
            shutil.rmtree(leftover, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- create


def create_backup(
    data_dir: Path,
    target_dir: Path,
    *,
    kind: BackupKind = BackupKind.MANUAL,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    key: bytes | None = None,
) -> BackupInfo:
    """Back up the desk's database and attachments of `data_dir` into a new folder in `target_dir`.

    An encrypted desk is copied with its data `key` (the copy stays encrypted under it, its attachments as
    sealed as they are stored); without the key such a desk is refused in Arabic, nothing written.

    The database is copied through an open connection (the online backup API, in one read transaction:
    consistent while others write); the folder appears under its final name only when whole. Raises
    `BackupError` (nothing half-written left) when the target cannot be written or the database not read.
    """
    data_dir = Path(data_dir)
    target_dir = Path(target_dir)
    db_path = data_dir / DATABASE_FILE
    if not db_path.is_file():
        raise BackupError(f"لا توجد قاعدة بيانات لنسخها في {data_dir}")
    if key is None and is_encrypted_file(db_path):
        raise BackupError("قاعدة البيانات مشفّرة: خذ النسخة الاحتياطية من البرنامج بعد الدخول بحسابك")
    moment = now or _now()
    name = f"{_PREFIX}{moment.strftime('%Y%m%d-%H%M%S')}-{kind.value}"
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        _remove_partials(target_dir)
        partial = target_dir / f"{_PARTIAL}{name}"
        partial.mkdir()
    except OSError as error:
        raise _os_error(error, target_dir) from error
    try:
        info = _write_backup(data_dir, db_path, partial, kind, moment, progress, key)
        final = _complete(partial, target_dir, name)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(error, OSError):
            raise _os_error(error, target_dir) from error
        if isinstance(error, sqlite3.Error):
            if _is_disk_full(error):
                raise BackupError(
                    f"لا توجد مساحة كافية لكتابة النسخة الاحتياطية في {target_dir}، ولم تُحفظ نسخة ناقصة"
                ) from error
            raise BackupError(
                "تعذرت قراءة قاعدة البيانات لنسخها: قد تكون تالفة أو مقفلة، ولم تُحفظ نسخة ناقصة"
            ) from error
        raise
    return BackupInfo(final, info.created_at, info.kind, info.schema_revision, info.app_version, info.counts,
                      info.parts)


def _write_backup(
    data_dir: Path, db_path: Path, folder: Path, kind: BackupKind, moment: dt.datetime, progress: Progress | None,
    key: bytes | None = None,
) -> BackupInfo:
    attachments = list(_attachment_files(data_dir / ATTACHMENTS_DIR))
    attachment_bytes = sum(path.stat().st_size for path in attachments)
    db_estimate = db_path.stat().st_size + _wal_size(db_path)
    total = [2 * db_estimate + attachment_bytes]
    done = [0]

    def advance(amount: int) -> None:
        done[0] += amount
        total[0] = max(total[0], done[0])
        if progress is not None:
            progress(done[0], total[0])

    target_db = folder / DATABASE_FILE
    page_bytes = _copy_database(db_path, target_db, advance, key)
    total[0] += page_bytes - db_estimate  # the copy's true size replaces the estimate for the hashing pass
    parts: dict[str, tuple[int, str]] = {}
    with connect_raw(target_db, read_only=True, immutable=True, key=key) as connection:
        counts = _counts(connection)
        revision = _revision(connection)
        erasures = merge(erasures_in_database(connection), read_ledger(data_dir))
    connection.close()
    parts[DATABASE_FILE] = (target_db.stat().st_size, _sha256_file(target_db, advance))
    if erasures:  # the desk's ledger refreshed (an erasure pulled by the sync), and a copy kept in the backup
        write_ledger(data_dir, erasures)
        ledger = write_ledger(folder, erasures)
        parts[LEDGER_FILE] = (ledger.stat().st_size, _sha256_file(ledger))
    for path in attachments:
        relative = f"{ATTACHMENTS_DIR}/{path.relative_to(data_dir / ATTACHMENTS_DIR).as_posix()}"
        parts[relative] = _copy_hashed(path, folder / relative, advance)
    from desktop.logbook import app_version

    info = BackupInfo(folder, moment, kind, revision, app_version(), counts, parts)
    _write_manifest(folder, info)
    if progress is not None:
        progress(total[0], total[0])
    return info


def _wal_size(db_path: Path) -> int:
    wal = Path(f"{db_path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _copy_database(db_path: Path, target: Path, advance: Callable[[int], None], key: bytes | None = None) -> int:
    """Copy the live database into `target` page by page (keyed alike when encrypted); returns the bytes copied."""
    source = connect_raw(db_path, key=key)
    destination = connect_keyed(str(target), key, isolation_level=None)
    copied = [0, 0]  # pages reported so far, page size
    try:
        page_size = int(source.execute("PRAGMA page_size").fetchone()[0])
        copied[1] = page_size
        # One read transaction for the whole copy: a writer elsewhere (the sync) then neither restarts it nor
        # changes what it copies (WAL keeps this snapshot for the reader).
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()

        def step(_status: int, remaining: int, total: int) -> None:
            now_copied = total - remaining
            advance((now_copied - copied[0]) * page_size)
            copied[0] = now_copied

        source.backup(destination, pages=_PAGES_PER_STEP, progress=step)
        source.execute("COMMIT")
        # The copy is one self-contained file: no write-ahead log beside it.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
        source.close()
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())
    return target.stat().st_size


def _write_manifest(folder: Path, info: BackupInfo) -> None:
    manifest = {
        "format": _FORMAT,
        "application": "mustafid-desk",
        "app_version": info.app_version,
        "schema_revision": info.schema_revision,
        "created_at": info.created_at.astimezone(dt.UTC).isoformat(),
        "kind": info.kind.value,
        "counts": None if info.counts is None else {
            "beneficiaries": info.counts.beneficiaries,
            "cases": info.counts.cases,
            "attachments": info.counts.attachments,
        },
        "parts": {name: {"size": size, "sha256": digest} for name, (size, digest) in sorted(info.parts.items())},
    }
    path = folder / MANIFEST_FILE
    with path.open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())


# ---------------------------------------------------------------------------------------------- read, list


def read_backup(path: Path) -> BackupInfo:
    """The backup in folder `path` as its manifest says (not yet verified); `BackupError` when it has none."""
    path = Path(path)
    try:
        raw = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        if raw.get("format") != _FORMAT or raw.get("application") != "mustafid-desk":
            raise ValueError("not a backup of this format")
        counts = raw.get("counts")
        return BackupInfo(
            path=path,
            created_at=dt.datetime.fromisoformat(str(raw["created_at"])),
            kind=BackupKind(raw["kind"]),
            schema_revision=None if raw.get("schema_revision") is None else str(raw["schema_revision"]),
            app_version=str(raw.get("app_version", "")),
            counts=None if counts is None else BackupCounts(
                int(counts["beneficiaries"]), int(counts["cases"]), int(counts["attachments"])
            ),
            parts={str(name): (int(part["size"]), str(part["sha256"])) for name, part in raw["parts"].items()},
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise BackupError(f"المجلد {path} ليس نسخة احتياطية لمكتب المستفيد أو أن بيانها تالف") from error


def list_backups(directory: Path) -> list[BackupInfo]:
    """The complete backups in `directory`, newest first (folders without a readable manifest are skipped)."""
    directory = Path(directory)
    found: list[BackupInfo] = []
    if not directory.is_dir():
        return found
    for path in directory.iterdir():
        if path.is_dir() and path.name.startswith(_PREFIX):
            try:
                found.append(read_backup(path))
            except BackupError:
                continue
    found.sort(key=lambda info: info.created_at, reverse=True)
    return found


def latest_backup(data_dir: Path) -> BackupInfo | None:
    """The newest backup in the desk's own backups folder whose files are all there at their sizes, or None.

    Cheap (no hashing): it names the backup to offer when the database is found damaged at start;
    `verify_backup` and `restore_backup` check the hashes.
    """
    for info in list_backups(Path(data_dir) / BACKUPS_DIR):
        if info.kind is BackupKind.SAFETY or info.counts is None:
            continue
        if all((info.path / name).is_file() and (info.path / name).stat().st_size == size
               for name, (size, _digest) in info.parts.items()):
            return info
    return None


def newest_erasure(erasures: Erasures) -> dt.datetime | None:
    """When the newest of `erasures` was made (UTC), None without any."""
    times: list[dt.datetime] = []
    for row in erasures.values():
        try:
            moment = dt.datetime.fromisoformat(str(row.get("erased_at")))
        except ValueError:
            continue
        times.append(moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC))
    return max(times, default=None)


def backups_before_erasure(data_dir: Path) -> list[BackupInfo]:
    """The automatic backups in the desk's backups folder taken before its newest erasure (they still hold the
    erased people: a restore erases them again, and the retention run offers to remove them)."""
    newest = newest_erasure(read_ledger(Path(data_dir)))
    if newest is None:
        return []
    return [info for info in list_backups(Path(data_dir) / BACKUPS_DIR)
            if info.kind.automatic and info.created_at < newest]


def remove_backups(backups: list[BackupInfo]) -> int:
    """Delete these backups' folders; returns how many went."""
    for info in backups:
        shutil.rmtree(info.path, ignore_errors=True)
    return sum(not info.path.exists() for info in backups)


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete the automatic backups beyond the newest `keep` (manual and safety ones stay); returns what went."""
    automatic = [info for info in list_backups(directory) if info.kind.automatic]
    removed: list[Path] = []
    for info in automatic[max(keep, 1):]:
        shutil.rmtree(info.path, ignore_errors=True)
        removed.append(info.path)
    return removed


# ---------------------------------------------------------------------------------------------- verify


def known_erasures(data_dir: Path, key: bytes | None = None) -> Erasures:
    """Every erasure this desk knows (`desktop.backup_erasures`): its ledger and, when the live database can be
    read (with `key` when encrypted), its erasure rows; a damaged or sealed database leaves the ledger alone."""
    ledger = read_ledger(Path(data_dir))
    db_path = Path(data_dir) / DATABASE_FILE
    if not db_path.is_file() or db_path.stat().st_size == 0 or (key is None and is_encrypted_file(db_path)):
        return ledger
    try:
        connection = connect_raw(db_path, read_only=True, key=key)
        try:
            live = erasures_in_database(connection)
        finally:
            connection.close()
    except Exception:  # either driver's error: a damaged file, a wrong key — the ledger still stands
        return ledger
    return merge(live, ledger)


def _erase_again(connection: sqlite3.Connection, info: BackupInfo, known: Erasures) -> int:
    """How many cases of the backup's database a restore erases again: erased on the desk, not in the backup."""
    held = merge(erasures_in_database(connection), read_ledger(info.path))
    return len(cases_present(connection, erasure_case_ids(row for key, row in known.items() if key not in held)))


def erase_again_count(path: Path, known: Erasures, key: bytes | None = None) -> int:
    """How many cases of the backup in `path` a restore would erase again, without verifying it (a preview); 0
    when its database cannot be opened here (an encrypted one without its key)."""
    info = read_backup(path)
    if not known:
        return 0
    try:
        connection = connect_raw(info.path / DATABASE_FILE, read_only=True, immutable=True, key=key)
        try:
            return _erase_again(connection, info, known)
        finally:
            connection.close()
    except Exception:  # either driver's error: said by verify and refused by the restore itself
        return 0


def verify_backup(path: Path, *, progress: Progress | None = None, full: bool = True,
                  key: bytes | None = None, known: Erasures | None = None) -> VerifyResult:
    """Check a backup: every part at its size and SHA-256, the database opening with ``integrity_check``
    (``quick_check`` when not `full`) and its counts and schema revision as the manifest says. With the desk's
    `known` erasures (`known_erasures`), also how many of its cases a restore would erase again."""
    info = read_backup(path)
    problems: list[str] = []
    erase_again = 0
    total = info.size or 1
    done = [0]

    def advance(amount: int) -> None:
        done[0] += amount
        if progress is not None:
            progress(min(done[0], total), total)

    if DATABASE_FILE not in info.parts:
        problems.append("النسخة لا تحوي ملف قاعدة البيانات")
    for name, (size, digest) in sorted(info.parts.items()):
        part = info.path / name
        if not part.is_file():
            problems.append(f"ملف ناقص من النسخة: {name}")
            advance(size)
        elif part.stat().st_size != size:
            problems.append(f"حجم الملف {name} غير ما في بيان النسخة")
            advance(size)
        elif _sha256_file(part, advance) != digest:
            problems.append(f"محتوى الملف {name} تغيّر بعد النسخ (بصمته لا تطابق بيان النسخة)")
    database = info.path / DATABASE_FILE
    if DATABASE_FILE in info.parts and database.is_file():
        try:
            with connect_raw(database, read_only=True, immutable=True, key=key) as connection:
                check = "integrity_check" if full else "quick_check"
                rows = [str(row[0]) for row in connection.execute(f"PRAGMA {check}").fetchall()]
                if rows != ["ok"]:
                    problems.append("فحص سلامة قاعدة البيانات في النسخة وجد أخطاء")
                else:
                    if info.counts is not None and _counts(connection) != info.counts:
                        problems.append("أعداد السجلات في النسخة غير ما في بيانها")
                    if _revision(connection) != info.schema_revision:
                        problems.append("إصدار مخطط قاعدة البيانات في النسخة غير ما في بيانها")
                    if known:
                        erase_again = _erase_again(connection, info, known)
            connection.close()
        except sqlite3.Error:
            problems.append("تعذر فتح قاعدة البيانات في النسخة: الملف تالف")
    return VerifyResult(info, tuple(problems), erase_again)


# ---------------------------------------------------------------------------------------------- restore


def restore_backup(backup: Path, data_dir: Path, *, progress: Progress | None = None,
                   key: bytes | None = None) -> RestoreResult:
    """Replace the desk's database with the backup's (and add its attachments), after a safety copy.

    The desk must be closed. The backup is verified first (hashes and ``quick_check``); one newer than this
    version of the program is refused. The current database file, with its -wal and -shm as they are (even
    damaged), is copied to ``<data dir>/backups/…-safety`` before anything is replaced.
    """
    data_dir = Path(data_dir)
    result = verify_backup(backup, full=False, key=key)
    if not result.ok:
        raise BackupError("لا يمكن الاستعادة من هذه النسخة: " + "؛ ".join(result.problems))
    info = result.info
    if info.schema_revision is not None and info.schema_revision > HEAD_REVISION:
        raise BackupError("النسخة الاحتياطية من إصدار أحدث من البرنامج: حدّث البرنامج ثم استعدها")
    db_path = data_dir / DATABASE_FILE
    holders = lock_holders(db_path) if db_path.exists() else ()
    if holders:
        raise BackupError(f"أغلق مكتب المستفيد وكل برنامج يستخدم قاعدة البيانات أولًا ({'، '.join(holders)})")
    # Known before anything is replaced: the ledger, the live database's erasure rows, the backup's own copy.
    erasures = merge(known_erasures(data_dir, key), read_ledger(info.path))
    total = 2 * info.size or 1
    done = [0]

    def advance(amount: int) -> None:
        done[0] += amount
        if progress is not None:
            progress(min(done[0], total), total)

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        safety = _safety_copy(data_dir, db_path, advance)
        temporary = data_dir / f".restoring-{DATABASE_FILE}"
        _copy_hashed(info.path / DATABASE_FILE, temporary, advance)
        erased_again, erased_files = _reapply(temporary, erasures, key)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, db_path)
        added = 0
        for name, (size, digest) in info.parts.items():
            if name in (DATABASE_FILE, LEDGER_FILE):
                continue
            target = data_dir / name
            if target.is_file() and target.stat().st_size == size and _sha256_file(target) == digest:
                advance(size)
                continue
            partial = target.with_name(f".restoring-{target.name}")
            _copy_hashed(info.path / name, partial, advance)
            os.replace(partial, target)
            added += 1
        _remove_files(data_dir, erased_files)
        if erasures:
            write_ledger(data_dir, erasures)
    except OSError as error:
        raise _os_error(error, data_dir) from error
    if progress is not None:
        progress(total, total)
    return RestoreResult(info, safety, added, erased_again)


def _reapply(database: Path, erasures: Erasures, key: bytes | None) -> tuple[int, list[str]]:
    """Apply again, to the restored copy in `database` (not yet in place), the erasures it lacks, with SQLite's
    ``secure_delete`` on (what is overwritten or freed is zeroed, not left in a free page) and the search indexes
    merged (their old segments freed, zeroed too); no VACUUM (minutes on a million people, twice the disk).
    Returns the cases erased again and the stored files that went with them."""
    if not erasures:
        return 0, []
    from db.engine import Database
    from desktop.retention import reapply_erasures

    db = Database.open(database, key=key)
    try:
        db.upgrade(keep_copy=False)  # an older backup first brought to this version (the backup is the copy)
        erased, files = reapply_erasures(db, erasures)
    finally:
        db.close()
    if erased:
        connection = connect_raw(database, key=key)
        try:
            connection.execute("PRAGMA secure_delete = ON")
            for (table,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'").fetchall():
                connection.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return erased, files


def _remove_files(data_dir: Path, stored_paths: list[str]) -> None:
    """Remove from the attachment store the files of the cases a restore erased again."""
    if stored_paths:
        from desktop.attachments import AttachmentStore

        store = AttachmentStore(data_dir)
        for relative_path in stored_paths:
            store.path_of(relative_path).unlink(missing_ok=True)


def _safety_copy(data_dir: Path, db_path: Path, advance: Callable[[int], None]) -> Path | None:
    """Copy the current database files as they are into a new safety folder; None when there is no database."""
    files = [path for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if path.is_file()]
    if not files:
        return None
    moment = _now()
    directory = data_dir / BACKUPS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{_PREFIX}{moment.strftime('%Y%m%d-%H%M%S')}-{BackupKind.SAFETY.value}"
    partial = directory / f"{_PARTIAL}{name}"
    partial.mkdir()
    parts = {path.name: _copy_hashed(path, partial / path.name, advance) for path in files}
    from desktop.logbook import app_version

    _write_manifest(partial, BackupInfo(partial, moment, BackupKind.SAFETY, None, app_version(), None, parts))
    return _complete(partial, directory, name)
