"""A small real workspace for the search and case list tests: beneficiaries and cases made by the reception service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.identity import make_saudi_id
from desktop.reception import DocumentInput, ParticularsInput, ReceptionService
from desktop.workspace import Workspace, os_username
from tests.desktop.reception.conftest import signature_png
from tests.templates import seed_data_dir

#: 2025-11-02 09:00 Riyadh (06:00 UTC).
START = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)


class ListingClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


#: (full name as typed at reception, mobile) of the people of the search tests.
PEOPLE: tuple[tuple[str, str], ...] = (
    ("عبد الله محمد عبد الرحمن القحطاني", "0501234567"),
    ("أسماء إبراهيم سعد آل سعود", "0551112222"),
    ("فاطمة علي حسن الزهراني", "0562223333"),
    ("مصطفى أحمد عيسى الغامدي", "0573334444"),
    ("محمود سالم ناصر الحربي", "0584445555"),
    ("حامد سالم ناصر العتيبي", "0595556666"),
    ("علا يوسف خالد الشمري", "0536667777"),
    ("علاء يوسف خالد الدوسري", "0547778888"),
)


@dataclass
class ListingWorld:
    """The workspace, its reception service on a fixed clock, and the ids of what was made."""

    workspace: Workspace
    clock: ListingClock
    reception: ReceptionService
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (id number, case id hex)
    cases: dict[str, uuid.UUID] = field(default_factory=dict)  # label -> case id
    serial: int = 0

    def particulars(self, name: str, mobile: str) -> ParticularsInput:
        """Valid particulars with a fresh ID number."""
        self.serial += 1
        return ParticularsInput(
            full_name=name, id_number=make_saudi_id(f"1{self.serial + 70000000:08d}"), id_expiry="1460/01/01",
            birth_date="14/03/1985", mobile=mobile, city="الرياض", household_size="4", gender="male",
        )

    def received(self, name: str, mobile: str, *, channel: str = "interview", provided: bool = True) -> uuid.UUID:
        """A case with its particulars verified (status received)."""
        view = self.reception.start_contact(channel, "service_request")
        self.reception.complete_greet(view.case_id)
        particulars = self.particulars(name, mobile)
        documents = [DocumentInput("صورة الهوية الوطنية", True, ""), DocumentInput("سجل الأسرة", provided, "1460/06/01")]
        self.reception.complete_verify(view.case_id, particulars, documents)
        self.people[name] = (particulars.id_number, view.case_id.hex)
        return view.case_id

    def awaiting(self, name: str, mobile: str) -> uuid.UUID:
        """A case signed and sent to the committee (awaiting_committee, promised date set)."""
        case_id = self.received(name, mobile)
        self.reception.skip_step(case_id, "referral", "لا حاجة")
        self.reception.sign_declaration(case_id, signature_png())
        self.reception.notify_committee(case_id)
        return case_id


def build_world(root: Path) -> ListingWorld:
    """003 (mafateeh-alkhair) with cases in several statuses, channels and days, through the real services."""
    workspace = Workspace.open(seed_data_dir(root / "listing", profile="mafateeh-alkhair"))  # the adopted template
    clock = ListingClock()
    world = ListingWorld(workspace, clock, ReceptionService(workspace, clock=clock))
    for index, (name, mobile) in enumerate(PEOPLE):
        clock.now = START + timedelta(days=index, hours=index)
        world.cases[name] = world.awaiting(name, mobile) if index % 2 == 0 else world.received(name, mobile)
    clock.now = START + timedelta(days=9)
    world.cases["missing"] = world.received("سلمان فهد سعيد المطيري", "0500000001", provided=False)
    world.cases["draft"] = world.reception.start_contact("phone", "inquiry").case_id
    phone_case = world.received("نورة عادل فيصل القرني", "0500000002", channel="phone")
    world.reception.skip_step(phone_case, "referral", "لا حاجة")
    world.reception.defer_signature(phone_case, "تواصل هاتفي")
    world.cases["signature"] = phone_case
    to_me = world.received("ريم منصور سامي البلوي", "0500000003")
    world.reception.refer(to_me, "سؤال للمختص", to_person=os_username())
    world.cases["referred_to_me"] = to_me
    to_role = world.received("هند طلال ماجد العنزي", "0500000004")
    world.reception.refer(to_role, "سؤال للمختص")
    world.cases["referred_to_role"] = to_role
    return world
