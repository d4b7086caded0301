"""The rules of the procedure: order, mandatory and optional steps, deferred and paper signatures, referrals."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEvent, CaseStatus, Declaration, StepCompletion
from desktop.cases.numbers import format_case_number, parse_case_sequence
from desktop.cases.states import TRANSITIONS, check_transition
from desktop.reception import CaseView, DocumentInput, ReceptionError, ReceptionService
from desktop.workspace import Workspace

from .conftest import committee_decides, documents, particulars, png_file, signature_png, snapshot


def _verified(service: ReceptionService, channel: str = "interview", docs: list[DocumentInput] | None = None) -> CaseView:
    view = service.start_contact(channel, service.profile.case_kinds[0].id)
    service.complete_greet(view.case_id)
    return service.complete_verify(view.case_id, particulars(), documents() if docs is None else docs)


# --------------------------------------------------------------------------- the state machine


def test_every_status_has_its_transitions_and_closed_is_final() -> None:
    """The table covers every status; nothing leaves "closed"; a jump the policy forbids is refused."""
    assert set(TRANSITIONS) == set(CaseStatus)
    assert TRANSITIONS[CaseStatus.CLOSED] == frozenset()
    check_transition("draft", CaseStatus.RECEIVED)
    check_transition("received", CaseStatus.RECEIVED)  # staying is always allowed
    for current, target in (("draft", CaseStatus.REGISTERED), ("served", CaseStatus.RECEIVED),
                            ("closed", CaseStatus.RECEIVED), ("reported", CaseStatus.SERVED)):
        with pytest.raises(ReceptionError) as raised:
            check_transition(current, target)
        assert "لا يمكن نقل الحالة" in raised.value.message_ar
    # The decision gate names its reason: a rejected case, a case the committee has not decided.
    with pytest.raises(ReceptionError) as raised:
        check_transition("rejected", CaseStatus.REGISTERED)
    assert "رفضت لجنة البحث" in raised.value.message_ar
    for waiting in ("awaiting_committee", "more_info_requested"):
        for target in (CaseStatus.REGISTERED, CaseStatus.SERVED):
            with pytest.raises(ReceptionError) as raised:
                check_transition(waiting, target)
            assert "لم تقرر لجنة البحث" in raised.value.message_ar


def test_case_numbers_have_prefix_hijri_year_and_six_digit_sequence() -> None:
    """A1F3-1447-000123: the sequence is zero-padded and read back."""
    assert format_case_number("A1F3", 1447, 123) == "A1F3-1447-000123"
    assert parse_case_sequence("A1F3-1447-000123") == 123
    assert parse_case_sequence("A1F3-1447-1000000") == 1_000_000
    assert parse_case_sequence("A1F3-1447-12") is None


def test_case_numbers_increase_per_device(service: ReceptionService) -> None:
    """Each new case takes the next number of this PC."""
    numbers = [service.start_contact("interview", "service_request").case_number for _ in range(3)]
    assert [parse_case_sequence(n) for n in numbers] == [1, 2, 3]
    assert len({n.rsplit("-", 1)[0] for n in numbers}) == 1


# --------------------------------------------------------------------------- order and skipping


def test_steps_cannot_be_done_out_of_order(service: ReceptionService) -> None:
    """Verify before greet, or the declaration before verify, is refused with the step to do first."""
    view = service.start_contact("interview", "service_request")
    with pytest.raises(ReceptionError) as raised:
        service.complete_verify(view.case_id, particulars(), documents())
    assert "استقبال المستفيد" in raised.value.message_ar
    service.complete_greet(view.case_id)
    with pytest.raises(ReceptionError):
        service.sign_declaration(view.case_id, signature_png())
    with pytest.raises(ReceptionError):
        service.notify_committee(view.case_id)
    with pytest.raises(ReceptionError):
        service.complete_greet(view.case_id)  # already done


def test_mandatory_step_cannot_be_skipped(service: ReceptionService) -> None:
    """Greet, verify, declare… are mandatory: skipping is refused even with a reason, nothing recorded."""
    view = service.start_contact("interview", "service_request")
    for step in ("reception", "verification", "declaration"):
        with pytest.raises(ReceptionError) as raised:
            service.skip_step(view.case_id, step, "المستفيد مستعجل")
        assert "إلزامية" in raised.value.message_ar
    assert service.case(view.case_id).current_step_id == "reception"


def test_optional_step_is_skipped_only_with_a_reason(service: ReceptionService) -> None:
    """The referral (optional) needs a written reason; it is recorded as skipped with that reason."""
    view = _verified(service)
    assert view.current_step_id == "referral"
    for blank in ("", "   ", "\u202e\u202c"):
        with pytest.raises(ReceptionError) as raised:
            service.skip_step(view.case_id, "referral", blank)
        assert raised.value.field == "reason"
    view = service.skip_step(view.case_id, "referral", "الإجراءات واضحة للمستفيد")
    referral = next(s for s in view.steps if s.step_id == "referral")
    assert referral.status == "skipped" and referral.note == "الإجراءات واضحة للمستفيد"
    assert view.current_step_id == "declaration" and view.status == "received"
    with service._workspace.db.session(read_only=True) as session:  # noqa: SLF001 - the stored record itself
        row = session.scalars(select(StepCompletion).where(StepCompletion.step_id == "referral")).one()
    assert row.skipped and row.skip_reason == "الإجراءات واضحة للمستفيد"


def test_optional_step_cannot_be_skipped_before_its_turn(service: ReceptionService) -> None:
    """Skipping is an action on the current step too."""
    view = service.start_contact("interview", "service_request")
    with pytest.raises(ReceptionError):
        service.skip_step(view.case_id, "referral", "لا حاجة")
    with pytest.raises(ReceptionError):
        service.skip_step(view.case_id, "no-such-step", "لا حاجة")


# --------------------------------------------------------------------------- referral


def test_referral_waits_for_the_answer_and_comes_back(service: ReceptionService) -> None:
    """While referred nothing else moves; the answer completes the step and the case goes on."""
    view = _verified(service)
    view = service.refer(view.case_id, "سؤال عن الجوانب التنظيمية")
    assert view.status == "referred" and view.open_referral is not None
    assert view.open_referral.to_role_id == "responsible_official"
    assert view.open_referral.to_role_name == "المسؤول"
    with pytest.raises(ReceptionError):
        service.sign_declaration(view.case_id, signature_png())
    with pytest.raises(ReceptionError):
        service.skip_step(view.case_id, "referral", "تأخر الرد")
    view = service.answer_referral(view.case_id, "أُجيب عن سؤاله")
    assert view.status == "received" and view.open_referral is None
    assert view.current_step_id == "declaration"
    with pytest.raises(ReceptionError):
        service.answer_referral(view.case_id, "مرة أخرى")


# --------------------------------------------------------------------------- signatures


def test_phone_intake_finishes_with_the_signature_pending(service: ReceptionService) -> None:
    """Deferred on a phone intake: committee notified; registration waits for the signature, then proceeds."""
    view = _verified(service, "phone")
    view = service.skip_step(view.case_id, "referral", "لا حاجة")
    with pytest.raises(ReceptionError):
        service.defer_signature(view.case_id, "")
    view = service.defer_signature(view.case_id, "الطلب ورد بالهاتف؛ يوقّع عند الحضور")
    assert view.status == "awaiting_signature" and view.signature_pending
    assert next(s for s in view.steps if s.step_id == "declaration").status == "waiting"
    assert view.current_step_id == "committee_notice"
    view = service.notify_committee(view.case_id)
    assert view.status == "awaiting_committee" and view.signature_pending
    with pytest.raises(ReceptionError) as raised:
        service.complete_register(view.case_id)
    assert "لم تقرر لجنة البحث" in raised.value.message_ar  # the decision gate first
    committee_decides(service, view.case_id)
    with pytest.raises(ReceptionError) as raised:
        service.complete_register(view.case_id)
    assert "التوقيع" in raised.value.message_ar or "الإقرار" in raised.value.message_ar
    view = service.sign_declaration(view.case_id, signature_png())
    assert not view.signature_pending and view.status == "accepted"
    assert next(s for s in view.steps if s.step_id == "declaration").status == "done"
    view = service.complete_register(view.case_id)
    assert view.status == "registered"


def test_in_person_intake_cannot_defer_the_signature(service: ReceptionService) -> None:
    """The beneficiary is at the desk: the signature is taken now."""
    view = _verified(service, "interview")
    service.skip_step(view.case_id, "referral", "لا حاجة")
    with pytest.raises(ReceptionError) as raised:
        service.defer_signature(view.case_id, "نسي نظارته")
    assert "المقابلة" in raised.value.message_ar
    assert service.case(view.case_id).status == "received"


def test_signature_comes_before_notice_after_deferral(service: ReceptionService) -> None:
    """Signed while still awaiting the signature: the case returns to "received" and goes on."""
    view = _verified(service, "letters")
    service.skip_step(view.case_id, "referral", "لا حاجة")
    service.defer_signature(view.case_id, "ورد الطلب بخطاب")
    view = service.sign_declaration(view.case_id, signature_png())
    assert view.status == "received" and not view.signature_pending
    assert view.current_step_id == "committee_notice"


def test_paper_signature_attaches_the_scan(service: ReceptionService, tmp_path: Path) -> None:
    """Wet-signed on the printed form: the scan is attached and the PDF says so; its hash is recorded."""
    view = _verified(service)
    service.skip_step(view.case_id, "referral", "لا حاجة")
    blank = service.document_pdf(view.case_id, "blank_declaration")
    assert blank.path.read_bytes().startswith(b"%PDF-")
    scan = png_file(tmp_path / "scan.png")
    view = service.declare_signed_on_paper(view.case_id, scan)
    assert next(s for s in view.steps if s.step_id == "declaration").status == "done"
    with service._workspace.db.session(read_only=True) as session:  # noqa: SLF001
        declaration = session.scalars(select(Declaration)).one()
    assert declaration.signature_kind == "paper"
    stored = service.document_pdf(view.case_id, "declaration")
    assert stored.sha256 == declaration.pdf_sha256 == hashlib.sha256(stored.path.read_bytes()).hexdigest()
    with pytest.raises(ReceptionError):
        service.sign_declaration(view.case_id, signature_png())


@pytest.mark.parametrize("size", [(1, 1), (4, 4)])
def test_empty_or_one_dot_signature_is_refused(service: ReceptionService, size: tuple[int, int]) -> None:
    """A blank pad or a single dot is not a signature; nothing is written."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    view = _verified(service)
    service.skip_step(view.case_id, "referral", "لا حاجة")
    image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    if size != (1, 1):
        ImageDraw.Draw(image).ellipse([200, 70, 200 + size[0], 70 + size[1]], fill=(0, 0, 0, 255))
    buffer = BytesIO()
    image.save(buffer, "PNG")
    before = snapshot(service._workspace)  # noqa: SLF001
    with pytest.raises(ReceptionError) as raised:
        service.sign_declaration(view.case_id, buffer.getvalue())
    assert raised.value.field == "signature"
    with pytest.raises(ReceptionError):
        service.sign_declaration(view.case_id, b"GIF89a not a png")
    assert snapshot(service._workspace) == before  # noqa: SLF001


# --------------------------------------------------------------------------- documents and registration


def test_missing_documents_block_registration_until_brought(service: ReceptionService) -> None:
    """A document not provided is listed (printable) and blocks registration; recording it unblocks."""
    view = _verified(service, docs=[DocumentInput("صورة الهوية الوطنية", True), DocumentInput("صك الإعالة", False)])
    assert [d.provided for d in view.documents] == [True, False]
    listing = service.document_pdf(view.case_id, "missing_documents")
    assert listing.path.is_file()
    service.skip_step(view.case_id, "referral", "لا حاجة")
    service.sign_declaration(view.case_id, signature_png())
    service.notify_committee(view.case_id)
    committee_decides(service, view.case_id)
    with pytest.raises(ReceptionError) as raised:
        service.complete_register(view.case_id)
    assert "صك الإعالة" in raised.value.message_ar
    view = service.record_documents(
        view.case_id, [DocumentInput("صورة الهوية الوطنية", True), DocumentInput("صك الإعالة", True, "1460/01/01")]
    )
    assert all(d.provided and not d.expired for d in view.documents)
    assert service.complete_register(view.case_id).status == "registered"


def test_expired_document_is_flagged_and_counts_as_missing(service: ReceptionService) -> None:
    """A document past its validity date is shown expired and blocks registration."""
    view = _verified(service, docs=[DocumentInput("تقرير طبي", True, "2020/01/01")])
    assert view.documents[0].expired
    service.skip_step(view.case_id, "referral", "لا حاجة")
    service.sign_declaration(view.case_id, signature_png())
    service.notify_committee(view.case_id)
    committee_decides(service, view.case_id)
    with pytest.raises(ReceptionError) as raised:
        service.complete_register(view.case_id)
    assert "تقرير طبي" in raised.value.message_ar


def test_document_scan_is_attached_by_hash(service: ReceptionService, tmp_path: Path) -> None:
    """A document's scan is stored content-addressed; its hash is shown with the document."""
    scan = png_file(tmp_path / "id.png")
    view = _verified(service, docs=[DocumentInput("صورة الهوية الوطنية", True, "", scan)])
    assert view.documents[0].attachment_sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert service.import_attachment(scan) == view.documents[0].attachment_sha256


# --------------------------------------------------------------------------- abandoning, audit


def test_abandoned_case_is_closed_and_audited(service: ReceptionService) -> None:
    """Discarding a draft closes the case as abandoned; it is no longer offered nor editable."""
    view = service.start_contact("interview", "service_request")
    service.save_draft(view.case_id, "reception", {"note": "..."})
    service.discard_draft(view.case_id, "لم يحضر المستفيد الأوراق")
    assert service.case(view.case_id).status == "closed"
    assert view.case_id not in {d.case_id for d in service.open_drafts()}
    with pytest.raises(ReceptionError):
        service.complete_greet(view.case_id)
    with service._workspace.db.session(read_only=True) as session:  # noqa: SLF001
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == view.case_id)).all()
    assert "case_abandoned" in actions and "case_started" in actions


def test_case_keeps_the_policy_version_it_was_opened_with(
    open_workspace: Callable[[str], Workspace], tmp_path: Path
) -> None:
    """A newer adopted version does not change the steps of a case already open."""
    ws = open_workspace("mafateeh-alkhair")
    service = ReceptionService(ws)
    view = service.start_contact("interview", "service_request")
    original = service.profile
    newer = tmp_path / "newer.toml"
    newer.write_text(
        original.source_text.replace('version = "2025-10"', 'version = "2026-01"').replace(
            'title = "استقبال المستفيد"', 'title = "استقبال المستفيد وتحيته"', 1
        ),
        encoding="utf-8",
    )
    ws.import_profile(newer)
    again = service.case(view.case_id)
    assert again.policy_version == "2025-10"
    assert again.steps[0].title == "استقبال المستفيد"
    assert service.start_contact("interview", "service_request").steps[0].title == "استقبال المستفيد وتحيته"
