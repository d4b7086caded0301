"""The first sync of a newly enrolled PC: a progress bar while the association's records arrive; it can be stopped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.counting import ROWS, part_of
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ui.sync.style import SYNC_STYLE
from ui.sync.text import changes_text, number, records_text

if TYPE_CHECKING:
    from desktop.sync.service import SyncReport
    from ui.sync.controller import SyncController

INTRO = ("يستلم هذا الجهاز الآن سجلات الجمعية من الخادم ويرسل ما سُجّل عليه. قد يستغرق ذلك بضع دقائق "
         "في المرة الأولى فقط؛ بعدها تجري المزامنة في الخلفية دون أن تلاحظها.")
STARTING = "جارٍ الاتصال بالخادم…"
STOPPING = "جارٍ الإيقاف بعد حفظ ما وصل…"
CANCELLED = "أُوقفت المزامنة الأولى. ما وصل محفوظ، وستُستكمل تلقائيًا في الخلفية."


class FirstSyncDialog(QDialog):
    """Progress of this PC's first sync (window-modal, not blocking the event loop), with «إيقاف»."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_sync_dialog")
        self.setWindowTitle("المزامنة الأولى لهذا الجهاز")
        self.setStyleSheet(SYNC_STYLE)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(560)
        self._controller = controller
        self.finished_report: SyncReport | None = None
        self.failure: str | None = None

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        title = QLabel("المزامنة الأولى لهذا الجهاز", self)
        title.setObjectName("sync_title")
        layout.addWidget(title)
        intro = QLabel(INTRO, self)
        intro.setObjectName("sync_intro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("first_sync_bar")
        self.bar.setRange(0, 0)  # busy until the server says how much there is
        self.bar.setTextVisible(True)
        self.bar.setFormat("%p٪")
        layout.addWidget(self.bar)
        self.detail = QLabel(STARTING, self)
        self.detail.setObjectName("sync_note")
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.stop_button = QPushButton("إيقاف", self)
        self.stop_button.setObjectName("first_sync_stop")
        self.close_button = QPushButton("إغلاق", self)
        self.close_button.setObjectName("first_sync_close")
        self.close_button.hide()
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.stop_button.clicked.connect(self.stop)
        self.close_button.clicked.connect(self.accept)

        controller.sig_progress.connect(self.show_progress)
        controller.sig_round_finished.connect(self._finished)
        controller.sig_round_failed.connect(self._failed)
        controller.sig_stopped.connect(self.reject)

    @property
    def is_over(self) -> bool:
        """The round this dialog follows is over (finished, stopped or failed)."""
        return self.close_button.isVisible() or self.finished_report is not None or self.failure is not None

    def show_progress(self, done: int, total: int) -> None:
        """Move the bar: `done` of `total` records received."""
        if self.is_over:
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        self.detail.setText(f"استُلم {part_of(done, total, ROWS)}")

    def stop(self) -> None:
        """Ask the round to stop after the page it is applying."""
        self._controller.cancel_round()
        self.stop_button.setEnabled(False)
        self.detail.setText(STOPPING)

    def _end(self, text: str, *, error: bool = False) -> None:
        self._disconnect()
        self.detail.setObjectName("sync_error" if error else "sync_done")
        self.detail.style().unpolish(self.detail)
        self.detail.style().polish(self.detail)
        self.detail.setText(text)
        self.stop_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)

    def _finished(self, report: SyncReport) -> None:
        self.finished_report = report
        if report.cancelled:
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
            self._end(CANCELLED)
            return
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        text = f"اكتملت المزامنة الأولى: استُلم من الخادم {records_text(report.pulled)}"
        if report.acknowledged:
            text += f"، وأُرسل إليه {changes_text(report.acknowledged)} من هذا الجهاز"
        text += "."
        if report.conflicts:
            text += f" وظهرت تعارضات تنتظر قرار المشرف: {number(report.conflicts)}."
        self._end(text)

    def _failed(self, message: str, _error: object) -> None:
        self.failure = message
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self._end(self.failure + "\nستُعاد المحاولة تلقائيًا في الخلفية.", error=True)

    def _disconnect(self) -> None:
        for signal, slot in (
            (self._controller.sig_progress, self.show_progress),
            (self._controller.sig_round_finished, self._finished),
            (self._controller.sig_round_failed, self._failed),
        ):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
