"""The desk's sync against the real server on real PostgreSQL: status bar, offline, enrolment, conflicts, closing.

Every wait is on an observable state (qtbot.waitUntil / waitSignal); nothing sleeps. Screenshots go to
$MUSTAFID_SCREENSHOTS when it is set (sync_*.png).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget
import pytest

from tests.accounts import sign_in_desk
from tests.ui.sync.conftest import WindowDesk
from ui.ops import run_write
from ui.sections import section_index
from ui.sync.conflicts import ConflictsDialog
from ui.sync.enrol import ADDRESS_SCHEME, CODE_MISSING, EnrolDialog
from ui.sync.first_sync import FirstSyncDialog
from ui.sync.text import STATE_NOT_CONFIGURED, STATE_OFFLINE, STATE_ONLINE, STATE_RUNNING

WAIT = 30_000


def shot(widget: QWidget, name: str) -> None:
    """Save a screenshot as sync_<name>.png into $MUSTAFID_SCREENSHOTS when it is set."""
    folder = os.environ.get("MUSTAFID_SCREENSHOTS")
    QApplication.processEvents()
    image = widget.grab().toImage()
    assert not image.isNull()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert image.save(str(Path(folder) / f"sync_{name}.png"))


def _round_over(desk: WindowDesk, started: int) -> bool:
    sync = desk.window.sync
    assert sync is not None
    return sync.rounds_started > started and not sync.running


def test_status_bar_not_configured_then_pending_then_sent(qtbot: Any, sync_desk: Any, sync_server: Any) -> None:
    lonely = sync_desk("lonely", enrolled=False)
    bar = lonely.window.desk_status
    qtbot.waitUntil(lambda: lonely.window.sync.state().status is not None, timeout=WAIT)
    assert bar.connection_label.text() == STATE_NOT_CONFIGURED
    assert not bar.pending_label.isVisible() and not bar.conflicts_button.isVisible()
    shot(lonely.window, "status_not_configured")

    desk = sync_desk("desk")
    sync = desk.window.sync
    bar = desk.window.desk_status
    qtbot.waitUntil(lambda: bar.connection_label.text() == STATE_ONLINE, timeout=WAIT)
    assert bar.pending_label.text() == "كل التغييرات أُرسلت"
    started = sync.rounds_started

    desk.new_case()  # a saved change: noticed by the status poll, sent by the automatic round
    # The round starts CHANGE_DELAY_MS after the poll saw the change: the bar shows it waiting first.
    qtbot.waitUntil(lambda: bar.pending_label.text().startswith("بانتظار الإرسال: "), timeout=WAIT)
    assert bar.connection_label.text() == STATE_ONLINE and sync.state().pending > 0
    shot(desk.window, "status_pending")
    qtbot.waitUntil(lambda: _round_over(desk, started) and sync.state().pending == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: bar.pending_label.text() == "كل التغييرات أُرسلت", timeout=WAIT)
    assert bar.connection_label.text() == STATE_ONLINE
    assert bar.last_sync_label.text() == "آخر مزامنة: الآن"
    assert desk.scalar("SELECT count(*) FROM sync_outbox WHERE state = 'pending'") == 0
    assert desk.scalar('SELECT count(*) FROM "case" WHERE server_seq IS NULL') == 0
    shot(desk.window, "status_online")
    desk.window.show_section(section_index("settings"))
    box = desk.window.sync_box
    assert box is not None
    qtbot.waitUntil(lambda: box.values["server"].text() == sync_server.url, timeout=WAIT)
    assert box.values["pending"].text() == "٠" and box.sync_button.isEnabled()
    assert box.enrol_button.text() == "إعادة تسجيل الجهاز لدى الخادم"
    shot(desk.window, "settings_enrolled")
    assert desk.service.gui_thread_calls() == []


@pytest.mark.slow
def test_offline_server_keeps_the_window_responsive(qtbot: Any, sync_desk: Any, sync_server: Any) -> None:
    desk = sync_desk("desk")
    sync = desk.window.sync
    bar = desk.window.desk_status
    qtbot.waitUntil(lambda: bar.connection_label.text() == STATE_ONLINE, timeout=WAIT)

    # A stopped server (SIGSTOP) accepts the connection and never answers: the round hangs in the
    # worker while the GUI's event loop keeps ticking.
    ticks = [0]
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    ticker.start(5)
    os.kill(sync_server.process.pid, signal.SIGSTOP)
    try:
        started = sync.rounds_started
        desk.window.sync_now_action.trigger()  # «مزامنة الآن» (Ctrl+Shift+S)
        assert sync.running
        qtbot.waitUntil(lambda: bar.connection_label.text() == STATE_RUNNING, timeout=WAIT)
        before = ticks[0]
        qtbot.waitUntil(lambda: ticks[0] >= before + 20, timeout=WAIT)
        assert sync.running  # still waiting on the server, and the window kept working
        shot(desk.window, "status_running")
    finally:
        os.kill(sync_server.process.pid, signal.SIGCONT)
    qtbot.waitUntil(lambda: _round_over(desk, started), timeout=WAIT)
    ticker.stop()

    sync_server.kill()
    desk.new_case()
    started = sync.rounds_started
    desk.window.sync_now()
    qtbot.waitUntil(lambda: _round_over(desk, started) and bar.connection_label.text() == STATE_OFFLINE,
                    timeout=WAIT)
    qtbot.waitUntil(lambda: sync.state().pending > 0, timeout=WAIT)
    assert "تعذر الوصول إلى خادم المزامنة" in bar.connection_label.toolTip()
    assert bar.pending_label.text().startswith("بانتظار الإرسال: ")
    shot(desk.window, "status_offline")

    # The server comes back: the retry back-off reconnects and sends without anyone clicking.
    sync_server.start()
    qtbot.waitUntil(lambda: bar.connection_label.text() == STATE_ONLINE and sync.state().pending == 0,
                    timeout=WAIT)
    assert desk.service.gui_thread_calls() == []
    assert {name for name, _ in desk.service.calls} >= {"status", "run_round"}


def test_a_round_waiting_on_the_server_does_not_hold_the_officers_saves(
    qtbot: Any, sync_desk: Any, sync_server: Any
) -> None:
    """Rounds run on the sync lane, not on the application's writer lane: a save goes through while a round hangs."""
    desk = sync_desk("desk")
    sync = desk.window.sync
    bar = desk.window.desk_status
    qtbot.waitUntil(lambda: bar.connection_label.text() == STATE_ONLINE, timeout=WAIT)
    os.kill(sync_server.process.pid, signal.SIGSTOP)  # connections are accepted, never answered
    try:
        started = sync.rounds_started
        desk.window.sync_now()
        assert sync.running
        saved: list[object] = []
        run_write(desk.window, desk.new_case, saved.append, where="test")  # an officer's save
        qtbot.waitUntil(lambda: bool(saved), timeout=WAIT)
        assert sync.running  # the round still waits on the server
        qtbot.waitUntil(lambda: sync.state().pending > 0, timeout=WAIT)  # status reads go on beside it too
        assert sync.running
    finally:
        os.kill(sync_server.process.pid, signal.SIGCONT)
    qtbot.waitUntil(lambda: _round_over(desk, started) and sync.state().pending == 0, timeout=WAIT)
    assert desk.service.gui_thread_calls() == []


def test_enrolment_dialog_validates_then_first_sync_shows_progress(
    qtbot: Any, sync_desk: Any, sync_server: Any, make_desk: Any
) -> None:
    other = make_desk("other")  # another PC of the association already has cases on the server
    for _ in range(3):
        other.new_case()
    other.settle()

    desk = sync_desk("fresh", enrolled=False)
    window = desk.window
    dialog = window.show_enrolment()
    assert isinstance(dialog, EnrolDialog)
    qtbot.waitExposed(dialog)
    dialog.name_edit.clear()
    dialog.enrol_button.click()
    assert dialog.errors["address"].isVisible() and dialog.errors["code"].text() == CODE_MISSING
    assert dialog.errors["name"].isVisible()
    qtbot.keyClicks(dialog.address_edit, "sync.example.org")
    dialog.enrol_button.click()
    assert dialog.errors["address"].text() == ADDRESS_SCHEME
    shot(dialog, "enrol_validation")

    dialog.address_edit.setText(sync_server.url)
    dialog.code_edit.setText("WRONG-CODE")
    dialog.name_edit.setText("استقبال الفرع الرئيسي")
    dialog.branch_edit.setText("الفرع الرئيسي")
    dialog.enrol_button.click()
    qtbot.waitUntil(lambda: dialog.enrol_button.isEnabled() and dialog.message.isVisible()
                    and dialog.message.text() != "جارٍ التسجيل لدى الخادم…", timeout=WAIT)
    refusal = dialog.message.text()
    assert refusal and any("\u0600" <= ch <= "\u06ff" for ch in refusal), refusal
    shot(dialog, "enrol_refused")

    profile = desk.ws.active_profile()
    assert profile is not None
    dialog.code_edit.setText(sync_server.enroll_code(profile.association.name))
    with qtbot.waitSignal(window.sync.sig_first_sync, timeout=WAIT):
        dialog.enrol_button.click()
    progress = window._sync_dialogs.get("first_sync")  # noqa: SLF001 - the dialog the desk opened
    assert isinstance(progress, FirstSyncDialog) and progress.isVisible()
    qtbot.waitUntil(lambda: progress.is_over, timeout=WAIT)
    assert progress.failure is None, progress.failure
    assert progress.finished_report is not None and progress.finished_report.pulled > 0
    assert progress.bar.value() == progress.bar.maximum()
    assert "اكتملت المزامنة الأولى" in progress.detail.text()
    shot(progress, "first_sync_done")
    progress.close_button.click()
    qtbot.waitUntil(lambda: window.desk_status.connection_label.text() == STATE_ONLINE, timeout=WAIT)
    assert desk.scalar('SELECT count(*) FROM "case"') == 3
    assert desk.service.gui_thread_calls() == []


def test_a_conflict_is_shown_and_resolving_it_syncs(
    qtbot: Any, sync_desk: Any, sync_server: Any, make_desk: Any
) -> None:
    other = make_desk("مكتب الاستقبال 2", branch="جدة")
    first, second = other.new_case(), other.new_case()
    other.settle()
    desk = sync_desk("supervisor")
    sync = desk.window.sync
    bar = desk.window.desk_status

    def round_now() -> None:
        started = sync.rounds_started
        desk.window.sync_now()
        qtbot.waitUntil(lambda: _round_over(desk, started), timeout=WAIT)

    round_now()
    assert desk.scalar('SELECT count(*) FROM "case"') == 2
    # The same field changed on both PCs before they meet: two conflicts (two cases).
    other.edit_case(first, summary="الأسرة تحتاج سلة غذائية شهرية")
    other.edit_case(second, location="حي النسيم")
    desk.edit_case(first, summary="الأسرة تحتاج مساعدة في الإيجار")
    desk.edit_case(second, location="حي الروضة")
    other.round()
    round_now()
    round_now()
    other.settle()
    qtbot.waitUntil(lambda: sync.state().conflicts == 2 and bar.conflicts_button.isVisible(), timeout=WAIT)
    assert bar.conflicts_button.text() == "تعارضات: ٢"
    shot(desk.window, "status_conflicts")

    qtbot.mouseClick(bar.conflicts_button, Qt.MouseButton.LeftButton)
    dialog = desk.window._sync_dialogs.get("conflicts")  # noqa: SLF001
    assert isinstance(dialog, ConflictsDialog)
    qtbot.waitUntil(lambda: len(dialog.cards) == 2, timeout=WAIT)
    dialog.resize(1280, 800)
    shot(dialog, "conflicts")
    card = next(c for c in dialog.cards.values() if c.view.field == "summary")
    view = card.view
    assert view.field_label_ar == "ملخص الحالة" and view.row_label_ar.startswith("الحالة ")
    assert {view.value_a_text, view.value_b_text} == {"الأسرة تحتاج سلة غذائية شهرية", "الأسرة تحتاج مساعدة في الإيجار"}
    assert {view.device_a_ar, view.device_b_ar} == {"هذا الجهاز", "مكتب الاستقبال 2 (جدة)"}  # not an id
    meta = {label.text() for label in card.findChildren(QLabel, "conflict_meta")}
    assert {"الجهاز: هذا الجهاز", "الجهاز: مكتب الاستقبال 2 (جدة)"} <= meta
    assert card.findChild(QWidget, "winner_badge") is not None
    loser = "a" if view.winner == "b" else "b"
    kept = view.value_a if loser == "a" else view.value_b

    started = sync.rounds_started
    with qtbot.waitSignal(dialog.sig_resolved, timeout=WAIT):
        card.keep_buttons[loser].click()
    assert view.id not in dialog.cards and len(dialog.cards) == 1  # resolved ones are hidden by default
    qtbot.waitUntil(lambda: _round_over(desk, started) and sync.state().pending == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: bar.conflicts_button.text() == "تعارضات: ١", timeout=WAIT)

    dialog.show_resolved.setChecked(True)
    qtbot.waitUntil(lambda: len(dialog.cards) == 2, timeout=WAIT)
    resolved = dialog.cards[view.id]
    assert resolved.view.status == "resolved"
    qtbot.waitUntil(resolved.resolution.isVisible, timeout=WAIT)
    assert resolved.keep_buttons["a"].isHidden() and resolved.keep_buttons["b"].isHidden()
    assert resolved.marked == loser  # the kept value is marked, not the provisional winner
    shown = [dialog.list_layout.itemAt(i).widget() for i in range(dialog.list_layout.count() - 1)]
    assert [c.view.status for c in shown] == ["open", "resolved"]  # open ones first, as the service lists them
    shot(dialog, "conflicts_with_resolved")

    other.settle()  # the other PC sees the supervisor's decision after its round
    # It also received the supervisor desk's administrator account: a desk with accounts is used signed in
    # (issue 13), so the other PC's person signs in with that account before reading its conflicts.
    sign_in_desk(other.ws)
    seen = {c.id: c for c in other.sync.conflicts(include_resolved=True)}
    assert seen[view.id].status == "resolved"
    assert other.scalar('SELECT summary FROM "case" WHERE id = :i', i=first.hex) == kept
    assert len(other.sync.conflicts()) == 1
    assert desk.service.gui_thread_calls() == []
    dialog.close()


def test_closing_the_window_during_a_round(qtbot: Any, sync_desk: Any, sync_server: Any, make_desk: Any) -> None:
    other = make_desk("other")
    for _ in range(5):
        other.new_case()
    other.settle()
    desk = sync_desk("closing", enrolled=False)
    window = desk.window
    profile = desk.ws.active_profile()
    assert profile is not None
    closed_while_running: list[bool] = []

    def close_now(_done: int, _total: int) -> None:
        if not closed_while_running:
            closed_while_running.append(window.sync.running)
            window.close()

    window.sync.sig_progress.connect(close_now)
    stopped = threading.Event()
    window.sync.sig_stopped.connect(stopped.set)
    dialog = window.show_enrolment()
    assert dialog is not None
    dialog.address_edit.setText(sync_server.url)
    dialog.code_edit.setText(sync_server.enroll_code(profile.association.name))
    dialog.enrol_button.click()
    qtbot.waitUntil(stopped.is_set, timeout=WAIT)
    assert closed_while_running == [True]
    assert window.sync.stopped and not window.sync.running and window.sync.service is None
    assert not window.isVisible()
    # The workspace is still usable and consistent: what the round applied before stopping is kept.
    assert desk.scalar("SELECT count(*) FROM sync_batch") in (0, 1)
