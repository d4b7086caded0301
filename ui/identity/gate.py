"""The desk's gate: sign-in, the first administrator of a new association, and the idle lock.

The gate covers the whole window until somebody has signed in (and again when the desk locks): no case, name
or count of the desk is drawn under it. Every check goes through one `Workspace` call on the writer of
`ui.ops` — `sign_in_with_password`, `sign_in_with_changed_password`, `unlock_with_pin`,
`create_first_administrator` — the one place that will also unlock (or, on a first run, encrypt) the database.
A password changed on another desk: the one this desk knows is refused with `PasswordChangedElsewhere`, the form
asks for the new one and sends both. The first administrator's encryption gives a recovery key, shown once
(`ui.identity.recovery_key`) before the desk opens. What is typed as a password or PIN is cleared as soon as it is sent, and
never logged (the calls log only that a sign-in succeeded or was refused).

Kept light: it is drawn in the first window, before the database is open (the services' modules are loaded
by the worker opening the workspace, not here). It takes a password before the workspace is open too
(`await_workspace`, once `desktop.gate_facts` has answered without SQLAlchemy): its checks are queued on the
writer behind the opening, so the password waits there for the database, never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.counting import DIGITS, count_phrase, number_text
from desktop.errors import InputError
from desktop.session_identity import PIN_MAX_LENGTH, PIN_MIN_LENGTH
from ui.ops import run_read, run_write

if TYPE_CHECKING:
    from desktop.session_identity import SessionIdentity
    from desktop.workspace import Workspace

__all__ = ["DeskGate", "GateMode", "roles_text"]

#: The recovery key to show once, the association's name and the administrator's login (its printed sheet).
_RecoveryShown = tuple[str, str, str]

OPENING_TEXT = "جارٍ تجهيز قاعدة البيانات… يمكنك كتابة اسم الدخول وكلمة المرور"
CHECKING_TEXT = "جارٍ التحقق…"
SIGN_IN_NOTE = "ادخل باسم الدخول وكلمة المرور اللذين أعطاكهما مسؤول النظام."
PASSWORDS_DIFFER = "كلمتا المرور غير متطابقتين: اكتبها مرتين كما هي"
#: A check that waited for a workspace whose opening failed (the opening's own refusal is shown meanwhile).
NOT_OPENED = "تعذّر فتح قاعدة البيانات، فلم يُتحقق من الدخول"

GATE_STYLE = """
QFrame#gate_card { background: #ffffff; border: 1px solid #d5dbe3; border-radius: 10px; }
QWidget#desk_gate { background: #eef2f6; }
QLabel#gate_title { font-size: 16pt; font-weight: bold; color: #1f3a5f; }
QLabel#gate_message[error="true"] { color: #b3261e; }
QLabel#gate_note { color: #4a5563; }
"""


class GateMode(StrEnum):
    """What the gate asks for."""

    SIGN_IN = "sign_in"
    FIRST_ADMIN = "first_admin"
    LOCKED = "locked"


def roles_text(roles: tuple[str, ...]) -> str:
    """The roles of an account in Arabic, joined by the Arabic comma."""
    from db.models import UserRole

    known = UserRole._value2member_map_
    return "، ".join(UserRole(r).label_ar if r in known else r for r in roles)


def _line(parent: QWidget, name: str, *, secret: bool = False, latin: bool = False, length: int = 256) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setMaxLength(length)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if secret or latin:  # logins, passwords and PINs are typed left to right
        edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    edit.setMinimumWidth(280)
    return edit


class _Card(QFrame):
    """A centred card: a title, a note, a form, a message line and the buttons."""

    def __init__(self, title: str, note: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("gate_card")
        self.setMaximumWidth(560)
        column = QVBoxLayout(self)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(12)
        self.title = QLabel(title, self)
        self.title.setObjectName("gate_title")
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        self.note = QLabel(note, self)
        self.note.setObjectName("gate_note")
        self.note.setWordWrap(True)
        column.addWidget(self.note)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        column.addLayout(self.form)
        self.message = QLabel("", self)
        self.message.setObjectName("gate_message")
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        self.buttons = QHBoxLayout()
        column.addLayout(self.buttons)

    def field(self, caption: str, edit: QLineEdit) -> QLineEdit:
        """Add a captioned field (its caption's mnemonic focuses it)."""
        label = QLabel(caption, self)
        label.setBuddy(edit)
        self.form.addRow(label, edit)
        return edit

    def button(self, text: str, name: str, *, default: bool = False) -> QPushButton:
        """Add a button (the default one answers Enter)."""
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setDefault(default)
        button.setAutoDefault(default)
        self.buttons.addWidget(button)
        return button

    def say(self, text: str, error: bool) -> None:
        """Show a message under the form (an error in red)."""
        self.message.setText(text)
        self.message.setProperty("error", "true" if error else "false")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)


class DeskGate(QWidget):
    """Covers the desk until someone signs in, and whenever it is locked.

    Three faces (`GateMode`): the sign-in form (login, password; Enter signs in), the first administrator's
    form (a new association: full name, login, password twice, PIN) and the lock (the PIN of the person
    signed in; «دخول موظف آخر» switches to the sign-in form; after five wrong PINs only the password).
    Escape does nothing here: the lock never gives way but to a PIN or a password.

    `sig_signed_in(identity)`: a `SessionIdentity` has signed in, unlocked, or was created as the first
    administrator (the workspace already acts as it). `sig_switching()`: the sign-in form is about to send
    the password of somebody at the lock (the window saves the reception's typing first, under its officer).
    """

    sig_signed_in = Signal(object)
    sig_switching = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """The gate, on the sign-in form, waiting for a workspace (`attach`)."""
        super().__init__(parent)
        self.setObjectName("desk_gate")
        self.setStyleSheet(GATE_STYLE)
        self.setAutoFillBackground(True)
        self._workspace: Workspace | None = None
        #: Before `attach`: the workspace being opened on the writer, asked for there by a check queued behind
        #: the opening (`await_workspace`); None until the gate takes a password before the database is open.
        self._pending: Callable[[], Workspace | None] | None = None
        self._locked_identity: SessionIdentity | None = None
        self._busy = False
        self._previous_password: str | None = None
        #: The recovery key's dialog while it is shown (first run).
        self.recovery_dialog: QWidget | None = None
        self.mode = GateMode.SIGN_IN

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.faces = QStackedWidget(self)
        self.faces.setMaximumWidth(560)
        row.addWidget(self.faces, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.sign_in_card = _Card("الدخول إلى مكتب المستفيد", SIGN_IN_NOTE, self.faces)
        self.login_edit = self.sign_in_card.field("اسم ال&دخول:", _line(self, "sign_in_login", latin=True, length=64))
        self.password_edit = self.sign_in_card.field("&كلمة المرور:", _line(self, "sign_in_password", secret=True))
        self.sign_in_button = self.sign_in_card.button("دخول", "sign_in_button", default=True)
        self.back_to_lock_button = self.sign_in_card.button("رجوع إلى القفل", "back_to_lock")
        self.back_to_lock_button.hide()
        self.sign_in_button.clicked.connect(self.submit_sign_in)
        self.login_edit.returnPressed.connect(self._login_entered)
        self.password_edit.returnPressed.connect(self.submit_sign_in)
        self.back_to_lock_button.clicked.connect(self._back_to_lock)
        self.login_edit.textEdited.connect(self._forget_previous_password)
        self.faces.addWidget(self.sign_in_card)

        # The first administrator's form and the lock are built when first needed (`_faces_built`): the sign-in
        # form alone is on the first window, drawn before the database opens.
        self._first_card: _Card | None = None
        self._lock_card: _Card | None = None
        self._set_ready(False)
        self.sign_in_card.say(OPENING_TEXT, False)
        # The login takes the keys from the first moment (while the database opens too): without a focused field
        # a hurried officer's login was lost and the Tab that followed put the password, in clear, in the login.
        self.login_edit.setFocus()

    def _build_first_card(self) -> _Card:
        from desktop.gate_facts import encrypt_on_first_run  # built only on a new desk: not on the first window

        sealed = ("ستُشفَّر بيانات هذا الجهاز بكلمة مرورك، ثم يُعرض عليك مفتاح استعادة مرة واحدة لتطبعه وتحفظه. "
                  if encrypt_on_first_run() else "")
        card = _Card(
            "إنشاء حساب مسؤول النظام الأول",
            "لا يوجد مسؤول نظام لهذه الجمعية بعد. أنشئ حسابك: يضيف المسؤول بعدها حسابات الموظفين من الإعدادات. "
            f"{sealed}لا توجد كلمة مرور افتراضية.", self.faces)
        self._first_name_edit = card.field("الاسم ال&كامل:", _line(self, "first_full_name", length=200))
        self._first_login_edit = card.field("اسم ال&دخول:", _line(self, "first_login", latin=True, length=64))
        self._first_password_edit = card.field("&كلمة المرور:", _line(self, "first_password", secret=True))
        self._first_again_edit = card.field("&تأكيد كلمة المرور:", _line(self, "first_password_again",
                                                                                  secret=True))
        self._first_pin_edit = card.field(f"&رمز الفتح (من {number_text(PIN_MIN_LENGTH)} إلى {count_phrase(PIN_MAX_LENGTH, DIGITS)}):", _line(self, "first_pin", secret=True,
                                                                                    length=6))
        self._first_button = card.button("إنشاء الحساب والدخول", "first_admin_button", default=True)
        self._first_button.clicked.connect(self.submit_first_administrator)
        for edit in (self._first_name_edit, self._first_login_edit, self._first_password_edit, self._first_again_edit,
                     self._first_pin_edit):
            edit.returnPressed.connect(self.submit_first_administrator)
        self.faces.addWidget(card)

        self._first_button.setEnabled(self.is_ready() and not self._busy)
        return card

    def _build_lock_card(self) -> _Card:
        lock = _Card("المكتب مقفل", "", self.faces)
        self._pin_edit = lock.field("&رمز الفتح:", _line(self, "lock_pin", secret=True, length=6))
        self._unlock_button = lock.button("فتح", "unlock_button", default=True)
        self._switch_button = lock.button("دخول موظف آخر", "switch_user_button")
        self._unlock_button.clicked.connect(self.submit_pin)
        self._pin_edit.returnPressed.connect(self.submit_pin)
        self._switch_button.clicked.connect(lambda: self.show_sign_in())
        self.faces.addWidget(lock)

        self._unlock_button.setEnabled(self.is_ready() and not self._busy)
        return lock

    @property
    def first_card(self) -> _Card:
        """The first administrator's form (built on first use)."""
        if self._first_card is None:
            self._first_card = self._build_first_card()
        return self._first_card

    @property
    def lock_card(self) -> _Card:
        """The lock's form (built on first use)."""
        if self._lock_card is None:
            self._lock_card = self._build_lock_card()
        return self._lock_card

    @property
    def first_name_edit(self) -> QLineEdit:
        """Of the first administrator's form (built on first use)."""
        self.first_card  # noqa: B018 (builds it)
        return self._first_name_edit

    @property
    def first_login_edit(self) -> QLineEdit:
        """Of the first administrator's form (built on first use)."""
        self.first_card  # noqa: B018 (builds it)
        return self._first_login_edit

    @property
    def first_password_edit(self) -> QLineEdit:
        """Of the first administrator's form (built on first use)."""
        self.first_card  # noqa: B018 (builds it)
        return self._first_password_edit

    @property
    def first_again_edit(self) -> QLineEdit:
        """Of the first administrator's form (built on first use)."""
        self.first_card  # noqa: B018 (builds it)
        return self._first_again_edit

    @property
    def first_pin_edit(self) -> QLineEdit:
        """Of the first administrator's form (built on first use)."""
        self.first_card  # noqa: B018 (builds it)
        return self._first_pin_edit

    @property
    def first_button(self) -> QPushButton:
        """Of the first administrator's form (built on first use)."""
        self.first_card  # noqa: B018 (builds it)
        return self._first_button

    @property
    def pin_edit(self) -> QLineEdit:
        """Of the lock's form (built on first use)."""
        self.lock_card  # noqa: B018 (builds it)
        return self._pin_edit

    @property
    def unlock_button(self) -> QPushButton:
        """Of the lock's form (built on first use)."""
        self.lock_card  # noqa: B018 (builds it)
        return self._unlock_button

    @property
    def switch_button(self) -> QPushButton:
        """Of the lock's form (built on first use)."""
        self.lock_card  # noqa: B018 (builds it)
        return self._switch_button

    # ----------------------------------------------------------------- state

    def attach(self, workspace: Workspace, has_administrator: bool) -> None:
        """The workspace is open: the sign-in form works (or the first administrator's form is shown)."""
        early = self._pending is not None
        self._workspace = workspace
        self._pending = None
        if early and has_administrator == (self.mode is not GateMode.FIRST_ADMIN):
            return  # the gate took input already: the officer's typing and focus stay as they are
        if has_administrator and self.mode is GateMode.FIRST_ADMIN:
            self.show_sign_in()  # an administrator after all (the facts read before the opening said none)
        self._ready_for_input(has_administrator)

    def _ready_for_input(self, has_administrator: bool) -> None:
        """The buttons work, the opening's note goes, the sign-in form (or the first administrator's) takes keys."""
        self._set_ready(True)
        if self.mode is GateMode.SIGN_IN and self.sign_in_card.message.text() == OPENING_TEXT:
            self.sign_in_card.say("", False)
        if self.mode is GateMode.SIGN_IN and not (self.login_edit.hasFocus() or self.password_edit.hasFocus()):
            (self.password_edit if self.login_edit.text().strip() else self.login_edit).setFocus()
        if not has_administrator:
            self.show_first_administrator()

    def await_workspace(self, pending: Callable[[], Workspace | None], has_administrator: bool) -> None:
        """Take a password (or the first administrator) before the workspace is open: `pending` gives the workspace
        on the writer, where every check is queued behind the opening (None when the opening failed: its refusal
        is shown). `has_administrator` as `desktop.gate_facts` read it; `attach` follows with the workspace."""
        if self._workspace is not None:
            return
        self._pending = pending
        self._ready_for_input(has_administrator)

    def _workspace_now(self) -> Workspace:
        """The workspace a check runs on (a writer's call: an opening queued before it has finished)."""
        workspace = self._workspace
        if workspace is None and self._pending is not None:
            workspace = self._pending()
        if workspace is None:
            raise InputError(NOT_OPENED)
        return workspace

    def is_ready(self) -> bool:
        """True once the gate takes a password: a workspace attached, or one being opened (`await_workspace`)."""
        return self._workspace is not None or self._pending is not None

    def has_workspace(self) -> bool:
        """True once the opened workspace is attached (the database open and checked)."""
        return self._workspace is not None

    def _set_ready(self, ready: bool) -> None:
        buttons = [self.sign_in_button]
        if self._first_card is not None:
            buttons.append(self.first_button)
        if self._lock_card is not None:
            buttons.append(self.unlock_button)
        for button in buttons:
            button.setEnabled(ready and not self._busy)

    def _set_busy(self, busy: bool, card: _Card) -> None:
        self._busy = busy
        self._set_ready(self.is_ready())
        if busy:
            card.say(CHECKING_TEXT, False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape never opens the desk (nor leaves the form)."""
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)

    # ----------------------------------------------------------------- faces

    def show_sign_in(self, login: str = "", message: str = "") -> None:
        """The sign-in form (from the lock: «رجوع إلى القفل» goes back while the PIN may still open it)."""
        self.mode = GateMode.SIGN_IN
        self._previous_password = None
        self.sign_in_card.note.setText(SIGN_IN_NOTE)
        self.faces.setCurrentWidget(self.sign_in_card)
        self.login_edit.setText(login)
        self.password_edit.clear()
        self.back_to_lock_button.setVisible(self._locked_identity is not None and not message)
        self.sign_in_card.say(message, bool(message))
        (self.password_edit if login else self.login_edit).setFocus()

    def show_first_administrator(self) -> None:
        """The form creating the association's first administrator."""
        self.mode = GateMode.FIRST_ADMIN
        self.faces.setCurrentWidget(self.first_card)
        self.first_name_edit.setFocus()

    def show_lock(self, identity: SessionIdentity) -> None:
        """The lock of `identity`: its PIN opens it (or only its password, after five wrong PINs)."""
        from desktop.arabic_text import isolate

        self._locked_identity = identity
        self.mode = GateMode.LOCKED
        self.faces.setCurrentWidget(self.lock_card)
        self.lock_card.title.setText("المكتب مقفل")
        self.lock_card.note.setText(
            f"دخل {isolate(identity.full_name)}. اكتب رمز الفتح للمتابعة، أو ادخل بحساب آخر "
            "(يبقى استقبال لم يكتمل محفوظًا في قائمة غير المكتملة).")
        self.pin_edit.clear()
        self.lock_card.say("", False)
        self.pin_edit.setFocus()
        workspace = self._workspace
        if workspace is not None:
            run_read(self, workspace.pin_unlock_allowed, self._pin_allowed, where="gate.pin_allowed")

    def _pin_allowed(self, allowed: bool) -> None:
        identity = self._locked_identity
        if not allowed and identity is not None and self.mode is GateMode.LOCKED:
            self.show_sign_in(identity.login, "لا يُفتح هذا القفل برمز: ادخل بكلمة المرور")

    def _back_to_lock(self) -> None:
        if self._locked_identity is not None:
            self.show_lock(self._locked_identity)

    def clear_lock(self) -> None:
        """Nobody is locked out any more (the window is open for the person signed in)."""
        self._locked_identity = None
        if self._lock_card is not None:  # not built: nothing typed in it
            self.pin_edit.clear()
        self.password_edit.clear()

    # ----------------------------------------------------------------- submitting

    def _login_entered(self) -> None:
        if self.password_edit.text():
            self.submit_sign_in()
        else:
            self.password_edit.setFocus()

    def _run(self, card: _Card, work: Callable[[], SessionIdentity], where: str,
             refused: Callable[[str, BaseException], None] | None = None) -> None:
        self._run_then(card, lambda: (work(), None), where, refused)

    def _run_then(self, card: _Card, work: Callable[[], tuple[SessionIdentity, _RecoveryShown | None]], where: str,
                  refused: Callable[[str, BaseException], None] | None = None) -> None:
        """Run `work` on the writer; signed in → `sig_signed_in`, after the recovery key's dialog when it gave one."""
        self._set_busy(True, card)

        def done(outcome: tuple[SessionIdentity, _RecoveryShown | None]) -> None:
            identity, recovery = outcome
            self._set_busy(False, card)
            card.say("", False)
            self.clear_lock()
            if recovery is None:
                self.sig_signed_in.emit(identity)
            else:
                self.show_recovery_key(recovery, lambda: self.sig_signed_in.emit(identity))

        def failed(message: str, error: BaseException) -> None:
            self._set_busy(False, card)
            card.say(message, True)
            if refused is not None:
                refused(message, error)

        run_write(self, work, done, failed, where=where)

    def show_recovery_key(self, recovery: _RecoveryShown, then: Callable[[], None]) -> None:
        """The recovery key's dialog (once); `then` when it has gone."""
        from ui.identity.recovery_key import RecoveryKeyDialog

        key, association, login = recovery
        dialog = RecoveryKeyDialog(key, association, login, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.recovery_dialog = dialog
        dialog.sig_done.connect(then)
        dialog.destroyed.connect(lambda *_: setattr(self, "recovery_dialog", None))
        dialog.open()

    def submit_sign_in(self) -> None:
        """Check the login and password (Enter or «دخول»); the password field is cleared at once."""
        if not self.is_ready() or self._busy:
            return
        login, password = self.login_edit.text(), self.password_edit.text()
        self.password_edit.clear()
        if not login.strip() or not password:
            self.sign_in_card.say("اكتب اسم الدخول وكلمة المرور", True)
            (self.password_edit if login.strip() else self.login_edit).setFocus()
            return
        previous, self._previous_password = self._previous_password, None
        if self._locked_identity is not None:
            self.sig_switching.emit()
        if previous is not None:  # the new password of an account changed on another desk
            self._run(self.sign_in_card,
                      lambda: self._workspace_now().sign_in_with_changed_password(login, previous, password),
                      "gate.sign_in_changed", self._sign_in_refused)
            return
        self._run(self.sign_in_card, lambda: self._workspace_now().sign_in_with_password(login, password),
                  "gate.sign_in",
                  lambda message, error: self._sign_in_refused(message, error, password))

    def _forget_previous_password(self, _text: str = "") -> None:
        """Another login typed: the password kept to ask for a changed one is dropped."""
        if self._previous_password is not None:
            self._previous_password = None
            self.sign_in_card.note.setText(SIGN_IN_NOTE)

    def _sign_in_refused(self, message: str, error: BaseException, password: str | None = None) -> None:
        """A refused sign-in: the password this desk knew for an account changed elsewhere asks for the new one."""
        from desktop.workspace import PasswordChangedElsewhere

        if isinstance(error, PasswordChangedElsewhere) and password is not None:
            self._previous_password = password
            self.sign_in_card.say(message, False)
            self.sign_in_card.note.setText("اكتب كلمة المرور الجديدة التي غيّرتها على الجهاز الآخر.")
        else:
            self.sign_in_card.note.setText(SIGN_IN_NOTE)
        self.password_edit.setFocus()

    def submit_pin(self) -> None:
        """Check the PIN at the lock; after five wrong ones the sign-in form asks for the password."""
        workspace = self._workspace
        identity = self._locked_identity
        if workspace is None or identity is None or self._busy:
            return
        pin = self.pin_edit.text()
        self.pin_edit.clear()

        def refused(_message: str, _error: BaseException) -> None:
            run_read(self, workspace.pin_unlock_allowed, self._pin_allowed, where="gate.pin_allowed")
            self.pin_edit.setFocus()

        self._run(self.lock_card, lambda: workspace.unlock_with_pin(pin), "gate.unlock", refused)

    def submit_first_administrator(self) -> None:
        """Create the first administrator from the form (the passwords must match) and sign them in."""
        if not self.is_ready() or self._busy:
            return
        password, again = self.first_password_edit.text(), self.first_again_edit.text()
        if password != again:
            self.first_again_edit.clear()
            self.first_card.say(PASSWORDS_DIFFER, True)
            self.first_again_edit.setFocus()
            return
        name, login, pin = self.first_name_edit.text(), self.first_login_edit.text(), self.first_pin_edit.text()

        def create() -> tuple[SessionIdentity, _RecoveryShown | None]:
            # One call: it encrypts the new desk too (the screen never touches keys); the key comes back once.
            workspace = self._workspace_now()
            identity = workspace.create_first_administrator(login, name, password, pin)
            recovery = workspace.take_recovery_key()
            if recovery is None:
                return identity, None
            profile = workspace.active_profile()
            return identity, (recovery, profile.association.name if profile is not None else "", identity.login)

        self._run_then(self.first_card, create, "gate.first_administrator")
        for edit in (self.first_password_edit, self.first_again_edit, self.first_pin_edit):
            edit.clear()

    def texts(self) -> list[Any]:
        """Every label's text on the gate (tests check no case data is shown)."""
        return [label.text() for label in self.findChildren(QLabel)]
