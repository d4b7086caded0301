"""A rescue report in the case file: who reported, where, what happened, its course in minutes, and what is next.

The panel reads `CaseDesk.reports` through `ui.ops`; its actions (escalate, dispatch a member, close with the
help given) are the reception's own rescue rules behind `ReportDesk`. No beneficiary, committee, decision,
declaration or document wording appears here: a report is not a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import isolate, display_digits
from desktop.casedesk import ReportDesk, ReportFile
from desktop.reception.views import MemberView
from ui.cases.common import hold_until_done, show_message, write_pdf
from ui.cases.dialogs import ActionDialog, show_dialog
from ui.ops import run_read
from ui.printing import PrintController
from ui.reception.fields import NoteEdit

__all__ = ["CloseReportDialog", "DispatchDialog", "EscalateDialog", "ReportPanel", "report_fields"]


def _coordinates(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        return "—"
    # Each number named and isolated: two bare numbers side by side read in either order in Arabic text.
    return (f"خط العرض {isolate(display_digits(f'{latitude:.5f}'))}، "
            f"خط الطول {isolate(display_digits(f'{longitude:.5f}'))}")


def report_fields(file: ReportFile) -> list[tuple[str, str]]:
    """The report's particulars as (caption, text) pairs, in the order the officer reads them."""
    report = file.report
    if report is None:
        return [("البلاغ:", "لم تُسجَّل بيانات البلاغ بعد: أكمله من صفحة الاستقبال.")]
    fields = [
        ("المبلّغ:", report.reporter_name),
        ("هاتف المبلّغ:", file.phone_local or "—"),
        ("المنصة:", report.platform_label or "—"),
        ("المكان:", report.place),
        ("الإحداثيات:", _coordinates(report.latitude, report.longitude)),
        ("ما حدث:", report.what_happened),
        ("العضو الموجَّه:", report.dispatched_member or "—"),
    ]
    if report.dispatch_override_reason:
        fields.append(("سبب اختيار غير الأقرب:", report.dispatch_override_reason))
    if report.help_given:
        fields.append(("المساعدة المقدَّمة:", report.help_given))
    return fields


class ReportPanel(QWidget):
    """The report's particulars, its course (received → escalated → dispatched → closed) and its action buttons.

    Signals: `sig_loaded(ReportFile)` each time the report is read; `sig_changed()` after an action recorded
    something (the case file reads itself again).
    """

    sig_loaded = Signal(object)
    sig_changed = Signal()

    def __init__(self, reports: ReportDesk, case_id: uuid.UUID, message: QLabel, printer: PrintController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("report_panel")
        self.reports = reports
        self.case_id = case_id
        self.message = message
        self.printer = printer
        self.file: ReportFile | None = None
        self.child_dialog: ActionDialog | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.particulars_box = QGroupBox("بيانات البلاغ", self)
        self.particulars = QGridLayout(self.particulars_box)
        self.particulars.setColumnStretch(1, 1)
        self.particulars.setVerticalSpacing(6)
        column.addWidget(self.particulars_box)
        self.course_box = QGroupBox("مسار البلاغ وسرعة الوصول", self)
        self.course = QGridLayout(self.course_box)
        self.course.setColumnStretch(1, 1)
        column.addWidget(self.course_box)
        self.next_label = QLabel(self)
        self.next_label.setObjectName("case_summary")
        self.next_label.setWordWrap(True)
        column.addWidget(self.next_label)
        buttons = QHBoxLayout()
        self.escalate_button = QPushButton("تحويل إلى مدير العمليات…", self)
        self.escalate_button.setObjectName("escalate_report")
        self.dispatch_button = QPushButton("توجيه عضو…", self)
        self.dispatch_button.setObjectName("dispatch_member")
        self.close_button = QPushButton("تسجيل المساعدة وإغلاق البلاغ…", self)
        self.close_button.setObjectName("close_report")
        self.print_button = QPushButton("طباعة سجل البلاغ", self)
        self.print_button.setObjectName("print_report_record")
        for button in (self.escalate_button, self.dispatch_button, self.close_button, self.print_button):
            button.setVisible(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.escalate_button.clicked.connect(self.open_escalate)
        self.dispatch_button.clicked.connect(self.open_dispatch)
        self.close_button.clicked.connect(self.open_close)
        self.print_button.clicked.connect(self.print_record)

    def load(self) -> None:
        """Read the report file on the reader pool."""
        reports, case_id = self.reports, self.case_id
        run_read(self, lambda: reports.report_file(case_id), self.show_file,
                 lambda message, _error: show_message(self.message, message), where="casedesk.report_file")

    def show_file(self, file: ReportFile) -> None:
        """Show a report file read by the service."""
        self.file = file
        self._fill(self.particulars, self.particulars_box, [(c, t, "") for c, t in report_fields(file)])
        self._fill(self.course, self.course_box, [(m.label + ":", m.at_text, m.since_received) for m in file.moments])
        role = file.escalation_role
        self.escalate_button.setText(f"تحويل إلى {role}…")
        self.escalate_button.setVisible(file.next_action == "escalate")
        self.dispatch_button.setVisible(file.next_action in ("escalate", "dispatch"))
        self.close_button.setVisible(file.next_action == "close")
        self.print_button.setVisible(file.report is not None)
        if file.closed:
            self.next_label.setText("أُغلق البلاغ.")
        elif file.next_action is None:
            self.next_label.setText("لم يُسجَّل البلاغ بعد: أكمل خطواته من صفحة الاستقبال.")
        elif file.next_action == "escalate":
            self.next_label.setText(f"الخطوة التالية: «{file.next_step_title}» عند عدم وضوح الإجراءات، "
                                    "أو وجّه أقرب عضو متاح مباشرة.")
        else:
            self.next_label.setText(f"الخطوة التالية: «{file.next_step_title}».")
        self.sig_loaded.emit(file)

    def _fill(self, grid: QGridLayout, box: QGroupBox, rows: list[tuple[str, str, str]]) -> None:
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for row, (caption, text, extra) in enumerate(rows):
            label = QLabel(caption, box)
            label.setAlignment(Qt.AlignmentFlag.AlignTop)
            value = QLabel(text, box)
            value.setObjectName("report_value")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
            if extra:
                grid.addWidget(QLabel(extra, box), row, 2)

    # ----------------------------------------------------------------- actions

    def _child(self, dialog: ActionDialog) -> ActionDialog:
        self.child_dialog = dialog
        show_dialog(dialog, lambda _result: self.sig_changed.emit())
        return dialog

    def open_escalate(self) -> ActionDialog:
        """Escalate the report with a note."""
        role = self.file.escalation_role if self.file else "مدير العمليات المركزية"
        return self._child(EscalateDialog(self.reports, self.case_id, role, self))

    def open_dispatch(self) -> ActionDialog:
        """Choose the member to send (nearest available first)."""
        file = self.file
        escalation_open = bool(file and file.escalation_open)
        role = file.escalation_role if file else ""
        return self._child(DispatchDialog(self.reports, self.case_id, self, escalation_open=escalation_open,
                                          escalation_role=role))

    def open_close(self) -> ActionDialog:
        """Record the help given and close the report."""
        return self._child(CloseReportDialog(self.reports, self.case_id, self))

    def print_record(self) -> None:
        """The report record (سجل البلاغ) in the print preview."""
        reports, case_id = self.reports, self.case_id
        number = self.file.case_number if self.file else "report"

        def show(path: Path) -> None:
            self.printer.print_pdf(path, "سجل البلاغ")

        ready, failed = hold_until_done(self.print_button, "جارٍ التجهيز…", show,
                                        lambda message, _error: show_message(self.message, message))
        run_read(self, lambda: write_pdf(reports.record_pdf(case_id), f"report-{number}"), ready, failed,
                 where="casedesk.report_record")


class EscalateDialog(ActionDialog):
    """Escalate an unclear report to the role the policy names, with the reason."""

    def __init__(self, reports: ReportDesk, case_id: uuid.UUID, role: str, parent: QWidget | None = None) -> None:
        super().__init__(f"تحويل البلاغ إلى {role}", parent,
                         intro=f"عند عدم وضوح الإجراءات للمبلّغ يُحوَّل البلاغ إلى {role} للإجابة على ما يريد.")
        self.setObjectName("escalate_dialog")
        self._reports = reports
        self._case_id = case_id
        self.note = NoteEdit(self, lines=3)
        self.form.add("note", "&سبب التحويل:", self.note)
        self.save_button.setText("تحويل البلاغ")

    def work(self) -> Callable[[], Any] | None:
        """escalate with the note."""
        if not self.note.text().strip():
            self.form.set_error("note", "اكتب سبب التحويل")
            return None
        reports, case_id, note = self._reports, self._case_id, self.note.text()
        return lambda: reports.escalate(case_id, note)


class DispatchDialog(ActionDialog):
    """Send a member: the roster nearest first; another than the nearest available needs a reason.

    While the escalation is open, dispatching passes it: its reason is asked here (filled with the usual one).
    """

    def __init__(self, reports: ReportDesk, case_id: uuid.UUID, parent: QWidget | None = None, *,
                 escalation_open: bool = False, escalation_role: str = "") -> None:
        super().__init__("توجيه عضو إلى البلاغ", parent,
                         intro="يُبلَّغ المبلّغ بأن بلاغه حُوّل إلى أقرب عضو للتوجه لمساعدته. "
                               "الأعضاء مرتبون من الأقرب إلى مكان البلاغ.")
        self.setObjectName("dispatch_dialog")
        self._reports = reports
        self._case_id = case_id
        self.members: list[MemberView] = []
        self.member = QComboBox(self)
        self.member.setObjectName("dispatch_member_choice")
        self.member.addItem("جارٍ تحميل قائمة الأعضاء…", None)
        self.form.add("member", "&العضو:", self.member)
        self.reason = NoteEdit(self, lines=2)
        self.form.add("overridden_reason", "سبب اختيار &غير الأقرب:", self.reason,
                      hint="مطلوب فقط إن لم يكن العضو المختار أقرب عضو متاح")
        self.no_escalation = NoteEdit(self, lines=2)
        self.no_escalation.setText("البلاغ واضح ولا يحتاج تحويلًا")
        self._escalation_open = escalation_open
        if escalation_open:
            self.form.add("no_escalation_reason", f"سبب عدم التحويل إلى {escalation_role}:", self.no_escalation)
        self.save_button.setText("توجيه العضو")
        self.save_button.setEnabled(False)
        run_read(self, lambda: reports.members(case_id), self._members_arrived,
                 lambda message, _error: show_message(self.message, message), where="casedesk.members")

    def _members_arrived(self, members: list[MemberView]) -> None:
        self.members = members
        self.member.clear()
        available = [m for m in members if m.available]
        for m in members:
            distance = f" — {isolate(display_digits(f'{m.distance_km:.1f}'))} كم" if m.distance_km is not None else ""
            state = "" if m.available else " (غير متاح)"
            self.member.addItem(f"{m.name}{distance}{state}", m.member_id)
        if not available:
            show_message(self.message, "لا يوجد عضو متاح الآن: أضف عضوًا أو أتح أحدهم من صفحة التوجيه في الاستقبال.")
        else:
            self.member.setCurrentIndex(members.index(available[0]))
        self.save_button.setEnabled(bool(available))

    def work(self) -> Callable[[], Any] | None:
        """dispatch the chosen member (the escalation passed first when still open)."""
        member_id = self.member.currentData()
        if not isinstance(member_id, uuid.UUID):
            self.form.set_error("member", "اختر العضو")
            return None
        if self._escalation_open and not self.no_escalation.text().strip():
            self.form.set_error("no_escalation_reason", "اكتب سبب عدم التحويل")
            return None
        reports, case_id = self._reports, self._case_id
        reason, skip = self.reason.text(), self.no_escalation.text() if self._escalation_open else ""
        return lambda: reports.dispatch(case_id, member_id, overridden_reason=reason, no_escalation_reason=skip)


class CloseReportDialog(ActionDialog):
    """Record the help given: the report is closed with its closing time."""

    def __init__(self, reports: ReportDesk, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__("تقديم المساعدة وإغلاق البلاغ", parent,
                         intro="سجّل المساعدة التي قُدّمت للمبلّغ؛ يُغلق البلاغ ويُحفظ وقت إغلاقه.")
        self.setObjectName("close_report_dialog")
        self._reports = reports
        self._case_id = case_id
        self.help_given = NoteEdit(self, lines=3)
        self.form.add("help_given", "ال&مساعدة المقدَّمة:", self.help_given)
        self.save_button.setText("إغلاق البلاغ")

    def work(self) -> Callable[[], Any] | None:
        """close with the help given."""
        if not self.help_given.text().strip():
            self.form.set_error("help_given", "اكتب المساعدة المقدَّمة")
            return None
        reports, case_id, text = self._reports, self._case_id, self.help_given.text()
        return lambda: reports.close(case_id, text)
