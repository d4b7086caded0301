"""Fixture data for the dashboard and reports: a handful of cases, decisions, responses and complaints in March 2025."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Association, Case, CommitteeDecision, PolicyVersion, Suggestion
from desktop.arabic_text import strip_bidi_controls, to_latin_digits
from desktop.satisfaction import SurveyService
from desktop.workspace import Workspace
from tests.templates import seed_data_dir

RIYADH = timezone(timedelta(hours=3))
#: "Now" of the fixture: 10 April 2025, 09:00 in Riyadh.
NOW = datetime(2025, 4, 10, 6, 0, tzinfo=UTC)


def riyadh(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Riyadh wall-clock moment as an aware datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=RIYADH)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext of the PDF: NFKC, bidi controls removed, Latin digits, '.' and ',' for ٫ and ٬, spaces squashed."""
    target = tmp_path / "out.pdf"
    target.write_bytes(pdf)
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(target), "-"], capture_output=True, check=True).stdout
    text = strip_bidi_controls(unicodedata.normalize("NFKC", raw.decode("utf-8")))
    text = to_latin_digits(text).replace("٫", ".").replace("٬", ",")
    return " ".join(text.split())


def squash(text: str) -> str:
    """Only letters, digits and '.': pdftotext moves spaces, brackets and signs around in right-to-left runs."""
    return "".join(ch for ch in text if ch.isalnum() or ch == ".")


def qpdf_ok(pdf: bytes, tmp_path: Path) -> bool:
    """True when qpdf --check finds nothing wrong."""
    target = tmp_path / "check.pdf"
    target.write_bytes(pdf)
    return subprocess.run(["qpdf", "--check", str(target)], capture_output=True).returncode == 0


@pytest.fixture
def open_workspace(tmp_path: Path) -> Iterator[Callable[[str], Workspace]]:
    """Open a workspace with a built-in policy adopted (a copy of the template adopted once per process)."""
    opened: list[Workspace] = []

    def factory(profile_id: str) -> Workspace:
        ws = Workspace.open(seed_data_dir(tmp_path / profile_id, profile=profile_id))
        opened.append(ws)
        return ws

    yield factory
    for ws in opened:
        ws.close()


def add_case(
    ws: Workspace, number: str, channel: str, submitted: datetime, promised: date | None, status: str,
    decision: tuple[str, datetime] | None = None,
) -> None:
    """A case row (and its committee decision) written directly."""
    with ws.db.session() as session:
        association = session.scalars(select(Association)).one()
        version = session.scalars(select(PolicyVersion)).first()
        assert version is not None
        case = Case(
            association_id=association.id, case_number=number, policy_version_id=version.id, channel_id=channel,
            case_kind_id="support", status=status, submitted_at=submitted, promised_decision_date=promised,
        )
        session.add(case)
        session.flush()
        if decision is not None:
            session.add(CommitteeDecision(case_id=case.id, decision=decision[0], decided_at=decision[1]))


def add_suggestion(ws: Workspace, kind: str, opened: datetime, closed: datetime | None) -> None:
    """A suggestion or complaint row."""
    with ws.db.session() as session:
        association = session.scalars(select(Association)).one()
        session.add(
            Suggestion(
                association_id=association.id, kind=kind, channel_id="phone", text="نص", created_at=opened,
                status="closed" if closed else "open", closed_at=closed, due_date=(opened + timedelta(days=14)).date(),
            )
        )


def answer(ws: Workspace, at: datetime, scores: tuple[int, int, int, int], recommend: int | None) -> None:
    """One confirmed kiosk response at `at`."""
    answers: dict[str, int | str] = dict(zip(("reception", "clarity", "speed", "overall"), scores, strict=True))
    if recommend is not None:
        answers["recommend"] = recommend
    SurveyService(ws, clock=lambda: at).record(answers, way="kiosk")


@pytest.fixture
def march(open_workspace: Callable[[str], Workspace]) -> Workspace:
    """مفاتيح الخير with March 2025 data whose figures the tests compute by hand."""
    ws = open_workspace("mafateeh-alkhair")
    add_case(ws, "T-1", "phone", riyadh(2025, 3, 2), date(2025, 3, 16), "accepted",
             ("accept", riyadh(2025, 3, 10)))                                  # 8 days, within
    add_case(ws, "T-2", "interview", riyadh(2025, 3, 5), date(2025, 3, 19), "rejected",
             ("reject", riyadh(2025, 3, 25)))                                  # 20 days, late
    add_case(ws, "T-3", "interview", riyadh(2025, 3, 20), date(2025, 4, 3), "awaiting_committee")  # overdue now
    add_case(ws, "T-4", "phone", riyadh(2025, 2, 20), date(2025, 3, 6), "accepted",
             ("accept", riyadh(2025, 3, 1)))                                   # Feb contact, March decision: 9 days
    add_case(ws, "T-5", "website", riyadh(2025, 3, 31, 23, 30), date(2025, 4, 14), "received")   # last minute of March
    add_case(ws, "T-6", "website", riyadh(2025, 4, 1, 0, 30), date(2025, 4, 15), "received")     # April
    answer(ws, riyadh(2025, 3, 3), (5, 4, 4, 5), 10)
    answer(ws, riyadh(2025, 3, 12), (3, 3, 2, 4), 7)
    answer(ws, riyadh(2025, 3, 28), (1, 2, 2, 1), 3)
    answer(ws, riyadh(2025, 2, 14), (5, 5, 5, 5), None)                       # February
    add_suggestion(ws, "complaint", riyadh(2025, 3, 3), riyadh(2025, 3, 8))
    add_suggestion(ws, "suggestion", riyadh(2025, 3, 15), None)
    add_suggestion(ws, "complaint", riyadh(2025, 2, 10), riyadh(2025, 3, 2))
    return ws
