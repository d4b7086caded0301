"""A plain page for a section while the database is still opening: it says so and what the section is for."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget


class SectionWaitingPage(QScrollArea):
    """A section page shown until the workspace is open; real read-only content may be added below."""

    def __init__(self, title: str, notice: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(24, 20, 24, 20)
        self._layout.setSpacing(14)

        heading = QLabel(title, body)
        heading.setObjectName("page_title")
        self._layout.addWidget(heading)

        self.notice_label = QLabel(notice, body)
        self.notice_label.setObjectName("section_waiting")
        self.notice_label.setWordWrap(True)
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.notice_label)
        self._layout.addStretch(1)
        self.setWidget(body)

    def add_content(self, widget: QWidget) -> None:
        """Place a real (read-only) widget under the notice."""
        self._layout.insertWidget(self._layout.count() - 1, widget)

    def notice(self) -> str:
        """The sentence shown on the page."""
        return self.notice_label.text()
