"""The reports page calls no service on the GUI thread: the first refresh (with the viewer's role), another
period, an export to its end with its progress, and an export cancelled (issue 10)."""

from __future__ import annotations

import threading
from pathlib import Path

from desktop.workspace import Workspace
from tests.ui.gui_thread import no_service_calls_on_the_gui_thread
from tests.ui.reports.conftest import choose_this_year
from ui.ops import operations
from ui.reports import ReportsPage


def test_reports_page_calls_no_service_on_the_gui_thread(qtbot, data_workspace: Workspace, tmp_path: Path) -> None:
    """Every figure, role and export is computed on the ui/ops workers; progress and outcomes come back
    on the GUI thread."""
    progress: list[tuple[int, int, bool]] = []
    with no_service_calls_on_the_gui_thread() as calls:
        page = ReportsPage(data_workspace)
        qtbot.addWidget(page)
        page.exporter.show_boxes = False
        page.show()
        qtbot.waitUntil(lambda: page.refreshes >= 1, timeout=20_000)
        period = choose_this_year(page, qtbot)
        page.exporter.sig_progress.connect(
            lambda done, total: progress.append((done, total, threading.current_thread() is threading.main_thread()))
        )
        workbook = tmp_path / "figures.xlsx"
        with qtbot.waitSignal(page.exporter.sig_finished, timeout=60_000):
            assert page.exporter.start(page.export_job("xlsx", period), workbook)
            assert not page.exporter.start(page.export_job("pdf", period), tmp_path / "second.pdf")  # one at a time
        with qtbot.waitSignal(page.exporter.sig_cancelled, timeout=30_000):
            assert page.exporter.start(page.export_job("evidence", period), tmp_path / "evidence.pdf")
            page.exporter.cancel()
        operations().wait()
    assert calls == []
    assert page.viewer_role == "admin"  # the first adopter is this PC's administrator, read on a worker
    assert page.figures is not None and page.figures.period == period
    assert workbook.stat().st_size > 0
    assert not (tmp_path / "evidence.pdf").exists() and not (tmp_path / "second.pdf").exists()
    assert progress and all(on_gui for _done, _total, on_gui in progress)
    assert any(done == total for done, total, _on_gui in progress)
