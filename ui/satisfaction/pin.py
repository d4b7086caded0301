"""The officer's PIN: a touch keypad for the kiosk, and the dialog that sets the PIN the first time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, to_latin_digits
from desktop.counting import DIGITS, count_phrase, number_text
from ui.ops import run_write

__all__ = ["PinPad", "SetPinDialog"]


class PinPad(QWidget):
    """A masked PIN field over big digit keys (typing on a keyboard works too).

    `sig_entered(pin)` carries the typed digits (Latin) when «تأكيد» or Enter is pressed.
    """

    sig_entered = Signal(str)

    def __init__(self, max_length: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pin_pad")
        column = QVBoxLayout(self)
        column.setSpacing(10)
        self.field = QLineEdit(self)
        self.field.setObjectName("pin_field")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(max_length)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.field.setMinimumHeight(56)
        self.field.returnPressed.connect(self.submit)
        column.addWidget(self.field)
        grid = QGridLayout()
        grid.setSpacing(8)
        # A telephone keypad reads left to right even in an Arabic interface.
        holder = QWidget(self)
        holder.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        holder.setLayout(grid)
        self.keys: dict[str, QPushButton] = {}
        for index, digit in enumerate("123456789"):
            grid.addWidget(self._key(digit, holder), index // 3, index % 3)
        erase = QPushButton("مسح", holder)
        erase.setObjectName("pin_erase")
        erase.clicked.connect(self.field.backspace)
        self._size(erase)
        grid.addWidget(erase, 3, 0)
        grid.addWidget(self._key("0", holder), 3, 1)
        self.ok_button = QPushButton("تأكيد", holder)
        self.ok_button.setObjectName("pin_ok")
        self._size(self.ok_button)
        self.ok_button.clicked.connect(self.submit)
        grid.addWidget(self.ok_button, 3, 2)
        column.addWidget(holder)

    @staticmethod
    def _size(button: QPushButton) -> None:
        button.setMinimumSize(96, 58)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def _key(self, digit: str, parent: QWidget) -> QPushButton:
        button = QPushButton(display_digits(digit), parent)
        button.setObjectName(f"pin_key_{digit}")
        self._size(button)
        button.clicked.connect(lambda: self.field.insert(digit))
        self.keys[digit] = button
        return button

    def pin(self) -> str:
        """The digits typed (Arabic-Indic digits read as Latin)."""
        return to_latin_digits(self.field.text().strip())

    def clear(self) -> None:
        """Empty the field and give it the keyboard."""
        self.field.clear()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        """Hand the typed PIN on."""
        self.sig_entered.emit(self.pin())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits typed anywhere on the pad go into the field."""
        text = to_latin_digits(event.text())
        if text.isdigit():
            self.field.insert(text)
            return
        super().keyPressEvent(event)


class SetPinDialog(QDialog):
    """The officer chooses the kiosk PIN (typed twice) before handing the screen to a beneficiary.

    `save(pin)` (the service's setter: a scrypt hash, a database write) runs through `ui.ops` as a write;
    the dialog is accepted once it is stored, or shows the service's Arabic refusal.
    """

    def __init__(
        self,
        save: Callable[[str], None],
        min_length: int,
        max_length: int,
        parent: QWidget | None = None,
        *,
        changing: bool = False,
    ) -> None:
        """The dialog; `save` stores a PIN (called off the GUI thread)."""
        super().__init__(parent)
        self.setObjectName("set_pin_dialog")
        self.setWindowTitle("تغيير رمز الموظف" if changing else "تعيين رمز الموظف")
        self._save = save
        self._min = min_length
        column = QVBoxLayout(self)
        intro = QLabel(
            "لا يخرج أحد من شاشة التقييم إلا بهذا الرمز؛ احفظه ولا تُطلع عليه المستفيد. "
            f"الرمز أرقام فقط، من {number_text(min_length)} إلى {count_phrase(max_length, DIGITS)}.",
            self,
        )
        intro.setWordWrap(True)
        column.addWidget(intro)
        form = QFormLayout()
        validator = QIntValidator(0, 10**9, self)
        self.first = QLineEdit(self)
        self.first.setObjectName("new_pin")
        self.second = QLineEdit(self)
        self.second.setObjectName("repeat_pin")
        for field in (self.first, self.second):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(max_length)
            field.setValidator(validator)
            field.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        form.addRow("الرمز الجديد:", self.first)
        form.addRow("أعد كتابة الرمز:", self.second)
        column.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName("dialog_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a61b1b;")
        column.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("حفظ الرمز", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_pin")
        buttons.addButton("إلغاء", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def try_save(self) -> bool:
        """Check both fields agree and start saving the PIN; True when the save was started (False: said why)."""
        first, second = to_latin_digits(self.first.text().strip()), to_latin_digits(self.second.text().strip())
        if len(first) < self._min:
            self.error.setText(
                f"الرمز قصير: اكتب {count_phrase(self._min, DIGITS, oblique=True)} على الأقل."
            )
            return False
        if first != second:
            self.error.setText("الرمزان غير متطابقين؛ أعد كتابة الرمز نفسه في الحقلين.")
            self.second.clear()
            self.second.setFocus()
            return False
        save = self._save
        self.error.setText("")
        self._busy(True)
        run_write(self, lambda: save(first), self._saved, self._refused, where="satisfaction.set_pin")
        return True

    def _busy(self, busy: bool) -> None:
        """While the PIN is being stored: «جارٍ الحفظ…» on a disabled button (a second press saves nothing)."""
        self.save_button.setEnabled(not busy)
        self.save_button.setText("جارٍ الحفظ…" if busy else "حفظ الرمز")

    def _saved(self, _none: None) -> None:
        self._busy(False)
        self.accept()

    def _refused(self, message: str, _error: BaseException) -> None:
        """The service refused the PIN (e.g. one digit repeated): its Arabic reason, and the fields stay."""
        self._busy(False)
        self.error.setText(message)
