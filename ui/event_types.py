"""Qt's event classes made known to Python before any Python event filter runs.

PySide6 (6.11) creates its Python classes lazily, at their first use. When a Python event filter receives an
event, shiboken finds the event's most derived Python class by walking the subclasses of `QEvent`, and a class
not yet created is created in that walk. Done there, inside the dispatch of a window's first Expose event,
that creation crashes the process (a segmentation fault in shiboken's module lookup, first seen with
`QMouseEvent`, then `QHoverEvent` once that one was made known). The desk watches its windows with Python
filters (the wheel guard, the idle watch, the kiosk), so every event class of the Qt modules it loads is
created once, when the application is configured, before the first window is shown.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["resolve_event_types", "unresolved_event_types"]

_MODULES = (QtCore, QtGui, QtWidgets)


def _event_type_names(module: object) -> list[str]:
    return [name for name in dir(module) if name.startswith("Q") and name.endswith("Event")]


def unresolved_event_types() -> list[str]:
    """The event classes of QtCore, QtGui and QtWidgets that Python has not created yet (module.Name)."""
    return [f"{module.__name__}.{name}" for module in _MODULES for name in _event_type_names(module)
            if name not in vars(module)]


def resolve_event_types() -> None:
    """Create every event class of QtCore, QtGui and QtWidgets now (a few milliseconds, once per process)."""
    for module in _MODULES:
        for name in _event_type_names(module):
            getattr(module, name)
