"""The settings page: the active policy and where the desk keeps its data, read-only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.policy_text import approval_meeting_text, count_text, dates_side_by_side, decision_text

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile

NOT_STATED = "غير مذكور في السياسة"


class PolicySummaryPage(QScrollArea):
    """Settings section: association, licence, policy version, board approval, decision period, data folder."""

    def __init__(self, title: str, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(14)

        heading = QLabel(title, body)
        heading.setObjectName("page_title")
        layout.addWidget(heading)

        self._policy_box = QGroupBox("سياسة تنظيم العلاقة مع المستفيدين المعتمدة", body)
        self._policy_form = QFormLayout(self._policy_box)
        self._policy_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._policy_form.setHorizontalSpacing(18)
        self._policy_form.setVerticalSpacing(8)
        layout.addWidget(self._policy_box)

        storage = QGroupBox("التخزين", body)
        self._storage_form = QFormLayout(storage)
        layout.addWidget(storage)

        note_label = QLabel(note, body)
        note_label.setObjectName("page_note")
        note_label.setWordWrap(True)
        layout.addWidget(note_label)
        layout.addStretch(1)
        self.setWidget(body)
        self._values: dict[str, QLabel] = {}

    def _row(self, form: QFormLayout, key: str, caption: str, value: str, *, left_to_right: bool = False) -> None:
        """Add or update one read-only row; left_to_right for a value such as a folder path."""
        label = self._values.get(key)
        if label is None:
            label = QLabel(form.parentWidget())
            label.setWordWrap(True)
            # Values without Arabic letters (a count, a folder) would otherwise align to the left.
            label.setAlignment(
                Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setObjectName(f"policy_{key}")
            if left_to_right:
                label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            form.addRow(caption, label)
            self._values[key] = label
        label.setText(value)

    def show_policy(self, profile: PolicyProfile) -> None:
        """Fill the page from the active policy."""
        form = self._policy_form
        association = profile.association
        self._row(form, "association", "الجمعية:", association.name)
        self._row(form, "licence", "رقم الترخيص:", association.licence or NOT_STATED)
        if association.city:
            self._row(form, "city", "المدينة:", association.city)
        self._row(form, "version", "نسخة السياسة:", f"{profile.version} (المعرّف: {profile.id})")
        approval = profile.approval
        if approval is None:
            self._row(form, "approval", "الاعتماد:", "لا تذكر السياسة محضر اعتمادها")
        else:
            self._row(form, "approval", "الاعتماد:", approval_meeting_text(approval))
            self._row(form, "approval_dates", "تاريخ الاعتماد:",
                      dates_side_by_side(approval.date_hijri, approval.date_gregorian))
            if approval.replaces is not None:
                replaced = approval.replaces
                when = dates_side_by_side(replaced.date_hijri, replaced.date_gregorian)
                self._row(form, "replaces", "تحل محل:", f"{replaced.meeting} — {when}")
        from desktop.policy import is_rescue_profile  # here: the schema's imports stay off the first window's path

        if is_rescue_profile(profile):  # a policy of reports: no committee, its reports handled at once
            course = "، ".join(step.title for step in profile.steps)
            self._row(form, "report_course", "معالجة البلاغ:", f"فور استلامه، بخطوات السياسة: {course}")
        else:
            self._row(form, "decision", "مدة قرار اللجنة:", decision_text(profile))
        self._row(form, "channels", "القنوات:", "، ".join(channel.name for channel in profile.channels))
        self._row(form, "steps", "خطوات الاستقبال:", count_text(len(profile.steps)))

    def show_data_dir(self, data_dir: Path) -> None:
        """Show the folder holding the database and attachments."""
        self._row(self._storage_form, "data_dir", "مجلد البيانات:", str(data_dir), left_to_right=True)

    def value(self, key: str) -> str:
        """The text shown for one row (e.g. 'association', 'approval_dates', 'data_dir')."""
        return self._values[key].text()
