"""The case desk (issue 5): case list and search, case file, eligibility, committee, letters, follow-ups.

The GUI imports only the names below; everything returned is a plain frozen dataclass. One service per seam
(`CaseFileService`, `EligibilityService`, `CommitteeService`, `ServiceDelivery`, `FollowUpService`,
`SuggestionService`), bundled for the screens by `CaseDesk`; `CaseListService` lists and searches.
"""

from __future__ import annotations

from desktop.casedesk.listing import (
    CaseFilter,
    CaseListService,
    CasePage,
    CaseRow,
    CaseSort,
    Choice,
    FilterChoices,
    ReportCells,
)
from desktop.casedesk.search import SearchQuery, beneficiary_ids, understand
# case desk services, one per seam, and the bundle the screens hold
from desktop.casedesk.casefile import CaseFileService
from desktop.casedesk.committee import CommitteeService
from desktop.casedesk.delivery import ServiceDelivery
from desktop.casedesk.desk import CaseDesk
from desktop.casedesk.eligibility import EligibilityService
from desktop.casedesk.followups import FollowUpService
from desktop.casedesk.reportdesk import ReportDesk, ReportFile, ReportMoment, minutes_text
from desktop.casedesk.suggestions import SuggestionService
from desktop.casedesk.views import (
    CHECK_RESULTS,
    DECISIONS,
    INFORMED_HOW,
    INTERVIEW_ANSWERS,
    SUGGESTION_ROUTES,
    CaseDeskError,
    CaseFile,
    CommitteeAccount,
    DecisionInput,
    DecisionResult,
    DecisionView,
    DocumentCheckInput,
    DocumentState,
    EligibilityView,
    FollowUpRow,
    FollowUps,
    InformedView,
    InterviewAnswerInput,
    InterviewInput,
    InterviewQuestion,
    MechanismView,
    NotificationView,
    QueueRow,
    QueueSummary,
    RecommendationView,
    ServiceInput,
    ServiceView,
    SuggestionEventView,
    SuggestionInput,
    SuggestionView,
    TimelineEntry,
)

__all__ = [
    "CHECK_RESULTS",
    "DECISIONS",
    "INFORMED_HOW",
    "INTERVIEW_ANSWERS",
    "SUGGESTION_ROUTES",
    "CaseDesk",
    "CaseDeskError",
    "CaseFileService",
    "CommitteeService",
    "EligibilityService",
    "FollowUpService",
    "ReportDesk",
    "ReportFile",
    "ReportMoment",
    "minutes_text",
    "ServiceDelivery",
    "SuggestionService",
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
    "ServiceInput",
    "ServiceView",
    "SuggestionEventView",
    "SuggestionInput",
    "SuggestionView",
    "TimelineEntry",
    "CaseFilter",
    "CaseListService",
    "CasePage",
    "CaseRow",
    "ReportCells",
    "CaseSort",
    "Choice",
    "FilterChoices",
    "SearchQuery",
    "beneficiary_ids",
    "understand",
]
