"""The suggestions and complaints tab: the list with due dates; receive, route, answer and close."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.casedesk import SUGGESTION_ROUTES, Choice, SuggestionInput, SuggestionService, SuggestionView
from ui.cases.common import PlainRowsModel, keep_column_widths, message_line, setup_table, show_message
from ui.cases.dialogs import ActionDialog, show_dialog
from ui.cases.text import countdown_text, hijri_date, local_moment, today_riyadh
from ui.ops import run_read
from ui.reception.fields import DualDateField, NoteEdit, wrapped_label

_ModelIndex = QModelIndex | QPersistentModelIndex

KINDS: dict[str, str] = {"suggestion": "اقتراح", "complaint": "شكوى"}
STATUS_FILTER: tuple[tuple[str, str], ...] = (
    ("", "الكل"),
    ("open", "جديدة"),
    ("in_progress", "قيد المعالجة"),
    ("answered", "أُجيب عنها"),
    ("closed", "مغلقة"),
)
HEADERS = ("النوع", "النص", "القناة", "الحالة", "أُحيلت إلى", "الاستلام", "موعد الرد", "المتبقي")
OVERDUE_BACKGROUND = QColor("#fde8e6")


class SuggestionModel(PlainRowsModel):
    """Suggestions and complaints (plain SuggestionView values), earliest due first as the service gives them."""

    headers = HEADERS

    def set_rows(self, rows: tuple[SuggestionView, ...]) -> None:
        """Replace the rows."""
        self.replace_rows(rows)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text; overdue rows highlighted; the full text as tooltip."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(HEADERS):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            first_line = row.text.splitlines()[0] if row.text else ""
            open_ = row.status not in ("answered", "closed")
            left = countdown_text(row.due_date, today_riyadh()) if (row.due_date and open_) else "—"
            received = hijri_date(local_moment(row.received_at).date())
            return (row.kind_label, first_line, row.channel_name or "—", row.status_label,
                    row.routed_to_label or "—", received, hijri_date(row.due_date), left)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return {1: row.text, 5: row.received_text, 6: row.due_text}.get(index.column())
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def row_at(self, row: int) -> SuggestionView | None:
        """The plain row at a position."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def position_of(self, suggestion_id: uuid.UUID) -> int:
        """The row of a suggestion, or -1."""
        return next((i for i, row in enumerate(self._rows) if row.suggestion_id == suggestion_id), -1)


class ReceiveSuggestionDialog(ActionDialog):
    """Receive a suggestion or complaint on one of the policy's channels."""

    def __init__(self, service: SuggestionService, channels: tuple[Choice, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__("استلام اقتراح أو شكوى", parent,
                         intro="سجّل ما وصل من المستفيد كما قاله، وحدد القناة التي وصل منها. "
                               "يُحدَّد موعد الرد تلقائيًا إن لم تكتبه.")
        self.setObjectName("receive_suggestion_dialog")
        self._service = service
        self.kind = QComboBox(self)
        self.kind.setObjectName("suggestion_kind")
        for code, label in KINDS.items():
            self.kind.addItem(label, code)
        self.channel = QComboBox(self)
        self.channel.setObjectName("suggestion_channel")
        self.channel.addItem("— اختر —", "")
        for choice in channels:
            self.channel.addItem(choice.label, choice.id)
        self.text = NoteEdit(self, lines=4)
        self.case_number = QLineEdit(self)
        self.case_number.setPlaceholderText("اختياري: رقم طلب المستفيد إن وُجد")
        self.due = DualDateField(self)
        self.form.add("kind", "ال&نوع:", self.kind)
        self.form.add("channel_id", "ال&قناة:", self.channel)
        self.form.add("text", "ال&نص:", self.text)
        self.form.add("case_number", "&رقم الطلب:", self.case_number)
        self.form.add("due", "&موعد الرد:", self.due, hint="اختياري؛ هجري أو ميلادي")

    def work(self) -> Callable[[], Any] | None:
        """receive_suggestion with what was typed."""
        channel = str(self.channel.currentData() or "")
        if not channel:
            self.form.set_error("channel_id", "اختر القناة التي وصل منها")
            return None
        if not self.text.text().strip():
            self.form.set_error("text", "اكتب نص الاقتراح أو الشكوى")
            return None
        problem = self.due.problem()
        if problem:
            self.form.set_error("due", problem)
            return None
        value = SuggestionInput(kind=str(self.kind.currentData()), channel_id=channel, text=self.text.text(),
                                case_number=self.case_number.text().strip(), due=self.due.text())
        service = self._service
        return lambda: service.receive_suggestion(value)


class RouteSuggestionDialog(ActionDialog):
    """Route a suggestion or complaint to whoever handles it."""

    def __init__(self, service: SuggestionService, suggestion: SuggestionView,
                 parent: QWidget | None = None) -> None:
        super().__init__("إحالة اقتراح أو شكوى", parent, intro=f"{suggestion.kind_label}: {suggestion.text}")
        self.setObjectName("route_suggestion_dialog")
        self._service = service
        self._id = suggestion.suggestion_id
        self.to_role = QComboBox(self)
        self.to_role.setObjectName("route_to")
        self.to_role.addItem("— اختر —", "")
        for code, label in SUGGESTION_ROUTES.items():
            self.to_role.addItem(label, code)
        self.note = NoteEdit(self, lines=3)
        self.form.add("to_role", "أ&حِل إلى:", self.to_role)
        self.form.add("note", "م&لاحظة الإحالة:", self.note, hint="ما المطلوب ممن تُحال إليه")

    def work(self) -> Callable[[], Any] | None:
        """route_suggestion to the chosen role."""
        role = str(self.to_role.currentData() or "")
        if not role:
            self.form.set_error("to_role", "اختر من تُحال إليه")
            return None
        if not self.note.text().strip():
            self.form.set_error("note", "اكتب ملاحظة الإحالة")
            return None
        service, sid, note = self._service, self._id, self.note.text()
        return lambda: service.route_suggestion(sid, role, note)


class AnswerSuggestionDialog(ActionDialog):
    """Record the answer given to the beneficiary."""

    def __init__(self, service: SuggestionService, suggestion: SuggestionView,
                 parent: QWidget | None = None) -> None:
        super().__init__("الرد على اقتراح أو شكوى", parent, intro=f"{suggestion.kind_label}: {suggestion.text}")
        self.setObjectName("answer_suggestion_dialog")
        self._service = service
        self._id = suggestion.suggestion_id
        self.response = NoteEdit(self, lines=4)
        self.form.add("response", "ال&رد:", self.response)

    def work(self) -> Callable[[], Any] | None:
        """answer_suggestion with the response."""
        if not self.response.text().strip():
            self.form.set_error("response", "اكتب الرد الذي أُبلغ به المستفيد")
            return None
        service, sid, response = self._service, self._id, self.response.text()
        return lambda: service.answer_suggestion(sid, response)


class CloseSuggestionDialog(ActionDialog):
    """Close a suggestion or complaint."""

    def __init__(self, service: SuggestionService, suggestion: SuggestionView,
                 parent: QWidget | None = None) -> None:
        super().__init__("إغلاق اقتراح أو شكوى", parent, intro=f"{suggestion.kind_label}: {suggestion.text}")
        self.setObjectName("close_suggestion_dialog")
        self._service = service
        self._id = suggestion.suggestion_id
        self.note = NoteEdit(self, lines=2)
        self.form.add("note", "م&لاحظة:", self.note)
        self.save_button.setText("إغلاق")

    def work(self) -> Callable[[], Any] | None:
        """close_suggestion."""
        service, sid, note = self._service, self._id, self.note.text()
        return lambda: service.close_suggestion(sid, note)


class SuggestionsPanel(QWidget):
    """Suggestions and complaints: the list (overdue highlighted), its history, and the four actions.

    `sig_loaded()` each time the list was read and shown (after every action too).
    """

    sig_loaded = Signal()

    def __init__(self, service: SuggestionService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestions_panel")
        self.service = service
        self.channels: tuple[Choice, ...] = ()
        self.dialog: ActionDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        top = QHBoxLayout()
        self.receive_button = QPushButton("استلام اقتراح أو شكوى…", self)
        self.receive_button.setObjectName("receive_suggestion")
        self.route_button = QPushButton("إحالة…", self)
        self.route_button.setObjectName("route_suggestion")
        self.answer_button = QPushButton("الرد…", self)
        self.answer_button.setObjectName("answer_suggestion")
        self.close_button = QPushButton("إغلاق…", self)
        self.close_button.setObjectName("close_suggestion")
        for button in (self.receive_button, self.route_button, self.answer_button, self.close_button):
            top.addWidget(button)
        top.addStretch(1)
        status_label = QLabel("&عرض:", self)
        self.status = QComboBox(self)
        self.status.setObjectName("suggestion_status_filter")
        for code, label in STATUS_FILTER:
            self.status.addItem(label, code)
        status_label.setBuddy(self.status)
        top.addWidget(status_label)
        top.addWidget(self.status)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.model = SuggestionModel(self)
        self.table = QTableView(splitter)
        setup_table(self.table, "suggestion_table")
        self.table.setModel(self.model)
        keep_column_widths(self.table, dict(enumerate((70, 330, 150, 100, 160, 120, 120))))
        self.history = wrapped_label("اختر اقتراحًا أو شكوى لعرض تفاصيلها وسجل متابعتها.", splitter, name="case_summary")
        self.history.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        splitter.addWidget(self.table)
        splitter.addWidget(self.history)
        splitter.setSizes([380, 160])
        layout.addWidget(splitter, 1)
        self.message = message_line(self)
        layout.addWidget(self.message)
        self.receive_button.clicked.connect(self.open_receive)
        self.route_button.clicked.connect(lambda: self._open_for(RouteSuggestionDialog))
        self.answer_button.clicked.connect(lambda: self._open_for(AnswerSuggestionDialog))
        self.close_button.clicked.connect(lambda: self._open_for(CloseSuggestionDialog))
        self.status.currentIndexChanged.connect(lambda _i: self.load())
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show_selected(current.row()))
        self._select_after: uuid.UUID | None = None
        self._update_buttons(None)

    def load(self) -> None:
        """Read the list (on the reader pool) with the status shown."""
        status = str(self.status.currentData() or "") or None
        service = self.service
        run_read(self, lambda: service.suggestions(status=status), self.show_rows,
                 lambda message, _e: show_message(self.message, message), where="casedesk.suggestions")

    def show_rows(self, rows: tuple[SuggestionView, ...]) -> None:
        """Show the list; keep (or move to) the suggestion just acted on."""
        chosen = self.selected()
        keep = self._select_after or (chosen.suggestion_id if chosen is not None else None)
        self.model.set_rows(rows)
        position = self.model.position_of(keep) if keep is not None else -1
        if position >= 0:
            self.table.selectRow(position)
            self.table.setCurrentIndex(self.model.index(position, 0))
        self._show_selected(position)
        self._select_after = None
        self.sig_loaded.emit()

    def selected(self) -> SuggestionView | None:
        """The highlighted suggestion or complaint."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _show_selected(self, position: int) -> None:
        row = self.model.row_at(position)
        self._update_buttons(row)
        if row is None:
            self.history.setText("اختر اقتراحًا أو شكوى لعرض تفاصيلها وسجل متابعتها.")
            return
        lines = [f"{row.kind_label} — {row.status_label} — وصلت عبر {row.channel_name or '—'}",
                 f"النص: {row.text}"]
        if row.beneficiary_name or row.case_number:
            lines.append(f"المستفيد: {row.beneficiary_name or '—'} — الطلب: {row.case_number or '—'}")
        lines.append(f"موعد الرد: {row.due_text or '—'}")
        if row.response:
            lines.append(f"الرد: {row.response}")
        for event in row.history:
            who = f" — {event.by}" if event.by else ""
            note = f": {event.note}" if event.note else ""
            lines.append(f"• {event.label}{note} ({event.at_text}{who})")
        self.history.setText("\n".join(lines))

    def _update_buttons(self, row: SuggestionView | None) -> None:
        active = row is not None and row.status != "closed"
        self.route_button.setEnabled(active)
        self.answer_button.setEnabled(active and row is not None and row.status != "answered")
        self.close_button.setEnabled(active)

    def _done(self, result: object) -> None:
        if isinstance(result, SuggestionView):
            self._select_after = result.suggestion_id
        self.load()

    def open_receive(self) -> ActionDialog:
        """The receive dialog."""
        self.dialog = ReceiveSuggestionDialog(self.service, self.channels, self)
        show_dialog(self.dialog, self._done)
        return self.dialog

    def _open_for(
        self, kind: type[RouteSuggestionDialog] | type[AnswerSuggestionDialog] | type[CloseSuggestionDialog]
    ) -> ActionDialog | None:
        row = self.selected()
        if row is None:
            show_message(self.message, "اختر اقتراحًا أو شكوى من القائمة أولًا.")
            return None
        self.dialog = kind(self.service, row, self)
        show_dialog(self.dialog, self._done)
        return self.dialog

    def open_route(self) -> ActionDialog | None:
        """Route the highlighted suggestion."""
        return self._open_for(RouteSuggestionDialog)

    def open_answer(self) -> ActionDialog | None:
        """Answer the highlighted suggestion."""
        return self._open_for(AnswerSuggestionDialog)

    def open_close(self) -> ActionDialog | None:
        """Close the highlighted suggestion."""
        return self._open_for(CloseSuggestionDialog)
