"""Start-up, the main window and the first-run dialog call no service on the GUI thread (issue 10).

Every service the desk's own screens use, and every database session, is guarded while the flow runs:
a call on the GUI thread is recorded and fails (tests/ui/gui_thread.py); the real services run on the
ui/ops workers.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from desktop.startup import read_snapshot
from desktop.workspace import Workspace
from tests.ui.conftest import FULL_PROFILE_ID
from tests.ui.gui_thread import no_service_calls_on_the_gui_thread
from ui.app import DeskOpening, OpenedDesk
from ui.first_run import FirstRunDialog
from ui.main_window import MainWindow
from ui.ops import operations
from ui.reception import ReceptionPage
from ui.reports import ReportsPage
from ui.satisfaction import SatisfactionPage
from ui.sections import section_index
from ui.widgets.policy_summary import PolicySummaryPage
from tests.ui.accounts import TEST_HASH, create_first_administrator_at_gate, sign_in_at_gate


def test_start_up_from_the_snapshot_reads_nothing_on_the_gui_thread(qtbot, adopted_workspace: Workspace) -> None:
    """The window from the snapshot, the workspace opened and attached, drafts looked for, the desk's own
    sections built and filled: not one service call or session on the GUI thread."""
    data_dir = adopted_workspace.data_dir
    officer = adopted_workspace.officer_name()
    adopted_workspace.close()
    snapshot = read_snapshot(data_dir)
    assert snapshot is not None
    with no_service_calls_on_the_gui_thread() as calls:
        window = MainWindow(None, snapshot=snapshot)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opening = DeskOpening(data_dir)
        opened = opening.wait()
        assert isinstance(opened, OpenedDesk)
        window.attach_workspace(opened.workspace, opened.state)
        opened.workspace.hash_parameters = TEST_HASH
        sign_in_at_gate(qtbot, window)
        window.offer_drafts_when_found()
        for key in ("satisfaction", "reports", "settings", "reception"):
            window.show_section(section_index(key))
        satisfaction = window.section_page("satisfaction")
        reports = window.section_page("reports")
        assert isinstance(satisfaction, SatisfactionPage) and isinstance(reports, ReportsPage)
        qtbot.waitUntil(lambda: satisfaction.ready and reports.refreshes >= 1, timeout=20_000)
        operations().wait()
    try:
        assert calls == []
        assert isinstance(window.reception_page(), ReceptionPage)
        assert window.windowTitle() == "مكتب المستفيد — جمعية مفاتيح الخير الأسرية"
        assert officer in window.desk_status.officer_label.text()
        settings = window.section_page("settings")
        assert isinstance(settings, PolicySummaryPage) and settings.value("data_dir") == str(data_dir)
    finally:
        window.close()
        operations().wait()
        opened.workspace.close()


def test_first_run_lists_and_adopts_off_the_gui_thread(qtbot, workspace: Workspace) -> None:
    """The first-run dialog reads the built-in policies and adopts one on the workers; the main window
    built next reads its officer there too."""
    with no_service_calls_on_the_gui_thread() as calls:
        dialog = FirstRunDialog(workspace)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.profile_list.count() == 5)
        dialog.select_profile(FULL_PROFILE_ID)
        with qtbot.waitSignal(dialog.sig_profile_adopted):
            dialog.accept()
        window = MainWindow(workspace)
        qtbot.addWidget(window)
        create_first_administrator_at_gate(qtbot, window)
        operations().wait()
    assert calls == []
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert window.windowTitle() == "مكتب المستفيد — جمعية مفاتيح الخير الأسرية"
    assert workspace.officer_name() in window.desk_status.officer_label.text()


def test_the_guard_fails_a_call_on_the_gui_thread_and_lets_a_worker_call(adopted_workspace: Workspace) -> None:
    """The guard itself: the same service call fails on the GUI thread and runs through ui/ops."""
    from desktop.satisfaction import SurveyService
    from ui.ops import run_read

    service = SurveyService(adopted_workspace)
    answers: list[bool] = []
    with no_service_calls_on_the_gui_thread() as calls:
        try:
            service.has_officer_pin()
        except AssertionError:
            pass
        run_read(None, service.has_officer_pin, answers.append)
        operations().wait()
    assert len(calls) == 1 and calls[0].startswith("SurveyService.has_officer_pin from tests/")
    assert answers == [False]
