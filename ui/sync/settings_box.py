"""The settings page's sync box: the state in full and the «تسجيل الجهاز لدى الخادم» button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.sync.text import SyncState, moment_text, number, state_text, state_tooltip


class SyncSettingsBox(QGroupBox):
    """State of this PC's sync (server, last success, pending, conflicts) with enrol and sync-now buttons.

    `sig_enrol_requested()`, `sig_sync_requested()`, `sig_conflicts_requested()`: the officer pressed the
    button to enrol this PC, to sync now, or to see the conflicts.
    """

    sig_enrol_requested = Signal()
    sig_sync_requested = Signal()
    sig_conflicts_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("المزامنة مع خادم الجمعية", parent)
        self.setObjectName("sync_settings_box")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(18)
        self.values: dict[str, QLabel] = {}
        for key, caption in (("state", "الحالة:"), ("server", "الخادم:"), ("last", "آخر مزامنة ناجحة:"),
                             ("pending", "بانتظار الإرسال:"), ("conflicts", "تعارضات مفتوحة:")):
            label = QLabel("…", self)
            label.setObjectName(f"sync_{key}")
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignRight
                               | Qt.AlignmentFlag.AlignVCenter)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(caption, label)
            self.values[key] = label
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.enrol_button = QPushButton("تسجيل الجهاز لدى الخادم", self)
        self.enrol_button.setObjectName("sync_enrol_button")
        self.sync_button = QPushButton("مزامنة الآن", self)
        self.sync_button.setObjectName("sync_now_button")
        self.conflicts_button = QPushButton("عرض التعارضات", self)
        self.conflicts_button.setObjectName("sync_conflicts_button")
        for button in (self.enrol_button, self.sync_button, self.conflicts_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.enrol_button.clicked.connect(self.sig_enrol_requested)
        self.sync_button.clicked.connect(self.sig_sync_requested)
        self.conflicts_button.clicked.connect(self.sig_conflicts_requested)
        self.show_state(SyncState(None))

    def show_state(self, state: SyncState) -> None:
        """Fill the box from the controller's state."""
        status = state.status
        self.values["state"].setText(state_text(state))
        self.values["state"].setToolTip(state_tooltip(state))
        configured = state.configured
        self.values["server"].setText(status.server_url or "—" if status is not None else "—")
        self.values["last"].setText(
            moment_text(status.last_success_at) if status is not None and status.last_success_at else "لم تتم بعد")
        self.values["pending"].setText(number(state.pending) if configured else "—")
        self.values["conflicts"].setText(number(state.conflicts) if configured else "—")
        self.enrol_button.setText("إعادة تسجيل الجهاز لدى الخادم" if configured else "تسجيل الجهاز لدى الخادم")
        self.enrol_button.setEnabled(status is not None)
        self.sync_button.setEnabled(configured and not state.running)
        self.conflicts_button.setEnabled(configured)
