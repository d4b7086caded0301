"""The case file: beneficiary data, documents with validity, one timeline, and the actions of the status.

«مستندات الحالة المحفوظة» lists every stored document of the case (any kind of the document catalogue:
declarations with their number and superseded marker, receipts, letters, report records, scans), each with
«طباعة» (held for a role the catalogue does not let print it) and «فتح». «تصحيح البيانات…» opens the
particulars for a correction with a reason; after a correction that superseded the signed declaration, the
corrected one is printed for signature and its signed scan attached here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import identifier_text, isolate, ltr
from desktop.casedesk import CaseDesk, CaseFile, ReportFile, TimelineEntry
from desktop.casedesk.views import CaseDocument
from desktop.reception import CorrectionResult
from desktop.documents import catalogue
from desktop.permissions import REDACTED, SENSITIVE_SCAN_REFUSED
from ui.cases.common import hold_until_done, message_line, setup_table, show_message, write_pdf
from ui.cases.dialogs import CloseDialog, InformedDialog, RegisterDialog, ServiceDialog, show_dialog
from ui.cases.eligibility import EligibilityDialog, validity_words
from ui.cases.report_file import ReportPanel
from ui.cases.style import CASEDESK_STYLE
from ui.cases.text import arabic_number, countdown_text, dual_date, hijri_date, today_riyadh
from ui.file_dialogs import choose_file_to_open
from ui.ops import run_read, run_write
from ui.printing import PrintController
from ui.reception.correction import CorrectionDialog, correction_summary

#: Statuses in which the eligibility check (documents, interview, recommendation) is worked on.
ELIGIBILITY_STATUSES = frozenset(
    {"received", "referred", "awaiting_signature", "awaiting_committee", "more_info_requested"}
)

EXPIRED_COLOUR = QColor("#a61b1b")
SOON_COLOUR = QColor("#8a5a00")

#: Role of a timeline item holding its TimelineEntry.
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


def entry_has_file(entry: TimelineEntry) -> bool:
    """True when a timeline entry carries a stored file (a PDF or a scan)."""
    return entry.attachment_sha256 is not None or entry.document_kind is not None


def entry_lines(entry: TimelineEntry) -> str:
    """Two lines for a timeline entry: what happened, then when, who and on which channel."""
    first = entry.title + (f" — {entry.detail}" if entry.detail else "")
    who = [entry.at_text]
    if entry.officer_name:
        who.append(f"الموظف: {entry.officer_name}")
    if entry.channel_name:
        who.append(f"القناة: {entry.channel_name}")
    if entry.withheld:
        who.append(SENSITIVE_SCAN_REFUSED)
    elif entry_has_file(entry):
        who.append("مستند محفوظ: انقر مرتين لمعاينته وطباعته")
    return first + "\n" + " · ".join(who)


class TimelineList(QListWidget):
    """The timeline, newest first; Enter or a double click on a document entry opens it.

    `sig_open_entry(entry)`: the `TimelineEntry` of the document to open.
    """

    sig_open_entry = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_timeline")
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setSpacing(2)
        self.itemDoubleClicked.connect(self._open)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter opens the highlighted document entry."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self._open(self.currentItem())
            event.accept()
            return
        super().keyPressEvent(event)

    def show_entries(self, entries: tuple[TimelineEntry, ...]) -> None:
        """Replace the entries (as given: newest first)."""
        self.clear()
        for entry in entries:
            item = QListWidgetItem(entry_lines(entry))
            item.setData(ENTRY_ROLE, entry)
            if entry.withheld:  # a sensitive scan: not a link (opening it is refused, naming who may)
                item.setForeground(QBrush(QColor("#6b7580")))
            elif entry_has_file(entry):
                item.setForeground(QBrush(QColor("#1f4f7a")))
            self.addItem(item)

    def entries(self) -> list[TimelineEntry]:
        """The entries shown, top to bottom."""
        return [self.item(i).data(ENTRY_ROLE) for i in range(self.count())]

    def _open(self, item: QListWidgetItem) -> None:
        entry = item.data(ENTRY_ROLE)
        if isinstance(entry, TimelineEntry) and entry_has_file(entry):
            self.sig_open_entry.emit(entry)


class CaseFileDialog(QDialog):
    """One case's file, read through `ui.ops`; its actions follow the status the service reports.

    Signals: `sig_changed(case_id)` after an action recorded something on the case; `sig_loaded(CaseFile)` each
    time the file is read and shown. A read asked for while another is in flight is made once that one is back
    (the file shown is never older than the last action).
    """

    sig_changed = Signal(object)
    sig_loaded = Signal(object)

    def __init__(
        self,
        desk: CaseDesk,
        case_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        printer: PrintController | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("case_file_dialog")
        self.setWindowTitle("ملف الحالة")
        self.setStyleSheet(CASEDESK_STYLE)
        self.resize(1180, 740)
        self.desk = desk
        self.case_id = case_id
        self.printer = printer or PrintController(self)
        self.file: CaseFile | None = None
        self.opened_documents: list[TimelineEntry | str] = []

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.title = QLabel("جارٍ فتح ملف الحالة…", self)
        self.title.setObjectName("case_title")
        self.header = QLabel(self)
        self.header.setObjectName("case_header")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)
        layout.addWidget(self.header)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        right_scroll = QScrollArea(splitter)
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right = QWidget()
        right_scroll.setWidget(right)
        right_column = QVBoxLayout(right)
        self._right_column = right_column
        right_column.setContentsMargins(0, 0, 6, 0)
        self.beneficiary_box = QGroupBox("بيانات المستفيد", right)
        self.beneficiary_form = QGridLayout(self.beneficiary_box)
        self.beneficiary_form.setHorizontalSpacing(10)
        self.beneficiary_form.setVerticalSpacing(6)
        self.beneficiary_form.setColumnStretch(1, 1)
        self.beneficiary_form.setColumnStretch(3, 1)
        right_column.addWidget(self.beneficiary_box)
        documents_box = QGroupBox("المستندات وصلاحيتها", right)
        self.documents_box = documents_box
        documents_column = QVBoxLayout(documents_box)
        self.documents = QTableWidget(0, 4, documents_box)
        setup_table(self.documents, "case_documents")
        self.documents.setHorizontalHeaderLabels(["المستند", "صالح حتى", "الصلاحية", "نتيجة الفحص"])
        doc_header = self.documents.horizontalHeader()
        doc_header.setStretchLastSection(False)
        doc_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            doc_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.documents.setMinimumHeight(130)
        documents_column.addWidget(self.documents)
        right_column.addWidget(documents_box)
        self.decision_box = QGroupBox("القرار والخدمات", right)
        decision_column = QVBoxLayout(self.decision_box)
        self.decision_label = QLabel(self.decision_box)
        self.decision_label.setWordWrap(True)
        self.decision_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        decision_column.addWidget(self.decision_label)
        right_column.addWidget(self.decision_box)
        self.stored_box = stored_box = QGroupBox("مستندات الحالة المحفوظة", right)
        stored_column = QVBoxLayout(stored_box)
        self.stored = QTableWidget(0, 3, stored_box)
        setup_table(self.stored, "case_stored_documents")
        self.stored.setHorizontalHeaderLabels(["المستند", "التاريخ", ""])
        stored_header = self.stored.horizontalHeader()
        stored_header.setStretchLastSection(False)
        stored_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            stored_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.stored.setMinimumHeight(170)
        stored_column.addWidget(self.stored)
        self.stored_documents: tuple[CaseDocument, ...] = ()
        right_column.addWidget(stored_box)
        right_column.addStretch(1)

        left = QWidget(splitter)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("السجل الزمني للحالة (الأحدث أولًا)", left)
        caption.setObjectName("section_title")
        self.timeline_caption = caption
        left_column.addWidget(caption)
        self.timeline = TimelineList(left)
        left_column.addWidget(self.timeline, 1)
        splitter.addWidget(right_scroll)
        splitter.addWidget(left)
        splitter.setSizes([620, 540])
        layout.addWidget(splitter, 1)

        self.message = message_line(self)
        layout.addWidget(self.message)
        actions = QHBoxLayout()
        self.eligibility_button = QPushButton("التحقق من الاستحقاق…", self)
        self.eligibility_button.setObjectName("open_eligibility")
        self.register_button = QPushButton("استكمال التسجيل…", self)
        self.register_button.setObjectName("complete_registration")
        self.service_button = QPushButton("تسجيل خدمة…", self)
        self.service_button.setObjectName("record_service")
        self.informed_button = QPushButton("تم إبلاغ المستفيد…", self)
        self.informed_button.setObjectName("record_informed")
        self.letter_button = QPushButton("خطاب القرار", self)
        self.letter_button.setObjectName("print_letter")
        self.close_case_button = QPushButton("إغلاق الحالة…", self)
        self.close_case_button.setObjectName("close_case")
        self.correct_button = QPushButton("تصحيح البيانات…", self)
        self.correct_button.setObjectName("correct_particulars")
        self.print_corrected_button = QPushButton("طباعة الإقرار المصحح", self)
        self.print_corrected_button.setObjectName("print_corrected_declaration")
        self.attach_corrected_button = QPushButton("إرفاق الإقرار المصحح الموقّع…", self)
        self.attach_corrected_button.setObjectName("attach_corrected_declaration")
        self.export_button = QPushButton("بيانات المستفيد (حق الاطلاع)", self)
        self.export_button.setObjectName("subject_access_export")
        self.export_button.setToolTip("كل ما تحفظه الجمعية عن هذا المستفيد في ملف PDF يُسلَّم له عند طلبه")
        self.refresh_button = QPushButton("تحديث", self)
        self.refresh_button.setObjectName("refresh_case")
        done = QPushButton("إغلاق الملف", self)
        done.setObjectName("close_file")
        for button in (self.eligibility_button, self.register_button, self.service_button, self.informed_button,
                       self.letter_button, self.correct_button, self.print_corrected_button,
                       self.attach_corrected_button, self.export_button, self.close_case_button):
            button.setVisible(False)
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        actions.addWidget(done)
        layout.addLayout(actions)

        self.eligibility_button.clicked.connect(self.open_eligibility)
        self.register_button.clicked.connect(self.open_register)
        self.service_button.clicked.connect(self.open_service)
        self.informed_button.clicked.connect(self.open_informed)
        self.letter_button.clicked.connect(self.print_letter)
        self.close_case_button.clicked.connect(self.open_close)
        self.correct_button.clicked.connect(self.open_correction)
        self.export_button.clicked.connect(self.export_subject_access)
        self.print_corrected_button.clicked.connect(self.print_corrected)
        self.attach_corrected_button.clicked.connect(lambda: self.attach_corrected())
        self.refresh_button.clicked.connect(self.load)
        done.clicked.connect(self.accept)
        self.timeline.sig_open_entry.connect(self.open_entry)
        self.printer.sig_message.connect(lambda text: show_message(self.message, text))
        self.child_dialog: QDialog | None = None
        #: Said once the file is read again after an action (the read clears the message line).
        self._notice: str | None = None
        self.report_panel: ReportPanel | None = None
        self._reading = False
        self._read_again = False
        self.load()

    # ----------------------------------------------------------------- reading

    def load(self) -> None:
        """Read the case file (on the reader pool); «تحديث» waits meanwhile."""
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        files, case_id = self.desk.files, self.case_id
        arrived, failed = hold_until_done(self.refresh_button, "جارٍ التحديث…", self._file_arrived, self._file_failed)
        run_read(self, lambda: files.case_file(case_id), arrived, failed, where="casedesk.case_file")

    def _file_arrived(self, file: CaseFile) -> None:
        self._read_done()
        self.show_file(file)

    def _file_failed(self, message: str, _error: BaseException) -> None:
        self._read_done()
        show_message(self.message, message)

    def _read_done(self) -> None:
        """A read is back: make the one asked for meanwhile."""
        self._reading = False
        if self._read_again:
            self._read_again = False
            self.load()

    def show_file(self, file: CaseFile) -> None:
        """Show a case file read by the service."""
        self.file = file
        show_message(self.message, self._notice)
        self._notice = None
        if file.is_rescue:
            self._show_report(file)
            return
        self.setWindowTitle(f"ملف الحالة {ltr(file.case_number)}")
        name = file.beneficiary.full_name if file.beneficiary else "مستفيد لم تُسجَّل بياناته بعد"
        self.title.setText(f"{name} — الطلب {identifier_text(file.case_number)}")
        parts = [f"الحالة: {file.status_label}", f"القناة: {file.channel_name}", f"نوع الطلب: {file.case_kind_name}",
                 f"فُتح {file.opened_text}"]
        if file.submitted_at is not None:
            parts.append(f"قُدّم {file.submitted_text}")
        if file.promised_decision_date is not None:
            promise = f"موعد القرار الموعود: {file.promised_text}"
            if file.days_left is not None:
                promise += f" ({countdown_text(file.promised_decision_date, today_riyadh())})"
            parts.append(promise)
        if file.signature_pending:
            parts.append("توقيع الإقرار معلّق")
        if file.open_referral is not None:
            parts.append(f"محال إلى {file.open_referral.to_role_name} ولم يُجب بعد")
        parts.append(f"سياسة الجمعية: الإصدار {isolate(file.policy_version)}")
        self.header.setText("\n".join(" · ".join(parts[i:i + 3]) for i in range(0, len(parts), 3)))
        self.header.setProperty("overdue", file.overdue)
        self._show_beneficiary(file)
        self._show_documents(file)
        self._show_decision(file)
        self.timeline.show_entries(file.timeline)
        self._show_actions(file)
        self.load_documents()
        self.sig_loaded.emit(file)

    def _show_report(self, file: CaseFile) -> None:
        """A rescue report: its own panel (caller, place, course, actions); no beneficiary, document or decision."""
        self.setWindowTitle(f"ملف البلاغ {ltr(file.case_number)}")
        if self.title.text().startswith("جارٍ"):
            self.title.setText(f"البلاغ {identifier_text(file.case_number)}")
        parts = [f"الحالة: {file.status_label}", f"القناة: {file.channel_name}", f"استُلم {file.opened_text}",
                 f"سياسة الجمعية: الإصدار {isolate(file.policy_version)}"]
        self.header.setText("\n".join(" · ".join(parts[i:i + 2]) for i in range(0, len(parts), 2)))
        self.header.setProperty("overdue", False)
        # The report record is printed from the report panel; a report has no stored declaration to list.
        for box in (self.beneficiary_box, self.documents_box, self.decision_box, self.stored_box):
            box.setVisible(False)
        for button in (self.eligibility_button, self.register_button, self.service_button, self.informed_button,
                       self.letter_button, self.close_case_button, self.correct_button, self.print_corrected_button,
                       self.attach_corrected_button):
            button.setVisible(False)
        self.timeline_caption.setText("السجل الزمني للبلاغ (الأحدث أولًا)")
        if self.report_panel is None:
            panel = ReportPanel(self.desk.reports, self.case_id, self.message, self.printer, self)
            panel.sig_loaded.connect(self._report_loaded)
            panel.sig_changed.connect(self._changed)
            self._right_column.insertWidget(0, panel)
            self.report_panel = panel
        self.timeline.show_entries(file.timeline)
        self.report_panel.load()
        self.sig_loaded.emit(file)

    def _report_loaded(self, report: ReportFile) -> None:
        """The caller's name in the title once the report is read."""
        caller = report.report.reporter_name if report.report is not None else ""
        number = self.file.case_number if self.file else ""
        self.title.setText(f"{caller} — البلاغ {identifier_text(number)}" if caller else f"البلاغ {identifier_text(number)}")

    def _show_beneficiary(self, file: CaseFile) -> None:
        grid = self.beneficiary_form
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        person = file.beneficiary
        if person is None:
            grid.addWidget(QLabel("لم تُسجَّل بيانات المستفيد بعد.", self.beneficiary_box), 0, 0, 1, 4)
            return
        fields: list[tuple[str, str, bool]] = [("الاسم:", person.full_name, False)]
        fields.append(("رقم الهوية:", identifier_text(person.id_number), False))
        fields.append(("الجوال:", isolate(file.mobile_local) if file.mobile_local else "—", False))
        if person.id_expiry is not None:
            expired = " — منتهية الصلاحية" if file.id_expired else ""
            fields.append(("انتهاء الهوية:", dual_date(person.id_expiry) + expired, file.id_expired))
        if person.birth_date is not None:
            fields.append(("الميلاد:", dual_date(person.birth_date), False))
        if person.city:
            fields.append(("المدينة:", person.city, False))
        if person.household_size is not None:
            fields.append(("أفراد الأسرة:", isolate(arabic_number(person.household_size)), False))
        position = 0
        for caption, text, warn in fields:
            wide = caption in ("الاسم:", "انتهاء الهوية:", "الميلاد:")
            if wide and position % 2:
                position += 1
            row, column = divmod(position, 2)
            label = QLabel(caption, self.beneficiary_box)
            value = QLabel(text, self.beneficiary_box)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if warn:
                value.setObjectName("expired_note")
            grid.addWidget(label, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1, 1, 3 if wide else 1)
            position += 2 if wide else 1

    def _show_documents(self, file: CaseFile) -> None:
        table = self.documents
        table.setRowCount(len(file.documents))
        for row, document in enumerate(file.documents):
            words = validity_words(document)
            cells = [document.name, hijri_date(document.valid_until) if document.valid_until else "—", words,
                     document.check_label or "لم يُفحص بعد"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if document.expired or not document.provided:
                    item.setForeground(QBrush(EXPIRED_COLOUR))
                elif document.expiring_soon:
                    item.setForeground(QBrush(SOON_COLOUR))
                if column == 1 and document.valid_until is not None:
                    item.setToolTip(dual_date(document.valid_until))
                elif column == 0 and document.withheld:  # a sensitive document: its scan is not this account's
                    item.setToolTip(SENSITIVE_SCAN_REFUSED)
                table.setItem(row, column, item)
        table.resizeRowsToContents()

    def _show_decision(self, file: CaseFile) -> None:
        lines: list[str] = []
        decision = file.decision
        if decision is None:
            lines.append("لم تُصدر لجنة البحث قرارًا بعد.")
        else:
            lines.append(f"القرار: {decision.label} — {decision.decided_text}")
            if decision.reason:
                lines.append(f"السبب: {decision.reason}")
            if decision.members:
                lines.append("الأعضاء الحاضرون: " + "، ".join(decision.members))
            if decision.within_promise is not None:
                lines.append("صدر ضمن المدة الموعودة" if decision.within_promise else "صدر بعد المدة الموعودة")
        for informed in file.informed:
            lines.append(f"أُبلغ المستفيد ({informed.how_label}) {informed.at_text}"
                         + (f" — {informed.note}" if informed.note else ""))
        for service in file.services:
            amount = f" — {service.amount_text}" if service.amount_text else ""
            lines.append(f"خدمة: {service.kind}{amount} — {service.delivered_text}")
        if file.continuation_note:
            lines.append(file.continuation_note)
        if file.closed_at is not None:
            lines.append("الحالة مغلقة.")
        self.decision_label.setText("\n".join(lines))

    def _show_actions(self, file: CaseFile) -> None:
        self.eligibility_button.setVisible(not file.is_rescue and file.status in ELIGIBILITY_STATUSES)
        self.register_button.setVisible(file.can_register)
        self.service_button.setVisible(file.can_serve)
        self.informed_button.setVisible(file.decision is not None)
        self.letter_button.setVisible(file.decision is not None and file.decision.letter_sha256 is not None)
        self.close_case_button.setVisible(file.can_close)
        self.correct_button.setVisible(not file.is_rescue and file.beneficiary is not None)
        self.export_button.setVisible(file.beneficiary is not None)
        self.print_corrected_button.setVisible(file.corrected_declaration_pending)
        self.attach_corrected_button.setVisible(file.corrected_declaration_pending)

    # ----------------------------------------------------------------- the stored documents panel

    def load_documents(self) -> None:
        """Read the case's stored documents (on the reader pool) into the panel."""
        files, case_id = self.desk.files, self.case_id
        run_read(self, lambda: files.documents(case_id), self.show_documents,
                 lambda message, _e: show_message(self.message, message), where="casedesk.documents")

    def show_documents(self, documents: tuple[CaseDocument, ...]) -> None:
        """One row per stored document, newest first (a declaration's version and state under its title; who
        stored it in the tooltip), with «طباعة» and «فتح»."""
        self.stored_documents = documents
        table = self.stored
        table.setRowCount(len(documents))
        for row, document in enumerate(documents):
            entry = document.entry
            title = document.title + (f"\n{document.state_label}" if document.state_label else "")
            if entry.withheld:
                title += f"\n{REDACTED}"
            for column, text in enumerate((title, entry.at_text)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if document.superseded:
                    item.setForeground(QBrush(QColor("#6b7580")))
                tip = [entry.detail] if entry.detail else []
                if entry.officer_name:
                    tip.append(f"الموظف: {entry.officer_name}")
                item.setToolTip("\n".join(tip))
                table.setItem(row, column, item)
            buttons = QWidget(table)
            line = QHBoxLayout(buttons)
            line.setContentsMargins(2, 0, 2, 0)
            print_button = QPushButton("طباعة", buttons)
            print_button.setObjectName("print_stored")
            print_button.setEnabled(document.may_print and document.is_pdf)
            if not document.may_print:
                print_button.setToolTip("لا يملك دورك في الجمعية طباعة هذا المستند")
            open_button = QPushButton("فتح", buttons)
            open_button.setObjectName("open_stored")
            if entry.withheld:  # a sensitive scan: listed «محجوب», neither opened nor printed (the service refuses)
                open_button.setEnabled(False)
                for button in (print_button, open_button):
                    button.setToolTip(SENSITIVE_SCAN_REFUSED)
            print_button.clicked.connect(lambda _c=False, d=document: self.open_stored(d, printing=True))
            open_button.clicked.connect(lambda _c=False, d=document: self.open_stored(d, printing=False))
            line.addWidget(print_button)
            line.addWidget(open_button)
            table.setCellWidget(row, 2, buttons)
        table.resizeRowsToContents()

    def open_stored(self, document: CaseDocument, *, printing: bool) -> None:
        """A stored document in the print preview («طباعة») or the viewer («فتح»)."""
        if document.entry.withheld:
            show_message(self.message, SENSITIVE_SCAN_REFUSED)
            return
        if printing and not document.may_print:
            show_message(self.message, "لا يملك دورك في الجمعية طباعة هذا المستند")
            return
        title = document.title + (f" ({document.state_label})" if document.state_label else "")
        self._show_file(document.entry, title, printing=printing, where="casedesk.stored_document")

    def _show_file(self, entry: TimelineEntry, title: str, *, printing: bool, where: str) -> None:
        """A stored file written out off the GUI thread, then previewed for printing (a PDF, when `printing`) or
        opened in the viewer (a scan, or «فتح»)."""
        files, case_id = self.desk.files, self.case_id
        self.opened_documents.append(entry)
        is_pdf = entry.mime in (None, "application/pdf")
        if is_pdf:
            name, suffix = f"{entry.document_kind or 'document'}-{entry.entry_id}", ".pdf"
        else:
            name = f"scan-{entry.entry_id}"
            suffix = ".png" if entry.mime == "image/png" else ".jpg" if entry.mime == "image/jpeg" else ".bin"

        def ready(path: Path) -> None:
            if printing and is_pdf:
                self.printer.print_pdf(path, title)
            else:
                self.printer.open_pdf(path)

        run_read(self, lambda: write_pdf(files.document_pdf(case_id, entry), name, suffix), ready,
                 lambda message, _e: show_message(self.message, message), where=where)

    def export_subject_access(self) -> None:
        """«بيانات المستفيد»: everything held about the beneficiary as a PDF (written, audited, on the writer),
        previewed to print and hand over."""
        files, case_id = self.desk.files, self.case_id
        name = f"subject-access-{self.file.case_number if self.file is not None else 'case'}"
        def opened(path: Path) -> None:
            self.printer.print_pdf(path, "بيانات المستفيد المحفوظة لدى الجمعية")

        arrived, failed = hold_until_done(self.export_button, "جارٍ إعداد الملف…", opened,
                                          lambda message, _e: show_message(self.message, message))
        run_write(self, lambda: write_pdf(files.subject_access_pdf(case_id), name), arrived, failed,
                  where="casedesk.subject_access")

    # ----------------------------------------------------------------- correction

    def open_correction(self) -> QDialog | None:
        """«تصحيح البيانات»: the particulars opened for a correction with a written reason."""
        if self.file is None or self.file.beneficiary is None:
            return None
        files, case_id = self.desk.files, self.case_id
        dialog = CorrectionDialog(
            self.file.beneficiary,
            lambda typed, reason, asked: files.correct_particulars(case_id, typed, reason, requested_by_person=asked),
            household_required=self.file.household_required,
            parent=self,
        )
        dialog.sig_corrected.connect(self._corrected)
        return self._child(dialog)

    def _corrected(self, result: CorrectionResult) -> None:
        self._notice = correction_summary(result)
        self._changed()
        if result.declaration_superseded:
            self.print_corrected()

    def print_corrected(self) -> None:
        """The corrected declaration, filled with the corrected particulars, printed for a new signature."""
        files, case_id = self.desk.files, self.case_id
        number = self.file.case_number if self.file else "case"

        def show(path: Path) -> None:
            self.printer.print_pdf(path, catalogue.title_of("blank_declaration"))

        self.opened_documents.append("blank_declaration")
        run_read(self, lambda: write_pdf(files.document_pdf(case_id, "blank_declaration"), f"corrected-{number}"),
                 show, lambda message, _e: show_message(self.message, message), where="casedesk.corrected")

    def attach_corrected(self, path: Path | None = None) -> None:
        """Attach the scan of the corrected declaration signed on paper (chosen in a file dialog when not given)."""
        if path is None:
            chosen = choose_file_to_open(
                self, "الإقرار المصحح الموقّع", "", "صور أو PDF (*.png *.jpg *.jpeg *.pdf)"
            )
            if not chosen:
                return
            path = Path(chosen)
        files, case_id, scan = self.desk.files, self.case_id, path

        def attached(_file: CaseFile) -> None:
            self._notice = "✓ أُرفق الإقرار المصحح الموقّع، وبقي الإقرار السابق محفوظًا مستبدَلًا."
            self._changed()

        done, refused = hold_until_done(self.attach_corrected_button, "جارٍ الإرفاق…", attached,
                                        lambda message, _e: show_message(self.message, message))
        run_write(self, lambda: files.sign_corrected_on_paper(case_id, scan), done, refused,
                  where="casedesk.attach_corrected")

    # ----------------------------------------------------------------- actions

    def _changed(self, _result: object = None) -> None:
        self.load()
        self.sig_changed.emit(self.case_id)

    def _child(self, dialog: QDialog, done: Callable[[object], None] | None = None) -> QDialog:
        self.child_dialog = dialog
        return show_dialog(dialog, done)

    def open_eligibility(self) -> QDialog:
        """The eligibility check of this case."""
        dialog = EligibilityDialog(self.desk.eligibility, self.case_id, self)
        dialog.sig_changed.connect(self._changed)
        return self._child(dialog)

    def open_register(self) -> QDialog:
        """Complete the registration of an accepted case."""
        return self._child(RegisterDialog(self.desk.delivery, self.case_id, self), self._changed)

    def open_service(self) -> QDialog:
        """Record a service delivered."""
        return self._child(ServiceDialog(self.desk.delivery, self.case_id, self), self._changed)

    def open_informed(self) -> QDialog:
        """Record that the beneficiary was informed of the decision."""
        return self._child(InformedDialog(self.desk.committee, self.case_id, self), self._changed)

    def open_close(self) -> QDialog:
        """Close the case with a reason."""
        return self._child(CloseDialog(self.desk.delivery, self.case_id, self), self._changed)

    def print_letter(self) -> None:
        """The decision letter in the print preview."""
        committee, case_id = self.desk.committee, self.case_id
        number = self.file.case_number if self.file else "letter"
        self.opened_documents.append("decision_letter")
        def show(path: Path) -> None:
            self.printer.print_pdf(path, "خطاب القرار")

        ready, failed = hold_until_done(self.letter_button, "جارٍ التجهيز…", show,
                                        lambda message, _error: show_message(self.message, message))
        run_read(self, lambda: write_pdf(committee.decision_letter(case_id), f"letter-{number}"), ready, failed,
                 where="casedesk.decision_letter")

    def open_entry(self, entry: TimelineEntry) -> None:
        """A timeline entry's stored document in the print preview (or the viewer for a scan that is not a PDF)."""
        self._show_file(entry, catalogue.title_of(entry.document_kind, entry.title), printing=True,
                        where="casedesk.document")
