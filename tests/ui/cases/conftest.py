"""Case desk UI fixtures: a real association with cases made by the reception service, and the pages on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.workspace import Workspace
from tests.ui.cases.world import WORLD_KEY, World
from ui.cases import CasesPage
from ui.ops import operations


@pytest.fixture
def world(workspace: Workspace, request: pytest.FixtureRequest) -> World:
    """Five cases of جمعية مفاتيح الخير الأسرية (two awaiting the committee, one of them overdue).
    Built once per process: `workspace` opened a copy of it (tests/ui/cases/world.py)."""
    return request.node.stash[WORLD_KEY]


def idle(page: object) -> Callable[[], bool]:
    """True once every operation (of this page and any other) has run and been reported back."""
    def check() -> bool:
        return operations().in_flight == 0
    return check


@pytest.fixture
def cases_page(qtbot, world: World) -> CasesPage:
    """The cases section shown at 1280×800 with its first page loaded."""
    page = CasesPage(world.workspace)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.printer.show_boxes = False
    qtbot.waitUntil(lambda: page.case_list.model.count is not None and idle(page)(), timeout=10000)
    return page
