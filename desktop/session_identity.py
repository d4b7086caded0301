"""Who is signed in at this desk: the small value the services read instead of the operating-system login.

`desktop.staff.StaffService.verify_sign_in` (and `verify_pin`) return a `SessionIdentity`; the desk hands it
to `desktop.workspace.Workspace.sign_in`, and every `desktop.casework.CaseWork` service then stamps, audits
and prints under that account. No database, no Qt: a plain frozen value that any thread may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the gate imports this module before the first window: uuid costs it 4 ms
    import uuid

__all__ = ["PIN_MAX_LENGTH", "PIN_MIN_LENGTH", "SessionIdentity"]

#: The idle lock's PIN: 4 to 6 digits (the gate's label and `desktop.staff`'s check read these).
PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 6


@dataclass(frozen=True, repr=False)
class SessionIdentity:
    """The signed-in account: its id, login, full Arabic name and the roles it holds (primary role first)."""

    account_id: uuid.UUID
    login: str
    full_name: str
    roles: tuple[str, ...]

    @property
    def primary_role(self) -> str:
        """The account's first role (what a reader of one role, `AppUser.role`, sees)."""
        return self.roles[0] if self.roles else ""

    def holds(self, role: str) -> bool:
        """True when the account holds `role` (a `db.models.UserRole` value)."""
        return str(role) in self.roles

    def __repr__(self) -> str:
        # The name is personal data: a repr may reach a log or a traceback, so it carries the id only.
        return f"SessionIdentity(account_id={self.account_id.hex}, roles={self.roles!r})"
