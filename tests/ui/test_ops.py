"""ui/ops.py: work runs off the GUI thread, writes one at a time in order, results and Arabic errors come back on it."""

from __future__ import annotations

import threading
import time

import shiboken6
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop.errors import InputError
from ui.ops import Operations, operations, run_read, run_write


def _gui_thread() -> QThread:
    app = QApplication.instance()
    assert app is not None
    return app.thread()


def test_work_runs_off_the_gui_thread_and_the_result_comes_back_on_it(qtbot: QtBot) -> None:
    """The function runs on a worker; on_success runs on the GUI thread with its result."""
    ops = Operations()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["work_thread"] = threading.get_ident()
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_on_gui"] = QThread.currentThread() is _gui_thread()

    ops.write(work, done)
    assert ops.wait()
    assert seen == {"work_thread": seen["work_thread"], "result": 42, "callback_on_gui": True}
    assert seen["work_thread"] != threading.get_ident()


def test_writes_run_one_at_a_time_in_the_order_asked(qtbot: QtBot) -> None:
    """Ten writes that each take a moment never overlap and finish in the order they were asked for."""
    ops = Operations()
    running = 0
    overlap = False
    finished: list[int] = []
    lock = threading.Lock()

    def make(n: int) -> object:
        def work() -> int:
            nonlocal running, overlap
            with lock:
                running += 1
                overlap = overlap or running > 1
            time.sleep(0.005)
            with lock:
                running -= 1
            return n

        return work

    for n in range(10):
        ops.write(make(n), finished.append)  # type: ignore[arg-type]
    assert ops.wait()
    assert finished == list(range(10))
    assert not overlap


def test_reads_go_on_beside_a_long_write(qtbot: QtBot) -> None:
    """A read is not queued behind the writer: it finishes while a write is still running."""
    ops = Operations()
    release = threading.Event()
    order: list[str] = []
    ops.write(lambda: release.wait(5), lambda _: order.append("write"))
    ops.read(lambda: "read", order.append)
    qtbot.waitUntil(lambda: order == ["read"], timeout=5000)
    release.set()
    assert ops.wait()
    assert order == ["read", "write"]


def test_a_refusal_reaches_on_failure_as_its_arabic_message(qtbot: QtBot) -> None:
    """An InputError's own Arabic message is what on_failure gets, with the error itself."""
    ops = Operations()
    got: list[tuple[str, BaseException]] = []

    def work() -> None:
        raise InputError("رقم الهوية غير صحيح", field="national_id")

    ops.write(work, lambda _: None, lambda message, error: got.append((message, error)))
    assert ops.wait()
    assert len(got) == 1
    assert got[0][0] == "رقم الهوية غير صحيح"
    assert isinstance(got[0][1], InputError) and got[0][1].field == "national_id"


def test_an_unexpected_error_is_worded_in_arabic_never_as_a_traceback(qtbot: QtBot) -> None:
    """A bug in the work becomes the general Arabic sentence, not the exception's English text."""
    ops = Operations()
    got: list[str] = []

    def work() -> None:
        raise ZeroDivisionError("division by zero")

    ops.write(work, lambda _: None, lambda message, _error: got.append(message))
    assert ops.wait()
    assert len(got) == 1 and "division" not in got[0] and "غير متوقع" in got[0]


def test_without_on_failure_a_non_blocking_arabic_box_is_shown(qtbot: QtBot) -> None:
    """No failure callback: the message appears in a message box over the owner, and nothing blocks."""
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.show()

    def work() -> None:
        raise InputError("تعذر حفظ الحالة")

    run_write(owner, work, lambda _: None)
    assert operations().wait()
    boxes = [w for w in owner.findChildren(QMessageBox) if w.isVisible()]
    assert [box.text() for box in boxes] == ["تعذر حفظ الحالة"]
    for box in boxes:
        box.close()


def test_callbacks_are_dropped_when_the_owner_was_deleted(qtbot: QtBot) -> None:
    """Closing a dialog mid-operation: the work finishes, but nothing calls into the dead widget."""
    owner = QObject()
    release = threading.Event()
    called: list[object] = []
    finished = threading.Event()

    def work() -> str:
        release.wait(5)
        finished.set()
        return "done"

    run_read(owner, work, called.append)
    shiboken6.delete(owner)  # what a dialog closed with WA_DeleteOnClose comes to
    release.set()
    assert operations().wait()
    assert finished.is_set()
    assert called == []


def test_busy_signal_brackets_work_in_flight(qtbot: QtBot) -> None:
    """sig_busy_changed says True when the first operation starts and False when the last one reports back."""
    ops = Operations()
    states: list[bool] = []
    ops.sig_busy_changed.connect(states.append)
    ops.write(lambda: 1, lambda _: None)
    ops.read(lambda: 2, lambda _: None)
    assert ops.in_flight == 2
    assert ops.wait()
    assert states == [True, False]
    assert ops.in_flight == 0


def _shown_widget(qtbot: QtBot) -> QWidget:
    """A small widget on screen, its first paint done."""
    widget = QWidget()
    widget.resize(200, 100)
    widget.show()
    qtbot.waitExposed(widget)
    QApplication.processEvents()
    return widget


def test_a_read_after_drawn_waits_for_the_widgets_paint(qtbot: QtBot) -> None:
    """A read asked to follow a visible widget's paint is in flight at once, starts only once the widget has
    painted, and reports back as any read; a hidden widget's starts at once."""
    ops = Operations()
    shown = _shown_widget(qtbot)
    qtbot.addWidget(shown)
    started = threading.Event()
    results: list[str] = []

    def work() -> str:
        started.set()
        return "read"

    ops.read(work, results.append, owner=shown, after_drawn=shown)
    assert ops.in_flight == 1
    assert not started.wait(0.02)  # no paint yet: nothing ran (the event loop did not turn)
    shown.repaint()
    assert ops.wait()
    assert results == ["read"] and started.is_set()

    hidden = QWidget()
    qtbot.addWidget(hidden)
    other = threading.Event()
    ops.read(other.set, lambda _r: None, owner=hidden, after_drawn=hidden)
    assert other.wait(5)
    assert ops.wait()


def test_a_read_after_drawn_still_runs_when_no_paint_comes(qtbot: QtBot) -> None:
    """A widget deleted before it painted: the read runs all the same (nothing left in flight); its callback is
    dropped with the widget."""
    ops = Operations()
    widget = _shown_widget(qtbot)
    ran = threading.Event()
    results: list[object] = []
    ops.read(ran.set, results.append, owner=widget, after_drawn=widget)
    shiboken6.delete(widget)  # before any paint (its watch goes with it)
    assert not ran.is_set()
    assert ops.wait()
    assert ran.is_set() and results == [] and ops.in_flight == 0
