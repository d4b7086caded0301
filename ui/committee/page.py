"""The «اللجنة» section: cases awaiting the research committee, soonest promised date first, with a countdown."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.arabic_text import identifier_text, isolate
from desktop.casedesk import CaseDesk, DecisionResult, QueueRow, QueueSummary
from desktop.counting import APPOINTMENTS, count_phrase
from desktop.policy import PolicyProfile
from desktop.policy_text import decision_text
from desktop.permissions import Action
from ui.cases.case_file import CaseFileDialog
from ui.cases.common import PlainRowsModel, hold, keep_column_widths, message_line, setup_table, show_message
from ui.cases.style import CASEDESK_STYLE
from ui.cases.text import arabic_number, countdown_days, dual_date, hijri_date
from ui.committee.decision import DecisionDialog
from ui.ops import run_read
from ui.printing import PrintController
from ui.widgets.keyed_views import OpenRowTableView
from ui.permissions import may_do

if TYPE_CHECKING:
    from desktop.workspace import Workspace

_ModelIndex = QModelIndex | QPersistentModelIndex

HEADERS = ("رقم الطلب", "المستفيد", "نوع الطلب", "تاريخ التقديم", "موعد القرار", "العدّ التنازلي", "توصية الباحث")
OVERDUE_BACKGROUND = QColor("#fde8e6")
OVERDUE_FOREGROUND = QColor("#8f1d14")
SOON_BACKGROUND = QColor("#fff4dc")
# Roles as plain ints, worked out once: `data()` runs for every role of every painted cell.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROW = int(Qt.ItemDataRole.UserRole)
#: The roles this model answers; a painted cell asks seven, four of which it leaves to the style.
_ANSWERED = frozenset({_DISPLAY, _BACKGROUND, _FOREGROUND, _TOOLTIP, _ROW})
#: The queue shows the cases with the nearest promised dates first; the counts cover all of them.
QUEUE_LIMIT = 100


class QueueModel(PlainRowsModel):
    """The committee queue (plain QueueRow values, in the service's order: earliest promised date first)."""

    headers = HEADERS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: dict[int, tuple[str, ...]] = {}
        self._overdue_background = QBrush(OVERDUE_BACKGROUND)
        self._soon_background = QBrush(SOON_BACKGROUND)
        self._overdue_foreground = QBrush(OVERDUE_FOREGROUND)

    def set_rows(self, rows: tuple[QueueRow, ...]) -> None:
        """Replace the queue."""
        self._texts = {}
        self.replace_rows(rows)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text; overdue rows red, due this week amber; Gregorian dates as tooltips.

        A painted cell asks for seven roles: plain int roles, the common ones first (see `CaseListModel.data`);
        a role it does not answer returns at once, and its brushes are made once.
        """
        if role not in _ANSWERED:
            return None
        number, column = index.row(), index.column()  # an invalid index is (-1, -1)
        if not (0 <= number < len(self._rows) and 0 <= column < len(HEADERS)):
            return None
        row = self._rows[number]
        if role == _DISPLAY:
            texts = self._texts.get(number)
            if texts is None:  # worked out once per row: the Hijri dates are not free
                texts = (identifier_text(row.case_number), row.beneficiary_name or "—", row.case_kind_name,
                         hijri_date(row.submitted_on), dual_date(row.promised_date), countdown_days(row.days_left),
                         row.recommendation_label or "لم تُسجَّل")
                self._texts[number] = texts
            return texts[column]
        if role == _BACKGROUND:
            if row.overdue:
                return self._overdue_background
            if row.due_this_week:
                return self._soon_background
            return None
        if role == _FOREGROUND:
            return self._overdue_foreground if row.overdue and column == 5 else None
        if role == _TOOLTIP:
            if column == 3 and row.submitted_on is not None:
                return row.submitted_text
            if column in (4, 5) and row.promised_date is not None:
                return row.promised_text
            return None
        if role == _ROW:
            return row
        return None

    def row_at(self, row: int) -> QueueRow | None:
        """The plain row at a position."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[QueueRow]:
        """The queue shown."""
        return list(self._rows)


class CommitteePage(QWidget):
    """The committee secretary's desk: the queue, the decision dialog, the letter and the notice.

    The queue and its counts are reads through `ui.ops` («تحديث» held meanwhile); decisions are the decision
    dialog's writes. Signals: `sig_queue_loaded()` each time the queue is shown.
    """

    sig_queue_loaded = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("committee_page")
        self.setStyleSheet(CASEDESK_STYLE)
        self.workspace = workspace
        self.desk = CaseDesk(workspace)
        self.printer = PrintController(self)
        self.known_members: list[str] = []
        self.decision_dialog: DecisionDialog | None = None
        self.case_file: CaseFileDialog | None = None
        self.summary: QueueSummary | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.setSpacing(8)
        heading = QLabel("لجنة البحث", self)
        heading.setObjectName("page_title")
        layout.addWidget(heading)
        self.period = QLabel(self)
        self.period.setObjectName("page_note")
        self.period.setWordWrap(True)
        layout.addWidget(self.period)
        top = QHBoxLayout()
        self.summary_label = QLabel("جارٍ تحميل الطلبات…", self)
        self.summary_label.setObjectName("case_count")
        top.addWidget(self.summary_label, 1)
        self.decide_button = QPushButton("تسجيل القرار…", self)
        self.decide_button.setObjectName("open_decision")
        self.file_button = QPushButton("ملف الحالة…", self)
        self.file_button.setObjectName("open_case_file")
        self.refresh_button = QPushButton("تحديث", self)
        self.refresh_button.setObjectName("refresh_queue")
        for button in (self.decide_button, self.file_button, self.refresh_button):
            top.addWidget(button)
        layout.addLayout(top)
        self.model = QueueModel(self)
        self.table = OpenRowTableView(self)
        setup_table(self.table, "committee_queue")
        self.table.setModel(self.model)
        keep_column_widths(self.table, dict(enumerate((170, 185, 78, 118, 255, 112))))
        layout.addWidget(self.table, 1)
        self.message = message_line(self)
        layout.addWidget(self.message)
        hint = QLabel("مرتبة بموعد القرار الموعود، الأقرب أولًا؛ المتأخرة بالأحمر، وما يحين موعده هذا الأسبوع بالأصفر. "
                      "لتسجيل القرار: انقر مرتين على الطلب أو اضغط Enter.", self)
        hint.setObjectName("list_state")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.hint = hint

        self.table.sig_open.connect(self._decide_row)
        self.table.doubleClicked.connect(lambda index: self._decide_row(index.row()))
        self.decide_button.clicked.connect(lambda: self._decide_row(self.table.currentIndex().row()))
        # Only the secretary records a decision (the service refuses anyone else): a member sees the queue only.
        self.decide_button.setVisible(may_do(workspace.signed_in, Action.RECORD_DECISION))
        self.file_button.clicked.connect(self._open_file_of_current)
        self.refresh_button.clicked.connect(self.load)
        run_read(self, workspace.active_profile, self._show_policy, lambda _m, _e: None,
                 where="committee.policy")
        self.load()

    def _show_policy(self, profile: object) -> None:
        if not isinstance(profile, PolicyProfile):
            return
        if profile.has_committee:
            self.period.setText(f"مدة البت في الطلب في سياسة الجمعية: {decision_text(profile)}.")
            return
        # A policy without a research committee (the rescue association's): say so, offer nothing to press.
        self.period.setText(
            f"{decision_text(profile)}: لا تمر طلبات هذه الجمعية بلجنة بحث، فلا شيء يُسجَّل في هذا القسم. "
            "تُتابَع البلاغات وإغلاقها من قسمي «الاستقبال» و«الحالات»."
        )
        for widget in (self.summary_label, self.decide_button, self.file_button, self.refresh_button,
                       self.table, self.hint):
            widget.hide()
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.addStretch(1)

    def load(self) -> None:
        """Read the queue (shown as soon as it comes), then its counts, on the reader pool.

        One after the other: the counts never compete with the rows the secretary waits for, nor with their
        drawing (the count read starts once the table has painted the new rows; on a million cases it reads
        150,000 index entries, and on two cores it took the CPU from that paint).
        """
        committee = self.desk.committee
        release = hold(self.refresh_button)

        def counted(summary: QueueSummary) -> None:
            release()
            self._show_summary(summary)

        def arrived(rows: tuple[QueueRow, ...]) -> None:
            self._show_queue(rows)
            run_read(self, committee.committee_queue_summary, counted, lambda _m, _e: release(),
                     where="committee.summary", after_drawn=self.table.viewport())

        def failed(message: str, _error: BaseException) -> None:
            release()
            show_message(self.message, message)

        run_read(self, lambda: committee.committee_queue(limit=QUEUE_LIMIT), arrived, failed,
                 where="committee.queue")

    def _show_queue(self, rows: tuple[QueueRow, ...]) -> None:
        current = self.table.currentIndex()
        found = self.model.row_at(current.row()) if current.isValid() else None
        keep = found.case_id if found is not None else None
        self.model.set_rows(rows)
        show_message(self.message, None)
        position = next((i for i, row in enumerate(rows) if row.case_id == keep), 0 if rows else -1)
        if position >= 0:
            self.table.setCurrentIndex(self.model.index(position, 0))
        if self.summary is not None:
            self._show_summary(self.summary)
        self.sig_queue_loaded.emit()

    def _show_summary(self, summary: QueueSummary) -> None:
        self.summary = summary
        if summary.total == 0:
            self.summary_label.setText("لا توجد طلبات بانتظار قرار اللجنة.")
            return
        text = (f"بانتظار القرار: {isolate(arabic_number(summary.total))} — متأخرة: {isolate(arabic_number(summary.overdue))}"
                f" — يحين موعدها هذا الأسبوع: {isolate(arabic_number(summary.due_this_week))}")
        shown = self.model.rowCount()
        if summary.total > shown:
            text += f" (تُعرض أقرب {count_phrase(shown, APPOINTMENTS, oblique=True, grouped=True)})"
        self.summary_label.setText(text)

    def _decide_row(self, position: int) -> DecisionDialog | None:
        row = self.model.row_at(position)
        if row is None:
            show_message(self.message, "اختر طلبًا من القائمة أولًا.")
            return None
        return self.open_decision(row)

    def open_decision(self, row: QueueRow) -> DecisionDialog:
        """The decision dialog of one queued case (window-modal; the event loop keeps running)."""
        dialog = DecisionDialog(self.desk, row, self, printer=self.printer, known_members=list(self.known_members))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.sig_decided.connect(self._decided)
        dialog.sig_conflict.connect(lambda _message: self.load())
        self.decision_dialog = dialog
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: DecisionDialog) -> None:
        if self.decision_dialog is dialog:
            self.decision_dialog = None

    def _decided(self, result: DecisionResult) -> None:
        """Remember the members for the next decision and refresh the queue (the case left it)."""
        for name in result.decision.members:
            if name not in self.known_members:
                self.known_members.append(name)
        self.load()

    def _open_file_of_current(self) -> CaseFileDialog | None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None:
            show_message(self.message, "اختر طلبًا من القائمة أولًا.")
            return None
        return self.open_case(row.case_id)

    def open_case(self, case_id: uuid.UUID) -> CaseFileDialog:
        """Open a case's file from the queue."""
        if self.case_file is not None:
            self.case_file.close()
        dialog = CaseFileDialog(self.desk, case_id, self, printer=self.printer)
        dialog.sig_changed.connect(lambda _id: self.load())
        self.case_file = dialog
        dialog.finished.connect(lambda _r, d=dialog: self._forget_file(d))
        dialog.show()
        return dialog

    def _forget_file(self, dialog: CaseFileDialog) -> None:
        if self.case_file is dialog:
            self.case_file = None
        dialog.deleteLater()
