"""Correcting verified particulars: a written reason, the change field by field, a new declaration to sign."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from db.models import AppUser, AuditEvent, Case, CaseStatus, Declaration, UserRole
from desktop.casedesk import CaseDesk
from desktop.reception import ReceptionError, ReceptionService, check_particulars, household_required
from desktop.reception.documents import declaration_versions
from desktop.workspace import Workspace, os_username

from .conftest import documents, particulars, png_file, signature_png, snapshot

TODAY = date(2025, 1, 15)
CORRECT_NAME = "عبد الله محمد عبد الرحمن القحطانى"


def _signed(service: ReceptionService) -> object:
    """A case of مفاتيح الخير with its declaration signed on the pad."""
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(), documents())
    service.skip_step(view.case_id, "referral", "لا حاجة")
    service.sign_declaration(view.case_id, signature_png())
    return view.case_id


def _set_role(ws: Workspace, role: UserRole) -> None:
    with ws.db.session() as session:
        session.execute(update(AppUser).where(AppUser.username == os_username()).values(role=role.value))


def test_a_correction_is_traced_field_by_field_and_the_declaration_signed_again(
    service: ReceptionService, tmp_path: Path
) -> None:
    """Name and city corrected: the timeline and audit say old → new; the signed declaration is superseded and
    the corrected one, signed again, names it; the documents panel lists both."""
    case_id = _signed(service)
    result = service.correct_particulars(
        case_id, particulars(full_name=CORRECT_NAME, city="جدة"), "خطأ إملائي في الاسم والمدينة"
    )
    assert [c.field for c in result.changes] == ["full_name", "city"]
    assert result.changes[1].old == "الرياض" and result.changes[1].new == "جدة"
    assert result.declaration_superseded and result.case.signature_pending
    desk = CaseDesk(service.intake._workspace)
    entry = next(e for e in desk.files.timeline(case_id) if e.title == "تصحيح بيانات المستفيد")
    assert "السبب: خطأ إملائي في الاسم والمدينة" in entry.detail
    assert "المدينة: من «الرياض» إلى «جدة»" in entry.detail and "الاسم: من «" in entry.detail
    assert desk.files.case_file(case_id).corrected_declaration_pending
    with service.intake._db.session(read_only=True) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "particulars_corrected")).one()
        assert [c["field"] for c in audit.details["changes"]] == ["full_name", "city"]
    assert CORRECT_NAME in service.declaration_text(case_id)

    desk.files.sign_corrected_on_paper(case_id, png_file(tmp_path / "signed.png"))
    with service.intake._db.session(read_only=True) as session:
        first, second = session.scalars(select(Declaration).order_by(Declaration.signed_at, Declaration.id)).all()
        assert second.supersedes_id == first.id and CORRECT_NAME in second.text
        versions = declaration_versions(session, first.case_id)
        assert [(v.number, v.superseded) for v in versions] == [(1, True), (2, False)]
        assert session.get(Case, first.case_id).signature_pending is False
    listed = [d for d in desk.files.documents(case_id) if d.entry.document_kind == "declaration"]
    assert [(d.number, d.superseded) for d in listed] == [(2, False), (1, True)]
    assert "مستبدَل" in listed[1].state_label and all(d.may_print for d in listed)
    assert desk.files.document_pdf(case_id, listed[1].entry).startswith(b"%PDF")


def test_a_correction_without_a_reason_is_refused_and_nothing_is_written(service: ReceptionService) -> None:
    """No reason (or only spaces): a clear Arabic refusal under «reason», not one row or file more."""
    case_id = _signed(service)
    before = snapshot(service.intake._workspace)
    for reason in ("", "   "):
        with pytest.raises(ReceptionError) as refused:
            service.correct_particulars(case_id, particulars(full_name=CORRECT_NAME), reason)
        assert refused.value.field == "reason" and "سبب" in refused.value.message_ar
    assert snapshot(service.intake._workspace) == before


def test_the_id_cannot_be_corrected_and_an_unchanged_form_is_no_correction(service: ReceptionService) -> None:
    """Another ID number is another person's file; the same particulars again change nothing: both refused."""
    case_id = _signed(service)
    before = snapshot(service.intake._workspace)
    with pytest.raises(ReceptionError) as other_id:
        service.correct_particulars(case_id, particulars(id_number="2000000007"), "رقم خاطئ")
    assert other_id.value.field in ("id_number", "full_name")
    with pytest.raises(ReceptionError) as unchanged:
        service.correct_particulars(case_id, particulars(), "مراجعة")
    assert "لم يتغير" in unchanged.value.message_ar
    assert snapshot(service.intake._workspace) == before


def test_before_the_signature_a_correction_supersedes_nothing(service: ReceptionService) -> None:
    """Corrected right after verification (the wizard's case): traced, no declaration to sign again."""
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(), documents())
    result = service.correct_particulars(view.case_id, particulars(mobile="0551234567"), "رقم الجوال خطأ")
    assert [c.field for c in result.changes] == ["mobile"] and not result.declaration_superseded
    assert not result.case.signature_pending


def test_before_verification_there_is_nothing_to_correct(service: ReceptionService) -> None:
    """The particulars are typed on the verify page until it is done."""
    view = service.start_contact("interview", "service_request")
    with pytest.raises(ReceptionError, match="التحقق"):
        service.correct_particulars(view.case_id, particulars(), "سبب")


def test_after_registration_only_a_supervisor_corrects(service: ReceptionService) -> None:
    """A registered case: the officer is refused (nothing written), the association's manager may correct.

    The login that adopted the policy is the system administrator: it is made an officer first."""
    case_id = _signed(service)
    ws = service.intake._workspace
    _set_role(ws, UserRole.OFFICER)
    with ws.db.session() as session:
        session.execute(update(Case).where(Case.id == case_id).values(status=CaseStatus.REGISTERED.value))
    before = snapshot(ws)
    with pytest.raises(ReceptionError) as refused:
        service.correct_particulars(case_id, particulars(city="جدة"), "تصحيح المدينة")
    assert refused.value.field == "role" and "المشرف" in refused.value.message_ar
    assert snapshot(ws) == before
    _set_role(ws, UserRole.MANAGER)
    assert service.correct_particulars(case_id, particulars(city="جدة"), "تصحيح المدينة").changes


def test_a_city_with_digits_is_refused_by_the_page_check_and_the_service(service: ReceptionService) -> None:
    """«الرياض6» is not a city; «خميس مشيط» and a city not in the list («الدرعية») are."""
    checked = check_particulars(particulars(city="الرياض6"), today=TODAY)
    assert isinstance(checked, list) and checked[0][0] == "city" and "أرقام" in checked[0][1]
    for city in ("خميس مشيط", "الدرعية"):
        assert not isinstance(check_particulars(particulars(city=city), today=TODAY), list)
    assert isinstance(check_particulars(particulars(city="@الرياض"), today=TODAY), list)
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    with pytest.raises(ReceptionError) as refused:
        service.complete_verify(view.case_id, particulars(city="الرياض6"), documents())
    assert refused.value.field == "city"


def test_household_size_is_required_where_the_policys_eligibility_uses_it(
    open_workspace: Callable[[str], Workspace],
) -> None:
    """مفاتيح الخير's eligibility relies on the household size: empty is refused; براعة's does not: accepted."""
    family = ReceptionService(open_workspace("mafateeh-alkhair"))
    assert household_required(family.profile)
    view = family.start_contact("interview", "service_request")
    family.complete_greet(view.case_id)
    with pytest.raises(ReceptionError) as refused:
        family.complete_verify(view.case_id, particulars(household_size=""), documents())
    assert refused.value.field == "household_size" and "مطلوب" in refused.value.message_ar
    education = ReceptionService(open_workspace("baraah"))
    assert not household_required(education.profile)
    view = education.start_contact("interview", "support_request")
    education.complete_greet(view.case_id)
    done = education.complete_verify(view.case_id, particulars(household_size=""), documents())
    assert done.beneficiary is not None and done.beneficiary.household_size is None
