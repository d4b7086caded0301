"""Phone entry, the printed slip (issue, preview, enter by code once) and the board's corrective actions."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from desktop.hijri import format_hijri
from tests.ui.reception.driver import type_text
from ui.ops import operations
from ui.satisfaction import SatisfactionPage


def _fill(form, answers: dict) -> None:
    for key, value in answers.items():
        form.set_answer(key, value)


def test_phone_entry_stores_one_response(qtbot, open_page, responses) -> None:
    """The officer's compact form: a missing required answer is said inline; a complete one is stored once."""
    page: SatisfactionPage = open_page()
    page.tabs.setCurrentIndex(1)
    assert not page.phone_case.isVisible()  # anonymous policy: no case number to link
    _fill(page.phone_form, {"reception": 5, "clarity": 4, "speed": 3})
    qtbot.mouseClick(page.phone_save, Qt.MouseButton.LeftButton)
    assert page.phone_form.errors["overall"].isVisible()
    assert page.phone_form.errors["overall"].text() == "هذا السؤال مطلوب."
    operations().wait()
    assert responses() == []

    page.phone_form.set_answer("overall", 4)
    page.phone_form.set_answer("recommend", 8)
    type_text(page.phone_form.inputs["suggestion"], "مواعيد مسائية")
    with qtbot.waitSignal(page.sig_recorded):
        qtbot.mouseClick(page.phone_save, Qt.MouseButton.LeftButton)
    assert page.phone_message.text().startswith("✓ سُجّل التقييم")
    assert page.phone_form.answers() == {}
    rows = responses()
    assert len(rows) == 1
    assert rows[0].mode == "phone"
    assert rows[0].officer_id is None and rows[0].case_id is None
    assert rows[0].answers == {"reception": 5, "clarity": 4, "speed": 3, "overall": 4, "recommend": 8,
                               "suggestion": "مواعيد مسائية"}


def test_slip_is_issued_previewed_and_entered_once_by_its_code(qtbot, open_page, responses) -> None:
    """A slip gets a code and a print preview; its answers are entered by that code, once only."""
    page: SatisfactionPage = open_page()
    page.tabs.setCurrentIndex(2)
    with qtbot.waitSignal(page.printer.sig_preview_opened, timeout=20000) as opened:
        qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    assert preview.windowTitle().startswith("معاينة الطباعة — قسيمة تقييم")
    preview.close()
    slip = page.slip
    assert slip is not None and page.slip_path is not None
    assert page.slip_path.read_bytes().startswith(b"%PDF")
    assert slip.display_code in page.slip_code_label.text()
    assert responses() == []  # issuing a slip records no response

    type_text(page.slip_code_edit, slip.display_code.lower())
    qtbot.mouseClick(page.check_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.slip_state.text().startswith("✓"))
    _fill(page.slip_form, {"reception": 2, "clarity": 3, "speed": 2, "overall": 3})
    with qtbot.waitSignal(page.sig_recorded):
        qtbot.mouseClick(page.slip_save, Qt.MouseButton.LeftButton)
    rows = responses()
    assert len(rows) == 1 and rows[0].mode == "slip"
    assert rows[0].answers == {"reception": 2, "clarity": 3, "speed": 2, "overall": 3}

    # The same code a second time is refused, and nothing more is stored.
    type_text(page.slip_code_edit, slip.code)
    _fill(page.slip_form, {"reception": 5, "clarity": 5, "speed": 5, "overall": 5})
    qtbot.mouseClick(page.slip_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "مرة واحدة" in page.slip_entry_message.text())
    assert len(responses()) == 1
    # An unknown code is said plainly.
    page.slip_code_edit.setText("ZZZZ-ZZZZ")
    qtbot.mouseClick(page.check_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "غير صحيح" in page.slip_state.text())


def test_corrective_action_is_recorded_and_listed(qtbot, open_page) -> None:
    """The board's action: recorded through the dialog (due date typed in Hijri), listed, then marked done."""
    page: SatisfactionPage = open_page()
    page.tabs.setCurrentWidget(page.actions_panel)
    panel = page.actions_panel
    dialog = panel.open_dialog()
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.text()  # nothing typed: refused in Arabic
    type_text(dialog.finding, "انخفض الرضا عن سرعة الإنجاز")
    type_text(dialog.action, "موظف استقبال إضافي يومي الأحد والاثنين")
    type_text(dialog.owner, "مدير الخدمات")
    due = date.today() + timedelta(days=40)
    type_text(dialog.due, format_hijri(due, arabic_digits=False).removesuffix(" هـ"))
    assert "م" in dialog.due_other.text()
    with qtbot.waitSignal(panel.table.model().rowsInserted, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1)
    assert panel.table.item(0, 2).text() == "مدير الخدمات"
    assert panel.table.item(0, 4).text() == "مخطط"
    panel.table.setCurrentCell(0, 0)
    panel.new_status.setCurrentIndex(panel.new_status.findData("done"))
    loads = panel.loads
    qtbot.mouseClick(panel.apply_status, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.loads > loads)
    assert panel.table.item(0, 4).text() == "منفذ"
