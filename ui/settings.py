"""What the desk remembers for the officer on this PC between starts: the window's place and size, panels
opened or collapsed. Kept with Qt's `QSettings` (the registry on Windows, an .ini file elsewhere).

`MUSTAFID_SETTINGS_DIR`, when set, keeps them in an .ini file in that folder instead: the tests set it, so that
they never read or write the officer's own settings.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: A folder for the settings file instead of the user's own settings (tests).
SETTINGS_DIR_ENV = "MUSTAFID_SETTINGS_DIR"

ORGANIZATION = "Mustafid"
APPLICATION = "Mustafid Desk"

WINDOW_GEOMETRY_KEY = "main_window/geometry"
#: The window's frame when it was saved (not maximised: its normal place), checked against the screens of now.
WINDOW_FRAME_KEY = "main_window/frame"

#: How much of the window's title bar must lie on a screen for a saved place to be used again.
_VISIBLE_TITLE_PX = 80


def desk_settings() -> QSettings:
    """The desk's settings on this PC (a fresh handle; cheap: nothing is read until a value is asked)."""
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        return QSettings(os.path.join(folder, "mustafid-desk.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def remembered_flag(key: str, default: bool) -> bool:
    """A yes/no the desk remembers (e.g. a panel opened), or `default` when never saved."""
    value = desk_settings().value(key, default)
    if isinstance(value, str):  # an .ini file gives text back
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def remember_flag(key: str, value: bool) -> None:
    """Remember a yes/no for the next start."""
    desk_settings().setValue(key, value)


def _on_some_screen(frame: QRect) -> bool:
    """True when the top of a window's frame (its title bar) shows on one of the screens connected now."""
    title = QRect(frame.topLeft(), QPoint(frame.right(), frame.top() + 30))
    for screen in QGuiApplication.screens():
        seen = title.intersected(screen.availableGeometry())
        if seen.width() >= min(_VISIBLE_TITLE_PX, title.width()) and seen.height() > 0:
            return True
    return False


def show_main_window(window: QWidget) -> None:
    """Show the desk's window where the officer left it: maximised the first time, and whenever the saved place
    is on no screen connected now (a projector unplugged); the saved size and place otherwise.

    Only the saved geometry is read: nothing is built for it."""
    settings = desk_settings()
    saved, frame = settings.value(WINDOW_GEOMETRY_KEY), settings.value(WINDOW_FRAME_KEY)
    usable = (isinstance(saved, QByteArray) and not saved.isEmpty() and isinstance(frame, QRect)
              and _on_some_screen(frame))
    if usable and window.restoreGeometry(saved):
        window.show()
    else:
        window.showMaximized()
    window.setProperty("remember_geometry", True)


def remember_main_window(window: QWidget) -> None:
    """Save the window's place, size and maximised state for the next start (only for a window shown by
    `show_main_window`: test windows and the like are not remembered)."""
    if window.property("remember_geometry"):
        settings = desk_settings()
        settings.setValue(WINDOW_GEOMETRY_KEY, window.saveGeometry())
        frame = window.frameGeometry()
        if window.isMaximized() or window.isFullScreen():
            normal = window.normalGeometry()
            frame = normal if normal.isValid() else frame
        settings.setValue(WINDOW_FRAME_KEY, frame)
