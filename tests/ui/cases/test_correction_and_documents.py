"""The case file's «تصحيح البيانات» and its panel of stored documents (superseded and current declarations)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from tests.desktop.reception.conftest import png_file
from tests.ui.cases.conftest import idle
from tests.ui.cases.world import World
from tests.ui.reception.driver import type_text
from ui.cases import CasesPage
from ui.reception.correction import CorrectionDialog


def _declarations(dialog) -> list[tuple[str, ...]]:
    """(title, version and state) of the declaration rows of the stored documents panel, top to bottom."""
    rows = []
    for row in range(dialog.stored.rowCount()):
        if dialog.stored_documents[row].entry.document_kind == "declaration":
            rows.append(tuple(dialog.stored.item(row, 0).text().split("\n", 1)))
    return rows


def test_correction_supersedes_the_declaration_and_the_panel_lists_both(
    qtbot, cases_page: CasesPage, world: World, tmp_path: Path
) -> None:
    """A signed case: the ID looks read-only, no reason is refused inline, a reason records it; the corrected
    declaration is printed, its signed scan attached, and the panel shows the old one superseded."""
    dialog = cases_page.open_case(world.cases["due"])
    qtbot.waitUntil(lambda: dialog.file is not None and dialog.stored.rowCount() > 0, timeout=10000)
    assert len(_declarations(dialog)) == 1 and not dialog.attach_corrected_button.isVisible()
    assert dialog.correct_button.isVisible()
    QTest.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    correction = dialog.child_dialog
    assert isinstance(correction, CorrectionDialog)
    form = correction.personal
    assert form.id_number.isReadOnly() and not form.id_kind.isEnabled() and form.id_number.toolTip()
    assert form.city.text() == "الرياض" and form.full_name.text()
    form.city.clear()
    type_text(form.city, "جدة")
    QTest.mouseClick(correction.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(correction.reason_form.error("reason")), timeout=10000)
    assert "سبب" in (correction.reason_form.error("reason") or "")
    type_text(correction.reason, "اختار المستفيد مدينة خاطئة")
    QTest.mouseClick(correction.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.file is not None and dialog.file.corrected_declaration_pending, timeout=10000)
    qtbot.waitUntil(idle(cases_page), timeout=15000)
    assert "blank_declaration" in dialog.opened_documents
    assert dialog.attach_corrected_button.isVisible() and "تصحيح" in dialog.message.text()
    entry = next(e for e in dialog.timeline.entries() if e.title == "تصحيح بيانات المستفيد")
    assert "المدينة: من «الرياض» إلى «جدة»" in entry.detail

    dialog.attach_corrected(png_file(tmp_path / "signed.png"))
    qtbot.waitUntil(lambda: len(_declarations(dialog)) == 2, timeout=10000)
    qtbot.waitUntil(idle(cases_page), timeout=15000)
    (_, newest), (_, oldest) = _declarations(dialog)
    assert "الساري" in newest and "مستبدَل" in oldest
    assert not dialog.attach_corrected_button.isVisible()
    row = next(r for r in range(dialog.stored.rowCount()) if "مستبدَل" in dialog.stored.item(r, 0).text())
    buttons = dialog.stored.cellWidget(row, 2).findChildren(QPushButton)
    assert {b.text() for b in buttons} == {"طباعة", "فتح"} and all(b.isEnabled() for b in buttons)
    opened = len(dialog.opened_documents)
    # «طباعة» (the system viewer behind «فتح» does not exist offscreen)
    QTest.mouseClick(next(b for b in buttons if b.text() == "طباعة"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(idle(cases_page), timeout=15000)
    assert len(dialog.opened_documents) == opened + 1 and "لا يملك" not in dialog.message.text()
