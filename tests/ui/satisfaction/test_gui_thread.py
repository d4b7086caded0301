"""The satisfaction section calls no service on the GUI thread: the PIN set and checked, a kiosk survey
sent, a phone survey, a slip issued, previewed and entered, a corrective action recorded and moved on
(issue 10)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.hijri import format_hijri
from desktop.workspace import Workspace
from tests.ui.gui_thread import no_service_calls_on_the_gui_thread
from tests.ui.reception.driver import type_text
from tests.ui.satisfaction.test_kiosk import _answer_all, _type_pin
from ui.ops import operations
from ui.satisfaction import SatisfactionPage


def test_satisfaction_page_calls_no_service_on_the_gui_thread(qtbot, adopted_workspace: Workspace, responses) -> None:
    """Each of the section's flows runs its service calls on the ui/ops workers."""
    with no_service_calls_on_the_gui_thread() as calls:
        page = SatisfactionPage(adopted_workspace)
        qtbot.addWidget(page)
        page.printer.show_boxes = False
        page.resize(1280, 800)
        page.show()
        qtbot.waitUntil(lambda: page.ready, timeout=10_000)

        # No PIN yet: the officer sets one, then the kiosk opens; a survey is sent; the PIN leaves it.
        qtbot.mouseClick(page.start_kiosk_button, Qt.MouseButton.LeftButton)
        dialog = page.pin_dialog
        assert dialog is not None
        QTest.keyClicks(dialog.first, "4826")
        QTest.keyClicks(dialog.second, "4826")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.kiosk is not None, timeout=10_000)
        kiosk = page.kiosk
        assert kiosk is not None
        _answer_all(qtbot, kiosk)
        with qtbot.waitSignal(kiosk.sig_recorded):
            qtbot.mouseClick(kiosk.send_button, Qt.MouseButton.LeftButton)
        kiosk.request_exit()
        with qtbot.waitSignal(kiosk.sig_left):
            _type_pin(qtbot, kiosk, "4826")

        # A phone survey.
        page.tabs.setCurrentIndex(1)
        for key, value in {"reception": 5, "clarity": 4, "speed": 3, "overall": 4}.items():
            page.phone_form.set_answer(key, value)
        with qtbot.waitSignal(page.sig_recorded):
            qtbot.mouseClick(page.phone_save, Qt.MouseButton.LeftButton)

        # A slip: issued and previewed, its code checked, its answers entered.
        page.tabs.setCurrentIndex(2)
        with qtbot.waitSignal(page.printer.sig_preview_opened, timeout=20_000) as opened:
            qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
        opened.args[0].close()
        assert page.slip is not None
        type_text(page.slip_code_edit, page.slip.display_code)
        qtbot.mouseClick(page.check_code_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.slip_state.text().startswith("✓"))
        for key, value in {"reception": 2, "clarity": 3, "speed": 2, "overall": 3}.items():
            page.slip_form.set_answer(key, value)
        with qtbot.waitSignal(page.sig_recorded):
            qtbot.mouseClick(page.slip_save, Qt.MouseButton.LeftButton)

        # A corrective action recorded, listed, and marked done.
        page.tabs.setCurrentWidget(page.actions_panel)
        panel = page.actions_panel
        action_dialog = panel.open_dialog()
        type_text(action_dialog.finding, "انخفض الرضا عن سرعة الإنجاز")
        type_text(action_dialog.action, "موظف استقبال إضافي")
        type_text(action_dialog.owner, "مدير الخدمات")
        due = format_hijri(date.today() + timedelta(days=40), arabic_digits=False).removesuffix(" هـ")
        type_text(action_dialog.due, due)
        qtbot.mouseClick(action_dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10_000)
        panel.table.setCurrentCell(0, 0)
        panel.new_status.setCurrentIndex(panel.new_status.findData("done"))
        loads = panel.loads
        qtbot.mouseClick(panel.apply_status, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.loads > loads, timeout=10_000)
        operations().wait()
    assert calls == []
    assert sorted(row.mode for row in responses()) == ["kiosk", "phone", "slip"]
    assert panel.table.item(0, 4).text() == "منفذ"
