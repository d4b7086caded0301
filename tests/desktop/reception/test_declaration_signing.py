"""Signing the declaration: its PDF rendered outside the write transaction, the signing recorded whole or not at all."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import Declaration
from desktop.reception import ReceptionError, ReceptionService, case_profile, render_document
from desktop.reception.documents import DeclarationSheet
from desktop.workspace import os_username
from tests.accounts import ADMIN_NAME, sign_in_desk

from .conftest import documents, needs_poppler, particulars, pdf_text, signature_png, snapshot


def _at_declaration(service: ReceptionService) -> object:
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(), documents())
    service.skip_step(view.case_id, "referral", "لا حاجة")
    return view.case_id


def _writable_now(database: Path) -> bool:
    """True when another connection can take the database's write lock at once (no transaction is writing)."""
    connection = sqlite3.connect(database, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def test_the_pdf_is_rendered_while_no_transaction_holds_the_write_lock(
    service: ReceptionService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the declaration's PDF is being made another writer could write: the render is outside the transaction."""
    case_id = _at_declaration(service)
    database = service._workspace.db.path  # noqa: SLF001
    seen: list[bool] = []
    render = DeclarationSheet.render

    def render_and_look(sheet: DeclarationSheet) -> bytes:
        seen.append(_writable_now(database))
        return render(sheet)

    monkeypatch.setattr(DeclarationSheet, "render", render_and_look)
    view = service.sign_declaration(case_id, signature_png())  # type: ignore[arg-type]
    assert seen == [True]
    assert next(s for s in view.steps if s.step_id == "declaration").status == "done"


def test_a_store_that_cannot_keep_the_pdf_records_nothing(service: ReceptionService) -> None:
    """The attachments folder cannot be written: a clear Arabic refusal, no row, the step still to be signed."""
    case_id = _at_declaration(service)
    store = service._workspace.data_dir / "attachments"  # noqa: SLF001
    if store.exists():
        shutil.rmtree(store)
    store.write_text("not a folder", encoding="utf-8")  # every file put into the store fails
    before = snapshot(service._workspace)  # noqa: SLF001
    with pytest.raises(ReceptionError) as raised:
        service.sign_declaration(case_id, signature_png())  # type: ignore[arg-type]
    assert "تعذر حفظ الملف" in raised.value.message_ar
    assert snapshot(service._workspace) == before  # noqa: SLF001
    view = service.case(case_id)  # type: ignore[arg-type]
    assert next(s for s in view.steps if s.step_id == "declaration").status == "current"

    store.unlink()
    view = service.sign_declaration(case_id, signature_png())  # type: ignore[arg-type]
    assert next(s for s in view.steps if s.step_id == "declaration").status == "done"
    with service._workspace.db.session(read_only=True) as session:  # noqa: SLF001
        assert session.scalar(select(func.count()).select_from(Declaration)) == 1


def test_documents_print_from_a_session_without_a_service(service: ReceptionService) -> None:
    """The plain render functions give the bytes the service stored (the case desk prints them this way)."""
    case_id = _at_declaration(service)
    service.sign_declaration(case_id, signature_png())  # type: ignore[arg-type]
    service.notify_committee(case_id)  # type: ignore[arg-type]
    from desktop.attachments import AttachmentStore
    from desktop.reception import find_case

    number = service.case(case_id).case_number  # type: ignore[arg-type]
    store = AttachmentStore(service._workspace.data_dir)  # noqa: SLF001
    with service._workspace.db.session(read_only=True) as session:  # noqa: SLF001
        case = find_case(session, number)
        profile = case_profile(session, case)
        for kind in ("declaration", "receipt"):
            stored = service.document_pdf(case_id, kind)  # type: ignore[arg-type]
            assert render_document(session, case, profile, store, kind) == stored.path.read_bytes()


@needs_poppler
def test_the_declaration_names_the_signed_in_officer_never_the_os_login(service: ReceptionService,
                                                                        tmp_path: Path) -> None:
    """Signed in (issue 13), the declaration prints the account's full Arabic name as the receiving officer."""
    workspace = service._workspace  # noqa: SLF001
    sign_in_desk(workspace)
    case_id = _at_declaration(service)
    service.sign_declaration(case_id, signature_png())  # type: ignore[arg-type]
    out = tmp_path / "declaration.pdf"
    out.write_bytes(service.render_document(case_id, "declaration"))  # type: ignore[arg-type]
    words = pdf_text(out)
    assert ADMIN_NAME.split()[0] in words and ADMIN_NAME.split()[-1] in words
    assert os_username() not in words
