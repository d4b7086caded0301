"""Reception: the active policy's guided steps as recorded actions (the contract the GUI uses).

The GUI imports only the names below; everything a service returns is a plain frozen dataclass. The parts:
`service` (the façade `ReceptionService`), `intake`, `registry` (step kinds → handlers), `steps`, `verify`,
`declare`, `rescue_steps` (the handlers), `correction` (verified particulars corrected with a reason), `particulars` (the one check of the particulars), `documents` (the
printed documents as plain functions), `work` (the shared machinery), `rules` (step order), `rescue`
(distances, platforms), `views` (what is handed out).
"""

from __future__ import annotations

from desktop.attachments import MAX_BYTES as MAX_ATTACHMENT_BYTES
from desktop.gender import GENDER_CHOICES
from desktop.reception.declare import DeclareStep
from desktop.reception.intake import UNFINISHED
from desktop.reception.documents import (
    DOCUMENT_KINDS,
    case_profile,
    find_case,
    render_blank_declaration,
    render_declaration,
    render_document,
    render_missing_documents,
    render_receipt,
)
from desktop.reception.correction import (
    CORRECTABLE_FIELDS,
    SUPERVISOR_ROLES,
    CorrectionResult,
    FieldChange,
    ParticularsCorrection,
)
from desktop.policy_text import (
    CASE_WORDS,
    PRIVACY_ACKNOWLEDGEMENT,
    PRIVACY_TITLE,
    CaseWords,
    case_words,
    privacy_notice,
)
from desktop.reception.outcome import reception_outcome
from desktop.reception.particulars import SAUDI_CITIES, Particulars, check_particulars, household_required
from desktop.reception.registry import STEP_HANDLERS, KindRegistry, Procedure, StepHandler, procedure_of, step_handler
from desktop.reception.rescue import REPORT_PLATFORMS
from desktop.reception.rescue_steps import DispatchStep, EscalateStep, HelpStep, ReportStep
from desktop.reception.rules import can_defer_signature
from desktop.reception.service import ReceptionService
from desktop.documents.catalogue import title_of as document_title
from desktop.money import parse_amount
from desktop.reception.steps import GreetStep, NotifyCommitteeStep, ReferStep, RegisterStep, ServeStep
from desktop.reception.verify import VerifyStep
from desktop.reception.views import (
    BeneficiaryMatch,
    BeneficiaryView,
    CaseView,
    DocumentInput,
    DocumentView,
    DraftSummary,
    ListedDocument,
    MemberView,
    ParticularsInput,
    ReceptionError,
    ReferralView,
    ReportView,
    StepState,
    StoredDocument,
)
from desktop.reception.work import LIMITS

__all__ = [
    "CASE_WORDS",
    "CaseWords",
    "case_words",
    "privacy_notice",
    "PRIVACY_ACKNOWLEDGEMENT",
    "PRIVACY_TITLE",
    "CORRECTABLE_FIELDS",
    "GENDER_CHOICES",
    "SAUDI_CITIES",
    "SUPERVISOR_ROLES",
    "CorrectionResult",
    "FieldChange",
    "ParticularsCorrection",
    "DOCUMENT_KINDS",
    "LIMITS",
    "MAX_ATTACHMENT_BYTES",
    "REPORT_PLATFORMS",
    "STEP_HANDLERS",
    "UNFINISHED",
    "BeneficiaryMatch",
    "BeneficiaryView",
    "CaseView",
    "DeclareStep",
    "DispatchStep",
    "DocumentInput",
    "DocumentView",
    "DraftSummary",
    "EscalateStep",
    "GreetStep",
    "HelpStep",
    "KindRegistry",
    "ListedDocument",
    "MemberView",
    "NotifyCommitteeStep",
    "Particulars",
    "ParticularsInput",
    "Procedure",
    "ReceptionError",
    "ReceptionService",
    "ReferStep",
    "ReferralView",
    "RegisterStep",
    "ReportStep",
    "ReportView",
    "ServeStep",
    "StepHandler",
    "StepState",
    "StoredDocument",
    "VerifyStep",
    "can_defer_signature",
    "case_profile",
    "check_particulars",
    "household_required",
    "find_case",
    "document_title",
    "parse_amount",
    "procedure_of",
    "reception_outcome",
    "render_blank_declaration",
    "render_declaration",
    "render_document",
    "render_missing_documents",
    "render_receipt",
    "step_handler",
]
