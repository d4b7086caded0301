"""Committee UI fixtures: the real association of the cases tests and the committee page on it."""

from __future__ import annotations

import pytest

from desktop.workspace import Workspace
from tests.ui.cases.world import WORLD_KEY, World
from ui.committee import CommitteePage
from ui.ops import operations


@pytest.fixture
def world(workspace: Workspace, request: pytest.FixtureRequest) -> World:
    """Five cases, two awaiting the committee (one overdue).
    Built once per process: `workspace` opened a copy of it (tests/ui/cases/world.py)."""
    return request.node.stash[WORLD_KEY]


@pytest.fixture
def committee_page(qtbot, world: World) -> CommitteePage:
    """The committee section shown at 1280×800 with its queue loaded."""
    return show_committee_page(qtbot, world.workspace)


def show_committee_page(qtbot, workspace: Workspace) -> CommitteePage:
    """The committee section of `workspace` shown at 1280×800 with its queue loaded."""
    page = CommitteePage(workspace)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.printer.show_boxes = False
    qtbot.waitUntil(lambda: page.summary is not None and operations().in_flight == 0, timeout=10000)
    return page
