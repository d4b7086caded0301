"""What the reception service hands to the GUI: plain frozen dataclasses (never ORM objects) and its error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

from desktop.errors import ReceptionError

__all__ = [
    "BeneficiaryMatch",
    "BeneficiaryView",
    "CaseView",
    "DocumentInput",
    "DocumentView",
    "DraftSummary",
    "ListedDocument",
    "MemberView",
    "OpenCase",
    "ParticularsInput",
    "ReceptionError",
    "ReferralView",
    "ReportView",
    "StepState",
    "StoredDocument",
]


@dataclass(frozen=True)
class StepState:
    """One policy step of a case, as the checklist shows it.

    `status` is "pending", "current", "done", "skipped", "waiting" (referral out, signature pending),
    "after_decision" (held until the committee accepts the request) or "not_applicable" (not for the case's kind).
    """

    step_id: str
    kind: str
    title: str
    text: str
    mandatory: bool
    status: str
    completed_at: datetime | None
    officer_name: str | None
    note: str | None


@dataclass(frozen=True)
class BeneficiaryView:
    """A beneficiary's particulars as stored (mobile in the canonical +9665… form)."""

    beneficiary_id: UUID
    full_name: str
    id_number: str
    id_kind: str
    id_expiry: date | None
    birth_date: date | None
    mobile: str | None
    city: str | None
    household_size: int | None
    gender: str | None = None


@dataclass(frozen=True)
class OpenCase:
    """A case of a beneficiary not closed yet: what a look-up offers to continue instead of opening another."""

    case_id: UUID
    case_number: str
    status_label: str
    step_title: str


@dataclass(frozen=True)
class BeneficiaryMatch:
    """A beneficiary found by a look-up; `reason` is "same_id", "id_prefix", "same_phone" or "name".

    `open_cases` are the beneficiary's cases not closed yet (newest first): the desk offers to continue one
    of them, and another case for the same person is opened only with a stated reason.
    """

    beneficiary_id: UUID
    full_name: str
    id_number: str
    mobile: str | None
    reason: str
    warning_ar: str | None = None
    open_cases: tuple[OpenCase, ...] = ()


@dataclass(frozen=True)
class ParticularsInput:
    """What the verify page submits, raw as typed; the service validates every field.

    Dates are Hijri or Gregorian text (`desktop.hijri.parse_date_either`); `id_kind` is "" (told by
    the first digit: national ID or iqama), "national_id", "iqama" or "other" (another document,
    no check digit); `gender` is "male" or "female" as chosen ("" when none was chosen: refused).
    """

    full_name: str
    id_number: str
    id_expiry: str
    birth_date: str
    mobile: str
    city: str
    household_size: str
    id_kind: str = ""
    gender: str = ""


@dataclass(frozen=True)
class DocumentInput:
    """One required document as the officer marks it: provided, valid until, scan file."""

    name: str
    provided: bool
    valid_until: str = ""
    attachment_path: Path | None = None


@dataclass(frozen=True)
class DocumentView:
    """One required document of a case as stored."""

    document_id: UUID
    name: str
    provided: bool
    valid_until: date | None
    expired: bool
    attachment_sha256: str | None


@dataclass(frozen=True)
class ListedDocument:
    """A document the policy asks for the case's kind at the verify step: required or optional, with an expiry."""

    name: str
    required: bool
    has_expiry: bool


@dataclass(frozen=True)
class ReferralView:
    """A referral of the case to the step's role, and its answer once it came back."""

    referral_id: UUID
    to_role_id: str
    to_role_name: str
    to_person: str | None
    note: str
    answer: str | None
    referred_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class DraftSummary:
    """An unfinished reception of this PC, offered for resuming (or abandoning with a reason).

    `step_title` is the step reached (where the officer resumes); `saved_at` the last change (a draft saved, or
    the case's own); `started_at` when the contact was started; `status_label` the case's status in Arabic.
    """

    case_id: UUID
    case_number: str
    beneficiary_name: str | None
    step_title: str
    saved_at: datetime
    started_at: datetime | None = None
    status_label: str = ""


@dataclass(frozen=True)
class StoredDocument:
    """A PDF kept in the attachment store: its kind, SHA-256, file and size in bytes."""

    kind: str
    sha256: str
    path: Path
    size: int


@dataclass(frozen=True)
class MemberView:
    """A rescue member on the roster; `distance_km` from the report's place when it is known."""

    member_id: UUID
    name: str
    phone: str
    latitude: float
    longitude: float
    available: bool
    distance_km: float | None


@dataclass(frozen=True)
class ReportView:
    """A rescue report (بلاغ) and its received → escalated → dispatched → closed times."""

    reporter_name: str
    reporter_phone: str | None
    platform: str | None
    place: str
    latitude: float | None
    longitude: float | None
    what_happened: str
    received_at: datetime
    escalated_at: datetime | None
    dispatched_at: datetime | None
    dispatched_member: str | None
    closed_at: datetime | None
    help_given: str | None
    platform_label: str | None = None
    dispatch_override_reason: str | None = None


@dataclass(frozen=True)
class CaseView:
    """Everything the reception wizard shows of a case."""

    case_id: UUID
    case_number: str
    status: str
    status_label: str
    channel_id: str
    channel_name: str
    case_kind_id: str
    case_kind_name: str
    beneficiary: BeneficiaryView | None
    steps: tuple[StepState, ...]
    current_step_id: str | None
    submitted_at: datetime | None
    promised_decision_date: date | None
    signature_pending: bool
    open_referral: ReferralView | None
    documents: tuple[DocumentView, ...]
    policy_version: str
    report: ReportView | None
    is_rescue: bool
    listed_documents: tuple[ListedDocument, ...] = ()
    #: The reception ended at the committee notice: the steps after it wait for the committee's acceptance.
    awaiting_decision: bool = False
    #: The case's kind needs no committee decision: it is answered at the greeting and closed.
    ends_at_answer: bool = False

    @property
    def current_step(self) -> StepState | None:
        """The step the officer works on now, or None when the procedure is finished."""
        return next((step for step in self.steps if step.step_id == self.current_step_id), None)
