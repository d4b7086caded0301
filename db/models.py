"""SQLAlchemy 2 typed models of the local database (one SQLite file per PC, synced with the server).

Storage conventions other modules rely on (raw SQL and the sync layer see these forms):

* Primary keys are client-generated UUIDv7 (`db.ids.uuid7`); the `Uuid` type stores them in
  SQLite as 32 lowercase hex digits without dashes (``uuid.hex``).
* Timestamps are UTC. `UtcDateTime` stores "YYYY-MM-DD HH:MM:SS.ffffff" (SQLite's own
  ordering works) and returns aware datetimes in UTC; naive values are taken as UTC.
* Dates (ID expiry, promised decision date, birth date) are Gregorian ``date`` values stored
  "YYYY-MM-DD"; Hijri is a presentation concern of `desktop`.
* Enumerations are stored as plain strings (the ``StrEnum`` values below), so a row synced
  from a newer version with a value this code does not know still loads.
* Money is stored as integer halalas (`Money`) and read back as ``Decimal`` riyals.
* Foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at COMMIT, so the ORM may insert a
  case before its beneficiary within one session, and a sync page may arrive in any order.
* Every synced table has the sync columns of `SyncColumns`; deletes are soft (`deleted_at`).
  `device_id` and `updated_by` carry no foreign key: rows arrive by sync before the device or
  user that wrote them may be known locally.
* Append-only tables (`APPEND_ONLY_TABLES`) are protected by triggers created in the first
  migration: their content columns cannot be updated and their rows cannot be deleted; only
  the sync bookkeeping columns may change.
* The table of cases is named ``case``, a reserved word in SQL: quote it in raw SQL ("case").
* `beneficiary_fts` is an FTS5 index over `beneficiary.name_key` (external content, keyed by
  the beneficiary's rowid, kept in sync by triggers; created by the migration, not by
  `Base.metadata`). Anything that may renumber beneficiary rowids (a batch migration copying
  the table; VACUUM is allowed to) must be followed by
  ``INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('rebuild')``. The insert trigger
  costs an FTS segment flush per row (~0.1 ms): bulk loads (a first full sync) should drop it,
  insert, index the new rows with one ``INSERT INTO beneficiary_fts(rowid, name_key) SELECT``
  and recreate it in the same transaction, as `desktop.demo_data` does.
* Prefix search on `name_key` through its B-tree index: use GLOB or a range; LIKE does not
  use it (case-insensitive LIKE would need a NOCASE index).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from db.ids import uuid7

__all__ = [
    "APPEND_ONLY_TABLES",
    "ENUM_COLUMNS",
    "LOCAL_TABLES",
    "SYNC_COLUMN_NAMES",
    "AppUser",
    "DeskSignIn",
    "Assessment",
    "AssessmentItem",
    "AssessmentKind",
    "Association",
    "Attachment",
    "AuditEvent",
    "Base",
    "Beneficiary",
    "BeneficiaryNotice",
    "Case",
    "CorrectiveAction",
    "DeskSetting",
    "CaseStatus",
    "CommitteeDecision",
    "CommitteeDecisionKind",
    "DecisionLetter",
    "Declaration",
    "Device",
    "EligibilityRecommendation",
    "Erasure",
    "Gender",
    "Money",
    "PolicyVersion",
    "ReceptionDraft",
    "Referral",
    "RequiredDocument",
    "RescueMember",
    "RescueReport",
    "Service",
    "SignatureKind",
    "StepCompletion",
    "Suggestion",
    "SuggestionKind",
    "SuggestionStatus",
    "SuggestionEvent",
    "SurveyResponse",
    "SurveySlip",
    "SyncBucket",
    "SyncColumns",
    "UserRole",
    "UtcDateTime",
    "utc_now",
]


# --------------------------------------------------------------------------- enumerations


class CaseStatus(StrEnum):
    """The states of a case; application cases and rescue reports (بلاغ) share `CLOSED`."""

    DRAFT = "draft"
    RECEIVED = "received"
    REFERRED = "referred"
    AWAITING_SIGNATURE = "awaiting_signature"
    AWAITING_COMMITTEE = "awaiting_committee"
    MORE_INFO_REQUESTED = "more_info_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REGISTERED = "registered"
    SERVED = "served"
    CLOSED = "closed"
    # rescue reports (000): received, escalated to the central operations manager, member dispatched
    REPORTED = "reported"
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"

    @property
    def label_ar(self) -> str:
        """The Arabic label shown to the officer."""
        return _CASE_STATUS_LABELS[self]


_CASE_STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.DRAFT: "مسودة",
    CaseStatus.RECEIVED: "مستلم",
    CaseStatus.REFERRED: "محال للمختص",
    CaseStatus.AWAITING_SIGNATURE: "بانتظار توقيع الإقرار",
    CaseStatus.AWAITING_COMMITTEE: "بانتظار قرار لجنة البحث",
    CaseStatus.MORE_INFO_REQUESTED: "مطلوب استكمال معلومات",
    CaseStatus.ACCEPTED: "مقبول",
    CaseStatus.REJECTED: "مرفوض",
    CaseStatus.REGISTERED: "مسجل",
    CaseStatus.SERVED: "قُدمت الخدمة",
    CaseStatus.CLOSED: "مغلق",
    CaseStatus.REPORTED: "بلاغ مستلم",
    CaseStatus.ESCALATED: "محال لمدير العمليات المركزية",
    CaseStatus.DISPATCHED: "تم توجيه أقرب عضو",
}

#: The statuses an application (non-rescue) case can take.
APPLICATION_STATUSES: tuple[CaseStatus, ...] = (
    CaseStatus.DRAFT,
    CaseStatus.RECEIVED,
    CaseStatus.REFERRED,
    CaseStatus.AWAITING_SIGNATURE,
    CaseStatus.AWAITING_COMMITTEE,
    CaseStatus.MORE_INFO_REQUESTED,
    CaseStatus.ACCEPTED,
    CaseStatus.REJECTED,
    CaseStatus.REGISTERED,
    CaseStatus.SERVED,
    CaseStatus.CLOSED,
)

#: The statuses a rescue report (بلاغ) can take.
RESCUE_STATUSES: tuple[CaseStatus, ...] = (
    CaseStatus.REPORTED,
    CaseStatus.ESCALATED,
    CaseStatus.DISPATCHED,
    CaseStatus.CLOSED,
)


class UserRole(StrEnum):
    """What a staff account does (PRODUCT.md, "Who uses it"; issue 13's roles). An account holds one or more.

    The stored values of the first six are those of every earlier revision (``committee`` is a committee
    member, ``admin`` the administrator); a policy profile's ``held_by`` names these values.
    """

    OFFICER = "officer"
    RESEARCHER = "researcher"
    COMMITTEE_SECRETARY = "committee_secretary"
    COMMITTEE = "committee"
    OPERATIONS_MANAGER = "operations_manager"
    MANAGER = "manager"
    ADMIN = "admin"
    SYNC_SUPERVISOR = "sync_supervisor"

    @property
    def label_ar(self) -> str:
        """The Arabic label shown to the officer."""
        return _USER_ROLE_LABELS[self]


_USER_ROLE_LABELS: dict[UserRole, str] = {
    UserRole.OFFICER: "موظف علاقات المستفيدين",
    UserRole.RESEARCHER: "مسؤول البحث الاجتماعي",
    UserRole.COMMITTEE_SECRETARY: "أمين سر اللجنة",
    UserRole.COMMITTEE: "لجنة البحث",
    UserRole.OPERATIONS_MANAGER: "مدير العمليات المركزية",
    UserRole.MANAGER: "المدير",
    UserRole.ADMIN: "مسؤول النظام",
    UserRole.SYNC_SUPERVISOR: "مشرف المزامنة",
}


class Gender(StrEnum):
    """A beneficiary's gender, when recorded."""

    MALE = "male"
    FEMALE = "female"


class SignatureKind(StrEnum):
    """How a declaration was signed: on the signature pad, or wet-signed on paper and scanned."""

    PAD = "pad"
    PAPER = "paper"


class AssessmentKind(StrEnum):
    """The two eligibility checks: administrative examination of documents, personal interview."""

    ADMINISTRATIVE_EXAMINATION = "administrative_examination"
    PERSONAL_INTERVIEW = "personal_interview"


class CommitteeDecisionKind(StrEnum):
    """The research committee's answer to a request."""

    ACCEPT = "accept"
    REJECT = "reject"
    MORE_INFO = "more_info"


class SuggestionKind(StrEnum):
    """A suggestion or a complaint from a beneficiary."""

    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"


class SuggestionStatus(StrEnum):
    """Follow-up state of a suggestion or complaint."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


# --------------------------------------------------------------------------- column types


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC (the default of every timestamp column)."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC text and returned aware in UTC; naive input is taken as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """To the database: an aware moment as naive UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """From the database: naive UTC read back as an aware UTC moment."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


_HALALA = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """An amount in Saudi riyals stored exactly as integer halalas (SQLite has no decimal type)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> int | None:
        """To the database: riyals as whole halalas (rounded half up)."""
        if value is None:
            return None
        return int((Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        """From the database: halalas back to riyals with two decimals."""
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(_HALALA)


def _fk(target: str) -> ForeignKey:
    """A foreign key checked at COMMIT: rows of one action (or one sync page) may come in any order."""
    return ForeignKey(target, deferrable=True, initially="DEFERRED")


# Annotated column types, in the manner of warehouse/utils/db/types.py.
uuid_pk = Annotated[uuid.UUID, mapped_column(Uuid, primary_key=True, default=uuid7, sort_order=-100)]
created_now = Annotated[dt.datetime, mapped_column(UtcDateTime, default=utc_now, sort_order=100)]
updated_now = Annotated[
    dt.datetime, mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now, sort_order=100)
]
bool_false = Annotated[bool, mapped_column(Boolean, default=False, server_default=text("0"))]
short_str = Annotated[str, mapped_column(String(64))]
name_str = Annotated[str, mapped_column(String(200))]
json_dict = Annotated[dict[str, Any], mapped_column(JSON, default=dict)]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: named constraints (Alembic batch mode needs names), UTC timestamps."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        uuid.UUID: Uuid,
        dt.datetime: UtcDateTime,
        dt.date: Date,
        dict[str, Any]: JSON,
    }


#: The sync bookkeeping columns every synced table carries (DESIGN.md, "Data").
SYNC_COLUMN_NAMES: tuple[str, ...] = (
    "id",
    "version",
    "server_seq",
    "hlc",
    "device_id",
    "updated_by",
    "deleted_at",
    "created_at",
    "updated_at",
)


class SyncColumns:
    """Mixin of the sync columns: UUIDv7 id, row version, server sequence, HLC, writer, soft delete.

    `version` is SQLAlchemy's version counter: each ORM update increments it and checks that
    no other session changed the row in between (``StaleDataError`` otherwise).
    """

    id: Mapped[uuid_pk]
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"), sort_order=90)
    server_seq: Mapped[int | None] = mapped_column(Integer, sort_order=91)
    hlc: Mapped[str | None] = mapped_column(String(40), sort_order=92)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, sort_order=93)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, sort_order=94)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, sort_order=95)
    created_at: Mapped[created_now]
    updated_at: Mapped[updated_now]

    def __init__(self, **kwargs: Any) -> None:
        # The id exists from construction, so related rows can point to it before any flush.
        kwargs.setdefault("id", uuid7())
        super().__init__(**kwargs)

    @declared_attr.directive
    @classmethod
    def __mapper_args__(cls) -> dict[str, Any]:
        table = cls.__table__  # type: ignore[attr-defined]  # set on the mapped subclass
        return {"version_id_col": table.c.version}


# --------------------------------------------------------------------------- association and policy


class Association(SyncColumns, Base):
    """The non-profit association this installation serves."""

    __tablename__ = "association"

    name: Mapped[name_str]
    licence_number: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(80))
    profile_id: Mapped[short_str]
    logo_attachment_id: Mapped[uuid.UUID | None] = mapped_column(_fk("attachment.id"))


class PolicyVersion(SyncColumns, Base):
    """One board-approved version of the association's policy profile that cases are handled under."""

    __tablename__ = "policy_version"
    __table_args__ = (
        Index(
            "uq_policy_version_profile_version",
            "association_id",
            "profile_id",
            "version_label",
            unique=True,
        ),
    )

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    profile_id: Mapped[short_str]
    version_label: Mapped[short_str]
    content_hash: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    approved_meeting: Mapped[str | None] = mapped_column(String(120))
    approved_on: Mapped[dt.date | None]
    approved_on_hijri: Mapped[str | None] = mapped_column(String(10))
    adopted_at: Mapped[dt.datetime]


# --------------------------------------------------------------------------- people and devices


class AppUser(SyncColumns, Base):
    """A staff account: login name, full Arabic name, role(s), branch, active or disabled (issue 13).

    `roles` is the list of `UserRole` values the account holds; `role` stays its first (the primary role
    every earlier reader selects), kept equal to ``roles[0]`` by the constructor and `set_roles`.
    `password_hash` and `pin_hash` are Argon2id strings (`desktop.staff`); an account without a password
    cannot sign in (the OS-login rows of a desk used before sign-in existed have none).
    """

    __tablename__ = "app_user"
    __table_args__ = (
        Index(
            "uq_app_user_username_live",
            "username",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    username: Mapped[short_str]
    full_name: Mapped[name_str]
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("1"))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    branch: Mapped[str | None] = mapped_column(String(80))
    pin_hash: Mapped[str | None] = mapped_column(String(255))

    def __init__(self, **kwargs: Any) -> None:
        roles = kwargs.get("roles")
        if roles:
            kwargs["roles"] = list(roles)
            kwargs.setdefault("role", roles[0])
        elif kwargs.get("role"):
            kwargs["roles"] = [kwargs["role"]]
        super().__init__(**kwargs)

    @property
    def role_list(self) -> tuple[str, ...]:
        """The roles the account holds (its `role` alone for a row written before `roles` existed)."""
        return tuple(self.roles) if self.roles else ((self.role,) if self.role else ())

    def set_roles(self, roles: list[str]) -> None:
        """Give the account these roles (at least one); the first is its primary `role`."""
        if not roles:
            raise ValueError("an account holds at least one role")
        self.roles = list(roles)
        self.role = roles[0]


class DeskSignIn(Base):
    """This desk's PIN misses per account (never synced: the lock is per PC). Five misses: the password only."""

    __tablename__ = "desk_sign_in"

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    pin_misses: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    updated_at: Mapped[updated_now]


class Device(SyncColumns, Base):
    """A PC enrolled by the administrator; its prefix makes case numbers unique per branch/PC."""

    __tablename__ = "device"

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    name: Mapped[name_str]
    branch: Mapped[str | None] = mapped_column(String(80))
    case_number_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    enrolled_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Beneficiary(SyncColumns, Base):
    """A person served by the association, with the search keys used to find them again."""

    __tablename__ = "beneficiary"
    __table_args__ = (
        Index(
            "uq_beneficiary_id_number_live",
            "id_number",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_beneficiary_phone_key", "phone_key"),
        Index("ix_beneficiary_name_key", "name_key"),
    )

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    full_name: Mapped[name_str]
    name_key: Mapped[name_str]
    id_number: Mapped[str] = mapped_column(String(10))
    id_kind: Mapped[str] = mapped_column(String(16))
    id_expiry: Mapped[dt.date | None]
    birth_date: Mapped[dt.date | None]
    gender: Mapped[str | None] = mapped_column(String(8))
    nationality: Mapped[str | None] = mapped_column(String(2))
    mobile: Mapped[str | None] = mapped_column(String(13))
    phone_key: Mapped[str | None] = mapped_column(String(9))
    city: Mapped[str | None] = mapped_column(String(80))
    household_size: Mapped[int | None]

    cases: Mapped[list[Case]] = relationship(back_populates="beneficiary", order_by="Case.created_at")


# --------------------------------------------------------------------------- the case and its record


class Case(SyncColumns, Base):
    """One request (or rescue report) of a beneficiary, handled under one policy version."""

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_status_promised_decision_date", "status", "promised_decision_date"),
        Index("ix_case_promised_decision_date", "promised_decision_date"),
        Index("ix_case_beneficiary_id", "beneficiary_id"),
        Index("ix_case_status_device_id", "status", "device_id"),
    )

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    beneficiary_id: Mapped[uuid.UUID | None] = mapped_column(_fk("beneficiary.id"))
    policy_version_id: Mapped[uuid.UUID] = mapped_column(_fk("policy_version.id"))
    channel_id: Mapped[short_str]
    case_kind_id: Mapped[short_str]
    status: Mapped[str] = mapped_column(String(32), default=CaseStatus.DRAFT.value)
    officer_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    branch: Mapped[str | None] = mapped_column(String(80))
    summary: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime | None]
    promised_decision_date: Mapped[dt.date | None]
    signature_pending: Mapped[bool_false]
    current_step_id: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime | None]

    beneficiary: Mapped[Beneficiary | None] = relationship(back_populates="cases")
    policy_version: Mapped[PolicyVersion] = relationship()
    step_completions: Mapped[list[StepCompletion]] = relationship(
        back_populates="case", order_by="StepCompletion.completed_at"
    )
    required_documents: Mapped[list[RequiredDocument]] = relationship(back_populates="case")


class StepCompletion(SyncColumns, Base):
    """Append-only: one reception step done (or legitimately skipped) by an officer on a channel."""

    __tablename__ = "step_completion"
    __table_args__ = (Index("ix_step_completion_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    step_id: Mapped[short_str]
    step_kind: Mapped[str] = mapped_column(String(32))
    officer_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[dt.datetime]
    policy_version_id: Mapped[uuid.UUID] = mapped_column(_fk("policy_version.id"))
    skipped: Mapped[bool_false]
    skip_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="step_completions")


class Attachment(SyncColumns, Base):
    """A stored file (scan, signature image, PDF), addressed by its SHA-256."""

    __tablename__ = "attachment"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(100))
    stored_path: Mapped[str] = mapped_column(String(400))


class RequiredDocument(SyncColumns, Base):
    """A document the case needs, whether it was provided, and until when it is valid."""

    __tablename__ = "required_document"
    __table_args__ = (Index("ix_required_document_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    name: Mapped[name_str]
    provided: Mapped[bool_false]
    valid_until: Mapped[dt.date | None]
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(_fk("attachment.id"))

    case: Mapped[Case] = relationship(back_populates="required_documents")


class Declaration(SyncColumns, Base):
    """Append-only: the signed declaration (إقرار) of the case, its signature and its PDF.

    A correction of the particulars after signing supersedes the case's declaration; the corrected one signed
    next names it in `supersedes_id` (the old row is never changed).
    """

    __tablename__ = "declaration"
    __table_args__ = (Index("ix_declaration_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    text: Mapped[str] = mapped_column(Text)
    signature_kind: Mapped[str] = mapped_column(String(8))
    signature_attachment_id: Mapped[uuid.UUID | None] = mapped_column(_fk("attachment.id"))
    pdf_attachment_id: Mapped[uuid.UUID | None] = mapped_column(_fk("attachment.id"))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    officer_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    signed_at: Mapped[dt.datetime]
    #: The declaration this one replaces (signed again after a correction of the particulars); None for the first.
    #: A plain id, not a foreign key: SQLite adds a column with no table constraint (see migration 0009).
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Referral(SyncColumns, Base):
    """A question referred to the social researcher / responsible official, and its answer."""

    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_case_id", "case_id"),
        Index("ix_referral_to_user_id", "to_user_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    from_user_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    to_role: Mapped[str] = mapped_column(String(32))
    to_user_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    answered_at: Mapped[dt.datetime | None]


class Assessment(SyncColumns, Base):
    """An eligibility check: administrative examination of documents or a personal interview."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    kind: Mapped[str] = mapped_column(String(32))
    assessor_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[dt.datetime | None]


class CommitteeDecision(SyncColumns, Base):
    """Append-only: the research committee's decision on a case, with its reason."""

    __tablename__ = "committee_decision"
    __table_args__ = (Index("ix_committee_decision_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    members: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    decided_at: Mapped[dt.datetime]


class Service(SyncColumns, Base):
    """A service or support delivered on an accepted case (cash amount or in kind)."""

    __tablename__ = "service"
    __table_args__ = (Index("ix_service_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    kind: Mapped[short_str]
    amount: Mapped[Decimal | None] = mapped_column(Money)
    in_kind: Mapped[bool_false]
    description: Mapped[str | None] = mapped_column(Text)
    delivered_by: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    delivered_at: Mapped[dt.datetime | None]


# --------------------------------------------------------------------------- satisfaction, suggestions, audit


class SurveyResponse(SyncColumns, Base):
    """Append-only: answers to the satisfaction survey; anonymous unless case/officer are given."""

    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_survey_response_answered_at", "answered_at"),
                      Index("ix_survey_response_case_id", "case_id"))

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    policy_version_id: Mapped[uuid.UUID | None] = mapped_column(_fk("policy_version.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(_fk("case.id"))
    officer_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    mode: Mapped[str | None] = mapped_column(String(16))
    answers: Mapped[json_dict]
    answered_at: Mapped[dt.datetime]


class Suggestion(SyncColumns, Base):
    """A suggestion or complaint from a beneficiary, followed up until its due date."""

    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_status_due_date", "status", "due_date"),)

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    kind: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    beneficiary_id: Mapped[uuid.UUID | None] = mapped_column(_fk("beneficiary.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=SuggestionStatus.OPEN.value)
    response: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None]
    closed_at: Mapped[dt.datetime | None]


class AuditEvent(SyncColumns, Base):
    """Append-only: who did what to which record, and when; hash-chained per originating desk.

    Every event is written by `desktop.audit.record_audit` and carries its desk's chain position:
    `chain_seq` (1, 2, … per `device_id`), `prev_hash` (the `hash` of the desk's previous event, or
    `db.audit_chain.GENESIS`) and `hash` (`db.audit_chain.event_hash` over the event's own fields and
    `prev_hash`). When the sync server finds an `actor_id` differing from the pushing desk's signed-in
    account it re-stamps it: the account becomes `actor_id`, the desk's value `claimed_actor_id`, the
    server's time `restamped_at` (the chain hashes the value the desk wrote).
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity_entity_id", "entity", "entity_id"),
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_device_chain", "device_id", "chain_seq"),
        Index("ix_audit_event_entity_id", "entity_id"),
    )

    association_id: Mapped[uuid.UUID | None] = mapped_column(_fk("association.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[short_str]
    entity: Mapped[short_str]
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    details: Mapped[json_dict]
    chain_seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    claimed_actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    restamped_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Erasure(SyncColumns, Base):
    """Append-only: a sanctioned erasure (issue 14): retention erased the personal content of a case's append-only
    rows (`db.erasure`). Who (`erased_by`), when, which case (and its beneficiary when the person was anonymised
    too), under which rule (the policy version and its retention years, the case's closing time). Synced; the
    server checks it (closed, past the period, a role that may run retention) and applies it to its own rows."""

    __tablename__ = "erasure"
    __table_args__ = (Index("ix_erasure_case_id", "case_id"), Index("ix_erasure_beneficiary_id", "beneficiary_id"))

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    beneficiary_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    policy_version_id: Mapped[uuid.UUID] = mapped_column(_fk("policy_version.id"))
    retention_years: Mapped[int]
    closed_at: Mapped[dt.datetime]
    erased_by: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    erased_at: Mapped[dt.datetime]


# --------------------------------------------------------------------------- reception drafts and rescue (issue 3)


class ReceptionDraft(SyncColumns, Base):
    """What the officer typed on one reception step of a case, saved as typed (one row per case and step).

    Not append-only: each save replaces `fields`. When the step is completed the row is soft-deleted
    (`deleted_at`); a later save on the same step brings it back.
    """

    __tablename__ = "reception_draft"
    __table_args__ = (Index("uq_reception_draft_case_id_step_id", "case_id", "step_id", unique=True),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    step_id: Mapped[short_str]
    fields: Mapped[json_dict]
    saved_at: Mapped[dt.datetime]


class RescueMember(SyncColumns, Base):
    """A member of the rescue association (000) on the roster, with where they are and whether available."""

    __tablename__ = "rescue_member"

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    name: Mapped[name_str]
    phone: Mapped[str] = mapped_column(String(20))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    available: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("1"))


class RescueReport(SyncColumns, Base):
    """The report (بلاغ) of a rescue case: reporter, place, what happened, and its received → dispatched → closed times."""

    __tablename__ = "rescue_report"
    __table_args__ = (
        Index("uq_rescue_report_case_id", "case_id", unique=True),
        Index("ix_rescue_report_reporter_phone", "reporter_phone"),
        Index("ix_rescue_report_platform", "platform"),
        Index("ix_rescue_report_received_at", "received_at"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    reporter_name: Mapped[name_str]
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    platform: Mapped[str | None] = mapped_column(String(32))
    place: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    what_happened: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime]
    escalated_at: Mapped[dt.datetime | None]
    escalation_note: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[dt.datetime | None]
    dispatched_member_id: Mapped[uuid.UUID | None] = mapped_column(_fk("rescue_member.id"))
    nearest_member_id: Mapped[uuid.UUID | None] = mapped_column(_fk("rescue_member.id"))
    dispatch_override_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None]
    help_given: Mapped[str | None] = mapped_column(Text)


# --- case desk (issue 5): new models go below this line -------------------------------------------


class AssessmentItem(SyncColumns, Base):
    """One line of an eligibility check: a document's examination result or an interview question's answer.

    `item_kind` is "document" (result "valid" / "invalid" / "missing", `required_document_id` set
    when the document is on the case's list) or "question" (result "met" / "not_met" / "unclear";
    `item_key` is the question's id, `label` its text as asked). Rows of one `Assessment` are
    written together; the latest assessment of a kind is the current state.
    """

    __tablename__ = "assessment_item"
    __table_args__ = (
        Index("ix_assessment_item_assessment_id", "assessment_id"),
        Index("ix_assessment_item_case_id", "case_id"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(_fk("assessment.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    item_kind: Mapped[str] = mapped_column(String(16))
    item_key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    required_document_id: Mapped[uuid.UUID | None] = mapped_column(_fk("required_document.id"))


class EligibilityRecommendation(SyncColumns, Base):
    """The researcher's recommendation to the committee (accept / reject / more_info) with its reason."""

    __tablename__ = "eligibility_recommendation"
    __table_args__ = (Index("ix_eligibility_recommendation_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    recommendation: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    recommended_by: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    recommended_at: Mapped[dt.datetime]


class DecisionLetter(SyncColumns, Base):
    """The decision letter stored for a committee decision (its PDF and SHA-256), and the more-info deadline."""

    __tablename__ = "decision_letter"
    __table_args__ = (
        Index("ix_decision_letter_case_id", "case_id"),
        Index("uq_decision_letter_decision_id", "decision_id", unique=True),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    decision_id: Mapped[uuid.UUID] = mapped_column(_fk("committee_decision.id"))
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(_fk("attachment.id"))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    info_due_date: Mapped[dt.date | None]
    issued_at: Mapped[dt.datetime]


class BeneficiaryNotice(SyncColumns, Base):
    """A record that the beneficiary was informed of a decision, and how (sms, whatsapp, phone, in person, letter)."""

    __tablename__ = "beneficiary_notice"
    __table_args__ = (Index("ix_beneficiary_notice_case_id", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(_fk("case.id"))
    decision_id: Mapped[uuid.UUID | None] = mapped_column(_fk("committee_decision.id"))
    how: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    informed_by: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    informed_at: Mapped[dt.datetime]


class SuggestionEvent(SyncColumns, Base):
    """One step of a suggestion's or complaint's follow-up: received, routed (to a role), answered, closed.

    The "received" event carries the case the suggestion is about, if any.
    """

    __tablename__ = "suggestion_event"
    __table_args__ = (
        Index("ix_suggestion_event_suggestion_id", "suggestion_id"),
        Index("ix_suggestion_event_case_id", "case_id"),
    )

    suggestion_id: Mapped[uuid.UUID] = mapped_column(_fk("suggestion.id"))
    action: Mapped[str] = mapped_column(String(16))
    to_role: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[uuid.UUID | None] = mapped_column(_fk("case.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    at: Mapped[dt.datetime]


#: Follow-ups: documents expiring within N days are found by their validity date (and IDs by their expiry).
Index("ix_required_document_valid_until", RequiredDocument.valid_until)
Index("ix_beneficiary_id_expiry", Beneficiary.id_expiry)
#: Follow-ups: referrals not yet answered, oldest first (a partial index: answered ones are left out).
Index(
    "ix_referral_unanswered_created_at",
    Referral.created_at,
    sqlite_where=text("answered_at IS NULL AND deleted_at IS NULL"),
)



# --- case list indexes (issue 5, search and listing): Index objects go below this line ---------
# Each one measured on the demo database of 1.5 million cases (tests/benchmarks/search.py).

_OPEN = "answered_at IS NULL AND deleted_at IS NULL"
_NOT_PROVIDED = "provided = 0 AND deleted_at IS NULL"

#: Newest/oldest first and the submission date range: the first page from the index, not a sort of every case.
Index("ix_case_submitted_at", Case.submitted_at)
#: Status filters and the status sort, newest first within a status; the promised date lets the
#: overdue test run on the index entry before the row is read.
Index("ix_case_status_submitted_at", Case.status, Case.submitted_at, Case.promised_decision_date)
#: A channel or case kind with few cases is found without walking every case.
Index("ix_case_channel_id", Case.channel_id)
Index("ix_case_case_kind_id", Case.case_kind_id)
#: Cases whose declaration is still to be signed (few), newest first.
Index(
    "ix_case_signature_pending",
    Case.submitted_at,
    sqlite_where=text("signature_pending = 1"),
    postgresql_where=text("signature_pending"),
)
#: Open referrals by the person or role they are referred to ("referred to me").
Index("ix_referral_open", Referral.to_user_id, Referral.to_role, sqlite_where=text(_OPEN), postgresql_where=text(_OPEN))
#: Required documents not provided yet ("missing documents").
Index(
    "ix_required_document_missing",
    RequiredDocument.case_id,
    sqlite_where=text(_NOT_PROVIDED),
    postgresql_where=text("NOT provided AND deleted_at IS NULL"),
)


# --- sync (issue 4): new models go below this line ------------------------------------------------


class SyncConflict(SyncColumns, Base):
    """One field changed on two PCs: both values, writers and times, the provisional winner, the resolution.

    Made by the server and pulled like any row (the columns of `desktop.sync.protocol.SYNC_CONFLICT_TABLE`);
    values are wire-encoded values of the target column. Resolving is an update of this row (and
    of the target row), synced like any change.
    """

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_status", "status"),)

    table_name: Mapped[short_str]
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    field: Mapped[short_str]
    base_value: Mapped[Any | None] = mapped_column(JSON)
    value_a: Mapped[Any | None] = mapped_column(JSON)
    value_b: Mapped[Any | None] = mapped_column(JSON)
    device_a: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_b: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Migration 0008: the devices' names (and branches) as the server knew them; NULL on older records.
    device_a_name: Mapped[str | None] = mapped_column(String(120))
    device_b_name: Mapped[str | None] = mapped_column(String(120))
    user_a: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_b: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    hlc_a: Mapped[str | None] = mapped_column(String(40))
    hlc_b: Mapped[str | None] = mapped_column(String(40))
    at_a: Mapped[dt.datetime | None]
    at_b: Mapped[dt.datetime | None]
    winner: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolution_value: Mapped[Any | None] = mapped_column(JSON)
    resolved_at: Mapped[dt.datetime | None]


class SyncOutbox(Base):
    """Local only: one local change of a synced row, written by triggers in the same transaction as the change.

    `columns` lists the changed columns (comma-separated; NULL for an insert: every column);
    `base_version` is the server version the change was based on (NULL: a row created here).
    `batch_id` is set once the change is composed into a push batch (`SyncBatch`); `state` is
    "pending" until the server acknowledges it, "rejected" when the server refused it.
    """

    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_table_name_row_id", "table_name", "row_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[short_str]
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    op: Mapped[str] = mapped_column(String(8))
    columns: Mapped[str | None] = mapped_column(Text)
    base_version: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    changed_at: Mapped[dt.datetime]
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    state: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    message_ar: Mapped[str | None] = mapped_column(Text)


class SyncBatch(Base):
    """Local only: a push batch exactly as sent, kept until acknowledged so a resend is byte-identical."""

    __tablename__ = "sync_batch"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]


class SyncState(Base):
    """Local only, one row: the server, this PC's enrolment, the pull cursor, the clock and the last round.

    The device credential is not stored here: only its SHA-256 (the token itself lives in a
    file beside the database, see `desktop.sync.service`), so a copy of the database file does
    not carry it.
    """

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str | None] = mapped_column(String(400))
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    association_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    token_sha256: Mapped[str | None] = mapped_column(String(64))
    enrolled_at: Mapped[dt.datetime | None]
    pull_after: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_hlc: Mapped[str | None] = mapped_column(String(40))
    #: Where the content comparison (`desktop.sync.verify`) goes on: "<table>\t<last row id hex>" or NULL.
    content_cursor: Mapped[str | None] = mapped_column(String(120))
    clock_offset_ms: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_attempt_at: Mapped[dt.datetime | None]
    last_success_at: Mapped[dt.datetime | None]
    last_summary_at: Mapped[dt.datetime | None]
    last_error_ar: Mapped[str | None] = mapped_column(Text)
    #: The pull cursor as of which `SyncBucket` holds this desk's sums (NULL: rebuild them).
    verified_seq: Mapped[int | None] = mapped_column(Integer)
    #: SHA-256 of the server's TLS certificate, pinned at enrolment (NULL: the system's trust store).
    server_cert_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Set when the server revoked this desk: its data is closed to users, with the reason shown.
    closed_at: Mapped[dt.datetime | None]
    closed_reason_ar: Mapped[str | None] = mapped_column(Text)


class SyncBucket(Base):
    """This desk's count and row-digest sum per (table, bucket) of acknowledged rows; bucket -1 is the table's root.

    Never synced; incremental verification (`desktop.sync.verify`) compares it with the server's, top-down.
    """

    __tablename__ = "sync_bucket"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)


class SyncSwitch(Base):
    """Local only, one row: `suppressed` = 1 while the sync applies pulled rows (the outbox triggers stay quiet).

    Set and cleared inside the applying transaction, so it is never seen committed as 1.
    """

    __tablename__ = "sync_switch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suppressed: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class SyncMissingFile(Base):
    """Local only: an attachment row pulled without its bytes yet; fetched from the server by a later round."""

    __tablename__ = "sync_missing_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    stored_path: Mapped[str] = mapped_column(String(400))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class SyncQuarantine(Base):
    """Local only: a pulled row this desk could not store (issue 15), set aside with its Arabic reason.

    The rest of its page applied and sync went on; ``row`` is the pulled row as JSON (its wire fields),
    so `mustafid-admin sync quarantine retry` can apply it again once the server has repaired it (a later
    pull of the same row replaces it here). Shown to the supervisor beside the conflicts.
    """

    __tablename__ = "sync_quarantine"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    server_seq: Mapped[int] = mapped_column(Integer)
    row: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(400))
    quarantined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))


#: Sync bookkeeping tables of this PC only: no sync columns, never synced (tests of the sync columns skip them).
SYNC_LOCAL_TABLES: tuple[str, ...] = (
    "sync_outbox", "sync_batch", "sync_state", "sync_switch", "sync_missing_file", "sync_quarantine", "sync_bucket",
)


# --- satisfaction and reports (issue 6): new models go below this line ---------------------------


class SurveySlip(SyncColumns, Base):
    """A printed survey slip: its single-use short code, and when its answers were entered.

    In anonymous mode `case_id` stays empty, and no slip is ever linked to the response it produced.
    """

    __tablename__ = "survey_slip"
    __table_args__ = (Index("uq_survey_slip_code", "code", unique=True), Index("ix_survey_slip_case_id", "case_id"))

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    code: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[uuid.UUID | None] = mapped_column(_fk("case.id"))
    issued_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class CorrectiveAction(SyncColumns, Base):
    """A corrective action the board records from satisfaction results and complaints.

    `finding_period_start`/`_end` name the reporting period the finding came from (often recorded after it).
    """

    __tablename__ = "corrective_action"
    __table_args__ = (Index("ix_corrective_action_recorded_at", "recorded_at"),)

    association_id: Mapped[uuid.UUID] = mapped_column(_fk("association.id"))
    finding: Mapped[str] = mapped_column(Text)
    finding_period_start: Mapped[dt.date | None]
    finding_period_end: Mapped[dt.date | None]
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[name_str]
    due_date: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default="planned")
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(_fk("app_user.id"))
    recorded_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]


class DeskSetting(SyncColumns, Base):
    """A small named setting of the association (the kiosk PIN's salted hash), stored as JSON."""

    __tablename__ = "desk_setting"
    __table_args__ = (Index("uq_desk_setting_key", "key", unique=True),)

    key: Mapped[short_str]
    value: Mapped[json_dict]


# Local derived summaries for the dashboard and the reports (issue 6). No sync columns: never synced, every PC
# derives them from its own rows. Kept by SQLite triggers (report_*) created by migration 0006, which documents
# them; `desktop.reports.summaries` explains each table, recomputes them from scratch and repairs them. Days are
# Riyadh days (date(<UTC>, '+3 hours')). Clustered on their primary key (WITHOUT ROWID).

_SUMMARY_ARGS: dict[str, Any] = {"sqlite_with_rowid": False}


class ReportContactDay(Base):
    """Derived: live submitted cases per Riyadh submission day, channel and current status."""

    __tablename__ = "report_contact_day"
    __table_args__ = _SUMMARY_ARGS

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    cases: Mapped[int]


class ReportCaseWaiting(Base):
    """Derived: live cases per current status and promised decision date (overdue-now counts)."""

    __tablename__ = "report_case_waiting"
    __table_args__ = _SUMMARY_ARGS

    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    promised_on: Mapped[dt.date] = mapped_column(primary_key=True)
    cases: Mapped[int]


class ReportDecision(Base):
    """Derived: per live submitted case, its first live accept or reject and the days that matter."""

    __tablename__ = "report_decision"
    __table_args__ = _SUMMARY_ARGS

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))
    submitted_on: Mapped[dt.date]
    decided_on: Mapped[dt.date]
    promised_on: Mapped[dt.date | None]


class ReportDecisionDay(Base):
    """Derived from report_decision: decisions per decision day, days taken and promise kept/late/none."""

    __tablename__ = "report_decision_day"
    __table_args__ = _SUMMARY_ARGS

    decided_on: Mapped[dt.date] = mapped_column(primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    promise: Mapped[str] = mapped_column(String(8), primary_key=True)
    decisions: Mapped[int]


class ReportCaseFile(Base):
    """Derived: per live submitted application case, whether its file misses, has expired or is unsigned."""

    __tablename__ = "report_case_file"
    __table_args__ = _SUMMARY_ARGS

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    submitted_on: Mapped[dt.date]
    missing: Mapped[int]
    expired: Mapped[int]
    unsigned: Mapped[int]


class ReportFileDay(Base):
    """Derived from report_case_file: cases per submission day and completeness flags."""

    __tablename__ = "report_file_day"
    __table_args__ = _SUMMARY_ARGS

    submitted_on: Mapped[dt.date] = mapped_column(primary_key=True)
    missing: Mapped[int] = mapped_column(Integer, primary_key=True)
    expired: Mapped[int] = mapped_column(Integer, primary_key=True)
    unsigned: Mapped[int] = mapped_column(Integer, primary_key=True)
    cases: Mapped[int]


class ReportResponseDay(Base):
    """Derived: live survey responses per Riyadh answer day."""

    __tablename__ = "report_response_day"
    __table_args__ = _SUMMARY_ARGS

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    responses: Mapped[int]


class ReportAnswerDay(Base):
    """Derived: integer survey answers per Riyadh answer day, question and value."""

    __tablename__ = "report_answer_day"
    __table_args__ = _SUMMARY_ARGS

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int]


class ReportFollowUpDay(Base):
    """Derived: live suggestions and complaints opened and closed per Riyadh day and kind."""

    __tablename__ = "report_follow_up_day"
    __table_args__ = _SUMMARY_ARGS

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    opened: Mapped[int]
    closed: Mapped[int]


class ReportFollowUpOpen(Base):
    """Derived: live suggestions and complaints not closed, per kind."""

    __tablename__ = "report_follow_up_open"
    __table_args__ = _SUMMARY_ARGS

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    items: Mapped[int]


Index("ix_suggestion_created_at", Suggestion.created_at)
Index("ix_suggestion_closed_at", Suggestion.closed_at)


#: Tables whose rows never change once written (a correction is a new row).
APPEND_ONLY_TABLES: tuple[str, ...] = (
    StepCompletion.__tablename__,
    Declaration.__tablename__,
    CommitteeDecision.__tablename__,
    SurveyResponse.__tablename__,
    AuditEvent.__tablename__,
    Erasure.__tablename__,
)

#: Tables that stay on this PC and never sync: the sync client's own bookkeeping, the reports'
#: summaries (named ``report_*``, derived from synced rows by triggers and rebuilt locally) and the
#: desk's PIN misses (`DeskSignIn`: the idle lock is per PC).
LOCAL_TABLES: tuple[str, ...] = SYNC_LOCAL_TABLES + tuple(
    name for name in Base.metadata.tables if name.startswith("report_")
) + (DeskSignIn.__tablename__,)

#: The columns holding one of the enumerations above, {(table, column): enum}: the sync server refuses a pushed
#: value outside it (`desktop.server.validation`); the desk itself still loads unknown values (see the top).
ENUM_COLUMNS: dict[tuple[str, str], type[StrEnum]] = {
    (Case.__tablename__, "status"): CaseStatus,
    (AppUser.__tablename__, "role"): UserRole,
    (Beneficiary.__tablename__, "gender"): Gender,
    (Declaration.__tablename__, "signature_kind"): SignatureKind,
    (Assessment.__tablename__, "kind"): AssessmentKind,
    (CommitteeDecision.__tablename__, "decision"): CommitteeDecisionKind,
    (Suggestion.__tablename__, "kind"): SuggestionKind,
    (Suggestion.__tablename__, "status"): SuggestionStatus,
}
