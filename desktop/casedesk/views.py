"""What the case desk hands to the GUI: plain frozen dataclasses (never ORM objects), their inputs and its error.

Conventions (the screens rely on them):

* Times are aware UTC ``datetime``; every view also carries the text to show, already in
  Arabic: dates as Hijri and Gregorian side by side (`desktop.hijri.format_dual`), times in
  Riyadh, numbers and identifiers isolated (`desktop.arabic_text.isolate`).
* Codes ("accept", "valid", "sms"...) are kept beside their Arabic labels, so a screen can
  colour or filter by code and show the label.
* Inputs are raw as typed (dates as Hijri or Gregorian text, amounts as text); the service
  validates every field and answers `CaseDeskError` with `message_ar` and `field`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from desktop.reception.views import BeneficiaryView, ReceptionError, ReferralView

__all__ = [
    "CHECK_RESULTS",
    "DECISIONS",
    "INFORMED_HOW",
    "INTERVIEW_ANSWERS",
    "SUGGESTION_ROUTES",
    "BeneficiaryView",
    "CaseDeskError",
    "CaseDocument",
    "CaseFile",
    "CommitteeAccount",
    "DecisionInput",
    "DecisionResult",
    "DecisionView",
    "DocumentCheckInput",
    "DocumentState",
    "EligibilityView",
    "FollowUpRow",
    "FollowUps",
    "InformedView",
    "InterviewAnswerInput",
    "InterviewInput",
    "InterviewQuestion",
    "MechanismView",
    "NotificationView",
    "QueueRow",
    "QueueSummary",
    "RecommendationView",
    "ReferralView",
    "ServiceInput",
    "ServiceView",
    "SuggestionEventView",
    "SuggestionInput",
    "SuggestionView",
    "TimelineEntry",
]

#: Result of the administrative examination of one required document: code → Arabic label.
CHECK_RESULTS: dict[str, str] = {
    "valid": "سليم وساري",
    "invalid": "غير مقبول",
    "missing": "لم يُقدَّم",
}

#: Answers to one interview question (a criterion or mechanism of the policy): code → Arabic label.
INTERVIEW_ANSWERS: dict[str, str] = {
    "met": "مستوفى",
    "not_met": "غير مستوفى",
    "unclear": "يحتاج إلى تحقق",
}

#: The committee's decisions (and the researcher's recommendations): code → Arabic label.
DECISIONS: dict[str, str] = {
    "accept": "قبول الطلب",
    "reject": "رفض الطلب",
    "more_info": "طلب استكمال معلومات",
}

#: How the beneficiary was informed of the decision: code → Arabic label.
INFORMED_HOW: dict[str, str] = {
    "sms": "رسالة نصية",
    "whatsapp": "واتساب",
    "phone": "اتصال هاتفي",
    "in_person": "حضوريًا",
    "letter": "خطاب",
}

#: Where a suggestion or complaint may be routed (roles of `db.models.UserRole`): code → Arabic label.
SUGGESTION_ROUTES: dict[str, str] = {
    "officer": "موظف علاقات المستفيدين",
    "researcher": "مسؤول البحث الاجتماعي",
    "committee": "لجنة البحث",
    "manager": "المدير",
    "admin": "مسؤول النظام",
}


class CaseDeskError(ReceptionError):
    """A case desk action refused for a reason the officer can read (Arabic `message_ar`)."""


# --------------------------------------------------------------------------- the case file


@dataclass(frozen=True)
class DocumentState:
    """One required document of a case: validity on today's date and the examination result.

    `check` is "valid", "invalid", "missing" or None (not examined yet); `expiring_soon` when it
    is still valid but ends within the follow-up window (30 days).
    """

    document_id: UUID
    name: str
    provided: bool
    valid_until: date | None
    valid_until_text: str
    expired: bool
    expiring_soon: bool
    days_left: int | None
    attachment_sha256: str | None
    check: str | None
    check_label: str
    check_note: str
    checked_by: str | None
    checked_at: datetime | None
    #: A document the policy marks sensitive, withheld from this account: its scan not given, its note `REDACTED`.
    withheld: bool = False


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened on a case, with who and when; a PDF entry says how to open it.

    `kind` is one of: "contact", "step", "referral", "referral_answer", "assessment",
    "recommendation", "decision", "notice", "service", "survey", "document", "suggestion", "audit".
    `document_kind` ("declaration", "receipt", "decision_letter", "missing_documents", "scan"...)
    and `attachment_sha256` are set on entries that carry a file; pass the entry to
    `CaseFileService.document_pdf` to get its bytes.
    """

    entry_id: str
    at: datetime
    at_text: str
    kind: str
    title: str
    detail: str
    officer_name: str | None
    channel_name: str | None = None
    document_kind: str | None = None
    attachment_sha256: str | None = None
    mime: str | None = None
    #: A scan the policy marks sensitive, withheld from this account: listed, its file not given.
    withheld: bool = False


@dataclass(frozen=True)
class DecisionView:
    """A committee decision as recorded (append-only), with the letter stored for it."""

    decision_id: UUID
    decision: str
    label: str
    reason: str
    members: tuple[str, ...]
    recorded_by: str | None
    decided_at: datetime
    decided_text: str
    info_due: date | None
    within_promise: bool | None
    letter_sha256: str | None


@dataclass(frozen=True)
class InformedView:
    """A record that the beneficiary was informed of the decision, and how."""

    how: str
    how_label: str
    note: str
    by: str | None
    at: datetime
    at_text: str


@dataclass(frozen=True)
class ServiceView:
    """A service or support delivered on an accepted case."""

    service_id: UUID
    kind: str
    amount: Decimal | None
    amount_text: str
    in_kind: bool
    description: str
    delivered_on: date | None
    delivered_text: str
    delivered_by: str | None


@dataclass(frozen=True)
class CaseFile:
    """Everything the case file screen shows: particulars, documents, status and promise, timeline.

    `version` is the case row's version: pass it back as `DecisionInput.expected_version`.
    `days_left` counts to the promised decision date (negative when overdue) while a decision
    is awaited, else None.
    """

    case_id: UUID
    case_number: str
    version: int
    status: str
    status_label: str
    channel_id: str
    channel_name: str
    case_kind_id: str
    case_kind_name: str
    officer_name: str | None
    opened_at: datetime
    opened_text: str
    submitted_at: datetime | None
    submitted_text: str
    promised_decision_date: date | None
    promised_text: str
    days_left: int | None
    overdue: bool
    signature_pending: bool
    beneficiary: BeneficiaryView | None
    id_expired: bool
    mobile_local: str
    documents: tuple[DocumentState, ...]
    open_referral: ReferralView | None
    decision: DecisionView | None
    informed: tuple[InformedView, ...]
    services: tuple[ServiceView, ...]
    timeline: tuple[TimelineEntry, ...]
    policy_version: str
    is_rescue: bool
    can_decide: bool
    can_serve: bool
    can_close: bool
    closed_at: datetime | None
    #: A correction superseded the signed declaration and the corrected one awaits its signature.
    corrected_declaration_pending: bool = False
    #: The case's policy requires the household size (its eligibility uses it): the correction form says so.
    household_required: bool = False
    #: The request was accepted and the policy's register step is still to do (from the case file).
    can_register: bool = False
    #: Why the case file offers no registration or service now (the decision gate's reason), or "".
    continuation_note: str = ""


@dataclass(frozen=True)
class CaseDocument:
    """One stored document of a case in the case file's documents panel.

    `entry` is the file's timeline entry (pass it to `CaseFileService.document_pdf`; a `withheld` entry, a
    sensitive scan this account may not read, has no file). A declaration has its
    `number` (1 for the first signed) and is `superseded` once a correction replaced it; `may_print` follows
    the document catalogue's roles for the officer at this PC (a scan: always).
    """

    entry: TimelineEntry
    title: str
    state_label: str
    number: int | None
    superseded: bool
    may_print: bool
    is_pdf: bool


# --------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class MechanismView:
    """One eligibility mechanism of the policy (administrative examination, personal interview)."""

    mechanism_id: str
    name: str
    kind: str
    text: str


@dataclass(frozen=True)
class InterviewQuestion:
    """One structured question of the personal interview: a criterion or mechanism of the policy.

    `answer` is "met", "not_met", "unclear" or None (not answered yet).
    """

    question_id: str
    text: str
    source: str
    answer: str | None
    answer_label: str
    note: str


@dataclass(frozen=True)
class RecommendationView:
    """The researcher's recommendation to the committee."""

    recommendation: str
    label: str
    reason: str
    by: str | None
    at: datetime
    at_text: str


@dataclass(frozen=True)
class EligibilityView:
    """The eligibility screen: the document examination, the interview form and the recommendation."""

    case_id: UUID
    case_number: str
    version: int
    status: str
    status_label: str
    beneficiary_name: str
    stages: tuple[str, ...]
    criteria: tuple[str, ...]
    mechanisms: tuple[MechanismView, ...]
    documents: tuple[DocumentState, ...]
    documents_checked_by: str | None
    documents_checked_at: datetime | None
    questions: tuple[InterviewQuestion, ...]
    interview_notes: str
    interviewed_by: str | None
    interviewed_at: datetime | None
    recommendation: RecommendationView | None
    documents_complete: bool
    interview_complete: bool
    editable: bool
    sensitive_hidden: bool = False
    """True when the account may not read the assessment: its answers, notes and recommendation are withheld."""


@dataclass(frozen=True)
class DocumentCheckInput:
    """The examination result of one required document (by id, or by name for one not listed yet).

    `result` is "valid", "invalid" or "missing"; a note is required for "invalid";
    `valid_until` (Hijri or Gregorian text, optional) corrects the document's validity date.
    """

    result: str
    document_id: UUID | None = None
    name: str = ""
    note: str = ""
    valid_until: str = ""


@dataclass(frozen=True)
class InterviewAnswerInput:
    """The answer to one interview question ("met", "not_met", "unclear") and a note."""

    question_id: str
    answer: str
    note: str = ""


@dataclass(frozen=True)
class InterviewInput:
    """The personal interview: structured answers and the researcher's free notes."""

    answers: tuple[InterviewAnswerInput, ...]
    notes: str = ""


# --------------------------------------------------------------------------- committee


@dataclass(frozen=True)
class QueueRow:
    """One case awaiting the committee's decision, with the countdown to the promised date."""

    case_id: UUID
    case_number: str
    version: int
    beneficiary_name: str
    mobile_local: str
    case_kind_name: str
    submitted_on: date | None
    submitted_text: str
    promised_date: date | None
    promised_text: str
    days_left: int | None
    countdown_text: str
    overdue: bool
    due_this_week: bool
    recommendation: str | None
    recommendation_label: str


@dataclass(frozen=True)
class QueueSummary:
    """Counts of the committee queue: all awaiting, overdue, due within the week."""

    total: int
    overdue: int
    due_this_week: int


@dataclass(frozen=True)
class DecisionInput:
    """The decision the committee secretary records.

    `decision` is "accept", "reject" or "more_info"; `reason` is required for reject and
    more_info; `member_ids` are the accounts present (at least one), each holding a committee role
    (`CommitteeService.committee_accounts`); typed `members` names are taken only on a desk without
    sign-in (`desktop.permissions`: no account to choose from);
    `expected_version` is `CaseFile.version` / `QueueRow.version` as the secretary saw it;
    `info_due` (Hijri or Gregorian text) is by when the information must come (more_info;
    default: 14 days).
    """

    decision: str
    reason: str
    members: tuple[str, ...] = ()
    expected_version: int | None = None
    info_due: str = ""
    member_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class CommitteeAccount:
    """An account that may sit on the committee (holding the committee member or secretary role)."""

    account_id: UUID
    full_name: str
    roles_ar: str


@dataclass(frozen=True)
class DecisionResult:
    """What a recorded decision produced: the decision, the case file after it, the stored letter."""

    decision: DecisionView
    case_file: CaseFile
    letter_sha256: str
    letter_path: Path


@dataclass(frozen=True)
class NotificationView:
    """The text to send the beneficiary by SMS or WhatsApp, and the wa.me link to open."""

    case_number: str
    beneficiary_name: str
    phone: str | None
    phone_local: str
    text: str
    whatsapp_url: str | None
    sms_url: str | None


# --------------------------------------------------------------------------- service delivery


@dataclass(frozen=True)
class ServiceInput:
    """A service delivered: its kind, an amount in riyals and/or support in kind, and the date (today if empty)."""

    kind: str
    amount: str = ""
    in_kind: str = ""
    delivered_on: str = ""
    note: str = ""


# --------------------------------------------------------------------------- follow-ups


@dataclass(frozen=True)
class FollowUpRow:
    """Something to follow up before the beneficiary asks: who, what, and since (or until) when.

    `kind` is "document_expiring", "decision_overdue", "decision_due", "signature_pending" or
    "referral_unanswered"; `days` is the days left (documents, decisions due) or the days
    waited (overdue, signatures, referrals).
    """

    kind: str
    case_id: UUID
    case_number: str
    beneficiary_name: str
    mobile_local: str
    what: str
    since: date | None
    since_text: str
    days: int


@dataclass(frozen=True)
class FollowUps:
    """The follow-up lists, each sorted most urgent first."""

    documents_expiring: tuple[FollowUpRow, ...]
    decisions_overdue: tuple[FollowUpRow, ...]
    decisions_due_this_week: tuple[FollowUpRow, ...]
    signatures_pending: tuple[FollowUpRow, ...]
    referrals_unanswered: tuple[FollowUpRow, ...]
    as_of: date
    as_of_text: str

    @property
    def total(self) -> int:
        """How many rows all the lists hold."""
        return (
            len(self.documents_expiring)
            + len(self.decisions_overdue)
            + len(self.decisions_due_this_week)
            + len(self.signatures_pending)
            + len(self.referrals_unanswered)
        )


# --------------------------------------------------------------------------- suggestions and complaints


@dataclass(frozen=True)
class SuggestionInput:
    """A suggestion or complaint as received: kind ("suggestion"/"complaint"), channel of the policy, text.

    `beneficiary_id` or `case_number` link it to a file (optional: it may be anonymous);
    `due` (Hijri or Gregorian text) overrides the default due date.
    """

    kind: str
    channel_id: str
    text: str
    beneficiary_id: UUID | None = None
    case_number: str = ""
    due: str = ""


@dataclass(frozen=True)
class SuggestionEventView:
    """One step in a suggestion's follow-up: received, routed, answered, closed."""

    action: str
    label: str
    note: str
    to_role: str | None
    by: str | None
    at: datetime
    at_text: str


@dataclass(frozen=True)
class SuggestionView:
    """A suggestion or complaint with its routing, answer, due date and history."""

    suggestion_id: UUID
    kind: str
    kind_label: str
    channel_id: str | None
    channel_name: str
    text: str
    status: str
    status_label: str
    beneficiary_id: UUID | None
    beneficiary_name: str
    case_id: UUID | None
    case_number: str
    received_at: datetime
    received_text: str
    due_date: date | None
    due_text: str
    days_left: int | None
    overdue: bool
    routed_to: str | None
    routed_to_label: str
    response: str
    closed_at: datetime | None
    history: tuple[SuggestionEventView, ...] = field(default=())
