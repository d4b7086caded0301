"""The dashboard's «computed at» line reads the Riyadh clock, never the PC's zone (issue 12)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from desktop.hijri import format_dual
from desktop.reports import DashboardService
from desktop.workspace import Workspace
from tests.ui.reports.conftest import choose_this_year
from ui.reports.dashboard import DashboardView


def test_dashboard_time_line_is_riyadh_time(qtbot, data_workspace: Workspace, open_reports) -> None:
    """Figures computed at 21:30 UTC on 26 October are shown as 00:30 on 27 October (Riyadh, UTC+3)."""
    page = open_reports(data_workspace)
    period = choose_this_year(page, qtbot)
    figures = dataclasses.replace(
        DashboardService(data_workspace).figures(period), generated_at=datetime(2025, 10, 26, 21, 30, tzinfo=UTC)
    )
    view = DashboardView()
    qtbot.addWidget(view)
    view.show_figures(figures)
    line = view.generated_label.text()
    assert "٠٠:٣٠" in line and "٢١:٣٠" not in line
    assert format_dual(date(2025, 10, 27)) in line
