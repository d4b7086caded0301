"""Signed-in accounts for the tests: every test of a screen works as somebody who signed in (issue 13).

Hashing at the desk's real cost takes ~0.1 s a secret; the tests hash at `TEST_HASH` (a few milliseconds),
which `tests/ui/conftest.py` makes every test workspace use. Signing in at the gate itself: `tests/ui/accounts.py`.
"""

from __future__ import annotations

from typing import Any

from db.models import UserRole
from desktop.session_identity import SessionIdentity
from desktop.staff import HashParameters
from desktop.workspace import Workspace

__all__ = ["ADMIN_LOGIN", "ADMIN_NAME", "ADMIN_PIN", "ALL_ROLES", "PASSWORD", "TEST_HASH", "add_account",
           "one_account_per_role", "sign_in_desk"]

#: Argon2id at its least cost: the tests check the flow, not the hash's strength.
TEST_HASH = HashParameters(time_cost=1, memory_kib=256, parallelism=1)

ADMIN_LOGIN = "mudir"
ADMIN_NAME = "نورة عبدالله القحطاني"
ADMIN_PIN = "2468"
PASSWORD = "kalimat-sirr-2026"

#: Every role, the administrator first (the primary role, as the first adopter's account had before sign-in):
#: the screens' tests (committee decisions, reports, sync conflicts…) act as somebody allowed to.
ALL_ROLES = [UserRole.ADMIN.value, *(role.value for role in UserRole if role is not UserRole.ADMIN)]


def sign_in_desk(workspace: Workspace, *, roles: list[str] | None = None) -> SessionIdentity:
    """Make the association's first administrator (holding `roles`, every role by default) and sign it in
    through the desk's own call, as the sign-in screen does."""
    workspace.hash_parameters = TEST_HASH
    staff = workspace.staff()
    if not staff.has_administrator():
        admin = workspace.create_first_administrator(ADMIN_LOGIN, ADMIN_NAME, PASSWORD, ADMIN_PIN)
        chosen = roles if roles is not None else ALL_ROLES
        if chosen != [UserRole.ADMIN.value]:
            staff.update_account(admin, ADMIN_LOGIN, roles=chosen)
    return workspace.sign_in_with_password(ADMIN_LOGIN, PASSWORD)


def add_account(workspace: Workspace, login: str, full_name: str, roles: list[str], *,
                pin: str | None = None, active: bool = True) -> None:
    """Another account made by the signed-in administrator (with the tests' password, and a PIN if given)."""
    workspace.hash_parameters = TEST_HASH
    actor = workspace.signed_in
    assert actor is not None, "sign in as the administrator first"
    staff = workspace.staff()
    staff.create_account(actor, login, full_name, roles, password=PASSWORD)
    if pin is not None:
        staff.set_pin(actor, login, pin)
    if not active:
        staff.disable_account(actor, login)



def one_account_per_role(workspace: Workspace) -> dict[UserRole, SessionIdentity]:
    """On a desk without accounts: a first administrator, then one account holding each other role alone, each
    signed in (for the tables of what each role may see and do)."""
    from desktop.staff import StaffService

    staff = StaffService(workspace.db, parameters=TEST_HASH)
    admin = staff.create_first_administrator("walid", "وليد بن سعد العتيبي", PASSWORD)
    identities = {UserRole.ADMIN: admin}
    for index, role in enumerate(role for role in UserRole if role is not UserRole.ADMIN):
        login = f"user{index}"
        staff.create_account(admin, login, f"موظف الاختبار {role.label_ar}", [role.value], password=PASSWORD)
        identities[role] = staff.verify_sign_in(login, PASSWORD)
    return identities


def committee_present(workspace: Workspace, *typed: str) -> dict[str, Any]:
    """The members present at a decision, as `DecisionInput` keywords: the signed-in account (tests sign in as an
    administrator holding every committee role) by its id, as the decision dialog ticks it; on a desk where
    nobody signed in, the `typed` names (or one) as before accounts existed."""
    identity = workspace.signed_in
    if identity is not None:
        return {"member_ids": (identity.account_id,)}
    return {"members": typed or ("د. سارة العمري",)}
