"""Screenshots of the main window and the first-run dialog, saved to $MUSTAFID_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from desktop.policy import load_builtin_profile
from desktop.workspace import Workspace
from ui.first_run import FirstRunDialog
from ui.main_window import MainWindow
from ui.ops import operations
from ui.sections import section_index
from tests.accounts import sign_in_desk

SCREENSHOTS_ENV = "MUSTAFID_SCREENSHOTS"


def _save(widget: QWidget, name: str) -> QImage:
    """Grab a widget; write it as <name>.png into $MUSTAFID_SCREENSHOTS when set. Returns the image."""
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 200 and image.height() > 200
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert image.save(str(Path(folder) / f"{name}.png"))
    return image


@pytest.mark.parametrize("profile_id", ["mafateeh-alkhair", "daam-rescue"])
def test_main_window_screenshots(qtbot, workspace: Workspace, profile_id: str) -> None:
    """The main window on each page worth looking at: reception outline, committee, settings."""
    workspace.adopt_builtin_profile(profile_id)
    sign_in_desk(workspace)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1100, 720)
    window.show()
    qtbot.waitExposed(window)
    for key in ("reception", "committee", "settings"):
        window.show_section(section_index(key))
        qtbot.wait(10)
        _save(window, f"main_window_{profile_id}_{key}")


def test_first_run_screenshots(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    """The first-run dialog as it opens, with a policy chosen, and after a broken file was imported."""
    dialog = FirstRunDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.profile_list.count() > 0)  # the policies are read off the GUI thread
    _save(dialog, "first_run")

    dialog.select_profile("qader-tabuk")
    qtbot.wait(10)
    _save(dialog, "first_run_selected")

    broken = tmp_path / "policy.toml"
    text = load_builtin_profile("baraah").source_text
    broken.write_text(text.replace('kind = "greet"', 'kind = "welcome"', 1).replace("[decision]", "[decisions]"),
                      encoding="utf-8")
    dialog.import_file(broken)  # runs off the GUI thread: wait for its outcome
    operations().wait()
    assert dialog.adopted_profile is None
    qtbot.wait(10)
    _save(dialog, "first_run_problems")
