"""Staff accounts and the identity core of sign-in (issue 13, part 1). No Qt.

`StaffService` creates, changes, disables and enables accounts and sets their password and PIN; every one of
these is refused, with nothing written, unless the acting account (a `SessionIdentity` from a sign-in) is an
active administrator with a password, read again from the database at each call. Every change is an audit
event (entity ``app_user``) whose details never hold a password, a PIN or a hash.

Decisions recorded here:

* Passwords and PINs are hashed with Argon2id (argon2-cffi) at `DEFAULT_PARAMETERS`: 2 passes over 64 MiB,
  one lane — about 120 ms of CPU on the reference machine (`tests/benchmarks/staff_hash.py` measures it
  beside a SHA-256 of the same input). The parameters are in each hash string, so a hash made with older ones
  still verifies and is made again at the next successful sign-in.
* `verify_sign_in` refuses a wrong password, a disabled account, an account without a password and an
  unknown login with one message (`SIGN_IN_REFUSED`) that does not say which; an unknown login still costs
  one hash, so the time does not tell either. What was typed as a login is never stored nor logged (people
  type their password there).
* A PIN (4–6 digits) unlocks the idle lock of the account signed in at this desk. Five wrong PINs in a row
  and only the password opens it (`verify_pin`); the misses are counted per desk (`db.models.DeskSignIn`)
  and a successful password sign-in clears them. The idle period is the association's setting
  ``idle_lock_minutes`` (default 5), which an administrator changes.
* The last active administrator cannot be disabled nor lose the role: the association would be locked out.
* No default password exists: the first administrator is made once, by `create_first_administrator`
  (`mustafid-admin init`), with a password given by the person installing the desk.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AppUser, Association, DeskSetting, DeskSignIn, UserRole
from desktop.arabic_text import clean_text, to_latin_digits
from desktop.audit import desk_device_id, record_audit
from desktop.counting import ATTEMPTS, DIGITS, MINUTES, count_phrase, number_text
from desktop.errors import InputError
from desktop.keystore import SIGN_IN_REFUSED, DeskKeyring
from desktop.logbook import get_logger
from desktop.session_identity import PIN_MAX_LENGTH, PIN_MIN_LENGTH, SessionIdentity

__all__ = [
    "DEFAULT_IDLE_LOCK_MINUTES",
    "DEFAULT_PARAMETERS",
    "PIN_MAX_MISSES",
    "SIGN_IN_REFUSED",
    "AccountView",
    "HashParameters",
    "SessionIdentity",
    "StaffError",
    "StaffService",
    "count_accounts",
    "check_pin",
    "normalize_login",
]

_log = get_logger("staff")

#: The one answer to a refused sign-in: it never says whether the login, the password or the account was wrong.
NOT_ADMIN = "هذا الإجراء لمسؤول النظام وحده: لم يُحفظ شيء"
PIN_LOCKED = "أُدخل رمز الفتح خطأً خمس مرات: ادخل بكلمة المرور"
NO_PIN = "لم يُضبط رمز فتح لهذا الحساب: ادخل بكلمة المرور"
NO_ASSOCIATION = "لم تُعتمد سياسة الجمعية على هذا الجهاز بعد: اختر السياسة أولًا"

#: Wrong PINs in a row after which only the password opens the desk.
PIN_MAX_MISSES = 5
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256
DEFAULT_IDLE_LOCK_MINUTES = 5
IDLE_LOCK_RANGE = (1, 240)
IDLE_LOCK_KEY = "idle_lock_minutes"

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class StaffError(InputError):
    """An account action or a sign-in refused for a reason the person at the desk can read (Arabic)."""


@dataclass(frozen=True)
class HashParameters:
    """Argon2id's cost: passes, memory in KiB, lanes (the hash string records them)."""

    time_cost: int = 2
    memory_kib: int = 65536
    parallelism: int = 1

    def hasher(self) -> PasswordHasher:
        """An argon2-cffi hasher of Argon2id with these costs (16-byte salt, 32-byte hash)."""
        return PasswordHasher(time_cost=self.time_cost, memory_cost=self.memory_kib, parallelism=self.parallelism,
                              hash_len=32, salt_len=16, type=Type.ID)


#: Tuned so that one hash costs 100–250 ms on the association's desk PCs (see the module's docstring).
DEFAULT_PARAMETERS = HashParameters()


@dataclass(frozen=True, repr=False)
class AccountView:
    """One staff account as the settings screen and `mustafid-admin users list` show it (no hash)."""

    id: uuid.UUID
    login: str
    full_name: str
    roles: tuple[str, ...]
    branch: str | None
    active: bool
    has_password: bool
    has_pin: bool

    @property
    def roles_ar(self) -> str:
        """The roles in Arabic, separated by the Arabic comma."""
        return "، ".join(UserRole(r).label_ar if r in UserRole._value2member_map_ else r for r in self.roles)

    def __repr__(self) -> str:
        return f"AccountView(id={self.id.hex}, roles={self.roles!r}, active={self.active})"


def normalize_login(text: str) -> str:
    """The login as stored: trimmed, lower case, Latin digits; `StaffError` unless 2–64 of a-z 0-9 . _ -."""
    login = to_latin_digits(unicodedata.normalize("NFKC", text or "")).strip().casefold()
    if not _LOGIN.match(login):
        raise StaffError(
            "اسم الدخول من حرفين إلى 64 حرفًا: حروف لاتينية صغيرة وأرقام والنقطة والشرطة، يبدأ بحرف أو رقم",
            field="login",
        )
    return login


def _check_password(password: str, login: str) -> str:
    password = unicodedata.normalize("NFC", password or "")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise StaffError(f"كلمة المرور {PASSWORD_MIN_LENGTH} أحرف على الأقل", field="password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise StaffError(f"كلمة المرور {PASSWORD_MAX_LENGTH} حرفًا على الأكثر", field="password")
    if len(set(password)) == 1 or password.casefold() == login.casefold():
        raise StaffError("اختر كلمة مرور لا تكرر حرفًا واحدًا ولا تساوي اسم الدخول", field="password")
    return password


def _check_pin(pin: str) -> str:
    digits = to_latin_digits(pin or "").strip()
    if not digits.isdigit() or not PIN_MIN_LENGTH <= len(digits) <= PIN_MAX_LENGTH:
        raise StaffError(f"رمز الفتح من {number_text(PIN_MIN_LENGTH)} إلى {count_phrase(PIN_MAX_LENGTH, DIGITS)}",
                         field="pin")
    if len(set(digits)) == 1:
        raise StaffError("اختر رمز فتح لا تتكرر فيه خانة واحدة", field="pin")
    return digits


def check_pin(pin: str) -> str:
    """The PIN as stored (Latin digits); `StaffError` unless 4–6 digits, not all the same."""
    return _check_pin(pin)


def _check_roles(roles: Iterable[str]) -> list[str]:
    chosen: list[str] = []
    for role in roles:
        value = str(role).strip()
        if value not in UserRole._value2member_map_:
            known = "، ".join(r.value for r in UserRole)
            raise StaffError(f"الدور «{value}» غير معروف. الأدوار المقبولة: {known}", field="roles")
        if value not in chosen:
            chosen.append(value)
    if not chosen:
        raise StaffError("يحمل الحساب دورًا واحدًا على الأقل", field="roles")
    return chosen


def _clean_name(full_name: str) -> str:
    name = clean_text(full_name or "", max_length=200, field="full_name").replace("\n", " ")
    if not name:
        raise StaffError("الاسم الكامل مطلوب، كما يظهر في السجلات والخطابات", field="full_name")
    return name


def _clean_branch(branch: str | None) -> str | None:
    if branch is None:
        return None
    return clean_text(branch, max_length=80, field="branch").replace("\n", " ") or None


def _view(user: AppUser) -> AccountView:
    return AccountView(id=user.id, login=user.username, full_name=user.full_name, roles=user.role_list,
                       branch=user.branch, active=bool(user.active), has_password=user.password_hash is not None,
                       has_pin=user.pin_hash is not None)


def _identity(user: AppUser) -> SessionIdentity:
    return SessionIdentity(account_id=user.id, login=user.username, full_name=user.full_name, roles=user.role_list)


class StaffService:
    """Staff accounts, passwords and PINs, sign-in and the idle lock's period, over one desk database."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] | None = None,
                 parameters: HashParameters = DEFAULT_PARAMETERS, keyring: DeskKeyring | None = None) -> None:
        """`keyring`: the unlocked keys of an encrypted desk, rewrapped when a password is set (issue 14)."""
        self._db = db
        self._keyring = keyring
        self._clock = clock or (lambda: datetime.now(UTC))
        self._parameters = parameters
        self._hasher = parameters.hasher()
        self._dummy_hash: str | None = None

    # ------------------------------------------------------------------ hashing

    def hash_secret(self, secret: str) -> str:
        """The Argon2id hash string of a password or PIN (salted; the parameters are in the string)."""
        return self._hasher.hash(secret)

    def _matches(self, stored: str | None, secret: str) -> bool:
        """True when `secret` matches `stored`; with no stored hash a dummy one is verified (same time)."""
        if stored is None:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash(uuid.uuid4().hex)
            stored, known = self._dummy_hash, False
        else:
            known = True
        try:
            return self._hasher.verify(stored, secret) and known
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _rewrap(self, login: str, account_id: uuid.UUID, password: str) -> None:
        """On an encrypted desk: wrap its keys under this account's (new) password (after the change committed)."""
        if self._keyring is not None:
            self._keyring.wrap_for(login, account_id.hex, password)
            _log.info("desk keys wrapped for an account")

    # ------------------------------------------------------------------ reading

    def has_administrator(self) -> bool:
        """True when an active administrator with a password exists (the first run made one)."""
        with self._db.session(read_only=True) as session:
            return self._administrators(session) > 0

    def may_sign_in_with_a_password(self, login: str) -> bool:
        """True when `login` names a live, active account with a password (whatever that password is)."""
        try:
            key: str | None = normalize_login(login)
        except StaffError:
            return False
        with self._db.session(read_only=True) as session:
            user = self._find(session, login, key)
            return bool(user is not None and user.active and user.password_hash)

    def list_accounts(self, actor: SessionIdentity) -> list[AccountView]:
        """Every account not deleted, by login (administrators only)."""
        with self._db.session(read_only=True) as session:
            self._acting_admin(session, actor)
            users = session.scalars(select(AppUser).where(AppUser.deleted_at.is_(None)).order_by(AppUser.username))
            return [_view(user) for user in users]

    def account(self, actor: SessionIdentity, login: str) -> AccountView:
        """One account by its login (administrators only); `StaffError` when there is none."""
        with self._db.session(read_only=True) as session:
            self._acting_admin(session, actor)
            return _view(self._by_login(session, login))

    def idle_lock_minutes(self) -> int:
        """Minutes without input after which the desk locks (the association's setting; 5 by default)."""
        with self._db.session(read_only=True) as session:
            row = self._setting(session, IDLE_LOCK_KEY)
            minutes = row.value.get("minutes") if row is not None else None
        if isinstance(minutes, int) and IDLE_LOCK_RANGE[0] <= minutes <= IDLE_LOCK_RANGE[1]:
            return minutes
        return DEFAULT_IDLE_LOCK_MINUTES

    def pin_unlock_allowed(self, account_id: uuid.UUID) -> bool:
        """True when the account may unlock with its PIN at this desk (a PIN set, fewer than five misses)."""
        with self._db.session(read_only=True) as session:
            user = session.get(AppUser, account_id)
            state = session.get(DeskSignIn, account_id)
            misses = state.pin_misses if state is not None else 0
            return bool(user is not None and user.pin_hash and user.active and user.deleted_at is None
                        and misses < PIN_MAX_MISSES)

    # ------------------------------------------------------------------ sign-in and unlock

    def verify_sign_in(self, login: str, password: str) -> SessionIdentity:
        """The account signed in with this login and password; `StaffError(SIGN_IN_REFUSED)` otherwise."""
        try:
            key: str | None = normalize_login(login)
        except StaffError:
            key = None
        identity: SessionIdentity | None = None
        with self._db.session() as session:
            user = self._find(session, login, key) if key is not None else None
            stored = user.password_hash if user is not None else None
            matched = self._matches(stored, password or "")
            if user is None or not matched or not user.active:
                if user is not None:
                    self._audit(session, None, "sign_in_refused", user, {})
            else:
                if self._hasher.check_needs_rehash(user.password_hash or ""):
                    user.password_hash = self.hash_secret(password)
                self._clear_pin_misses(session, user.id)
                self._audit(session, user.id, "signed_in", user, {})
                identity = _identity(user)
        if identity is None:
            _log.info("sign-in refused")
            raise StaffError(SIGN_IN_REFUSED, field="password")
        if self._keyring is not None and not self._keyring.keystore.opens(identity.login, password):
            # An account made on another desk, or whose password was changed (or reset) there, signing in while
            # this desk is open: its password opens it from now on.
            self._rewrap(identity.login, identity.account_id, password)
        _log.info("signed in")
        return identity

    def verify_pin(self, account: SessionIdentity | uuid.UUID, pin: str) -> SessionIdentity:
        """Unlock the idle lock with the account's PIN; after five wrong PINs only the password opens it."""
        account_id = account.account_id if isinstance(account, SessionIdentity) else account
        message = SIGN_IN_REFUSED
        identity: SessionIdentity | None = None
        with self._db.session() as session:
            user = session.get(AppUser, account_id)
            state = session.get(DeskSignIn, account_id)
            if state is None:
                state = DeskSignIn(account_id=account_id, pin_misses=0)
                session.add(state)
            if user is None or user.deleted_at is not None or not user.active:
                message = SIGN_IN_REFUSED
            elif state.pin_misses >= PIN_MAX_MISSES:
                message = PIN_LOCKED
            elif user.pin_hash is None:
                message = NO_PIN
            elif self._matches(user.pin_hash, to_latin_digits(pin or "").strip()):
                state.pin_misses = 0
                identity = _identity(user)
                self._audit(session, user.id, "unlocked", user, {})
            else:
                state.pin_misses += 1
                left = PIN_MAX_MISSES - state.pin_misses
                message = (PIN_LOCKED if left <= 0
                           else f"رمز الفتح غير صحيح: بقيت {count_phrase(left, ATTEMPTS)} قبل أن تلزم كلمة المرور")
                if left <= 0:
                    self._audit(session, None, "pin_locked", user, {"misses": state.pin_misses})
        if identity is None:
            raise StaffError(message, field="pin")
        return identity

    # ------------------------------------------------------------------ the first administrator

    def create_first_administrator(self, login: str, full_name: str, password: str, *,
                                   branch: str | None = None) -> SessionIdentity:
        """The association's first administrator (first run); refused once an administrator exists."""
        key = normalize_login(login)
        name = _clean_name(full_name)
        secret = _check_password(password, key)
        hashed = self.hash_secret(secret)
        with self._db.session() as session:
            if self._administrators(session) > 0:
                raise StaffError("للجمعية مسؤول نظام بالفعل: يضيف هو الحسابات الأخرى", field="login")
            association = self._association(session)
            user = self._find(session, key, key)
            if user is None:
                user = AppUser(association_id=association.id, username=key, full_name=name,
                               roles=[UserRole.ADMIN.value], branch=_clean_branch(branch))
                session.add(user)
            else:  # an account without a password (a desk used before sign-in existed): it becomes the administrator
                user.full_name = name
                user.set_roles([UserRole.ADMIN.value, *[r for r in user.role_list if r != UserRole.ADMIN.value]])
                user.active = True
            user.password_hash = hashed
            user.device_id = desk_device_id(session)
            user.updated_by = user.id
            session.flush()
            self._audit(session, user.id, "first_administrator_created", user, {"roles": list(user.role_list)})
            self._retire_placeholders(session, user)
            identity = _identity(user)
        self._rewrap(identity.login, identity.account_id, secret)
        _log.info("first administrator created")
        return identity

    # ------------------------------------------------------------------ administrators' actions

    def create_account(self, actor: SessionIdentity, login: str, full_name: str, roles: Sequence[str], *,
                       branch: str | None = None, password: str | None = None) -> AccountView:
        """A new account (administrators only); with `password` it can sign in at once."""
        key = normalize_login(login)
        name = _clean_name(full_name)
        chosen = _check_roles(roles)
        hashed = self.hash_secret(_check_password(password, key)) if password is not None else None
        with self._db.session() as session:
            admin = self._acting_admin(session, actor)
            if self._find(session, login, key) is not None:
                raise StaffError(f"اسم الدخول {key} مستعمل لحساب آخر", field="login")
            user = AppUser(association_id=admin.association_id, username=key, full_name=name, roles=chosen,
                           branch=_clean_branch(branch), password_hash=hashed, active=True)
            self._stamp(session, user, actor)
            session.flush()
            self._audit(session, actor.account_id, "account_created", user,
                        {"roles": chosen, "password_set": hashed is not None})
            view = _view(user)
        if password is not None:
            self._rewrap(view.login, view.id, password)
        return view

    def update_account(self, actor: SessionIdentity, login: str, *, full_name: str | None = None,
                       roles: Sequence[str] | None = None, branch: str | None = None,
                       clear_branch: bool = False) -> AccountView:
        """Change an account's name, roles or branch (administrators only); the changed fields are audited."""
        name = _clean_name(full_name) if full_name is not None else None
        chosen = _check_roles(roles) if roles is not None else None
        place = _clean_branch(branch) if branch is not None else None
        with self._db.session() as session:
            self._acting_admin(session, actor)
            user = self._by_login(session, login)
            changed: dict[str, Any] = {}
            if name is not None and name != user.full_name:
                user.full_name = name
                changed["full_name"] = True
            if chosen is not None and list(user.role_list) != chosen:
                if UserRole.ADMIN.value in user.role_list and UserRole.ADMIN.value not in chosen:
                    self._refuse_last_admin(session, user)
                changed["roles_before"] = list(user.role_list)
                user.set_roles(chosen)
                changed["roles"] = chosen
            if (place is not None or clear_branch) and place != user.branch:
                user.branch = place
                changed["branch"] = True
            if changed:
                self._stamp(session, user, actor)
                self._audit(session, actor.account_id, "account_updated", user, changed)
            return _view(user)

    def set_active(self, actor: SessionIdentity, login: str, active: bool) -> AccountView:
        """Disable or enable an account (administrators only); the last active administrator stays active."""
        with self._db.session() as session:
            self._acting_admin(session, actor)
            user = self._by_login(session, login)
            if bool(user.active) != active:
                if not active and UserRole.ADMIN.value in user.role_list:
                    self._refuse_last_admin(session, user)
                user.active = active
                self._stamp(session, user, actor)
                self._audit(session, actor.account_id, "account_enabled" if active else "account_disabled", user, {})
            view = _view(user)
        if not active and self._keyring is not None:
            self._keyring.forget(view.login)  # its password no longer opens this desk's keys
        return view

    def disable_account(self, actor: SessionIdentity, login: str) -> AccountView:
        """Disable an account: it can no longer sign in nor unlock (administrators only)."""
        return self.set_active(actor, login, False)

    def enable_account(self, actor: SessionIdentity, login: str) -> AccountView:
        """Enable a disabled account again (administrators only)."""
        return self.set_active(actor, login, True)

    def set_password(self, actor: SessionIdentity, login: str, password: str) -> AccountView:
        """Give an account a new password (administrators only); its PIN misses on this desk are cleared."""
        with self._db.session(read_only=True) as session:
            self._acting_admin(session, actor)
            key = self._by_login(session, login).username
        hashed = self.hash_secret(_check_password(password, key))  # outside the write transaction: ~0.1 s
        with self._db.session() as session:
            self._acting_admin(session, actor)
            user = self._by_login(session, login)
            user.password_hash = hashed
            self._clear_pin_misses(session, user.id)
            self._stamp(session, user, actor)
            self._audit(session, actor.account_id, "password_set", user, {})
            view = _view(user)
        self._rewrap(view.login, view.id, password)
        return view

    def recover_administrator(self, login: str, password: str) -> SessionIdentity:
        """A new password for an administrator after the desk was opened with its recovery key (every password
        lost): only an active administrator's account, audited as a recovery, the keys rewrapped for it."""
        if self._keyring is None:
            raise StaffError("الاسترداد يلزمه فتح قاعدة البيانات بمفتاح الاسترداد أولًا", field="recovery_key")
        with self._db.session(read_only=True) as session:
            key = self._by_login(session, login).username
        hashed = self.hash_secret(_check_password(password, key))
        with self._db.session() as session:
            user = self._by_login(session, login)
            if UserRole.ADMIN.value not in user.role_list or not user.active:
                raise StaffError(NOT_ADMIN, field="login")
            user.password_hash = hashed
            self._clear_pin_misses(session, user.id)
            self._audit(session, user.id, "password_recovered", user, {})
            identity = _identity(user)
        self._rewrap(identity.login, identity.account_id, password)
        _log.info("an administrator's password set with the recovery key")
        return identity

    def set_pin(self, actor: SessionIdentity, login: str, pin: str) -> AccountView:
        """Give an account a PIN of 4–6 digits for the idle lock (administrators only)."""
        hashed = self.hash_secret(_check_pin(pin))
        with self._db.session() as session:
            self._acting_admin(session, actor)
            user = self._by_login(session, login)
            user.pin_hash = hashed
            self._clear_pin_misses(session, user.id)
            self._stamp(session, user, actor)
            self._audit(session, actor.account_id, "pin_set", user, {})
            return _view(user)

    def set_idle_lock_minutes(self, actor: SessionIdentity, minutes: int) -> int:
        """Set the association's idle-lock period in minutes (administrators only, 1–240)."""
        low, high = IDLE_LOCK_RANGE
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not low <= minutes <= high:
            raise StaffError(f"مدة القفل عند الخمول من {number_text(low)} إلى {count_phrase(high, MINUTES)}",
                             field="idle_lock")
        with self._db.session() as session:
            admin = self._acting_admin(session, actor)
            row = self._setting(session, IDLE_LOCK_KEY)
            if row is None:
                row = DeskSetting(key=IDLE_LOCK_KEY, value={"minutes": minutes})
            else:
                row.value = {"minutes": minutes}
            self._stamp(session, row, actor)
            record_audit(session, association_id=admin.association_id, actor_id=actor.account_id,
                         action="idle_lock_set", entity="desk_setting", entity_id=row.id,
                         at=self._now(), details={"minutes": minutes}, device_id=desk_device_id(session))
        return minutes

    # ------------------------------------------------------------------ helpers

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    @staticmethod
    def _find(session: Session, typed: str, key: str | None) -> AppUser | None:
        """The live account of a login (as normalised, or as stored by a desk before sign-in existed)."""
        names = {n for n in ((typed or "").strip(), key) if n}
        return session.scalars(
            select(AppUser).where(AppUser.username.in_(names), AppUser.deleted_at.is_(None))
            .order_by(AppUser.username != key)
        ).first()

    def _by_login(self, session: Session, login: str) -> AppUser:
        try:
            key: str | None = normalize_login(login)
        except StaffError:
            key = None
        user = self._find(session, login, key)
        if user is None:
            raise StaffError("لا يوجد حساب بهذا الاسم للدخول: أضفه أولًا", field="login")
        return user

    def _retire_placeholders(self, session: Session, administrator: AppUser) -> None:
        """The accounts a desk made before sign-in existed (the OS login's, without a password) lose the
        administrator role once a real administrator exists: they no longer stand in the accounts list as a second
        administrator (nobody can sign in as them: no password). They stay active, so the changes made under them
        before sign-in still sync under their name (the server refuses a disabled author)."""
        query = select(AppUser).where(AppUser.deleted_at.is_(None), AppUser.password_hash.is_(None),
                                      AppUser.id != administrator.id)
        for placeholder in session.scalars(query):
            if UserRole.ADMIN.value not in placeholder.role_list:
                continue
            placeholder.set_roles([UserRole.OFFICER.value])
            placeholder.updated_by = administrator.id
            self._audit(session, administrator.id, "placeholder_account_demoted", placeholder,
                        {"reason": "no password: made before sign-in existed"})

    @staticmethod
    def _administrators(session: Session, *, excluding: uuid.UUID | None = None) -> int:
        """Active administrators with a password (JSON roles searched in Python: a few hundred accounts)."""
        query = select(AppUser).where(AppUser.deleted_at.is_(None), AppUser.active.is_(True),
                                      AppUser.password_hash.is_not(None))
        if excluding is not None:
            query = query.where(AppUser.id != excluding)
        return sum(1 for user in session.scalars(query) if UserRole.ADMIN.value in user.role_list)

    def _refuse_last_admin(self, session: Session, user: AppUser) -> None:
        if self._administrators(session, excluding=user.id) == 0:
            raise StaffError("هذا آخر مسؤول نظام نشط: أضف مسؤولًا آخر قبل إيقافه أو تغيير دوره", field="login")

    @staticmethod
    def _acting_admin(session: Session, actor: SessionIdentity) -> AppUser:
        """The acting account, read again: active, with a password, holding the administrator role."""
        user = session.get(AppUser, actor.account_id)
        if (user is None or user.deleted_at is not None or not user.active or user.password_hash is None
                or UserRole.ADMIN.value not in user.role_list):
            _log.info("account action refused: not an administrator")
            raise StaffError(NOT_ADMIN, field="actor")
        return user

    def _association(self, session: Session) -> Association:
        association = session.scalars(
            select(Association).where(Association.deleted_at.is_(None)).order_by(Association.created_at).limit(1)
        ).first()
        if association is None:
            raise StaffError(NO_ASSOCIATION, field="policy")
        return association

    @staticmethod
    def _setting(session: Session, key: str) -> DeskSetting | None:
        return session.scalars(
            select(DeskSetting).where(DeskSetting.key == key, DeskSetting.deleted_at.is_(None))
        ).first()

    @staticmethod
    def _clear_pin_misses(session: Session, account_id: uuid.UUID) -> None:
        state = session.get(DeskSignIn, account_id)
        if state is not None and state.pin_misses:
            state.pin_misses = 0

    def _stamp(self, session: Session, row: Any, actor: SessionIdentity) -> None:
        row.device_id = desk_device_id(session)
        row.updated_by = actor.account_id
        session.add(row)

    def _audit(self, session: Session, actor_id: uuid.UUID | None, action: str, user: AppUser,
               details: Mapping[str, Any]) -> None:
        """An audit event on an account: its login and what changed; never a password, PIN or hash."""
        _log.debug("audit %s on app_user", action)
        record_audit(session, association_id=user.association_id, actor_id=actor_id, action=action,
                     entity="app_user", entity_id=user.id, at=self._now(),
                     details={"login": user.username, **details}, device_id=desk_device_id(session))


def count_accounts(views: Sequence[AccountView]) -> tuple[int, int]:
    """(active, disabled) among `views`."""
    active = sum(1 for view in views if view.active)
    return active, len(views) - active

