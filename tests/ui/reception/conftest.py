"""Reception UI fixtures: a workspace with a chosen policy and the real reception page, shown and active."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.ui.reception.driver import Officer
from ui.reception.page import ReceptionPage
from tests.accounts import sign_in_desk

POLICIES = ("daam-rescue", "tahfeez-bir-bin-hirmas", "qader-tabuk", "mafateeh-alkhair", "baraah")


@pytest.fixture
def open_reception(qtbot, workspace: Workspace) -> Callable[[str], tuple[ReceptionPage, Officer]]:
    """Adopt a built-in policy and show the reception page on it; returns (page, officer)."""

    def opened(profile_id: str) -> tuple[ReceptionPage, Officer]:
        if workspace.active_profile() is None:
            workspace.adopt_builtin_profile(profile_id)
            sign_in_desk(workspace)
        page = ReceptionPage(workspace)
        qtbot.addWidget(page)
        page.resize(1280, 860)
        page.show()
        page.activateWindow()
        qtbot.waitExposed(page)
        qtbot.waitUntil(page.isActiveWindow)
        page.wizard.printer.show_boxes = False
        return page, Officer(qtbot, page)

    return opened


@pytest.fixture
def service_of() -> Callable[[ReceptionPage], ReceptionService]:
    """The page's own service (the records are read back through it)."""
    return lambda page: page.service
