"""The daily integrity check on screen (issue 14, item 5): run on a reader once somebody is at the desk, and
when it finds the database damaged, the start-up's own message — the latest good backup named — with its restore
offered. Never a modal wait: the check reads the whole file (seconds on a large desk) while the officer works."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.integrity import IntegrityFinding

#: The title and buttons of the start-up's damaged-database box (`ui.app.offer_restore`), the same here.
DAMAGED_TITLE = "قاعدة البيانات تالفة"
RESTORE_TEXT = "استعادة آخر نسخة سليمة"
CLOSE_TEXT = "إغلاق"


def show_damage(parent: QWidget, finding: IntegrityFinding, restore: Callable[[str], None]) -> QMessageBox:
    """Open (window-modal, not blocking) the message of a damaged database; «استعادة آخر نسخة سليمة» calls
    `restore` with the backup's folder (offered only when there is one). Returns the box."""
    box = QMessageBox(QMessageBox.Icon.Critical, DAMAGED_TITLE, finding.message_ar, parent=parent)
    box.setObjectName("integrity_damage_box")
    box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    box.setStandardButtons(QMessageBox.StandardButton.NoButton)
    restore_button = None
    if finding.restore_from is not None:
        restore_button = box.addButton(RESTORE_TEXT, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(restore_button)
    box.addButton(CLOSE_TEXT, QMessageBox.ButtonRole.RejectRole)
    folder = str(finding.restore_from) if finding.restore_from is not None else ""

    def answered(_result: int) -> None:
        if restore_button is not None and box.clickedButton() is restore_button:
            restore(folder)

    box.finished.connect(answered)
    box.open()
    return box
