"""Fixtures of the case desk service tests: real workspaces, cases made by the real reception service, fixed clocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.casedesk import CaseDesk
from desktop.identity import make_saudi_id
from desktop.reception import DocumentInput, ParticularsInput, ReceptionService
from desktop.workspace import Workspace
from tests.desktop.reception.conftest import needs_poppler, pdf_text, qpdf_ok, signature_png
from tests.templates import seed_data_dir

__all__ = ["Clock", "Desk", "desk", "make_desk", "needs_poppler", "pdf_text", "qpdf_ok"]

NAME = "عبد الله محمد عبد الرحمن القحطاني"
#: 2025-11-02 09:00 Riyadh (06:00 UTC): a Sunday; the 14-day promise of 003 falls on 2025-11-16.
START = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, *, days: float = 0, hours: float = 0) -> None:
        """Move the clock forward."""
        self.now += timedelta(days=days, hours=hours)


@dataclass
class Desk:
    """A workspace with the reception and case desk services sharing one clock."""

    workspace: Workspace
    clock: Clock
    reception: ReceptionService
    service: CaseDesk
    _serial: int = 0

    def particulars(self, *, name: str = NAME, mobile: str = "0501234567") -> ParticularsInput:
        """Valid particulars with a fresh ID number for each new beneficiary."""
        self._serial += 1
        return ParticularsInput(
            full_name=name, id_number=make_saudi_id(f"1{self._serial:08d}"), id_expiry="1460/01/01",
            birth_date="14/03/1985", mobile=mobile, city="الرياض", household_size="6", gender="male",
        )

    def received(self, *, name: str = NAME, documents: list[DocumentInput] | None = None,
                 channel: str = "interview") -> str:
        """A case of 003 with its particulars verified (status received); returns its case id hex."""
        view = self.reception.start_contact(channel, "service_request")
        self.reception.complete_greet(view.case_id)
        docs = documents if documents is not None else [
            DocumentInput("صورة الهوية الوطنية", True, ""),
            DocumentInput("سجل الأسرة", True, "1460/06/01"),
        ]
        self.reception.complete_verify(view.case_id, self.particulars(name=name), docs)
        return view.case_id.hex

    def awaiting(self, *, name: str = NAME, documents: list[DocumentInput] | None = None) -> str:
        """A case of 003 signed and sent to the committee (status awaiting_committee); returns its id hex."""
        case_hex = self.received(name=name, documents=documents)
        import uuid

        case_id = uuid.UUID(hex=case_hex)
        self.reception.skip_step(case_id, "referral", "لا حاجة")
        self.reception.sign_declaration(case_id, signature_png())
        self.reception.notify_committee(case_id)
        return case_hex


def make_desk(root: Path, profile_id: str = "mafateeh-alkhair", clock: Clock | None = None) -> Desk:
    """Open a workspace with a built-in policy (a copy of the template adopted once per process) and both services on
    one clock."""
    ws = Workspace.open(seed_data_dir(root / profile_id, profile=profile_id))
    clock = clock or Clock()
    return Desk(ws, clock, ReceptionService(ws, clock=clock), CaseDesk(ws, clock=clock))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """The case desk of جمعية مفاتيح الخير الأسرية (003: 14 days, explicit eligibility mechanism)."""
    made = make_desk(tmp_path)
    yield made
    made.workspace.close()


@pytest.fixture
def open_desk(tmp_path: Path) -> Iterator[Callable[[str], Desk]]:
    """Open a case desk on any built-in policy."""
    opened: list[Desk] = []

    def factory(profile_id: str) -> Desk:
        made = make_desk(tmp_path, profile_id)
        opened.append(made)
        return made

    yield factory
    for made in opened:
        made.workspace.close()
