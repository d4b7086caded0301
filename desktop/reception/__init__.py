"""Reception: the active policy's guided steps as recorded actions (the contract the GUI uses).

The GUI imports only the names below; everything returned is a plain frozen dataclass.
See `desktop.reception.service` and `desktop.reception.rules` for the decisions recorded there.
"""

from __future__ import annotations

from desktop.attachments import MAX_BYTES as MAX_ATTACHMENT_BYTES
from desktop.reception.rules import can_defer_signature
from desktop.reception.service import DOCUMENT_KINDS, LIMITS, ReceptionService
from desktop.reception.views import (
    BeneficiaryMatch,
    BeneficiaryView,
    CaseView,
    DocumentInput,
    DocumentView,
    DraftSummary,
    MemberView,
    ParticularsInput,
    ReceptionError,
    ReferralView,
    ReportView,
    StepState,
    StoredDocument,
)
from desktop.reception.rescue import REPORT_PLATFORMS

__all__ = [
    "DOCUMENT_KINDS",
    "LIMITS",
    "MAX_ATTACHMENT_BYTES",
    "REPORT_PLATFORMS",
    "BeneficiaryMatch",
    "BeneficiaryView",
    "CaseView",
    "DocumentInput",
    "DocumentView",
    "DraftSummary",
    "MemberView",
    "ParticularsInput",
    "ReceptionError",
    "ReceptionService",
    "ReferralView",
    "ReportView",
    "StepState",
    "StoredDocument",
    "can_defer_signature",
]
