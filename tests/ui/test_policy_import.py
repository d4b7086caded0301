"""A policy file opened with the desk (`mustafid --import-policy FILE`, the installer's «فتح باستخدام» for .toml)
and the About box."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

import resources
from desktop.version import app_version
from desktop.workspace import Workspace
from ui.about import AboutDialog, about_lines
from ui.app import parse_arguments
from ui.policy_import import PolicyImportOffer


@pytest.fixture
def parent(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_the_command_line_takes_a_policy_file() -> None:
    """`--import-policy FILE` is the desk's own argument (the rest still goes to Qt)."""
    arguments, rest = parse_arguments(["--import-policy", "C:/x/policy.toml", "-platform", "offscreen"])
    assert arguments.import_policy == Path("C:/x/policy.toml")
    assert rest == ["-platform", "offscreen"]


def test_asking_then_adopting_a_new_version_of_the_association_policy(
    qtbot, adopted_workspace: Workspace, parent: QWidget, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """«نعم» validates and adopts the file on the writer; the window is told the adopted policy."""
    source = (resources.POLICIES / "mafateeh-alkhair.toml").read_text(encoding="utf-8")
    edited = tmp_path / "mafateeh.toml"
    assert 'version = "2025-10"' in source
    edited.write_text(source.replace('version = "2025-10"', 'version = "2026-01"', 1), encoding="utf-8")
    offer = PolicyImportOffer(adopted_workspace, edited, parent)
    box = offer.ask()
    assert box.isVisible() and "mafateeh.toml" in box.text()
    with qtbot.waitSignal(offer.sig_adopted, timeout=20_000) as adopted:
        box.button(QMessageBox.StandardButton.Yes).click()
    assert adopted.args[0].id == "mafateeh-alkhair" and str(adopted.args[0].version) == "2026-01"
    active = adopted_workspace.active_profile()
    assert active is not None and str(active.version) == "2026-01"


def test_a_file_with_problems_is_refused_in_arabic(
    qtbot, adopted_workspace: Workspace, parent: QWidget, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """A broken file adopts nothing; the officer reads why."""
    broken = tmp_path / "broken.toml"
    broken.write_text("schema_version = 1\n[association\n", encoding="utf-8")
    offer = PolicyImportOffer(adopted_workspace, broken, parent)
    with qtbot.waitSignal(offer.sig_refused, timeout=20_000) as refused:
        offer.adopt()
    assert "سياسة" in refused.args[0]
    active = adopted_workspace.active_profile()
    assert active is not None and active.id == "mafateeh-alkhair"


def test_another_associations_policy_is_refused(
    qtbot, adopted_workspace: Workspace, parent: QWidget  # type: ignore[no-untyped-def]
) -> None:
    """The service refuses a policy of another association in this database (the screen only reports it)."""
    offer = PolicyImportOffer(adopted_workspace, resources.POLICIES / "baraah.toml", parent)
    with qtbot.waitSignal(offer.sig_refused, timeout=20_000) as refused:
        offer.adopt()
    assert "لجمعية أخرى" in refused.args[0]


def test_the_about_box_shows_the_version(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The About box names the program and its version (held left to right) in Arabic."""
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "حول مكتب المستفيد"
    assert app_version() in dialog.version_label.text() or "٠" in dialog.version_label.text()
    assert about_lines()[1].startswith("الإصدار: ")
