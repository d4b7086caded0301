"""The settings page's «تشفير قاعدة البيانات» box (issue 14): whether this desk is encrypted, and for a plaintext
one (a wave-1 desk, or one made with ``MUSTAFID_ENCRYPT=0``) the administrator's way to encrypt it in place.

The box reads `Workspace.encryption_state` on a reader. «تشفير قاعدة البيانات…» opens `EncryptionDialog`: one
paragraph, the administrator's password, then `Workspace.encrypt` on the writer of `ui.ops` with a real progress
bar (its stage in Arabic: copying, the tables verified, the plaintext replaced, the attachments sealed). The
dialog is not closed mid-way without asking (stopping before the swap leaves the plaintext desk as it was);
after it, the recovery key's dialog (`ui.identity.recovery_key`) shows the key once, and the desk keeps working
signed in. A failure (a full disk, the file held by another program) leaves the plaintext desk as it was and
says so in Arabic.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.ops import run_read, run_write

if TYPE_CHECKING:
    from desktop.workspace import EncryptionState, Workspace

__all__ = ["EXPLANATION", "EncryptionDialog", "EncryptionSettingsBox"]

EXPLANATION = (
    "بعد التشفير لا تُقرأ قاعدة البيانات والمرفقات إلا بدخول أحد الموظفين بكلمة مروره، فمن يأخذ القرص أو ينسخ الملف "
    "لا يقرأ اسمًا ولا هوية ولا ملاحظة. تُنسخ البيانات إلى ملف مشفّر يُتحقق من كل جدول فيه قبل حذف الملف غير "
    "المشفّر، ثم يُعرض مفتاح استعادة يُطبع مرة واحدة. قد يستغرق دقائق، وتبقى داخلًا بحسابك بعده."
)
ENCRYPTED_TEXT = "قاعدة البيانات والمرفقات على هذا الجهاز مشفّرة: لا تُفتح إلا بكلمة مرور أحد الموظفين أو بمفتاح الاستعادة."
_STOP_QUESTION = ("التشفير جارٍ. إن أوقفته الآن بقيت البيانات غير مشفّرة كما كانت، ولم يضع منها شيء. "
                  "أتوقف التشفير؟")


class _Relay(QObject):
    """Carries the encryption's progress from the writer to the GUI thread.

    `sig_progress(int, str)`: thousandths done and the stage in Arabic (emitted by the worker, queued by Qt).
    """

    sig_progress = Signal(int, str)


class EncryptionDialog(QDialog):
    """The administrator's encryption of a plaintext desk: explanation, password, progress, then the key.

    `sig_encrypted(str)`: the desk is encrypted; its recovery key (to show once). The dialog has closed.
    `sig_running(bool)`: the encryption starts (True) or has ended, done or not (False): the window pauses the
    background sync meanwhile (a round holding the file made the swap fail as if another program held it).
    """

    sig_encrypted = Signal(str)
    sig_running = Signal(bool)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        """The dialog for `workspace`, whose signed-in administrator confirms with their password."""
        super().__init__(parent)
        self.setObjectName("encryption_dialog")
        self.setWindowTitle("تشفير قاعدة البيانات — مكتب المستفيد")
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setModal(True)
        self.setMinimumWidth(600)
        self._workspace = workspace
        self._running = False
        self._stop = threading.Event()
        self.question: QMessageBox | None = None

        column = QVBoxLayout(self)
        column.setContentsMargins(22, 18, 22, 18)
        column.setSpacing(12)
        self.explanation = QLabel(EXPLANATION, self)
        self.explanation.setWordWrap(True)
        self.explanation.setMinimumWidth(540)
        column.addWidget(self.explanation)
        form = QFormLayout()
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("encryption_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.password_edit.setMaxLength(256)
        caption = QLabel("&كلمة مرورك:", self)
        caption.setBuddy(self.password_edit)
        form.addRow(caption, self.password_edit)
        column.addLayout(form)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("encryption_bar")
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p٪")
        policy = self.bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the dialog is laid out with room for it: nothing squeezed later
        self.bar.setSizePolicy(policy)
        self.bar.hide()
        column.addWidget(self.bar)
        self.stage = QLabel("", self)
        self.stage.setObjectName("encryption_stage")
        self.stage.setWordWrap(True)
        column.addWidget(self.stage)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = QPushButton("شفّر الآن", self)
        self.start_button.setObjectName("encryption_start")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton("إلغاء", self)
        self.cancel_button.setObjectName("encryption_cancel")
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        column.addLayout(buttons)

        self.relay = _Relay(self)
        self.relay.sig_progress.connect(self._progress)
        self.start_button.clicked.connect(self.start)
        self.password_edit.returnPressed.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)

    @property
    def running(self) -> bool:
        """True while the encryption runs (the dialog asks before it goes)."""
        return self._running

    def start(self) -> None:
        """Send the password (cleared at once) and run the encryption on the writer, the bar moving."""
        if self._running:
            return
        password = self.password_edit.text()
        self.password_edit.clear()
        if not password:
            self._say("اكتب كلمة مرورك للتأكيد", error=True)
            self.password_edit.setFocus()
            return
        workspace, relay, stop = self._workspace, self.relay, self._stop
        stop.clear()
        self._running = True
        self.start_button.setEnabled(False)
        self.password_edit.setEnabled(False)
        self.cancel_button.setText("إيقاف")
        self.bar.setValue(0)
        self.bar.show()
        self._say("جارٍ التحقق من كلمة المرور…")
        self.sig_running.emit(True)

        def progress(fraction: float, stage: str) -> None:
            relay.sig_progress.emit(round(1000 * fraction), stage)

        run_write(self, lambda: workspace.encrypt(password, progress, stop.is_set), self._done, self._failed,
                  where="encryption.encrypt")

    def _progress(self, permille: int, stage: str) -> None:
        self.bar.setValue(permille)
        self._say(stage)

    def _done(self, recovery_key: str) -> None:
        self._running = False
        self.sig_running.emit(False)
        self.bar.setValue(1000)
        self._close_question()
        self.sig_encrypted.emit(recovery_key)
        self.done(QDialog.DialogCode.Accepted)

    def _failed(self, message: str, _error: BaseException) -> None:
        self._running = False
        self.sig_running.emit(False)
        self._close_question()
        self.bar.hide()
        self.start_button.setEnabled(True)
        self.password_edit.setEnabled(True)
        self.cancel_button.setText("إلغاء")
        self._say(message, error=True)
        self.password_edit.setFocus()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.stage.setStyleSheet("color: #b3261e;" if error else "")
        self.stage.setText(text)

    # ----------------------------------------------------------------- leaving

    def reject(self) -> None:
        """«إلغاء», Escape or the close button: at once when idle; while running, ask before stopping."""
        if not self._running:
            super().reject()
            return
        if self.question is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "تشفير قاعدة البيانات", _STOP_QUESTION, parent=self)
        box.setObjectName("encryption_stop_question")
        box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        stop = box.addButton("أوقف التشفير", QMessageBox.ButtonRole.DestructiveRole)
        stop.setObjectName("encryption_stop")
        go_on = box.addButton("تابع التشفير", QMessageBox.ButtonRole.RejectRole)
        go_on.setObjectName("encryption_go_on")
        box.setDefaultButton(go_on)
        box.setEscapeButton(go_on)
        self.question = box

        def answered() -> None:
            if box.clickedButton() is stop and self._running:
                self._stop.set()
                self._say("جارٍ إيقاف التشفير…")
            self.question = None
            box.deleteLater()

        box.finished.connect(answered)
        box.open()

    def _close_question(self) -> None:
        if self.question is not None:
            self.question.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close button: asks while the encryption runs."""
        if self._running:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


class EncryptionSettingsBox(QGroupBox):
    """«تشفير قاعدة البيانات» on the settings page: the desk's state, and «تشفير قاعدة البيانات…» when plaintext.

    `sig_encrypted()`: the desk was just encrypted from here (its recovery key's dialog is open).
    `sig_running(bool)`: its dialog's encryption starts or ends (the window pauses the sync meanwhile).
    """

    sig_encrypted = Signal()
    sig_running = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty box; `attach_workspace` fills it."""
        super().__init__("تشفير قاعدة البيانات", parent)
        self.setObjectName("encryption_settings_box")
        self._workspace: Workspace | None = None
        self.dialog: EncryptionDialog | None = None
        #: The recovery key's dialog while it is shown.
        self.recovery_dialog: QWidget | None = None
        layout = QVBoxLayout(self)
        self.state_label = QLabel("…", self)
        self.state_label.setObjectName("encryption_state")
        self.state_label.setWordWrap(True)
        layout.addWidget(self.state_label)
        row = QHBoxLayout()
        self.encrypt_button = QPushButton("تشفير قاعدة البيانات…", self)
        self.encrypt_button.setObjectName("encryption_open")
        self.encrypt_button.setEnabled(False)
        self.encrypt_button.hide()
        row.addWidget(self.encrypt_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.encrypt_button.clicked.connect(self.open_dialog)

    def attach_workspace(self, workspace: Workspace) -> None:
        """Show whether `workspace` is encrypted (read on a reader)."""
        self._workspace = workspace
        self.refresh()

    def refresh(self) -> None:
        """Read the desk's encryption state again."""
        workspace = self._workspace
        if workspace is not None:
            run_read(self, workspace.encryption_state, self.show_state, self._failed, where="encryption_box.state")

    def show_state(self, state: EncryptionState) -> None:
        """Encrypted: say so. Plaintext: why, and the button (held when SQLCipher is missing here)."""
        if state.encrypted:
            self.state_label.setText(ENCRYPTED_TEXT)
            self.encrypt_button.hide()
            return
        from desktop.workspace import PLAINTEXT_DESK

        reason = "" if state.reason_ar == PLAINTEXT_DESK else f"\n{state.reason_ar}."
        self.state_label.setText(f"{PLAINTEXT_DESK}: من يأخذ القرص أو ينسخ ملف البيانات يقرأ ما فيه.{reason}")
        self.encrypt_button.setVisible(True)
        self.encrypt_button.setEnabled(state.available)

    def _failed(self, message: str, _error: BaseException) -> None:
        self.state_label.setText(message)

    def open_dialog(self) -> None:
        """«تشفير قاعدة البيانات…»: the dialog; once encrypted, the recovery key's dialog."""
        workspace = self._workspace
        if workspace is None or self.dialog is not None:
            return
        dialog = EncryptionDialog(workspace, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.dialog = dialog
        dialog.sig_encrypted.connect(self._encrypted)
        dialog.sig_running.connect(self.sig_running)
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        dialog.open()
        dialog.password_edit.setFocus()

    def _encrypted(self, recovery_key: str) -> None:
        """Encrypted: the recovery key's dialog, once (the association and login are known in memory)."""
        from ui.identity.recovery_key import RecoveryKeyDialog

        workspace = self._workspace
        assert workspace is not None
        profile, identity = workspace.loaded_profile, workspace.signed_in
        dialog = RecoveryKeyDialog(recovery_key, profile.association.name if profile is not None else "",
                                   identity.login if identity is not None else "", self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.recovery_dialog = dialog
        dialog.destroyed.connect(lambda *_: setattr(self, "recovery_dialog", None))
        dialog.open()
        self.sig_encrypted.emit()
        self.refresh()
