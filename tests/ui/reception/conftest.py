"""Reception UI fixtures: a workspace with a chosen policy and the real reception page, shown and active."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.ui.reception.driver import Officer
from ui.reception.page import ReceptionPage
from tests.accounts import sign_in_desk
from tests.ui.workspaces import open_test_workspace

POLICIES = ("daam-rescue", "tahfeez-bir-bin-hirmas", "qader-tabuk", "mafateeh-alkhair", "baraah")


@pytest.fixture
def open_reception(
    qtbot, data_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], tuple[ReceptionPage, Officer]]]:
    """Adopt a built-in policy and show the reception page on it; returns (page, officer).

    A test that uses the `workspace` fixture too gets the page on it (the policy adopted there, the first
    administrator made and signed in). Otherwise the page's workspace is opened at the first call, on a copy of
    the template where that policy was adopted and that administrator made (tests/ui/workspaces.py), who signs in:
    the same desk, without adopting it again."""
    opened_here: list[Workspace] = []

    def workspace_for(profile_id: str) -> Workspace:
        if "workspace" in request.fixturenames:
            workspace: Workspace = request.getfixturevalue("workspace")
            if workspace.active_profile() is None:
                workspace.adopt_builtin_profile(profile_id)
                sign_in_desk(workspace)
            return workspace
        if not opened_here:
            opened_here.append(open_test_workspace(data_dir, profile_id, with_administrator=True))
            sign_in_desk(opened_here[0])
        return opened_here[0]

    def opened(profile_id: str) -> tuple[ReceptionPage, Officer]:
        page = ReceptionPage(workspace_for(profile_id))
        qtbot.addWidget(page)
        page.resize(1280, 860)
        page.show()
        page.activateWindow()
        qtbot.waitExposed(page)
        qtbot.waitUntil(page.isActiveWindow)
        page.wizard.printer.show_boxes = False
        return page, Officer(qtbot, page)

    yield opened
    for workspace in opened_here:
        workspace.close()


@pytest.fixture
def service_of() -> Callable[[ReceptionPage], ReceptionService]:
    """The page's own service (the records are read back through it)."""
    return lambda page: page.service
