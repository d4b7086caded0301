"""The settings page's backups box (issue 14): «نسخة احتياطية الآن» into a chosen folder with the bar moving,
the kept number saved, and a restore's preview refusing a backup whose files changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.backup import list_backups
from desktop.backup_desk import BackupDesk
from desktop.workspace import DATABASE_FILE, Workspace
from ui.main_window import MainWindow
from ui.ops import operations
from ui.sections import section_index


def test_backup_now_into_a_chosen_folder_and_keep_the_number(
    qtbot: Any, adopted_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr("ui.backup_box.choose_folder", lambda *_args: str(usb))  # Qt's modal dialog answered
    window = MainWindow(adopted_workspace)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_section(section_index("settings"))
    box = window.backup_box
    assert box is not None and box.isVisible()
    qtbot.waitUntil(lambda: box.backup_button.isEnabled(), timeout=20_000)
    assert "لا توجد نسخة احتياطية بعد" in box.latest.text()
    seen: list[int] = []
    box.relay.sig_progress.connect(seen.append)

    box.backup_button.click()
    assert not box.backup_button.isEnabled()  # held while the backup runs
    qtbot.waitUntil(lambda: box.backup_button.isEnabled(), timeout=30_000)
    backups = list_backups(usb)
    assert len(backups) == 1 and str(backups[0].path) in box.status.text()
    assert seen and seen[-1] == 1000 and seen == sorted(seen)
    assert not box.bar.isVisible()

    box.keep.setValue(3)
    box.keep_button.click()
    qtbot.waitUntil(lambda: box.keep_button.isEnabled(), timeout=20_000)
    assert BackupDesk(adopted_workspace).keep() == 3

    # A backup whose database changed after it was written is refused at the preview, with the reason.
    (backups[0].path / DATABASE_FILE).write_bytes(b"changed")
    restore_requests: list[str] = []
    box.sig_restore_requested.connect(restore_requests.append)
    box.restore_button.click()
    qtbot.waitUntil(lambda: box.restore_button.isEnabled(), timeout=20_000)
    assert "لا يمكن الاستعادة" in box.status.text() and not restore_requests
    window.close()
    operations().wait()
