"""Look-up of existing beneficiaries as the officer types: ID, phone in any form, or Arabic name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

from desktop.arabic_text import identifier_text, isolate, ltr, to_latin_digits
from desktop.errors import InputError
from desktop.identity import format_mobile_local, is_valid_saudi_id, phone_search_key
from ui.ops import run_read
from ui.widgets.keyed_views import SearchEdit

if TYPE_CHECKING:
    from desktop.reception import BeneficiaryMatch

#: Wait this long after the last key before looking up (the officer is still typing).
LOOKUP_DEBOUNCE_MS = 200

REASON_TEXT = {
    "same_id": "نفس رقم الهوية",
    "id_prefix": "بداية رقم الهوية",
    "same_phone": "نفس رقم الجوال",
    "name": "تشابه في الاسم",
}

_ModelIndex = QModelIndex | QPersistentModelIndex


def match_line(match: BeneficiaryMatch) -> str:
    """One line for a match: name, ID, mobile, why it matched, its open case if any (numbers isolated)."""
    parts = [match.full_name, f"الهوية {identifier_text(match.id_number)}"]
    if match.mobile:
        try:
            parts.append(f"الجوال {identifier_text(format_mobile_local(match.mobile))}")
        except ValueError:
            parts.append(f"الجوال {identifier_text(match.mobile)}")
    parts.append(f"({REASON_TEXT.get(match.reason, match.reason)})")
    if match.open_cases:
        parts.append(f"له حالة مفتوحة رقم {isolate(match.open_cases[0].case_number)}")
    return " — ".join(parts)


class MatchListModel(QAbstractListModel):
    """The matches of one look-up: plain BeneficiaryMatch values (no database objects)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matches: list[BeneficiaryMatch] = []

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        """Number of matches (a flat list)."""
        return 0 if parent.isValid() else len(self._matches)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The match's line for display; the match itself for UserRole; its warning as tooltip."""
        if not index.isValid() or not 0 <= index.row() < len(self._matches):
            return None
        match = self._matches[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return match_line(match)
        if role == Qt.ItemDataRole.UserRole:
            return match
        if role == Qt.ItemDataRole.ToolTipRole:
            return match.warning_ar or match_line(match)
        return None

    def set_matches(self, matches: Sequence[BeneficiaryMatch]) -> None:
        """Replace the matches."""
        self.beginResetModel()
        self._matches = list(matches)
        self.endResetModel()

    def matches(self) -> list[BeneficiaryMatch]:
        """The matches shown."""
        return list(self._matches)


class _ResultsView(QListView):
    """The result list: Enter chooses the highlighted beneficiary (`sig_activated(row)`)."""

    sig_activated = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Return chooses; other keys as usual."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.sig_activated.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)


class LookupPanel(QWidget):
    """A search line and the matching beneficiaries; choosing one opens that file for the contact.

    `lookup` is the service's look-up function (text → matches); it runs off the GUI thread 200 ms after the
    last key, and an answer to a text no longer typed is dropped. A complete, valid ID that matches a stored
    beneficiary chooses that file at once (the same ID opens the existing file). `lookups_run` counts the
    look-ups whose results were shown. A refusal of the look-up (a whole ID with a wrong check digit) is shown
    in red under the line and kept as `problem()` until the text changes: the contact does not start on it.
    Signals: sig_chosen(match or None), sig_text_changed(text),
    sig_results_shown() after results (or none) were shown.
    """

    sig_chosen = Signal(object)
    sig_text_changed = Signal(str)
    #: The results were shown (the page may scroll them into view).
    sig_results_shown = Signal()

    def __init__(
        self,
        lookup: Callable[[str], list[BeneficiaryMatch]],
        parent: QWidget | None = None,
        *,
        caption: str = "&بحث عن المستفيد (رقم الهوية أو الإقامة، أو الجوال، أو الاسم):",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lookup_panel")
        self._lookup = lookup
        self._chosen: BeneficiaryMatch | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        label = QLabel(caption, self)
        self.edit = SearchEdit(self)
        self.edit.setObjectName("lookup_edit")
        self.edit.setPlaceholderText(f"مثال: {ltr('1012345678')} أو {ltr('0551234567')} أو محمد عبدالله")
        self.edit.setClearButtonEnabled(True)
        label.setBuddy(self.edit)
        self.model = MatchListModel(self)
        self.results = _ResultsView(self)
        self.results.setObjectName("lookup_results")
        self.results.setModel(self.model)
        self.results.setMaximumHeight(170)
        self.results.setVisible(False)
        self.status = QLabel(self)
        self.status.setObjectName("lookup_status")
        self.status.setWordWrap(True)
        self.chosen_label = QLabel(self)
        self.chosen_label.setObjectName("lookup_chosen")
        self.chosen_label.setWordWrap(True)
        self.chosen_label.setVisible(False)
        layout.addWidget(label)
        layout.addWidget(self.edit)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        layout.addWidget(self.chosen_label)
        self.setFocusProxy(self.edit)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_lookup)
        self.edit.textChanged.connect(self._on_text)
        self.edit.sig_down.connect(self._enter_results)
        self.results.sig_activated.connect(self._choose_row)
        self.results.doubleClicked.connect(lambda index: self._choose_row(index.row()))
        self.lookups_run = 0
        self._asked = 0  # look-ups asked for; only the answer to the latest is shown
        self._in_flight = False
        self._then: list[Callable[[], None]] = []
        self._problem: str | None = None

    # ----------------------------------------------------------------- behaviour

    def text(self) -> str:
        """What the officer typed."""
        return self.edit.text()

    def problem(self) -> str | None:
        """Why the look-up refused the text typed (a wrong ID), or None."""
        return self._problem

    def _set_problem(self, message: str | None) -> None:
        """Show (red) or clear the refusal of the look-up."""
        self._problem = message
        if message is not None:
            self.status.setText(message)
        if bool(self.status.property("error")) != (message is not None):
            self.status.setProperty("error", message is not None)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)

    def chosen(self) -> BeneficiaryMatch | None:
        """The beneficiary whose file was chosen, if any."""
        return self._chosen

    def choose(self, match: BeneficiaryMatch | None) -> None:
        """Choose (or forget) an existing beneficiary's file."""
        self._chosen = match
        if match is None:
            self.chosen_label.setVisible(False)
            self.chosen_label.setText("")
        else:
            self.chosen_label.setText(f"سيُفتح ملف المستفيد الموجود: {match_line(match)}")
            self.chosen_label.setVisible(True)
        self.sig_chosen.emit(match)

    def _on_text(self, text: str) -> None:
        """Restart the debounce; a changed text forgets a file chosen for another text."""
        if self._chosen is not None and to_latin_digits(text.strip()) != self._chosen.id_number:
            self.choose(None)
        self.sig_text_changed.emit(text)
        self._set_problem(None)
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()
            self._asked += 1  # an answer still coming is for a text no longer there
            self._in_flight = False
            self.model.set_matches([])
            self.results.setVisible(False)
            self.status.setText("")
            self._release()

    def run_lookup(self) -> None:
        """Look up now (the debounce ran out): the service is asked off the GUI thread."""
        self._timer.stop()
        text = self.edit.text().strip()
        if not text:
            self._release()
            return
        self._asked += 1
        asked, lookup = self._asked, self._lookup
        self._in_flight = True

        def answered(matches: list[BeneficiaryMatch]) -> None:
            if asked == self._asked:
                self._in_flight = False
                self._show(text, matches)
                self._release()

        def failed(message: str, error: BaseException) -> None:
            if asked == self._asked:
                self._in_flight = False
                self.model.set_matches([])
                self.results.setVisible(False)
                if isinstance(error, InputError):
                    self._set_problem(message)
                else:
                    self.status.setText(message)
                self.sig_results_shown.emit()
                self._release()

        run_read(self, lambda: lookup(text), answered, failed, where="reception.lookup")

    def _show(self, text: str, matches: list[BeneficiaryMatch]) -> None:
        """The matches of `text`: listed, the first highlighted, the same valid ID chosen at once."""
        self.lookups_run += 1
        self.model.set_matches(matches)
        self.results.setVisible(bool(matches))
        self.sig_results_shown.emit()
        if matches:
            self.results.setCurrentIndex(self.model.index(0, 0))
        warnings = [m.warning_ar for m in matches if m.warning_ar]
        if not matches:
            self.status.setText("لا يوجد مستفيد مسجل بهذه البيانات: سيُنشأ ملف جديد عند التحقق من البيانات.")
        elif (person := self.open_case_match()) is not None:
            self.status.setText(
                f"للمستفيد «{person.full_name}» حالة مفتوحة رقم {isolate(person.open_cases[0].case_number)}: "
                f"{isolate('Enter')} يعرض متابعتها بدل فتح حالة ثانية."
            )
        elif warnings:
            self.status.setText("تنبيه: " + warnings[0])
        else:
            self.status.setText("اختر المستفيد من القائمة (السهم للأسفل ثم Enter) إن كان هو نفسه.")
        digits = to_latin_digits(text)
        if is_valid_saudi_id(digits):
            same = [m for m in matches if m.reason == "same_id" and m.id_number == digits]
            if same:
                self.choose(same[0])

    def open_case_match(self) -> BeneficiaryMatch | None:
        """The person the look-up found by their whole ID or mobile who has a case not closed (the chosen file
        first), or None: the contact then offers that case rather than opening a second one."""
        if self._chosen is not None:
            return self._chosen if self._chosen.open_cases else None
        key = phone_search_key(to_latin_digits(self.edit.text()).strip())
        whole_phone = key is not None and len(key) == 9
        found = [
            m for m in self.model.matches()
            if m.open_cases and (m.reason == "same_id" or (m.reason == "same_phone" and whole_phone))
        ]
        return found[0] if len({m.beneficiary_id for m in found}) == 1 else None

    def flush(self, then: Callable[[], None] | None = None) -> None:
        """Run a pending look-up at once; `then` is called once no look-up is pending or on its way."""
        if then is not None:
            self._then.append(then)
        if self._timer.isActive():
            self.run_lookup()
        elif not self._in_flight:
            self._release()

    def _release(self) -> None:
        """Call back whoever waited for the look-up to be answered."""
        waiting, self._then = self._then, []
        for callback in waiting:
            callback()

    def _enter_results(self) -> None:
        """Move the focus into the results."""
        if self.model.rowCount() and self.results.isVisible():
            self.results.setFocus()
            if not self.results.currentIndex().isValid():
                self.results.setCurrentIndex(self.model.index(0, 0))

    def _choose_row(self, row: int) -> None:
        """The officer chose a row."""
        matches = self.model.matches()
        if 0 <= row < len(matches):
            self.choose(matches[row])
            self.edit.setFocus()
