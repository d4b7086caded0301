"""The desk's status bar: who is at the desk, for which association, the sync state, and today's date."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QStatusBar, QWidget

from ui.sync.text import (
    SyncState,
    conflicts_text,
    last_sync_text,
    moment_text,
    number,
    pending_text,
    state_text,
    state_tooltip,
)
from ui.widgets.elided_label import ElidedLabel

STATUS_STYLE = """
QLabel#status_connection[sync="online"] { color: #1f6f43; }
QLabel#status_connection[sync="offline"] { color: #8a5a00; }
QLabel#status_connection[sync="error"] { color: #a61b1b; }
QLabel#status_connection[sync="running"] { color: #1d4f91; }
QLabel#status_connection[sync="none"] { color: #5f6b7a; }
QLabel#status_pending[waiting="true"] { color: #8a5a00; }
QPushButton#status_conflicts {
    color: #a61b1b; font-weight: bold; border: 1px solid #e3b4b4; border-radius: 4px;
    background: #fdf1f1; padding: 0 8px;
}
QPushButton#status_conflicts:hover { background: #f9e0e0; }
"""


class DeskStatusBar(QStatusBar):
    """Permanent fields: officer, association, sync state, last sync, pending changes, open conflicts, today.

    `sig_conflicts_clicked()`: the officer clicked the open-conflicts field.
    """

    sig_conflicts_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("desk_status_bar")
        self.setSizeGripEnabled(False)
        self.setStyleSheet(STATUS_STYLE)
        self.sync_state: SyncState | None = None
        self._separators: dict[QWidget, QFrame] = {}
        # Names of any length: elided at their end rather than widening the window past a small screen.
        self.officer_label = self._field("officer", elide=True)
        self.association_label = self._field("association", elide=True)
        self.connection_label = self._field("connection")
        self.last_sync_label = self._field("last_sync")
        self.pending_label = self._field("pending")
        self._conflicts_separator = self._separator()
        self.conflicts_button = QPushButton(self)
        self.conflicts_button.setObjectName("status_conflicts")
        self.conflicts_button.setFlat(True)
        self.conflicts_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.conflicts_button.setToolTip("تعارضات تنتظر قرار المشرف: انقر لعرضها وحسمها")
        self.conflicts_button.clicked.connect(self.sig_conflicts_clicked)
        self.addWidget(self.conflicts_button)
        self.today_label = self._field("today")
        for label in (self.last_sync_label, self.pending_label):
            self._set_visible(label, False)
        self._show_conflict_count(0)

    def _separator(self) -> QFrame:
        separator = QFrame(self)
        separator.setObjectName("status_separator")
        separator.setFrameShape(QFrame.Shape.VLine)
        self.addWidget(separator)
        return separator

    def _field(self, name: str, *, elide: bool = False) -> QLabel:
        """Add one label to the bar, from the right edge on, with a thin line before every field but the first
        (`elide`: a text of any length, elided at its end when the bar is short of room)."""
        separator = self._separator() if self.findChild(QLabel) is not None else None
        label = ElidedLabel("", self) if elide else QLabel(self)
        label.setObjectName(f"status_{name}")
        if separator is not None:
            self._separators[label] = separator
        self.addWidget(label)
        return label

    def _set_visible(self, label: QLabel, visible: bool) -> None:
        """Show or hide a field with the line before it."""
        label.setVisible(visible)
        separator = self._separators.get(label)
        if separator is not None:
            separator.setVisible(visible)

    def show_officer(self, name: str) -> None:
        """Show the officer's name."""
        self.officer_label.setText(f"الموظف: {name}")

    def show_association(self, name: str) -> None:
        """Show the association whose policy is active."""
        self.association_label.setText(name)

    def show_connection(self, label_ar: str) -> None:
        """Show the connection in words until the sync controller reports (it owns the field from then on)."""
        if self.sync_state is None or self.sync_state.status is None:
            self.connection_label.setText(label_ar)

    def show_sync(self, state: SyncState) -> None:
        """Show the sync state: online or not, last successful sync, pending changes, open conflicts."""
        self.sync_state = state
        if state.status is None and state.unavailable_ar is None:
            return  # still opening: keep what show_connection said
        label = self.connection_label
        label.setText(state_text(state))
        label.setToolTip(state_tooltip(state))
        if state.unavailable_ar or not state.configured:
            kind = "none" if not state.unavailable_ar else "error"
        elif state.running:
            kind = "running"
        elif state.online:
            kind = "online"
        else:
            kind = "offline" if (state.error_kind or "offline") == "offline" else "error"
        if label.property("sync") != kind:
            label.setProperty("sync", kind)
            label.style().unpolish(label)
            label.style().polish(label)
        configured = state.configured and state.unavailable_ar is None
        self._set_visible(self.last_sync_label, configured)
        self._set_visible(self.pending_label, configured)
        if configured:
            status = state.status
            assert status is not None
            self.last_sync_label.setText(last_sync_text(state))
            self.last_sync_label.setToolTip(
                "آخر مزامنة ناجحة: " + moment_text(status.last_success_at)
                if status.last_success_at is not None else "لم تكتمل أي مزامنة لهذا الجهاز بعد"
            )
            self.pending_label.setText(pending_text(state))
            waiting = "true" if state.pending else "false"
            if self.pending_label.property("waiting") != waiting:
                self.pending_label.setProperty("waiting", waiting)
                self.pending_label.style().unpolish(self.pending_label)
                self.pending_label.style().polish(self.pending_label)
            self.pending_label.setToolTip(
                f"تغييرات محفوظة على هذا الجهاز لم يستلمها الخادم بعد: {number(state.pending)}"
            )
        self._show_conflict_count(state.conflicts)

    def _show_conflict_count(self, count: int) -> None:
        self.conflicts_button.setText(conflicts_text(count))
        self.conflicts_button.setVisible(count > 0)
        self._conflicts_separator.setVisible(count > 0)

    def show_today(self, dual_date: str) -> None:
        """Show today's date (Hijri and Gregorian)."""
        self.today_label.setText(f"اليوم: {dual_date}")
