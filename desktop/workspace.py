"""The officer's workspace: the data directory, its database, the adopted policy and the current officer.

An encrypted desk (a keystore beside the database, `desktop.keystore`) opens locked: nothing is read until
`Workspace.sign_in_with_password` unwraps the keys with that person's password and opens the database; the
keys stay in memory through the idle lock (`unlock_with_pin`) and are dropped by `sign_out`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import platform
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.engine import (
    HEAD_REVISION,
    Database,
    DatabaseDamagedError,
    DatabaseError,
    DatabaseLockedError,
    is_encrypted_file,
)
from db.models import AppUser, Association, DeskSetting, Device, PolicyVersion, UserRole
from desktop import arabic_text
from desktop.arabic_text import DigitStyle
from desktop.attachments import AttachmentStore, remove_readable_copies
from desktop.audit import record_audit
from desktop.errors import InputError
from desktop.gate_facts import ENCRYPT_ENV, encrypt_on_first_run
from desktop.keystore import DeskKeyring, DeskKeys, KdfCost, Keystore
from desktop.logbook import get_logger
from desktop.permissions import Action, acting_roles, require
from desktop.session_identity import SessionIdentity
from desktop.staff import (
    DEFAULT_PARAMETERS,
    SIGN_IN_REFUSED,
    HashParameters,
    StaffError,
    StaffService,
    check_pin,
    normalize_login,
)
from desktop.startup import DATABASE_FILE, DeskSnapshot, default_data_dir, write_snapshot

if TYPE_CHECKING:  # the policy schema (pydantic) is imported when a policy is read, not to open the desk
    from desktop.encryption_core import Progress
    from desktop.policy import PolicyProfile, ProfileError

__all__ = ["DATABASE_FILE", "ENCRYPT_ENV", "ConnectionState", "DeskState", "EncryptionState", "PLAINTEXT_DESK",
           "PasswordChangedElsewhere", "Workspace", "WorkspaceError", "default_data_dir", "encrypt_on_first_run"]

#: The `desk_setting` row holding the association's digit style: {"style": "arabic" | "latin"}.
DIGIT_STYLE_KEY = "digit_style"

_log = get_logger("workspace")

#: Said at sign-in when the password typed is the one this desk knew, and the account's was changed elsewhere.
PASSWORD_CHANGED_ELSEWHERE = ("تغيّرت كلمة مرور هذا الحساب على جهاز آخر: اكتب كلمة المرور الجديدة، "
                              "فتُعتمد على هذا الجهاز من الآن")
NEW_PASSWORD_REFUSED = "كلمة المرور الجديدة غير صحيحة: اكتبها كما غيّرتها على الجهاز الآخر، أو راجع مسؤول النظام"
#: Where `desktop.encryption_core` replaces the plaintext: a stop asked before it leaves the desk as it was.
SWAP_FRACTION = 0.85
OPTED_OUT = f"أُنشئ هذا المكتب دون تشفير (المتغير {arabic_text.ltr(ENCRYPT_ENV + '=0')})"
PLAINTEXT_DESK = "قاعدة البيانات والمرفقات على هذا الجهاز غير مشفّرة"


class WorkspaceError(Exception):
    """The workspace cannot be opened or changed; `message_ar` says why, for the officer.

    When the database is damaged, `restore_from` is the latest backup to offer restoring (None when there is
    none); when another program holds it, `retry` is true (the desk offers to try again).
    """

    def __init__(self, message_ar: str, *, restore_from: Path | None = None, retry: bool = False) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar
        self.restore_from = restore_from
        self.retry = retry


class PasswordChangedElsewhere(StaffError):
    """The password typed opens this desk's keys but the account's password was changed on another desk: the
    gate asks for the new one (`Workspace.sign_in_with_changed_password`)."""


class ConnectionState(StrEnum):
    """Whether this PC reaches the association's sync server."""

    NOT_CONFIGURED = "not_configured"
    OFFLINE = "offline"
    ONLINE = "online"

    @property
    def label_ar(self) -> str:
        """How the status bar says it."""
        return {
            ConnectionState.NOT_CONFIGURED: "غير متصل — لم يُضبط خادم المزامنة بعد",
            ConnectionState.OFFLINE: "غير متصل بالخادم",
            ConnectionState.ONLINE: "متصل بالخادم",
        }[self]


@dataclass(frozen=True, slots=True)
class DeskState:
    """What the main window shows about the desk, read together off the GUI thread (`Workspace.desk_state`)."""

    profile: PolicyProfile | None
    officer_name: str
    connection: ConnectionState
    #: True once the association has an administrator who can sign in (else the desk asks for the first one).
    has_administrator: bool = True
    #: True for an encrypted desk nobody has opened yet: nothing is known before sign-in (read it again after).
    locked: bool = False


@dataclass(frozen=True, slots=True)
class EncryptionState:
    """Whether this desk is encrypted, for the administrator's settings (`Workspace.encryption_state`).

    `available` is False when SQLCipher is not installed here (the desk then stays plaintext); `reason_ar`
    says in Arabic why a plaintext desk is plaintext ("" on an encrypted one)."""

    encrypted: bool
    available: bool
    reason_ar: str


class Workspace:
    """One PC's working state: data directory, local database, adopted policy and officer.

    The desk reaches the accounts only through `sign_in_with_password`, `sign_in_with_changed_password`,
    `unlock_with_pin`, `create_first_administrator` and `sign_out`: the one place that will also unlock an
    encrypted database (and encrypt a new one, `encrypt` a plaintext one).
    """

    #: Argon2id's cost for the passwords and PINs checked here (the tests set cheap ones).
    hash_parameters: HashParameters = DEFAULT_PARAMETERS

    def __init__(self, data_dir: Path, db: Database, keystore: Keystore | None = None) -> None:
        """A workspace over an opened database (use `Workspace.open`); `keystore` when the desk is encrypted."""
        self.data_dir = data_dir
        self.db = db
        self.keystore = keystore
        #: Argon2id's cost for passwords and for the keystore's wraps (the tests lower it).
        self.hash_parameters: HashParameters = DEFAULT_PARAMETERS
        self._keyring: DeskKeyring | None = None
        #: The attachment store of this desk: files sealed with the attachment key on an encrypted desk (asked
        #: for at each use, so a sign-out drops it). An attribute: the services take it on the GUI thread.
        self.attachments = AttachmentStore(data_dir, key=self._attachment_key if keystore is not None else None)
        self._profile: PolicyProfile | None = None
        self._profile_loaded = False
        self._signed_in: SessionIdentity | None = None
        self._recovery_key: str | None = None
        self._plaintext_reason = ""

    @classmethod
    def open(cls, data_dir: Path | None = None) -> Workspace:
        """Open (creating on first use) the data directory and its database, migrated to this version.

        An encrypted desk is opened locked (`is_locked`): its database is migrated and read once a member of
        staff signs in (`sign_in_with_password`).
        """
        directory = Path(data_dir) if data_dir is not None else default_data_dir()
        try:
            keystore = Keystore.load(directory)
        except InputError as exc:  # KeystoreError: unreadable or damaged
            raise WorkspaceError(f"{exc.message_ar}\n({directory})") from exc
        database = directory / DATABASE_FILE
        if keystore is not None and database.is_file() and database.stat().st_size > 0 \
                and not is_encrypted_file(database):
            _log.warning("a keystore beside a plaintext database: an encryption was interrupted")
            raise WorkspaceError("توقف تشفير قاعدة البيانات قبل أن يكتمل، والبيانات سليمة غير مشفّرة: "
                                 f"أعد الأمر mustafid-admin encrypt\n({directory})")
        try:
            db = Database.open(database, encrypted=keystore is not None)
            if keystore is None:
                db.upgrade()
        except DatabaseDamagedError as exc:
            _log.warning("database not opened: %s", type(exc).__name__)
            raise damaged_refusal(exc, directory) from exc
        except DatabaseLockedError as exc:
            _log.warning("database not opened: locked by another program")
            raise WorkspaceError(exc.message_ar, retry=True) from exc
        except DatabaseError as exc:
            _log.warning("database not opened: %s", type(exc).__name__)
            raise WorkspaceError(f"{exc.message_ar}\n({directory})") from exc
        if keystore is None:
            _refuse_closed(db, directory)
        workspace = cls(directory, db, keystore)
        if keystore is None:
            _log.info("database opened (schema %s)", HEAD_REVISION)
            arabic_text.set_digit_style(workspace.digit_style())
        else:
            _log.info("encrypted database found: locked until a sign-in")
        return workspace

    def close(self) -> None:
        """Release the database (and remove the decrypted copies of stored files made for a viewer)."""
        self.db.close()
        remove_readable_copies()

    # ------------------------------------------------------------------ keys (issue 14)

    @property
    def is_encrypted(self) -> bool:
        """True when this desk's database is SQLCipher with a keystore beside it."""
        return self.keystore is not None

    @property
    def is_locked(self) -> bool:
        """True while the database is encrypted and nobody has opened it with a password since the start or sign-out."""
        return not self.db.is_unlocked

    @property
    def keyring(self) -> DeskKeyring | None:
        """The unlocked keys with their keystore (None on a plaintext or a locked desk)."""
        return self._keyring

    def kdf_cost(self) -> KdfCost:
        """The keystore's Argon2id cost: the same as the passwords' (`hash_parameters`)."""
        parameters = self.hash_parameters
        return KdfCost(parameters.time_cost, parameters.memory_kib, parameters.parallelism)

    def open_with_keys(self, keys: DeskKeys) -> None:
        """Open the encrypted database with its keys (checked: `WorkspaceError` when they do not open it)."""
        if self.keystore is None:
            raise WorkspaceError("قاعدة البيانات هذه غير مشفّرة: لا مفاتيح لفتحها")
        try:
            self.db.unlock(keys.database)
            self.db.upgrade()
        except DatabaseError as exc:
            self.db.lock()
            _log.warning("encrypted database not opened: %s", type(exc).__name__)
            raise WorkspaceError(f"{exc.message_ar}\n({self.data_dir})") from exc
        try:
            _refuse_closed(self.db, self.data_dir, close=False)
        except WorkspaceError:
            self.db.lock()
            raise
        self._keyring = DeskKeyring(self.keystore, keys, self.kdf_cost())
        _log.info("encrypted database opened (schema %s)", HEAD_REVISION)
        arabic_text.set_digit_style(self.digit_style())
        self.save_snapshot()  # the next start shows its window at once, before the database can be opened

    def open_with_recovery_key(self, recovery_key: str) -> None:
        """Open the encrypted database with the recovery key printed at setup (every password lost)."""
        if self.keystore is None:
            raise WorkspaceError("قاعدة البيانات هذه غير مشفّرة: لا يلزمها مفتاح الاسترداد")
        self.open_with_keys(self.keystore.unlock_with_recovery(recovery_key))
        _log.info("desk opened with the recovery key")

    def _attachment_key(self) -> bytes | None:
        """The attachment key while the desk is unlocked (the store asks at each use: sign-out drops it)."""
        return self._keyring.keys.attachments if self._keyring is not None else None

    # ------------------------------------------------------------------ policy

    def available_profiles(self) -> list[PolicyProfile]:
        """The built-in policy profiles shipped with the application (the five seed associations)."""
        from desktop.policy import load_builtin_profiles

        return load_builtin_profiles()

    @property
    def loaded_profile(self) -> PolicyProfile | None:
        """The active policy when it has already been read, else None; never touches the database."""
        return self._profile if self._profile_loaded else None

    def desk_state(self) -> DeskState:
        """The active policy, the officer's name and the connection state, read in one go (a worker's call).

        An encrypted desk still locked answers `locked` (its keystore proves it has staff who can sign in)."""
        if self.is_locked:
            return DeskState(None, "", ConnectionState.NOT_CONFIGURED, has_administrator=True, locked=True)
        return DeskState(self.active_profile(), self.officer_name(), self.connection_state(),
                         self.staff().has_administrator())

    def active_profile(self) -> PolicyProfile | None:
        """The policy version adopted most recently on this PC, or None before the first adoption."""
        if not self._profile_loaded:
            with self.db.session() as session:
                row = session.execute(
                    select(PolicyVersion.source_text, PolicyVersion.profile_id, PolicyVersion.version_label)
                    .where(PolicyVersion.deleted_at.is_(None))
                    .order_by(PolicyVersion.adopted_at.desc(), PolicyVersion.id.desc())
                    .limit(1)
                ).first()
            if row is not None:
                from desktop.policy import load_profile_text

                self._profile = load_profile_text(
                    row.source_text, source=f"{row.profile_id} (الإصدار {row.version_label})"
                )
            self._profile_loaded = True
        return self._profile

    def adopt_builtin_profile(self, profile_id: str) -> PolicyProfile:
        """Adopt one of the built-in profiles by its id."""
        from desktop.policy import load_builtin_profile

        return self._adopt(load_builtin_profile(profile_id))

    def import_profile(self, path: Path) -> PolicyProfile:
        """Validate a profile file and adopt it; raises ProfileError with every problem and adopts nothing."""
        from desktop.policy import load_profile

        return self._adopt(load_profile(Path(path)))

    def _adopt(self, profile: PolicyProfile) -> PolicyProfile:
        """Record the association and this policy version (idempotent for an identical version)."""
        now = dt.datetime.now(dt.UTC)
        with self.db.session() as session:
            association = session.scalars(
                select(Association).where(Association.deleted_at.is_(None)).limit(1)
            ).first()
            if association is not None and association.profile_id != profile.id:
                raise _profile_problem(
                    profile,
                    "id",
                    f"قاعدة البيانات هذه لجمعية أخرى ({association.name}); "
                    "لا يمكن اعتماد سياسة جمعية مختلفة فيها. استخدم مجلد بيانات آخر.",
                )
            first_adoption = association is None
            if association is None:
                association = Association(
                    name=profile.association.name,
                    licence_number=profile.association.licence,
                    city=profile.association.city,
                    profile_id=profile.id,
                )
                session.add(association)
                session.flush()
                self._create_local_device_and_officer(session, association.id, now)
            else:
                association.name = profile.association.name
                association.licence_number = profile.association.licence
                association.city = profile.association.city
            existing = session.scalars(
                select(PolicyVersion).where(
                    PolicyVersion.association_id == association.id,
                    PolicyVersion.profile_id == profile.id,
                    PolicyVersion.version_label == profile.version,
                )
            ).first()
            if existing is not None and existing.content_hash != profile.content_hash:
                raise _profile_problem(
                    profile,
                    "version",
                    f"الإصدار «{profile.version}» معتمد من قبل بنص مختلف؛ "
                    "غيّر رقم الإصدار في الملف قبل استيراد سياسة معدّلة.",
                )
            if existing is None:
                if not first_adoption:  # a new version; the first comes before any account exists
                    require(acting_roles(session, self._signed_in), Action.POLICY_IMPORT)
                approval = profile.approval
                session.add(
                    PolicyVersion(
                        association_id=association.id,
                        profile_id=profile.id,
                        version_label=profile.version,
                        content_hash=profile.content_hash,
                        source_text=profile.source_text,
                        approved_meeting=approval.meeting if approval else None,
                        approved_on=approval.date_gregorian if approval else None,
                        approved_on_hijri=approval.date_hijri if approval else None,
                        adopted_at=now,
                    )
                )
            else:
                existing.adopted_at = now
        from desktop.policy import load_profile_text

        self._profile = load_profile_text(profile.source_text, source=profile.id)
        self._profile_loaded = True
        # The version label is a Hijri date that the redaction would hide: the content hash names it instead.
        _log.info("policy adopted: %s (sha256 %s)", profile.id, profile.content_hash[:12])
        self.save_snapshot()
        return self._profile

    def save_snapshot(self) -> DeskSnapshot | None:
        """Save what the first screen shows next time (association, policy version); None before adoption, and
        on an encrypted desk still locked (nothing can be read before a sign-in: `open_with_keys` saves it)."""
        if self.is_locked:
            return None
        profile = self.active_profile()
        if profile is None:
            return None
        snapshot = DeskSnapshot(
            association_name=profile.association.name,
            profile_id=profile.id,
            policy_version=profile.version,
        )
        try:
            write_snapshot(self.data_dir, snapshot)
        except OSError:
            pass  # only a start-up shortcut: without it the next start opens the database first
        return snapshot

    @staticmethod
    def _create_local_device_and_officer(session: Session, association_id: uuid.UUID, now: dt.datetime) -> None:
        """First adoption on this PC: register the PC as a device and its OS user as the officer."""
        username = os_username()
        session.add(
            Device(
                association_id=association_id,
                name=platform.node() or "PC",
                branch=None,
                case_number_prefix=secrets.token_hex(2).upper(),
                enrolled_at=now,
            )
        )
        session.add(
            AppUser(
                association_id=association_id,
                username=username,
                full_name=username,
                role=UserRole.ADMIN.value,
            )
        )

    # ------------------------------------------------------------------ settings

    def digit_style(self) -> DigitStyle:
        """The association's digit style as stored (Arabic-Indic when never chosen)."""
        with self.db.session(read_only=True) as session:
            value = session.scalar(
                select(DeskSetting.value).where(DeskSetting.key == DIGIT_STYLE_KEY, DeskSetting.deleted_at.is_(None))
            )
        style = value.get("style") if isinstance(value, dict) else None
        return DigitStyle(style) if style in set(DigitStyle) else DigitStyle.ARABIC

    def set_digit_style(self, style: DigitStyle | str) -> DigitStyle:
        """Store the digit style of every number shown and printed, and apply it to this process at once.

        Kept with the association's settings (`desk_setting`, synced): every PC of the association, and every
        document they print, writes numbers the same way. Audited.
        """
        try:
            chosen = DigitStyle(style)
        except ValueError:
            raise WorkspaceError("نمط الأرقام غير معروف: اختر الأرقام العربية المشرقية أو اللاتينية") from None
        now = dt.datetime.now(dt.UTC)
        with self.db.session() as session:
            require(acting_roles(session, self._signed_in), Action.ACCOUNTS_SETTINGS)
            officer_id = self.acting_account_id(session)
            row = session.scalars(
                select(DeskSetting).where(DeskSetting.key == DIGIT_STYLE_KEY, DeskSetting.deleted_at.is_(None))
            ).first()
            if row is None:
                session.add(DeskSetting(key=DIGIT_STYLE_KEY, value={"style": chosen.value}, updated_by=officer_id))
            elif row.value.get("style") != chosen.value:
                row.value = {"style": chosen.value}
                row.updated_by = officer_id
            else:
                return arabic_text.set_digit_style(chosen)
            association = session.scalars(select(Association.id).where(Association.deleted_at.is_(None)).limit(1)).first()
            record_audit(
                session,
                action="digit_style_set",
                entity="desk_setting",
                entity_id=None,
                actor_id=officer_id,
                association_id=association,
                details={"style": chosen.value},
                at=now,
            )
        _log.info("digit style set: %s", chosen.value)
        return arabic_text.set_digit_style(chosen)

    # ------------------------------------------------------------------ people and connection

    @property
    def signed_in(self) -> SessionIdentity | None:
        """The account signed in at this desk, or None (nobody yet, or signed out).

        The desk's window signs in before it shows any case; with nobody signed in (the command line, a
        script) the services act as the OS login's account (see `desktop.casework.CaseWork`).
        """
        return self._signed_in

    def staff(self) -> StaffService:
        """The accounts service over this desk's database (at this workspace's Argon2 cost, with its keys)."""
        return StaffService(self.db, parameters=self.hash_parameters, keyring=self._keyring)

    def sign_in(self, identity: SessionIdentity) -> None:
        """Make `identity` the person at this desk: every service stamps, audits and prints under it."""
        self._signed_in = identity

    def sign_in_with_password(self, login: str, password: str) -> SessionIdentity:
        """The one password check of the desk: open its keys (encrypted desk), verify, sign the account in.

        On a locked encrypted desk the password first unwraps the keys from the keystore (offline, before the
        database is open) and the database is opened with them; then `StaffService.verify_sign_in` checks the
        account (active, audited). Refused with `desktop.staff.StaffError`'s one Arabic sentence (which of
        login or password was wrong is not said). The password is neither kept nor logged.
        """
        was_locked = self.keystore is not None and self._keyring is None
        if self.keystore is not None and self._keyring is None:
            try:
                keys = self.keystore.unlock(_keystore_login(login), password)
            except InputError:
                _log.info("sign-in refused (the keystore)")
                raise StaffError(SIGN_IN_REFUSED, field="password") from None
            self.open_with_keys(keys)
        # Just unlocked by this very password: its wrap is known good (no second Argon2 derivation to check it).
        staff = StaffService(self.db, parameters=self.hash_parameters, keyring=None) if was_locked else self.staff()
        try:
            identity = staff.verify_sign_in(login, password)
        except StaffError:
            changed = self._changed_elsewhere(login, password)
            if was_locked and self._signed_in is None:
                self._drop_keys()  # nobody signed in: the keys opened by this password go again
            if changed:
                _log.info("sign-in with the password this desk knows: the account's password changed elsewhere")
                raise PasswordChangedElsewhere(PASSWORD_CHANGED_ELSEWHERE, field="new_password") from None
            raise
        self.sign_in(identity)
        return identity

    def _changed_elsewhere(self, login: str, password: str) -> bool:
        """True when `password` still opens this desk's keystore entry for `login` but no longer signs the account
        in: its password was changed (or reset by an administrator) on another desk and synced here."""
        keystore = self.keystore
        if keystore is None or self._keyring is None or not keystore.opens(_keystore_login(login), password):
            return False
        return self.staff().may_sign_in_with_a_password(login)

    def sign_in_with_changed_password(self, login: str, previous: str, new: str) -> SessionIdentity:
        """Sign in after a password change made on another desk (`PasswordChangedElsewhere`): `previous` (the
        password this desk's keystore knows) opens the keys, `new` is checked against the account's synced hash,
        and the keys are wrapped again under `new` (the previous one no longer opens this desk)."""
        keystore = self.keystore
        if keystore is None:
            return self.sign_in_with_password(login, new)
        was_locked = self._keyring is None
        try:
            keys = keystore.unlock(_keystore_login(login), previous)
        except InputError:
            _log.info("sign-in refused (the keystore)")
            raise StaffError(SIGN_IN_REFUSED, field="password") from None
        if was_locked:
            self.open_with_keys(keys)
        try:
            identity = self.staff().verify_sign_in(login, new)
        except StaffError:
            if was_locked and self._signed_in is None:
                self._drop_keys()
            raise StaffError(NEW_PASSWORD_REFUSED, field="new_password") from None
        DeskKeyring(keystore, keys, self.kdf_cost()).wrap_for(identity.login, identity.account_id.hex, new)
        _log.info("desk keys wrapped again under a password changed on another desk")
        self.sign_in(identity)
        return identity

    def _drop_keys(self) -> None:
        """Forget the keys and close the encrypted database (nobody is signed in)."""
        self._keyring = None
        self.db.lock()

    def unlock_with_pin(self, pin: str) -> SessionIdentity:
        """Open the idle lock of the account signed in here with its PIN (five misses: the password only; the
        keys of an encrypted desk stayed in memory)."""
        current = self._signed_in
        if current is None or self.is_locked:
            raise StaffError("لم يدخل أحد على هذا الجهاز: ادخل بكلمة المرور", field="pin")
        identity = self.staff().verify_pin(current, pin)
        self.sign_in(identity)
        return identity

    def pin_unlock_allowed(self) -> bool:
        """True when the account signed in here may open the idle lock with its PIN."""
        current = self._signed_in
        return current is not None and self.staff().pin_unlock_allowed(current.account_id)

    def create_first_administrator(self, login: str, full_name: str, password: str, pin: str) -> SessionIdentity:
        """First run: the association's first administrator (with a PIN for the idle lock), signed in at once.

        The new desk is then encrypted for that administrator (issue 14): its recovery key waits in memory for
        `take_recovery_key`, to be shown once. It stays plaintext, saying why in `encryption_state`, under
        ``MUSTAFID_ENCRYPT=0`` or without SQLCipher on this PC."""
        check_pin(pin)  # refused before anything is written
        staff = self.staff()
        identity = staff.create_first_administrator(login, full_name, password)
        staff.set_pin(identity, identity.login, pin)
        self.sign_in(identity)
        if self.keystore is None:
            from desktop.encryption_core import NO_SQLCIPHER, encryption_available

            if not encrypt_on_first_run():
                self._plaintext_reason = OPTED_OUT
                _log.info("first administrator made: the desk left plaintext (%s=0)", ENCRYPT_ENV)
            elif not encryption_available():
                self._plaintext_reason = NO_SQLCIPHER
                _log.warning("first administrator made: SQLCipher missing, the desk stays plaintext")
            else:
                self._encrypt_for(identity, password, None)
        return identity

    # ------------------------------------------------------------------ encrypting this desk (issue 14)

    def encryption_state(self) -> EncryptionState:
        """Whether this desk is encrypted, and why not (the settings' encryption box reads it)."""
        from desktop.encryption_core import NO_SQLCIPHER, encryption_available

        if self.keystore is not None:
            return EncryptionState(True, True, "")
        available = encryption_available()
        reason = NO_SQLCIPHER if not available else (self._plaintext_reason or PLAINTEXT_DESK)
        return EncryptionState(False, available, reason)

    def encrypt(self, password: str, progress: Progress | None = None,
                should_stop: Callable[[], bool] | None = None) -> str:
        """Encrypt this plaintext desk in place for the administrator signed in here, who confirms with their
        password; they stay signed in on the encrypted desk. Returns the recovery key (show it once).

        `progress(fraction, stage_ar)` is called from this (worker) thread. A failure leaves the plaintext desk
        as it was and raises `desktop.encryption_core.EncryptionError` (Arabic); so does `should_stop()` turning true
        before the plaintext is replaced (the screen's «أوقف التشفير»: `EncryptionStopped`)."""
        from desktop.encryption_core import EncryptionError, EncryptionStopped

        identity = self._signed_in
        if self.keystore is not None:
            raise EncryptionError("قاعدة البيانات هذه مشفّرة بالفعل", field="data_dir")
        if identity is None:
            raise StaffError("ادخل بحساب مسؤول النظام أولًا", field="login")
        require(self._roles_now(), Action.ACCOUNTS_SETTINGS)
        confirmed = self.staff().verify_sign_in(identity.login, password)
        if confirmed.account_id != identity.account_id:
            raise StaffError(SIGN_IN_REFUSED, field="password")
        def stoppable(fraction: float, stage: str) -> None:
            """The progress, and a stop asked for before the swap (after it the encryption must finish)."""
            if fraction < SWAP_FRACTION and should_stop is not None and should_stop():
                raise EncryptionStopped()
            if progress is not None:
                progress(fraction, stage)

        watched = progress if should_stop is None else stoppable
        try:
            self._encrypt_for(confirmed, password, watched)
        except EncryptionError:
            if should_stop is not None and should_stop() and self.keystore is None:
                raise EncryptionStopped() from None
            raise
        recovery = self.take_recovery_key()
        assert recovery is not None
        return recovery

    def _roles_now(self) -> tuple[str, ...] | None:
        with self.db.session(read_only=True) as session:
            return acting_roles(session, self._signed_in)

    def _encrypt_for(self, identity: SessionIdentity, password: str, progress: Progress | None) -> None:
        """Encrypt the plaintext database in place (closed meanwhile), then open it with the new keys."""
        from desktop.encryption_core import encrypt_closed_desk

        with self.db.closed_for_maintenance():
            _result, keys, keystore = encrypt_closed_desk(self.data_dir, identity.login, identity.account_id.hex,
                                                          password, cost=self.kdf_cost(), progress=progress)
            self.db.unlock(keys.database)
        self.keystore = keystore
        self._keyring = DeskKeyring(keystore, keys, self.kdf_cost())
        self.attachments.use_key(self._attachment_key)
        self._recovery_key = _result.recovery_key
        self._plaintext_reason = ""
        _log.info("desk encrypted for the administrator signed in")

    def take_recovery_key(self) -> str | None:
        """The recovery key of the encryption just done, once (then forgotten: it is shown once, never kept)."""
        recovery, self._recovery_key = self._recovery_key, None
        return recovery

    def idle_lock_minutes(self) -> int:
        """The association's idle-lock period in minutes."""
        return self.staff().idle_lock_minutes()

    def sign_out(self) -> None:
        """Nobody is signed in any more (the window shows the sign-in screen); on an encrypted desk the keys are
        dropped and the database closed."""
        self._signed_in = None
        if self.keystore is not None:
            self._keyring = None
            self.db.lock()
            remove_readable_copies()
            _log.info("signed out: desk keys dropped")

    def legacy_account(self, session: Session) -> AppUser | None:
        """The account a desk without sign-in acts as (`desktop.permissions`): the row of this PC's OS login."""
        return session.scalars(
            select(AppUser).where(AppUser.username == os_username(), AppUser.deleted_at.is_(None)).limit(1)
        ).first()

    def acting_account_id(self, session: Session) -> uuid.UUID | None:
        """The id of the account acting now: the signed-in one, else the legacy desk's (None before it exists)."""
        if self._signed_in is not None:
            return self._signed_in.account_id
        legacy = self.legacy_account(session)
        return legacy.id if legacy is not None else None

    def officer_name(self) -> str:
        """The name of the officer working on this PC: the signed-in account, else the OS user's."""
        if self._signed_in is not None:
            return self._signed_in.full_name
        with self.db.session() as session:
            name = session.scalar(
                select(AppUser.full_name).where(AppUser.username == os_username(), AppUser.deleted_at.is_(None))
            )
        return name or os_username()

    def officer_role(self) -> str:
        """The (primary) role of the person at this PC (`db.models.UserRole` value); "officer" when unknown."""
        if self._signed_in is not None:
            return self._signed_in.primary_role or UserRole.OFFICER.value
        with self.db.session(read_only=True) as session:
            role = session.scalar(
                select(AppUser.role).where(AppUser.username == os_username(), AppUser.deleted_at.is_(None))
            )
        return role or UserRole.OFFICER.value

    def connection_state(self) -> ConnectionState:
        """The sync connection state; no server can be configured yet, so it is NOT_CONFIGURED."""
        return ConnectionState.NOT_CONFIGURED


def _keystore_login(login: str) -> str:
    """The login as the keystore names its wrap (normalised; as typed when it is no valid login)."""
    try:
        return normalize_login(login)
    except StaffError:
        return login


def _profile_problem(profile: PolicyProfile, key: str, reason: str) -> ProfileError:
    """A ProfileError with one problem about `profile` at `key`."""
    from desktop.policy import ProfileError, ProfileProblem

    source = str(profile.source_path) if profile.source_path is not None else profile.id
    return ProfileError([ProfileProblem(file=source, key=key, reason=reason)])


def _refuse_closed(db: Database, directory: Path, *, close: bool = True) -> None:
    """Refuse a desk the sync server revoked (`desktop.sync.service`): its data is closed, with the reason.

    The opened database is closed first (`close`), or left for the caller to lock (an encrypted desk).
    """
    with db.session(read_only=True) as session:
        closed = session.execute(text(
            "SELECT closed_reason_ar FROM sync_state WHERE id = 1 AND closed_at IS NOT NULL")).first()
    if closed is None:
        return
    if close:
        db.close()
    _log.warning("data directory closed: this desk was revoked by the sync server")
    raise WorkspaceError(f"{closed[0]}\n({directory})")


def damaged_refusal(error: DatabaseDamagedError, directory: Path) -> WorkspaceError:
    """The refusal of a damaged database file, naming the latest backup to restore (nothing is overwritten)."""
    from desktop.backup import backup_summary, latest_backup

    latest = latest_backup(directory)
    if latest is None:
        advice = "ولا توجد نسخة احتياطية في مجلد البيانات: استعد نسخة من قرص خارجي، أو أعد بناء البيانات من الخادم."
    else:
        advice = f"آخر نسخة احتياطية سليمة: {backup_summary(latest)}. يمكنك استعادتها (تُحفظ أولًا نسخة من الملف الحالي)."
    return WorkspaceError(f"{error.message_ar}.\n{advice}\n({directory})",
                          restore_from=None if latest is None else latest.path)


def os_username() -> str:
    """The operating-system login of the person at this PC."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "officer"
