"""The «التقارير» section: choose a period, see its dashboard, export the period report, workbook and evidence pack."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop.arabic_text import to_latin_digits
from desktop.errors import InputError
from desktop.hijri import riyadh_today
from desktop.reports import DashboardService, ReportService
from desktop.reports.views import DashboardFigures, OfficerFigures, Period
from ui.reports.dashboard import DashboardView
from ui.reports.export import ExportController, ExportJob
from ui.reports.period import PeriodPicker
from ui.ops import run_read
from ui.reports.style import REPORTS_STYLE

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["ReportsPage"]

PDF_FILTER = "ملفات PDF (*.pdf)"
XLSX_FILTER = "مصنفات Excel (*.xlsx)"


def _file_stem(period: Period) -> str:
    """A file name part from the period's label (letters, digits and hyphens only)."""
    text = to_latin_digits(period.label_ar)
    text = re.sub(r"[^\w\u0600-\u06FF]+", "-", text).strip("-")
    return text[:60] or f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


#: The figures of one refresh: the period's dashboard, the per-officer figures (manager only), the viewer's role.
_Refreshed: TypeAlias = tuple[DashboardFigures, OfficerFigures | None, str]


class ReportsPage(QWidget):
    """Dashboard and exports for a chosen period; every database read and export runs off the GUI thread.

    `sig_refreshed(DashboardFigures)` is emitted on the GUI thread each time the newest refresh is shown.
    """

    sig_refreshed = Signal(object)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None, *, viewer_role: str | None = None) -> None:
        """The page for `workspace`; `viewer_role` forces a role (else this PC's person's, read with the figures)."""
        super().__init__(parent)
        self.setObjectName("reports_page")
        self.setStyleSheet(REPORTS_STYLE)
        self.workspace = workspace
        self.dashboard_service = DashboardService(workspace)
        self.report_service = ReportService(workspace)
        self.viewer_role: str | None = viewer_role
        self.exporter = ExportController(self)
        self.figures: DashboardFigures | None = None
        self.officers: OfficerFigures | None = None
        self.refreshes = 0
        self._generation = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.setSpacing(8)
        top = QHBoxLayout()
        heading = QLabel("التقارير", self)
        heading.setObjectName("page_title")
        top.addWidget(heading)
        top.addStretch(1)
        layout.addLayout(top)

        chooser = QHBoxLayout()
        self.period_picker = PeriodPicker(riyadh_today(), self)
        chooser.addWidget(self.period_picker, 1)
        self.show_button = QPushButton("عرض", self)
        self.show_button.setObjectName("refresh_dashboard")
        self.show_button.setDefault(True)
        chooser.addWidget(self.show_button)
        layout.addLayout(chooser)

        exports = QHBoxLayout()
        exports.addWidget(QLabel("تصدير الفترة:", self))
        self.pdf_button = QPushButton("تقرير الفترة (PDF)", self)
        self.pdf_button.setObjectName("export_pdf")
        self.xlsx_button = QPushButton("الأرقام في مصنف Excel", self)
        self.xlsx_button.setObjectName("export_xlsx")
        self.evidence_button = QPushButton("حزمة الشواهد للمجلس والمركز الوطني (PDF)", self)
        self.evidence_button.setObjectName("export_evidence")
        for button in (self.pdf_button, self.xlsx_button, self.evidence_button):
            exports.addWidget(button)
        exports.addStretch(1)
        layout.addLayout(exports)

        self.state = QLabel("", self)
        self.state.setObjectName("refresh_state")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        scroll.setWidget(holder)
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 8, 0)
        self.dashboard = DashboardView(holder)
        holder_layout.addWidget(self.dashboard)
        layout.addWidget(scroll, 1)
        self.scroll_area = scroll

        self.show_button.clicked.connect(self.refresh)
        self.period_picker.sig_changed.connect(self._period_changed)
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.evidence_button.clicked.connect(lambda: self.export("evidence"))
        self.refresh()

    # ----------------------------------------------------------------- dashboard

    def _period_changed(self) -> None:
        """A month or year picked from the lists refreshes at once; a typed range waits for «عرض»."""
        if self.period_picker.kind.currentData() != "custom":
            self.refresh()

    def current_period(self) -> Period | None:
        """The chosen period, or None after telling the user what is wrong with it."""
        try:
            return self.period_picker.period()
        except InputError as error:
            self._state(error.message_ar, True)
            return None

    def refresh(self) -> None:
        """Compute the period's figures in the background; the newest request wins.

        «عرض» stays disabled while a refresh is in flight (a double click computes once); choosing another
        month or year meanwhile asks again, and only the newest answer is shown.
        """
        period = self.current_period()
        if period is None:
            return
        self._generation += 1
        generation = self._generation
        self._state("جارٍ حساب الأرقام…")
        self.show_button.setEnabled(False)
        service, workspace, known_role = self.dashboard_service, self.workspace, self.viewer_role

        def work() -> _Refreshed:
            role = known_role if known_role is not None else _viewer_role(workspace)
            figures = service.figures(period)
            officers = service.officer_figures(period, viewer_role=role) if role == "manager" else None
            return figures, officers, role

        run_read(
            self,
            work,
            lambda result: self._show(generation, result),
            lambda message, _error: self._failed(generation, message),
            where="reports.refresh",
        )

    def _show(self, generation: int, result: _Refreshed) -> None:
        if generation != self._generation:
            return
        self.show_button.setEnabled(True)
        figures, officers, role = result
        self.viewer_role = role
        if self.figures is None or self.figures.period != figures.period:
            self.scroll_area.verticalScrollBar().setValue(0)
        self.figures, self.officers = figures, officers
        self.dashboard.show_figures(figures)
        self.dashboard.show_officers(officers)
        self.refreshes += 1
        self._state("")
        self.sig_refreshed.emit(figures)

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.show_button.setEnabled(True)
        self._state(message, True)

    def _state(self, text: str, error: bool = False) -> None:
        self.state.setText(text)
        self.state.setVisible(bool(text))
        self.state.setProperty("error", error)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)

    # ----------------------------------------------------------------- exports

    def export_job(self, kind: str, period: Period) -> ExportJob:
        """The export of one kind ("pdf", "xlsx", "evidence") for a period."""
        service = self.report_service
        stem = _file_stem(period)
        if kind == "pdf":
            return ExportJob(
                "pdf", "تقرير الفترة", "pdf", PDF_FILTER,
                lambda progress, cancel: service.period_report_pdf(period, progress=progress, cancel=cancel),
                f"تقرير-رضا-المستفيدين-{stem}.pdf",
            )
        if kind == "xlsx":
            return ExportJob(
                "xlsx", "مصنف أرقام الفترة", "xlsx", XLSX_FILTER,
                lambda progress, cancel: service.period_report_xlsx(period, progress=progress, cancel=cancel),
                f"أرقام-الفترة-{stem}.xlsx",
            )
        return ExportJob(
            "evidence", "حزمة الشواهد", "pdf", PDF_FILTER,
            lambda progress, cancel: service.evidence_pack_pdf(period, progress=progress, cancel=cancel),
            f"حزمة-الشواهد-{stem}.pdf",
        )

    def export(self, kind: str) -> None:
        """Ask where to save, then export the chosen period off the GUI thread with a cancellable progress bar."""
        period = self.current_period()
        if period is None:
            return
        self.exporter.choose_file(self.export_job(kind, period))


def _viewer_role(workspace: Workspace) -> str:
    """The role of the person at this PC, when the workspace can say it; an officer otherwise (worker thread)."""
    reader = getattr(workspace, "officer_role", None)
    if callable(reader):
        try:
            return str(reader())
        except Exception:  # a workspace that cannot say: the least-privileged view
            return "officer"
    return "officer"
