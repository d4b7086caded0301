"""Screenshots of every reception page for two policies, saved to $MUSTAFID_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from desktop.identity import make_saudi_id
from desktop.workspace import Workspace
from tests.ui.reception.driver import Officer, draw_signature, future_hijri, make_scan, past_gregorian
from ui.main_window import MainWindow
from tests.accounts import sign_in_desk

SCREENSHOTS_ENV = "MUSTAFID_SCREENSHOTS"


def _save(qtbot, widget: QWidget, name: str) -> QImage:
    """Grab the window; write <name>.png into $MUSTAFID_SCREENSHOTS when set."""
    qtbot.wait(20)
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 200 and image.height() > 200
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert image.save(str(Path(folder) / f"{name}.png"))
    return image


def _window(qtbot, workspace: Workspace, profile_id: str) -> tuple[MainWindow, Officer]:
    workspace.adopt_builtin_profile(profile_id)
    sign_in_desk(workspace)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    page = window.reception_page()
    assert page is not None
    page.wizard.printer.show_boxes = False
    return window, Officer(qtbot, page)


def test_mafateeh_alkhair_pages(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    """Every page of the family association's reception, with the inline errors an officer meets."""
    window, officer = _window(qtbot, workspace, "mafateeh-alkhair")
    prefix = "mafateeh-alkhair"
    wizard = officer.wizard
    _save(qtbot, window, f"{prefix}_01_contact")
    contact = wizard.contact_page
    officer.type(contact.lookup.edit, make_saudi_id("101234567"))
    qtbot.waitUntil(lambda: contact.lookup.lookups_run > 0)
    _save(qtbot, window, f"{prefix}_02_contact_typed")
    officer.enter()
    officer.type(officer.page.questions, "سأل عن مدة دراسة الطلب")
    _save(qtbot, window, f"{prefix}_03_greet")
    officer.alt_n()
    verify = officer.on("verification")
    _save(qtbot, window, f"{prefix}_04_verify_empty")
    officer.fill_particulars(full_name="محمد عبدالله الزهراني", id_number="1012345670", id_expiry=past_gregorian(30),
                             birth_date="1410/02/10", mobile="0612345678", city="جدة", household_size="5")
    officer.enter()
    _save(qtbot, window, f"{prefix}_05_verify_errors")
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_number=make_saudi_id("101234567"),
                             id_expiry=future_hijri(), mobile="0551234567")
    rows = verify.document_rows
    officer.mark_documents(attach={rows[0].name: make_scan(tmp_path, "id.png")})
    QTest.keyClick(rows[3].provided, Qt.Key.Key_Space)
    officer.type(rows[1].valid_until, past_gregorian(10))
    verify.full_name.setFocus()
    _save(qtbot, window, f"{prefix}_06_verify_filled")
    verify.scroll_area.ensureWidgetVisible(verify.print_missing)
    _save(qtbot, window, f"{prefix}_06b_verify_documents")
    officer.enter()
    refer = officer.on("referral")
    _save(qtbot, window, f"{prefix}_07_refer")
    officer.type(refer.to_person, "أ. خالد")
    officer.type(refer.note, "لم تتضح له شروط الدعم")
    officer.alt_n()
    _save(qtbot, window, f"{prefix}_08_refer_waiting")
    officer.type(refer.answer, "شُرحت له الشروط")
    officer.alt_n()
    declare = officer.on("declaration")
    _save(qtbot, window, f"{prefix}_09_declare_empty")
    draw_signature(declare.pad, [(0.3, 0.5)])
    officer.alt_n()
    _save(qtbot, window, f"{prefix}_10_declare_one_dot_refused")
    declare.pad.clear()
    draw_signature(declare.pad)
    _save(qtbot, window, f"{prefix}_11_declare_signed")
    QTest.keyClick(declare.mode_paper, Qt.Key.Key_Space)
    _save(qtbot, window, f"{prefix}_12_declare_paper")
    QTest.keyClick(declare.mode_pad, Qt.Key.Key_Space)
    officer.alt_n()
    _save(qtbot, window, f"{prefix}_13_notify_before")
    officer.alt_n()
    _save(qtbot, window, f"{prefix}_14_notify_done")
    officer.alt_n()
    officer.on("summary")  # the reception ends at the committee notice
    _save(qtbot, window, f"{prefix}_14b_summary_after_notice")
    officer.committee_accepts()
    officer.on("registration")
    officer.alt_n()
    _save(qtbot, window, f"{prefix}_15_register_refused_missing_documents")
    officer.alt_b()
    officer.alt_b()
    officer.alt_b()
    officer.alt_b()
    officer.on("verification")
    _save(qtbot, window, f"{prefix}_16_verify_done_readonly")


def test_daam_rescue_pages(qtbot, workspace: Workspace) -> None:
    """Every page of the rescue association's report."""
    window, officer = _window(qtbot, workspace, "daam-rescue")
    prefix = "daam-rescue"
    service = officer.wizard.service
    service.add_member("سالم العنزي", "0501000001", "24.7300", "46.6900")
    service.add_member("ماجد الحربي", "0501000002", "24.6500", "46.7100")
    service.add_member("تركي الدوسري", "0501000003", "21.4858", "39.1925")
    _save(qtbot, window, f"{prefix}_01_contact")
    officer.start_contact("phone", "report", "")
    officer.type(officer.page.questions, "المبلّغ قلق ويطلب السرعة")
    _save(qtbot, window, f"{prefix}_02_greet")
    officer.alt_n()
    report = officer.on("verify_report")
    _save(qtbot, window, f"{prefix}_03_report_empty")
    officer.type(report.reporter_name, "فهد سالم")
    officer.type(report.reporter_phone, "12")
    officer.type(report.place, "الرياض، طريق الملك فهد")
    officer.type(report.latitude, "124.7")
    officer.alt_n()
    _save(qtbot, window, f"{prefix}_04_report_errors")
    for widget in (report.reporter_phone, report.latitude):
        widget.clear()
    officer.type(report.reporter_phone, "0543334444")
    officer.type(report.latitude, "24.7136")
    officer.type(report.longitude, "46.6753")
    officer.type(report.what_happened, "سيارة متعطلة وفيها أسرة")
    _save(qtbot, window, f"{prefix}_05_report_filled")
    officer.alt_n()
    escalate = officer.on("escalate")
    _save(qtbot, window, f"{prefix}_06_escalate")
    QTest.keyClick(escalate.skip.check, Qt.Key.Key_Space)
    _save(qtbot, window, f"{prefix}_07_escalate_skip")
    officer.enter()
    dispatch = officer.on("dispatch")
    _save(qtbot, window, f"{prefix}_08_dispatch")
    QTest.keyClick(dispatch.table, Qt.Key.Key_Down)
    officer.enter()
    _save(qtbot, window, f"{prefix}_09_dispatch_override")
    officer.type(dispatch.override_reason, "الأقرب في مهمة أخرى")
    officer.enter()
    help_page = officer.on("help")
    officer.type(help_page.help_given, "سُحبت السيارة ونُقلت الأسرة")
    _save(qtbot, window, f"{prefix}_10_help")
    officer.alt_n()
    officer.on("summary")
    _save(qtbot, window, f"{prefix}_11_summary")
    window.reception_page().tabs.setCurrentIndex(1)
    _save(qtbot, window, f"{prefix}_12_policy_tab")
