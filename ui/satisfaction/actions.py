"""The board's corrective actions: the list for a period, recording one, and moving it to another status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, identifier_text
from desktop.errors import InputError
from desktop.hijri import format_dual, parse_date_either
from desktop.reports.views import CorrectiveAction, CorrectiveActionStatus
from ui.ops import run_read, run_write
from ui.reports.period import PeriodPicker

if TYPE_CHECKING:
    from desktop.reports import DashboardService

__all__ = ["CorrectiveActionDialog", "CorrectiveActionsPanel"]


class CorrectiveActionDialog(QDialog):
    """Record one corrective action: what was found, what will be done, who, by when, and its status.

    `record(...)` (the service's recorder) runs through `ui.ops` as a write; the dialog is accepted once the
    action is stored, or shows the service's Arabic refusal and stays open.
    """

    def __init__(self, record: Callable[..., CorrectiveAction], parent: QWidget | None = None) -> None:
        """The dialog; `record` stores an action (called off the GUI thread)."""
        super().__init__(parent)
        self.setObjectName("corrective_action_dialog")
        self.setWindowTitle("تسجيل إجراء تصحيحي")
        self.setMinimumWidth(560)
        self._record = record
        self.recorded: CorrectiveAction | None = None
        column = QVBoxLayout(self)
        intro = QLabel(
            "سجّل ما قرّره المجلس أو الإدارة لتحسين الخدمة بناءً على نتائج رضا المستفيدين وشكاواهم؛ "
            "يظهر في حزمة الشواهد المقدّمة للمجلس والمركز الوطني.", self)
        intro.setWordWrap(True)
        column.addWidget(intro)
        form = QFormLayout()
        self.finding = QPlainTextEdit(self)
        self.finding.setObjectName("action_finding")
        self.finding.setPlaceholderText(display_digits("مثال: انخفض الرضا عن سرعة إنجاز المعاملات إلى ٥٥٪"))
        self.finding.setFixedHeight(70)
        self.action = QPlainTextEdit(self)
        self.action.setObjectName("action_action")
        self.action.setPlaceholderText("مثال: إضافة موظف استقبال في أيام الأحد والاثنين")
        self.action.setFixedHeight(70)
        self.owner = QLineEdit(self)
        self.owner.setObjectName("action_owner")
        self.owner.setPlaceholderText("الاسم أو الإدارة")
        self.due = QLineEdit(self)
        self.due.setObjectName("action_due")
        self.due.setPlaceholderText(f"هجري أو ميلادي، مثل {identifier_text('1447/10/30')}")
        self.due_other = QLabel("", self)
        self.due_other.setObjectName("field_hint")
        self.status = QComboBox(self)
        self.status.setObjectName("action_status")
        for state in CorrectiveActionStatus:
            self.status.addItem(state.label_ar, state.value)
        form.addRow("الملاحظة (ما الذي وُجد):", self.finding)
        form.addRow("الإجراء التصحيحي:", self.action)
        form.addRow("المسؤول عن التنفيذ:", self.owner)
        form.addRow("موعد التنفيذ:", self.due)
        form.addRow("", self.due_other)
        form.addRow("الحالة:", self.status)
        column.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName("dialog_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a61b1b;")
        column.addWidget(self.error)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("حفظ الإجراء", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_action")
        buttons.addButton("إلغاء", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.due.textChanged.connect(self._show_due)

    def _show_due(self) -> None:
        text = self.due.text().strip()
        try:
            self.due_other.setText(format_dual(parse_date_either(text)) if text else "")
        except InputError as error:
            self.due_other.setText(error.message_ar)

    def try_save(self) -> bool:
        """Check the fields and start recording the action; True when started (False: the reason is shown)."""
        text = self.due.text().strip()
        if not text:
            self.error.setText("اكتب موعد التنفيذ (بالهجري أو الميلادي).")
            return False
        try:
            due: date = parse_date_either(text)
        except InputError as error:
            self.error.setText(error.message_ar)
            return False
        record = self._record
        finding, action, owner = self.finding.toPlainText(), self.action.toPlainText(), self.owner.text()
        status = self.status.currentData()
        self.error.setText("")
        self._busy(True)
        run_write(
            self,
            lambda: record(finding=finding, action=action, owner=owner, due_date=due, status=status),
            self._recorded,
            self._refused,
            where="satisfaction.record_corrective_action",
        )
        return True

    def _busy(self, busy: bool) -> None:
        """While the action is being stored: «جارٍ الحفظ…» on a disabled button (a second press adds nothing)."""
        self.save_button.setEnabled(not busy)
        self.save_button.setText("جارٍ الحفظ…" if busy else "حفظ الإجراء")

    def _recorded(self, action: CorrectiveAction) -> None:
        self._busy(False)
        self.recorded = action
        self.accept()

    def _refused(self, message: str, _error: BaseException) -> None:
        self._busy(False)
        self.error.setText(message)


class CorrectiveActionsPanel(QWidget):
    """The corrective actions of a period (recorded in it, or still open), with recording and status changes."""

    HEADERS = ("الملاحظة", "الإجراء", "المسؤول", "موعد التنفيذ", "الحالة")

    def __init__(self, service: DashboardService, parent: QWidget | None = None) -> None:
        """The panel over `service` (every call to it goes through `ui.ops`)."""
        super().__init__(parent)
        self.setObjectName("corrective_actions")
        self.service = service
        self.entries: list[CorrectiveAction] = []
        column = QVBoxLayout(self)
        note = QLabel(
            "الإجراءات التي قرّرها المجلس أو الإدارة بناءً على آراء المستفيدين: تُعرض إجراءات الفترة وما بقي "
            "مفتوحًا من قبلها، وتدخل في التقرير الدوري وحزمة الشواهد.", self)
        note.setObjectName("section_note")
        note.setWordWrap(True)
        column.addWidget(note)
        top = QHBoxLayout()
        self.period = PeriodPicker(parent=self)
        self.period.set_kind("hijri_year")
        top.addWidget(self.period, 1)
        self.show_button = QPushButton("عرض", self)
        self.show_button.setObjectName("show_actions")
        top.addWidget(self.show_button)
        column.addLayout(top)
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setObjectName("actions_table")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for index in (2, 3, 4):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.table, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("form_message")
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        actions = QHBoxLayout()
        self.record_button = QPushButton("تسجيل إجراء تصحيحي…", self)
        self.record_button.setObjectName("record_action")
        actions.addWidget(self.record_button)
        actions.addStretch(1)
        actions.addWidget(QLabel("تغيير حالة الإجراء المحدد إلى:", self))
        self.new_status = QComboBox(self)
        self.new_status.setObjectName("new_action_status")
        for state in CorrectiveActionStatus:
            self.new_status.addItem(state.label_ar, state.value)
        actions.addWidget(self.new_status)
        self.apply_status = QPushButton("تغيير", self)
        self.apply_status.setObjectName("apply_action_status")
        actions.addWidget(self.apply_status)
        column.addLayout(actions)
        self.dialog: CorrectiveActionDialog | None = None
        self.show_button.clicked.connect(self.refresh)
        self.record_button.clicked.connect(self.open_dialog)
        self.apply_status.clicked.connect(self.change_status)
        self.loads = 0

    def say(self, text: str, error: bool = False) -> None:
        """A line under the table."""
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def refresh(self) -> None:
        """Load the period's actions in the background."""
        try:
            period = self.period.period()
        except InputError as error:
            self.say(error.message_ar, True)
            return
        service = self.service
        self.show_button.setEnabled(False)
        run_read(self, lambda: service.corrective_actions(period), self._show, self._failed,
                 where="satisfaction.corrective_actions")

    def _failed(self, message: str, _error: BaseException) -> None:
        self.show_button.setEnabled(True)
        self.apply_status.setEnabled(True)
        self.say(message, True)

    def _show(self, actions: tuple[CorrectiveAction, ...]) -> None:
        self.show_button.setEnabled(True)
        self.entries = list(actions)
        self.loads += 1
        self.table.setRowCount(len(self.entries))
        for row, action in enumerate(self.entries):
            state = action.status.label_ar + (" — متأخر" if action.overdue else "")
            values = (action.finding, action.action, action.owner, format_dual(action.due_date), state)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if action.overdue and column == 4:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if not self.entries:
            self.say("لا توجد إجراءات تصحيحية مسجّلة لهذه الفترة.")
        else:
            self.say("")

    def open_dialog(self) -> CorrectiveActionDialog:
        """Open the recording dialog (non-blocking); the list reloads once an action is saved."""
        dialog = CorrectiveActionDialog(self.service.record_corrective_action, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self._saved("✓ سُجّل الإجراء التصحيحي."))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, message: str) -> None:
        """Something was recorded: say so and reload the list."""
        self.say(message)
        self.refresh()

    def change_status(self) -> None:
        """Move the selected action to the chosen status."""
        selected = self.table.selectionModel().selectedRows()
        row = selected[0].row() if selected else self.table.currentRow()
        if not 0 <= row < len(self.entries):
            self.say("حدّد إجراءً في الجدول أولًا.", True)
            return
        action = self.entries[row]
        status = self.new_status.currentData()
        service = self.service
        self.apply_status.setEnabled(False)

        def changed(_view: CorrectiveAction) -> None:
            self.apply_status.setEnabled(True)
            self._saved("✓ غُيّرت حالة الإجراء.")

        run_write(
            self,
            lambda: service.update_corrective_action(action.action_id, status=status),
            changed,
            self._failed,
            where="satisfaction.update_corrective_action",
        )
