"""The eligibility check (seed 003's mechanism): document examination, personal interview, recommendation."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QFrame,
)

from desktop.arabic_text import display_digits, ltr
from desktop.casedesk import (
    CHECK_RESULTS,
    DECISIONS,
    INTERVIEW_ANSWERS,
    DocumentCheckInput,
    DocumentState,
    EligibilityService,
    EligibilityView,
    InterviewAnswerInput,
    InterviewInput,
)
from desktop.permissions import REDACTED
from ui.cases.common import hold_until_done, message_line, show_message
from ui.cases.style import CASEDESK_STYLE
from ui.cases.text import days_phrase, moment_text
from ui.input_safety import ask_before_escape
from ui.ops import run_read, run_write
from ui.reception.fields import NoteEdit

CHOOSE = "— اختر —"


def _choice_combo(parent: QWidget, values: dict[str, str], current: str | None) -> QComboBox:
    combo = QComboBox(parent)
    combo.addItem(CHOOSE, "")
    for code, label in values.items():
        combo.addItem(label, code)
    if current:
        index = combo.findData(current)
        if index >= 0:
            combo.setCurrentIndex(index)
    return combo


def validity_words(document: DocumentState) -> str:
    """A document's validity in words (never only a colour): منتهي الصلاحية، ينتهي قريبًا، ساري، لم يُقدَّم."""
    if not document.provided:
        return "لم يُقدَّم"
    if document.expired:
        return "منتهي الصلاحية"
    if document.expiring_soon and document.days_left is not None:
        return f"ينتهي خلال {days_phrase(document.days_left, accusative=True)}"
    if document.valid_until is None:
        return "مُقدَّم (بلا تاريخ انتهاء)"
    return "ساري"


class _Scrolled(QScrollArea):
    """A tab's content that scrolls when long."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.setWidget(self.body)
        self.column = QVBoxLayout(self.body)
        self.column.setContentsMargins(8, 8, 8, 8)
        self.column.setSpacing(8)


class EligibilityDialog(QDialog):
    """Three tabs for the researcher: the document check, the structured interview, the recommendation.

    Each tab saves on its own (one write each through `ui.ops`, its «حفظ» button held meanwhile).
    `sig_changed()` is emitted after any save the service accepted.
    """

    sig_changed = Signal()

    def __init__(self, eligibility: EligibilityService, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eligibility_dialog")
        self.setWindowTitle("التحقق من استحقاق المستفيد")
        self.escape_guard = ask_before_escape(self)
        self.setStyleSheet(CASEDESK_STYLE)
        self.resize(1000, 680)
        self.eligibility = eligibility
        self.case_id = case_id
        self.view: EligibilityView | None = None
        #: Widgets moved between refills of a tab rather than rebuilt (buttons and note editors).
        self._keep: set[QWidget] = set()
        layout = QVBoxLayout(self)
        self.header = QLabel("جارٍ تحميل بيانات الاستحقاق…", self)
        self.header.setObjectName("case_header")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.documents_tab = _Scrolled(self.tabs)
        self.interview_tab = _Scrolled(self.tabs)
        self.recommendation_tab = _Scrolled(self.tabs)
        self.tabs.addTab(self.documents_tab, "الفحص الإداري للمستندات")
        self.tabs.addTab(self.interview_tab, "المقابلة الشخصية")
        self.tabs.addTab(self.recommendation_tab, "توصية الباحث")
        self.message = message_line(self)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("decision_done")
        self.saved_label.setVisible(False)
        row.addWidget(self.saved_label, 1)
        close = QPushButton("إغلاق", self)
        close.setObjectName("close_eligibility")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)

        self.document_rows: list[tuple[DocumentState, QComboBox, QLineEdit]] = []
        self.answer_rows: list[tuple[str, QComboBox, QLineEdit]] = []
        self.interview_notes = NoteEdit(self, lines=4, placeholder="ملاحظات المقابلة الشخصية")
        self.recommendation_group = QButtonGroup(self)
        self.recommendation_buttons: dict[str, QRadioButton] = {}
        self.recommendation_reason = NoteEdit(self, lines=3, placeholder="سبب التوصية")
        self.save_documents = QPushButton("حفظ نتيجة الفحص", self)
        self.save_documents.setObjectName("save_document_check")
        self.save_interview = QPushButton("حفظ المقابلة", self)
        self.save_interview.setObjectName("save_interview")
        self.save_recommendation = QPushButton("حفظ التوصية", self)
        self.save_recommendation.setObjectName("save_recommendation")
        self.save_documents.clicked.connect(self.submit_documents)
        self.save_interview.clicked.connect(self.submit_interview)
        self.save_recommendation.clicked.connect(self.submit_recommendation)
        self.load()

    # ----------------------------------------------------------------- loading

    def load(self) -> None:
        """Read the eligibility view (on the reader pool)."""
        eligibility, case_id = self.eligibility, self.case_id
        run_read(self, lambda: eligibility.eligibility(case_id), self.show_view,
                 lambda message, _e: show_message(self.message, message), where="casedesk.eligibility")

    def show_view(self, view: EligibilityView) -> None:
        """Fill the three tabs from the service's view."""
        self.view = view
        state = "" if view.editable else (" — " + REDACTED if view.sensitive_hidden
                                           else " — للعرض فقط: لا يمكن التعديل")
        self.header.setText(f"الطلب {ltr(view.case_number)} — {view.beneficiary_name} — {view.status_label}{state}")
        self._fill_documents(view)
        self._fill_interview(view)
        self._fill_recommendation(view)
        self.escape_guard.reset()  # what the service says is not "typed": Escape closes until the officer edits
        for button in (self.save_documents, self.save_interview, self.save_recommendation):
            button.setEnabled(view.editable)

    def _clear(self, tab: _Scrolled) -> None:
        while tab.column.count():
            item = tab.column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in self._keep:
                widget.setParent(None)
                widget.deleteLater()
            elif widget is not None:
                widget.setParent(None)

    def _fill_documents(self, view: EligibilityView) -> None:
        tab = self.documents_tab
        self._keep.add(self.save_documents)
        self._clear(tab)
        intro = QLabel("افحص كل مستند مطلوب: سليم وساري، أو غير مقبول (مع السبب)، أو لم يُقدَّم.", tab.body)
        intro.setWordWrap(True)
        tab.column.addWidget(intro)
        grid_holder = QWidget(tab.body)
        grid = QGridLayout(grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, title in enumerate(("المستند", "الصلاحية", "نتيجة الفحص", "ملاحظة")):
            caption = QLabel(title, grid_holder)
            caption.setObjectName("field_caption")
            caption.setStyleSheet("font-weight: bold;")
            grid.addWidget(caption, 0, column)
        self.document_rows = []
        for row, document in enumerate(view.documents, start=1):
            name = QLabel(document.name, grid_holder)
            validity = QLabel(f"{validity_words(document)} — {document.valid_until_text}"
                              if document.valid_until is not None else validity_words(document), grid_holder)
            if document.expired:
                validity.setObjectName("expired_note")
            current = document.check or ("missing" if not document.provided else None)
            combo = _choice_combo(grid_holder, CHECK_RESULTS, current)
            combo.setObjectName("document_check")
            combo.setAccessibleName(f"نتيجة فحص {document.name}")
            note = QLineEdit(document.check_note, grid_holder)
            note.setPlaceholderText("سبب عدم القبول (مطلوب لغير المقبول)")
            grid.addWidget(name, row, 0)
            grid.addWidget(validity, row, 1)
            grid.addWidget(combo, row, 2)
            grid.addWidget(note, row, 3)
            self.document_rows.append((document, combo, note))
        grid.setColumnStretch(3, 1)
        tab.column.addWidget(grid_holder)
        if not view.documents:
            tab.column.addWidget(QLabel("لا توجد مستندات مطلوبة مسجلة لهذه الحالة.", tab.body))
        if view.documents_checked_at is not None:
            done = QLabel(f"آخر فحص: {view.documents_checked_by or '—'} — {moment_text(view.documents_checked_at)}", tab.body)
            done.setObjectName("list_state")
            tab.column.addWidget(done)
        tab.column.addWidget(self.save_documents, 0, Qt.AlignmentFlag.AlignLeft)
        tab.column.addStretch(1)

    def _fill_interview(self, view: EligibilityView) -> None:
        tab = self.interview_tab
        self._keep.update({self.save_interview, self.interview_notes})
        self._clear(tab)
        if view.criteria or view.stages:
            lines = [f"• {line}" for line in (*view.stages, *view.criteria)]
            policy = QLabel("من آلية التأكد من الاستحقاق في سياسة الجمعية:\n" + "\n".join(lines), tab.body)
            policy.setObjectName("case_summary")
            policy.setWordWrap(True)
            tab.column.addWidget(policy)
        grid_holder = QWidget(tab.body)
        grid = QGridLayout(grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        self.answer_rows = []
        for row, question in enumerate(view.questions):
            text = QLabel(display_digits(question.text), grid_holder)
            text.setWordWrap(True)
            combo = _choice_combo(grid_holder, INTERVIEW_ANSWERS, question.answer)
            combo.setObjectName("interview_answer")
            combo.setAccessibleName(question.text)
            note = QLineEdit(question.note, grid_holder)
            note.setPlaceholderText("ملاحظة")
            grid.addWidget(text, row, 0)
            grid.addWidget(combo, row, 1)
            grid.addWidget(note, row, 2)
            self.answer_rows.append((question.question_id, combo, note))
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(2, 1)
        grid_holder.setEnabled(not view.sensitive_hidden)
        tab.column.addWidget(grid_holder)
        caption = QLabel("ملاحظات المقابلة:", tab.body)
        tab.column.addWidget(caption)
        self.interview_notes.setText(view.interview_notes)
        self.interview_notes.setEnabled(not view.sensitive_hidden)  # «محجوب»: read, never typed over
        tab.column.addWidget(self.interview_notes)
        if view.interviewed_at is not None:
            done = QLabel(f"أجرى المقابلة: {view.interviewed_by or '—'} — {moment_text(view.interviewed_at)}", tab.body)
            done.setObjectName("list_state")
            tab.column.addWidget(done)
        tab.column.addWidget(self.save_interview, 0, Qt.AlignmentFlag.AlignLeft)
        tab.column.addStretch(1)

    def _fill_recommendation(self, view: EligibilityView) -> None:
        tab = self.recommendation_tab
        self._keep.update({self.save_recommendation, self.recommendation_reason})
        self._clear(tab)
        summary = []
        summary.append("فحص المستندات: " + ("مكتمل" if view.documents_complete else "لم يكتمل بعد"))
        summary.append("المقابلة الشخصية: " + ("مكتملة" if view.interview_complete else "لم تكتمل بعد"))
        state = QLabel("؛ ".join(summary), tab.body)
        state.setObjectName("case_summary")
        tab.column.addWidget(state)
        for button in self.recommendation_group.buttons():
            self.recommendation_group.removeButton(button)
        self.recommendation_buttons = {}
        current = view.recommendation.recommendation if view.recommendation else None
        for code, label in DECISIONS.items():
            button = QRadioButton(f"أوصي بـ{label}", tab.body)
            button.setObjectName(f"recommend_{code}")
            self.recommendation_group.addButton(button)
            self.recommendation_buttons[code] = button
            button.setChecked(code == current)
            tab.column.addWidget(button)
        tab.column.addWidget(QLabel("سبب التوصية:", tab.body))
        self.recommendation_reason.setText(view.recommendation.reason if view.recommendation else "")
        tab.column.addWidget(self.recommendation_reason)
        if view.recommendation is not None:
            done = QLabel(f"التوصية المسجلة: {view.recommendation.label} — {view.recommendation.by or '—'} — "
                          f"{view.recommendation.at_text}", tab.body)
            done.setObjectName("list_state")
            done.setWordWrap(True)
            tab.column.addWidget(done)
        tab.column.addWidget(self.save_recommendation, 0, Qt.AlignmentFlag.AlignLeft)
        tab.column.addStretch(1)

    # ----------------------------------------------------------------- saving

    def _save(self, work: Callable[[], EligibilityView], what: str, button: QPushButton) -> None:
        show_message(self.message, None)
        self.saved_label.setVisible(False)
        def saved(view: EligibilityView) -> None:
            self.show_view(view)
            self.saved_label.setText(f"حُفظ {what}.")
            self.saved_label.setVisible(True)
            self.sig_changed.emit()

        done, refused = hold_until_done(button, "جارٍ الحفظ…", saved,
                                        lambda message, _error: show_message(self.message, message))
        run_write(self, work, done, refused, where="casedesk.eligibility.save")

    def submit_documents(self) -> None:
        """Record the document examination (every document needs a result; a rejected one needs a reason)."""
        checks: list[DocumentCheckInput] = []
        for document, combo, note in self.document_rows:
            result = str(combo.currentData() or "")
            if not result:
                show_message(self.message, f"اختر نتيجة فحص «{document.name}».")
                combo.setFocus()
                return
            if result == "invalid" and not note.text().strip():
                show_message(self.message, f"اكتب سبب عدم قبول «{document.name}».")
                note.setFocus()
                return
            checks.append(DocumentCheckInput(result=result, document_id=document.document_id, note=note.text()))
        eligibility, case_id = self.eligibility, self.case_id
        self._save(lambda: eligibility.record_document_check(case_id, checks), "الفحص الإداري للمستندات",
                   self.save_documents)

    def submit_interview(self) -> None:
        """Record the structured interview (every question answered)."""
        answers: list[InterviewAnswerInput] = []
        for question_id, combo, note in self.answer_rows:
            answer = str(combo.currentData() or "")
            if not answer:
                show_message(self.message, f"أجب عن: «{combo.accessibleName()}».")
                combo.setFocus()
                return
            answers.append(InterviewAnswerInput(question_id, answer, note.text()))
        interview = InterviewInput(tuple(answers), self.interview_notes.text())
        eligibility, case_id = self.eligibility, self.case_id
        self._save(lambda: eligibility.record_interview(case_id, interview), "محضر المقابلة الشخصية",
                   self.save_interview)

    def submit_recommendation(self) -> None:
        """Record the researcher's recommendation (a choice and a reason)."""
        chosen = next((code for code, button in self.recommendation_buttons.items() if button.isChecked()), "")
        if not chosen:
            show_message(self.message, "اختر التوصية: قبول أو رفض أو طلب استكمال معلومات.")
            return
        reason = self.recommendation_reason.text()
        if not reason.strip():
            show_message(self.message, "اكتب سبب التوصية.")
            self.recommendation_reason.setFocus()
            return
        eligibility, case_id = self.eligibility, self.case_id
        self._save(lambda: eligibility.record_recommendation(case_id, chosen, reason),  # type: ignore[arg-type]
                   "توصية الباحث", self.save_recommendation)

