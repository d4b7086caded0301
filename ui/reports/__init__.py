"""The reports section: the period dashboard with its charts, and the period report, workbook and evidence pack."""

from __future__ import annotations

from ui.reports.page import ReportsPage

__all__ = ["ReportsPage"]
