"""Dashboard figures against numbers computed by hand from the fixture (see conftest.march)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from desktop.reports import DashboardService, Period, ReportError
from desktop.workspace import Workspace
from tests.desktop.reports.conftest import NOW


def _service(ws: Workspace) -> DashboardService:
    return DashboardService(ws, clock=lambda: NOW)


def test_march_figures_match_the_hand_computation(march: Workspace) -> None:
    f = _service(march).figures(Period.gregorian_month(2025, 3))
    channels = {c.channel_id: c.count for c in f.contacts_by_channel}
    # T-1 phone; T-2, T-3 interview; T-5 website (23:30 on 31 March in Riyadh); T-4 is February, T-6 April.
    assert channels == {"interview": 2, "phone": 1, "website": 1, "social_media": 0, "letters": 0, "volunteering": 0}
    assert f.contacts_total == 4
    assert {s.status: s.count for s in f.cases_by_status} == {
        "accepted": 1, "rejected": 1, "awaiting_committee": 1, "received": 1}
    # Decisions in March: T-1 (8 days), T-4 (9 days), T-2 (20 days) → median 9; within the promise T-1 and T-4.
    assert f.decisions == 3
    assert f.median_days_to_decision == 9.0
    assert (f.decided_within_promise, f.decisions_with_promise) == (2, 3)
    assert f.within_promise_share == pytest.approx(66.6667, abs=1e-3)
    # On 10 April: T-3 (promised 3 April) is overdue; T-5 and T-6 are not yet.
    assert f.overdue_now == 1
    # Scale answers in March: 5+4+4+5 + 3+3+2+4 + 1+2+2+1 = 36 over 12 → 3.0 → 50 %.
    assert f.survey_responses == 3
    assert f.scale_answers == 12
    assert f.satisfaction_mean == 3.0
    assert f.satisfaction_percent == 50.0
    scores = {q.question_id: q.mean for q in f.question_scores}
    assert scores["reception"] == 3.0
    assert scores["speed"] == pytest.approx(8 / 3)
    assert scores["overall"] == pytest.approx(10 / 3)
    # Recommendation 10, 7, 3: one promoter, one passive, one detractor → 0.
    assert f.recommendation is not None
    assert (f.recommendation.promoters, f.recommendation.passives, f.recommendation.detractors) == (1, 1, 1)
    assert f.recommendation.score == 0.0
    assert (f.complaints.opened, f.complaints.closed, f.complaints.open_now) == (1, 2, 0)
    assert (f.suggestions.opened, f.suggestions.closed, f.suggestions.open_now) == (1, 0, 1)
    assert not f.is_empty


def test_trend_per_month_of_a_custom_period(march: Workspace) -> None:
    f = _service(march).figures(Period.custom(date(2025, 2, 1), date(2025, 3, 31)))
    assert [(m.responses, m.mean, m.percent) for m in f.satisfaction_trend] == [(1, 5.0, 100.0), (3, 3.0, 50.0)]
    assert f.satisfaction_mean == 56 / 16  # 20 more points over 4 more answers


def test_hijri_month_period_uses_umm_al_qura_bounds() -> None:
    ramadan = Period.hijri_month(1446, 9)
    assert (ramadan.start, ramadan.end) == (date(2025, 3, 1), date(2025, 3, 29))
    assert ramadan.label_ar == "رمضان 1446 هـ"
    assert [m.label_ar for m in Period.hijri_year(1446).months()][:2] == ["محرم 1446", "صفر 1446"]
    with pytest.raises(ReportError):
        Period(date(2025, 3, 2), date(2025, 3, 1), "x")


def test_empty_period_has_no_shares_and_says_so(march: Workspace) -> None:
    f = _service(march).figures(Period.gregorian_month(2024, 1))
    assert f.is_empty
    assert f.contacts_total == 0 and f.decisions == 0
    assert f.median_days_to_decision is None and f.within_promise_share is None
    assert f.satisfaction_mean is None and f.satisfaction_percent is None
    assert f.recommendation is not None and f.recommendation.score is None


def test_corrective_actions_follow_their_finding_period(march: Workspace) -> None:
    service = _service(march)
    action = service.record_corrective_action(
        finding="انخفاض الرضا عن سرعة الإنجاز", action="اختصار خطوات التسجيل", owner="مدير الجودة",
        due_date=date(2025, 4, 1), period=Period.gregorian_month(2025, 3),
    )
    assert action.overdue  # planned, due 1 April, today 10 April
    assert [a.action_id for a in service.corrective_actions(Period.gregorian_month(2025, 3))] == [action.action_id]
    assert service.corrective_actions(Period.gregorian_month(2025, 1)) == ()
    done = service.update_corrective_action(action.action_id, status="done")
    assert done.completed_at is not None and not done.overdue
    with pytest.raises(ReportError):
        service.record_corrective_action(finding=" ", action="x", owner="y", due_date=date(2025, 4, 1))


def test_officer_figures_hidden_unless_manager_and_linking(march: Workspace) -> None:
    service = _service(march)
    period = Period.gregorian_month(2025, 3)
    officer_view = service.officer_figures(period, viewer_role="officer")
    assert not officer_view.shown and "للمدير" in officer_view.message_ar
    manager_view = service.officer_figures(period, viewer_role="manager")
    assert not manager_view.shown and "مجهول الهوية" in manager_view.message_ar


def test_minimum_five_responses_per_officer(open_workspace: Callable[[str], Workspace], tmp_path: object) -> None:
    from tests.desktop.satisfaction.test_survey import linked_workspace

    ws = linked_workspace(open_workspace)
    from db.models import AppUser, Association
    from sqlalchemy import select

    with ws.db.session() as session:
        association = session.scalars(select(Association)).one()
        a = AppUser(association_id=association.id, username="a", full_name="سارة", role="officer")
        b = AppUser(association_id=association.id, username="b", full_name="خالد", role="officer")
        session.add_all([a, b])
        session.flush()
        ids = (a.id, b.id)
    from tests.desktop.reports.conftest import add_case, riyadh

    add_case(ws, "L-1", "phone", riyadh(2025, 3, 2), date(2025, 3, 16), "served")
    add_case(ws, "L-2", "phone", riyadh(2025, 3, 2), date(2025, 3, 16), "served")
    from db.models import Case
    from desktop.satisfaction import SurveyService

    with ws.db.session() as session:
        cases = {c.case_number: c for c in session.scalars(select(Case))}
        cases["L-1"].officer_id, cases["L-2"].officer_id = ids
        case_ids = (cases["L-1"].id, cases["L-2"].id)
    survey = SurveyService(ws, clock=lambda: riyadh(2025, 3, 5))
    for score in (5, 4, 4, 3, 4):  # five for سارة: mean of 4 answers each
        survey.record({"reception": score, "clarity": score, "speed": score, "overall": score}, way="phone",
                      case_id=case_ids[0])
    for _ in range(4):  # four for خالد: hidden
        survey.record({"reception": 1, "clarity": 1, "speed": 1, "overall": 1}, way="phone", case_id=case_ids[1])
    figures = _service(ws).officer_figures(Period.gregorian_month(2025, 3), viewer_role="manager")
    assert figures.shown
    assert [(r.officer_name, r.responses, r.mean) for r in figures.rows] == [("سارة", 5, 4.0)]
    assert figures.rows[0].percent == 75.0
    assert figures.hidden_officers == 1
    assert "أُخفيت نتائج 1" in figures.message_ar


def test_file_completeness(march: Workspace) -> None:
    # T-1, T-2, T-3, T-5 submitted in March; none has a signed declaration → none complete.
    c = _service(march).file_completeness(Period.gregorian_month(2025, 3))
    assert (c.cases, c.complete, c.unsigned_declaration, c.missing_documents) == (4, 0, 4, 0)
    assert c.share == 0.0
    assert _service(march).file_completeness(Period.gregorian_month(2024, 1)).share is None
