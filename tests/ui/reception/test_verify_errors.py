"""Bad input on the verify page is shown inline in Arabic and blocks the step; nothing is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.identity import make_saudi_id
from desktop.reception import ReceptionError
from tests.ui.reception.driver import Officer, future_hijri, past_gregorian
from ui.ops import operations
from ui.reception.page import ReceptionPage
from ui.reception.verify import VerifyPage


@pytest.fixture
def verify(open_reception) -> tuple[ReceptionPage, Officer, VerifyPage]:
    """A contact started and greeted: the verify page on screen."""
    page, officer = open_reception("mafateeh-alkhair")
    officer.start_contact("interview", None, "")
    officer.greet()
    verify_page = officer.on("verification")
    assert isinstance(verify_page, VerifyPage)
    return page, officer, verify_page


def _blocked(page: ReceptionPage, officer: Officer) -> None:
    """Enter did not record the step: still on the verify page, the case still a draft."""
    officer.on("verification")
    view = page.service.case(page.wizard.case.case_id)
    assert view.status == "draft" and view.beneficiary is None
    assert next(s for s in view.steps if s.step_id == "verification").status == "current"


def test_bad_check_digit_is_shown_as_typed_and_blocks(verify) -> None:
    """An ID whose check digit does not match: the error appears once ten digits are typed, and Enter is refused."""
    page, officer, form = verify
    good = make_saudi_id("101234567")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_number=bad, id_expiry=future_hijri(),
                             mobile="0551234567")
    officer.mark_documents()
    assert "خانة التحقق" in (form.field_error("id_number") or "")
    form.full_name.setFocus()
    officer.enter()
    _blocked(page, officer)
    assert "خانة التحقق" in (form.field_error("id_number") or "")
    officer.qtbot.waitUntil(form.id_number.hasFocus, timeout=1000)


def test_expired_id_blocks(verify) -> None:
    """An ID expired a month ago: refused inline with both calendars' dates."""
    page, officer, form = verify
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_number=make_saudi_id("101234567"),
                             id_expiry=past_gregorian(30), mobile="0551234567")
    form.full_name.setFocus()
    officer.enter()
    _blocked(page, officer)
    error = form.field_error("id_expiry") or ""
    assert "منتهية" in error and "هـ" in error and "م" in error


def test_non_saudi_mobile_blocks(verify) -> None:
    """A number that is not a Saudi mobile is refused inline."""
    page, officer, form = verify
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_number=make_saudi_id("101234567"),
                             id_expiry=future_hijri(), mobile="0612345678")
    form.full_name.setFocus()
    officer.enter()
    _blocked(page, officer)
    assert "ليس رقم جوال سعودي" in (form.field_error("mobile") or "")


def test_impossible_date_and_three_part_name_block(verify) -> None:
    """A Hijri day that does not exist and a national ID holder's three-part name are both shown at once."""
    page, officer, form = verify
    officer.fill_particulars(full_name="محمد عبدالله الزهراني", id_number=make_saudi_id("101234567"),
                             id_expiry="1450/02/31", mobile="0551234567")
    form.full_name.setFocus()
    officer.enter()
    _blocked(page, officer)
    assert "رباعي" in (form.field_error("full_name") or "")
    assert "غير موجود" in (form.field_error("id_expiry") or "") or "30" in (form.field_error("id_expiry") or "")


def test_service_refusal_lands_under_its_field(verify) -> None:
    """What only the service knows (an ID already on another file) is shown under the ID field."""
    page, officer, form = verify
    service = page.service
    other = service.start_contact("phone", "service_request")
    from desktop.reception import DocumentInput, ParticularsInput

    taken = make_saudi_id("107777777")
    service.complete_greet(other.case_id)
    service.complete_verify(
        other.case_id,
        ParticularsInput("سعد علي محمد القحطاني", taken, future_hijri(), "", "0533333333", "", "3", gender="male"),
        [DocumentInput("صورة الهوية", True)],
    )
    attached = service.start_contact("phone", "service_request")
    service.complete_greet(attached.case_id)
    service.complete_verify(
        attached.case_id,
        ParticularsInput("فهد علي محمد القحطاني", make_saudi_id("108888888"), future_hijri(), "", "0544444444", "", "3", gender="male"),
        [],
    )
    # Fahd's case is closed first: with it open, the contact would offer to continue it (issue 11).
    service.discard_draft(attached.case_id, "استُكمل في حالة أخرى")
    page.wizard.start_new()
    officer.start_contact("interview", None, make_saudi_id("108888888"))
    officer.greet()
    form = officer.on("verification")
    officer.fill_particulars(id_number=taken)
    form.full_name.setFocus()
    officer.enter()
    officer.on("verification")
    assert "مسجل لمستفيد آخر" in (form.field_error("id_number") or "")
    assert "مسجل لمستفيد آخر" in page.wizard.message_text()


def test_expired_document_is_recorded_as_missing_not_blocking(verify, tmp_path: Path) -> None:
    """A document past its date is a warning (counted missing), not a block; a non-date blocks."""
    page, officer, form = verify
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_number=make_saudi_id("101234567"),
                             id_expiry=future_hijri(), mobile="0551234567")
    officer.mark_documents()
    row = form.document_rows[1]
    officer.type(row.valid_until, "2024/13/40")
    form.full_name.setFocus()
    officer.enter()
    _blocked(page, officer)
    assert row.error.isVisible() and "تاريخ صلاحية" in row.error.text()
    row.valid_until.edit.clear()
    officer.type(row.valid_until, past_gregorian(5))
    assert row.error.isVisible() and row.error.property("warning") is True
    form.full_name.setFocus()
    officer.enter()
    officer.on("referral")
    view = page.service.case(page.wizard.case.case_id)
    assert [d.expired for d in view.documents] == [False, True] + [False] * (len(view.documents) - 2)


def test_missing_documents_updated_after_verify_then_registration(open_reception, tmp_path: Path) -> None:
    """Registration refuses an incomplete file; the document brought later is recorded on the verify page."""
    page, officer = open_reception("qader-tabuk")
    wizard = page.wizard
    officer.start_contact("interview", None, make_saudi_id("103333333"))
    officer.greet()
    form = officer.on("verification")
    officer.fill_particulars(full_name="خالد سعيد محمد العنزي", id_expiry=future_hijri(), mobile="0552223333")
    officer.mark_documents()
    last = form.document_rows[-1]
    QTest.keyClick(last.provided, Qt.Key.Key_Space)
    assert not last.provided.isChecked()
    form.full_name.setFocus()
    officer.enter()
    declare = officer.on("declaration")
    from tests.ui.reception.driver import draw_signature

    draw_signature(declare.pad)
    officer.alt_n()
    officer.alt_n()
    officer.alt_n()
    officer.committee_accepts()  # the reception ended at the committee notice; it continues after acceptance
    officer.on("registration")
    officer.alt_n()
    officer.on("registration")
    assert "الملف غير مكتمل" in wizard.message_text() and last.name in wizard.message_text()

    wizard.checklist.choose("verification")
    form = officer.on("verification")
    assert form.print_missing.isEnabled()
    last = form.document_rows[-1]  # the case was opened again after the decision: its pages are new
    QTest.keyClick(last.provided, Qt.Key.Key_Space)
    form.save_documents.click()
    operations().wait()
    assert "حُفظ تحديث المستندات" in wizard.message_text()
    wizard.checklist.choose("registration")
    officer.on("registration")
    officer.alt_n()
    officer.on("service")


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("id_number", make_saudi_id("101234567")[:-1] + "0"),
        ("id_expiry", "1440/01/01"),
        ("id_expiry", ""),
        ("mobile", "0201234567"),
        ("household_size", "0"),
        ("full_name", "محمد"),
        ("birth_date", "2060/01/01"),
    ],
)
def test_inline_problem_is_the_services_refusal_word_for_word(verify, field: str, typed: str) -> None:
    """What the page shows under a field is exactly what the service refuses the same particulars with."""
    page, officer, form = verify
    good = {"full_name": "محمد عبدالله أحمد الزهراني", "id_number": make_saudi_id("101234567"),
            "id_expiry": future_hijri(), "mobile": "0551234567", "household_size": "", "birth_date": ""}
    for name, value in {**good, field: typed}.items():
        getattr(form, name).setText(value)
    officer.choose_gender("male")
    form.full_name.setFocus()
    officer.enter()
    _blocked(page, officer)
    shown = form.field_error(field)
    with pytest.raises(ReceptionError) as refused:
        page.service.complete_verify(page.wizard.case.case_id, form.particulars(), [])
    assert refused.value.field == field and shown == refused.value.message_ar
