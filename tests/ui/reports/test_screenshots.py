"""Screenshots of the reports section at 1280×800, saved to $MUSTAFID_SCREENSHOTS when it is set."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel

from desktop.workspace import Workspace
from tests.ui.reports.conftest import choose_this_year as _year
from tests.ui.satisfaction.test_screenshots import save_shot


def test_reports_screens(qtbot, data_workspace: Workspace, open_reports, tmp_path: Path) -> None:
    """The dashboard with data (top and bottom), an empty period, and an export in progress."""
    page = open_reports(data_workspace, "manager")
    period = _year(page, qtbot)
    save_shot(page, "reports_1_dashboard")
    page.scroll_area.verticalScrollBar().setValue(page.scroll_area.verticalScrollBar().maximum())
    save_shot(page, "reports_2_dashboard_charts")

    before = page.refreshes
    page.period_picker.set_custom("1350/01/01", "1350/12/29")
    page.show_button.click()
    qtbot.waitUntil(lambda: page.refreshes > before, timeout=20000)
    save_shot(page, "reports_3_empty_period")

    with qtbot.waitSignal(page.exporter.sig_cancelled, timeout=30000):
        page.exporter.start(page.export_job("evidence", period), tmp_path / "evidence.pdf")
        progress = page.exporter.progress
        assert progress is not None
        page.exporter._show_progress(1, 4)
        screen = page.grab()
        painter = QPainter(screen)
        dialog = progress.grab()
        painter.drawPixmap(QPoint((screen.width() - dialog.width()) // 2, (screen.height() - dialog.height()) // 3),
                           dialog)
        painter.end()
        label = QLabel()
        label.setPixmap(screen)
        label.resize(screen.size())
        save_shot(label, "reports_4_export_progress")
        page.exporter.cancel_button.click()
