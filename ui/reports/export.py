"""Long exports off the GUI thread: a save dialog, a progress bar with a working «إلغاء», and an Arabic message.

The export function runs through `ui.ops` as a read (on the reader pool, so the single writer stays free for
the desk's writes and a dashboard refresh can run beside it); it is called with ``progress(done, total)``
and ``cancel() -> bool`` and returns the file's bytes. Progress reaches the GUI thread through a queued
signal; «إلغاء» sets an event the export checks at each step. The bytes are written to a temporary file
next to the target and moved over it only when complete, so a cancelled or failed export never leaves a
partial file behind.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QPushButton, QWidget

from desktop.arabic_text import isolate
from desktop.errors import InputError
from desktop.reports import ReportCancelled
from ui.file_dialogs import file_dialog
from ui.ops import operations, run_read
from ui.printing import open_in_viewer

__all__ = ["ExportController", "ExportJob"]

#: The export itself: (progress, cancel) -> the file's bytes (or a Path it wrote), run on a worker thread.
ExportWork = Callable[[Callable[[int, int], None], Callable[[], bool]], object]


@dataclass(frozen=True)
class ExportJob:
    """One kind of export: its Arabic name, the file filter and suffix, and the function that makes it."""

    key: str
    title: str
    suffix: str
    file_filter: str
    work: ExportWork
    default_name: str


#: Said when the chosen file cannot be written (the operating system's own words are not shown: they are English).
WRITE_FAILED_MESSAGE = "تعذّر حفظ الملف: لا يمكن الكتابة في المكان المختار. اختر مجلدًا آخر أو اسمًا آخر للملف."


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread.

    `sig_progress(done, total)` is emitted on the worker thread and delivered, queued, on the GUI thread.
    """

    sig_progress = Signal(int, int)


class ExportController(QObject):
    """Runs one export at a time: save dialog → progress dialog (cancellable) → message at the end.

    Signals (all on the GUI thread): sig_progress(done, total) as the export reports its steps;
    sig_finished(path) when a file was written, sig_cancelled() when the user cancelled, sig_failed(message)
    on an error (the Arabic message); sig_message(text) for every final message shown.
    """

    sig_progress = Signal(int, int)
    sig_finished = Signal(object)
    sig_cancelled = Signal()
    sig_failed = Signal(str)
    sig_message = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._relay = _ProgressRelay(self)
        self._relay.sig_progress.connect(self._show_progress)
        self.progress: QProgressDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.message_box: QMessageBox | None = None
        self.show_boxes = True
        self._cancel = threading.Event()
        self._job: ExportJob | None = None
        self.running = False
        self.cancel_button: QPushButton | None = None

    # ----------------------------------------------------------------- save dialog

    def choose_file(self, job: ExportJob, folder: Path | None = None) -> QFileDialog:
        """Ask where to save (Qt's own dialog, in Arabic, non-blocking); the export starts once a file is chosen."""
        start = str((folder or Path.home()) / job.default_name)
        dialog = file_dialog(self._parent, f"حفظ {job.title}", start, job.file_filter, save=True)
        dialog.setObjectName("export_file_dialog")
        dialog.setDefaultSuffix(job.suffix)
        dialog.fileSelected.connect(lambda chosen: self.start(job, Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()
        return dialog

    # ----------------------------------------------------------------- running

    def start(self, job: ExportJob, path: Path) -> bool:
        """Run the export into `path` off the GUI thread with a progress dialog; False if one is running."""
        if self.running:
            self._tell("تصدير آخر قيد التنفيذ؛ انتظر انتهاءه أو ألغِه أولًا.", QMessageBox.Icon.Information)
            return False
        if path.suffix.lower() != f".{job.suffix}":
            path = path.with_name(path.name + f".{job.suffix}")
        self.running = True
        self._job = job
        self._cancel = threading.Event()
        cancel_event = self._cancel
        progress = QProgressDialog(f"جارٍ إعداد {job.title}…", "إلغاء", 0, 0, self._parent)
        progress.setObjectName("export_progress")
        progress.setWindowTitle(job.title)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(420)
        progress.canceled.connect(self.cancel)
        self.progress = progress
        self.cancel_button = progress.findChild(QPushButton)
        progress.show()

        relay = self._relay

        def report(done: int, total: int) -> None:
            relay.sig_progress.emit(int(done), int(total))

        def work() -> Path | None:
            """The export and the file; None when cancelled (a cancel is an answer, not an error)."""
            try:
                result = job.work(report, cancel_event.is_set)
            except ReportCancelled:
                return None
            if cancel_event.is_set():
                return None
            try:
                return _save(result, path)
            except OSError as error:
                raise InputError(WRITE_FAILED_MESSAGE) from error

        run_read(self, work, self._finished, self._failed, where=f"reports.export.{job.key}")
        return True

    def cancel(self) -> None:
        """«إلغاء»: the export stops at its next step; nothing is saved."""
        if not self.running:
            return
        self._cancel.set()
        if self.progress is not None:
            self.progress.setLabelText("جارٍ الإلغاء…")
            button = self.progress.findChild(QPushButton)
            if button is not None:
                button.setEnabled(False)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the export (and any other queued operation) has finished and reported (tests)."""
        return operations().wait(msecs)

    def _show_progress(self, done: int, total: int) -> None:
        if self.progress is None or self._cancel.is_set():
            return
        self.sig_progress.emit(done, total)
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _close_progress(self) -> None:
        self.running = False
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _finished(self, path: Path | None) -> None:
        """The export came back: a written file, or None after «إلغاء»."""
        self._close_progress()
        if path is None:
            self._tell("أُلغي التصدير، ولم يُحفظ أي ملف.", QMessageBox.Icon.Information)
            self.sig_cancelled.emit()
            return
        title = self._job.title if self._job else "الملف"
        self._tell(f"✓ حُفظ {title} في:\n{isolate(str(path))}", QMessageBox.Icon.Information, path)
        self.sig_finished.emit(path)

    def _failed(self, message: str, _error: BaseException) -> None:
        """The export failed: `message` is the Arabic text from `desktop.errors.describe`."""
        self._close_progress()
        self._tell(message, QMessageBox.Icon.Warning)
        self.sig_failed.emit(message)

    def _tell(self, message: str, icon: QMessageBox.Icon, path: Path | None = None) -> None:
        """The final word, in Arabic, in a window-modal box that does not block the event loop."""
        self.sig_message.emit(message)
        if not self.show_boxes:
            return
        box = QMessageBox(icon, "التصدير", message, QMessageBox.StandardButton.Close, self._parent)
        box.setObjectName("export_message")
        box.button(QMessageBox.StandardButton.Close).setText("إغلاق")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        if path is not None:
            open_button = box.addButton("فتح الملف", QMessageBox.ButtonRole.ActionRole)
            open_button.clicked.connect(lambda: open_in_viewer(path))
        self.message_box = box
        box.open()


def _save(result: object, path: Path) -> Path:
    """Put an export's outcome at `path`: move a file it wrote, or write its bytes through a temporary file."""
    if isinstance(result, Path):
        if result != path:
            os.replace(result, path)
        return path
    if not isinstance(result, (bytes, bytearray, memoryview)):
        raise TypeError(f"an export returned {type(result).__name__}, not bytes or a Path")
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(bytes(result))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
