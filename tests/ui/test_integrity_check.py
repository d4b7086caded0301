"""The daily integrity check on screen (issue 14, item 5): a desk whose database had a page overwritten opens
(the start-up check reads the header only), the check on a reader finds the damage, the start-up's message names
the latest good backup and its restore brings the sound data back, a safety copy of the damaged file kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from db.engine import quick_check
from desktop.backup import BACKUPS_DIR, BackupKind, backup_summary, create_backup, read_backup
from desktop.workspace import DATABASE_FILE, Workspace
from tests.accounts import TEST_HASH, sign_in_desk
from tests.desktop.test_integrity import _desk, damage_a_page
from tests.ui.helpers import when_modal
from ui.integrity_box import CLOSE_TEXT, DAMAGED_TITLE, RESTORE_TEXT
from ui.main_window import MainWindow
from ui.ops import operations


@pytest.fixture
def damaged_window(tmp_path: Path, qtbot) -> tuple[MainWindow, Path, Path]:
    """The main window, signed in, over a desk with a close backup and then a page of its database overwritten."""
    data_dir = _desk(tmp_path / "desk")
    workspace = Workspace.open(data_dir)
    workspace.hash_parameters = TEST_HASH
    sign_in_desk(workspace)
    workspace.close()
    info = create_backup(data_dir, data_dir / BACKUPS_DIR, kind=BackupKind.CLOSE)
    damage_a_page(data_dir / DATABASE_FILE)
    workspace = Workspace.open(data_dir)
    workspace.hash_parameters = TEST_HASH
    sign_in_desk(workspace)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    operations().wait()
    yield window, data_dir, info.path
    operations().wait()
    workspace.close()


def test_damage_found_after_start_up_names_the_backup_and_restores_it(damaged_window, qtbot) -> None:
    window, data_dir, backup = damaged_window
    window.check_integrity()
    qtbot.waitUntil(lambda: window.integrity_box is not None and window.integrity_box.isVisible(), timeout=20_000)
    box = window.integrity_box
    assert box is not None
    assert box.windowTitle() == DAMAGED_TITLE
    assert box.text().startswith("ملف قاعدة البيانات تالف")
    assert backup_summary(read_backup(backup)) in box.text()
    assert sorted(button.text() for button in box.buttons()) == sorted([RESTORE_TEXT, CLOSE_TEXT])

    done: list[str] = []
    when_modal(QMessageBox, lambda message: (done.append(message.windowTitle()), message.accept()), tries=3000)
    restore = next(button for button in box.buttons() if button.text() == RESTORE_TEXT)
    restore.click()
    qtbot.waitUntil(lambda: window.restored, timeout=60_000)
    assert done == ["اكتملت الاستعادة"]
    quick_check(data_dir / DATABASE_FILE)  # the sound data is back
    assert restored_safety_copy(data_dir), "the damaged file was kept first"


def restored_safety_copy(data_dir: Path) -> bool:
    """True when a restore's safety copy of the damaged database is in the desk's backups."""
    from desktop.backup import list_backups

    return any(info.kind is BackupKind.SAFETY for info in list_backups(data_dir / BACKUPS_DIR))
