"""Screens that need no server: the first-sync dialog half-way and stopped, the settings box of a PC not enrolled."""

from __future__ import annotations

from typing import Any

from desktop.sync.client import SyncReport
from desktop.workspace import Workspace
from tests.ui.sync.test_sync_desk import shot
from ui.main_window import MainWindow
from ui.sections import section_index
from ui.sync.controller import SyncController
from ui.sync.enrol import EnrolDialog
from ui.sync.first_sync import CANCELLED, STOPPING, FirstSyncDialog
from ui.sync.text import STATE_NOT_CONFIGURED


def test_first_sync_dialog_progress_and_stop(qtbot: Any, adopted_workspace: Workspace) -> None:
    controller = SyncController(adopted_workspace)  # not started: the dialog only listens to its signals
    dialog = FirstSyncDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.bar.maximum() == 0  # busy until the server tells how much there is
    controller.sig_progress.emit(4200, 10000)
    assert (dialog.bar.value(), dialog.bar.maximum()) == (4200, 10000)
    assert dialog.detail.text() == "استُلم ٤٢٠٠ من ١٠٠٠٠ سجل"
    shot(dialog, "first_sync_progress")
    dialog.stop_button.click()
    assert dialog.detail.text() == STOPPING and not dialog.stop_button.isEnabled()
    controller.sig_round_finished.emit(SyncReport(pulled=4200, cancelled=True))
    assert dialog.is_over and dialog.detail.text() == CANCELLED and dialog.close_button.isVisible()
    controller.sig_progress.emit(5000, 10000)  # nothing moves once it is over
    assert dialog.bar.value() == 0
    controller.shutdown()


def test_settings_box_of_a_pc_not_enrolled(qtbot: Any, adopted_workspace: Workspace) -> None:
    window = MainWindow(adopted_workspace)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_section(section_index("settings"))
    qtbot.waitUntil(lambda: window.sync is not None and window.sync.state().status is not None, timeout=20_000)
    box = window.sync_box
    assert box is not None and box.isVisible()
    assert box.values["state"].text() == STATE_NOT_CONFIGURED
    assert box.enrol_button.text() == "تسجيل الجهاز لدى الخادم" and box.enrol_button.isEnabled()
    assert not box.sync_button.isEnabled()
    assert window.sync_now_action.shortcut().toString() == "Ctrl+Shift+S"
    shot(window, "settings_not_enrolled")
    # «مزامنة الآن» on a PC not enrolled opens the enrolment dialog instead.
    window.sync_now_action.trigger()
    dialog = window._sync_dialogs.get("enrol")  # noqa: SLF001
    assert isinstance(dialog, EnrolDialog) and dialog.isVisible()
    shot(dialog, "enrol")
    dialog.reject()
    box.enrol_button.click()
    assert isinstance(window._sync_dialogs.get("enrol"), EnrolDialog)  # noqa: SLF001
    window.close()
    assert window.sync is not None and window.sync.stopped
