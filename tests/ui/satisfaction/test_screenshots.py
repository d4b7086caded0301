"""Screenshots of the satisfaction screens at 1280×800, saved to $MUSTAFID_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from tests.ui.satisfaction.conftest import PIN

SCREENSHOTS_ENV = "MUSTAFID_SCREENSHOTS"


def save_shot(widget: QWidget, name: str) -> QImage:
    """Grab a widget; write satisfaction_<name>.png into $MUSTAFID_SCREENSHOTS when set."""
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() >= 400 and image.height() >= 300
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert image.save(str(Path(folder) / f"{name}.png"))
    return image


def test_satisfaction_screens(qtbot, open_page) -> None:
    """The section's tabs, the kiosk's question and lock screens, and the slip's print preview."""
    page = open_page()
    save_shot(page, "satisfaction_1_kiosk_tab")
    page.tabs.setCurrentIndex(1)
    page.phone_form.set_answer("reception", 4)
    page.phone_form.set_answer("clarity", 5)
    save_shot(page, "satisfaction_2_phone_entry")

    qtbot.mouseClick(page.start_kiosk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.kiosk is not None)
    kiosk = page.kiosk
    assert kiosk is not None
    kiosk.resize(1280, 800)
    qtbot.waitExposed(kiosk)
    assert kiosk.minimumSizeHint().height() <= 768  # fits a 1366×768 counter screen
    save_shot(kiosk, "kiosk_1_welcome")
    qtbot.mouseClick(kiosk.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.questions[0].faces.buttons[4], Qt.MouseButton.LeftButton)
    save_shot(kiosk, "kiosk_2_question")
    for screen in kiosk.questions:
        if screen.faces is not None and screen.value() is None:
            screen.faces.set_value(5)
        if screen.numbers is not None:
            screen.numbers.set_value(9)
        screen.refresh()
    kiosk._show_review()
    save_shot(kiosk, "kiosk_3_review")
    kiosk.lock()
    save_shot(kiosk, "kiosk_4_lock")
    for digit in PIN:
        kiosk.pin_pad.keys[digit].click()
    kiosk.pin_pad.submit()
    qtbot.waitUntil(lambda: kiosk.screen_name() == "officer_panel")
    save_shot(kiosk, "kiosk_5_officer_panel")
    with qtbot.waitSignal(kiosk.sig_left):
        kiosk.leave_button.click()

    page.tabs.setCurrentIndex(2)
    with qtbot.waitSignal(page.printer.sig_preview_opened, timeout=20000) as opened:
        page.issue_button.click()
    save_shot(page, "satisfaction_3_slip_tab")
    preview = opened.args[0]
    preview.resize(1280, 800)
    qtbot.waitExposed(preview)
    save_shot(preview, "satisfaction_4_slip_preview")
    preview.close()
