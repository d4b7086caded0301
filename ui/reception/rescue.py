"""Pages of a rescue association's report (بلاغ): the report form, escalation, dispatch, closing with the help."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, identifier_text, isolate, ltr
from desktop.errors import InputError
from desktop.hijri import format_dual, format_time, riyadh_moment
from desktop.identity import format_mobile_local
from desktop.policy import StepKind
from desktop.reception import REPORT_PLATFORMS, DispatchStep, EscalateStep, HelpStep, Procedure, ReportStep
from ui.ops import run_read, run_write
from ui.reception.base import Action, StepPage, WizardContext, heading
from ui.reception.fields import FieldForm, NoteEdit, wrapped_label
from ui.reception.registry import step_page
from ui.reception.steps import _OptionalStepPage

if TYPE_CHECKING:
    from datetime import datetime

    from desktop.policy import Step
    from desktop.reception import CaseView, MemberView


def km_text(distance: float | None) -> str:
    """A distance as "٢٫٤ كم" (Arabic decimal separator), or "—" when unknown."""
    if distance is None:
        return "—"
    return f"{display_digits(f'{distance:.1f}'.replace('.', '٫'))} كم"


def phone_text(phone: str) -> str:
    """A phone number readable inside Arabic text: the local form of a Saudi mobile, isolated."""
    try:
        return identifier_text(format_mobile_local(phone))
    except InputError:
        return identifier_text(phone)


def moment_text(moment: datetime | None) -> str:
    """A time of the report: date in both calendars and the hour, or "—"."""
    if moment is None:
        return "—"
    local = riyadh_moment(moment)
    return f"{format_dual(local.date())} الساعة {isolate(format_time(local))}"


@step_page(StepKind.VERIFY, procedure=Procedure.REPORT)
class ReportPage(StepPage[ReportStep]):
    """The report as received: who reported, on which platform, where, and what happened; checked, then recorded."""

    def __init__(self, context: WizardContext, step: Step, handler: ReportStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        box = QGroupBox("معلومات البلاغ")  # made apart, then placed: styled for its place once, not at every widget
        layout = QVBoxLayout(box)
        form = FieldForm(box)
        self.form = form
        self.reporter_name = QLineEdit(box)
        self.reporter_name.setObjectName("reporter_name")
        form.add("reporter_name", "اسم ال&مبلّغ:", self.reporter_name)
        self.reporter_phone = QLineEdit(box)
        self.reporter_phone.setObjectName("reporter_phone")
        self.reporter_phone.setPlaceholderText(f"{ltr('05XXXXXXXX')} أو رقم دولي مثل {ltr('+9665XXXXXXXX')}")
        form.add("reporter_phone", "&هاتف المبلّغ:", self.reporter_phone)
        self.platform = QComboBox(box)
        self.platform.setObjectName("platform")
        for key, label in REPORT_PLATFORMS:
            self.platform.addItem(label, key)
        form.add("platform", "ال&منصة:", self.platform)
        self.place = QLineEdit(box)
        self.place.setObjectName("place")
        self.place.setPlaceholderText("المدينة، الحي أو الطريق، علامة قريبة")
        form.add("place", "م&كان البلاغ:", self.place)
        coordinates = QWidget(box)
        row = QHBoxLayout(coordinates)
        row.setContentsMargins(0, 0, 0, 0)
        self.latitude = QLineEdit(coordinates)
        self.latitude.setObjectName("latitude")
        self.latitude.setPlaceholderText(f"خط العرض، مثل {ltr('24.7136')}")
        self.longitude = QLineEdit(coordinates)
        self.longitude.setObjectName("longitude")
        self.longitude.setPlaceholderText(f"خط الطول، مثل {ltr('46.6753')}")
        row.addWidget(self.latitude)
        row.addWidget(self.longitude)
        form.add("latitude", "الإ&حداثيات (اختياري):", coordinates,
                 hint="تُحسب منها المسافة إلى الأعضاء لاختيار الأقرب.")
        form.errors["longitude"] = form.errors["latitude"]
        form.editors["longitude"] = self.longitude
        form.editors["latitude"] = self.latitude
        self.what_happened = NoteEdit(box, lines=4, placeholder="ما الذي حدث؟ كم شخصًا؟ هل من إصابات؟")
        self.what_happened.setObjectName("what_happened")
        form.add("what_happened", "&ما حدث:", self.what_happened)
        layout.addWidget(form)
        self.body.addWidget(box)
        for edit in (self.reporter_name, self.reporter_phone, self.place, self.latitude, self.longitude):
            edit.textChanged.connect(lambda _t: self.changed())
        self.platform.currentIndexChanged.connect(lambda _i: self.changed())
        self.what_happened.textChanged.connect(self.changed)

    def fields(self) -> dict[str, Any]:
        """The report as typed."""
        return {
            "reporter_name": self.reporter_name.text(),
            "reporter_phone": self.reporter_phone.text(),
            "platform": self.platform.currentData(),
            "place": self.place.text(),
            "latitude": self.latitude.text(),
            "longitude": self.longitude.text(),
            "what_happened": self.what_happened.text(),
        }

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the report form."""
        for name, edit in (
            ("reporter_name", self.reporter_name),
            ("reporter_phone", self.reporter_phone),
            ("place", self.place),
            ("latitude", self.latitude),
            ("longitude", self.longitude),
        ):
            if name in fields:
                edit.setText(str(fields[name]))
        if "full_name" in fields and not self.reporter_name.text():
            self.reporter_name.setText(str(fields["full_name"]))
        if "mobile" in fields and not self.reporter_phone.text():
            self.reporter_phone.setText(str(fields["mobile"]))
        if "platform" in fields:
            index = self.platform.findData(fields["platform"])
            if index >= 0:
                self.platform.setCurrentIndex(index)
        if "what_happened" in fields:
            self.what_happened.setText(str(fields["what_happened"]))

    def refresh(self, case: CaseView) -> None:
        """A recorded report is shown as recorded."""
        report = case.report
        if report is None:
            if self.platform.currentIndex() == 0 and not self.reporter_name.text():
                self._suggest_platform(case.channel_id)
            return
        self._loading = True
        try:
            self.reporter_name.setText(report.reporter_name)
            self.reporter_phone.setText(report.reporter_phone or "")
            index = self.platform.findData(report.platform)
            if index >= 0:
                self.platform.setCurrentIndex(index)
            self.place.setText(report.place)
            self.latitude.setText("" if report.latitude is None else f"{report.latitude:g}")
            self.longitude.setText("" if report.longitude is None else f"{report.longitude:g}")
            self.what_happened.setText(report.what_happened)
        finally:
            self._loading = False

    def _suggest_platform(self, channel_id: str) -> None:
        """A phone channel suggests the official number, a website channel the website."""
        guess = {"phone": "phone", "website": "website"}.get(channel_id)
        if guess:
            index = self.platform.findData(guess)
            if index >= 0:
                self.platform.setCurrentIndex(index)

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors under their field."""
        if field_name in self.form.errors:
            self.form.set_error(field_name, message)
            self.form.editors[field_name].setFocus()
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The reporter's name."""
        return self.reporter_name

    def next_caption(self) -> str:
        """Record."""
        return "تسجيل البلاغ والمتابعة"

    def action(self) -> Action | None:
        """Record the report (the service checks the phone, platform and coordinates)."""
        self.form.clear_errors()
        handler, case_id = self.handler, self.case_id
        typed = {
            "reporter_name": self.reporter_name.text(),
            "reporter_phone": self.reporter_phone.text(),
            "platform": str(self.platform.currentData() or ""),
            "place": self.place.text(),
            "latitude": self.latitude.text(),
            "longitude": self.longitude.text(),
            "what_happened": self.what_happened.text(),
        }
        return lambda: handler.record(case_id, **typed)


@step_page(StepKind.ESCALATE)
class EscalatePage(_OptionalStepPage[EscalateStep]):
    """An unclear report goes to the central operations manager with a note; a clear one skips (with a reason)."""

    skip_question = "البلاغ واضح: لا حاجة إلى التحويل"
    default_skip_reason = "البلاغ واضح ومعلوماته مكتملة"

    def __init__(self, context: WizardContext, step: Step, handler: EscalateStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        role = context.profile.role(step.role).name if step.role else "مدير العمليات المركزية"
        self.escalate_box = QGroupBox(f"التحويل إلى {role}", self)
        layout = QVBoxLayout(self.escalate_box)
        form = FieldForm(self.escalate_box)
        self.form = form
        self.note = NoteEdit(self.escalate_box, lines=3, placeholder="ما الذي لم يتضح في البلاغ؟")
        self.note.setObjectName("escalation_note")
        form.add("note", "&سبب التحويل:", self.note)
        layout.addWidget(form)
        self.body.addWidget(self.escalate_box)
        self.add_skip_choice()
        self.note.textChanged.connect(self.changed)
        if self.skip is not None:
            self.skip.check.toggled.connect(self._prefill_reason)

    def _prefill_reason(self, on: bool) -> None:
        if on and self.skip is not None and not self.skip.reason.text():
            self.skip.reason.setText(self.default_skip_reason)
            self.skip.reason.selectAll()

    def _skip_toggled(self, on: bool) -> None:
        self.escalate_box.setEnabled(not on)

    def fields(self) -> dict[str, Any]:
        """The note and the skip choice."""
        return {"note": self.note.text(), **self.skip_fields()}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the note and skip choice."""
        self.note.setText(str(fields.get("note", "")))
        self.load_skip_fields(fields)

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors under the note or the reason."""
        if super().show_field_error(field_name, message):
            return True
        if field_name == "note":
            self.form.set_error("note", message)
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The skip choice first: most reports are clear."""
        return self.skip.check if self.skip is not None else self.note

    def next_caption(self) -> str:
        """Escalate or go on."""
        return "المتابعة دون تحويل" if self.skip is not None and self.skip.skipping() else "تحويل البلاغ"

    def action(self) -> Action | None:
        """Escalate with the note, or skip with the reason."""
        self.form.clear_errors()
        if self.skip is not None and self.skip.skipping():
            return self.skip_action()
        if not self.note.text().strip():
            self.form.set_error("note", "اكتب سبب التحويل، أو اختر «البلاغ واضح» إن لم يلزم التحويل")
            self.note.setFocus()
            return None
        handler, case_id, note = self.handler, self.case_id, self.note.text()
        return lambda: handler.escalate(case_id, note)


@step_page(StepKind.DISPATCH)
class DispatchPage(StepPage[DispatchStep]):
    """The nearest available member goes to the reporter; the officer may choose another with a reason.

    The roster is read off the GUI thread each time the page shows a case (`members_loaded` counts the reads
    shown); a member added is stored the same way, with the «إضافة» button disabled meanwhile.
    """

    COLUMNS = ("العضو", "الجوال", "المسافة", "الحالة")

    def __init__(self, context: WizardContext, step: Step, handler: DispatchStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        self.body.addWidget(heading("ما يُقال للمبلّغ", self))
        self.body.addWidget(
            wrapped_label("سيُحوَّل بلاغك إلى أقرب عضو لدينا، وسيتوجه إليك لمساعدتك.", self, name="dispatch_script",
                          selectable=False)
        )
        self.nearest_label = wrapped_label("", self, name="nearest_member")
        self.body.addWidget(self.nearest_label)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("members_table")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setMinimumHeight(170)
        self.table.setTabKeyNavigation(False)
        self.body.addWidget(self.table)
        form = FieldForm(self)
        self.form = form
        self.override_reason = QLineEdit(self)
        self.override_reason.setObjectName("override_reason")
        self.override_reason.setPlaceholderText("لماذا لم يُختر أقرب عضو متاح؟")
        form.add("overridden_reason", "سبب اختيار &عضو آخر:", self.override_reason)
        self.body.addWidget(form)
        self._set_override_visible(False)

        add_box = QGroupBox("إضافة عضو إلى القائمة", self)
        add_layout = QGridLayout(add_box)
        self.new_name = QLineEdit(add_box)
        self.new_name.setPlaceholderText("الاسم")
        self.new_phone = QLineEdit(add_box)
        self.new_phone.setPlaceholderText("الجوال")
        self.new_latitude = QLineEdit(add_box)
        self.new_latitude.setPlaceholderText("خط العرض")
        self.new_longitude = QLineEdit(add_box)
        self.new_longitude.setPlaceholderText("خط الطول")
        self.add_button = QPushButton("إضافة", add_box)
        self.add_button.setObjectName("add_member")
        add_layout.addWidget(self.new_name, 0, 0)
        add_layout.addWidget(self.new_phone, 0, 1)
        add_layout.addWidget(self.new_latitude, 1, 0)
        add_layout.addWidget(self.new_longitude, 1, 1)
        add_layout.addWidget(self.add_button, 0, 2, 2, 1)
        self.add_error = wrapped_label("", self, name="add_member_error")
        self.add_error.setObjectName("field_error")
        self.add_error.setVisible(False)
        self.body.addWidget(add_box)
        self.body.addWidget(self.add_error)

        self._members: list[MemberView] = []
        self._nearest: UUID | None = None
        self._dispatched_line = ""
        self._pending_choice: UUID | None = None
        self.members_loaded = 0
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.override_reason.textChanged.connect(lambda _t: self.changed())
        self.add_button.clicked.connect(self._add_member)

    def _set_override_visible(self, visible: bool) -> None:
        self.form.set_row_visible("overridden_reason", visible)

    def load_members(self) -> None:
        """Read the roster off the GUI thread, nearest to the report first; then choose the nearest available."""
        near = None
        if self.case is not None and self.case.report is not None:
            report = self.case.report
            if report.latitude is not None and report.longitude is not None:
                near = (report.latitude, report.longitude)
        handler = self.handler
        run_read(self, lambda: handler.members(near), lambda members: self._show_members(members, near),
                 lambda message, _error: self.nearest_label.setText("⚠ " + message), where="reception.members")

    def _show_members(self, members: list[MemberView], near: tuple[float, float] | None) -> None:
        """The roster read: fill the table, select the nearest available member."""
        self._members = members
        self.members_loaded += 1
        self.table.setRowCount(len(self._members))
        self._nearest = next((m.member_id for m in self._members if m.available), None) if near else None
        for row, member in enumerate(self._members):
            values = (member.name, phone_text(member.phone), km_text(member.distance_km),
                      "متاح" if member.available else "في مهمة / غير متاح")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, str(member.member_id))
                if not member.available:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
        nearest = next((m for m in self._members if m.member_id == self._nearest), None)
        if self._dispatched_line:
            self.nearest_label.setText(self._dispatched_line)
        elif nearest is not None:
            self.nearest_label.setText(f"أقرب عضو متاح: {nearest.name} على بعد {km_text(nearest.distance_km)}.")
        elif near is None:
            self.nearest_label.setText("لم تُسجَّل إحداثيات البلاغ: اختر العضو المناسب من القائمة.")
        else:
            self.nearest_label.setText("لا يوجد عضو متاح الآن في القائمة.")
        if nearest is not None:
            self.select_member(nearest.member_id)
        if self._pending_choice is not None:
            self.select_member(self._pending_choice)
            self._pending_choice = None

    def members(self) -> list[MemberView]:
        """The roster shown, in its order."""
        return list(self._members)

    def nearest_id(self) -> UUID | None:
        """The nearest available member's id (when the report has coordinates)."""
        return self._nearest

    def select_member(self, member_id: UUID) -> None:
        """Select a member's row."""
        for row, member in enumerate(self._members):
            if member.member_id == member_id:
                self.table.selectRow(row)
                self.table.setCurrentCell(row, 0)
                return

    def selected_id(self) -> UUID | None:
        """The member chosen in the table."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self._members[rows[0].row()].member_id

    def _selection_changed(self) -> None:
        chosen = self.selected_id()
        self._set_override_visible(chosen is not None and self._nearest is not None and chosen != self._nearest)
        self.changed()

    def _add_member(self) -> None:
        """Store the member typed in the roster (off the GUI thread), then read the roster again."""
        typed = (self.new_name.text(), self.new_phone.text(), self.new_latitude.text(), self.new_longitude.text())
        handler = self.handler
        self.add_button.setEnabled(False)

        def added(_member: MemberView) -> None:
            self.add_button.setEnabled(True)
            self.add_error.setVisible(False)
            for edit in (self.new_name, self.new_phone, self.new_latitude, self.new_longitude):
                edit.clear()
            self.load_members()

        def failed(message: str, _error: BaseException) -> None:
            self.add_button.setEnabled(True)
            self.add_error.setText(message)
            self.add_error.setVisible(True)

        run_write(self, lambda: handler.add_member(*typed), added, failed, where="reception.add_member")

    def refresh(self, case: CaseView) -> None:
        """The roster (read again); once dispatched, who went and when."""
        report = case.report
        self._dispatched_line = ""
        if report is not None and report.dispatched_at is not None:
            reason = f" (بدل الأقرب: {report.dispatch_override_reason})" if report.dispatch_override_reason else ""
            self._dispatched_line = (
                f"✓ وُجّه العضو {report.dispatched_member or ''}{reason} — {moment_text(report.dispatched_at)}"
            )
            self.nearest_label.setText(self._dispatched_line)
        self.load_members()

    def fields(self) -> dict[str, Any]:
        """The member chosen and the reason, for the draft."""
        chosen = self.selected_id()
        return {"member_id": str(chosen) if chosen else "", "overridden_reason": self.override_reason.text()}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the choice."""
        member = str(fields.get("member_id", ""))
        if member:
            try:
                chosen = UUID(member)
            except ValueError:
                chosen = None
            if chosen is not None:
                self.select_member(chosen)
                self._pending_choice = chosen  # chosen again once the roster being read is shown
        self.override_reason.setText(str(fields.get("overridden_reason", "")))

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """The override reason's error under it; a member problem above the table."""
        if field_name == "overridden_reason":
            self._set_override_visible(True)
            self.form.set_error("overridden_reason", message)
            self.override_reason.setFocus()
            self.scroll_area.ensureWidgetVisible(self.override_reason)
            return True
        if field_name == "member":
            self.nearest_label.setText("⚠ " + (message or ""))
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The roster (arrows choose, Enter dispatches)."""
        return self.table

    def next_caption(self) -> str:
        """Dispatch."""
        return "توجيه العضو المختار"

    def action(self) -> Action | None:
        """Dispatch the chosen member (another than the nearest needs a reason)."""
        chosen = self.selected_id()
        if chosen is None:
            self.show_error("اختر العضو الذي يتوجه إلى البلاغ من القائمة.")
            return None
        self.form.clear_errors()
        overridden = self._nearest is not None and chosen != self._nearest
        if overridden and not self.override_reason.text().strip():
            self.show_field_error("overridden_reason", "اكتب سبب اختيار عضو غير أقرب عضو متاح")
            return None
        handler, case_id = self.handler, self.case_id
        reason = self.override_reason.text() if overridden else ""
        return lambda: handler.dispatch(case_id, chosen, overridden_reason=reason)


@step_page(StepKind.SERVE, procedure=Procedure.REPORT)
class HelpPage(StepPage[HelpStep]):
    """The help given; recording it closes the report, with its times kept."""

    def __init__(self, context: WizardContext, step: Step, handler: HelpStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        self.timeline = wrapped_label("", self, name="report_timeline")
        self.body.addWidget(self.timeline)
        form = FieldForm(self)
        self.form = form
        self.help_given = NoteEdit(self, lines=4, placeholder="ما المساعدة التي قُدّمت؟ (مطلوب)")
        self.help_given.setObjectName("help_given")
        form.add("help_given", "ال&مساعدة المقدمة:", self.help_given)
        self.body.addWidget(form)
        self.help_given.textChanged.connect(self.changed)

    def refresh(self, case: CaseView) -> None:
        """The report's received → escalated → dispatched → closed times."""
        report = case.report
        if report is None:
            self.timeline.setText("")
            return
        lines = [
            f"استُلم البلاغ: {moment_text(report.received_at)}",
            f"حُوّل لمدير العمليات: {moment_text(report.escalated_at)}" if report.escalated_at else "",
            f"وُجّه العضو {report.dispatched_member or ''}: {moment_text(report.dispatched_at)}",
            f"أُغلق البلاغ: {moment_text(report.closed_at)}" if report.closed_at else "",
        ]
        self.timeline.setText("\n".join(line for line in lines if line))
        if report.help_given:
            self.help_given.setText(report.help_given)

    def fields(self) -> dict[str, Any]:
        """The help typed."""
        return {"help_given": self.help_given.text()}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the help typed."""
        self.help_given.setText(str(fields.get("help_given", "")))

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors under the help field."""
        if field_name == "help_given":
            self.form.set_error("help_given", message)
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The help given."""
        return self.help_given

    def next_caption(self) -> str:
        """Close."""
        return "تسجيل المساعدة وإغلاق البلاغ"

    def action(self) -> Action | None:
        """Record the help and close the report."""
        if not self.help_given.text().strip():
            self.form.set_error("help_given", "اكتب المساعدة التي قُدّمت قبل إغلاق البلاغ")
            self.help_given.setFocus()
            return None
        handler, case_id, help_given = self.handler, self.case_id, self.help_given.text()
        return lambda: handler.close(case_id, help_given)
