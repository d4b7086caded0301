"""The catalogue of a case's printed documents: one entry per document, every renderer real, one title everywhere."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from db.models import UserRole
from desktop.arabic_text import has_arabic
from desktop.casedesk.timeline import DOCUMENT_KIND_LABELS
from desktop.cli import build_parser
from desktop.documents import catalogue
from desktop.errors import ReceptionError

ROOT = Path(__file__).resolve().parents[2]


def test_kinds_and_cli_names_are_unique_and_titles_arabic() -> None:
    """No two entries share a kind or a CLI name; every title is Arabic."""
    kinds = [entry.kind for entry in catalogue.CATALOGUE]
    names = [entry.cli_name for entry in catalogue.CATALOGUE]
    assert len(set(kinds)) == len(kinds)
    assert len(set(names)) == len(names)
    assert all(has_arabic(entry.title_ar) for entry in catalogue.CATALOGUE)


@pytest.mark.parametrize("entry", catalogue.CATALOGUE, ids=lambda entry: entry.kind)
def test_every_renderer_is_a_real_function_of_session_case_profile_store(entry: catalogue.PrintedDocument) -> None:
    """Each ``module:function`` name imports and takes the four arguments the catalogue passes."""
    render = entry.render_function()
    assert callable(render)
    assert list(inspect.signature(render).parameters)[:4] == ["session", "case", "profile", "store"]


def test_lookups() -> None:
    """By kind, by CLI name, titles with a default; unknown names refused in Arabic."""
    assert catalogue.document("decision_letter").cli_name == "letter"
    assert catalogue.by_cli_name("blank-declaration").kind == "blank_declaration"
    assert catalogue.title_of("receipt") == "إشعار استلام الطلب"
    assert catalogue.title_of("scan", "نسخة ممسوحة") == "نسخة ممسوحة"
    assert catalogue.title_of(None) == ""
    with pytest.raises(ReceptionError) as refused:
        catalogue.document("passport")
    assert refused.value.message_ar == "نوع المستند غير معروف"
    with pytest.raises(ReceptionError):
        catalogue.by_cli_name("passport")


def test_who_may_print() -> None:
    """The desk's roles may print a case's documents; a role the entry does not name is refused in Arabic."""
    letter = catalogue.document("decision_letter")
    letter.check_may_print(UserRole.OFFICER.value)
    letter.check_may_print(UserRole.COMMITTEE.value)
    with pytest.raises(ReceptionError) as refused:
        letter.check_may_print(UserRole.OPERATIONS_MANAGER.value)
    assert "خطاب قرار لجنة البحث" in refused.value.message_ar
    with pytest.raises(ReceptionError):
        letter.check_may_print("nobody")


def test_one_title_on_every_surface() -> None:
    """The timeline and the CLI read the catalogue: the same title and the same names."""
    for entry in catalogue.CATALOGUE:
        assert DOCUMENT_KIND_LABELS[entry.kind] == entry.title_ar
    parser = build_parser()
    pdf = next(action for action in parser._subparsers._group_actions  # type: ignore[union-attr]
               if action.dest == "command").choices["pdf"]  # type: ignore[index]
    kind = next(action for action in pdf._actions if action.dest == "kind")
    assert list(kind.choices) == catalogue.cli_names()


def test_titles_load_without_reportlab() -> None:
    """A screen that only needs titles does not pay for the PDF engine."""
    code = "import sys, desktop.documents.catalogue; print('reportlab' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
