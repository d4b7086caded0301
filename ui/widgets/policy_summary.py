"""The settings page: the active policy and where the desk keeps its data (read-only), and the digit style."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.arabic_text import DigitStyle, digit_style, display_digits
from desktop.policy_text import approval_meeting_text, counted_parts, dates_side_by_side, decision_text

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile
    from desktop.workspace import Workspace

NOT_STATED = "غير مذكور في السياسة"


class DigitStyleBox(QGroupBox):
    """Settings: the one digit style of every number shown and printed (Arabic-Indic or Latin).

    The choice is stored by the workspace (through `ui.ops.run_write`) and applies at once to what is drawn
    or printed from then on. Signals: `sig_digit_style_changed(style)` — the style was stored and applied.
    """

    sig_digit_style_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("عرض الأرقام", parent)
        self.setObjectName("digit_style_box")
        form = QFormLayout(self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("digit_style")
        for style in DigitStyle:
            self.combo.addItem(style.label_ar, style.value)
        self.combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.combo.setEnabled(False)
        form.addRow("الأرقام في الشاشات والمطبوعات:", self.combo)
        self.note = QLabel(self)
        self.note.setObjectName("digit_style_note")
        self.note.setWordWrap(True)
        form.addRow(self.note)
        self._workspace: Workspace | None = None
        self._show(digit_style())
        self.combo.activated.connect(self._chosen)

    def attach(self, workspace: Workspace) -> None:
        """The workspace is open: show its style (applied when it opened) and allow changing it."""
        self._workspace = workspace
        self._show(digit_style())
        self.combo.setEnabled(True)

    def _show(self, style: DigitStyle) -> None:
        self.combo.setCurrentIndex(max(self.combo.findData(style.value), 0))
        self.note.setText(
            "يُكتب بهذا النمط كل رقم يقرؤه الموظف: التواريخ والأعداد وأرقام الهوية والجوال والطلبات، "
            "في الشاشات وفي المطبوعات. ويُقبل الرقم المكتوب بأي النمطين."
        )

    def _chosen(self, index: int) -> None:
        workspace = self._workspace
        wanted = DigitStyle(str(self.combo.itemData(index)))
        if workspace is None or wanted is digit_style():
            return
        from ui.ops import run_write

        self.combo.setEnabled(False)

        def stored(style: DigitStyle) -> None:
            self.combo.setEnabled(True)
            self._show(style)
            self.sig_digit_style_changed.emit(style.value)

        def failed(message: str, _error: BaseException) -> None:
            self.combo.setEnabled(True)
            self._show(digit_style())
            self.note.setText(message)

        run_write(self, lambda: workspace.set_digit_style(wanted), stored, failed, where="settings.digit_style")


class PolicySummaryPage(QScrollArea):
    """Settings section: association, licence, policy version, board approval, decision period, data folder,
    the digit style (the only editable row: `digit_box`)."""

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

        self.digit_box = DigitStyleBox(body)
        self.digit_box.sig_digit_style_changed.connect(self._redraw)
        layout.addWidget(self.digit_box)

        note_label = QLabel(note, body)
        note_label.setObjectName("page_note")
        note_label.setWordWrap(True)
        layout.addWidget(note_label)
        layout.addStretch(1)
        self.setWidget(body)
        self._values: dict[str, QLabel] = {}
        self._profile: PolicyProfile | None = None

    def _redraw(self, _style: str) -> None:
        """The digit style changed: write this page's numbers again in it."""
        if self._profile is not None:
            self.show_policy(self._profile)

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
        self._profile = profile
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
                self._row(form, "replaces", "تحل محل:", f"{display_digits(replaced.meeting)} — {when}")
        from desktop.policy import is_rescue_profile  # here: the schema's imports stay off the first window's path

        if is_rescue_profile(profile):  # a policy of reports: no committee, its reports handled at once
            course = "، ".join(step.title for step in profile.steps)
            self._row(form, "report_course", "معالجة البلاغ:", f"فور استلامه، بخطوات السياسة: {course}")
        else:
            self._row(form, "decision", "مدة قرار اللجنة:", decision_text(profile))
        self._row(form, "channels", "القنوات:", "، ".join(channel.name for channel in profile.channels))
        self._row(form, "steps", "خطوات الاستقبال:", counted_parts(profile)[2])

    def attach_workspace(self, workspace: Workspace) -> None:
        """The workspace is open: its data folder, and the digit style can be changed."""
        self.show_data_dir(workspace.data_dir)
        self.digit_box.attach(workspace)

    def show_data_dir(self, data_dir: Path) -> None:
        """Show the folder holding the database and attachments."""
        self._row(self._storage_form, "data_dir", "مجلد البيانات:", str(data_dir), left_to_right=True)

    def value(self, key: str) -> str:
        """The text shown for one row (e.g. 'association', 'approval_dates', 'data_dir')."""
        return self._values[key].text()
