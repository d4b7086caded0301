"""The officer's workspace: the data directory, its database, the adopted policy and the current officer."""

from __future__ import annotations

import datetime as dt
import getpass
import platform
import secrets
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.engine import HEAD_REVISION, Database, DatabaseError
from db.models import AppUser, Association, DeskSetting, Device, PolicyVersion, UserRole
from desktop import arabic_text
from desktop.arabic_text import DigitStyle
from desktop.audit import record_audit
from desktop.policy import (
    PolicyProfile,
    ProfileError,
    ProfileProblem,
    load_builtin_profile,
    load_builtin_profiles,
    load_profile,
    load_profile_text,
)
from desktop.logbook import get_logger
from desktop.session_identity import SessionIdentity
from desktop.startup import DeskSnapshot, default_data_dir, write_snapshot

__all__ = ["ConnectionState", "DeskState", "Workspace", "WorkspaceError", "default_data_dir"]

DATABASE_FILE = "mustafid.sqlite3"
#: The `desk_setting` row holding the association's digit style: {"style": "arabic" | "latin"}.
DIGIT_STYLE_KEY = "digit_style"

_log = get_logger("workspace")


class WorkspaceError(Exception):
    """The workspace cannot be opened or changed; `message_ar` says why, for the officer."""

    def __init__(self, message_ar: str) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar


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


class Workspace:
    """One PC's working state: data directory, local database, adopted policy and officer."""

    def __init__(self, data_dir: Path, db: Database) -> None:
        """A workspace over an opened database (use `Workspace.open`)."""
        self.data_dir = data_dir
        self.db = db
        self._profile: PolicyProfile | None = None
        self._profile_loaded = False
        self._signed_in: SessionIdentity | None = None

    @classmethod
    def open(cls, data_dir: Path | None = None) -> Workspace:
        """Open (creating on first use) the data directory and its database, migrated to this version."""
        directory = Path(data_dir) if data_dir is not None else default_data_dir()
        try:
            db = Database.open(directory / DATABASE_FILE)
            db.upgrade()
        except DatabaseError as exc:
            _log.warning("database not opened: %s", type(exc).__name__)
            raise WorkspaceError(f"{exc.message_ar}\n({directory})") from exc
        _log.info("database opened (schema %s)", HEAD_REVISION)
        with db.session(read_only=True) as session:
            closed = session.execute(text(
                "SELECT closed_reason_ar FROM sync_state WHERE id = 1 AND closed_at IS NOT NULL")).first()
        if closed is not None:  # the sync server revoked this desk (desktop.sync.service): its data is closed
            db.close()
            _log.warning("data directory closed: this desk was revoked by the sync server")
            raise WorkspaceError(f"{closed[0]}\n({directory})")
        workspace = cls(directory, db)
        arabic_text.set_digit_style(workspace.digit_style())
        return workspace

    def close(self) -> None:
        """Release the database."""
        self.db.close()

    # ------------------------------------------------------------------ policy

    def available_profiles(self) -> list[PolicyProfile]:
        """The built-in policy profiles shipped with the application (the five seed associations)."""
        return load_builtin_profiles()

    @property
    def loaded_profile(self) -> PolicyProfile | None:
        """The active policy when it has already been read, else None; never touches the database."""
        return self._profile if self._profile_loaded else None

    def desk_state(self) -> DeskState:
        """The active policy, the officer's name and the connection state, read in one go (a worker's call)."""
        return DeskState(self.active_profile(), self.officer_name(), self.connection_state())

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
                self._profile = load_profile_text(
                    row.source_text, source=f"{row.profile_id} (الإصدار {row.version_label})"
                )
            self._profile_loaded = True
        return self._profile

    def adopt_builtin_profile(self, profile_id: str) -> PolicyProfile:
        """Adopt one of the built-in profiles by its id."""
        return self._adopt(load_builtin_profile(profile_id))

    def import_profile(self, path: Path) -> PolicyProfile:
        """Validate a profile file and adopt it; raises ProfileError with every problem and adopts nothing."""
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
        self._profile = load_profile_text(profile.source_text, source=profile.id)
        self._profile_loaded = True
        # The version label is a Hijri date that the redaction would hide: the content hash names it instead.
        _log.info("policy adopted: %s (sha256 %s)", profile.id, profile.content_hash[:12])
        self.save_snapshot()
        return self._profile

    def save_snapshot(self) -> DeskSnapshot | None:
        """Save what the first screen shows next time (association, policy version, officer); None before adoption."""
        profile = self.active_profile()
        if profile is None:
            return None
        snapshot = DeskSnapshot(
            association_name=profile.association.name,
            profile_id=profile.id,
            policy_version=profile.version,
            officer_name=self.officer_name(),
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
            officer_id = session.scalar(
                select(AppUser.id).where(AppUser.username == os_username(), AppUser.deleted_at.is_(None)).limit(1)
            )
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
        """The account signed in at this desk (`desktop.staff.StaffService.verify_sign_in`), or None.

        None until the sign-in screen exists: the services then act as the OS login's account (see
        `desktop.casework.CaseWork`).
        """
        return self._signed_in

    def sign_in(self, identity: SessionIdentity) -> None:
        """Make `identity` the person at this desk: every service stamps, audits and prints under it."""
        self._signed_in = identity

    def sign_out(self) -> None:
        """Nobody is signed in any more (the services fall back to the OS login until sign-in is required)."""
        self._signed_in = None

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


def _profile_problem(profile: PolicyProfile, key: str, reason: str) -> ProfileError:
    """A ProfileError with one problem about `profile` at `key`."""
    source = str(profile.source_path) if profile.source_path is not None else profile.id
    return ProfileError([ProfileProblem(file=source, key=key, reason=reason)])


def os_username() -> str:
    """The operating-system login of the person at this PC."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "officer"
