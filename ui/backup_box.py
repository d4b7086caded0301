"""The settings page's backups box (issue 14): the latest backup, how many automatic ones are kept,
«نسخة احتياطية الآن» to a chosen folder or USB drive with a progress bar, and a restore with its preview;
and the waits with a progress window that the desk's close and a damaged database at start use.

Everything runs through `ui.ops`: a backup only reads the database (a reader), a restore replaces it (the
writer, once the workspace is closed); progress crosses to the GUI thread as a signal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.file_dialogs import choose_folder
from ui.ops import run_read, run_write

if TYPE_CHECKING:
    from desktop.backup import BackupInfo, Progress, RestoreResult, VerifyResult
    from desktop.backup_desk import BackupDesk
    from desktop.workspace import Workspace

__all__ = ["AUTO_BACKUP_ENV", "BackupSettingsBox", "ProgressRelay", "automatic_backups_enabled",
           "restore_text", "wait_with_progress"]

#: ``MUSTAFID_AUTO_BACKUP=0`` turns the automatic backups and the daily integrity check off (the tests and the
#: start-up benchmark set it).
AUTO_BACKUP_ENV = "MUSTAFID_AUTO_BACKUP"

T = TypeVar("T")


def automatic_backups_enabled() -> bool:
    """False when ``MUSTAFID_AUTO_BACKUP=0`` or the start-up probe is running."""
    return os.environ.get(AUTO_BACKUP_ENV, "1") != "0" and os.environ.get("MUSTAFID_STARTUP_PROBE") != "1"


class ProgressRelay(QObject):
    """Carries a worker's progress to the GUI thread.

    `sig_progress(int)`: how much is done, in thousandths (a worker emits it; Qt queues it to the GUI thread).
    """

    sig_progress = Signal(int)

    def callback(self) -> Callable[[int, int], None]:
        """A `desktop.backup.Progress` for the worker, emitting only when the thousandths change."""
        last = [-1]

        def report(done: int, total: int) -> None:
            permille = 1000 * done // max(total, 1)
            if permille != last[0]:
                last[0] = permille
                self.sig_progress.emit(permille)

        return report


def wait_with_progress(parent: QWidget | None, title: str, work: Callable[[Callable[[int, int], None]], T],
                       *, write: bool = False) -> T | str:
    """Run `work(progress)` through `ui.ops` while a modal progress window shows it; its result, or the
    Arabic failure text (a str) when it failed. Usable before the main window exists and after it closed."""
    relay = ProgressRelay()
    dialog = QProgressDialog(title, "", 0, 1000, parent)
    dialog.setWindowTitle("مكتب المستفيد")
    dialog.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    dialog.setCancelButton(None)  # no cancel button: a backup or restore half-done is never left behind
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(460)
    relay.sig_progress.connect(dialog.setValue)
    loop = QEventLoop()
    outcome: dict[str, object] = {}

    def succeeded(result: T) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(message: str, _error: BaseException) -> None:
        outcome["failure"] = message
        loop.quit()

    run = run_write if write else run_read
    run(None, lambda: work(relay.callback()), succeeded, failed, where="backup.wait_with_progress")
    dialog.show()
    if not outcome:
        loop.exec()
    dialog.close()
    dialog.deleteLater()
    relay.deleteLater()
    if "failure" in outcome:
        return str(outcome["failure"])
    return outcome["result"]  # type: ignore[return-value]  # set by `succeeded` with a T


def restore_text(result: RestoreResult) -> str:
    """What the officer reads after a restore: what came back, the cases erased again, where the replaced data was
    kept, restart."""
    from desktop.backup import backup_summary, erased_again_text

    text = f"استُعيدت النسخة الاحتياطية: {backup_summary(result.info)}."
    if result.erased_again:
        text += f"\n{erased_again_text(result.erased_again)}."
    if result.safety_copy is not None:
        text += f"\nالبيانات التي حلّت محلها محفوظة في:\n{result.safety_copy}"
    return text + "\nسيُغلق البرنامج الآن؛ افتحه من جديد ليعمل على البيانات المستعادة."


class BackupSettingsBox(QGroupBox):
    """Backups on the settings page: the latest, the kept number, «نسخة احتياطية الآن», «استعادة نسخة…».

    `sig_restore_requested(str)`: the officer saw the preview of the backup in that folder and confirmed
    restoring it (the main window closes the workspace and restores).
    """

    sig_restore_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty box; `attach_workspace` fills it."""
        super().__init__("النسخ الاحتياطية", parent)
        self.setObjectName("backup_settings_box")
        self._workspace: Workspace | None = None
        layout = QVBoxLayout(self)
        self.latest = QLabel("…", self)
        self.latest.setObjectName("backup_latest")
        self.latest.setWordWrap(True)
        layout.addWidget(self.latest)
        keep_row = QHBoxLayout()
        keep_row.addWidget(QLabel("عدد النسخ التلقائية المحفوظة (عند الإغلاق ومرة كل يوم):", self))
        self.keep = QSpinBox(self)
        self.keep.setObjectName("backup_keep")
        self.keep.setRange(1, 60)
        self.keep.setValue(7)
        keep_row.addWidget(self.keep)
        self.keep_button = QPushButton("حفظ العدد", self)
        self.keep_button.setObjectName("backup_keep_save")
        keep_row.addWidget(self.keep_button)
        keep_row.addStretch(1)
        layout.addLayout(keep_row)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton("نسخة احتياطية الآن", self)
        self.backup_button.setObjectName("backup_now_button")
        self.restore_button = QPushButton("استعادة نسخة احتياطية…", self)
        self.restore_button.setObjectName("backup_restore_button")
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("backup_bar")
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p٪")
        self.bar.hide()
        layout.addWidget(self.bar)
        self.status = QLabel("", self)
        self.status.setObjectName("backup_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.relay = ProgressRelay(self)
        self.relay.sig_progress.connect(self.bar.setValue)
        self.keep_button.clicked.connect(self._save_keep)
        self.backup_button.clicked.connect(self._backup_now)
        self.restore_button.clicked.connect(self._choose_restore)
        self._set_busy(True)

    def attach_workspace(self, workspace: Workspace) -> None:
        """Show the backups of `workspace` and enable the buttons."""
        self._workspace = workspace
        self.refresh()

    def refresh(self) -> None:
        """Read the latest backup and the kept number (a reader) and show them."""
        if self._workspace is None:
            return
        from desktop.backup_desk import BackupDesk

        desk = BackupDesk(self._workspace)
        run_read(self, lambda: (desk.backups(), desk.keep()), self._show, self._failed,
                 where="backup_box.refresh")

    def _show(self, found: tuple[list[BackupInfo], int]) -> None:
        from desktop.backup import backup_summary

        backups, keep = found
        self.keep.setValue(keep)
        self.latest.setText("آخر نسخة: " + backup_summary(backups[0]) if backups
                            else "لا توجد نسخة احتياطية بعد في مجلد البيانات.")
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.keep_button, self.backup_button, self.restore_button):
            button.setEnabled(not busy and self._workspace is not None)

    def _failed(self, message: str, _error: BaseException) -> None:
        self.bar.hide()
        self._say(message, error=True)
        self._set_busy(False)

    def _say(self, text: str, *, error: bool = False) -> None:
        """Show `text` under the buttons (styled as an error when `error`)."""
        self.status.setObjectName("backup_error" if error else "backup_status")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)

    def _save_keep(self) -> None:
        from desktop.backup_desk import BackupDesk

        assert self._workspace is not None
        desk, keep = BackupDesk(self._workspace), self.keep.value()
        self._set_busy(True)
        run_write(self, lambda: desk.set_keep(keep), self._kept, self._failed, where="backup_box.keep")

    def _kept(self, keep: int) -> None:
        from desktop.arabic_text import display_digits

        self._say(f"يُحتفظ بآخر {display_digits(str(keep))} من النسخ التلقائية.")
        self._set_busy(False)

    def _backup_now(self) -> None:
        """«نسخة احتياطية الآن»: choose a folder (a USB drive), then back up into it with the bar moving."""
        if self._workspace is None:
            return
        folder = choose_folder(self, "اختر مجلد النسخة الاحتياطية (مثل ذاكرة USB)", str(Path.home()))
        if not folder:
            return
        self._run_with_bar("جارٍ حفظ النسخة الاحتياطية…",
                           lambda desk, progress: desk.backup_to(Path(folder), progress=progress),
                           self._backed_up, "backup_box.backup_now")

    def _run_with_bar(self, busy_text: str, work: Callable[[BackupDesk, Progress], T],
                      done: Callable[[T], None], where: str) -> None:
        """Hold the buttons, show the bar, run `work(desk, progress)` on a reader, then `done` (or the failure)."""
        from desktop.backup_desk import BackupDesk

        assert self._workspace is not None
        desk, progress = BackupDesk(self._workspace), self.relay.callback()
        self._set_busy(True)
        self.bar.setValue(0)
        self.bar.show()
        self._say(busy_text)
        run_read(self, lambda: work(desk, progress), done, self._failed, where=where)

    def _backed_up(self, info: BackupInfo) -> None:
        from desktop.backup import backup_summary

        self.bar.hide()
        self._say(f"حُفظت النسخة الاحتياطية في {info.path}\n{backup_summary(info)}")
        self._set_busy(False)

    def _choose_restore(self) -> None:
        """«استعادة نسخة…»: choose a backup's folder, check it (hashes), then show its preview to confirm."""
        if self._workspace is None:
            return
        from desktop.backup import BACKUPS_DIR

        start = Path(self._workspace.data_dir) / BACKUPS_DIR
        folder = choose_folder(self, "اختر مجلد النسخة الاحتياطية المراد استعادتها",
                               str(start if start.is_dir() else Path.home()))
        if not folder:
            return
        self._run_with_bar("جارٍ التحقق من النسخة…",
                           lambda desk, progress: desk.preview(Path(folder), progress=progress),
                           self._confirm_restore, "backup_box.preview")

    def _confirm_restore(self, checked: VerifyResult) -> None:
        from desktop.backup import backup_summary
        from desktop.backup import erase_again_text

        info = checked.info
        erased = erase_again_text(checked.erase_again)
        self.bar.hide()
        self._say("")
        self._set_busy(False)
        box = QMessageBox(QMessageBox.Icon.Warning, "استعادة نسخة احتياطية",
                          f"ستحل هذه النسخة محل بيانات هذا الجهاز:\n{backup_summary(info)}\n\n"
                          + (f"{erased}.\n\n" if erased else "") +
                          "تُحفظ أولًا نسخة أمان من البيانات الحالية في مجلد النسخ، ويُغلق البرنامج بعد الاستعادة. "
                          "ما أُدخل بعد تاريخ النسخة ولم يُزامَن مع الخادم لا يكون في البيانات المستعادة.", parent=self)
        box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        restore = box.addButton("استعادة", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("إلغاء", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        if box.clickedButton() is restore:
            self.sig_restore_requested.emit(str(info.path))
        box.deleteLater()
