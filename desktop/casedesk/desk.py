"""The case desk as the screens hold it: one object giving each service of the desk by its seam.

`CaseDesk(workspace)` builds the six services on one workspace and one clock; a screen calls
`desk.files.case_file(...)`, `desk.committee.decide(...)` and so on (always through `ui.ops`). The services
are independent (each its own unit of work per call), so a screen that needs only one may build that one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from desktop.casedesk.casefile import CaseFileService
from desktop.casedesk.committee import CommitteeService
from desktop.casedesk.delivery import ServiceDelivery
from desktop.casedesk.eligibility import EligibilityService
from desktop.casedesk.followups import FollowUpService
from desktop.casedesk.reportdesk import ReportDesk
from desktop.casedesk.suggestions import SuggestionService
from desktop.workspace import Workspace

__all__ = ["CaseDesk"]


class CaseDesk:
    """The case desk's services on one workspace and clock.

    `files` (case file, timeline, documents), `eligibility` (document check, interview, recommendation),
    `committee` (queue, decisions, letters, notices), `delivery` (services, closing), `follow_ups`,
    `suggestions` (suggestions and complaints), `reports` (a rescue report's file and its actions).
    """

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        self.files = CaseFileService(workspace, clock=clock)
        self.eligibility = EligibilityService(workspace, clock=clock)
        self.committee = CommitteeService(workspace, clock=clock)
        self.delivery = ServiceDelivery(workspace, clock=clock)
        self.follow_ups = FollowUpService(workspace, clock=clock)
        self.suggestions = SuggestionService(workspace, clock=clock)
        self.reports = ReportDesk(workspace, clock=clock)
