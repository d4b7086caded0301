"""Every Qt event class exists in Python before a Python event filter can see an event (see ui.event_types)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ui.app import configure_application
from ui.event_types import unresolved_event_types


def test_a_configured_application_knows_every_event_class(qapp: QApplication) -> None:
    configure_application(qapp)
    assert unresolved_event_types() == []


def test_the_event_classes_listed_are_the_qt_ones() -> None:
    from PySide6 import QtGui

    assert "QMouseEvent" in vars(QtGui) and "QHoverEvent" in vars(QtGui)
