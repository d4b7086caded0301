"""Dashboard figures, corrective actions and the period report, workbook and evidence pack (no Qt)."""

from __future__ import annotations

from desktop.reports.dashboard import DashboardService
from desktop.reports.service import ReportService
from desktop.reports.views import (
    MIN_OFFICER_RESPONSES,
    CancelCheck,
    ChannelCount,
    CorrectiveAction,
    CorrectiveActionStatus,
    DashboardFigures,
    FileCompleteness,
    FollowUpCounts,
    MonthScore,
    OfficerFigure,
    OfficerFigures,
    Period,
    PolicyApproval,
    ProgressCallback,
    QuestionScore,
    Recommendation,
    ReportCancelled,
    ReportError,
    StatusCount,
)

__all__ = [
    "MIN_OFFICER_RESPONSES",
    "CancelCheck",
    "ChannelCount",
    "CorrectiveAction",
    "CorrectiveActionStatus",
    "DashboardFigures",
    "DashboardService",
    "FileCompleteness",
    "FollowUpCounts",
    "MonthScore",
    "OfficerFigure",
    "OfficerFigures",
    "Period",
    "PolicyApproval",
    "ProgressCallback",
    "QuestionScore",
    "Recommendation",
    "ReportCancelled",
    "ReportError",
    "ReportService",
    "StatusCount",
]
