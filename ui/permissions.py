"""What the screens hide from the account signed in: only hiding — the services decide (`desktop.permissions`).

Read from the signed-in `SessionIdentity` held in memory (no database, so safe on the GUI thread); a desk
without sign-in (identity None: the legacy desk) hides nothing, as its services refuse nothing.
"""

from __future__ import annotations

from desktop.permissions import Action, may
from desktop.session_identity import SessionIdentity

__all__ = ["SECTION_ACTIONS", "may_do", "role_hidden_sections"]

#: The action a section is for: a section whose action the account may not do is hidden.
SECTION_ACTIONS: dict[str, Action] = {
    "reception": Action.RECEIVE_CASE,
    "cases": Action.SEE_CASES,
    "committee": Action.VIEW_COMMITTEE_QUEUE,
    "satisfaction": Action.SATISFACTION_SLIPS,
    "reports": Action.DASHBOARDS,
}


def may_do(identity: SessionIdentity | None, action: Action) -> bool:
    """True when the signed-in account may do `action` (a screen asks before showing a button)."""
    return may(identity.roles if identity is not None else None, action)


def role_hidden_sections(identity: SessionIdentity | None) -> frozenset[str]:
    """The sections the signed-in account has no use for (their action is not its roles')."""
    return frozenset(key for key, action in SECTION_ACTIONS.items() if not may_do(identity, action))
