"""The decision gate on screen: the wizard ends at the committee notice with its summary; the case file continues
the case after the committee's acceptance (registration, then the service); an inquiry ends at the answer."""

from __future__ import annotations

from pathlib import Path

from desktop.casedesk import CaseDesk, CommitteeService, DecisionInput
from tests.accounts import committee_present
from desktop.identity import make_saudi_id
from desktop.workspace import Workspace
from tests.ui.reception.driver import draw_signature, future_hijri, type_text
from ui.cases.case_file import CaseFileDialog
from ui.ops import operations, run_write


def _settled() -> None:
    assert operations().wait(30_000), "operations still running after 30 s"


def test_the_wizard_ends_at_the_committee_notice_and_the_case_file_continues(
    qtbot, open_reception, workspace: Workspace, tmp_path: Path
) -> None:
    """qader-tabuk: after the notice the summary says what comes next (a Hijri month, both calendars) and the
    register and serve steps are not offered; once accepted, the case file registers and serves."""
    page, officer = open_reception("qader-tabuk")
    wizard = page.wizard
    officer.start_contact("interview", "support_request", make_saudi_id("109876543"))
    officer.greet()
    verify = officer.on("verification")
    officer.fill_particulars(full_name="سعد بن فهد بن سعود العتيبي", id_expiry=future_hijri(), mobile="0501234567",
                             city="تبوك", household_size="5")
    officer.mark_documents()
    verify.full_name.setFocus()
    officer.enter()
    draw_signature(officer.on("declaration").pad)  # type: ignore[attr-defined]
    officer.alt_n()
    officer.on("committee_notice")
    officer.alt_n()
    notify = officer.on("committee_notice")
    assert notify.is_done() and notify.print_receipt.isVisible()  # type: ignore[attr-defined]
    assert wizard.next_button.text().startswith("إنهاء الاستقبال")
    assert "من ملف الحالة بعد قبول اللجنة" in notify.promised_label.text()  # type: ignore[attr-defined]
    officer.alt_n()

    summary = officer.on("summary")
    case = wizard.case
    assert case is not None and case.awaiting_decision and case.current_step_id is None
    outcome = summary.outcome.text()  # type: ignore[attr-defined]
    assert summary.title_label.text() == "انتهى الاستقبال: الطلب لدى لجنة البحث"
    assert "موعد الرد الموعود بالقبول أو الرفض" in outcome and "هـ" in outcome and " م" in outcome
    assert "بعد القبول" in outcome and "بعد الرفض" in outcome and "إشعار الاستلام" in outcome
    assert summary.print_buttons["receipt"].isVisible()  # type: ignore[attr-defined]
    assert summary.printable_documents()[0] == "receipt"
    for key in ("registration", "service"):
        assert wizard.checklist.state_of(key) == "after_decision"
        wizard.checklist.choose(key)  # not reachable: nothing happens
        assert officer.page.key == "summary"

    desk = CaseDesk(workspace)
    dialog = CaseFileDialog(desk, case.case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=15000)
    assert not dialog.register_button.isVisible() and not dialog.service_button.isVisible()
    assert "بانتظار قرار لجنة البحث" in dialog.decision_label.text()

    committee = CommitteeService(workspace)
    run_write(dialog, lambda: committee.decide(case.case_id, DecisionInput("accept", "", **committee_present(workspace))),
              lambda _r: None, lambda message, _e: None, where="test.committee")
    _settled()
    dialog.load()
    qtbot.waitUntil(lambda: dialog.file is not None and dialog.file.status == "accepted", timeout=15000)
    assert dialog.register_button.isVisible() and not dialog.service_button.isVisible()
    assert "استكمل التسجيل من هنا" in dialog.decision_label.text()
    register = dialog.open_register()
    with qtbot.waitSignal(dialog.sig_changed, timeout=15000):
        register.submit()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.file is not None and dialog.file.status == "registered", timeout=15000)
    assert dialog.service_button.isVisible() and not dialog.register_button.isVisible()
    served = dialog.open_service()
    type_text(served.kind, "مساعدة مالية")  # type: ignore[attr-defined]
    type_text(served.amount, "1500")  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.sig_changed, timeout=15000):
        served.submit()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.file is not None and dialog.file.status == "served", timeout=15000)
    assert len(dialog.file.services) == 1
    dialog.close()


def test_an_inquiry_ends_at_the_answer_in_the_wizard(qtbot, open_reception) -> None:
    """mafateeh-alkhair's «استفسار»: the greeting is the answer; the case closes; no other step is offered."""
    page, officer = open_reception("mafateeh-alkhair")
    wizard = page.wizard
    officer.start_contact("phone", "inquiry", "")
    greet = officer.on("reception")
    assert wizard.next_button.text().startswith("إنهاء الاستفسار وإغلاق الحالة")
    assert all(wizard.checklist.state_of(s.id) == "not_applicable" for s in wizard.profile.steps[1:])
    officer.alt_n()  # refused: the answer is required
    officer.on("reception")
    assert "ما أُجيب به" in wizard.message_text() or "ما أُجيب به" in greet.form.error("questions_note")  # type: ignore[attr-defined]
    officer.greet("سأل عن مواعيد الدوام؛ أُجيب: من الأحد إلى الخميس")
    summary = officer.on("summary")
    assert wizard.case is not None and wizard.case.status == "closed"
    assert "أُجيب المستفيد عن استفساره" in summary.outcome.text()  # type: ignore[attr-defined]
    assert not summary.print_buttons["receipt"].isVisible()  # type: ignore[attr-defined]
