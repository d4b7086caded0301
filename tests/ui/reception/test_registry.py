"""Step kinds as registries: every kind has a service handler and a wizard page; a new kind needs only those two."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import select

from db.models import AuditEvent
from desktop.policy import StepKind, load_builtin_profile
from desktop.reception import STEP_HANDLERS, CaseView, Procedure, ReceptionService, StepHandler, step_handler
from desktop.workspace import Workspace
from ui.ops import operations, run_write
from ui.reception.base import Action, StepPage, WizardContext
from ui.reception.registry import PAGES, page_class, step_page
from ui.reception.wizard import page_for_step
from tests.accounts import sign_in_desk

POLICIES = ("daam-rescue", "tahfeez-bir-bin-hirmas", "qader-tabuk", "mafateeh-alkhair", "baraah")

#: The kinds a procedure can hold: a request never escalates or dispatches (that is what makes a report).
KINDS_OF = {
    Procedure.REQUEST: [kind for kind in StepKind if kind not in (StepKind.ESCALATE, StepKind.DISPATCH)],
    Procedure.REPORT: list(StepKind),
}

TEST_KIND = "test-echo"


@pytest.mark.parametrize("procedure", list(Procedure))
def test_every_step_kind_has_a_handler_and_a_page(procedure: Procedure) -> None:
    """For each procedure, each step kind it may hold resolves to a registered handler class and page class."""
    for kind in KINDS_OF[procedure]:
        handler = STEP_HANDLERS.find(kind, procedure)
        assert handler is not None and issubclass(handler, StepHandler), (kind, procedure)
        assert handler.kind == kind
        page = PAGES.find(kind, procedure)
        assert page is not None and issubclass(page, StepPage), (kind, procedure)
    assert STEP_HANDLERS.find(StepKind.VERIFY, Procedure.REPORT) is not STEP_HANDLERS.find(
        StepKind.VERIFY, Procedure.REQUEST
    )
    assert {kind.value for kind in StepKind} <= STEP_HANDLERS.kinds() and {kind.value for kind in StepKind} <= PAGES.kinds()


@pytest.mark.parametrize("profile_id", POLICIES)
def test_each_policy_step_gets_its_page_and_handler(qtbot, workspace: Workspace, profile_id: str) -> None:
    """Every step of the five policies builds its registered page, holding its step kind's handler."""
    profile = workspace.adopt_builtin_profile(profile_id)
    sign_in_desk(workspace)
    service = ReceptionService(workspace)
    holder = QWidget()
    qtbot.addWidget(holder)
    context = WizardContext(service=service, profile=profile, printer=None, owner=holder)  # type: ignore[arg-type]
    procedure = Procedure.REPORT if profile_id == "daam-rescue" else Procedure.REQUEST
    for step in profile.steps:
        page = page_for_step(context, step, procedure, holder)
        assert type(page) is page_class(step.kind, procedure)
        assert isinstance(page.handler, StepHandler) and page.handler.kind == step.kind
        assert page.handler is service.handler(step.kind)


# --------------------------------------------------------------------------- a kind added by two registrations


class EchoStep(StepHandler):
    """A test-only step kind: it records the officer's words on the case (a real write, audited)."""

    def echo(self, case_id: uuid.UUID, words: str) -> CaseView:
        """Record the words in the case's audit trail and return the case."""
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            self._audit(ctx, "echo", {"words": words})
            return self._view(session, ctx.case, ctx.profile)


class EchoPage(StepPage[EchoStep]):
    """The test-only kind's page: one label, and Next records the words."""

    def __init__(self, context: WizardContext, step: object, handler: EchoStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)  # type: ignore[arg-type]
        self.words = QLabel("صدى", self)
        self.body.addWidget(self.words)

    def action(self) -> Action | None:
        """Record the words."""
        handler, case_id, words = self.handler, self.case_id, self.words.text()
        return lambda: handler.echo(case_id, words)


@pytest.fixture
def echo_kind() -> Iterator[str]:
    """The test-only kind registered (handler and page only), and taken out again afterwards."""
    step_handler(TEST_KIND)(EchoStep)
    step_page(TEST_KIND)(EchoPage)
    yield TEST_KIND
    STEP_HANDLERS.remove(TEST_KIND)
    PAGES.remove(TEST_KIND)


def test_a_new_step_kind_needs_only_its_handler_and_its_page(qtbot, adopted_workspace: Workspace, echo_kind: str) -> None:
    """Registering a handler and a page is all: the wizard builds the page with the handler, and its action writes."""
    service = ReceptionService(adopted_workspace)
    profile = load_builtin_profile("mafateeh-alkhair")
    step = type(profile.steps[0]).model_construct(
        id="echo", kind=echo_kind, title="صدى", text="يكتب الموظف ما قيل.", mandatory=False, role=None
    )
    holder = QWidget()
    qtbot.addWidget(holder)
    context = WizardContext(service=service, profile=profile, printer=None, owner=holder)  # type: ignore[arg-type]
    page = page_for_step(context, step, Procedure.REQUEST, holder)
    assert isinstance(page, EchoPage) and isinstance(page.handler, EchoStep)
    assert service.handler(echo_kind) is page.handler

    case = service.start_contact("interview", "service_request")
    page.show_case(case, None)
    action = page.action()
    assert action is not None
    done: list[CaseView] = []
    run_write(holder, action, done.append)
    assert operations().wait()
    assert done and done[0].case_id == case.case_id
    with adopted_workspace.db.session(read_only=True) as session:
        details = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "echo")).all()
    assert [d["words"] for d in details] == ["صدى"]
