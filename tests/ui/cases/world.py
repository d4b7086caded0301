"""A small real association for the case desk screens: cases made through the real reception service.

`build_world` makes the five cases on a workspace. The case desk and committee screens' tests start from that same
world, so `seed_world` copies a data directory where `build_world` ran once per process (and again once the Riyadh
date has moved on since: "today" stays today) and opens it, signed in as `build_world` leaves it; every test then
works on its own copy, as if it had built the world itself.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.hijri import riyadh_today
from desktop.identity import make_saudi_id
from desktop.reception import DocumentInput, ParticularsInput, ReceptionService
from desktop.workspace import Workspace
from tests.desktop.reception.conftest import signature_png
from tests.accounts import sign_in_desk
from tests.ui.workspaces import open_test_workspace

PROFILE_ID = "mafateeh-alkhair"


class FixedClock:
    """A clock set to one moment (cases received in the past)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    """The workspace and the cases made in it, by name."""

    workspace: Workspace
    cases: dict[str, uuid.UUID] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    id_numbers: dict[str, str] = field(default_factory=dict)
    _serial: int = 0

    def reception(self, days_ago: float = 0) -> ReceptionService:
        """The reception service, its clock `days_ago` days back."""
        if not days_ago:
            return ReceptionService(self.workspace)
        return ReceptionService(self.workspace, clock=FixedClock(datetime.now(UTC) - timedelta(days=days_ago)))

    def received(self, key: str, name: str, *, mobile: str = "0501234567", days_ago: float = 0,
                 channel: str = "interview", documents: list[DocumentInput] | None = None) -> uuid.UUID:
        """A case with its particulars verified (status received)."""
        service = self.reception(days_ago)
        view = service.start_contact(channel, "service_request")
        service.complete_greet(view.case_id)
        self._serial += 1
        id_number = make_saudi_id(f"1{self._serial:08d}")
        particulars = ParticularsInput(full_name=name, id_number=id_number, id_expiry="1460/01/01",
                                       birth_date="14/03/1985", mobile=mobile, city="الرياض", household_size="6",
                                       gender="male")
        docs = documents if documents is not None else [
            DocumentInput("صورة الهوية الوطنية", True, ""),
            DocumentInput("سجل الأسرة", True, "1460/06/01"),
        ]
        service.complete_verify(view.case_id, particulars, docs)
        self.cases[key] = view.case_id
        self.numbers[key] = view.case_number
        self.id_numbers[key] = id_number
        return view.case_id

    def awaiting(self, key: str, name: str, *, days_ago: float = 0, mobile: str = "0501234567") -> uuid.UUID:
        """A case signed and sent to the committee (status awaiting_committee)."""
        case_id = self.received(key, name, days_ago=days_ago, mobile=mobile)
        service = self.reception(days_ago)
        service.skip_step(case_id, "referral", "لا حاجة")
        service.sign_declaration(case_id, signature_png())
        service.notify_committee(case_id)
        return case_id


def build_world(workspace: Workspace) -> World:
    """Five cases: two awaiting the committee (one overdue), one received with a missing document,
    one received by phone, one of another name."""
    if workspace.active_profile() is None:
        workspace.adopt_builtin_profile(PROFILE_ID)
        sign_in_desk(workspace)
    world = World(workspace)
    world.awaiting("overdue", "سعد فهد ناصر الدوسري", days_ago=20, mobile="0551112222")
    world.awaiting("due", "عبد الله محمد عبد الرحمن القحطاني", days_ago=3, mobile="0553334444")
    world.received("missing", "فاطمة علي حسن الزهراني", mobile="0555556666", documents=[
        DocumentInput("صورة الهوية الوطنية", True, ""),
        DocumentInput("سجل الأسرة", False, ""),
    ])
    world.received("phone", "نورة سالم عبيد العتيبي", channel="phone", mobile="0557778888")
    world.received("other", "مريم أحمد يوسف الشهري", mobile="0559990000")
    return world


#: Where the `workspace` fixture (tests/ui/conftest.py) leaves the world it opened for the `world` fixtures.
WORLD_KEY = pytest.StashKey[World]()

_lock = threading.Lock()
#: The data directory `build_world` ran in (closed, checkpointed), the world's facts, and the Riyadh date it ran.
_template: tuple[Path, World, date] | None = None


def world_template() -> tuple[Path, World]:
    """The data directory where `build_world` ran (once per process and Riyadh date) and the world's facts (its
    workspace closed)."""
    global _template
    with _lock:
        today = riyadh_today()
        if _template is None or _template[2] != today:
            directory = Path(tempfile.mkdtemp(prefix="mustafid-world-")) / "data"
            atexit.register(shutil.rmtree, directory.parent, True)
            workspace = open_test_workspace(directory, PROFILE_ID, with_administrator=True)
            sign_in_desk(workspace)  # as `build_world` itself does after adopting
            built = build_world(workspace)
            workspace.close()  # the last connection checkpoints the write-ahead log: the files are the whole desk
            if any(directory.glob("*-wal")):
                raise RuntimeError("the world's database was not left checkpointed")
            _template = (directory, built, today)
        return _template[0], _template[1]


def seed_world(data_dir: Path) -> World:
    """A copy of the world's data directory in `data_dir` (not yet there), opened and signed in as `build_world`
    leaves it: the same five cases, each test on its own copy."""
    directory, built = world_template()
    shutil.copytree(directory, data_dir)
    workspace = open_test_workspace(data_dir)
    sign_in_desk(workspace)
    return replace(built, workspace=workspace, cases=dict(built.cases), numbers=dict(built.numbers),
                   id_numbers=dict(built.id_numbers))
