"""Small helpers for UI tests: answering a modal dialog that a call under test opens and waits on."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget


def when_modal(kind: type[QWidget], handle: Callable[[QWidget], None], *, tries: int = 500) -> None:
    """Once a modal widget of `kind` is up (polled from the event loop), call `handle` with it."""

    def poll(remaining: int) -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            handle(widget)
        elif remaining > 0:
            QTimer.singleShot(10, lambda: poll(remaining - 1))

    QTimer.singleShot(0, lambda: poll(tries))
