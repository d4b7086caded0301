"""The catalogue of a case's printed documents: one entry per document, read by the services, the CLI and every screen.

An entry says what the document is called (`kind`, stored with the file and synced), its one Arabic title (the
same on the reception page, the case file, the timeline and the CLI), its name on the command line
(``mustafid-admin pdf NAME CASE``), the function that renders it from the stored records, and who may print it.

A new printed document is one entry here and its renderer: a plain function
``render(session, case, profile, store) -> bytes`` that reads the case's stored records with the policy version
the case was opened under (so an unchanged case gives the same bytes). The renderer is named as
``"module:function"`` and imported when first used, so a screen that only needs titles does not load reportlab;
`tests/desktop/test_document_catalogue.py` resolves every name, so a typo fails the tests, not the counter.

The period report, its evidence pack and the satisfaction slip are not documents of a case: their services
(`desktop.reports`, `desktop.satisfaction`) make them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from db.models import UserRole
from desktop.errors import ReceptionError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from db.models import Case
    from desktop.attachments import AttachmentStore
    from desktop.policy import PolicyProfile

__all__ = [
    "CATALOGUE",
    "CaseRenderer",
    "PrintedDocument",
    "by_cli_name",
    "cli_names",
    "document",
    "title_of",
]

#: Renders one document of a case from its stored records.
CaseRenderer = Callable[["Session", "Case", "PolicyProfile", "AttachmentStore"], bytes]

_ALL_DESK_ROLES = frozenset(
    {UserRole.OFFICER, UserRole.RESEARCHER, UserRole.COMMITTEE, UserRole.MANAGER, UserRole.ADMIN}
)


@dataclass(frozen=True)
class PrintedDocument:
    """One printed document of a case: its kind, Arabic title, CLI name, renderer and who may print it."""

    kind: str
    title_ar: str
    cli_name: str
    renderer: str
    may_print: frozenset[UserRole]

    def render_function(self) -> CaseRenderer:
        """The renderer, imported on first use (``module:function``)."""
        module_name, _, attribute = self.renderer.partition(":")
        return cast(CaseRenderer, getattr(importlib.import_module(module_name), attribute))

    def render(self, session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore) -> bytes:
        """The document's PDF bytes for `case`, from its stored records."""
        return self.render_function()(session, case, profile, store)

    def check_may_print(self, role: str, error: type[ReceptionError] = ReceptionError) -> None:
        """Refuse, in Arabic, a role that may not print this document."""
        try:
            allowed = UserRole(role) in self.may_print
        except ValueError:
            allowed = False
        if not allowed:
            raise error(f"لا يملك دورك في الجمعية طباعة «{self.title_ar}»", field="document")


CATALOGUE: tuple[PrintedDocument, ...] = (
    PrintedDocument(
        kind="declaration",
        title_ar="الإقرار الموقّع",
        cli_name="declaration",
        renderer="desktop.reception.documents:render_declaration",
        may_print=_ALL_DESK_ROLES,
    ),
    PrintedDocument(
        kind="blank_declaration",
        title_ar="نموذج الإقرار للتوقيع على الورق",
        cli_name="blank-declaration",
        renderer="desktop.reception.documents:render_blank_declaration",
        may_print=_ALL_DESK_ROLES,
    ),
    PrintedDocument(
        kind="receipt",
        title_ar="إشعار استلام الطلب",
        cli_name="receipt",
        renderer="desktop.reception.documents:render_receipt",
        may_print=_ALL_DESK_ROLES,
    ),
    PrintedDocument(
        kind="missing_documents",
        title_ar="إشعار المستندات الناقصة",
        cli_name="missing-documents",
        renderer="desktop.reception.documents:render_missing_documents",
        may_print=_ALL_DESK_ROLES,
    ),
    PrintedDocument(
        kind="report_record",
        title_ar="سجل البلاغ",
        cli_name="report-record",
        renderer="desktop.documents.report_record:render_report_record",
        may_print=_ALL_DESK_ROLES,
    ),
    PrintedDocument(
        kind="decision_letter",
        title_ar="خطاب قرار لجنة البحث",
        cli_name="letter",
        renderer="desktop.casedesk.decisions:case_decision_letter",
        may_print=_ALL_DESK_ROLES,
    ),
)

_BY_KIND = {entry.kind: entry for entry in CATALOGUE}
_BY_CLI_NAME = {entry.cli_name: entry for entry in CATALOGUE}


def document(kind: str, error: type[ReceptionError] = ReceptionError) -> PrintedDocument:
    """The catalogue entry of a document kind; `error` «نوع المستند غير معروف» for any other."""
    entry = _BY_KIND.get(kind)
    if entry is None:
        raise error("نوع المستند غير معروف", field="kind")
    return entry


def by_cli_name(name: str) -> PrintedDocument:
    """The entry a command-line name stands for (ReceptionError for an unknown name)."""
    entry = _BY_CLI_NAME.get(name)
    if entry is None:
        raise ReceptionError(f"لا يوجد مستند باسم {name}", field="kind")
    return entry


def cli_names() -> list[str]:
    """The documents' command-line names, sorted (for the CLI's choices)."""
    return sorted(_BY_CLI_NAME)


def title_of(kind: str | None, default: str = "") -> str:
    """The Arabic title of a document kind (`default` for a kind that is not a printed document)."""
    entry = _BY_KIND.get(kind or "")
    return entry.title_ar if entry is not None else default
