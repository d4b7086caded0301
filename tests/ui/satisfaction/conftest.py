"""Satisfaction UI fixtures: a workspace with the NCNP template policy and the real satisfaction page, shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from db.models import SurveyResponse
from desktop.satisfaction import SurveyService
from desktop.workspace import Workspace
from ui.satisfaction import SatisfactionPage

PIN = "2580"


@pytest.fixture
def open_page(qtbot, adopted_workspace: Workspace) -> Callable[..., SatisfactionPage]:
    """Show the satisfaction page (with the kiosk PIN already set unless `pin` is None)."""

    def opened(pin: str | None = PIN) -> SatisfactionPage:
        if pin is not None:
            SurveyService(adopted_workspace).set_officer_pin(pin)
        page = SatisfactionPage(adopted_workspace)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.ready, timeout=10000)  # the survey is read off the GUI thread
        page.printer.show_boxes = False
        page.resize(1280, 800)
        page.show()
        qtbot.waitExposed(page)
        return page

    return opened


@pytest.fixture
def responses(adopted_workspace: Workspace) -> Callable[[], list[SurveyResponse]]:
    """The stored survey responses, read back from the database."""

    def read() -> list[SurveyResponse]:
        with adopted_workspace.db.session(read_only=True) as session:
            rows = list(session.scalars(select(SurveyResponse)).all())
            session.expunge_all()
            return rows

    return read
