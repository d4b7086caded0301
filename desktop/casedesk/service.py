"""What every case desk service is built on: `CaseWork` raising `CaseDeskError`, worded for the desk's screens.

The case desk is split along its seams, each service one module sharing this base (see `desktop.casedesk.desk`
for the bundle the GUI holds):

* `casefile.CaseFileService` — the case file, its timeline and its stored documents;
* `eligibility.EligibilityService` — the document examination, the interview, the researcher's recommendation;
* `committee.CommitteeService` — the queue, decisions with optimistic concurrency, the letter, the notice;
* `delivery.ServiceDelivery` — services delivered on accepted cases, and closing a case;
* `followups.FollowUpService` — what to follow up before the beneficiary asks;
* `suggestions.SuggestionService` — suggestions and complaints.

Decisions shared by all of them:

* Every public method is one unit of work (`Database.session()`, one per user action): all input
  is validated first, then written; a refusal is a `CaseDeskError` with an Arabic reason and
  nothing is stored. The officer and this PC are found as the reception service finds them
  (`desktop.casework`: the signed-in account, the OS login's on a desk without sign-in; the earliest enrolled
  device other than the demo data's).
* Every public method is `@guarded` by its action (`desktop.permissions`): refused, before anything is read,
  unless the acting account's roles may do it; what it may not read (assessments, notes of `sensitive` steps)
  comes back `REDACTED`.
* Status changes follow `desktop.cases.states.TRANSITIONS`, each audited ("status_changed").
* Dates shown are Riyadh dates in Hijri and Gregorian; times in Riyadh.
"""

from __future__ import annotations

from db.models import Case
from desktop.arabic_text import identifier_text
from desktop.casedesk.views import CaseDeskError
from desktop.casework import CaseWork

__all__ = ["CaseDeskWork"]


class CaseDeskWork(CaseWork):
    """The base of the case desk services: the case context of `CaseWork`, refusals as `CaseDeskError`."""

    _error = CaseDeskError

    def _closed_message(self, case: Case) -> str:
        return f"الطلب {identifier_text(case.case_number)} مغلق: لا يمكن تعديله"
