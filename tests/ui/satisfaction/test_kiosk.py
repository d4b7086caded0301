"""Kiosk mode: only the officer's PIN leaves it; idle time locks it; nothing partial is kept; one confirmed
survey is one anonymous response."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.satisfaction.views import AnonymityMode
from tests.ui.reception.driver import type_text
from tests.ui.satisfaction.conftest import PIN
from ui.ops import operations
from ui.satisfaction import SatisfactionPage
from ui.satisfaction.kiosk import KioskWindow


def _kiosk(qtbot, page: SatisfactionPage) -> KioskWindow:
    """Press «بدء وضع التقييم» and return the full-screen kiosk once it is up."""
    qtbot.mouseClick(page.start_kiosk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.kiosk is not None)
    kiosk = page.kiosk
    assert kiosk is not None
    qtbot.waitExposed(kiosk)
    assert kiosk.isFullScreen()
    assert kiosk.screen_name() == "welcome"
    return kiosk


def _type_pin(qtbot, kiosk: KioskWindow, pin: str) -> None:
    """Tap the PIN on the keypad, then «تأكيد»."""
    for digit in pin:
        qtbot.mouseClick(kiosk.pin_pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.pin_pad.ok_button, Qt.MouseButton.LeftButton)


def _answer_all(qtbot, kiosk: KioskWindow) -> None:
    """Answer every question on its own screen by touch, as a beneficiary would, up to the review."""
    qtbot.mouseClick(kiosk.start_button, Qt.MouseButton.LeftButton)
    for screen in kiosk.questions:
        assert kiosk.current_screen() is screen
        if screen.faces is not None:
            assert not screen.next_button.isEnabled()  # a required question waits for its answer
            qtbot.mouseClick(screen.faces.buttons[4], Qt.MouseButton.LeftButton)
        elif screen.numbers is not None:
            qtbot.mouseClick(screen.numbers.buttons[9], Qt.MouseButton.LeftButton)
        else:
            assert screen.text is not None
            type_text(screen.text, "زيادة المقاعد في الانتظار")
        assert screen.next_button.isEnabled()
        qtbot.mouseClick(screen.next_button, Qt.MouseButton.LeftButton)
    assert kiosk.screen_name() == "review"


def test_kiosk_cannot_be_left_without_the_pin(qtbot, open_page, responses) -> None:
    """Escape, the close event and a wrong PIN keep the kiosk up; the right PIN leaves it."""
    page = open_page()
    kiosk = _kiosk(qtbot, page)
    qtbot.mouseClick(kiosk.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.questions[0].faces.buttons[2], Qt.MouseButton.LeftButton)

    QTest.keyClick(kiosk.questions[0].faces.buttons[2], Qt.Key.Key_Escape)
    assert kiosk.isVisible() and kiosk.screen_name() == "pin"
    # The beneficiary pressed it by mistake: back to the survey with the answer still there.
    qtbot.mouseClick(kiosk.resume_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_screen() is kiosk.questions[0]
    assert kiosk.questions[0].value() == 2

    assert kiosk.close() is False  # Alt+F4 / the window's close button
    assert kiosk.isVisible() and kiosk.screen_name() == "pin"

    _type_pin(qtbot, kiosk, "1111")
    qtbot.waitUntil(lambda: kiosk.pin_error.text() == "الرمز غير صحيح.")
    assert kiosk.isVisible() and page.kiosk is kiosk

    QTest.keyClick(kiosk.pin_pad.field, Qt.Key.Key_Escape)
    assert kiosk.isVisible()

    with qtbot.waitSignal(kiosk.sig_left):
        _type_pin(qtbot, kiosk, PIN)
    assert not kiosk.isVisible()
    assert page.kiosk is None
    assert responses() == []  # left halfway: nothing kept


def test_officer_sets_a_pin_before_the_first_kiosk(qtbot, open_page) -> None:
    """Without a PIN the officer chooses one (typed twice) before the screen is handed over."""
    page = open_page(pin=None)
    assert not page.service.has_officer_pin()
    qtbot.mouseClick(page.start_kiosk_button, Qt.MouseButton.LeftButton)
    dialog = page.pin_dialog
    assert dialog is not None and dialog.isVisible()
    assert page.kiosk is None
    QTest.keyClicks(dialog.first, "4826")
    QTest.keyClicks(dialog.second, "4827")
    assert dialog.try_save() is False
    assert "غير متطابقين" in dialog.error.text()
    QTest.keyClicks(dialog.second, "4826")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.kiosk is not None)
    assert page.service.check_officer_pin("4826")
    kiosk = page.kiosk
    assert kiosk is not None
    kiosk.request_exit()
    with qtbot.waitSignal(kiosk.sig_left):
        _type_pin(qtbot, kiosk, "4826")


def test_idle_kiosk_locks_and_keeps_nothing(qtbot, open_page, responses) -> None:
    """Left alone, the kiosk drops the unsent answers and shows the lock; the PIN opens the officer panel."""
    page = open_page()
    page.kiosk_idle_seconds = 0.05
    kiosk = _kiosk(qtbot, page)
    qtbot.mouseClick(kiosk.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.questions[0].faces.buttons[5], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.questions[0].next_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.sig_locked, timeout=5000):
        pass
    assert kiosk.screen_name() == "pin"
    assert kiosk.pin_title.text() == "الشاشة مقفلة"
    assert not kiosk.resume_button.isVisible()  # no way back into the survey without the PIN
    assert kiosk.answers() == {}
    assert kiosk.close() is False

    _type_pin(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: kiosk.screen_name() == "officer_panel")
    kiosk.idle_timer.setInterval(60_000)
    qtbot.mouseClick(kiosk.new_button, Qt.MouseButton.LeftButton)
    assert kiosk.screen_name() == "welcome"
    assert responses() == []
    kiosk.lock()
    _type_pin(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: kiosk.screen_name() == "officer_panel")
    with qtbot.waitSignal(kiosk.sig_left):
        qtbot.mouseClick(kiosk.leave_button, Qt.MouseButton.LeftButton)


def test_abandoned_survey_stores_nothing(qtbot, open_page, responses) -> None:
    """A survey answered up to the review but never sent leaves no row behind."""
    page = open_page()
    kiosk = _kiosk(qtbot, page)
    _answer_all(qtbot, kiosk)
    kiosk.request_exit()
    with qtbot.waitSignal(kiosk.sig_left):
        _type_pin(qtbot, kiosk, PIN)
    operations().wait()
    assert responses() == []


def test_confirmed_kiosk_survey_is_one_anonymous_response(qtbot, open_page, responses) -> None:
    """«إرسال» stores exactly one response, without case or officer (the policy is anonymous)."""
    page = open_page()
    assert page.mode is AnonymityMode.ANONYMOUS
    assert "تقييم مجهول الهوية" in page.mode_banner.text()
    assert "لا للعقاب" in page.mode_banner.text()
    kiosk = _kiosk(qtbot, page)
    _answer_all(qtbot, kiosk)
    assert "راضٍ" in kiosk.summary_text()
    with qtbot.waitSignal(kiosk.sig_recorded):
        qtbot.mouseClick(kiosk.send_button, Qt.MouseButton.LeftButton)
    assert kiosk.screen_name() == "thanks"
    assert kiosk.answers() == {}
    rows = responses()
    assert len(rows) == 1
    row = rows[0]
    assert row.mode == "kiosk"
    assert row.officer_id is None and row.case_id is None
    assert row.answers == {
        "reception": 4, "clarity": 4, "speed": 4, "overall": 4, "recommend": 9,
        "suggestion": "زيادة المقاعد في الانتظار",
    }
    # The next beneficiary starts from a clean survey.
    qtbot.mouseClick(kiosk.thanks.findChild(type(kiosk.send_button), "kiosk_done"), Qt.MouseButton.LeftButton)
    assert kiosk.screen_name() == "welcome"
    kiosk.request_exit()
    with qtbot.waitSignal(kiosk.sig_left):
        _type_pin(qtbot, kiosk, PIN)
    assert len(responses()) == 1
    assert "تقييم واحد" in page.kiosk_message.text()  # behaviour change (issue 12): «١ تقييم» agrees now
