"""The real wizard driven through every step of each of the five policies; the records read back from the service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.hijri import add_hijri_months, local_date
from desktop.identity import make_saudi_id
from desktop.reception import CaseView
from tests.ui.reception.driver import Officer, draw_signature, future_hijri, make_scan
from ui.ops import operations
from ui.reception.lifecycle import OpenCaseDialog
from ui.reception.page import ReceptionPage
from ui.reception.wizard import ReceptionWizard


def _assert_steps_in_order(
    view: CaseView, *, skipped: set[str] = frozenset(), late: set[str] = frozenset()
) -> None:
    """Every step passed (done, or skipped with its reason) and recorded in the policy's order (`late`: signed later)."""
    for state in view.steps:
        expected = "skipped" if state.step_id in skipped else "done"
        assert state.status == expected, (state.step_id, state.status)
        assert state.completed_at is not None and state.officer_name
    times = [state.completed_at for state in view.steps if state.step_id not in late]
    assert times == sorted(times)
    assert view.current_step_id is None


def _verify_beneficiary(officer: Officer, tmp_path: Path, *, name: str, mobile: str, attach: bool = True) -> None:
    """Fill the verify page completely and go on with Enter."""
    page = officer.on("verification")
    officer.fill_particulars(full_name=name, id_expiry=future_hijri(), birth_date="1985/03/15",
                             mobile=mobile, city="تبوك", household_size="6")
    first = page.document_rows[0].name
    officer.mark_documents(attach={first: make_scan(tmp_path, "id.png")} if attach else None)
    page.full_name.setFocus()
    officer.enter()


def _serve_to_the_end(officer: Officer, wizard: ReceptionWizard) -> None:
    """The reception ends at the committee notice; once the committee accepts: register, serve, the summary."""
    if wizard.case is not None and wizard.case.awaiting_decision:
        summary = officer.on("summary")
        assert "موعد الرد الموعود" in summary.outcome.text()  # type: ignore[attr-defined]
        assert wizard.checklist.state_of("registration") == "after_decision"
        officer.committee_accepts()
    page = officer.on("registration")
    officer.type(page.note, "اكتمل الملف")
    officer.alt_n()
    page = officer.on("service")
    officer.type(page.service_kind.lineEdit(), "مساعدة مالية")
    officer.type(page.amount, "1500")
    page.amount.setFocus()
    officer.enter()
    officer.on("summary")


def test_mafateeh_alkhair_referral_comes_back_and_pad_signature(open_reception, tmp_path: Path) -> None:
    """In person: greet, verify, refer and wait for the answer, sign on the pad, committee (14 days), register, serve."""
    page, officer = open_reception("mafateeh-alkhair")
    wizard = page.wizard
    officer.start_contact("interview", "service_request", make_saudi_id("101234567"))
    officer.greet("سأل عن المستندات المطلوبة")
    _verify_beneficiary(officer, tmp_path, name="محمد عبدالله أحمد الزهراني", mobile="0551234567")

    refer = officer.on("referral")
    officer.type(refer.to_person, "أ. خالد")
    officer.type(refer.note, "لم تتضح له شروط الدعم")
    officer.alt_n()
    refer = officer.on("referral")
    case = wizard.case
    assert case is not None and case.status == "referred" and case.open_referral is not None
    assert wizard.checklist.state_of("referral") == "waiting"
    officer.type(refer.answer, "الدعم للأسر المسجلة في الجمعية")
    officer.alt_n()

    declare = officer.on("declaration")
    assert "محمد عبدالله أحمد الزهراني" in declare.declaration_label.text()
    draw_signature(declare.pad)
    officer.alt_n()
    notify = officer.on("committee_notice")
    assert not notify.is_done() and not notify.print_receipt.isVisible()
    officer.alt_n()  # notify: the page stays with the promised date and the receipt to print
    notify = officer.on("committee_notice")
    assert notify.is_done() and notify.print_receipt.isVisible()
    assert "موعد الرد الموعود" in notify.promised_label.text()
    officer.alt_n()
    _serve_to_the_end(officer, wizard)

    view = page.service.case(case.case_id)
    _assert_steps_in_order(view)
    assert view.status == "served"
    assert view.beneficiary is not None and view.beneficiary.mobile == "+966551234567"
    assert view.submitted_at is not None
    assert view.promised_decision_date == date.fromordinal(local_date(view.submitted_at).toordinal() + 14)
    assert all(d.provided for d in view.documents) and view.documents[0].attachment_sha256
    assert page.service.document_pdf(view.case_id, "declaration").path.is_file()
    referral_note = next(s.note for s in view.steps if s.step_id == "referral")
    assert referral_note == "الدعم للأسر المسجلة في الجمعية"


def test_tahfeez_skips_referral_with_reason_and_signs_on_paper(open_reception, tmp_path: Path) -> None:
    """Optional referral skipped with its reason; the declaration wet-signed, its scan attached."""
    page, officer = open_reception("tahfeez-bir-bin-hirmas")
    officer.start_contact("interview", None, make_saudi_id("109876543"))
    officer.greet()
    _verify_beneficiary(officer, tmp_path, name="سعد بن فهد بن سعود العتيبي", mobile="+966 50 123 4567")

    refer = officer.on("referral")
    refer.skip.check.setFocus()
    QTest.keyClick(refer.skip.check, Qt.Key.Key_Space)
    officer.type(refer.skip.reason, "الإجراءات واضحة للمستفيد")
    officer.enter()

    declare = officer.on("declaration")
    declare.mode_paper.setFocus()
    QTest.keyClick(declare.mode_paper, Qt.Key.Key_Space)
    assert declare.mode() == "paper"
    declare.attach_scan(make_scan(tmp_path, "signed.png"))
    officer.qtbot.waitUntil(lambda: not declare.importing(), timeout=10000)
    officer.alt_n()
    officer.on("committee_notice")
    officer.alt_n()
    officer.on("committee_notice")
    officer.alt_n()
    _serve_to_the_end(officer, page.wizard)

    view = page.service.case(page.wizard.case.case_id)
    _assert_steps_in_order(view, skipped={"referral"})
    assert next(s.note for s in view.steps if s.step_id == "referral") == "الإجراءات واضحة للمستفيد"
    assert view.status == "served"


def test_baraah_phone_intake_signature_later_then_signed(open_reception, tmp_path: Path) -> None:
    """By phone the signature may come later; registration waits for it; the pad signature completes it."""
    page, officer = open_reception("baraah")
    wizard = page.wizard
    officer.start_contact("phone", "support_request", "0559876543")
    officer.greet()
    verify = officer.on("verification")
    assert verify.mobile.text() == "0559876543"  # carried over from the look-up
    officer.fill_particulars(full_name="نورة عبدالرحمن صالح القحطاني", id_number=make_saudi_id("112233445"),
                             id_expiry=future_hijri(), mobile="")
    officer.mark_documents()
    verify.full_name.setFocus()
    officer.enter()
    refer = officer.on("referral")
    QTest.keyClick(refer.skip.check, Qt.Key.Key_Space)
    officer.type(refer.skip.reason, "لا حاجة")
    officer.enter()

    declare = officer.on("declaration")
    assert declare.mode_later.isVisible()
    QTest.keyClick(declare.mode_later, Qt.Key.Key_Space)
    officer.type(declare.later_reason, "الطلب وصل بالهاتف")
    officer.enter()
    officer.on("committee_notice")
    assert wizard.case.signature_pending and wizard.checklist.state_of("declaration") == "waiting"
    officer.alt_n()
    officer.on("committee_notice")
    officer.alt_n()
    officer.committee_accepts()  # the reception ended at the notice; it continues after acceptance

    register = officer.on("registration")
    officer.alt_n()  # refused: the signature is pending
    officer.on("registration")
    assert "توقيع" in wizard.message_text()
    wizard.checklist.choose("declaration")
    declare = officer.on("declaration")
    assert declare.mode_pad.isChecked() and not declare.mode_later.isVisible()
    draw_signature(declare.pad)
    officer.alt_n()
    officer.on("registration")
    assert not wizard.case.signature_pending
    del register
    _serve_to_the_end(officer, wizard)

    view = page.service.case(wizard.case.case_id)
    _assert_steps_in_order(view, skipped={"referral"}, late={"declaration"})
    steps = {s.step_id: s for s in view.steps}
    assert steps["committee_notice"].completed_at < steps["declaration"].completed_at
    assert steps["declaration"].completed_at < steps["registration"].completed_at
    assert "بعد تأجيل التوقيع" in (steps["declaration"].note or "")
    assert view.status == "served" and not view.signature_pending


def test_qader_tabuk_without_referral_one_hijri_month(open_reception, tmp_path: Path) -> None:
    """Six steps (no referral); the committee promises an answer within a Hijri month."""
    page, officer = open_reception("qader-tabuk")
    wizard = page.wizard
    assert [p.key for p in wizard.pages] == ["contact", "reception", "verification", "declaration",
                                             "committee_notice", "registration", "service", "summary"]
    officer.start_contact("interview", None, "")
    officer.greet()
    verify = officer.on("verification")
    officer.fill_particulars(id_number=make_saudi_id("212345678"))  # an iqama: two-part name accepted
    _verify_beneficiary(officer, tmp_path, name="Ahmed Khan", mobile="0501112223", attach=False)
    del verify
    declare = officer.on("declaration")
    draw_signature(declare.pad)
    officer.alt_n()
    officer.on("committee_notice")
    officer.alt_n()
    officer.on("committee_notice")
    officer.alt_n()
    _serve_to_the_end(officer, wizard)

    view = page.service.case(wizard.case.case_id)
    _assert_steps_in_order(view)
    assert view.beneficiary is not None and view.beneficiary.id_kind == "iqama"
    assert view.promised_decision_date == add_hijri_months(local_date(view.submitted_at), 1)


def test_daam_rescue_report_escalated_nearest_member_closed(open_reception) -> None:
    """A report: received, recorded with coordinates, escalated, the nearest member dispatched, closed with the help."""
    page, officer = open_reception("daam-rescue")
    service = page.service
    far = service.add_member("عضو بعيد", "0501000001", "21.4858", "39.1925")  # Jeddah
    near = service.add_member("عضو قريب", "0501000002", "24.7200", "46.6800")  # Riyadh
    wizard = page.wizard
    assert wizard.rescue
    officer.start_contact("phone", "report", "")
    officer.greet("المبلّغ في حالة قلق")
    report = officer.on("verify_report")
    assert report.platform.currentData() == "phone"
    officer.type(report.reporter_name, "فهد سالم")
    officer.type(report.reporter_phone, "0543334444")
    officer.type(report.place, "الرياض، طريق الملك فهد")
    officer.type(report.latitude, "24.7136")
    officer.type(report.longitude, "46.6753")
    officer.type(report.what_happened, "سيارة متعطلة وفيها أسرة")
    officer.alt_n()

    escalate = officer.on("escalate")
    officer.type(escalate.note, "موقع غير دقيق")
    officer.alt_n()
    dispatch = officer.on("dispatch")
    assert [m.member_id for m in dispatch.members()] == [near.member_id, far.member_id]
    assert dispatch.selected_id() == near.member_id
    officer.enter()
    help_page = officer.on("help")
    officer.type(help_page.help_given, "سُحبت السيارة ونُقلت الأسرة")
    officer.alt_n()
    officer.on("summary")

    view = service.case(wizard.case.case_id)
    _assert_steps_in_order(view)
    assert view.status == "closed" and view.report is not None
    report_view = view.report
    assert report_view.dispatched_member == "عضو قريب" and report_view.help_given == "سُحبت السيارة ونُقلت الأسرة"
    assert report_view.received_at <= report_view.escalated_at <= report_view.dispatched_at <= report_view.closed_at


def test_daam_rescue_clear_report_and_override_needs_reason(open_reception) -> None:
    """A clear report skips escalation (reason pre-filled); choosing another member than the nearest needs a reason."""
    page, officer = open_reception("daam-rescue")
    service = page.service
    near = service.add_member("عضو قريب", "0501000002", "24.7200", "46.6800")
    other = service.add_member("عضو آخر", "0501000003", "24.9000", "46.9000")
    officer.start_contact("social_media", "report", "")
    officer.greet()
    report = officer.on("verify_report")
    officer.type(report.reporter_name, "سارة")
    officer.type(report.place, "الرياض")
    officer.type(report.latitude, "24.7136")
    officer.type(report.longitude, "46.6753")
    officer.type(report.what_happened, "شخص تائه")
    officer.alt_n()
    escalate = officer.on("escalate")
    QTest.keyClick(escalate.skip.check, Qt.Key.Key_Space)
    assert escalate.skip.reason.text() == "البلاغ واضح ومعلوماته مكتملة"
    officer.enter()
    dispatch = officer.on("dispatch")
    assert dispatch.nearest_id() == near.member_id
    dispatch.table.setFocus()
    QTest.keyClick(dispatch.table, Qt.Key.Key_Down)
    assert dispatch.selected_id() == other.member_id
    officer.enter()
    officer.on("dispatch")
    assert dispatch.form.error("overridden_reason")
    officer.type(dispatch.override_reason, "العضو الأقرب بلا سيارة")
    officer.enter()
    officer.on("help")
    view = service.case(page.wizard.case.case_id)
    assert view.report is not None and view.report.dispatch_override_reason == "العضو الأقرب بلا سيارة"
    assert next(s for s in view.steps if s.step_id == "escalate").status == "skipped"


def test_same_id_opens_the_existing_file(open_reception, tmp_path: Path) -> None:
    """A second contact with the same ID finds the stored beneficiary and opens that file (no new one).

    Issue 11: the first case is still open, so the contact first offers to continue it; the second case is
    opened on the same file only with a stated reason."""
    page, officer = open_reception("mafateeh-alkhair")
    wizard = page.wizard
    id_number = make_saudi_id("105555555")
    officer.start_contact("interview", None, id_number)
    officer.greet()
    _verify_beneficiary(officer, tmp_path, name="علي حسن محمد الشهري", mobile="0561234567", attach=False)
    first = wizard.case
    assert first is not None and first.beneficiary is not None
    QTest.keyClick(wizard, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # the next contact
    officer.on("contact")
    officer.start_contact("phone", None, id_number)
    officer.qtbot.waitUntil(lambda: wizard.findChild(OpenCaseDialog) is not None, timeout=3000)
    offer = wizard.findChild(OpenCaseDialog)
    assert offer.continue_button.isDefault() and not offer.another_button.isEnabled()
    officer.type(offer.reason_edit, "طلب آخر منفصل")
    offer.another_button.click()
    operations().wait()
    officer.settle()
    second = wizard.case
    assert second is not None and second.case_id != first.case_id
    assert second.beneficiary is not None and second.beneficiary.beneficiary_id == first.beneficiary.beneficiary_id
    officer.greet()
    verify = officer.on("verification")
    assert verify.full_name.text() == "علي حسن محمد الشهري"
    assert verify.mobile.text() == "0561234567"


def test_probable_duplicate_is_warned(open_reception, tmp_path: Path) -> None:
    """A similar name with the same phone warns of a probable duplicate file and offers to open it."""
    page, officer = open_reception("mafateeh-alkhair")
    wizard = page.wizard
    officer.start_contact("interview", None, make_saudi_id("106666666"))
    officer.greet()
    _verify_beneficiary(officer, tmp_path, name="عبد الله سعيد علي الغامدي", mobile="0577777777", attach=False)
    stored = wizard.case.beneficiary
    # The first case is abandoned so the person has none open (with one, the file is not opened silently).
    page.service.discard_draft(wizard.case.case_id, "استقبال تجريبي")
    wizard.start_new()
    officer.start_contact("interview", None, "")
    officer.greet()
    verify = officer.on("verification")
    officer.fill_particulars(full_name="عبدالله سعيد علي الغامدى", mobile="0577777777")
    officer.qtbot.waitUntil(lambda: verify.duplicate_box.isVisible(), timeout=3000)
    assert verify.duplicates()[0].beneficiary_id == stored.beneficiary_id
    assert "مسجلًا من قبل" in verify.duplicate_label.text()
    verify.open_existing.click()
    operations().wait()
    assert wizard.case.beneficiary is not None
    assert wizard.case.beneficiary.beneficiary_id == stored.beneficiary_id
    assert verify.id_number.text() == stored.id_number
