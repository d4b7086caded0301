"""Long exports: the period report (PDF), the same figures as a workbook (Excel), the evidence pack (PDF).

Each export computes the figures once with `DashboardService.figures`, so the dashboard, the PDF and
the workbook show the same numbers. `progress(done, total)` is called as it advances and `cancel()` is
polled between steps and pages: when it returns True, `ReportCancelled` is raised and nothing is produced.
Meant to run off the GUI thread (ui/ops.py); one export at a time per process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from db.models import Suggestion
from desktop.casework import NO_POLICY_YET, association_logo, find_association
from desktop.documents.letterhead import Letterhead, letterhead_for
from desktop.hijri import local_date
from desktop.reports.dashboard import DashboardService, utc_bounds
from desktop.reports.pdf import ComplaintLine, EvidencePackDocument, PeriodReportDocument
from desktop.reports.views import CancelCheck, Period, ProgressCallback, ReportCancelled, ReportError
from desktop.workspace import Workspace
from desktop.permissions import Action, Guarded, guarded

__all__ = ["COMPLAINTS_IN_PDF", "SUGGESTION_STATUS_LABELS", "ReportService"]

#: At most this many complaints are listed one by one in the evidence pack (the workbook lists them all).
COMPLAINTS_IN_PDF = 200

SUGGESTION_STATUS_LABELS: dict[str, str] = {
    "open": "مفتوحة",
    "in_progress": "قيد المعالجة",
    "answered": "تم الرد",
    "closed": "مغلقة",
}


def _never() -> bool:
    return False


def _ignore(done: int, total: int) -> None:
    return None


class _Steps:
    """Progress reporting and cancellation checks of one export."""

    def __init__(self, total: int, progress: ProgressCallback | None, cancel: CancelCheck | None) -> None:
        self.total = total
        self.done = 0
        self._progress = progress or _ignore
        self._cancel = cancel or _never
        self._progress(0, total)

    def check(self) -> None:
        """Raise ReportCancelled when the user asked to stop."""
        if self._cancel():
            raise ReportCancelled("أُلغي إعداد التقرير بطلب المستخدم")

    def advance(self) -> None:
        """One step done (and a cancellation check)."""
        self.check()
        self.done = min(self.total, self.done + 1)
        self._progress(self.done, self.total)


class ReportService(Guarded):
    """The period report PDF, the Excel workbook and the evidence pack for the board and the NCNP."""

    _permission_error = ReportError

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        self._workspace = workspace
        self._db = workspace.db
        self._clock = clock or (lambda: datetime.now(UTC))
        self.dashboard = DashboardService(workspace, clock=self._clock)

    def _letterhead(self) -> Letterhead:
        profile = self._workspace.active_profile()
        if profile is None:
            raise ReportError(NO_POLICY_YET, field="policy")
        logo = profile.logo_path
        if logo is None:
            with self._db.session(read_only=True) as session:
                logo = association_logo(session, self._workspace.attachments, find_association(session))
        return letterhead_for(profile, logo_path=logo)

    @guarded(Action.DASHBOARDS)
    def period_report_pdf(
        self, period: Period, *, progress: ProgressCallback | None = None, cancel: CancelCheck | None = None
    ) -> bytes:
        """The period report: key figures, channels, statuses, decisions, satisfaction with its trend, follow-up."""
        steps = _Steps(4, progress, cancel)
        letterhead = self._letterhead()
        figures = self.dashboard.figures(period)
        steps.advance()
        actions = self.dashboard.corrective_actions(period)
        steps.advance()
        pdf = PeriodReportDocument(letterhead, figures, actions, on_page=steps.check).render()
        steps.advance()
        steps.advance()
        return pdf

    @guarded(Action.DASHBOARDS)
    def period_report_xlsx(
        self, period: Period, *, progress: ProgressCallback | None = None, cancel: CancelCheck | None = None
    ) -> bytes:
        """The same figures as the PDF in an Excel workbook (one right-to-left sheet per table)."""
        from desktop.reports.xlsx import render_workbook

        steps = _Steps(5, progress, cancel)
        profile = self._workspace.active_profile()
        if profile is None:
            raise ReportError("لم تُعتمد سياسة الجمعية على هذا الجهاز بعد: اختر السياسة أولًا", field="policy")
        figures = self.dashboard.figures(period)
        steps.advance()
        actions = self.dashboard.corrective_actions(period)
        steps.advance()
        complaints, _total = self.complaints(period, limit=None)
        steps.advance()
        completeness = self.dashboard.file_completeness(period)
        steps.advance()
        data = render_workbook(figures, actions, association_name=profile.association.name,
                               complaints=complaints, completeness=completeness)
        steps.advance()
        return data

    @guarded(Action.DASHBOARDS)
    def evidence_pack_pdf(
        self, period: Period, *, progress: ProgressCallback | None = None, cancel: CancelCheck | None = None
    ) -> bytes:
        """Evidence for the board and NCNP: policy approval, channels, satisfaction and corrective actions,
        the complaints log summary and the share of complete beneficiary files."""
        steps = _Steps(6, progress, cancel)
        letterhead = self._letterhead()
        figures = self.dashboard.figures(period)
        steps.advance()
        actions = self.dashboard.corrective_actions(period)
        approvals = self.dashboard.policy_approvals()
        steps.advance()
        complaints, total = self.complaints(period, limit=COMPLAINTS_IN_PDF)
        steps.advance()
        completeness = self.dashboard.file_completeness(period)
        steps.advance()
        pdf = EvidencePackDocument(
            letterhead, figures, actions, approvals, complaints, total, completeness, on_page=steps.check
        ).render()
        steps.advance()
        steps.advance()
        return pdf

    @guarded(Action.DASHBOARDS)
    def complaints(self, period: Period, *, limit: int | None) -> tuple[tuple[ComplaintLine, ...], int]:
        """Complaints received in the period, oldest first (at most `limit`), and how many there are."""
        profile = self._workspace.active_profile()
        names = {c.id: c.name for c in profile.channels} if profile is not None else {}
        start, end = utc_bounds(period)
        start_at = datetime.strptime(start, "%Y-%m-%d %H:%M:%S")
        end_at = datetime.strptime(end, "%Y-%m-%d %H:%M:%S")
        condition = (
            (Suggestion.kind == "complaint")
            & (Suggestion.deleted_at.is_(None))
            & (Suggestion.created_at >= start_at)
            & (Suggestion.created_at < end_at)
        )
        with self._db.session(read_only=True) as session:
            from sqlalchemy import func

            total = int(session.scalar(select(func.count()).select_from(Suggestion).where(condition)) or 0)
            query = select(
                Suggestion.created_at, Suggestion.channel_id, Suggestion.status, Suggestion.due_date,
                Suggestion.closed_at,
            ).where(condition).order_by(Suggestion.created_at)
            if limit is not None:
                query = query.limit(limit)
            rows = session.execute(query).all()
        lines = tuple(
            ComplaintLine(
                opened_on=local_date(r.created_at),
                channel=names.get(r.channel_id or "", r.channel_id or "—"),
                status=SUGGESTION_STATUS_LABELS.get(r.status, r.status),
                due_date=r.due_date,
                closed_on=local_date(r.closed_at) if r.closed_at else None,
            )
            for r in rows
        )
        return lines, total
