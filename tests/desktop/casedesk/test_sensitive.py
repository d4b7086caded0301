"""What a policy marks sensitive, read by each role at the service layer (issue 13, item 3).

A second desk's profile (مفاتيح الخير's, with ``sensitive_fields = ["notice_note", "referral_note"]``) covers the
two fields qader leaves unmarked: a referral's note and the note of how a beneficiary was informed.

جمعية قادر لتعزيز الصحة النفسية marks its greeting step `sensitive`, the committee's reason and the service's
description as `sensitive_fields`, and the medical report as a `sensitive` document. One real desk (SQLite, the
real reception and case desk services) takes a case through the greeting (a note), the verification (the
medical report's scan), the committee (a reason) and the service (a description); then each role reads the
case file, the timeline, the documents panel and the scan: visible to `SENSITIVE_READERS`, `REDACTED` (the
scan refused with the Arabic message naming who may open it) to every other role that sees cases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.models import UserRole
from desktop.casedesk import CaseDesk, DecisionInput, ServiceInput
from desktop.casedesk.listing import CaseFilter, CaseListService, CaseSort
from desktop.casedesk.views import CaseFile, TimelineEntry
from desktop.errors import InputError
from desktop.permissions import (
    PERMISSIONS,
    REDACTED,
    SENSITIVE_READERS,
    SENSITIVE_SCAN_REFUSED,
    Action,
    PermissionDenied,
)
from desktop.policy import SensitiveField, load_builtin_profile
from desktop.reception import DocumentInput, ReceptionService
from desktop.reception.views import ReferralView
from desktop.session_identity import SessionIdentity
from desktop.workspace import Workspace
from tests.accounts import one_account_per_role
from tests.desktop.casedesk._factory import Clock, Desk, make_desk, needs_poppler, pdf_text
from tests.desktop.reception.conftest import png_file, signature_png
from tests.templates import seed_data_dir

MEDICAL_REPORT = "تقرير طبي حديث من جهة صحية معتمدة"
STEP_NOTE = "يتابع مع طبيب نفسي منذ سنتين"
REASON = "اضطراب اكتئابي يستدعي الدعم"
DESCRIPTION = "جلسات علاج معرفي سلوكي"


@dataclass
class World:
    """The desk, the sensitive case, the medical report's SHA-256 and one identity per role."""

    desk: Desk
    case_id: uuid.UUID
    scan_sha: str
    identities: dict[UserRole, SessionIdentity]
    rejected: uuid.UUID

    @property
    def ws(self) -> Workspace:
        return self.desk.workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A qader case: greeted with a note, verified with the medical report's scan, accepted with a reason,
    registered and served with a description; then one account per role."""
    root = tmp_path_factory.mktemp("sensitive")
    made = make_desk(root, "qader-tabuk")
    reception = made.reception
    view = reception.start_contact(reception.profile.channels[0].id, "support_request")
    case_id = view.case_id
    reception.complete_greet(case_id, STEP_NOTE)
    reception.complete_verify(case_id, made.particulars(), [
        DocumentInput("صورة الهوية الوطنية أو الإقامة", True, "1460/01/01"),
        DocumentInput(MEDICAL_REPORT, True, "1460/01/01", png_file(root / "report.png")),
    ])
    reception.sign_declaration(case_id, signature_png())
    reception.notify_committee(case_id)
    second = reception.start_contact(reception.profile.channels[0].id, "support_request").case_id
    reception.complete_greet(second)
    reception.complete_verify(second, made.particulars(), [
        DocumentInput("صورة الهوية الوطنية أو الإقامة", True, "1460/01/01"),
        DocumentInput(MEDICAL_REPORT, True, "1460/01/01"),
    ])
    reception.sign_declaration(second, signature_png())
    reception.notify_committee(second)
    identities = one_account_per_role(made.workspace)
    ws = made.workspace
    ws.sign_in(identities[UserRole.COMMITTEE_SECRETARY])
    desk = CaseDesk(ws)
    desk.committee.decide(case_id, DecisionInput(
        "accept", REASON, member_ids=(identities[UserRole.COMMITTEE_SECRETARY].account_id,)))
    desk.committee.decide(second, DecisionInput(
        "reject", REASON, member_ids=(identities[UserRole.COMMITTEE_SECRETARY].account_id,)))
    ws.sign_out()
    ws.sign_in(identities[UserRole.OFFICER])
    desk.delivery.complete_registration(case_id)
    desk.delivery.record_service(case_id, ServiceInput("دعم علاجي", in_kind=DESCRIPTION))
    ws.sign_out()
    ws.sign_in(identities[UserRole.MANAGER])
    scan = next(d for d in desk.files.case_file(case_id).documents if d.name == MEDICAL_REPORT)
    ws.sign_out()
    assert scan.attachment_sha256 is not None
    yield World(made, case_id, scan.attachment_sha256, identities, second)
    ws.close()


def test_qader_marks_its_medical_report_and_the_fields_that_name_a_condition() -> None:
    profile = load_builtin_profile("qader-tabuk")
    assert profile.sensitive_document_names() == {MEDICAL_REPORT}
    assert set(profile.sensitive_fields) == {SensitiveField.DECISION_REASON, SensitiveField.SERVICE_DESCRIPTION}
    assert profile.sensitive_step_ids() == {"reception"}
    for other in ("mafateeh-alkhair", "baraah", "tahfeez-bir-bin-hirmas", "daam-rescue"):
        assert not load_builtin_profile(other).sensitive_document_names()


def _timeline_text(entries: tuple[TimelineEntry, ...]) -> str:
    return "\n".join(f"{e.title} {e.detail}" for e in entries)


def _step_note(world: World, file: CaseFile) -> str:
    entry = next(e for e in file.timeline if e.kind == "step" and "استقبال" in e.title)
    return entry.detail


def _reason(world: World, file: CaseFile) -> str:
    assert file.decision is not None
    return file.decision.reason


def _description(world: World, file: CaseFile) -> str:
    return file.services[0].description


def _scan(world: World, file: CaseFile) -> str:
    """The scan as the case file lists it (its SHA-256 given or not) and as `document_pdf` answers."""
    document = next(d for d in file.documents if d.name == MEDICAL_REPORT)
    listed = next(d for d in CaseDesk(world.ws).files.documents(world.case_id) if MEDICAL_REPORT in d.title)
    try:
        CaseDesk(world.ws).files.document_pdf(world.case_id, world.scan_sha)
    except PermissionDenied as refused:
        assert refused.message_ar == SENSITIVE_SCAN_REFUSED
        assert document.attachment_sha256 is None and document.withheld
        assert listed.entry.withheld and listed.entry.attachment_sha256 is None and not listed.may_print
        with pytest.raises(PermissionDenied, match="مسؤول البحث الاجتماعي"):
            CaseDesk(world.ws).files.document_pdf(world.case_id, listed.entry)
        return REDACTED
    assert document.attachment_sha256 == world.scan_sha and not document.withheld
    assert listed.entry.attachment_sha256 == world.scan_sha and not listed.entry.withheld
    return "visible"


#: Each sensitive kind: how to read it from the case file, and its value when visible.
KINDS: dict[str, tuple[Callable[[World, CaseFile], str], str]] = {
    "step note": (_step_note, STEP_NOTE),
    "field: decision reason": (_reason, REASON),
    "field: service description": (_description, DESCRIPTION),
    "scan: medical report": (_scan, "visible"),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("role", list(UserRole), ids=lambda r: r.value)
def test_each_role_reads_each_sensitive_kind_or_sees_it_withheld(world: World, role: UserRole, kind: str) -> None:
    read, secret = KINDS[kind]
    world.ws.sign_in(world.identities[role])
    try:
        desk = CaseDesk(world.ws)
        if role not in PERMISSIONS[Action.SEE_CASES]:
            with pytest.raises(InputError):
                desk.files.case_file(world.case_id)
            return
        file = desk.files.case_file(world.case_id)
        timeline = _timeline_text(desk.files.timeline(world.case_id))
        expected = secret if role in SENSITIVE_READERS else REDACTED
        assert read(world, file) == expected
        if secret != "visible":
            assert (secret in timeline) == (role in SENSITIVE_READERS)
            assert (secret in _timeline_text(file.timeline)) == (role in SENSITIVE_READERS)
    finally:
        world.ws.sign_out()


def test_the_search_and_the_case_list_name_nothing_sensitive(world: World) -> None:
    """The list and the search (FTS over names, numbers and phones only) carry no note, reason or description."""
    world.ws.sign_in(world.identities[UserRole.OFFICER])
    try:
        listing = CaseListService(world.ws)
        rows = listing.page(CaseFilter(), CaseSort.NEWEST, limit=20)
        found = listing.page(CaseFilter(text="اكتئابي"), CaseSort.NEWEST, limit=20)
    finally:
        world.ws.sign_out()
    assert rows.rows
    for secret in (STEP_NOTE, REASON, DESCRIPTION, "اكتئابي", "طبيب نفسي", "معرفي"):
        assert secret not in repr(rows)
    assert not found.rows


@needs_poppler
def test_the_subject_access_pdf_stays_complete_for_the_person(world: World, tmp_path: Path) -> None:
    """The subject-access PDF is the person's: printed by an officer, it still holds what is hidden from them."""
    world.ws.sign_in(world.identities[UserRole.OFFICER])
    try:
        pdf = CaseDesk(world.ws).files.subject_access_pdf(world.case_id)
    finally:
        world.ws.sign_out()
    path = tmp_path / "access.pdf"
    path.write_bytes(pdf)
    text = " ".join(pdf_text(path).split())
    for secret in (STEP_NOTE, REASON):
        assert secret in text, secret


@pytest.mark.parametrize("role", [UserRole.OFFICER, UserRole.COMMITTEE_SECRETARY], ids=lambda r: r.value)
def test_the_message_to_the_beneficiary_leaves_a_sensitive_reason_out_for_who_may_not_read_it(
    world: World, role: UserRole,
) -> None:
    """The SMS/WhatsApp text of a rejection: the secretary's names the reason; the officer's leaves it out (the
    letter handed to the person carries it), so it is neither shown to the officer nor sent from their phone."""
    world.ws.sign_in(world.identities[role])
    try:
        text = CaseDesk(world.ws).committee.notification(world.rejected).text
    finally:
        world.ws.sign_out()
    assert (REASON in text) == (role in SENSITIVE_READERS)
    assert REDACTED not in text


# --------------------------------------------------------------------------- the notice's and the referral's notes

NOTICE_NOTE = "أبلغته والدته لأنه في جلسة علاج نفسي"
REFERRAL_NOTE = "هل يشمل الدعم من يتابع علاجًا من الإدمان؟"
REFERRAL_ANSWER = "نعم بعد تقرير الطبيب المعالج"


@dataclass
class NotesWorld:
    """A desk whose profile marks the notice's note and the referral's note sensitive: a case referred with a note
    (the referral still open) and a decided case whose beneficiary was informed with a note."""

    desk: Desk
    referred: uuid.UUID
    informed: uuid.UUID
    identities: dict[UserRole, SessionIdentity]

    @property
    def ws(self) -> Workspace:
        return self.desk.workspace


def _marking_notes(root: Path) -> Path:
    """مفاتيح الخير's own profile with `sensitive_fields = ["notice_note", "referral_note"]` added."""
    source = Path(__file__).resolve().parents[3] / "resources" / "policies" / "mafateeh-alkhair.toml"
    text = source.read_text(encoding="utf-8")
    marker = "\n[association]"
    assert marker in text and "sensitive_fields" not in text
    text = text.replace(marker, '\nsensitive_fields = ["notice_note", "referral_note"]\n' + marker, 1)
    path = root / "mafateeh-alkhair.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def notes_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotesWorld]:
    root = tmp_path_factory.mktemp("sensitive-notes")
    ws = Workspace.open(seed_data_dir(root / "desk"))
    profile = ws.import_profile(_marking_notes(root))
    assert set(profile.sensitive_fields) == {SensitiveField.NOTICE_NOTE, SensitiveField.REFERRAL_NOTE}
    clock = Clock()
    desk = Desk(ws, clock, ReceptionService(ws, clock=clock), CaseDesk(ws, clock=clock))
    referred = uuid.UUID(hex=desk.received())
    desk.reception.refer(referred, REFERRAL_NOTE)
    informed = uuid.UUID(hex=desk.awaiting())
    identities = one_account_per_role(ws)
    secretary = identities[UserRole.COMMITTEE_SECRETARY]
    ws.sign_in(secretary)
    desk.service.committee.decide(informed, DecisionInput("accept", "", member_ids=(secretary.account_id,)))
    desk.service.committee.record_informed(informed, "phone", NOTICE_NOTE)
    ws.sign_out()
    yield NotesWorld(desk, referred, informed, identities)
    ws.close()


def _notice_note(world: NotesWorld, desk: CaseDesk) -> tuple[str, str]:
    """The note as the case file's notices give it, and the decided case's timeline."""
    (notice,) = desk.files.case_file(world.informed).informed
    return notice.note, _timeline_text(desk.files.timeline(world.informed))


def _referral_note(world: NotesWorld, desk: CaseDesk) -> tuple[str, str]:
    """The note as the case file's open referral gives it, and the referred case's timeline."""
    referral = desk.files.case_file(world.referred).open_referral
    assert isinstance(referral, ReferralView)
    return referral.note, _timeline_text(desk.files.timeline(world.referred))


#: Each field a policy may mark sensitive that the first world's profile leaves unmarked: how to read it, its text.
NOTE_FIELDS: dict[str, tuple[Callable[[NotesWorld, CaseDesk], tuple[str, str]], str]] = {
    "field: notice note": (_notice_note, NOTICE_NOTE),
    "field: referral note": (_referral_note, REFERRAL_NOTE),
}


@pytest.mark.parametrize("field", list(NOTE_FIELDS))
@pytest.mark.parametrize("role", list(UserRole), ids=lambda r: r.value)
def test_each_role_reads_each_marked_note_or_sees_it_withheld(notes_world: NotesWorld, role: UserRole,
                                                             field: str) -> None:
    """Role × field: the note's text for `SENSITIVE_READERS`, «محجوب» for every other role that sees cases (in the
    case file and nowhere in the timeline); a role that does not see cases is refused."""
    read, secret = NOTE_FIELDS[field]
    notes_world.ws.sign_in(notes_world.identities[role])
    try:
        desk = CaseDesk(notes_world.ws)
        if role not in PERMISSIONS[Action.SEE_CASES]:
            with pytest.raises(InputError):
                read(notes_world, desk)
            return
        shown, timeline = read(notes_world, desk)
        assert shown == (secret if role in SENSITIVE_READERS else REDACTED)
        assert (secret in timeline) == (role in SENSITIVE_READERS)
    finally:
        notes_world.ws.sign_out()
