"""Each of the five built-in policies run end to end through the service, in the policy's own step order."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import (
    AppUser,
    Attachment,
    AuditEvent,
    Case,
    Declaration,
    Device,
    Referral,
    RescueReport,
    Service,
    StepCompletion,
)
from desktop.hijri import HijriDate, hijri_month_length, local_date
from desktop.policy import StepKind
from desktop.reception import CaseView, ReceptionService
from desktop.workspace import Workspace, os_username

from .conftest import ID_NUMBER, NAME, PROFILES, committee_decides, documents, needs_poppler, particulars, pdf_text, qpdf_ok, signature_png

RIYADH_CENTRE = ("24.7136", "46.6753")


def _one_hijri_month_later(day_value: date) -> date:
    """The same Hijri day one Umm al-Qura month later (clamped to the month's length), computed here."""
    h = HijriDate.from_gregorian(day_value)
    year, month = (h.year + 1, 1) if h.month == 12 else (h.year, h.month + 1)
    return HijriDate(year, month, min(h.day, hijri_month_length(year, month))).to_gregorian()


def _run_step(service: ReceptionService, view: CaseView, members: dict[str, object]) -> CaseView:
    """Do the current step the way the officer would, by its kind."""
    step = view.current_step
    assert step is not None
    kind = StepKind(step.kind)
    case_id = view.case_id
    if kind is StepKind.GREET:
        return service.complete_greet(case_id, "سأل عن مدة دراسة الطلب")
    if kind is StepKind.VERIFY:
        if view.is_rescue:
            return service.record_report(
                case_id, reporter_name="سالم العنزي", reporter_phone="+44 20 7946 0958", platform="whatsapp",
                place="طريق الملك فهد، الرياض", latitude=RIYADH_CENTRE[0], longitude=RIYADH_CENTRE[1],
                what_happened="تعطل سيارة عائلة في الطريق",
            )
        return service.complete_verify(case_id, particulars(), documents())
    if kind is StepKind.REFER:
        referred = service.refer(case_id, "لم تتضح له شروط الدعم", "هند")
        assert referred.status == "referred"
        assert next(s for s in referred.steps if s.step_id == step.step_id).status == "waiting"
        assert referred.open_referral is not None and referred.open_referral.to_person == "هند"
        return service.answer_referral(case_id, "شُرحت له الشروط والجوانب التنظيمية")
    if kind is StepKind.DECLARE:
        return service.sign_declaration(case_id, signature_png())
    if kind is StepKind.NOTIFY_COMMITTEE:
        return service.notify_committee(case_id)
    if kind is StepKind.REGISTER:
        return service.complete_register(case_id, "اكتمل الملف")
    if kind is StepKind.SERVE:
        if view.is_rescue:
            return service.close_report(case_id, "سُحبت السيارة ونُقلت العائلة بأمان")
        return service.complete_serve(case_id, "دعم نقدي", "1,500.50", "", "سُلّم الشيك")
    if kind is StepKind.ESCALATE:
        return service.escalate(case_id, "موقع البلاغ غير واضح")
    if kind is StepKind.DISPATCH:
        nearest = service.members(near=(float(RIYADH_CENTRE[0]), float(RIYADH_CENTRE[1])))[0]
        members["dispatched"] = nearest.name
        return service.dispatch(case_id, nearest.member_id)
    raise AssertionError(step.kind)


EXPECTED_STATUS = {
    "greet": "draft",
    "verify": "received",
    "refer": "received",
    "declare": "received",
    "notify-committee": "awaiting_committee",
    "register": "registered",
    "serve": "served",
}
EXPECTED_RESCUE_STATUS = {
    "greet": "draft",
    "verify": "reported",
    "escalate": "escalated",
    "dispatch": "dispatched",
    "serve": "closed",
}


@needs_poppler
@pytest.mark.parametrize("profile_id", PROFILES)
def test_whole_procedure_in_the_policys_own_order(
    open_workspace: Callable[[str], Workspace], profile_id: str
) -> None:
    """Every step recorded in order with officer, channel and policy version; statuses follow the state machine."""
    ws = open_workspace(profile_id)
    service = ReceptionService(ws)
    profile = service.profile
    members: dict[str, object] = {}
    if service.profile.steps[-2].kind is StepKind.DISPATCH:
        service.add_member("فهد الشمري", "0551112222", "24.80", "46.70")
        service.add_member("ماجد الحربي", "0553334444", "24.72", "46.68")  # the nearest
        service.add_member("نايف القحطاني", "0555556666", "21.54", "39.17")
    channel = next(c for c in profile.channels if c.kind.value == "in_person")
    view = service.start_contact(channel.id, profile.case_kinds[0].id)
    assert view.status == "draft" and view.current_step_id == profile.steps[0].id
    assert view.policy_version == profile.version
    assert [s.step_id for s in view.steps] == [s.id for s in profile.steps]
    prefix, year, sequence = view.case_number.split("-")
    with ws.db.session(read_only=True) as session:
        assert prefix == session.scalars(select(Device.case_number_prefix)).one()
    assert year == str(HijriDate.from_gregorian(local_date(datetime.now(UTC))).year)
    assert sequence == "000001"

    statuses = []
    expected = EXPECTED_RESCUE_STATUS if view.is_rescue else EXPECTED_STATUS
    for step in profile.steps:
        if view.awaiting_decision:  # the reception ended at the committee notice: the committee accepts first
            assert view.current_step_id is None and view.status == "awaiting_committee"
            committee_decides(service, view.case_id)
            view = service.case(view.case_id)
        assert view.current_step_id == step.id
        assert view.current_step is not None and view.current_step.status == "current"
        view = _run_step(service, view, members)
        statuses.append(view.status)
        assert statuses[-1] == expected[step.kind.value], (step.id, statuses)
        assert next(s for s in view.steps if s.step_id == step.id).status == "done"
    assert view.current_step_id is None
    assert all(s.status == "done" for s in view.steps)
    assert view == service.case(view.case_id) == service.case_by_number(view.case_number)

    with ws.db.session(read_only=True) as session:
        case = session.get(Case, view.case_id)
        assert case is not None
        officer = session.scalars(select(AppUser).where(AppUser.username == os_username())).one()
        completions = session.scalars(
            select(StepCompletion).where(StepCompletion.case_id == case.id).order_by(StepCompletion.completed_at)
        ).all()
        assert [c.step_id for c in completions] == [s.id for s in profile.steps]
        assert [c.step_kind for c in completions] == [s.kind.value for s in profile.steps]
        for completion in completions:
            assert completion.officer_id == officer.id
            assert completion.channel_id == channel.id
            assert completion.policy_version_id == case.policy_version_id
            assert not completion.skipped
        audited = session.scalars(
            select(AuditEvent.details).where(AuditEvent.entity_id == case.id, AuditEvent.action == "step_completed")
        ).all()
        assert [d["step_id"] for d in audited] == [s.id for s in profile.steps]

        if view.is_rescue:
            assert case.status == "closed" and case.closed_at is not None
            report = session.scalars(select(RescueReport).where(RescueReport.case_id == case.id)).one()
            assert case.submitted_at == report.received_at and case.promised_decision_date is None
            assert report.received_at <= report.dispatched_at <= report.closed_at  # type: ignore[operator]
            assert report.reporter_phone == "+442079460958" and report.platform == "whatsapp"
            assert view.report is not None and view.report.dispatched_member == "ماجد الحربي"
            assert session.scalars(select(Declaration)).all() == []
            return

        beneficiary = view.beneficiary
        assert beneficiary is not None and beneficiary.full_name == NAME and beneficiary.id_number == ID_NUMBER
        assert beneficiary.mobile == "+966501234567"

        # The declaration: its PDF is the stored file whose SHA-256 was recorded.
        declaration = session.scalars(select(Declaration).where(Declaration.case_id == case.id)).one()
        assert declaration.signature_kind == "pad"
        assert declaration.officer_id == officer.id
        assert NAME in declaration.text and ID_NUMBER in declaration.text and case.case_number in declaration.text
        pdf_row = session.get(Attachment, declaration.pdf_attachment_id)
        assert pdf_row is not None and pdf_row.mime == "application/pdf"
        pdf_path = ws.data_dir / pdf_row.stored_path
        assert pdf_path == ws.data_dir / "attachments" / pdf_row.sha256[:2] / f"{pdf_row.sha256}.pdf"
        assert hashlib.sha256(pdf_path.read_bytes()).hexdigest() == declaration.pdf_sha256 == pdf_row.sha256
        signature = session.get(Attachment, declaration.signature_attachment_id)
        assert signature is not None and signature.mime == "image/png"
        assert qpdf_ok(pdf_path)
        words = pdf_text(pdf_path)
        assert NAME in words and ID_NUMBER in words and profile.association.name in words
        assert case.case_number in words

        # The receipt: submission date + the policy's period, stored with its hash.
        submitted = local_date(case.submitted_at)  # type: ignore[arg-type]
        assert profile.decision is not None
        if profile.decision.period_days is not None:
            assert profile.decision.period_days == 14
            assert case.promised_decision_date == submitted + timedelta(days=14)
        else:
            assert profile.id == "qader-tabuk" and profile.decision.period_months == 1
            assert case.promised_decision_date == _one_hijri_month_later(submitted)
            assert 29 <= (case.promised_decision_date - submitted).days <= 30  # type: ignore[operator]
        assert view.promised_decision_date == case.promised_decision_date
        notified = session.scalars(
            select(AuditEvent.details).where(AuditEvent.entity_id == case.id, AuditEvent.action == "committee_notified")
        ).one()
        receipt = service.document_pdf(case.id, "receipt")
        assert notified["receipt_sha256"] == receipt.sha256
        assert hashlib.sha256(receipt.path.read_bytes()).hexdigest() == receipt.sha256
        assert qpdf_ok(receipt.path)
        assert case.case_number in pdf_text(receipt.path)

        service_row = session.scalars(select(Service).where(Service.case_id == case.id)).one()
        assert str(service_row.amount) == "1500.50" and service_row.kind == "دعم نقدي"
        referrals = session.scalars(select(Referral).where(Referral.case_id == case.id)).all()
        has_refer = any(s.kind is StepKind.REFER for s in profile.steps)
        assert len(referrals) == (1 if has_refer else 0)
        if has_refer:
            assert referrals[0].answered_at is not None and referrals[0].to_role in {r.id for r in profile.roles}

    # The stored declaration is returned again unchanged; a re-render gives the same bytes.
    stored = service.document_pdf(view.case_id, "declaration")
    assert stored.sha256 == declaration.pdf_sha256
    assert service.render_document(view.case_id, "declaration") == stored.path.read_bytes()
