"""Fixtures for the reception tests: a workspace per policy, valid particulars, signatures and scans."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select, text

from db.models import Base
from desktop.arabic_text import BIDI_CONTROLS, to_latin_digits
from desktop.casedesk import CommitteeService, DecisionInput
from desktop.identity import make_saudi_id
from desktop.reception import DocumentInput, ParticularsInput, ReceptionService
from desktop.workspace import Workspace
from tests.templates import seed_data_dir

#: The five built-in policies (seed files 000–004).
PROFILES = ("daam-rescue", "tahfeez-bir-bin-hirmas", "qader-tabuk", "mafateeh-alkhair", "baraah")

NAME = "عبد الله محمد عبد الرحمن القحطاني"
ID_NUMBER = make_saudi_id("100000001")  # 1000000016
MOBILE = "0501234567"


def particulars(**overrides: str) -> ParticularsInput:
    """Valid particulars as the verify page submits them (a Hijri expiry date, a Gregorian birth date)."""
    values = {
        "full_name": NAME,
        "id_number": ID_NUMBER,
        "id_expiry": "1460/01/01",
        "birth_date": "14/03/1985",
        "mobile": MOBILE,
        "city": "الرياض",
        "household_size": "6",
        "gender": "male",
    }
    values.update(overrides)
    return ParticularsInput(**values)


def documents(*, provided: bool = True) -> list[DocumentInput]:
    """A typical checklist: the ID copy and a family record valid until a future Hijri date."""
    return [
        DocumentInput("صورة الهوية الوطنية", provided, ""),
        DocumentInput("سجل الأسرة", provided, "1460/06/01"),
    ]


def signature_png(width: int = 400, height: int = 150) -> bytes:
    """A real-looking signature: a few strokes on a transparent background."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 110), (90, 30), (170, 120), (260, 40), (380, 90)], fill=(10, 20, 120, 255), width=5)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_file(path: Path, size: tuple[int, int] = (300, 200)) -> Path:
    """A small scanned page as a PNG file."""
    image = Image.new("RGB", size, (250, 250, 250))
    ImageDraw.Draw(image).rectangle([20, 20, size[0] - 20, size[1] - 20], outline=(0, 0, 0), width=3)
    image.save(path, "PNG")
    return path


def pdf_text(path: Path) -> str:
    """The text of a PDF by pdftotext, NFKC-normalised, bidi controls removed, digits read as 0-9.

    Documents print their numbers in the desk's digit style (Arabic-Indic by default): these tests check
    what is printed and where, `tests/desktop/test_digits.py` checks the style.
    """
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    text = "".join(ch for ch in unicodedata.normalize("NFKC", done.stdout) if ch not in BIDI_CONTROLS)
    return to_latin_digits(text)


def qpdf_ok(path: Path) -> bool:
    """True when `qpdf --check` finds no problem in the file."""
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("qpdf") is None, reason="poppler-utils/qpdf not installed"
)


@pytest.fixture
def open_workspace(tmp_path: Path) -> Iterator[Callable[[str], Workspace]]:
    """Open a workspace in its own data directory with a built-in policy adopted (a copy of the template adopted once
    per process by the real `adopt_builtin_profile`: these tests are about the reception, not the adoption)."""
    opened: list[Workspace] = []

    def factory(profile_id: str) -> Workspace:
        ws = Workspace.open(seed_data_dir(tmp_path / profile_id, profile=profile_id))
        opened.append(ws)
        return ws

    yield factory
    for ws in opened:
        ws.close()


@pytest.fixture
def service(open_workspace: Callable[[str], Workspace]) -> ReceptionService:
    """The reception service of جمعية مفاتيح الخير الأسرية (003: NCNP template, 14 days)."""
    return ReceptionService(open_workspace("mafateeh-alkhair"))


@pytest.fixture
def rescue(open_workspace: Callable[[str], Workspace]) -> ReceptionService:
    """The reception service of جمعية دعم للبحث والإنقاذ (000: reports, no committee)."""
    return ReceptionService(open_workspace("daam-rescue"))


def committee_decides(service: ReceptionService, case_id: uuid.UUID, decision: str = "accept", reason: str = "") -> None:
    """The research committee decides the case (through the case desk's committee service, as its secretary would)."""
    workspace: Workspace = service._workspace  # noqa: SLF001 - the same workspace as the reception's
    CommitteeService(workspace).decide(case_id, DecisionInput(decision, reason, ("د. سارة العمري",)))


def snapshot(ws: Workspace) -> dict[str, object]:
    """Row counts of every table and the files of the attachment store: to prove nothing was written."""
    counts: dict[str, object] = {}
    with ws.db.session(read_only=True) as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = session.scalar(select(func.count()).select_from(table))
        counts["max_version"] = session.scalar(text('SELECT max(version) FROM "case"'))
    store = ws.data_dir / "attachments"
    counts["files"] = sorted(p.name for p in store.rglob("*") if p.is_file()) if store.exists() else []
    return counts
