"""Who may see and do what (issue 13): every role against every protected action, at the service layer.

One real desk (SQLite, the real reception and case desk services) with a case at each stage, made before any
account had a password (the legacy desk); then an administrator and one account per role are created, and each
test signs one in and calls the action's service method: allowed, or refused with the table's Arabic message.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from db.models import UserRole
from desktop.casedesk import CaseDesk, DecisionInput, InterviewAnswerInput, InterviewInput
from desktop.casedesk.listing import CaseFilter, CaseListService, CaseSort
from desktop.errors import InputError
from desktop.permissions import (
    NOT_SIGNED_IN,
    PERMISSIONS,
    REDACTED,
    SENSITIVE_READERS,
    Action,
    PermissionDenied,
    refusal,
    require,
)
from desktop.reception import ReceptionService
from desktop.reports.dashboard import DashboardService
from desktop.reports.views import Period
from desktop.satisfaction.service import SurveyService
from desktop.session_identity import SessionIdentity
from desktop.staff import NOT_ADMIN, HashParameters, StaffService
from desktop.sync.service import SyncService
from desktop.workspace import Workspace
from tests.accounts import one_account_per_role
from tests.desktop.casedesk._factory import Desk, make_desk

QUICK = HashParameters(time_cost=1, memory_kib=8192)
PERIOD = Period(date(2025, 10, 1), date(2025, 11, 30), "أكتوبر ونوفمبر ٢٠٢٥")


@dataclass
class World:
    """The desk, its cases and one signed-in identity per role."""

    desk: Desk
    received: uuid.UUID
    awaiting: uuid.UUID
    identities: dict[UserRole, SessionIdentity]
    committee_ids: tuple[uuid.UUID, ...]
    new_policy: Path
    policy_text: str
    versions: Iterator[int] = itertools.count(1)

    def next_policy(self) -> Path:
        """The policy file with a version never adopted (each adoption is a new version)."""
        version = f'version = "2099-{next(self.versions):02d}"'
        self.new_policy.write_text(re.sub(r'(?m)^version = "[^"]*"', version, self.policy_text), "utf-8")
        return self.new_policy

    @property
    def ws(self) -> Workspace:
        return self.desk.workspace

    @property
    def reception(self) -> ReceptionService:
        return ReceptionService(self.ws)

    @property
    def cases(self) -> CaseDesk:
        return CaseDesk(self.ws)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """mafateeh-alkhair's desk: a received case, a case awaiting the committee, then the accounts."""
    root = tmp_path_factory.mktemp("roles")
    made = make_desk(root)
    source = (Path(__file__).parents[2] / "resources" / "policies" / "mafateeh-alkhair.toml").read_text("utf-8")
    new_policy = root / "mafateeh-alkhair.toml"  # the same policy, a new version at each adoption
    received = uuid.UUID(hex=made.received())
    awaiting = uuid.UUID(hex=made.awaiting())
    identities = one_account_per_role(made.workspace)
    committee = tuple(identities[r].account_id for r in (UserRole.COMMITTEE, UserRole.COMMITTEE_SECRETARY))
    yield World(made, received, awaiting, identities, committee, new_policy, source)
    made.workspace.close()


#: One call per protected action (READ_SENSITIVE is a redaction, tested below; accounts answer NOT_ADMIN).
CALLS: dict[Action, Callable[[World], Any]] = {
    Action.SEE_CASES: lambda w: CaseListService(w.ws).page(CaseFilter(), CaseSort.NEWEST, limit=5),
    Action.RECEIVE_CASE: lambda w: w.reception.start_contact("interview", "service_request"),
    Action.VERIFY_PARTICULARS: lambda w: w.reception.correct_particulars(w.received, w.desk.particulars(), "خطأ"),
    Action.PRINT_DOCUMENTS: lambda w: w.reception.render_document(w.received, "blank_declaration"),
    Action.RECORD_ASSESSMENT: lambda w: w.cases.eligibility.record_interview(
        w.received, InterviewInput((), "ملاحظات المقابلة")),
    Action.VIEW_COMMITTEE_QUEUE: lambda w: w.cases.committee.committee_queue(),
    Action.RECORD_DECISION: lambda w: w.cases.committee.decide(
        w.awaiting, DecisionInput("accept", "", member_ids=w.committee_ids)),
    Action.MANAGE_COMMITTEE: lambda w: w.cases.committee.resubmit_to_committee(w.received, "استكملت المعلومات"),
    Action.INFORM_BENEFICIARY: lambda w: w.cases.committee.record_informed(w.awaiting, "phone"),
    Action.REGISTER_SERVE: lambda w: w.cases.delivery.complete_registration(w.received),
    Action.RESCUE_DISPATCH: lambda w: w.reception.escalate(w.received, "تصعيد"),
    Action.RESCUE_MEMBERS: lambda w: w.reception.add_member("سعد", "0501234567", "24.7", "46.7"),
    Action.SUGGESTIONS: lambda w: w.cases.suggestions.suggestions(),
    Action.DASHBOARDS: lambda w: DashboardService(w.ws).figures(PERIOD),
    Action.CORRECTIVE_ACTIONS: lambda w: DashboardService(w.ws).record_corrective_action(
        finding="تأخر", action="متابعة", owner="المدير", due_date=date(2025, 12, 1)),
    Action.SATISFACTION_SLIPS: lambda w: SurveyService(w.ws).issue_slip(w.received),
    Action.SATISFACTION_ADMIN: lambda w: SurveyService(w.ws).set_officer_pin("2468"),
    Action.SYNC_RUN: lambda w: SyncService(w.ws).enroll("http://127.0.0.1:9", "ABCD-EFGH"),
    Action.SYNC_SUPERVISE: lambda w: SyncService(w.ws).conflicts(),
    Action.ACCOUNTS_SETTINGS: lambda w: w.ws.set_digit_style("latin"),
    Action.POLICY_IMPORT: lambda w: w.ws.import_profile(w.next_policy()),
}


def test_every_protected_action_is_in_the_table_and_called_here() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert set(CALLS) | {Action.READ_SENSITIVE} == set(Action)
    assert all(PERMISSIONS[action] for action in Action)  # every action has someone who may


def test_the_refusal_names_the_action_and_who_may() -> None:
    officer = ("officer",)
    with pytest.raises(PermissionDenied) as refused:
        require(officer, Action.RECORD_DECISION)
    assert refused.value.message_ar == "لا يملك حسابك صلاحية تسجيل قرار اللجنة؛ هذا لـأمين سر اللجنة."
    assert "مسؤول البحث الاجتماعي أو أمين سر اللجنة أو لجنة البحث أو المدير" in refusal(Action.READ_SENSITIVE)


@pytest.mark.parametrize("action", sorted(CALLS, key=str))
@pytest.mark.parametrize("role", list(UserRole), ids=str)
def test_each_role_against_each_action(world: World, role: UserRole, action: Action) -> None:
    """Allowed: whatever the action then says (done, or refused for the case's state) is not a permission
    refusal. Not allowed: refused before anything is read or written, with the table's message."""
    world.ws.sign_in(world.identities[role])
    allowed = role in PERMISSIONS[action]
    expected = refusal(action)
    try:
        CALLS[action](world)
    except InputError as error:
        if allowed:
            assert error.message_ar != expected, f"{role} refused {action}"
        else:
            assert error.message_ar == expected
        return
    except Exception as error:  # noqa: BLE001 - an allowed call may fail on its own (no server listening)
        assert allowed, f"{role} was not refused {action}: {type(error).__name__}"
        return
    finally:
        world.ws.sign_out()
    assert allowed, f"{role} was not refused {action}"


def test_account_management_is_the_administrators(world: World) -> None:
    staff = StaffService(world.ws.db, parameters=QUICK)
    for role, identity in world.identities.items():
        if role is UserRole.ADMIN:
            assert staff.list_accounts(identity)
        else:
            with pytest.raises(InputError) as refused:
                staff.list_accounts(identity)
            assert refused.value.message_ar == NOT_ADMIN


def test_nobody_signed_in_is_refused_once_accounts_exist(world: World) -> None:
    world.ws.sign_out()
    with pytest.raises(InputError) as refused:
        CaseListService(world.ws).page(CaseFilter(), CaseSort.NEWEST, limit=5)
    assert refused.value.message_ar == NOT_SIGNED_IN


def test_an_officer_cannot_record_a_committee_decision(world: World) -> None:
    world.ws.sign_in(world.identities[UserRole.OFFICER])
    try:
        with pytest.raises(InputError) as refused:
            world.cases.committee.decide(world.awaiting, DecisionInput("accept", "", member_ids=world.committee_ids))
    finally:
        world.ws.sign_out()
    assert refused.value.message_ar == "لا يملك حسابك صلاحية تسجيل قرار اللجنة؛ هذا لـأمين سر اللجنة."


def test_decision_members_are_committee_accounts(world: World) -> None:
    """The secretary chooses present members among the committee's accounts; an officer's id or typed names
    are refused once the desk signs in."""
    world.ws.sign_in(world.identities[UserRole.COMMITTEE_SECRETARY])
    try:
        accounts = world.cases.committee.committee_accounts()
        assert {a.account_id for a in accounts} == set(world.committee_ids)
        officer = world.identities[UserRole.OFFICER].account_id
        with pytest.raises(InputError, match="ليس عضوًا نشطًا في لجنة البحث"):
            world.cases.committee.decide(world.awaiting, DecisionInput("accept", "", member_ids=(officer,)))
        with pytest.raises(InputError, match="لا تُكتب الأسماء"):
            world.cases.committee.decide(world.awaiting, DecisionInput("accept", "", members=("سعد",)))
    finally:
        world.ws.sign_out()


def test_sensitive_readers_are_the_researcher_the_committee_and_the_manager() -> None:
    assert SENSITIVE_READERS == {UserRole.RESEARCHER, UserRole.COMMITTEE_SECRETARY, UserRole.COMMITTEE,
                                 UserRole.MANAGER}


# --------------------------------------------------------------------------- a mental-health association


@pytest.fixture
def qader(tmp_path: Path) -> Iterator[tuple[Desk, dict[UserRole, SessionIdentity], uuid.UUID]]:
    """جمعية قادر لتعزيز الصحة النفسية: a received case with the greeting's note (a step the policy marks
    sensitive) and an interview recorded by the researcher."""
    made = make_desk(tmp_path, "qader-tabuk")
    view = made.reception.start_contact(made.reception.profile.channels[0].id, "support_request")
    made.reception.complete_greet(view.case_id, "يتابع مع طبيب نفسي منذ سنتين")
    made.reception.complete_verify(view.case_id, made.particulars(), [])
    identities = one_account_per_role(made.workspace)
    made.workspace.sign_in(identities[UserRole.RESEARCHER])
    questions = CaseDesk(made.workspace).eligibility.eligibility(view.case_id).questions
    CaseDesk(made.workspace).eligibility.record_interview(view.case_id, InterviewInput(
        (InterviewAnswerInput(questions[0].question_id, "met", "نوبات هلع متكررة"),), "يحتاج جلسات علاج أسبوعية"))
    made.workspace.sign_out()
    yield made, identities, view.case_id
    made.workspace.close()


def test_an_officer_cannot_read_the_interview_notes_of_a_mental_health_case(
    qader: tuple[Desk, dict[UserRole, SessionIdentity], uuid.UUID],
) -> None:
    made, identities, case_id = qader
    for role in UserRole:
        made.workspace.sign_in(identities[role])
        desk = CaseDesk(made.workspace)
        try:
            if role not in PERMISSIONS[Action.SEE_CASES]:
                with pytest.raises(InputError):
                    desk.eligibility.eligibility(case_id)
                continue
            view = desk.eligibility.eligibility(case_id)
            timeline = " ".join(f"{e.title} {e.detail}" for e in desk.files.timeline(case_id))
        finally:
            made.workspace.sign_out()
        if role in SENSITIVE_READERS:
            assert view.interview_notes == "يحتاج جلسات علاج أسبوعية" and not view.sensitive_hidden
            assert view.questions[0].note == "نوبات هلع متكررة"
            assert "يتابع مع طبيب نفسي" in timeline
        else:
            assert view.interview_notes == REDACTED and view.sensitive_hidden and not view.editable
            assert view.questions[0].note == REDACTED and view.questions[0].answer is None
            for secret in ("يحتاج جلسات", "نوبات هلع", "طبيب نفسي"):
                assert secret not in timeline
            assert REDACTED in timeline


def test_a_backup_to_a_drive_and_a_restore_preview_are_the_settings_not_an_officers(tmp_path) -> None:
    """The backups box is hidden from an officer; the service refuses them too (a restore replaces the data),
    while the automatic backup at close runs for whoever is at the desk."""
    from desktop.backup import BackupKind
    from desktop.backup_desk import BackupDesk
    from desktop.workspace import Workspace
    from tests.accounts import PASSWORD, add_account, sign_in_desk
    from tests.templates import seed_data_dir

    workspace = Workspace.open(seed_data_dir(tmp_path / "desk"))
    try:
        workspace.adopt_builtin_profile("mafateeh-alkhair")
        sign_in_desk(workspace)
        add_account(workspace, "khalid", "خالد الحربي", [UserRole.OFFICER.value])
        officer = workspace.staff().verify_sign_in("khalid", PASSWORD)
        workspace.sign_in(officer)
        desk = BackupDesk(workspace)
        with pytest.raises(PermissionDenied) as refused:
            desk.backup_to(tmp_path / "usb")
        assert "مسؤول النظام" in refused.value.message_ar
        with pytest.raises(PermissionDenied):
            desk.set_keep(3)
        assert desk.automatic(BackupKind.CLOSE) is not None
    finally:
        workspace.close()
