"""`mustafid-admin pdf KIND CASE_NUMBER --out FILE`: a stored case's document rendered again."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import EXIT_INVALID, EXIT_OK, main
from desktop.reception import ReceptionError, ReceptionService

from .conftest import ID_NUMBER, NAME, documents, needs_poppler, particulars, pdf_text, qpdf_ok, signature_png


@pytest.fixture
def finished(service: ReceptionService) -> tuple[ReceptionService, str]:
    """A case of 003 with its declaration signed and the committee notified; returns its number."""
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(), documents())
    service.skip_step(view.case_id, "referral", "لا حاجة")
    service.sign_declaration(view.case_id, signature_png())
    service.notify_committee(view.case_id)
    return service, view.case_number


@needs_poppler
@pytest.mark.parametrize("kind", ["declaration", "receipt"])
def test_pdf_command_writes_the_stored_document_again(
    finished: tuple[ReceptionService, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """For an unchanged case the file written has the SHA-256 recorded when it was stored."""
    service, number = finished
    data_dir = service._workspace.data_dir  # noqa: SLF001
    stored = service.document_pdf(service.case_by_number(number).case_id, kind)
    out = tmp_path / f"{kind}.pdf"
    code = main(["--data-dir", str(data_dir), "pdf", kind, number, "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == EXIT_OK
    assert hashlib.sha256(out.read_bytes()).hexdigest() == stored.sha256
    assert stored.sha256 in printed
    assert qpdf_ok(out)
    words = pdf_text(out)
    assert number in words and NAME in words and ID_NUMBER in words


@needs_poppler
@pytest.mark.parametrize("kind", ["blank-declaration", "missing-documents"])
def test_pdf_command_other_documents(
    finished: tuple[ReceptionService, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """The blank pre-filled declaration and the missing-documents list come out as valid PDFs."""
    service, number = finished
    out = tmp_path / "out.pdf"
    code = main(["--data-dir", str(service._workspace.data_dir), "pdf", kind, number, "--out", str(out)])  # noqa: SLF001
    capsys.readouterr()
    assert code == EXIT_OK and qpdf_ok(out)
    assert number in pdf_text(out)


def test_pdf_command_unknown_case_is_one_arabic_line_and_exit_2(
    finished: tuple[ReceptionService, str], tmp_path: Path
) -> None:
    """An unknown case number: exit 2, one line on stderr, no file written."""
    service, _ = finished
    out = tmp_path / "none.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", str(service._workspace.data_dir),  # noqa: SLF001
         "pdf", "receipt", "ZZZZ-1447-999999", "--out", str(out)],
        capture_output=True, text=True,
    )
    assert done.returncode == EXIT_INVALID
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "ZZZZ-1447-999999" in lines[0] and "لا توجد حالة" in lines[0]
    assert not out.exists()


def test_pdf_command_receipt_before_notice_is_a_clear_error(
    service: ReceptionService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A case not yet submitted has no receipt: a clear line, non-zero exit."""
    view = service.start_contact("interview", "service_request")
    code = main(["--data-dir", str(service._workspace.data_dir), "pdf", "receipt", view.case_number,  # noqa: SLF001
                 "--out", str(tmp_path / "r.pdf")])
    assert code != EXIT_OK
    assert "للجنة" in capsys.readouterr().err


def test_a_role_the_catalogue_does_not_name_cannot_print_through_either_service(
    finished: tuple[ReceptionService, str],
) -> None:
    """The catalogue's 'who may print' holds in the services, not only on screens: the wizard's path and the case file's."""
    from sqlalchemy import update

    from db.models import AppUser
    from desktop.casedesk import CaseDeskError, CaseFileService
    from desktop.workspace import os_username

    service, number = finished
    workspace = service._workspace  # noqa: SLF001
    case_id = service.case_by_number(number).case_id
    assert service.document_pdf(case_id, "receipt").size > 0
    with workspace.db.session() as session:
        session.execute(update(AppUser).where(AppUser.username == os_username()).values(role="operations_manager"))
    with pytest.raises(ReceptionError) as refused:
        service.document_pdf(case_id, "receipt")
    assert "لا يملك دورك" in refused.value.message_ar
    with pytest.raises(CaseDeskError):
        CaseFileService(workspace).document_pdf(case_id, "declaration")
