"""The desk's status bar: who is at the desk, for which association, the connection, and today's date."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QStatusBar, QWidget


class DeskStatusBar(QStatusBar):
    """Permanent fields for officer, association, connection state and today's Hijri/Gregorian date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("desk_status_bar")
        self.setSizeGripEnabled(False)
        self.officer_label = self._field("officer")
        self.association_label = self._field("association")
        self.connection_label = self._field("connection")
        self.today_label = self._field("today")

    def _field(self, name: str) -> QLabel:
        """Add one label to the bar, from the right edge on, with a thin line before every field but the first."""
        if self.findChild(QLabel) is not None:
            separator = QFrame(self)
            separator.setObjectName("status_separator")
            separator.setFrameShape(QFrame.Shape.VLine)
            self.addWidget(separator)
        label = QLabel(self)
        label.setObjectName(f"status_{name}")
        self.addWidget(label)
        return label

    def show_officer(self, name: str) -> None:
        """Show the officer's name."""
        self.officer_label.setText(f"الموظف: {name}")

    def show_association(self, name: str) -> None:
        """Show the association whose policy is active."""
        self.association_label.setText(name)

    def show_connection(self, label_ar: str) -> None:
        """Show the synchronisation state in words."""
        self.connection_label.setText(label_ar)

    def show_today(self, dual_date: str) -> None:
        """Show today's date (Hijri and Gregorian)."""
        self.today_label.setText(f"اليوم: {dual_date}")
