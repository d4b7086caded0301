"""The reports page on real fixture data: the dashboard shows the service's numbers, an empty period says so,
per-officer figures are for a manager only, and exports run off the GUI thread, cancellable, writing a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from desktop.reports import DashboardService, Period, formatting as fmt
from desktop.workspace import Workspace
from tests.ui.reports.conftest import choose_this_year as _year
from ui.ops import operations
from ui.reports import ReportsPage
from ui.reports.dashboard import NO_DATA


def test_dashboard_shows_the_service_numbers(qtbot, data_workspace: Workspace, open_reports) -> None:
    """Every card and chart carries exactly what DashboardService computes for the period."""
    page = open_reports(data_workspace)
    period = _year(page, qtbot)
    expected = DashboardService(data_workspace).figures(period)
    shown = page.figures
    assert shown is not None and shown.period == period
    # The period's responses: the demo's (anonymous, at the hour) and the fixture's twelve, by Riyadh day.
    import datetime as dt

    from sqlalchemy import select

    from db.models import SurveyResponse
    from desktop.hijri import RIYADH

    start = dt.datetime.combine(period.start, dt.time(), RIYADH).astimezone(dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), RIYADH).astimezone(dt.UTC)
    with data_workspace.db.session(read_only=True) as session:
        answers = list(session.scalars(
            select(SurveyResponse.answers).where(
                SurveyResponse.answered_at >= start, SurveyResponse.answered_at < end
            )
        ))
    assert expected.contacts_total > 0 and expected.survey_responses == len(answers) >= 12

    view = page.dashboard
    assert view.card_text("contacts") == fmt.count(expected.contacts_total)
    assert view.card_text("median_days") == fmt.days(expected.median_days_to_decision)
    assert view.card_text("within_promise") == fmt.percent(expected.within_promise_share)
    assert view.card_text("overdue") == fmt.count(expected.overdue_now)
    assert view.card_text("satisfaction") == fmt.percent(expected.satisfaction_percent)
    assert expected.recommendation is not None
    assert view.card_text("recommendation") == fmt.signed(expected.recommendation.score)
    assert view.card_text("complaints") == (
        f"{fmt.count(expected.complaints.opened)} / {fmt.count(expected.complaints.closed)}"
    )
    assert view.channel_chart.items == [(c.name, float(c.count)) for c in expected.contacts_by_channel]
    assert view.status_chart.items == [(s.label_ar, float(s.count)) for s in expected.cases_by_status]
    assert sum(v for _, v in view.channel_chart.items) == expected.contacts_total
    trend = [m.percent for m in expected.satisfaction_trend]
    assert [v for _, v in view.trend_chart.points] == trend
    assert not view.empty_label.isVisible()
    assert view.charts_holder.isVisible()
    # The satisfaction percentage by hand: every scale answer of the period's responses.
    scale = [v for a in answers for k, v in a.items() if k in ("reception", "clarity", "speed", "overall")]
    assert view.card_text("satisfaction") == fmt.percent((sum(scale) / len(scale) - 1) * 25)


def test_empty_period_says_so(qtbot, data_workspace: Workspace, open_reports) -> None:
    """A period with nothing in it: the notice, «لا توجد بيانات» instead of shares, no empty charts."""
    page = open_reports(data_workspace)
    before = page.refreshes
    page.period_picker.set_custom("1350/01/01", "1350/12/29")
    assert "م" in page.period_picker.start_field.other.text()  # the other calendar is shown beside it
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.refreshes > before, timeout=20000)
    view = page.dashboard
    assert page.figures is not None and page.figures.is_empty
    assert view.empty_label.isVisible()
    assert view.card_text("satisfaction") == NO_DATA
    assert view.card_text("within_promise") == NO_DATA
    assert view.card_text("contacts") == "٠"
    assert not view.charts_holder.isVisible()
    # A range typed the wrong way round is refused in Arabic, and nothing is computed.
    page.period_picker.set_custom("2025/03/01", "2025/02/01")
    count = page.refreshes
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.state.text() == "نهاية الفترة قبل بدايتها"
    operations().wait()
    assert page.refreshes == count


def test_officer_figures_only_for_a_manager(qtbot, data_workspace: Workspace, open_reports) -> None:
    """An officer never sees the per-officer box; a manager sees the service's Arabic explanation."""
    officer_page = open_reports(data_workspace, "officer")
    assert officer_page.officers is None
    assert not officer_page.dashboard.officer_box.isVisible()
    manager_page = open_reports(data_workspace, "manager")
    period = _year(manager_page, qtbot)
    expected = DashboardService(data_workspace).officer_figures(period, viewer_role="manager")
    assert manager_page.officers == expected
    assert manager_page.dashboard.officer_box.isVisible()
    assert manager_page.dashboard.officer_message.text() == expected.message_ar
    assert not expected.shown  # the template policy keeps responses anonymous
    assert not manager_page.dashboard.officer_table.isVisible()


def test_export_can_be_cancelled_and_leaves_no_file(qtbot, data_workspace: Workspace, open_reports,
                                                   tmp_path: Path) -> None:
    """«إلغاء» on the progress dialog stops the export; no file (and no partial file) is left."""
    page = open_reports(data_workspace)
    period = _year(page, qtbot)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "report.pdf"
    with qtbot.waitSignal(page.exporter.sig_cancelled, timeout=30000):
        assert page.exporter.start(page.export_job("pdf", period), target)
        progress = page.exporter.progress
        assert isinstance(progress, QProgressDialog) and progress.isVisible()
        assert progress.labelText() == "جارٍ إعداد تقرير الفترة…"
        button = page.exporter.cancel_button
        assert button is not None and button.text() == "إلغاء"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.exporter.progress is None
    assert not target.exists()
    assert list(folder.iterdir()) == []


def test_finished_exports_write_their_files(qtbot, data_workspace: Workspace, open_reports, tmp_path: Path) -> None:
    """The save dialog starts the export; the PDF and the workbook are written whole, with a message."""
    page = open_reports(data_workspace)
    period = _year(page, qtbot)
    messages: list[str] = []
    page.exporter.sig_message.connect(messages.append)
    page.export("pdf")
    dialog = page.exporter.file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "حفظ تقرير الفترة"
    assert dialog.labelText(QFileDialog.DialogLabel.Accept) == "حفظ"
    pdf = tmp_path / "تقرير"
    with qtbot.waitSignal(page.exporter.sig_finished, timeout=60000) as finished:
        dialog.selectFile(str(pdf))
        dialog.accept()
    written = finished.args[0]
    assert written == tmp_path / "تقرير.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert messages and messages[-1].startswith("✓ حُفظ تقرير الفترة")

    workbook = tmp_path / "أرقام.xlsx"
    with qtbot.waitSignal(page.exporter.sig_finished, timeout=60000):
        page.exporter.start(page.export_job("xlsx", period), workbook)
    from openpyxl import load_workbook

    book = load_workbook(workbook, read_only=True)
    assert book.sheetnames
    book.close()
