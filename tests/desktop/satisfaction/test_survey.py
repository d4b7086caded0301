"""Surveys: validation, anonymity by default, linking only when the profile says so, slips, the kiosk PIN."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from db.models import AuditEvent, SurveyResponse
from desktop.policy import load_profile_text
from desktop.satisfaction import SCALE5_CHOICES, AnonymityMode, SurveyError, SurveyService
from desktop.workspace import Workspace
from tests.templates import seed_data_dir

AT = datetime(2025, 3, 3, 7, 41, 12, tzinfo=UTC)
FULL = {"reception": 5, "clarity": 4, "speed": 3, "overall": 4}


@pytest.fixture
def open_workspace(tmp_path):  # type: ignore[no-untyped-def]
    """Open a workspace with a built-in policy adopted (a copy of the template adopted once per process)."""
    opened: list[Workspace] = []

    def factory(profile_id: str) -> Workspace:
        ws = Workspace.open(seed_data_dir(tmp_path / profile_id, profile=profile_id))
        opened.append(ws)
        return ws

    yield factory
    for ws in opened:
        ws.close()


def linked_workspace(open_workspace: Callable[[str], Workspace]) -> Workspace:
    """مفاتيح الخير with a policy version that links responses to cases and officers."""
    ws = open_workspace("mafateeh-alkhair")
    profile = ws.active_profile()
    assert profile is not None
    source = profile.source_text.replace("anonymous = true\nlink_to_officer = false",
                                         "anonymous = false\nlink_to_officer = true")
    source = source.replace(f'version = "{profile.version}"', 'version = "linked-test"', 1)
    path = ws.data_dir / "linked.toml"
    path.write_text(source, encoding="utf-8")
    ws.import_profile(path)
    assert load_profile_text(source, source="x").survey.link_to_officer
    return ws


def _rows(ws: Workspace) -> list[SurveyResponse]:
    with ws.db.session(read_only=True) as session:
        return list(session.scalars(select(SurveyResponse)))


def test_survey_comes_from_the_profile_with_labels_and_faces(open_workspace: Callable[[str], Workspace]) -> None:
    survey = SurveyService(open_workspace("qader-tabuk")).survey()
    assert [q.question_id for q in survey.questions][:2] == ["reception", "privacy"]
    scale = survey.questions[0]
    assert [c.value for c in scale.choices] == [1, 2, 3, 4, 5]
    assert scale.choices[0].label_ar == "غير راضٍ إطلاقًا" and scale.choices[-1].label_ar == "راضٍ جدًا"
    assert all(c.face for c in SCALE5_CHOICES)
    assert survey.mode is AnonymityMode.ANONYMOUS
    assert "لا يُحفظ" in survey.mode.explanation_ar


def test_anonymous_by_default_keeps_no_case_officer_or_exact_time(open_workspace: Callable[[str], Workspace]) -> None:
    ws = open_workspace("mafateeh-alkhair")
    service = SurveyService(ws, clock=lambda: AT)
    service.record({**FULL, "recommend": 9, "suggestion": "  مواقف أكثر  "}, way="kiosk")
    (row,) = _rows(ws)
    assert row.case_id is None and row.officer_id is None and row.updated_by is None and row.device_id is None
    assert row.answered_at == datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
    assert row.answers == {**FULL, "recommend": 9, "suggestion": "مواقف أكثر"}
    assert row.mode == "kiosk"
    with ws.db.session(read_only=True) as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.entity == "survey_response")) is None


def test_linking_only_when_the_profile_turns_it_on(open_workspace: Callable[[str], Workspace]) -> None:
    ws = linked_workspace(open_workspace)
    service = SurveyService(ws, clock=lambda: AT)
    assert service.mode() is AnonymityMode.LINKED_TO_OFFICER
    service.record(FULL, way="phone")
    (row,) = _rows(ws)
    assert row.officer_id is not None and row.answered_at == AT


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"reception": 5, "clarity": 4, "speed": 3}, "مطلوب"),
        ({**FULL, "reception": 6}, "من 1 إلى 5"),
        ({**FULL, "recommend": 11}, "من 0 إلى 10"),
        ({**FULL, "reception": True}, "من 1 إلى 5"),
        ({**FULL, "unknown": 3}, "غير موجود"),
    ],
)
def test_bad_or_partial_answers_store_nothing(
    open_workspace: Callable[[str], Workspace], answers: dict[str, object], message: str
) -> None:
    ws = open_workspace("mafateeh-alkhair")
    with pytest.raises(SurveyError, match=message):
        SurveyService(ws).record(answers, way="kiosk")  # type: ignore[arg-type]
    assert _rows(ws) == []


def test_slip_is_single_use_and_its_code_unambiguous(open_workspace: Callable[[str], Workspace]) -> None:
    ws = open_workspace("mafateeh-alkhair")
    service = SurveyService(ws)
    slip = service.issue_slip(None)
    assert len(slip.code) == 8 and not set(slip.code) & set("0O1IL")
    service.record_slip(slip.display_code.lower(), FULL)
    with pytest.raises(SurveyError, match="مرة واحدة"):
        service.record_slip(slip.code, FULL)
    with pytest.raises(SurveyError, match="غير صحيح"):
        service.record_slip("ABCDEFGH", FULL)
    assert len(_rows(ws)) == 1 and _rows(ws)[0].mode == "slip"
    assert service.slip(slip.code).used_at is not None


def test_slip_pdf_has_the_qr_code_text_and_questions(open_workspace: Callable[[str], Workspace], tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.desktop.reports.conftest import pdf_text, qpdf_ok

    service = SurveyService(open_workspace("mafateeh-alkhair"))
    slip = service.issue_slip(None)
    pdf = service.slip_pdf(slip)
    assert qpdf_ok(pdf, tmp_path)
    text_ = pdf_text(pdf, tmp_path)
    assert slip.display_code in text_
    assert "استبانة رضا المستفيد" in text_
    assert "ما مدى رضاك عن سرعة إنجاز معاملتك؟" in text_


def test_kiosk_pin_has_no_default_and_is_stored_hashed(open_workspace: Callable[[str], Workspace]) -> None:
    ws = open_workspace("mafateeh-alkhair")
    service = SurveyService(ws)
    assert not service.has_officer_pin()
    assert not service.check_officer_pin("0000") and not service.check_officer_pin("")
    with pytest.raises(SurveyError):
        service.set_officer_pin("12")
    service.set_officer_pin("٤٨٢١")  # Arabic-Indic digits accepted
    assert service.has_officer_pin()
    assert service.check_officer_pin("4821")
    assert not service.check_officer_pin("4822")
    with ws.db.session(read_only=True) as session:
        stored = session.execute(text("SELECT value FROM desk_setting")).scalar_one()
    assert "4821" not in stored and json.loads(stored)["scheme"] == "scrypt"
