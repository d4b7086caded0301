"""Enrol this PC with the association's sync server: address, one-time code, device name and branch."""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import ltr
from desktop.sync.protocol import fingerprint_text
from ui.sync.style import SYNC_STYLE

if TYPE_CHECKING:
    from desktop.sync.service import EnrolmentResult, ServerCertificate
    from ui.sync.controller import SyncController

ADDRESS_MISSING = "أدخل عنوان خادم المزامنة كما أعطاك إياه مسؤول النظام"
ADDRESS_SCHEME = (f"عنوان الخادم يجب أن يبدأ بـ {ltr('http://')} أو {ltr('https://')} "
                  f"(مثل {ltr('https://sync.example.org:8443')})")
ADDRESS_HOST = f"عنوان الخادم ناقص: اكتب اسم الخادم أو عنوانه بعد {ltr('https://')}"
CODE_MISSING = "أدخل رمز التسجيل الذي أعطاك إياه مسؤول النظام"
CODE_SPACES = "رمز التسجيل لا يحتوي مسافات: انسخه كما هو"
NAME_MISSING = "أدخل اسمًا لهذا الجهاز يعرفه به مسؤول النظام (مثل: استقبال الفرع الرئيسي)"
WORKING = "جارٍ التسجيل لدى الخادم…"


def check_address(text: str) -> str | None:
    """The Arabic problem with a server address, or None when it can be used."""
    text = text.strip()
    if not text:
        return ADDRESS_MISSING
    url = QUrl(text, QUrl.ParsingMode.StrictMode)
    if url.scheme().lower() not in ("http", "https") or "://" not in text:
        return ADDRESS_SCHEME
    if not url.isValid() or not url.host():
        return ADDRESS_HOST
    return None


class EnrolDialog(QDialog):
    """Asks for the server address, the enrolment code, a device name and the branch; enrols in the background.

    A server certificate the system does not trust (a LAN's self-signed one) is refused in its own words, and
    its fingerprint is then shown to compare with the administrator's printout; enrolling again pins it.

    `sig_enrolled(EnrolmentResult)` is emitted when the server accepted the code and this PC adopted its ids
    (the dialog then closes; the first sync starts).
    """

    sig_enrolled = Signal(object)

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrol_dialog")
        self.setWindowTitle("تسجيل الجهاز لدى خادم المزامنة")
        self.setStyleSheet(SYNC_STYLE)
        self.setMinimumWidth(620)
        self._controller = controller
        self.result_value: EnrolmentResult | None = None

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        title = QLabel("تسجيل هذا الجهاز لدى خادم المزامنة", self)
        title.setObjectName("sync_title")
        layout.addWidget(title)
        intro = QLabel(
            "بعد التسجيل تُرسل الحالات المسجلة على هذا الجهاز إلى خادم الجمعية، وتصل إليه حالات الفروع الأخرى، "
            "ويعمل الجهاز دون اتصال حين تنقطع الشبكة. اطلب العنوان ورمز التسجيل من مسؤول النظام؛ "
            "الرمز يُستخدم مرة واحدة.",
            self,
        )
        intro.setObjectName("sync_intro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        state = controller.state()
        if state.configured and state.status is not None:
            again = QLabel(
                f"هذا الجهاز مسجّل الآن لدى {state.status.server_url}. التسجيل من جديد يستبدل بيانات اعتماده.", self
            )
            again.setObjectName("sync_note")
            again.setWordWrap(True)
            layout.addWidget(again)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        self.errors: dict[str, QLabel] = {}
        self.address_edit = self._line(form, "address", "عنوان الخادم:", "https://sync.example.org:8443", ltr=True)
        self.code_edit = self._line(form, "code", "رمز التسجيل:", "الرمز الذي أعطاك إياه مسؤول النظام", ltr=True)
        self.name_edit = self._line(form, "name", "اسم هذا الجهاز:", "مثل: استقبال الفرع الرئيسي")
        self.name_edit.setText(platform.node()[:200])
        self.branch_edit = self._line(form, "branch", "الفرع (اختياري):", "مثل: الفرع الرئيسي")
        self.fingerprint_label = QLabel(self)  # the server certificate's fingerprint, shown to compare
        self.fingerprint_label.setObjectName("sync_note")
        self.fingerprint_label.setWordWrap(True)
        self.fingerprint_label.hide()
        form.addRow(self.fingerprint_label)
        self._pinned: str | None = None
        if state.status is not None and state.status.server_url:
            self.address_edit.setText(state.status.server_url)
        layout.addLayout(form)

        self.message = QLabel(self)
        self.message.setObjectName("sync_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.enrol_button = QPushButton("تسجيل الجهاز", self)
        self.enrol_button.setObjectName("enrol_submit")
        self.enrol_button.setDefault(True)
        self.cancel_button = QPushButton("إلغاء", self)
        self.cancel_button.setObjectName("enrol_cancel")
        buttons.addWidget(self.enrol_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.enrol_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

    def _line(self, form: QFormLayout, key: str, caption: str, placeholder: str, *, ltr: bool = False) -> QLineEdit:
        """A text field with its error line under it."""
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        edit = QLineEdit(box)
        edit.setObjectName(f"enrol_{key}")
        edit.setPlaceholderText(placeholder)
        if ltr:
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            edit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        error = QLabel(box)
        error.setObjectName("field_error")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(edit)
        column.addWidget(error)
        form.addRow(caption, box)
        self.errors[key] = error
        return edit

    def _error(self, key: str, text: str | None) -> None:
        label = self.errors[key]
        label.setText(text or "")
        label.setVisible(bool(text))

    def _say(self, text: str | None, *, error: bool = True) -> None:
        self.message.setProperty("tone", "error" if error else "note")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def validate(self) -> bool:
        """Check the fields and show what is wrong under each; True when all can be sent."""
        address = check_address(self.address_edit.text())
        code = self.code_edit.text().strip()
        code_error = CODE_MISSING if not code else CODE_SPACES if any(ch.isspace() for ch in code) else None
        name_error = NAME_MISSING if not self.name_edit.text().strip() else None
        self._error("address", address)
        self._error("code", code_error)
        self._error("name", name_error)
        self._error("branch", None)
        for key, edit in (("address", self.address_edit), ("code", self.code_edit), ("name", self.name_edit)):
            if self.errors[key].isVisible():
                edit.setFocus()
                break
        return not (address or code_error or name_error)

    def submit(self) -> None:
        """Validate, then exchange the code with the server in the background."""
        self._say(None)
        if not self.validate():
            return
        branch = self.branch_edit.text().strip() or None
        address = self.address_edit.text().strip()
        if self._pinned is not None and self._pinned_address != address:
            self._pinned = None  # compared for another address
            self.fingerprint_label.hide()
        started = self._controller.enroll(
            self, address, self.code_edit.text().strip(), self.name_edit.text().strip(),
            branch, self._enrolled, self._refused, pinned_fingerprint=self._pinned,
        )
        if not started:
            self._say("المزامنة لم تجهز بعد على هذا الجهاز؛ أعد المحاولة بعد لحظات")
            return
        self._busy(True)
        self._say(WORKING, error=False)

    _pinned_address = ""

    def _compare(self, address: str, certificate: ServerCertificate) -> None:
        """Show the server certificate's fingerprint; enrolling again now trusts exactly that certificate."""
        self._pinned, self._pinned_address = certificate.fingerprint, address
        pairs = fingerprint_text(certificate.fingerprint)
        lines = [pairs[i:i + 48].strip(":") for i in range(0, len(pairs), 48)]  # 16 pairs a line: it wraps nowhere
        self.fingerprint_label.setText(
            "بصمة شهادة الخادم — قارنها بالبصمة التي طبعها مسؤول النظام عند إنشاء الشهادة، "
            "ثم اضغط «تسجيل الجهاز» مرة أخرى إن تطابقت:\n" + "\n".join(ltr(line) for line in lines))
        self.fingerprint_label.show()

    def _busy(self, busy: bool) -> None:
        for widget in (self.address_edit, self.code_edit, self.name_edit, self.branch_edit, self.enrol_button):
            widget.setEnabled(not busy)

    def _enrolled(self, result: EnrolmentResult) -> None:
        self._busy(False)
        self.result_value = result
        self.sig_enrolled.emit(result)
        self.accept()

    def _refused(self, message: str, error: BaseException) -> None:
        self._busy(False)
        self._say(message)
        self.enrol_button.setDefault(True)
        address = self.address_edit.text().strip()
        if getattr(error, "kind", "") == "certificate" and self._pinned is None and address.startswith("https://"):
            self._controller.server_certificate(self, address, lambda found: self._compare(address, found),
                                                lambda _m, _e: None)
        (self.address_edit if getattr(error, "kind", "") == "offline" else self.code_edit).setFocus()
