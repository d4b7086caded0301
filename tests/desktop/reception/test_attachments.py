"""The content-addressed attachment store: type by content, size limit, one file per content, atomic writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from desktop.reception import ReceptionError
from desktop.attachments import (
    MAX_BYTES,
    MIME_JPEG,
    MIME_PDF,
    MIME_PNG,
    AttachmentStore,
    detect_mime,
    read_attachment_file,
    validate_content,
)

from .conftest import png_file


def test_type_is_told_by_content_not_by_name(tmp_path: Path) -> None:
    """PNG, JPEG and PDF by their first bytes; anything else is None."""
    from PIL import Image

    png = png_file(tmp_path / "x.txt").read_bytes()
    Image.new("RGB", (20, 20)).save(tmp_path / "y.png", "JPEG")
    assert detect_mime(png) == MIME_PNG
    assert detect_mime((tmp_path / "y.png").read_bytes()) == MIME_JPEG
    assert detect_mime(b"%PDF-1.7\n...") == MIME_PDF
    assert detect_mime(b"GIF89a") is None and detect_mime(b"") is None
    assert read_attachment_file(tmp_path / "x.txt")[1] == MIME_PNG


def test_store_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    """<data>/attachments/ab/<sha256>.ext; the same content stored twice is one file; read checks the hash."""
    store = AttachmentStore(tmp_path)
    data = png_file(tmp_path / "scan.png").read_bytes()
    first = store.put(data, MIME_PNG)
    sha = hashlib.sha256(data).hexdigest()
    assert first.sha256 == sha
    assert first.relative_path == f"attachments/{sha[:2]}/{sha}.png"
    assert first.path == tmp_path / "attachments" / sha[:2] / f"{sha}.png"
    assert store.put(data, MIME_PNG) == first
    assert [p.name for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == [f"{sha}.png"]
    assert store.read(first.relative_path, sha) == data
    first.path.write_bytes(data[:-1] + b"\x00")
    with pytest.raises(ReceptionError):
        store.read(first.relative_path, sha)
    with pytest.raises(ReceptionError):
        store.read("attachments/00/none.png", sha)


def test_content_validation_limits(tmp_path: Path) -> None:
    """Empty, over 10 MB, unknown type, PDF without its end, an undecodable image: refused in Arabic."""
    good_pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    assert validate_content(good_pdf) == MIME_PDF
    for bad in (b"", b"%PDF-1.4 but cut", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"<html>", b"PK\x03\x04zip"):
        with pytest.raises(ReceptionError) as raised:
            validate_content(bad)
        assert raised.value.message_ar
    with pytest.raises(ReceptionError):
        validate_content(b"%PDF-" + b"0" * MAX_BYTES + b"%%EOF")
    with pytest.raises(ReceptionError):
        read_attachment_file(tmp_path)  # a folder
