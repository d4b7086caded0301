"""Reports UI fixtures: a workspace with demonstration cases and survey responses, and the reports page shown."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from desktop.demo_data import generate_demo_data
from desktop.reports import Period
from desktop.satisfaction import SurveyService
from desktop.workspace import Workspace
from ui.reports import ReportsPage


@pytest.fixture
def data_workspace(adopted_workspace: Workspace) -> Workspace:
    """The NCNP template association with demonstration cases and 12 phone survey responses."""
    generate_demo_data(adopted_workspace.db, beneficiaries=80, profile=adopted_workspace.active_profile())
    service = SurveyService(adopted_workspace)
    rng = random.Random(5)
    for _ in range(12):
        service.record(
            {"reception": rng.randint(1, 5), "clarity": rng.randint(2, 5), "speed": rng.randint(1, 5),
             "overall": rng.randint(3, 5), "recommend": rng.randint(0, 10)},
            way="phone",
        )
    return adopted_workspace


@pytest.fixture
def open_reports(qtbot) -> Callable[..., ReportsPage]:
    """Show the reports page on a workspace and wait for its first refresh."""

    def opened(workspace: Workspace, role: str | None = None) -> ReportsPage:
        page = ReportsPage(workspace, viewer_role=role)
        qtbot.addWidget(page)
        page.exporter.show_boxes = False
        page.resize(1280, 800)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(lambda: page.refreshes >= 1, timeout=20000)
        return page

    return opened


def choose_this_year(page: ReportsPage, qtbot) -> Period:
    """Choose this Gregorian year (the demo cases and the responses are in it) and wait for the figures."""
    before = page.refreshes
    page.period_picker.set_kind("gregorian_year")
    qtbot.waitUntil(lambda: page.refreshes > before, timeout=20000)
    return page.period_picker.period()
