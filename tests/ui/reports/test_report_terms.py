"""One term per figure: the dashboard, the period PDF and the workbook name the recommendation groups alike."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from desktop.arabic_text import strip_bidi_controls, to_latin_digits
from desktop.reports import DashboardService, Period, ReportService, terms
from desktop.workspace import Workspace
from tests.desktop.reports.conftest import NOW, march, open_workspace, pdf_text, squash  # noqa: F401 - fixtures
from ui.reports.dashboard import DashboardView

MARCH = Period.gregorian_month(2025, 3)


def test_recommendation_groups_have_one_name_on_screen_in_print_and_in_the_workbook(
    qtbot, march: Workspace, tmp_path: Path  # noqa: F811 - the fixture imported above
) -> None:
    """Promoters, passives and detractors, and the score, under the same Arabic names everywhere."""
    figures = DashboardService(march, clock=lambda: NOW).figures(MARCH)
    assert figures.recommendation is not None
    view = DashboardView()
    qtbot.addWidget(view)
    view.show_figures(figures)
    card = view.cards["recommendation"]
    screen = strip_bidi_controls(card.caption.text() + " " + card.note.text())

    service = ReportService(march, clock=lambda: NOW)
    printed = squash(pdf_text(service.period_report_pdf(MARCH), tmp_path))
    book = openpyxl.load_workbook(io.BytesIO(service.period_report_xlsx(MARCH)))
    summary = book["الملخص"]
    workbook = [str(summary.cell(r, 1).value) for r in range(5, summary.max_row + 1)]

    assert card.caption.text() == terms.RECOMMENDATION_SCORE
    assert terms.RECOMMENDATION_SCORE in workbook
    assert squash(terms.RECOMMENDATION_SCORE) in printed
    for group in terms.NPS_GROUPS:
        assert group.name in screen, group.name
        assert squash(group.name) in printed, group.name  # printed without its shadda: harakat are dropped
        assert group.label(arabic_digits=False) in workbook, group.name
    # No other word for them anywhere (the words used before the terms were one table).
    for other in ("غير المروّجين", "غير المروجين", "صافي المروّجين", "NPS"):
        assert other not in screen
        assert other not in " ".join(workbook)
    assert squash("غير المروجين") not in printed and "NPS" not in printed


def test_dashboard_pdf_and_workbook_share_the_summary_terms(qtbot, march: Workspace, tmp_path: Path) -> None:  # noqa: F811
    """The dashboard's card captions are the labels the PDF prints and the workbook writes for the same figures."""
    figures = DashboardService(march, clock=lambda: NOW).figures(MARCH)
    view = DashboardView()
    qtbot.addWidget(view)
    view.show_figures(figures)
    service = ReportService(march, clock=lambda: NOW)
    printed = squash(to_latin_digits(pdf_text(service.period_report_pdf(MARCH), tmp_path)))
    book = openpyxl.load_workbook(io.BytesIO(service.period_report_xlsx(MARCH)))
    workbook = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    for name in ("median_days", "within_promise", "overdue", "satisfaction", "recommendation", "suggestions",
                 "complaints"):
        caption = view.cards[name].caption.text()
        assert squash(caption) in printed, caption
        assert caption in workbook, caption
    assert terms.SUGGESTIONS_AND_COMPLAINTS in book.sheetnames
