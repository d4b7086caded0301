"""The recovery key, shown once (issue 14): right after the first administrator encrypted a new desk, or after an
administrator encrypted a plaintext one from the settings.

The key is drawn in Latin groups, monospace, held left to right; «اطبع» prints its one-page sheet (Amiri, a
temporary owner-only PDF removed when the dialog goes), «انسخ» copies it. «متابعة» waits for the tick «حفظت
مفتاح الاستعادة في مكان آمن»; Escape or the window's close asks first (the key is never shown again), and the
key is forgotten by the dialog when it closes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import ltr
from ui.ops import run_read
from ui.printing import PrintController

__all__ = ["RecoveryKeyDialog", "SAVED_TICK"]

SAVED_TICK = "حفظت مفتاح الاستعادة في مكان آمن"
_EXPLANATION = (
    "شُفّرت قاعدة البيانات والمرفقات على هذا الجهاز: لا تُفتح إلا بكلمة مرور أحد الموظفين. "
    "هذا مفتاح الاستعادة، وبه وحده تُفتح البيانات إذا ضاعت كلمات المرور جميعها. يُعرض الآن مرة واحدة ولا يُحفظ "
    "على الجهاز: اطبعه وضع الورقة في ظرف مختوم في مكان آمن بعيد عن الجهاز."
)
_CLOSE_QUESTION = (
    "لم تؤكد حفظ مفتاح الاستعادة، ولن يُعرض مرة أخرى. إن ضاعت كلمات المرور جميعها دونه ضاعت البيانات. "
    "أتغلق النافذة دون حفظه؟"
)


class RecoveryKeyDialog(QDialog):
    """The recovery key, once: print, copy, tick, continue (closing without the tick asks).

    `sig_done()`: the dialog has gone (continued, or closed after the question); the key is forgotten.
    """

    sig_done = Signal()

    def __init__(self, recovery_key: str, association: str, login: str, parent: QWidget | None = None) -> None:
        """The dialog for `recovery_key`, made for the administrator `login` of `association`."""
        super().__init__(parent)
        self.setObjectName("recovery_key_dialog")
        self.setWindowTitle("مفتاح الاستعادة — مكتب المستفيد")
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setModal(True)
        self.setMinimumWidth(620)
        self._key = recovery_key
        self._association = association
        self._login = login
        self._folder: Path | None = None
        self._closing = False
        self.question: QMessageBox | None = None

        column = QVBoxLayout(self)
        column.setContentsMargins(24, 20, 24, 20)
        column.setSpacing(14)
        title = QLabel("مفتاح الاستعادة", self)
        title.setObjectName("recovery_title")
        title.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1f3a5f;")
        column.addWidget(title)
        explanation = QLabel(_EXPLANATION, self)
        explanation.setWordWrap(True)
        column.addWidget(explanation)

        self.key_label = QLabel(ltr(self._grouped()), self)
        self.key_label.setObjectName("recovery_key")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSize(17)
        mono.setWeight(QFont.Weight.Bold)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.key_label.setFont(mono)
        self.key_label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setStyleSheet("background: #f4f7fa; border: 1px solid #b9c4d0; border-radius: 6px; "
                                     "padding: 14px; color: #102a43;")
        column.addWidget(self.key_label)

        actions = QHBoxLayout()
        self.print_button = QPushButton("اطبع", self)
        self.print_button.setObjectName("recovery_print")
        self.copy_button = QPushButton("انسخ", self)
        self.copy_button.setObjectName("recovery_copy")
        actions.addWidget(self.print_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        column.addLayout(actions)
        self.message = QLabel("", self)
        self.message.setObjectName("recovery_message")
        self.message.setWordWrap(True)
        self.message.hide()
        column.addWidget(self.message)

        self.saved_tick = QCheckBox(SAVED_TICK, self)
        self.saved_tick.setObjectName("recovery_saved")
        column.addWidget(self.saved_tick)
        row = QHBoxLayout()
        row.addStretch(1)
        self.continue_button = QPushButton("متابعة", self)
        self.continue_button.setObjectName("recovery_continue")
        self.continue_button.setEnabled(False)
        self.continue_button.setDefault(True)
        row.addWidget(self.continue_button)
        column.addLayout(row)

        self.printer = PrintController(self)
        self.printer.sig_message.connect(self.tell)
        self.saved_tick.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self.accept)
        self.copy_button.clicked.connect(self.copy_key)
        self.print_button.clicked.connect(self.print_sheet)
        self.finished.connect(self._forget)

    def _grouped(self) -> str:
        """The key on two lines of four groups (as on the printed sheet)."""
        groups = self._key.split("-")
        return "-".join(groups[:4]) + "\n" + "-".join(groups[4:]) if len(groups) > 4 else self._key

    # ----------------------------------------------------------------- actions

    def copy_key(self) -> None:
        """Copy the key (one line, as typed back) to the clipboard."""
        QGuiApplication.clipboard().setText(self._key)
        self.tell("نُسخ المفتاح: الصقه حيث تحفظه بأمان، ولا تتركه في ملف على هذا الجهاز.")

    def tell(self, text: str) -> None:
        """Show a line under the buttons (what was copied, a printing problem)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def sheet_path(self) -> Path:
        """Where the sheet's PDF is written while the dialog is open (an owner-only temporary folder)."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="mustafid-recovery-"))  # mode 0700
        return self._folder / "recovery-key.pdf"

    def print_sheet(self) -> None:
        """Render the one-page sheet off the GUI thread, then Qt's print preview (or the PDF viewer)."""
        key, association, login, path = self._key, self._association, self._login, self.sheet_path()
        self.print_button.setEnabled(False)

        def render() -> Path:
            from desktop.documents.recovery_sheet import render_recovery_sheet

            data = render_recovery_sheet(key, association, login, dt.datetime.now(dt.UTC))
            descriptor = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            return path

        def rendered(done: Path) -> None:
            self.print_button.setEnabled(True)
            self.printer.print_pdf(done, "مفتاح الاستعادة")

        def failed(message: str, _error: BaseException) -> None:
            self.print_button.setEnabled(True)
            self.tell(message)

        run_read(self, render, rendered, failed, where="recovery_key.print")

    # ----------------------------------------------------------------- leaving

    def reject(self) -> None:
        """Escape or the close button: continue when the tick is given, else ask first."""
        if self.saved_tick.isChecked():
            self.accept()
            return
        if self.question is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "مفتاح الاستعادة", _CLOSE_QUESTION, parent=self)
        box.setObjectName("recovery_close_question")
        box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        back = box.addButton("ارجع إلى المفتاح", QMessageBox.ButtonRole.RejectRole)
        leave = box.addButton("أغلق دون حفظه", QMessageBox.ButtonRole.DestructiveRole)
        leave.setObjectName("recovery_close_anyway")
        back.setObjectName("recovery_close_back")
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        self.question = box

        def answered() -> None:
            self.question = None
            if box.clickedButton() is leave:
                self.done(QDialog.DialogCode.Rejected)
            box.deleteLater()

        box.finished.connect(answered)
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close button asks like Escape (never loses the key silently)."""
        if self.result() or self.isHidden():
            event.accept()
            return
        event.ignore()
        self.reject()

    def _forget(self) -> None:
        """The dialog has gone: the key and its printed sheet's file go too."""
        self._key = ""
        self.key_label.clear()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self.sig_done.emit()
