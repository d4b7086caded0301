"""Demo data: valid identities, normalised search keys, cases in every status, rows the models can read."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db.engine import Database
from db.models import (
    APPLICATION_STATUSES,
    RESCUE_STATUSES,
    Beneficiary,
    Case,
    CaseStatus,
    CommitteeDecision,
    PolicyVersion,
    Referral,
    RescueMember,
    RescueReport,
    StepCompletion,
)
from desktop.arabic_text import normalize_name
from desktop.demo_data import DEMO_CASE_PREFIX, GO_LIVE_DAYS, DemoSummary, generate_demo_data
from desktop.identity import IdKind, phone_search_key, validate_saudi_id
from desktop.policy import PolicyProfile, load_builtin_profile
from tests.templates import seed_data_dir

MOBILE = re.compile(r"\+9665\d{8}")
CASE_NUMBER = re.compile(rf"{DEMO_CASE_PREFIX}-20\d\d-\d{{7}}")


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    """A migrated, empty database (a copy of the template migrated once per test process)."""
    db = Database.open(seed_data_dir(data_dir, "mustafid.db") / "mustafid.db")
    db.upgrade()
    yield db
    db.close()


@pytest.fixture(scope="module")
def family_profile() -> PolicyProfile:
    """The NCNP-template policy (003): seven steps, a committee, a referral step."""
    return load_builtin_profile("mafateeh-alkhair")


@pytest.fixture
def generated(database: Database, family_profile: PolicyProfile) -> tuple[Database, DemoSummary]:
    """200 demo beneficiaries under the family association's policy."""
    calls: list[tuple[int, int]] = []
    summary = generate_demo_data(
        database, beneficiaries=200, profile=family_profile, seed=11, progress=lambda d, t: calls.append((d, t))
    )
    assert calls and calls[-1] == (200, 200)
    return database, summary


def test_identities_are_valid_and_distinct(generated: tuple[Database, DemoSummary]) -> None:
    database, summary = generated
    with database.session(read_only=True) as session:
        people = session.scalars(select(Beneficiary)).all()
    assert len(people) == summary.beneficiaries == 200
    assert len({p.id_number for p in people}) == 200
    for person in people:
        saudi_id = validate_saudi_id(person.id_number)
        assert person.id_kind == saudi_id.kind.value
        assert (person.nationality == "SA") == (saudi_id.kind is IdKind.NATIONAL_ID)
        assert person.gender in ("male", "female")
        assert person.household_size is not None and 1 <= person.household_size <= 15
        assert person.birth_date is not None and person.id_expiry is not None
        if person.mobile is not None:
            assert MOBILE.fullmatch(person.mobile)
            assert person.phone_key == phone_search_key(person.mobile) == person.mobile[4:]
    kinds = {p.id_kind for p in people}
    assert kinds == {IdKind.NATIONAL_ID.value, IdKind.IQAMA.value}
    today = dt.date.today()
    assert any(p.id_expiry < today for p in people if p.id_expiry)  # some IDs have expired
    assert any(p.id_expiry > today for p in people if p.id_expiry)


def test_names_are_four_parts_with_normalised_keys(generated: tuple[Database, DemoSummary]) -> None:
    database, _summary = generated
    with database.session(read_only=True) as session:
        people = session.scalars(select(Beneficiary)).all()
    for person in people:
        assert person.name_key == normalize_name(person.full_name)
        assert len(person.name_key.split()) >= 4
    names = " ".join(p.full_name for p in people)
    assert "عبد " in names or "عبدالله" in names  # compound names occur in both spellings over the pool
    assert "ة" in names and "أ" in names  # taa marbuta and hamza forms that search must tolerate


def test_cases_take_every_status_of_the_policy(database: Database, family_profile: PolicyProfile) -> None:
    summary = generate_demo_data(database, beneficiaries=400, profile=family_profile, seed=3)
    assert set(summary.cases_by_status) == {s.value for s in APPLICATION_STATUSES}
    with database.session(read_only=True) as session:
        stored = dict(session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
    assert stored == summary.cases_by_status
    assert 1.3 <= summary.cases / summary.beneficiaries <= 1.7


def test_cases_are_consistent_with_their_status(generated: tuple[Database, DemoSummary]) -> None:
    database, summary = generated
    with database.session(read_only=True) as session:
        cases = session.scalars(select(Case)).all()
        policy = session.scalars(select(PolicyVersion)).one()
        steps_by_case: dict[object, list[StepCompletion]] = {}
        for step in session.scalars(select(StepCompletion).order_by(StepCompletion.completed_at)):
            steps_by_case.setdefault(step.case_id, []).append(step)
        decisions = {d.case_id: d for d in session.scalars(select(CommitteeDecision))}
        referrals = {r.case_id: r for r in session.scalars(select(Referral))}
    assert policy.profile_id == "mafateeh-alkhair" and policy.version_label == "2025-10"
    assert len(cases) == summary.cases
    assert sum(len(v) for v in steps_by_case.values()) == summary.step_completions
    go_live = dt.datetime.now(dt.UTC) - dt.timedelta(days=GO_LIVE_DAYS + 1)
    for case in cases:
        assert CASE_NUMBER.fullmatch(case.case_number)
        assert case.policy_version_id == policy.id
        steps = steps_by_case.get(case.id, [])
        if case.status == CaseStatus.DRAFT:
            assert case.submitted_at is None and steps == []
            continue
        submitted = case.submitted_at
        assert submitted is not None
        if case.status == CaseStatus.RECEIVED:
            assert [s.step_kind for s in steps] == ["greet"]
        if case.status == CaseStatus.AWAITING_SIGNATURE:
            assert case.signature_pending and case.current_step_id == "declaration"
            assert "declare" not in {s.step_kind for s in steps}
        if case.case_kind_id == "inquiry":  # answered at the greeting and closed (the decision gate)
            assert case.status in (CaseStatus.CLOSED, CaseStatus.DRAFT)
            assert {s.step_kind for s in steps} <= {"greet"} and case.id not in decisions
        elif case.status in (CaseStatus.SERVED, CaseStatus.CLOSED) and submitted >= go_live:
            kinds = [s.step_kind for s in steps]
            assert kinds[:2] == ["greet", "verify"] and kinds[-1] == "serve"
        for step in steps:
            assert step.completed_at >= submitted
            assert step.channel_id == case.channel_id and step.policy_version_id == policy.id
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.REJECTED, CaseStatus.MORE_INFO_REQUESTED):
            assert case.promised_decision_date is not None
            decision = decisions[case.id]
            assert decision.decision == {"accepted": "accept", "rejected": "reject"}.get(
                case.status, "more_info"
            )
            assert decision.members and all(decision.members)
            if case.status == CaseStatus.REJECTED:
                assert decision.reason
        if case.status == CaseStatus.AWAITING_COMMITTEE:
            assert case.id not in decisions
            assert case.promised_decision_date == submitted.date() + dt.timedelta(days=14)
        assert (case.id in referrals) == (case.status == CaseStatus.REFERRED)


def test_rows_are_sound_for_sqlite(generated: tuple[Database, DemoSummary]) -> None:
    database, _summary = generated
    with database.session(read_only=True) as session:
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        session.execute(text("INSERT INTO beneficiary_fts(beneficiary_fts, rank) VALUES ('integrity-check', 1)"))
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        family = session.execute(text("SELECT name_key FROM beneficiary LIMIT 1")).scalar_one().split()[-1]
        found = session.execute(
            text("SELECT count(*) FROM beneficiary_fts WHERE beneficiary_fts MATCH :q"), {"q": f'"{family}"'}
        ).scalar_one()
        assert found >= 1
        # The FTS insert trigger is back after the load: a new beneficiary is indexed at once.
        triggers = session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
    assert "beneficiary_fts_after_insert" in triggers
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1


def test_running_twice_adds_without_collisions(generated: tuple[Database, DemoSummary]) -> None:
    database, first = generated
    second = generate_demo_data(database, beneficiaries=150, profile=load_builtin_profile("mafateeh-alkhair"))
    assert second.association_id == first.association_id
    assert second.policy_version_id == first.policy_version_id
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Beneficiary)) == 350
        assert session.scalar(select(func.count(func.distinct(Beneficiary.id_number)))) == 350
        assert session.scalar(select(func.count()).select_from(Case)) == first.cases + second.cases
        assert session.scalar(select(func.count()).select_from(PolicyVersion)) == 1


def test_rescue_policy_gets_reports_in_rescue_statuses(database: Database) -> None:
    rescue = load_builtin_profile("daam-rescue")
    summary = generate_demo_data(database, beneficiaries=600, profile=rescue)
    assert set(summary.cases_by_status) == {s.value for s in RESCUE_STATUSES}
    assert summary.committee_decisions == 0
    channels = {c.id for c in rescue.channels}
    with database.session(read_only=True) as session:
        assert set(session.scalars(select(Case.channel_id).distinct())) <= channels
        assert session.scalar(select(func.count()).where(Case.promised_decision_date.is_not(None))) == 0
        escalated = session.scalars(select(Case.id).where(Case.status == CaseStatus.ESCALATED)).all()
        for case_id in escalated:
            kinds = session.scalars(select(StepCompletion.step_kind).where(StepCompletion.case_id == case_id)).all()
            assert "escalate" in kinds


def test_inquiries_are_answered_and_closed_never_before_the_committee(
    database: Database, family_profile: PolicyProfile
) -> None:
    """A kind the policy answers at the desk (needs_decision = false) takes no committee status (the decision gate)."""
    assert family_profile.ends_at_answer("inquiry")
    generate_demo_data(database, beneficiaries=300, profile=family_profile, seed=5)
    with database.session(read_only=True) as session:
        statuses = set(session.scalars(select(Case.status).where(Case.case_kind_id == "inquiry").distinct()))
        decided = session.scalar(
            select(func.count()).select_from(CommitteeDecision).join(Case, Case.id == CommitteeDecision.case_id)
            .where(Case.case_kind_id == "inquiry")
        )
        answered = session.scalars(
            select(Case).where(Case.case_kind_id == "inquiry", Case.status == CaseStatus.CLOSED)
        ).all()
    assert CaseStatus.CLOSED in statuses and statuses <= {CaseStatus.CLOSED, CaseStatus.DRAFT}
    assert decided == 0
    assert all(case.closed_at is not None and case.promised_decision_date is None for case in answered)


def test_rescue_reports_have_caller_phone_platform_place_and_times(database: Database) -> None:
    """Every report of a policy of reports is recorded as the reception records it, with times that follow its status."""
    from desktop.reception.rescue import REPORT_PLATFORMS

    rescue = load_builtin_profile("daam-rescue")
    summary = generate_demo_data(database, beneficiaries=120, profile=rescue, seed=4)
    platforms = {key for key, _label in REPORT_PLATFORMS}
    now = dt.datetime.now(dt.UTC)
    with database.session(read_only=True) as session:
        cases = {case.id: case for case in session.scalars(select(Case))}
        reports = session.scalars(select(RescueReport)).all()
        members = {member.id: member for member in session.scalars(select(RescueMember))}
        steps: dict[object, list[StepCompletion]] = {}
        for step in session.scalars(select(StepCompletion)):
            steps.setdefault(step.case_id, []).append(step)
    assert summary.reports == len(reports) == len(cases) == summary.cases
    assert summary.rescue_members == len(members) >= 10
    assert {r.case_id for r in reports} == set(cases)
    on_mission = set()
    for report in reports:
        case = cases[report.case_id]
        assert report.reporter_name.strip() and MOBILE.fullmatch(report.reporter_phone or "")
        assert report.platform in platforms
        assert "، " in report.place and report.latitude is not None and report.longitude is not None
        assert 16 <= report.latitude <= 32 and 34 <= report.longitude <= 56  # in Saudi Arabia
        assert report.what_happened and case.summary == report.what_happened and case.location == report.place
        assert report.received_at == case.submitted_at and report.received_at < now
        if case.status == CaseStatus.ESCALATED:
            assert report.escalated_at is not None and report.escalation_note
        if case.status in (CaseStatus.DISPATCHED, CaseStatus.CLOSED):
            assert report.dispatched_at is not None and report.dispatched_member_id in members
            minutes = (report.dispatched_at - report.received_at).total_seconds() / 60
            assert 10 <= minutes <= 60  # realistic minutes, not days
            assert (report.dispatch_override_reason is not None) == (
                report.dispatched_member_id != report.nearest_member_id
            )
        else:
            assert report.dispatched_at is None and report.dispatched_member_id is None
        if case.status == CaseStatus.CLOSED:
            assert report.closed_at is not None and report.help_given and case.closed_at == report.closed_at
            assert report.dispatched_at is not None and report.closed_at > report.dispatched_at
            assert (report.closed_at - report.received_at) < dt.timedelta(hours=6)
        else:
            assert report.closed_at is None and case.closed_at is None
            assert now - report.received_at < dt.timedelta(days=2)  # an open report is hours old, not weeks
        if case.status == CaseStatus.DISPATCHED:
            on_mission.add(report.dispatched_member_id)
            # the optional escalation was taken or passed with its reason: the next step is the help, not it
            escalation = [s for s in steps.get(case.id, []) if s.step_kind == "escalate"]
            assert len(escalation) == 1 and (escalation[0].skipped == (report.escalated_at is None))
            assert case.current_step_id == "help"
    assert on_mission and all(not members[m].available for m in on_mission)
    assert any(m.available for m in members.values())
    with database.session(read_only=True) as session:  # the callers and places are searchable, as typed ones are
        session.execute(text("INSERT INTO rescue_report_fts(rescue_report_fts, rank) VALUES ('integrity-check', 1)"))
        indexed = session.execute(text("SELECT count(*) FROM rescue_report_fts")).scalar_one()
        triggers = session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
    assert indexed == len(reports) and "rescue_report_fts_after_insert" in triggers


def test_default_profile_and_zero_beneficiaries(database: Database) -> None:
    summary = generate_demo_data(database, beneficiaries=0)
    assert summary.beneficiaries == summary.cases == 0
    with database.session(read_only=True) as session:
        assert session.scalars(select(PolicyVersion.profile_id)).one() == "mafateeh-alkhair"


def test_survey_responses_are_anonymous_and_lean_positive(database: Database, family_profile: PolicyProfile) -> None:
    """About 40 % of the served cases answered, anonymously (the policy's mode), a few days after the decision."""
    import json as _json
    import sqlite3

    summary = generate_demo_data(database, beneficiaries=2000, profile=family_profile, seed=5)
    raw = sqlite3.connect(database.path)
    rows = raw.execute(
        "SELECT case_id, officer_id, device_id, updated_by, mode, answers, answered_at FROM survey_response"
    ).fetchall()
    served = summary.cases_by_status.get("served", 0) + summary.cases_by_status.get("closed", 0)
    assert summary.survey_responses == len(rows)
    assert 0.3 * served < len(rows) < 0.5 * served
    scale_ids = [q.id for q in family_profile.survey.questions if q.kind.value == "scale5"]
    scores: list[int] = []
    texts = 0
    for case_id, officer_id, device_id, updated_by, mode, answers, answered_at in rows:
        assert (case_id, officer_id, device_id, updated_by) == (None, None, None, None)
        assert mode in ("kiosk", "phone", "slip")
        assert answered_at.endswith(":00:00.000000")  # anonymous: rounded to the hour
        values = _json.loads(answers)
        assert set(scale_ids) <= set(values)
        scores += [values[q] for q in scale_ids]
        assert 0 <= values["recommend"] <= 10
        texts += isinstance(values.get("suggestion"), str)
    assert set(scores) <= {1, 2, 3, 4, 5}
    assert 3.6 < sum(scores) / len(scores) < 4.4
    assert 0 < texts < len(rows) * 0.25
    raw.close()


def test_suggestions_and_complaints_follow_their_lifecycle(database: Database, family_profile: PolicyProfile) -> None:
    """Each one has its received event first; closed ones a closing time and a closing event; answered a reply."""
    import sqlite3

    summary = generate_demo_data(database, beneficiaries=4000, profile=family_profile, seed=3)
    raw = sqlite3.connect(database.path)
    rows = raw.execute("SELECT id, kind, status, response, closed_at, created_at, due_date FROM suggestion").fetchall()
    assert summary.suggestions == len(rows) and 60 < len(rows) < 200
    assert {r[1] for r in rows} == {"suggestion", "complaint"}
    assert {r[2] for r in rows} >= {"closed", "answered"}
    for row_id, _kind, status, response, closed_at, created_at, due_date in rows:
        events = [e[0] for e in raw.execute(
            "SELECT action FROM suggestion_event WHERE suggestion_id = ? ORDER BY at, rowid", (row_id,))]
        expected = ["received", "routed", "answered", "closed"][: ["open", "in_progress", "answered", "closed"].index(
            status) + 1]
        assert events == expected
        assert (closed_at is not None) == (status == "closed")
        assert (response is not None) == (status in ("answered", "closed"))
        assert closed_at is None or closed_at > created_at
        assert due_date > created_at[:10]
    raw.close()


def test_dashboard_summaries_are_rebuilt_after_the_load(generated: tuple[Database, DemoSummary]) -> None:
    """The load suspends the summary triggers: the tables are rebuilt, equal to a recomputation, triggers back."""
    import sqlite3

    from desktop.reports.summaries import missing_triggers, recompute, snapshot

    database, _summary = generated
    raw = sqlite3.connect(database.path)
    assert missing_triggers(raw) == []
    stored = snapshot(raw)
    assert stored["report_contact_day"] and stored["report_decision"] and stored["report_answer_day"]
    assert stored == recompute(raw)
    raw.close()


def test_a_seed_makes_the_same_reports_whatever_the_ids(database: Database, tmp_path: Path) -> None:
    """The same seed gives the same statuses twice: the ids' random bits (UUIDv7) never steer what the seeded
    stream draws next (an escalation note drawn only when an id said so once made the statuses vary, and a test
    needing a dispatched report failed now and then)."""
    rescue = load_builtin_profile("daam-rescue")
    other = Database.open(seed_data_dir(tmp_path / "other", "mustafid.db") / "mustafid.db")
    other.upgrade()
    try:
        statuses = []
        for db in (database, other):
            generate_demo_data(db, beneficiaries=60, profile=rescue, seed=4)
            with db.session(read_only=True) as session:
                statuses.append(sorted(session.execute(
                    select(Case.status, func.count()).group_by(Case.status)).all()))
    finally:
        other.close()
    assert statuses[0] == statuses[1]
