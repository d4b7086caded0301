"""Encrypting a plaintext desk in place (issue 14): the steps `desktop.encryption`'s `encrypt_desk` (the command
line) and `Workspace.encrypt` (the first run on screen, the settings' «تشفير قاعدة البيانات») both run. Apart from
`desktop.encryption` so that the workspace reaches it without an import cycle (that module opens a workspace).

The steps, each safe to interrupt (a rerun starts again from the plaintext file):

1. An active administrator is verified by the caller (login and password): the keys will be wrapped for them.
2. New random keys (`desktop.keystore.DeskKeys`); the plaintext database, checkpointed (its write-ahead log
   emptied into the file), is copied by SQLCipher's ``sqlcipher_export`` into ``<db>.encrypting``, keyed.
3. The copy is verified: the row count of every table (FTS5 shadow tables, the outbox and ``alembic_version``
   included) equal to the plaintext's, and SQLite's ``PRAGMA quick_check`` ``ok`` — every page of every table
   and index read back, which on SQLCipher also checks each page's HMAC. (``integrity_check`` additionally
   cross-checks every index entry against its row: minutes more on a million people, for a copy SQLite itself
   just wrote from a file that passed the same checks.)
4. The keystore is written (the administrator's wrap and the recovery key's), then the copy replaces the
   database atomically. The plaintext's content is overwritten with zeros through a hard link made before the
   swap and removed; its ``-wal``/``-shm`` are removed (empty after the checkpoint).
5. Every attachment file is sealed with the attachment key in place, checked against its SHA-256 name.

`progress(fraction, stage_ar)` is called along the way (0 → 1) for a progress bar or a one-line display (the
verification's stage names the tables checked so far); an exception it raises before step 4 (a stop asked on
screen) leaves the plaintext desk as it was. The recovery key is returned once: the caller shows it to be printed
and kept sealed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import db.engine
from db.engine import WrongKeyError, connect_keyed, is_encrypted_file, make_private, sqlcipher_module
from desktop.attachments import ATTACHMENTS_DIR, AttachmentStore, is_sealed
from desktop.errors import InputError
from desktop.keystore import DeskKeys, KdfCost, Keystore, keystore_path
from desktop.logbook import get_logger
from desktop.startup import DATABASE_FILE

__all__ = ["NO_SQLCIPHER", "EncryptionError", "EncryptionResult", "EncryptionStopped", "Progress", "discard_unfinished",
           "encrypt_closed_desk", "encryption_available", "seal_attachments"]

#: A progress report: the fraction done (0 → 1) and the stage, in Arabic.
Progress = Callable[[float, str], None]

_log = get_logger("encryption")

_EXPORTING = "نسخ البيانات إلى قاعدة مشفّرة"
_VERIFYING = "التحقق من النسخة المشفّرة"
_SWAPPING = "استبدال الملف غير المشفّر"
_SEALING = "تشفير المرفقات"
_DONE = "اكتمل التشفير"

#: Said when SQLCipher is not installed on this PC: the desk works, unencrypted.
NO_SQLCIPHER = "وحدة التشفير (SQLCipher) غير مثبّتة على هذا الجهاز: تعمل قاعدة البيانات دون تشفير حتى تُثبّت"


class EncryptionError(InputError):
    """The desk could not be encrypted; nothing was changed (Arabic)."""


class EncryptionStopped(EncryptionError):
    """Stopped by the administrator before the plaintext was replaced: the desk is as it was (Arabic)."""

    def __init__(self) -> None:
        super().__init__("أُوقف التشفير، وبقيت البيانات غير مشفّرة كما كانت ولم يضع منها شيء", field="data_dir")


@dataclass(frozen=True, repr=False)
class EncryptionResult:
    """What `encrypt_desk` did: the recovery key (show it once), tables and rows verified, files sealed."""

    recovery_key: str
    tables: int
    rows: int
    attachments: int
    seconds: float


def _no_progress(_fraction: float, _stage: str) -> None:
    """The default: nobody watches."""


def encrypt_closed_desk(data_dir: Path, login: str, account_id: str, password: str, *, cost: KdfCost,
                        progress: Progress | None = None,
                        started: float | None = None) -> tuple[EncryptionResult, DeskKeys, Keystore]:
    """Steps 2–5 of the module on a plaintext desk whose database nobody holds open (its administrator
    already verified by the caller): the result, the new keys and the keystore wrapping them for `login`.

    A failure before the swap (a full disk, a file held open, a copy that does not match) leaves the plaintext
    desk exactly as it was and raises `EncryptionError` (Arabic)."""
    report = progress or _no_progress
    started = time.perf_counter() if started is None else started
    path, temporary = ready_to_encrypt(Path(data_dir))
    _checkpoint(path)
    keys = DeskKeys.generate()
    try:
        report(0.0, _EXPORTING)
        _export(path, temporary, keys.database, lambda done: report(0.7 * done, _EXPORTING))
        report(0.7, _VERIFYING)
        tables, rows = _verify(path, temporary, keys.database,
                               lambda done, total: report(0.7 + 0.15 * done / max(total, 1), _verifying(done, total)))
    except BaseException:
        temporary.unlink(missing_ok=True)  # stopped or failed before the swap: the plaintext desk as it was
        raise
    report(0.85, _SWAPPING)
    try:
        keystore, recovery = Keystore.create(data_dir, keys, cost=cost)
        keystore.wrap_for(keys, login, account_id, password, cost=cost)
    except OSError as exc:
        keystore_path(data_dir).unlink(missing_ok=True)
        temporary.unlink(missing_ok=True)
        raise EncryptionError("تعذرت كتابة ملف مفاتيح التشفير، ولم يُغيَّر في قاعدة البيانات شيء: "
                              "تحقق من المساحة والصلاحيات في مجلد البيانات", field="data_dir") from exc
    try:
        _swap(path, temporary)
    except OSError as exc:
        keystore_path(data_dir).unlink(missing_ok=True)
        temporary.unlink(missing_ok=True)
        raise EncryptionError("تعذر استبدال الملف غير المشفّر، وبقيت البيانات كما كانت غير مشفّرة",
                              field="data_dir") from exc
    report(0.9, _SEALING)
    sealed = seal_attachments(data_dir, keys.attachments, lambda done: report(0.9 + 0.1 * done, _SEALING))
    report(1.0, _DONE)
    seconds = time.perf_counter() - started
    _log.info("desk encrypted: %d tables, %d rows, %d attachments in %.1f s", tables, rows, sealed, seconds)
    return EncryptionResult(recovery, tables, rows, sealed, seconds), keys, keystore


def encryption_available() -> bool:
    """True when SQLCipher (the ``sqlcipher3`` module) can be loaded here: without it a desk stays plaintext."""
    try:
        sqlcipher_module()
    except ImportError:
        return False
    return True


def _verifying(done: int, total: int) -> str:
    """The verification stage with the tables checked so far, in Arabic."""
    from desktop.arabic_text import display_digits

    return display_digits(f"{_VERIFYING}: {done} من {total}")


def ready_to_encrypt(data_dir: Path) -> tuple[Path, Path]:
    """The plaintext database of `data_dir` and the name of its encrypted copy, an interrupted run forgotten;
    `EncryptionError` (Arabic) when the desk is encrypted already or SQLCipher is not installed here."""
    path = data_dir / DATABASE_FILE
    temporary = path.with_name(path.name + ".encrypting")
    discard_unfinished(data_dir, path, temporary)
    if Keystore.load(data_dir) is not None:
        raise EncryptionError("قاعدة البيانات هذه مشفّرة بالفعل", field="data_dir")
    if not encryption_available():
        raise EncryptionError(NO_SQLCIPHER, field="data_dir")
    return path, temporary


def discard_unfinished(data_dir: Path, path: Path, temporary: Path) -> None:
    """Forget an interrupted run: its copy, and a keystore written beside a database still plaintext."""
    temporary.unlink(missing_ok=True)
    path.with_name(path.name + ".plaintext").unlink(missing_ok=True)
    if path.is_file() and not is_encrypted_file(path) and path.stat().st_size > 0:
        store = keystore_path(data_dir)
        if store.exists():
            _log.warning("a keystore beside a plaintext database (an interrupted encryption): discarded")
            store.unlink()


def _checkpoint(path: Path) -> None:
    """Empty the write-ahead log into the plaintext file (nothing left only in ``-wal``); another program holding
    the file is waited for as long as the desk waits for a lock (`db.engine.BUSY_TIMEOUT_MS`)."""
    connection = connect_keyed(str(path), None, timeout=db.engine.BUSY_TIMEOUT_MS / 1000)
    try:
        busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    if busy is not None and busy[0]:
        raise EncryptionError("قاعدة البيانات مفتوحة في برنامج آخر: أغلق مكتب المستفيد ثم أعد الأمر", field="data_dir")


def _export(path: Path, temporary: Path, key: bytes, progress: Callable[[float], None]) -> None:
    """``sqlcipher_export`` of the plaintext file into a new keyed file (progress: its size against the source's)."""
    module = sqlcipher_module()
    source = module.connect(str(path))
    total = max(path.stat().st_size, 1)
    last = [0.0]

    def tick() -> int:
        now = time.perf_counter()
        if now - last[0] > 0.2:
            last[0] = now
            try:
                progress(min(temporary.stat().st_size / total, 1.0))
            except OSError:
                pass
        return 0

    try:
        descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(descriptor)
        source.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(temporary),))
        source.execute("PRAGMA encrypted.journal_mode = DELETE")
        source.set_progress_handler(tick, 20000)
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.set_progress_handler(None, 0)
        source.execute("DETACH DATABASE encrypted")
    except Exception as exc:
        temporary.unlink(missing_ok=True)
        raise EncryptionError("تعذر نسخ البيانات إلى قاعدة مشفّرة، ولم يُغيَّر في الملف شيء", field="data_dir") from exc
    finally:
        source.close()
    progress(1.0)


def _tables(connection: object) -> list[str]:
    rows = connection.execute(  # type: ignore[attr-defined]
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _verify(path: Path, temporary: Path, key: bytes,
            progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Every table's row count equal, the copy's integrity check ``ok``: (tables, rows); else remove the copy.
    `progress(tables done, tables)` after each table."""
    plain = connect_keyed(f"{path.resolve().as_uri()}?mode=ro", None, uri=True)
    try:
        encrypted = connect_keyed(f"{temporary.resolve().as_uri()}?mode=ro", key, uri=True)
    except WrongKeyError:
        plain.close()
        temporary.unlink(missing_ok=True)
        raise
    try:
        for connection in (plain, encrypted):
            connection.execute("PRAGMA cache_size = -262144")  # 256 MiB: each page decrypted once, not again
        names = _tables(plain)
        problem = None if names == _tables(encrypted) else "tables differ"
        rows = 0
        for done, name in enumerate(names if problem is None else [], start=1):
            quoted = '"' + name.replace('"', '""') + '"'
            count = plain.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
            if encrypted.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0] != count:
                problem = "row counts differ"
                break
            rows += int(count)
            if progress is not None:
                progress(done, len(names))
        if problem is None:
            check = encrypted.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                problem = "integrity check failed"
    finally:
        plain.close()
        encrypted.close()
    if problem is not None:
        temporary.unlink(missing_ok=True)
        _log.warning("encrypted copy refused: %s", problem)
        raise EncryptionError("لم تطابق النسخة المشفّرة البيانات الأصلية، ولم يُغيَّر في الملف شيء", field="data_dir")
    return len(names), rows


def _swap(path: Path, temporary: Path) -> None:
    """The verified copy replaces the database atomically; the plaintext is zeroed, then removed."""
    old = path.with_name(path.name + ".plaintext")
    os.link(path, old)  # the plaintext's data stays reachable to be overwritten after the atomic swap
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    make_private(temporary)
    os.replace(temporary, path)
    _overwrite_and_remove(old)


def _overwrite_and_remove(path: Path) -> None:
    """Overwrite a file's bytes with zeros (best effort: an SSD or a copy-on-write disk may keep old blocks)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            chunk = b"\0" * (1 << 20)
            for _ in range(0, size, len(chunk)):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def seal_attachments(data_dir: Path, key: bytes, progress: Callable[[float], None] | None = None) -> int:
    """Seal every plaintext file of the attachment folder in place (its name is its SHA-256); how many."""
    root = Path(data_dir) / ATTACHMENTS_DIR
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")) if root.is_dir() else []
    store = AttachmentStore(data_dir, key=key)
    sealed = 0
    for index, file in enumerate(files, start=1):
        data = file.read_bytes()
        if not is_sealed(data):
            sha = hashlib.sha256(data).hexdigest()
            if sha != file.stem:
                _log.warning("an attachment file does not match its name: left as it is")
                continue
            store.write_verified(file, data, sha)
            sealed += 1
        else:
            make_private(file)
        if progress is not None:
            progress(index / len(files))
    return sealed
