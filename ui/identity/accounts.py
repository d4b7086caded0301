"""The administrator's accounts box in the settings: staff accounts, their roles, passwords, PINs, the idle lock.

Every change goes through `desktop.staff.StaffService` on the writer of `ui.ops`, which refuses anybody but an
active administrator with its Arabic message; the box itself is hidden from everybody else (`show_for`).
Passwords and PINs are typed twice in a dialog, sent once, and cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.models import UserRole
from desktop.arabic_text import identifier_text
from desktop.counting import ACCOUNTS, MINUTES, count_phrase
from desktop.staff import IDLE_LOCK_RANGE, AccountView, count_accounts
from ui.identity.gate import PASSWORDS_DIFFER
from ui.ops import run_read, run_write

if TYPE_CHECKING:
    from desktop.session_identity import SessionIdentity
    from desktop.workspace import Workspace

__all__ = ["AccountDialog", "AccountsBox", "SecretDialog"]

COLUMNS = ("الاسم الكامل", "اسم الدخول", "الأدوار", "الفرع", "الحالة")


class AccountDialog(QDialog):
    """A new account (name, login, roles, branch, password twice) or an account's name, roles and branch."""

    def __init__(self, parent: QWidget, account: AccountView | None = None) -> None:
        """The form, empty for a new account or filled with `account`'s particulars."""
        super().__init__(parent)
        self.setObjectName("account_dialog")
        self.setWindowTitle("حساب جديد" if account is None else "تعديل الحساب")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(520)
        column = QVBoxLayout(self)
        form = QFormLayout()
        column.addLayout(form)
        self.name_edit = QLineEdit(account.full_name if account else "", self)
        self.name_edit.setObjectName("account_full_name")
        self.name_edit.setMaxLength(200)
        form.addRow("الاسم ال&كامل:", self.name_edit)
        self.login_edit = QLineEdit(account.login if account else "", self)
        self.login_edit.setObjectName("account_login")
        self.login_edit.setMaxLength(64)
        self.login_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.login_edit.setReadOnly(account is not None)
        form.addRow("اسم ال&دخول:", self.login_edit)
        self.branch_edit = QLineEdit((account.branch or "") if account else "", self)
        self.branch_edit.setObjectName("account_branch")
        self.branch_edit.setMaxLength(80)
        form.addRow("ال&فرع:", self.branch_edit)
        roles_box = QGroupBox("الأدوار", self)
        grid = QGridLayout(roles_box)
        self.role_checks: dict[str, QCheckBox] = {}
        held = set(account.roles) if account else {UserRole.OFFICER.value}
        for index, role in enumerate(UserRole):
            check = QCheckBox(role.label_ar, roles_box)
            check.setObjectName(f"role_{role.value}")
            check.setChecked(role.value in held)
            grid.addWidget(check, index // 2, index % 2)
            self.role_checks[role.value] = check
        column.addWidget(roles_box)
        self.password_edit: QLineEdit | None = None
        self.again_edit: QLineEdit | None = None
        if account is None:
            self.password_edit = _secret(self, "account_password")
            self.again_edit = _secret(self, "account_password_again")
            form.addRow("&كلمة المرور:", self.password_edit)
            form.addRow("&تأكيد كلمة المرور:", self.again_edit)
        self.message = QLabel("", self)
        self.message.setObjectName("account_message")
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def roles(self) -> list[str]:
        """The roles ticked, in the order of `UserRole`."""
        return [value for value, check in self.role_checks.items() if check.isChecked()]

    def password(self) -> str | None:
        """The password typed (a new account), else None."""
        return self.password_edit.text() if self.password_edit is not None else None

    def _check(self) -> None:
        if self.password_edit is not None and self.again_edit is not None:
            if self.password_edit.text() != self.again_edit.text():
                self.again_edit.clear()
                self.message.setText(PASSWORDS_DIFFER)
                return
        self.accept()


def _secret(parent: QWidget, name: str, length: int = 256) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    edit.setMaxLength(length)
    return edit


class SecretDialog(QDialog):
    """A new password, or a new PIN, for one account: typed twice."""

    def __init__(self, parent: QWidget, title: str, caption: str, *, pin: bool = False) -> None:
        """The dialog; `pin` limits the field to six characters."""
        super().__init__(parent)
        self.setObjectName("secret_dialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        column = QVBoxLayout(self)
        form = QFormLayout()
        column.addLayout(form)
        self.first_edit = _secret(self, "secret_first", 6 if pin else 256)
        self.again_edit = _secret(self, "secret_again", 6 if pin else 256)
        form.addRow(caption, self.first_edit)
        form.addRow("ال&تأكيد:", self.again_edit)
        self.message = QLabel("", self)
        self.message.setObjectName("secret_message")
        column.addWidget(self.message)
        self._differ = "الرمزان غير متطابقين: اكتبه مرتين كما هو" if pin else PASSWORDS_DIFFER
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def secret(self) -> str:
        """What was typed."""
        return self.first_edit.text()

    def _check(self) -> None:
        if self.first_edit.text() != self.again_edit.text():
            self.again_edit.clear()
            self.message.setText(self._differ)
            return
        self.accept()


class AccountsBox(QGroupBox):
    """«حسابات الموظفين»: the accounts of the association, and what an administrator does with them."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        """The box over `workspace` (hidden until `show_for` an administrator)."""
        super().__init__("حسابات الموظفين", parent)
        self.setObjectName("accounts_box")
        self._workspace = workspace
        self.accounts: list[AccountView] = []
        column = QVBoxLayout(self)
        self.summary = QLabel("", self)
        self.summary.setObjectName("accounts_summary")
        column.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # the box's width, never a sideways scroll
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideLeft)
        self.table.setMinimumHeight(180)
        column.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = self._button(row, "إضافة حساب…", "account_add", self.add_account)
        self.edit_button = self._button(row, "تعديل…", "account_edit", self.edit_account)
        self.active_button = self._button(row, "إيقاف / تفعيل", "account_toggle", self.toggle_active)
        self.password_button = self._button(row, "كلمة مرور جديدة…", "account_password", self.reset_password)
        self.pin_button = self._button(row, "رمز الفتح…", "account_pin", self.set_pin)
        row.addStretch(1)
        column.addLayout(row)
        idle_row = QHBoxLayout()
        idle_caption = QLabel("قفل المكتب بعد خمول (دقائق):", self)
        self.idle_spin = QSpinBox(self)
        self.idle_spin.setObjectName("idle_minutes")
        self.idle_spin.setRange(*IDLE_LOCK_RANGE)
        idle_caption.setBuddy(self.idle_spin)
        idle_row.addWidget(idle_caption)
        idle_row.addWidget(self.idle_spin)
        self._button(idle_row, "حفظ المدة", "idle_save", self.save_idle_minutes)
        idle_row.addStretch(1)
        column.addLayout(idle_row)
        self.message = QLabel("", self)
        self.message.setObjectName("accounts_message")
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        self.setVisible(False)

    def _button(self, row: QHBoxLayout, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # ----------------------------------------------------------------- showing

    def show_for(self, identity: SessionIdentity | None) -> None:
        """Shown (and read) only for an administrator; hidden, and emptied, for anybody else."""
        admin = identity is not None and identity.holds(UserRole.ADMIN.value)
        self.setVisible(admin)
        if admin:
            self.refresh()
        else:
            self.accounts = []
            self.table.setRowCount(0)

    def _actor(self) -> SessionIdentity:
        identity = self._workspace.signed_in
        if identity is None:
            from desktop.staff import NOT_ADMIN, StaffError

            raise StaffError(NOT_ADMIN, field="actor")
        return identity

    def refresh(self) -> None:
        """Read the accounts and the idle period again (off the GUI thread)."""
        workspace = self._workspace

        def read() -> tuple[list[AccountView], int]:
            staff = workspace.staff()
            return staff.list_accounts(self._actor()), staff.idle_lock_minutes()

        run_read(self, read, self._show, self._failed, where="accounts.list")

    def _show(self, answer: tuple[list[AccountView], int]) -> None:
        accounts, minutes = answer
        self.accounts = accounts
        self.idle_spin.setValue(minutes)
        self.table.setRowCount(len(accounts))
        for row, account in enumerate(accounts):
            cells = (account.full_name, identifier_text(account.login), account.roles_ar, account.branch or "—",
                     _status_text(account))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, account.login)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        active, disabled = count_accounts(accounts)
        self.summary.setText(f"الحسابات النشطة: {count_phrase(active, ACCOUNTS)} — الموقوفة: "
                             f"{count_phrase(disabled, ACCOUNTS)}")

    def _failed(self, message: str, _error: BaseException) -> None:
        self.message.setText(message)

    def selected(self) -> AccountView | None:
        """The account of the selected row, or None."""
        row = self.table.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def _write(self, work: Callable[[], Any], done_text: str, where: str) -> None:
        def done(_result: Any) -> None:
            self.message.setText(done_text)
            self.refresh()

        run_write(self, work, done, self._failed, where=where)

    # ----------------------------------------------------------------- actions

    def add_account(self) -> None:
        """«إضافة حساب…»: the form, then `StaffService.create_account`."""
        dialog = AccountDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        workspace, login, name = self._workspace, dialog.login_edit.text(), dialog.name_edit.text()
        roles, branch, password = dialog.roles(), dialog.branch_edit.text(), dialog.password() or None
        self._write(lambda: workspace.staff().create_account(self._actor(), login, name, roles, branch=branch,
                                                              password=password),
                    "أُضيف الحساب.", "accounts.create")

    def edit_account(self) -> None:
        """«تعديل…»: the selected account's name, roles and branch."""
        account = self.selected()
        if account is None:
            self.message.setText("اختر حسابًا من الجدول أولًا")
            return
        dialog = AccountDialog(self, account)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        workspace, name, roles = self._workspace, dialog.name_edit.text(), dialog.roles()
        branch = dialog.branch_edit.text().strip()
        self._write(lambda: workspace.staff().update_account(self._actor(), account.login, full_name=name,
                                                              roles=roles, branch=branch or None,
                                                              clear_branch=not branch),
                    "حُفظ الحساب.", "accounts.update")

    def toggle_active(self) -> None:
        """«إيقاف / تفعيل»: disable an active account, enable a disabled one."""
        account = self.selected()
        if account is None:
            self.message.setText("اختر حسابًا من الجدول أولًا")
            return
        workspace, active = self._workspace, not account.active
        self._write(lambda: workspace.staff().set_active(self._actor(), account.login, active),
                    "فُعّل الحساب." if active else "أُوقف الحساب: لا يدخل به أحد بعد الآن.", "accounts.active")

    def reset_password(self) -> None:
        """«كلمة مرور جديدة…»: typed twice, then `StaffService.set_password`."""
        self._set_secret("كلمة مرور جديدة", "&كلمة المرور:", False)

    def set_pin(self) -> None:
        """«رمز الفتح…»: 4–6 digits typed twice, then `StaffService.set_pin`."""
        self._set_secret("رمز فتح القفل", "&رمز الفتح:", True)

    def _set_secret(self, title: str, caption: str, pin: bool) -> None:
        account = self.selected()
        if account is None:
            self.message.setText("اختر حسابًا من الجدول أولًا")
            return
        dialog = SecretDialog(self, title, caption, pin=pin)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        secret, workspace = dialog.secret(), self._workspace
        dialog.first_edit.clear()
        dialog.again_edit.clear()
        if pin:
            self._write(lambda: workspace.staff().set_pin(self._actor(), account.login, secret),
                        "ضُبط رمز الفتح.", "accounts.pin")
        else:
            self._write(lambda: workspace.staff().set_password(self._actor(), account.login, secret),
                        "ضُبطت كلمة المرور الجديدة.", "accounts.password")

    def save_idle_minutes(self) -> None:
        """«حفظ المدة»: the association's idle-lock period."""
        workspace, minutes = self._workspace, self.idle_spin.value()
        self._write(lambda: workspace.staff().set_idle_lock_minutes(self._actor(), minutes),
                    f"يُقفل المكتب بعد {count_phrase(minutes, MINUTES)} دون استعمال.", "accounts.idle")


def _status_text(account: AccountView) -> str:
    """An account's state as the administrator reads it: one without a password (the PC's login from before
    accounts, kept so its earlier work stays attributed) cannot sign in and says so rather than «نشط»."""
    if not account.active:
        return "موقوف"
    return "نشط" if account.has_password else "بلا كلمة مرور — لا يدخل"
