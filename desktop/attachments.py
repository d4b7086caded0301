"""The content-addressed attachment store: scans, signatures and PDFs kept by their SHA-256.

Shared by reception, the case desk, reports and sync; it depends only on `desktop.errors`.

Decisions recorded here:

* A file lives at ``<data_dir>/attachments/<first two hex digits>/<sha256>.<ext>`` (``.pdf``,
  ``.png`` or ``.jpg``); the database's `Attachment.stored_path` holds that path relative to the
  data directory, with "/" separators, so a data directory can move between PCs.
* Only PNG, JPEG and PDF are accepted, told by their first bytes (magic numbers), never by the
  file name; images must decode (a renamed or truncated file is refused); at most `MAX_BYTES`.
* Writing is atomic (a temporary file in the same folder, flushed to disk, then renamed): a
  killed process leaves either the whole file or none. An existing file with the same hash is
  kept as it is; identical content is stored once. Files are owner-only (``mkstemp``'s 0600).
* On an encrypted desk (issue 14) the store has the desk's attachment key (`desktop.keystore`) and
  every file is *sealed*: ``MUSTAFID-SEALED-1`` + a random 12-byte nonce + AES-256-GCM of the
  plaintext, the plaintext's SHA-256 as the authenticated data. The file keeps the plaintext's hash
  as its name and `Attachment.sha256`, so de-duplication and sync (which addresses files by that
  hash) work unchanged; `read` opens either form (a plaintext file of a desk not yet migrated, or one
  pulled before). The sync client decrypts before upload: **the server receives the plaintext**,
  checked against its hash, and stores it as every desk of the association must be able to read it
  (each desk has its own key); the server's disk is protected by the server's own measures.
* A file another program must open (the PDF viewer) is decrypted by `readable_copy` into an
  owner-only temporary folder that `remove_readable_copies` empties (at sign-out and close).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from desktop.errors import AttachmentError

__all__ = [
    "ATTACHMENTS_DIR",
    "MAX_BYTES",
    "MIME_JPEG",
    "MIME_PDF",
    "MIME_PNG",
    "AttachmentStore",
    "SEALED_MAGIC",
    "StoredFile",
    "is_sealed",
    "remove_readable_copies",
    "detect_mime",
    "read_attachment_file",
    "write_atomically",
    "validate_content",
]

ATTACHMENTS_DIR = "attachments"

#: The largest attachment accepted (10 MB).
MAX_BYTES = 10 * 1024 * 1024

MIME_PDF = "application/pdf"
MIME_PNG = "image/png"
MIME_JPEG = "image/jpeg"

_EXTENSIONS = {MIME_PDF: "pdf", MIME_PNG: "png", MIME_JPEG: "jpg"}

#: The first bytes of a sealed (encrypted) attachment file.
SEALED_MAGIC = b"MUSTAFID-SEALED-1\n"
_NONCE_BYTES = 12
_TAG_BYTES = 16
SEALED_OVERHEAD = len(SEALED_MAGIC) + _NONCE_BYTES + _TAG_BYTES

_TOO_BIG = "الملف أكبر من الحد المسموح (10 ميغابايت): اخفض دقة المسح الضوئي أو قسّم المستند"
_NOT_ALLOWED = "نوع الملف غير مقبول: يُقبل ملف صورة (PNG أو JPEG) أو ملف PDF فقط"


@dataclass(frozen=True)
class StoredFile:
    """A file in the store: hash, media type, size and where it is."""

    sha256: str
    mime: str
    size: int
    path: Path
    relative_path: str


def detect_mime(data: bytes) -> str | None:
    """PNG, JPEG or PDF media type told by the first bytes, or None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return MIME_PNG
    if data.startswith(b"\xff\xd8\xff"):
        return MIME_JPEG
    if data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-"):
        return MIME_PDF
    return None


def validate_content(data: bytes, *, field: str | None = "attachment") -> str:
    """The media type of acceptable attachment bytes; AttachmentError (Arabic) for anything else."""
    if not data:
        raise AttachmentError("الملف فارغ: اختر ملف المسح الضوئي مرة أخرى", field=field)
    if len(data) > MAX_BYTES:
        raise AttachmentError(_TOO_BIG, field=field)
    mime = detect_mime(data)
    if mime is None:
        raise AttachmentError(_NOT_ALLOWED, field=field)
    if mime == MIME_PDF:
        if b"%%EOF" not in data[-2048:]:
            raise AttachmentError("ملف PDF ناقص أو تالف: أعد حفظه أو مسحه ضوئيًا", field=field)
        return mime
    from PIL import Image

    try:
        with Image.open(BytesIO(data)) as image:
            image.load()
            if image.width < 1 or image.height < 1:
                raise ValueError("empty image")
    except Exception as exc:  # noqa: BLE001 - any undecodable image is refused the same way
        raise AttachmentError("ملف الصورة تالف أو غير مكتمل: أعد حفظه أو مسحه ضوئيًا", field=field) from exc
    return mime


def read_attachment_file(path: Path, *, field: str | None = "attachment") -> tuple[bytes, str]:
    """Read and validate a file chosen by the officer (size checked before reading): (bytes, media type)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise AttachmentError("المسار المختار مجلد وليس ملفًا", field=field)
        if size > MAX_BYTES:
            raise AttachmentError(_TOO_BIG, field=field)
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise AttachmentError(f"الملف غير موجود: {path.name}", field=field) from exc
    except OSError as exc:
        raise AttachmentError(f"تعذرت قراءة الملف {path.name}: {exc.strerror or exc}", field=field) from exc
    return data, validate_content(data, field=field)


def write_atomically(target: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, flushed to disk, then renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def is_sealed(data: bytes) -> bool:
    """True when a stored file's bytes are sealed with a desk's attachment key."""
    return data.startswith(SEALED_MAGIC)


def seal(data: bytes, sha256: str, key: bytes) -> bytes:
    """`data` sealed with AES-256-GCM under `key`, bound to its SHA-256 (the file's name)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(_NONCE_BYTES)
    return SEALED_MAGIC + nonce + AESGCM(key).encrypt(nonce, data, sha256.encode("ascii"))


_READABLE_DIRS: list[Path] = []


def remove_readable_copies() -> int:
    """Remove every decrypted copy `readable_copy` made in this process; how many folders were removed."""
    removed = 0
    while _READABLE_DIRS:
        shutil.rmtree(_READABLE_DIRS.pop(), ignore_errors=True)
        removed += 1
    return removed


class AttachmentStore:
    """Files kept by SHA-256 under the data directory's ``attachments`` folder; sealed when given a `key`."""

    def __init__(self, data_dir: Path, *, key: bytes | Callable[[], bytes | None] | None = None) -> None:
        """`key`: the desk's attachment key, or a function giving it while the desk is unlocked (None when
        locked: then nothing can be stored or opened, rather than stored in plaintext)."""
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / ATTACHMENTS_DIR
        self._key_source = key

    def use_key(self, key: bytes | Callable[[], bytes | None]) -> None:
        """From now on files are stored and read sealed with this key (the desk was just encrypted in place)."""
        self._key_source = key

    @property
    def sealed(self) -> bool:
        """True when files are stored encrypted (the desk is encrypted)."""
        return self._key_source is not None

    @property
    def _key(self) -> bytes | None:
        source = self._key_source
        if source is None or isinstance(source, bytes):
            return source
        key = source()
        if key is None:
            raise AttachmentError("قاعدة البيانات مشفّرة ومقفلة: سجّل الدخول بكلمة مرورك لفتح المرفقات",
                                  field="attachment")
        return key

    def relative_path(self, sha256: str, mime: str) -> str:
        """Where a file of this hash and type lives, relative to the data directory ("/" separators)."""
        return f"{ATTACHMENTS_DIR}/{sha256[:2]}/{sha256}.{_EXTENSIONS[mime]}"

    def path_of(self, relative_path: str) -> Path:
        """The absolute path of a stored file from its relative path."""
        return self.data_dir.joinpath(*relative_path.split("/"))

    def put(self, data: bytes, mime: str) -> StoredFile:
        """Store `data` (already validated) atomically unless the same content is there; returns where it is."""
        sha = hashlib.sha256(data).hexdigest()
        relative = self.relative_path(sha, mime)
        target = self.path_of(relative)
        self.write_verified(target, data, sha)
        return StoredFile(sha256=sha, mime=mime, size=len(data), path=target, relative_path=relative)

    def write_verified(self, target: Path, data: bytes, sha256: str) -> None:
        """Store `data` (whose SHA-256 is `sha256`) at `target`, sealed on an encrypted desk, unless it is there."""
        key = self._key
        expected = len(data) + (SEALED_OVERHEAD if key is not None else 0)
        if not (target.is_file() and target.stat().st_size == expected):
            content = seal(data, sha256, key) if key is not None else data
            try:
                write_atomically(target, content)
            except OSError as exc:
                raise AttachmentError(
                    f"تعذر حفظ الملف في مجلد المرفقات: {exc.strerror or exc}", field="attachment"
                ) from exc

    def read(self, relative_path: str, sha256: str) -> bytes:
        """The bytes of a stored file, checked against its hash (AttachmentError if missing or altered)."""
        path = self.path_of(relative_path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AttachmentError(f"ملف المرفق غير موجود في مجلد البيانات: {relative_path}", field="attachment") from exc
        if is_sealed(data):
            data = self._open_sealed(data, sha256, relative_path)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AttachmentError(f"ملف المرفق تغيّر بعد حفظه ولا يطابق بصمته: {relative_path}", field="attachment")
        return data

    def _open_sealed(self, data: bytes, sha256: str, relative_path: str) -> bytes:
        """The plaintext of a sealed file (AttachmentError without the key, or when it was altered)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key = self._key
        if key is None:
            raise AttachmentError("ملف المرفق مشفّر: سجّل الدخول لفتحه", field="attachment")
        start = len(SEALED_MAGIC)
        nonce, sealed = data[start:start + _NONCE_BYTES], data[start + _NONCE_BYTES:]
        try:
            return AESGCM(key).decrypt(nonce, sealed, sha256.encode("ascii"))
        except InvalidTag as exc:
            raise AttachmentError(f"ملف المرفق تغيّر بعد حفظه ولا يطابق بصمته: {relative_path}",
                                  field="attachment") from exc

    def readable_copy(self, relative_path: str, sha256: str) -> Path:
        """A path another program can open: the stored file itself when plaintext, else a decrypted copy in an
        owner-only temporary folder (removed by `remove_readable_copies`)."""
        path = self.path_of(relative_path)
        if not self.sealed:
            return path
        data = self.read(relative_path, sha256)
        folder = Path(tempfile.mkdtemp(prefix="mustafid-view-"))  # mkdtemp: mode 0700
        _READABLE_DIRS.append(folder)
        copy = folder / path.name
        descriptor = os.open(copy, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return copy
