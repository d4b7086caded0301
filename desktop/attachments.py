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
  kept as it is; identical content is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
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
    "StoredFile",
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


class AttachmentStore:
    """Files kept by SHA-256 under the data directory's ``attachments`` folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / ATTACHMENTS_DIR

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
        if not (target.is_file() and target.stat().st_size == len(data)):
            try:
                write_atomically(target, data)
            except OSError as exc:
                raise AttachmentError(
                    f"تعذر حفظ الملف في مجلد المرفقات: {exc.strerror or exc}", field="attachment"
                ) from exc
        return StoredFile(sha256=sha, mime=mime, size=len(data), path=target, relative_path=relative)

    def read(self, relative_path: str, sha256: str) -> bytes:
        """The bytes of a stored file, checked against its hash (AttachmentError if missing or altered)."""
        path = self.path_of(relative_path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AttachmentError(f"ملف المرفق غير موجود في مجلد البيانات: {relative_path}", field="attachment") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AttachmentError(f"ملف المرفق تغيّر بعد حفظه ولا يطابق بصمته: {relative_path}", field="attachment")
        return data
