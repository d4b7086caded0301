"""The case file of a mental-health association's case (قادر) as an officer: what the policy marks sensitive reads
«محجوب — يطّلع عليه الباحث واللجنة والمدير» in place, the medical report's scan is listed but neither opened nor
printed (the refusal names who may), and the same file as the researcher shows it all."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtWidgets import QPushButton

from db.models import UserRole
from desktop.casedesk import CaseDesk, DecisionInput
from desktop.permissions import REDACTED, SENSITIVE_SCAN_REFUSED
from desktop.reception import DocumentInput, ReceptionService
from desktop.workspace import Workspace
from tests.accounts import PASSWORD, add_account, sign_in_desk
from tests.desktop.casedesk._factory import Clock, Desk
from tests.desktop.reception.conftest import png_file, signature_png
from tests.ui.cases.conftest import idle
from ui.cases.case_file import CaseFileDialog

MEDICAL_REPORT = "تقرير طبي حديث من جهة صحية معتمدة"
REASON = "اضطراب اكتئابي يستدعي الدعم"


def _qader_case(workspace: Workspace, tmp_path: Path) -> uuid.UUID:
    """A qader case rejected with a reason, the medical report scanned; an officer and a researcher account."""
    workspace.adopt_builtin_profile("qader-tabuk")
    admin = sign_in_desk(workspace)
    for login, name, role in (("mona", "منى القحطاني", UserRole.OFFICER), ("huda", "هدى الشهري", UserRole.RESEARCHER)):
        add_account(workspace, login, name, [role.value])
    reception = ReceptionService(workspace)
    case_id = reception.start_contact(reception.profile.channels[0].id, "support_request").case_id
    reception.complete_greet(case_id, "يتابع مع طبيب نفسي")
    typed = Desk(workspace, Clock(), reception, CaseDesk(workspace)).particulars()
    reception.complete_verify(case_id, typed, [
        DocumentInput("صورة الهوية الوطنية أو الإقامة", True, "1460/01/01"),
        DocumentInput(MEDICAL_REPORT, True, "1460/01/01", png_file(tmp_path / "report.png")),
    ])
    reception.sign_declaration(case_id, signature_png())
    reception.notify_committee(case_id)
    CaseDesk(workspace).committee.decide(case_id, DecisionInput("reject", REASON, member_ids=(admin.account_id,)))
    workspace.sign_out()
    return case_id


def _open(qtbot, workspace: Workspace, case_id: uuid.UUID) -> CaseFileDialog:  # type: ignore[no-untyped-def]
    dialog = CaseFileDialog(CaseDesk(workspace), case_id)
    qtbot.addWidget(dialog)
    dialog.resize(1280, 800)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.file is not None and bool(dialog.stored_documents), timeout=15000)
    qtbot.waitUntil(idle(dialog), timeout=15000)
    return dialog


def test_an_officer_sees_withheld_in_place_and_cannot_open_the_medical_report(
    qtbot, workspace: Workspace, tmp_path: Path,
) -> None:
    case_id = _qader_case(workspace, tmp_path)
    workspace.sign_in(workspace.staff().verify_sign_in("mona", PASSWORD))
    dialog = _open(qtbot, workspace, case_id)
    assert f"السبب: {REDACTED}" in dialog.decision_label.text() and REASON not in dialog.decision_label.text()
    lines = [dialog.timeline.item(i).text() for i in range(dialog.timeline.count())]
    assert not any(REASON in line or "طبيب نفسي" in line for line in lines)
    (scan_line,) = [line for line in lines if MEDICAL_REPORT in line]
    assert REDACTED in scan_line and SENSITIVE_SCAN_REFUSED in scan_line
    (row,) = [i for i, d in enumerate(dialog.stored_documents) if d.entry.withheld]
    buttons = dialog.stored.cellWidget(row, 2).findChildren(QPushButton)
    assert buttons and not any(b.isEnabled() for b in buttons)
    assert REDACTED in dialog.stored.item(row, 0).text()
    entry = dialog.stored_documents[row].entry
    dialog.open_entry(entry)  # a double click on the timeline's line: the service refuses, the reason said
    qtbot.waitUntil(lambda: dialog.message.text() == SENSITIVE_SCAN_REFUSED, timeout=15000)
    qtbot.waitUntil(idle(dialog), timeout=15000)


def test_the_researcher_reads_the_same_file_whole(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    case_id = _qader_case(workspace, tmp_path)
    workspace.sign_in(workspace.staff().verify_sign_in("huda", PASSWORD))
    dialog = _open(qtbot, workspace, case_id)
    assert f"السبب: {REASON}" in dialog.decision_label.text()
    assert not any(d.entry.withheld for d in dialog.stored_documents)
    lines = " ".join(dialog.timeline.item(i).text() for i in range(dialog.timeline.count()))
    assert REDACTED not in lines and "طبيب نفسي" in lines
