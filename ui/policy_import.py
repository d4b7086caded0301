"""A policy file opened with the desk (the installer's «فتح باستخدام» for .toml, or `mustafid --import-policy FILE`):
the officer is asked, then the file is validated and adopted on the writer like the settings' own import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.arabic_text import identifier_text
from ui.ops import run_write

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile
    from desktop.workspace import Workspace

IMPORT_TITLE = "اعتماد سياسة من ملف"


class PolicyImportOffer(QObject):
    """Offers to adopt the policy in `path` for the open workspace; the service validates and refuses.

    `sig_adopted(object)`: emitted on the GUI thread with the adopted `PolicyProfile`.
    `sig_refused(str)`: emitted with the Arabic reason (every problem of the file, or why it cannot be adopted).
    """

    sig_adopted = Signal(object)
    sig_refused = Signal(str)

    def __init__(self, workspace: Workspace, path: Path, parent: QWidget) -> None:
        """An offer for `path`, owned by the window `parent` (nothing asked yet)."""
        super().__init__(parent)
        self._workspace = workspace
        self._path = Path(path)
        self._parent = parent
        self.box: QMessageBox | None = None

    def ask(self) -> QMessageBox:
        """Ask the officer (window-modal, not blocking); adopting starts on «نعم»."""
        box = QMessageBox(QMessageBox.Icon.Question, IMPORT_TITLE,
                          f"هل تعتمد سياسة الجمعية من الملف «{self._path.name}»؟\n"
                          "يُتحقق من الملف أولًا، ولا يُعتمد إن كانت فيه أخطاء.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self._parent)
        box.setObjectName("policy_import_box")
        box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.accepted.connect(self.adopt)
        self.box = box
        box.open()
        return box

    def adopt(self) -> None:
        """Validate and adopt the file on the writer thread; the outcome comes back as a signal and a box."""
        workspace, path = self._workspace, self._path
        run_write(self, lambda: workspace.import_profile(path), self._adopted, self._refused,
                  where="policy_import.adopt")

    def _adopted(self, profile: PolicyProfile) -> None:
        self.sig_adopted.emit(profile)
        self._tell(QMessageBox.Icon.Information,
                   f"اعتُمدت سياسة «{profile.association.name}» (الإصدار {identifier_text(str(profile.version))}).")

    def _refused(self, message: str, _error: BaseException) -> None:
        self.sig_refused.emit(message)
        self._tell(QMessageBox.Icon.Warning, message)

    def _tell(self, icon: QMessageBox.Icon, text: str) -> None:
        box = QMessageBox(icon, IMPORT_TITLE, text, QMessageBox.StandardButton.Close, self._parent)
        box.setObjectName("policy_import_result")
        box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()
