"""What every service acting on a case shares: the association, this PC, the officer, the case and its policy.

`CaseWork` is the base of `ReceptionService` and of the case desk's services (`desktop.casedesk.service`).
One action on one case gets a `CaseContext` (its session, row, the policy version it was opened with, the officer, this PC and
the time); rows written in it are stamped with the device and the officer, audited, and status
changes follow `desktop.cases.states.TRANSITIONS`. Each service raises its own error class
(`_error`) with the same Arabic messages.

* The officer is the signed-in account (`desktop.session_identity.SessionIdentity`: the one given to the
  service, else `Workspace.signed_in`), checked to be still there and active at each action. Until the sign-in
  screen exists nobody may be signed in: the officer is then the `AppUser` whose username is this PC's OS
  login, created with the officer role on first use (not cached then: the session may still roll back; the
  next action finds the row).
* This PC is the earliest enrolled, not revoked `Device` other than the demo data's one
  (`DEMO_PREFIX`); it is cached once found, looked up again while there is none.
* The association is the earliest one not deleted; before the first adoption there is none.

It depends on the shared case core only (`desktop.cases`, `desktop.attachments`, `desktop.hijri`,
`desktop.documents.forms`), never on a service package, so reception and the case desk both build on it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AppUser, Association, Attachment, Case, CaseStatus, Device, PolicyVersion, UserRole
from desktop.attachments import AttachmentStore
from desktop.audit import record_audit
from desktop.cases import states
from desktop.documents.letterhead import Letterhead, letterhead_for
from desktop.errors import InputError
from desktop.hijri import local_date
from desktop.permissions import ACCOUNT_GONE, Action, Guarded, acting_roles, may, require
from desktop.policy import PolicyProfile, load_profile_text
from desktop.session_identity import SessionIdentity
from desktop.workspace import Workspace, os_username

__all__ = ["ACCOUNT_GONE", "DEMO_PREFIX", "NO_POLICY_YET", "CaseContext", "CaseWork", "association_logo", "case_letterhead",
           "find_association", "first_association", "version_profile"]

DEMO_PREFIX = "DEMO"
"""The case number prefix of the demo data's device: never this PC."""

NO_POLICY_YET = "لم تُعتمد سياسة الجمعية على هذا الجهاز بعد: اختر السياسة أولًا"

_log = logging.getLogger("mustafid.cases")  # see desktop.logbook


def find_association(session: Session) -> Association | None:
    """The association of this desk (the earliest not deleted), or None before the first adoption."""
    return session.scalars(
        select(Association).where(Association.deleted_at.is_(None)).order_by(Association.created_at).limit(1)
    ).first()


def first_association(session: Session, error: type[InputError]) -> Association:
    """The association of this desk; `error` (field "policy") before the first adoption."""
    association = find_association(session)
    if association is None:
        raise error(NO_POLICY_YET, field="policy")
    return association


def association_logo(session: Session, store: AttachmentStore, association: Association | None) -> Path | None:
    """The file of the association's stored logo, or None when it has none."""
    if association is None or association.logo_attachment_id is None:
        return None
    row = session.get(Attachment, association.logo_attachment_id)
    return store.readable_copy(row.stored_path, row.sha256) if row is not None else None


def case_letterhead(session: Session, store: AttachmentStore, profile: PolicyProfile) -> Letterhead:
    """The letterhead of a printed document: the policy's logo file, else the association's stored logo."""
    logo = profile.logo_path
    if logo is None:
        logo = association_logo(session, store, find_association(session))
    return letterhead_for(profile, logo_path=logo)


def version_profile(session: Session, policy_version_id: uuid.UUID, error: type[InputError]) -> PolicyProfile:
    """The policy version a case is handled under, loaded from its stored text; `error` when it is missing."""
    version = session.get(PolicyVersion, policy_version_id)
    if version is None:
        raise error("إصدار السياسة الذي فُتحت به الحالة غير موجود في قاعدة البيانات")
    return load_profile_text(version.source_text, source=f"{version.profile_id} ({version.version_label})")


@dataclass
class CaseContext:
    """One action on one case: its session, row, policy profile, the officer and the time."""

    session: Session
    case: Case
    profile: PolicyProfile
    officer_id: uuid.UUID
    officer_name: str
    device_id: uuid.UUID | None
    now: datetime


class CaseWork(Guarded):
    """The case-context machinery of a service, raising the subclass's `_error` with Arabic messages."""

    _error: ClassVar[type[InputError]]

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None,
                 identity: SessionIdentity | None = None) -> None:
        self._workspace = workspace
        self._identity = identity
        self._db = workspace.db
        self._store = workspace.attachments
        self._clock = clock or (lambda: datetime.now(UTC))
        self._profiles: dict[uuid.UUID, PolicyProfile] = {}
        self._officer: tuple[uuid.UUID, str] | None = None
        self._device: tuple[uuid.UUID, str, str | None] | None = None

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def _today(self) -> date:
        return local_date(self._now())

    def _association(self, session: Session) -> Association:
        return first_association(session, self._error)

    def _device_row(self, session: Session) -> tuple[uuid.UUID, str, str | None] | None:
        """(id, case number prefix, branch) of this PC, or None when no device is enrolled."""
        if self._device is None:
            device = session.scalars(
                select(Device)
                .where(
                    Device.deleted_at.is_(None),
                    Device.revoked_at.is_(None),
                    Device.case_number_prefix != DEMO_PREFIX,
                )
                .order_by(Device.enrolled_at, Device.id)
                .limit(1)
            ).first()
            if device is None:
                return None
            self._device = (device.id, device.case_number_prefix, device.branch)
        return self._device

    def _device_id(self, session: Session) -> uuid.UUID | None:
        device = self._device_row(session)
        return device[0] if device else None

    def use_identity(self, identity: SessionIdentity | None) -> None:
        """Act as `identity` from now on (None: the workspace's signed-in account, else the OS login)."""
        self._identity = identity

    def _signed_in(self) -> SessionIdentity | None:
        """The account this service acts as: its own identity, else the workspace's signed-in one."""
        return self._identity if self._identity is not None else self._workspace.signed_in

    def _acting_identity(self) -> SessionIdentity | None:
        return self._signed_in()

    def _refusal_class(self) -> type[InputError]:
        return self._error

    def _acting_roles(self, session: Session) -> tuple[str, ...] | None:
        """The acting account's roles as stored now; None on the legacy desk (`desktop.permissions`)."""
        return acting_roles(session, self._signed_in(), self._error)

    def _require(self, session: Session, action: Action) -> None:
        """Refuse `action` (this service's `_error`, naming who may) unless the acting account may do it."""
        require(self._acting_roles(session), action, self._error)

    def _may(self, session: Session, action: Action) -> bool:
        """True when the acting account may do `action` (to leave out what it may not read)."""
        return may(self._acting_roles(session), action)

    def _officer_row(self, session: Session, association_id: uuid.UUID) -> tuple[uuid.UUID, str]:
        """(id, name) of the officer at this PC: the signed-in account, else the AppUser of the OS login.

        A signed-in account disabled or deleted since (by an administrator, or on another desk and pulled by
        sync) is refused. Without one, the OS login's row is created on first use. The cached row is checked to
        still be there: a sync round may have merged this PC's row into the same login's row from the server
        (same username), and a case must never point at the row it replaced.
        """
        identity = self._signed_in()
        if identity is not None:
            account = session.get(AppUser, identity.account_id)
            if account is None or account.deleted_at is not None or not account.active:
                raise self._error(ACCOUNT_GONE, field="account")
            return account.id, account.full_name
        if self._officer is not None:
            cached = session.get(AppUser, self._officer[0])
            if cached is not None and cached.deleted_at is None:
                return self._officer
            self._officer = None
        username = os_username()
        user = session.scalars(
            select(AppUser).where(AppUser.username == username, AppUser.deleted_at.is_(None))
        ).first()
        if user is None:
            user = AppUser(
                association_id=association_id,
                username=username,
                full_name=username,
                role=UserRole.OFFICER.value,
                device_id=self._device_id(session),
            )
            session.add(user)
            session.flush()
            # Not cached: this session may still roll back; the next action finds the committed row.
            return user.id, user.full_name
        self._officer = (user.id, user.full_name)
        return self._officer

    def _officer_role(self, session: Session) -> str:
        """The (primary) role of the officer at this PC (read only; "officer" while the login has no row yet)."""
        roles = self._officer_roles(session) if self._signed_in() is not None else ()
        if roles:
            return roles[0]
        role = session.scalars(
            select(AppUser.role).where(AppUser.username == os_username(), AppUser.deleted_at.is_(None))
        ).first()
        return role or UserRole.OFFICER.value

    def _officer_roles(self, session: Session) -> tuple[str, ...]:
        """Every role the officer at this PC holds (the signed-in account's as stored now, else the OS login's)."""
        identity = self._signed_in()
        if identity is not None:
            account = session.get(AppUser, identity.account_id)
            return account.role_list if account is not None else identity.roles
        user = session.scalars(
            select(AppUser).where(AppUser.username == os_username(), AppUser.deleted_at.is_(None))
        ).first()
        return user.role_list if user is not None else (UserRole.OFFICER.value,)

    def _profile_of(self, session: Session, policy_version_id: uuid.UUID) -> PolicyProfile:
        """The policy version a case is handled under, loaded from its stored text (cached)."""
        profile = self._profiles.get(policy_version_id)
        if profile is None:
            profile = version_profile(session, policy_version_id, self._error)
            self._profiles[policy_version_id] = profile
        return profile

    def _case_row(self, session: Session, case_id: uuid.UUID) -> Case:
        case = session.get(Case, case_id)
        if case is None or case.deleted_at is not None:
            raise self._error("الحالة غير موجودة: ربما حُذفت أو لم تُحفظ", field="case")
        return case

    def _closed_message(self, case: Case) -> str:
        """Why a closed case cannot be changed (each service words it for its screens)."""
        return f"الحالة {case.case_number} مغلقة: لا يمكن تعديلها"

    def _context(self, session: Session, case_id: uuid.UUID, *, allow_closed: bool = False) -> CaseContext:
        case = self._case_row(session, case_id)
        if case.status == CaseStatus.CLOSED.value and not allow_closed:
            raise self._error(self._closed_message(case), field="case")
        officer_id, officer_name = self._officer_row(session, case.association_id)
        return CaseContext(
            session=session,
            case=case,
            profile=self._profile_of(session, case.policy_version_id),
            officer_id=officer_id,
            officer_name=officer_name,
            device_id=self._device_id(session),
            now=self._now(),
        )

    def _stamp(self, ctx: CaseContext, row: Any) -> Any:
        """Fill a row's writer columns (device and officer) and add it to the session."""
        row.device_id = ctx.device_id
        row.updated_by = ctx.officer_id
        ctx.session.add(row)
        return row

    def _audit(self, ctx: CaseContext, action: str, details: Mapping[str, Any], *, entity: str = "case",
               entity_id: uuid.UUID | None = None) -> None:
        _log.debug("audit %s on %s", action, entity)  # never the details: they may hold names and notes
        record_audit(
            ctx.session,
            association_id=ctx.case.association_id,
            actor_id=ctx.officer_id,
            action=action,
            entity=entity,
            entity_id=entity_id or ctx.case.id,
            at=ctx.now,
            details={"case_number": ctx.case.case_number, **details},
            device_id=ctx.device_id,
        )

    def _set_status(self, ctx: CaseContext, target: CaseStatus) -> None:
        states.check_transition(
            ctx.case.status, target, self._error, decision_required=ctx.profile.needs_decision(ctx.case.case_kind_id)
        )
        if ctx.case.status != target.value:
            previous = ctx.case.status
            ctx.case.status = target.value
            ctx.case.updated_by = ctx.officer_id
            self._audit(ctx, "status_changed", {"from": previous, "to": target.value})

    def _letterhead(self, session: Session, profile: PolicyProfile) -> Letterhead:
        return case_letterhead(session, self._store, profile)
