"""The desk's error hooks: an exception nobody caught (a Qt slot, a thread) reaches the log under an incident
number and the officer sees that number in Arabic, never a traceback; Qt's own warnings reach the log."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer, Signal, qWarning
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop import logbook
from desktop.arabic_text import isolate
from tests.desktop.reception.conftest import ID_NUMBER, NAME
from ui import app as desk

INCIDENT = re.compile(r"M-[0-9A-F]{6}")


class _Emitter(QObject):
    """Something with a signal whose slot has a bug."""

    sig_clicked = Signal()


@pytest.fixture
def hooked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, list[str]]]:
    """The log in a fresh data directory, the hooks installed, and the dialog replaced by a recorder."""
    shown: list[str] = []
    monkeypatch.setattr(desk, "error_dialog_factory", shown.append)
    log_file = logbook.configure(tmp_path / "data")
    undo = desk.install_error_hooks()
    try:
        yield log_file, shown
    finally:
        undo()
        logbook.close()


def _incident_in(text: str) -> str:
    match = INCIDENT.search(text)
    assert match is not None, text
    return match.group(0)


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_log_with_an_incident_number(
    qtbot: QtBot, hooked: tuple[Path, list[str]]
) -> None:
    """sys.excepthook: the traceback is logged under a number; the dialog shows the Arabic text with it."""
    log_file, shown = hooked
    emitter = _Emitter()

    def on_clicked() -> None:
        raise KeyError(f"{NAME} {ID_NUMBER}")

    emitter.sig_clicked.connect(on_clicked)
    QTimer.singleShot(0, emitter.sig_clicked.emit)  # delivered by the event loop, as a click would be
    qtbot.waitUntil(lambda: len(shown) == 1)

    number = _incident_in(shown[0])
    assert f"رقم البلاغ {isolate(number)}" in shown[0] and "غير متوقع" in shown[0]
    assert "Traceback" not in shown[0] and "KeyError" not in shown[0]
    content = log_file.read_text(encoding="utf-8")
    block = content[content.index(f"incident {number} in unhandled: KeyError"):]
    assert "Traceback (most recent call last):" in block and "in on_clicked" in block
    assert NAME.split()[-1] not in content and ID_NUMBER not in content


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_thread_is_shown_on_the_gui_thread(qtbot: QtBot, hooked: tuple[Path, list[str]]) -> None:
    """threading.excepthook: logged on the worker, the dialog is shown from the GUI thread."""
    log_file, shown = hooked
    gui_thread = threading.current_thread()
    shown_on: list[threading.Thread] = []
    original: Callable[[str], object] = shown.append

    def record(text: str) -> None:
        shown_on.append(threading.current_thread())
        original(text)

    desk.error_dialog_factory = record  # restored by the fixture's monkeypatch

    def work() -> None:
        raise ValueError("worker failed")

    worker = threading.Thread(target=work, name="import-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(shown) == 1)

    assert shown_on == [gui_thread]
    number = _incident_in(shown[0])
    content = log_file.read_text(encoding="utf-8")
    assert f"incident {number} in thread import-worker: ValueError" in content
    assert "in work" in content


def test_qt_warnings_go_to_the_qt_logger(hooked: tuple[Path, list[str]]) -> None:
    """Qt's message handler writes Qt's warnings to ``mustafid.qt`` (redacted like everything else)."""
    log_file, _ = hooked
    qWarning(f"a Qt warning about {ID_NUMBER}")
    content = log_file.read_text(encoding="utf-8")
    assert re.search(r"WARNING +mustafid\.qt \[MainThread\] a Qt warning about <digits>", content)


def test_the_error_dialog_is_arabic_right_to_left_and_does_not_block(qtbot: QtBot) -> None:
    """The real dialog: Arabic title, the text as given, a Close button in Arabic, opened without blocking."""
    text = "تعذّر إتمام العملية بسبب خطأ غير متوقع. رقم البلاغ \u2068M-4F7A2C\u2069"
    box = desk.show_error_dialog(text)
    assert isinstance(box, QMessageBox)
    qtbot.addWidget(box)
    assert box.isVisible()
    assert box.windowTitle() == desk.ERROR_DIALOG_TITLE == "خطأ غير متوقع"
    assert box.text() == text
    assert box.layoutDirection() == desk.Qt.LayoutDirection.RightToLeft
    assert [button.text() for button in box.buttons()] == ["أغلق"]
    assert desk.show_error_dialog("ثانٍ") is None  # one box at a time; the second incident is only logged
    box.close()
