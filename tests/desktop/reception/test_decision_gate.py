"""The decision gate, per seed profile with a research committee: no registration or service before acceptance,
none after a rejection, and an inquiry that ends at the answer without the committee."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import Case, Service, StepCompletion
from desktop.casedesk import CaseDesk, CaseDeskError, ServiceInput
from desktop.policy import ProfileError, StepKind, load_builtin_profile, load_profile_text
from desktop.reception import CaseView, ReceptionError, ReceptionService
from desktop.workspace import Workspace

from .conftest import PROFILES, committee_decides, documents, particulars, signature_png

#: The seed profiles whose policy promises a committee decision (all but the rescue association's).
COMMITTEE_PROFILES = tuple(p for p in PROFILES if load_builtin_profile(p).has_committee)


def _to_the_committee(service: ReceptionService) -> CaseView:
    """A request received in person and walked to the committee notice, as the officer would."""
    profile = service.profile
    channel = next(c for c in profile.channels if c.kind.value == "in_person")
    view = service.start_contact(channel.id, profile.case_kinds[0].id)
    while view.current_step is not None:
        kind = StepKind(view.current_step.kind)
        if kind is StepKind.GREET:
            view = service.complete_greet(view.case_id)
        elif kind is StepKind.VERIFY:
            view = service.complete_verify(view.case_id, particulars(), documents())
        elif kind is StepKind.REFER:
            view = service.skip_step(view.case_id, view.current_step.step_id, "الإجراءات واضحة له")
        elif kind is StepKind.DECLARE:
            view = service.sign_declaration(view.case_id, signature_png())
        elif kind is StepKind.NOTIFY_COMMITTEE:
            view = service.notify_committee(view.case_id)
        else:
            raise AssertionError(f"the reception went past the committee notice to {kind}")
    return view


def _written(ws: Workspace, case_id: uuid.UUID) -> tuple[str, int, int]:
    """The case's status, its services and its step completions as stored."""
    with ws.db.session(read_only=True) as session:
        status = session.scalars(select(Case.status).where(Case.id == case_id)).one()
        services = session.scalar(select(func.count()).select_from(Service).where(Service.case_id == case_id)) or 0
        steps = session.scalar(
            select(func.count()).select_from(StepCompletion).where(StepCompletion.case_id == case_id)
        ) or 0
    return status, services, steps


@pytest.mark.parametrize("profile_id", COMMITTEE_PROFILES)
def test_serve_refused_before_acceptance_then_continued_from_the_case_file(
    open_workspace: Callable[[str], Workspace], profile_id: str
) -> None:
    """The reception ends at the notice; register and serve are refused with the reason until the committee
    accepts; then the case file registers and serves (reception's own rules)."""
    ws = open_workspace(profile_id)
    service, desk = ReceptionService(ws), CaseDesk(ws)
    view = _to_the_committee(service)
    assert view.status == "awaiting_committee" and view.awaiting_decision and view.current_step_id is None
    held = [s.status for s in view.steps if s.kind in ("register", "serve")]
    assert held == ["after_decision", "after_decision"]
    before = _written(ws, view.case_id)
    for attempt in (
        lambda: service.complete_register(view.case_id),
        lambda: service.complete_serve(view.case_id, "دعم نقدي", "1500"),
    ):
        with pytest.raises(ReceptionError) as refused:
            attempt()
        assert "لم تقرر لجنة البحث" in refused.value.message_ar
    with pytest.raises(CaseDeskError) as refused_desk:
        desk.delivery.record_service(view.case_id, ServiceInput("دعم نقدي", amount="1500"))
    assert "لم تقرر لجنة البحث" in refused_desk.value.message_ar
    with pytest.raises(CaseDeskError) as refused_desk:
        desk.delivery.complete_registration(view.case_id)
    assert "لم تقرر لجنة البحث" in refused_desk.value.message_ar
    assert _written(ws, view.case_id) == before  # nothing written
    waiting = desk.files.case_file(view.case_id)
    assert not waiting.can_register and not waiting.can_serve and "بانتظار قرار" in waiting.continuation_note

    committee_decides(service, view.case_id, "accept")
    accepted = desk.files.case_file(view.case_id)
    assert accepted.status == "accepted" and accepted.can_register and not accepted.can_serve
    registered = desk.delivery.complete_registration(view.case_id, "اكتمل الملف")
    assert registered.status == "registered" and registered.can_serve and not registered.can_register
    served = desk.delivery.record_service(view.case_id, ServiceInput("دعم نقدي", amount="1500"))
    assert served.status == "served" and len(served.services) == 1
    final = service.case(view.case_id)
    assert final.current_step_id is None and all(s.status == "done" for s in final.steps if s.kind != "refer")


@pytest.mark.parametrize("profile_id", COMMITTEE_PROFILES)
def test_a_rejected_case_is_never_served_it_gets_its_letter_and_closes(
    open_workspace: Callable[[str], Workspace], profile_id: str
) -> None:
    """Serving a rejected case: a clear Arabic reason and nothing written; the rejection letter, then closing."""
    ws = open_workspace(profile_id)
    service, desk = ReceptionService(ws), CaseDesk(ws)
    view = _to_the_committee(service)
    committee_decides(service, view.case_id, "reject", "لا تنطبق شروط الدعم")
    before = _written(ws, view.case_id)
    with pytest.raises(CaseDeskError) as refused:
        desk.delivery.record_service(view.case_id, ServiceInput("دعم نقدي", amount="1500"))
    assert "رفضت لجنة البحث" in refused.value.message_ar
    with pytest.raises(ReceptionError) as refused_reception:
        service.complete_serve(view.case_id, "دعم نقدي", "1500")
    assert "رفضت لجنة البحث" in refused_reception.value.message_ar
    with pytest.raises(CaseDeskError):
        desk.delivery.complete_registration(view.case_id)
    assert _written(ws, view.case_id) == before
    rejected = desk.files.case_file(view.case_id)
    assert not rejected.can_serve and not rejected.can_register and rejected.can_close
    assert "خطاب القرار" in rejected.continuation_note
    assert rejected.decision is not None and rejected.decision.letter_sha256 is not None
    assert desk.committee.decision_letter(view.case_id).startswith(b"%PDF")
    closed = desk.delivery.close_case(view.case_id, "رُفض الطلب وسُلّم خطاب القرار")
    assert closed.status == "closed" and closed.closed_at is not None


@pytest.mark.parametrize("profile_id", COMMITTEE_PROFILES)
def test_an_inquiry_ends_at_the_answer_without_the_committee(
    open_workspace: Callable[[str], Workspace], profile_id: str
) -> None:
    """The seed's inquiry kind needs no decision: answered at the greeting and closed; no notice, no promise."""
    ws = open_workspace(profile_id)
    service = ReceptionService(ws)
    profile = service.profile
    inquiry = next(k for k in profile.case_kinds if k.needs_decision is False)
    assert inquiry.name == "استفسار" and profile.ends_at_answer(inquiry.id) and not profile.needs_decision(inquiry.id)
    channel = next(c for c in profile.channels if c.kind.value == "phone")
    view = service.start_contact(channel.id, inquiry.id)
    assert view.ends_at_answer and view.current_step_id == profile.steps[0].id
    assert all(s.status == "not_applicable" for s in view.steps[1:])
    with pytest.raises(ReceptionError) as refused:
        service.complete_greet(view.case_id, "")
    assert "ما أُجيب به" in refused.value.message_ar
    assert service.case(view.case_id).status == "draft"
    view = service.complete_greet(view.case_id, "سأل عن مواعيد الدوام؛ أُجيب: من الأحد إلى الخميس")
    assert view.status == "closed" and view.current_step_id is None
    assert view.promised_decision_date is None and view.submitted_at is None and not view.awaiting_decision
    with ws.db.session(read_only=True) as session:
        kinds = set(session.scalars(select(StepCompletion.step_kind).where(StepCompletion.case_id == view.case_id)))
    assert kinds == {"greet"}
    with pytest.raises(ReceptionError):
        service.notify_committee(view.case_id)


def test_needs_decision_belongs_to_a_policy_with_a_committee() -> None:
    """`needs_decision` in a policy without [decision] is a problem in Arabic, with its key."""
    text = load_builtin_profile("daam-rescue").source_text.replace(
        'name = "بلاغ"\n', 'name = "بلاغ"\nneeds_decision = false\n', 1
    )
    with pytest.raises(ProfileError) as raised:
        load_profile_text(text, source="rescue.toml")
    assert [p.key for p in raised.value.problems] == ["case_kinds[0].needs_decision"]
    assert "قرار لجنة" in raised.value.problems[0].reason
    with_committee = load_builtin_profile("mafateeh-alkhair")
    assert with_committee.needs_decision("service_request") and not with_committee.ends_at_answer("service_request")


def test_an_optional_committee_notice_is_not_skipped_for_a_request_that_needs_the_decision(
    open_workspace: Callable[[str], Workspace], tmp_path: Path
) -> None:
    """A policy that made its notice optional: skipping it would leave the request with no way to the committee."""
    ws = open_workspace("qader-tabuk")
    text = load_builtin_profile("qader-tabuk").source_text
    marker = 'kind = "notify-committee"\n'
    assert text.count(marker) == 1
    edited = tmp_path / "qader-tabuk.toml"
    edited.write_text(text.replace(marker, marker + "mandatory = false\n").replace(
        'version = "1442/12"', 'version = "1442/12-optional-notice"', 1), encoding="utf-8")
    profile = ws.import_profile(edited)
    notice = next(s for s in profile.steps if s.kind is StepKind.NOTIFY_COMMITTEE)
    assert not notice.mandatory
    service = ReceptionService(ws)
    channel = next(c for c in profile.channels if c.kind.value == "in_person")
    view = service.start_contact(channel.id, profile.case_kinds[0].id)
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(), documents())
    view = service.sign_declaration(view.case_id, signature_png())
    assert view.current_step_id == notice.id
    with pytest.raises(ReceptionError) as refused:
        service.skip_step(view.case_id, notice.id, "لا حاجة")
    assert "يحتاج إلى قرار لجنة البحث" in refused.value.message_ar
    assert service.case(view.case_id).current_step_id == notice.id
