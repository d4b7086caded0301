"""Printed Arabic documents (PDF): the declaration, blank declaration, receipt and missing-documents notice."""

from __future__ import annotations

from desktop.documents.arabic_pdf import sha256_hex, shape_line, wrap
from desktop.documents.forms import (
    PAPER_SIGNATURE_NOTE,
    BeneficiaryParticulars,
    Letterhead,
    MissingDocument,
    render_blank_declaration,
    render_declaration,
    render_missing_documents,
    render_receipt,
)

__all__ = [
    "PAPER_SIGNATURE_NOTE",
    "BeneficiaryParticulars",
    "Letterhead",
    "MissingDocument",
    "render_blank_declaration",
    "render_declaration",
    "render_missing_documents",
    "render_receipt",
    "sha256_hex",
    "shape_line",
    "wrap",
]
