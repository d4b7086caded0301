"""«المحالة إليّ»: a referral is addressed to the step's policy role and reaches every account holding it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AppUser, Referral
from desktop.casedesk.listing import CaseFilter, CaseListService, CaseSort
from desktop.reception import DocumentInput, ReceptionService
from desktop.workspace import Workspace, os_username
from tests.desktop.reception.conftest import particulars
from tests.templates import seed_data_dir


@pytest.fixture
def adopted(tmp_path: Path) -> Iterator[Callable[[str], Workspace]]:
    """A workspace with a built-in policy adopted (closed after the test)."""
    opened: list[Workspace] = []

    def factory(profile_id: str) -> Workspace:
        ws = Workspace.open(seed_data_dir(tmp_path / profile_id))
        ws.adopt_builtin_profile(profile_id)
        opened.append(ws)
        return ws

    yield factory
    for ws in opened:
        ws.close()


def _referred(ws: Workspace, *, to_person: str | None = None) -> uuid.UUID:
    """A support request verified and referred at the policy's refer step."""
    reception = ReceptionService(ws)
    view = reception.start_contact(reception.profile.channels[0].id, reception.profile.case_kinds[0].id)
    reception.complete_greet(view.case_id)
    reception.complete_verify(view.case_id, particulars(), [DocumentInput("صورة الهوية الوطنية", True)])
    return reception.refer(view.case_id, "لم تتضح له شروط الدعم", to_person=to_person).case_id


def _set_my_role(ws: Workspace, role: str) -> None:
    """The account of the person at this PC gets `role` (as `mustafid-admin users set-role` does)."""
    with ws.db.session() as session:
        user = session.scalars(select(AppUser).where(AppUser.username == os_username())).one()
        user.set_roles([role])  # the account's roles, not only its first (the list reads every role it holds)


def _to_me(ws: Workspace) -> set[uuid.UUID]:
    page = CaseListService(ws).page(CaseFilter(referred_to_me=True), CaseSort.NEWEST, limit=100)
    return {row.case_id for row in page.rows}


@pytest.mark.parametrize(
    ("profile_id", "holder", "other"),
    [
        ("baraah", "researcher", "committee"),  # مسئول البحث الاجتماعي
        ("tahfeez-bir-bin-hirmas", "researcher", "officer"),
        ("mafateeh-alkhair", "manager", "researcher"),  # المسؤول
    ],
)
def test_referral_to_a_role_reaches_an_officer_holding_it(
    adopted: Callable[[str], Workspace], profile_id: str, holder: str, other: str
) -> None:
    """No person typed: the referral is stored with the role's id and listed for every holder of the role."""
    ws = adopted(profile_id)
    case_id = _referred(ws)
    with ws.db.session(read_only=True) as session:
        referral = session.scalars(select(Referral).where(Referral.case_id == case_id)).one()
    step_role = next(step.role for step in ws.active_profile().steps if step.kind == "refer")  # type: ignore[union-attr]
    assert referral.to_role == step_role and referral.to_user_id is None
    _set_my_role(ws, other)
    assert case_id not in _to_me(ws)
    _set_my_role(ws, holder)
    assert case_id in _to_me(ws)


def test_referral_named_to_me_still_shows_whatever_my_role(adopted: Callable[[str], Workspace]) -> None:
    """Data stays compatible: a referral whose typed name is this PC's officer is his, role or not."""
    ws = adopted("baraah")
    case_id = _referred(ws, to_person=os_username())
    _set_my_role(ws, "committee")
    assert case_id in _to_me(ws)


def test_answered_referral_leaves_the_list(adopted: Callable[[str], Workspace]) -> None:
    """Once its answer is recorded the referral is no longer waiting for anyone."""
    ws = adopted("baraah")
    case_id = _referred(ws)
    _set_my_role(ws, "researcher")
    assert case_id in _to_me(ws)
    ReceptionService(ws).answer_referral(case_id, "شُرحت له الشروط")
    assert case_id not in _to_me(ws)
