"""The follow-ups tab: reach beneficiaries before they ask — the lists with their counts, a click opens the case."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import identifier_text, isolate
from desktop.casedesk import FollowUpRow, FollowUps, FollowUpService
from ui.cases.common import PlainRowsModel, hold_until_done, keep_column_widths, message_line, setup_table, show_message
from ui.cases.text import arabic_number, days_phrase, hijri_date
from ui.ops import run_read

_ModelIndex = QModelIndex | QPersistentModelIndex

#: The lists, in the order shown: attribute of FollowUps, title, what `days` means.
LISTS: tuple[tuple[str, str, str], ...] = (
    ("decisions_overdue", "قرارات متأخرة عن الموعد", "late"),
    ("decisions_due_this_week", "قرارات يحين موعدها هذا الأسبوع", "left"),
    ("documents_expiring", "مستندات تنتهي صلاحيتها قريبًا", "left"),
    ("signatures_pending", "إقرارات لم تُوقَّع بعد", "waited"),
    ("referrals_unanswered", "إحالات لم يُجب عنها", "waited"),
)

HEADERS = ("رقم الطلب", "المستفيد", "الجوال", "المطلوب", "التاريخ", "المدة")


def days_text(days: int, meaning: str) -> str:
    """The days column: «باقي ٣ أيام», «متأخرة ٣ أيام», «منذ ٥ أيام»."""
    if meaning == "left":
        return "اليوم" if days == 0 else f"باقي {days_phrase(days)}" if days > 0 else f"مضى {days_phrase(-days)}"
    if meaning == "late":
        return f"متأخرة {days_phrase(days, accusative=True)}" if days > 0 else "اليوم"
    return f"منذ {days_phrase(days, accusative=True)}" if days > 0 else "اليوم"


class FollowUpModel(PlainRowsModel):
    """The rows of one follow-up list (plain FollowUpRow values)."""

    headers = HEADERS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._meaning = "left"

    def set_rows(self, rows: tuple[FollowUpRow, ...], meaning: str) -> None:
        """Show another list."""
        self._meaning = meaning
        self.replace_rows(rows)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text; late rows in red."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                identifier_text(row.case_number),
                row.beneficiary_name or "—",
                isolate(row.mobile_local) if row.mobile_local else "—",
                row.what,
                hijri_date(row.since) if row.since else "—",
                days_text(row.days, self._meaning),
            )[index.column()] if 0 <= index.column() < len(HEADERS) else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return row.since_text or None
        if role == Qt.ItemDataRole.ForegroundRole and self._meaning == "late":
            return QBrush(QColor("#8f1d14"))
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def row_at(self, row: int) -> FollowUpRow | None:
        """The plain row at a position."""
        return self._rows[row] if 0 <= row < len(self._rows) else None


class FollowUpsPanel(QWidget):
    """The follow-up lists: pick a list on the right, its cases on the left; Enter or double click opens one.

    `sig_open_case(case_id)` when a row is opened; `sig_loaded()` each time the lists were read and shown.
    """

    sig_open_case = Signal(object)
    sig_loaded = Signal()

    def __init__(self, service: FollowUpService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("follow_ups_panel")
        self.service = service
        self.follow_ups: FollowUps | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        top = QHBoxLayout()
        self.as_of = QLabel(self)
        self.as_of.setObjectName("list_state")
        top.addWidget(self.as_of, 1)
        self.refresh_button = QPushButton("تحديث", self)
        self.refresh_button.setObjectName("refresh_follow_ups")
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        row = QHBoxLayout()
        self.lists = QListWidget(self)
        self.lists.setObjectName("follow_up_lists")
        self.lists.setMaximumWidth(290)
        self.lists.setMinimumWidth(260)
        for key, title, _meaning in LISTS:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.lists.addItem(item)
        self.model = FollowUpModel(self)
        self.table = QTableView(self)
        setup_table(self.table, "follow_up_table")
        self.table.setModel(self.model)
        keep_column_widths(self.table, dict(enumerate((155, 190, 115, 230, 105))))
        row.addWidget(self.lists)
        row.addWidget(self.table, 1)
        layout.addLayout(row, 1)
        self.message = message_line(self)
        layout.addWidget(self.message)
        hint = QLabel("انقر مرتين على حالة (أو Enter) لفتح ملفها.", self)
        hint.setObjectName("list_state")
        layout.addWidget(hint)
        self.lists.currentRowChanged.connect(self._show_list)
        self.refresh_button.clicked.connect(self.load)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))

    def load(self) -> None:
        """Read the follow-ups (on the reader pool); «تحديث» waits meanwhile."""
        self.as_of.setText("جارٍ التحميل…")
        def failed(message: str, _error: BaseException) -> None:
            self.as_of.setText("")
            show_message(self.message, message)

        arrived, refused = hold_until_done(self.refresh_button, "", self.show_follow_ups, failed)
        run_read(self, self.service.follow_ups, arrived, refused, where="casedesk.follow_ups")

    def show_follow_ups(self, follow_ups: FollowUps) -> None:
        """Show the lists' counts and the list chosen."""
        self.follow_ups = follow_ups
        show_message(self.message, None)
        self.as_of.setText(f"ما يحتاج إلى متابعة حتى {follow_ups.as_of_text}: {arabic_number(follow_ups.total)} "
                           "— تواصل مع المستفيد قبل أن يسأل.")
        for position, (key, title, _meaning) in enumerate(LISTS):
            count = len(getattr(follow_ups, key))
            self.lists.item(position).setText(f"{title} ({arabic_number(count)})")
        current = self.lists.currentRow()
        if current < 0:
            first = next((i for i, (key, _t, _m) in enumerate(LISTS) if getattr(follow_ups, key)), 0)
            self.lists.setCurrentRow(first)
        else:
            self._show_list(current)
        self.sig_loaded.emit()

    def _show_list(self, position: int) -> None:
        if self.follow_ups is None or not 0 <= position < len(LISTS):
            return
        key, _title, meaning = LISTS[position]
        self.model.set_rows(getattr(self.follow_ups, key), meaning)

    def show_list(self, key: str) -> None:
        """Choose a list by its key (e.g. "signatures_pending")."""
        for position, (name, _t, _m) in enumerate(LISTS):
            if name == key:
                self.lists.setCurrentRow(position)

    def _open(self, row: int) -> None:
        found = self.model.row_at(row)
        if found is not None:
            self.sig_open_case.emit(found.case_id)
