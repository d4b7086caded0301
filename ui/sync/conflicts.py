"""The supervisor's conflicts screen: the same field changed on two PCs, both values side by side, keep one;
below them, what did not sync at all (issue 15): this desk's changes the server rejected, with its reason,
and pulled rows this desk set aside (`desktop.sync.quarantine`), for the supervisor to see and report."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import ltr
from desktop.counting import CHANGES, ROWS, count_phrase
from ui.sync.style import SYNC_STYLE
from ui.sync.text import moment_text, number

if TYPE_CHECKING:
    from desktop.sync.quarantine import QuarantinedRow, RejectedChange
    from desktop.sync.service import ConflictView
    from ui.sync.controller import SyncController

INTRO = ("عُدّل الحقل نفسه على جهازين قبل أن تلتقي تعديلاتهما. تظهر الآن على كل الأجهزة القيمة "
         "«المعتمدة مؤقتًا» إلى أن تحسم أيّ القيمتين تبقى؛ قرارك يصل إلى كل الأجهزة مع المزامنة التالية.")
EMPTY = "لا توجد تعارضات تنتظر قرارك."
LOADING = "جارٍ تحميل التعارضات…"
WINNER = "المعتمدة مؤقتًا"
WINNER_TIP = "هذه القيمة الظاهرة الآن على كل الأجهزة، إلى أن تحسم التعارض"
KEPT = "بقيت هذه القيمة"
KEEP = "اعتماد هذه القيمة"
#: The most height the «not synced» panel takes below the conflicts (it scrolls beyond).
REFUSED_MAX_HEIGHT = 240
REFUSED_INTRO = ("ما لم تكتمل مزامنته: تغييرات من هذا الجهاز رفضها الخادم (لم تُحفظ عليه)، وسجلات وصلت من الخادم "
                 "ولم يستطع هذا الجهاز حفظها فجُنّبت وتابعت المزامنة. أبلغ مسؤول النظام بها؛ السجل الذي يصحّحه على "
                 "الخادم يُحفظ هنا في المزامنة التالية.")


def _table_text(name: str) -> str:
    from desktop.sync.service import TABLE_LABELS

    return TABLE_LABELS.get(name, "سجل")


def _storage_moment(text: str) -> str:
    """A time stored by the sync layer ("YYYY-MM-DD HH:MM:SS…", UTC) as the supervisor reads it."""
    import datetime as dt

    try:
        return moment_text(dt.datetime.fromisoformat(text[:19]).replace(tzinfo=dt.UTC))
    except ValueError:
        return "غير معروف"


class RefusedPanel(QFrame):
    """What did not sync: rejected changes of this desk and rows set aside here, one line each with its reason.

    `sig_shown(bool)` is emitted after the lists were shown: True when there is anything to show.
    """

    sig_shown = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refused_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        self.heading = _label("ما لم تكتمل مزامنته", "conflict_heading", self, wrap=False)
        layout.addWidget(self.heading)
        layout.addWidget(_label(REFUSED_INTRO, "conflict_where", self))
        self.lines = QVBoxLayout()
        self.lines.setSpacing(4)
        layout.addLayout(self.lines)
        self.setVisible(False)

    def show_items(self, rejected: list[RejectedChange], kept: list[QuarantinedRow]) -> None:
        """Show the lists (the panel hides itself when both are empty).

        A row id is shown whole, isolated left to right in Latin hex digits (`ltr`, not `identifier_text`: a
        uuid mixes letters and digits, and the administrator types it into ``mustafid-admin rows repair``).
        """
        while self.lines.count():
            item = self.lines.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.heading.setText(
            f"ما لم تكتمل مزامنته — رفضه الخادم: {count_phrase(len(rejected), CHANGES)}؛ "
            f"جُنّب على هذا الجهاز: {count_phrase(len(kept), ROWS)}")
        for change in rejected:
            self.lines.addWidget(_label(
                f"رفض الخادم تغييرًا على {_table_text(change.table)} {ltr(change.row_id)} "
                f"({_storage_moment(change.changed_at)}): {change.reason_ar}", "refused_line", self))
        for row in kept:
            self.lines.addWidget(_label(
                f"جُنّب {_table_text(row.table)} {ltr(row.row_id)} الوارد من الخادم "
                f"({_storage_moment(row.quarantined_at)}): {row.reason_ar}", "quarantined_line", self))
        self.setVisible(bool(rejected or kept))
        self.sig_shown.emit(bool(rejected or kept))


def _label(text: str, name: str, parent: QWidget, *, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ConflictCard(QFrame):
    """One conflict: what was changed, the two values with who, where and when, and a button under each.

    `sig_keep(uuid.UUID, str)` is emitted when a «اعتماد هذه القيمة» button is clicked: the conflict's id and
    the side to keep, "a" or "b".
    """

    sig_keep = Signal(object, str)

    def __init__(self, view: ConflictView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_card")
        self.view = view
        self.keep_buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        layout.addWidget(_label(f"{view.row_label_ar} — {view.field_label_ar}", "conflict_heading", self))
        layout.addWidget(_label(
            f"السجل: {view.table_label_ar}    القيمة قبل التعديلين: {view.base_text}", "conflict_where", self))
        sides = QHBoxLayout()
        sides.setSpacing(12)
        # Right to left: the first side added is on the right.
        resolved = view.status != "open"
        if not resolved:
            self.marked: str | None = view.winner
        elif view.resolution_text == view.value_a_text:
            self.marked = "a"
        elif view.resolution_text == view.value_b_text:
            self.marked = "b"
        else:
            self.marked = None
        sides.addWidget(self._side("a", "التعديل الأول", view.value_a_text, view.user_a_ar, view.device_a_ar, view))
        sides.addWidget(self._side("b", "التعديل الثاني", view.value_b_text, view.user_b_ar, view.device_b_ar, view))
        layout.addLayout(sides)
        self.resolution = _label("", "conflict_resolved", self)
        layout.addWidget(self.resolution)
        self.show_view(view)

    def _side(self, key: str, caption: str, value: str, user: str, device: str, view: ConflictView) -> QFrame:
        side = QFrame(self)
        side.setObjectName("conflict_side")
        side.setProperty("winner", "true" if self.marked == key else "false")
        column = QVBoxLayout(side)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(_label(caption, "side_caption", side, wrap=False))
        top.addStretch(1)
        if self.marked == key:
            badge = _label(WINNER if view.status == "open" else KEPT, "winner_badge", side, wrap=False)
            badge.setToolTip(WINNER_TIP if view.status == "open" else "")
            top.addWidget(badge)
        column.addLayout(top)
        value_label = _label(value, "conflict_value", side)
        value_label.setObjectName("conflict_value")
        column.addWidget(value_label)
        moment = view.at_a if key == "a" else view.at_b
        column.addWidget(_label(f"سجّلها: {user}", "conflict_meta", side))
        column.addWidget(_label(f"الجهاز: {device}", "conflict_meta", side))
        column.addWidget(_label(f"الوقت: {moment_text(moment)}", "conflict_meta", side))
        button = QPushButton(KEEP, side)
        button.setObjectName(f"keep_{key}")
        button.clicked.connect(lambda: self.sig_keep.emit(self.view.id, key))
        column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        self.keep_buttons[key] = button
        return side

    def show_view(self, view: ConflictView) -> None:
        """Show the conflict's state: open (buttons) or resolved (which value was kept, when)."""
        resolved = view.status != "open"
        self.setProperty("resolved", "true" if resolved else "false")
        self.style().unpolish(self)
        self.style().polish(self)
        for button in self.keep_buttons.values():
            button.setVisible(not resolved)
            button.setEnabled(not resolved)
        if resolved:
            self.resolution.setText(
                f"حُسم: بقيت القيمة «{view.resolution_text}» — {moment_text(view.resolved_at)}")
        self.resolution.setVisible(resolved)

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while a choice is being saved."""
        for button in self.keep_buttons.values():
            button.setEnabled(not busy)


class ConflictsDialog(QDialog):
    """Open sync conflicts for a supervisor, newest first; resolved ones (after the open ones) only on request.

    `sig_loaded(int)` is emitted after the list was (re)read, with the number of conflicts shown;
    `sig_resolved(ConflictView)` after a choice was saved, with the conflict as it now stands.
    """

    sig_loaded = Signal(int)
    sig_resolved = Signal(object)

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflicts_dialog")
        self.setWindowTitle("تعارضات المزامنة")
        self.setStyleSheet(SYNC_STYLE)
        self.resize(980, 640)
        self._controller = controller
        self.cards: dict[uuid.UUID, ConflictCard] = {}
        self.views: list[ConflictView] = []
        self._loading = False
        self._reload_again = False

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        header = QHBoxLayout()
        self.title = _label("تعارضات المزامنة", "sync_title", self, wrap=False)
        header.addWidget(self.title)
        header.addStretch(1)
        self.show_resolved = QCheckBox("إظهار التعارضات المحسومة", self)
        self.show_resolved.setObjectName("show_resolved")
        header.addWidget(self.show_resolved)
        self.reload_button = QPushButton("تحديث", self)
        self.reload_button.setObjectName("conflicts_reload")
        header.addWidget(self.reload_button)
        layout.addLayout(header)
        layout.addWidget(_label(INTRO, "sync_intro", self))
        self.message = _label(LOADING, "sync_note", self)
        layout.addWidget(self.message)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.list_body = QWidget(self.scroll_area)
        self.list_layout = QVBoxLayout(self.list_body)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(10)
        self.list_layout.addStretch(1)
        self.scroll_area.setWidget(self.list_body)
        layout.addWidget(self.scroll_area, 1)
        self.refused_area = QScrollArea(self)  # below the conflicts, never pushing them out of sight
        self.refused_area.setWidgetResizable(True)
        self.refused_area.setFrameShape(QFrame.Shape.NoFrame)
        self.refused_area.setMaximumHeight(REFUSED_MAX_HEIGHT)
        self.refused = RefusedPanel(self.refused_area)
        self.refused.sig_shown.connect(self.refused_area.setVisible)
        self.refused_area.setWidget(self.refused)
        self.refused_area.setVisible(False)
        layout.addWidget(self.refused_area)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("إغلاق", self)
        close.setObjectName("conflicts_close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)

        self.show_resolved.toggled.connect(self.reload)
        self.reload_button.clicked.connect(self.reload)
        controller.sig_round_finished.connect(self._round_finished)
        self.reload()

    def reload(self) -> None:
        """Read the conflicts (and what did not sync) again in the background."""
        self._controller.load_refused(self, self._refused_loaded, self._failed)
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        if not self._controller.load_conflicts(self, self.show_resolved.isChecked(), self._loaded, self._failed):
            self._loading = False
            self._say("المزامنة لم تجهز بعد على هذا الجهاز.", error=True)
            return
        self.reload_button.setEnabled(False)

    def _round_finished(self, _report: object) -> None:
        if self.isVisible():
            self.reload()

    def _loaded(self, views: list[ConflictView]) -> None:
        self._loading = False
        self.reload_button.setEnabled(True)
        if self._reload_again:
            self._reload_again = False
            self.reload()
            return
        self.views = list(views)  # the service's order: open ones first, newest first within
        for card in self.cards.values():
            card.setParent(None)
            card.deleteLater()
        self.cards.clear()
        for view in views:
            card = ConflictCard(view, self.list_body)
            card.sig_keep.connect(self.keep)
            self.list_layout.insertWidget(self.list_layout.count() - 1, card)
            self.cards[view.id] = card
        open_count = sum(1 for view in views if view.status == "open")
        self.title.setText(f"تعارضات المزامنة ({number(open_count)} مفتوحة)" if open_count else "تعارضات المزامنة")
        self._say(None if views else EMPTY)
        self.sig_loaded.emit(len(views))

    def _refused_loaded(self, found: tuple[list[RejectedChange], list[QuarantinedRow]]) -> None:
        rejected, kept = found
        self.refused.show_items(rejected, kept)

    def _failed(self, message: str, _error: BaseException) -> None:
        self._loading = False
        self.reload_button.setEnabled(True)
        self._say(message, error=True)

    def _say(self, text: str | None, *, error: bool = False) -> None:
        self.message.setObjectName("sync_error" if error else "conflicts_empty")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def keep(self, conflict_id: uuid.UUID, choose: str) -> None:
        """Keep value "a" or "b" of a conflict; the choice is saved and synced like any change."""
        card = self.cards.get(conflict_id)
        if card is not None:
            card.set_busy(True)
        if not self._controller.resolve(self, conflict_id, choose, self._resolved, self._refused):
            if card is not None:
                card.set_busy(False)

    def _resolved(self, view: ConflictView) -> None:
        card = self.cards.pop(view.id, None)
        if card is not None:
            if self.show_resolved.isChecked():
                fresh = ConflictCard(view, self.list_body)
                self.list_layout.replaceWidget(card, fresh)
                self.cards[view.id] = fresh
            card.setParent(None)
            card.deleteLater()
        self.views = [view if v.id == view.id else v for v in self.views]
        open_count = sum(1 for v in self.views if v.status == "open")
        self.title.setText(f"تعارضات المزامنة ({number(open_count)} مفتوحة)" if open_count else "تعارضات المزامنة")
        if not self.cards:
            self._say(EMPTY)
        self.sig_resolved.emit(view)

    def _refused(self, message: str, _error: BaseException) -> None:
        for card in self.cards.values():
            card.set_busy(card.view.status != "open")
        self._say(message, error=True)
        self.reload()
