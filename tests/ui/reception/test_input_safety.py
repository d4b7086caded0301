"""Errors where the eye is and Escape on the reception wizard (issue 12): a refused step focuses the first field
in error and scrolls it into view; an error goes once its field is edited; Escape steps back or asks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from desktop.identity import make_saudi_id
from tests.ui.reception.driver import Officer, future_hijri
from ui.input_safety import DiscardQuestion
from ui.reception.page import ReceptionPage
from ui.reception.verify import VerifyPage


def _in_view(area: QScrollArea, widget: QWidget) -> bool:
    """True when the whole of `widget` is inside the scroll area's viewport."""
    viewport = area.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.fixture
def verify(open_reception) -> tuple[ReceptionPage, Officer, VerifyPage]:
    """The verify page on screen, in a window too short for the whole form (as at 1366×768 with the bars)."""
    page, officer = open_reception("mafateeh-alkhair")
    page.resize(1280, 520)
    officer.start_contact("interview", None, "")
    officer.greet()
    verify_page = officer.on("verification")
    assert isinstance(verify_page, VerifyPage)
    return page, officer, verify_page


def test_refused_verify_step_focuses_and_shows_the_first_field_in_error(verify) -> None:
    """A wrong mobile below the fold: Enter from the name leaves the keyboard in the mobile, in view with its
    error."""
    _page, officer, form = verify
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_number=make_saudi_id("101234567"),
                             id_expiry=future_hijri(), mobile="0612345678")
    form.scroll_area.verticalScrollBar().setValue(0)
    form.full_name.setFocus()
    officer.enter()
    officer.on("verification")
    assert "ليس رقم جوال سعودي" in (form.field_error("mobile") or "")
    officer.qtbot.waitUntil(form.mobile.hasFocus, timeout=1000)
    officer.qtbot.waitUntil(lambda: _in_view(form.scroll_area, form.mobile), timeout=1000)
    assert _in_view(form.scroll_area, form.form.errors["mobile"])


def test_service_refusal_focuses_its_field_from_the_foot_of_the_page(verify) -> None:
    """An ID already on another file (only the service knows): the page scrolled to its foot comes back up to
    the ID field, which gets the keyboard."""
    page, officer, form = verify
    service = page.service
    from desktop.reception import DocumentInput, ParticularsInput

    other = service.start_contact("phone", "service_request")
    taken = make_saudi_id("107777777")
    service.complete_greet(other.case_id)
    service.complete_verify(
        other.case_id,
        ParticularsInput("سعد علي محمد القحطاني", taken, future_hijri(), "", "0533333333", "", "3", gender="male"),
        [DocumentInput("صورة الهوية", True)],
    )
    officer.fill_particulars(full_name="فهد علي محمد القحطاني", id_number=taken, id_expiry=future_hijri(),
                             mobile="0544444444")
    bar = form.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())
    form.mobile.setFocus()
    officer.enter()
    officer.on("verification")
    assert form.field_error("id_number")  # the person's other case, said under the ID
    officer.qtbot.waitUntil(form.id_number.hasFocus, timeout=1000)
    officer.qtbot.waitUntil(lambda: _in_view(form.scroll_area, form.id_number), timeout=1000)


def test_an_error_goes_when_its_field_is_edited(verify) -> None:
    """The mobile's error is cleared at the first key typed in it; the others stay until checked again."""
    _page, officer, form = verify
    officer.fill_particulars(full_name="محمد الزهراني", id_number=make_saudi_id("101234567"),
                             id_expiry=future_hijri(), mobile="0612345678")
    form.full_name.setFocus()
    officer.enter()
    assert form.field_error("mobile") and form.field_error("full_name")
    QTest.keyClick(form.mobile, Qt.Key.Key_Backspace)
    assert form.field_error("mobile") is None
    assert form.field_error("full_name")


def test_the_error_line_does_not_move_the_next_field(verify) -> None:
    """An error appearing under the ID and going again leaves the fields below where they were."""
    _page, _officer, form = verify
    QApplication.processEvents()
    below = form.id_kind.mapTo(form, QPoint(0, 0))
    form.form.set_error("id_number", "رقم الهوية غير صحيح")
    QApplication.processEvents()
    assert form.id_kind.mapTo(form, QPoint(0, 0)) == below
    form.form.set_error("id_number", None)
    QApplication.processEvents()
    assert form.id_kind.mapTo(form, QPoint(0, 0)) == below


def test_escape_on_a_step_goes_back(verify) -> None:
    """Escape on the verify page shows the greeting again (read-only); the case is untouched."""
    page, officer, form = verify
    ids = [step.id for step in page.wizard.profile.steps]
    greeting = ids[ids.index("verification") - 1]
    form.full_name.setFocus()
    QTest.keyClick(form.full_name, Qt.Key.Key_Escape)
    officer.on(greeting)
    assert page.wizard.case is not None and page.wizard.case.current_step_id == "verification"


def test_escape_on_the_first_page_asks_before_clearing_what_was_typed(open_reception) -> None:
    """On the start page Escape asks (no is the default); yes clears the look-up; with nothing typed it says why
    there is nothing to go back to."""
    page, officer = open_reception("mafateeh-alkhair")
    contact = page.wizard.contact_page
    edit = contact.lookup.edit
    QTest.keyClick(edit, Qt.Key.Key_Escape)
    assert "أول صفحة" in page.wizard.message_text()
    edit.setFocus()
    QTest.keyClicks(edit, "1012")
    QTest.keyClick(edit, Qt.Key.Key_Escape)
    question = page.wizard.findChild(DiscardQuestion)
    assert question is not None and question.isVisible()
    assert question.defaultButton() is question.no_button
    question.yes_button.click()
    officer.qtbot.waitUntil(lambda: edit.text() == "", timeout=1000)
