"""PDPL duties (issue 14, item 4): the privacy notice at the declaration and its acknowledgement recorded; retention
anonymises only what is past its period and keeps the dashboard figures; the subject-access PDF holds every record
of that person and nobody else's; a correction asked for by the person is recorded as such."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, update

from db.models import AuditEvent, Beneficiary, Case, CaseStatus
from desktop.arabic_text import to_latin_digits
from desktop.casedesk import CaseDesk, CaseFileService
from desktop.demo_data import generate_demo_data
from desktop.policy import load_builtin_profiles
from desktop.policy_text import PRIVACY_TITLE, privacy_notice
from desktop.reception import ReceptionService
from desktop.reports.dashboard import DashboardService
from desktop.reports.views import Period
from desktop.retention import ANONYMISED_NAME, run_retention, yearly_reminder
from desktop.workspace import Workspace

from .conftest import documents, needs_poppler, particulars, pdf_text, signature_png

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _signed(service: ReceptionService, **overrides: str) -> object:
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(**overrides), documents())
    service.skip_step(view.case_id, "referral", "لا حاجة")
    service.sign_declaration(view.case_id, signature_png())
    return view.case_id


def test_every_builtin_profile_has_a_privacy_notice_with_a_retention_period() -> None:
    for profile in load_builtin_profiles():
        notice = privacy_notice(profile)
        assert profile.privacy is not None and 1 <= profile.privacy.retention_years <= 50
        assert [line.split(":")[0] for line in notice] == [
            "الغرض", "البيانات التي نجمعها", "من يطّلع عليها", "مدة الاحتفاظ", "حقوقك", "للتواصل"]


@needs_poppler
def test_the_notice_is_printed_on_the_declaration_and_its_acknowledgement_recorded(
    service: ReceptionService, tmp_path: Path,
) -> None:
    case_id = _signed(service)
    pdf = tmp_path / "declaration.pdf"
    pdf.write_bytes(CaseFileService(service.intake._workspace).document_pdf(case_id, "declaration"))
    text = " ".join(pdf_text(pdf).split())
    assert PRIVACY_TITLE in text
    assert "حقوقك" in text and "مدة الاحتفاظ" in text
    profile = service.intake._workspace.active_profile()
    assert profile is not None
    expected = hashlib.sha256("\n".join(privacy_notice(profile)).encode("utf-8")).hexdigest()
    with service.intake._db.session(read_only=True) as session:
        signed = session.scalars(select(AuditEvent).where(AuditEvent.action == "declaration_signed")).one()
    assert signed.details["privacy_notice_sha256"] == expected


def test_a_correction_asked_for_by_the_person_is_recorded_as_such(service: ReceptionService) -> None:
    case_id = _signed(service)
    service.correct_particulars(case_id, particulars(city="جدة"), "طلب المستفيد تصحيح مدينته",
                                requested_by_person=True)
    with service.intake._db.session(read_only=True) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "particulars_corrected")).one()
    assert audit.details["requested_by"] == "beneficiary"
    desk = CaseDesk(service.intake._workspace)
    entry = next(e for e in desk.files.timeline(case_id) if e.title == "تصحيح بيانات المستفيد")
    assert "بطلب من المستفيد" in entry.detail


def _closed_cases(ws: Workspace) -> list[tuple[object, object]]:
    with ws.db.session(read_only=True) as session:
        return [(row.id, row.beneficiary_id) for row in session.execute(
            select(Case.id, Case.beneficiary_id).where(Case.status == CaseStatus.CLOSED.value).order_by(Case.id))]


def test_retention_anonymises_only_what_is_past_its_period_and_the_figures_stay(
    open_workspace: Callable[[str], Workspace],
) -> None:
    ws = open_workspace("mafateeh-alkhair")  # five years after closing
    profile = ws.active_profile()
    assert profile is not None
    generate_demo_data(ws.db, beneficiaries=120, profile=profile)
    closed = _closed_cases(ws)
    assert len(closed) >= 4
    with ws.db.session() as session:
        # A beneficiary per case: the first three closed six years ago, the fourth a year ago.
        for number, (case_id, _beneficiary) in enumerate(closed):
            years = 6 if number < 3 else 1
            session.execute(update(Case).where(Case.id == case_id).values(
                closed_at=NOW - dt.timedelta(days=365 * years + 2)))
        due_people = {b for _c, b in closed[:3]}
        kept_people = {b for _c, b in closed[3:]}
        # Only people whose every case is due are anonymised: leave out those with another case.
        for person in list(due_people):
            count = session.scalar(select(func.count()).select_from(Case).where(Case.beneficiary_id == person))
            if count != 1:
                due_people.discard(person)
    assert due_people  # at least one person whose only case is past its period
    period = Period(dt.date(2020, 1, 1), dt.date(2026, 12, 31), "الفترة")
    dashboard = DashboardService(ws, clock=lambda: NOW)
    before = dashboard.figures(period)
    with ws.db.session(read_only=True) as session:
        names_before = dict(session.execute(select(Beneficiary.id, Beneficiary.full_name)).all())

    assert yearly_reminder(ws.db, "officer", now=NOW) is None  # the manager is reminded, not the officer
    reminded = yearly_reminder(ws.db, "manager", now=NOW)
    assert reminded is not None and reminded.cases == 3 and not reminded.applied
    assert yearly_reminder(ws.db, "manager", now=NOW + dt.timedelta(days=30)) is None  # once a year

    dry = run_retention(ws.db, ws.data_dir, apply=False, now=NOW)
    assert not dry.applied and dry.cases == 3
    with ws.db.session(read_only=True) as session:
        assert dict(session.execute(select(Beneficiary.id, Beneficiary.full_name)).all()) == names_before

    done = run_retention(ws.db, ws.data_dir, apply=True, now=NOW)
    assert done.applied and done.cases == 3 and done.beneficiaries == len(due_people)
    with ws.db.session(read_only=True) as session:
        after = {row.id: row for row in session.scalars(select(Beneficiary))}
    for person in due_people:
        assert after[person].full_name == ANONYMISED_NAME
        assert after[person].mobile is None and after[person].birth_date is None
        assert not after[person].id_number.isdigit()
    for person, name in names_before.items():
        if person not in due_people:
            assert after[person].full_name == name  # nobody else touched
    assert kept_people.isdisjoint(due_people) or all(after[p].full_name == names_before[p] for p in kept_people)
    assert dashboard.figures(period) == before
    again = run_retention(ws.db, ws.data_dir, apply=True, now=NOW)
    assert again.cases == 0  # done once


@needs_poppler
def test_the_subject_access_pdf_holds_every_record_of_that_person_and_nobody_elses(
    service: ReceptionService, tmp_path: Path,
) -> None:
    first = _signed(service)
    other = _signed(service, full_name="سارة خالد عبد الله العتيبي", id_number="1044455556", mobile="0551234567")
    ws = service.intake._workspace
    with ws.db.session(read_only=True) as session:
        mine = session.get(Case, first)
        theirs = session.get(Case, other)
        assert mine is not None and theirs is not None
        me = session.get(Beneficiary, mine.beneficiary_id)
        them = session.get(Beneficiary, theirs.beneficiary_id)
        assert me is not None and them is not None
        my_case, their_case = mine.case_number, theirs.case_number
        my_name, my_id, their_name, their_id = me.full_name, me.id_number, them.full_name, them.id_number
        my_mobile, their_mobile = me.mobile, them.mobile
    pdf = tmp_path / "subject.pdf"
    pdf.write_bytes(CaseFileService(ws).subject_access_pdf(first))
    text = to_latin_digits(" ".join(pdf_text(pdf).split()))
    for present in (my_name, my_id, my_case, "الإقرارات", "خطوات الاستقبال", "المستندات المطلوبة",
                    "سجل العمليات على البيانات"):
        assert present in text, present
    assert my_mobile is not None and my_mobile[-9:] in text.replace(" ", "")
    for absent in (their_name, their_id, their_case):
        assert absent not in text, absent
    assert their_mobile is None or their_mobile[-9:] not in text.replace(" ", "")
    with ws.db.session(read_only=True) as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "subject_access_exported")).one()
