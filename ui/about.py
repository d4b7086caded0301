"""«حول مكتب المستفيد»: the program's name, its version (the one of pyproject.toml) and what it runs on."""

from __future__ import annotations

import platform

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.arabic_text import identifier_text
from desktop.version import app_version

ABOUT_TITLE = "حول مكتب المستفيد"


def about_lines() -> list[str]:
    """The dialog's lines: the program, its version, the libraries it runs on (versions held left to right)."""
    return [
        "مكتب المستفيد — أداة موظف علاقات المستفيدين",
        f"الإصدار: {identifier_text(app_version())}",
        f"Python {identifier_text(platform.python_version())} · Qt {identifier_text(qVersion())}",
    ]


class AboutDialog(QDialog):
    """The About box: read-only text and a close button, right to left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the box (the version is read from the installed copy's metadata)."""
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(ABOUT_TITLE)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        title, version, runtime = about_lines()
        heading = QLabel(title, self)
        heading.setObjectName("about_title")
        heading.setStyleSheet("font-weight: bold;")
        self.version_label = QLabel(version, self)
        self.version_label.setObjectName("about_version")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        runtime_label = QLabel(runtime, self)
        for label in (heading, self.version_label, runtime_label):
            layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
