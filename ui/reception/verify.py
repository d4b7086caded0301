"""The verify step: the beneficiary's particulars and the required documents, checked as they are typed.

The page is three parts: the particulars (`ParticularsForm`, checked by the same function the service
enforces), a probable-duplicate warning (`DuplicateWarning`, read off the GUI thread as the name and mobile
are typed), and the documents (`DocumentsBox`). Invalid or expired data is shown under its field in Arabic and
blocks the step; a refusal only the service can know (an ID on another file) lands under the same field. The
list of missing documents can be printed for the beneficiary to bring them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from desktop.arabic_text import identifier_text, name_tokens
from desktop.policy import StepKind
from desktop.reception import ListedDocument, Procedure, VerifyStep, household_required
from ui.ops import run_read, run_write
from ui.reception.base import Action, StepPage, WizardContext, heading
from ui.reception.correction import CorrectionDialog, correction_summary
from ui.reception.documents_box import DocumentRow, DocumentsBox
from ui.reception.fields import DualDateField, FieldForm, wrapped_label
from ui.reception.particulars_form import ParticularsForm
from ui.reception.registry import step_page

if TYPE_CHECKING:
    from desktop.policy import Step
    from desktop.reception import BeneficiaryMatch, CaseView, CorrectionResult

__all__ = ["DuplicateWarning", "VerifyPage"]

#: Wait this long after the last key before asking for probable duplicates.
DUPLICATE_DEBOUNCE_MS = 300


class DuplicateWarning(QWidget):
    """«قد يكون المستفيد مسجلًا من قبل»: the first probable duplicate and a button to open that file.

    Signals: `sig_open(match)` when the officer chooses to open the stored file instead of a new one.
    """

    sig_open = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = wrapped_label("", self, name="duplicate_warning")
        self.open_button = QPushButton("فتح الملف الموجود", self)
        self.open_button.setObjectName("open_existing")
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        self.setVisible(False)
        self._matches: list[BeneficiaryMatch] = []
        self.open_button.clicked.connect(self._open)

    def show_matches(self, matches: Sequence[BeneficiaryMatch]) -> None:
        """Warn of the first match (hidden when there is none)."""
        self._matches = list(matches)
        if not matches:
            self.setVisible(False)
            return
        first = matches[0]
        text = first.warning_ar or (
            f"تنبيه: قد يكون المستفيد مسجلًا من قبل: {first.full_name} — الهوية {identifier_text(first.id_number)}"
        )
        self.label.setText("⚠ " + text)
        self.setVisible(True)

    def matches(self) -> list[BeneficiaryMatch]:
        """The probable duplicates shown."""
        return list(self._matches)

    def _open(self) -> None:
        if self._matches:
            self.sig_open.emit(self._matches[0])


@step_page(StepKind.VERIFY, procedure=Procedure.REQUEST)
class VerifyPage(StepPage[VerifyStep]):
    """Match the beneficiary's data and check its validity at the time of submission; documents with it.

    Opening a probable duplicate's stored file attaches it to the case (off the GUI thread) and announces the
    new case view with `sig_case_updated`.
    """

    def __init__(self, context: WizardContext, step: Step, handler: VerifyStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        self._documents_dirty = False
        self.correction_dialog: CorrectionDialog | None = None
        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(DUPLICATE_DEBOUNCE_MS)
        self._duplicate_timer.timeout.connect(self.check_duplicates)
        # The parts are made in order (the keyboard's Tab follows the order widgets are made): in idle time, one
        # part per tick (`prepare_ahead`: the particulars made apart ~5 ms, then placed and styled ~3 ms, the rest
        # ~2 ms), or all at the first use.
        self._unplaced: ParticularsForm | None = None
        self._personal: ParticularsForm | None = None
        self._rest: tuple[QPushButton, DuplicateWarning, DocumentsBox] | None = None
        self._rows_ahead: list[str] = []
        self._rows_made_ahead = False

    def _make_particulars(self) -> ParticularsForm:
        # Made apart, then placed: styled for its place once, not at every widget. Idle time may have made it.
        personal = self._unplaced if self._unplaced is not None else ParticularsForm()
        self._unplaced = None
        personal.set_household_required(household_required(self.context.profile))
        self.body.addWidget(personal)
        personal.sig_edited.connect(self._edited)
        self._personal = personal
        return personal

    def _make_rest(self) -> tuple[QPushButton, DuplicateWarning, DocumentsBox]:
        if self._personal is None:
            self._make_particulars()
        holder = self.holder
        correct_button = QPushButton("تصحيح البيانات…", holder)
        correct_button.setObjectName("correct_particulars")
        correct_button.setProperty("always_enabled", True)
        correct_button.setToolTip("البيانات محفوظة بعد التحقق: صحّحها هنا مع كتابة سبب التصحيح")
        correct_button.setVisible(False)
        correct_row = QHBoxLayout()
        correct_row.addWidget(correct_button)
        correct_row.addStretch(1)
        duplicate_box = DuplicateWarning(holder)
        documents_box = DocumentsBox(self.handler.import_attachment, holder)
        # Rows made ahead in idle time, one per tick (`prepare_ahead`), for the policy's first case kind (most
        # contacts): showing the page for the case then makes no widgets; another kind's rows come at refresh.
        profile = self.context.profile
        first_kind = profile.case_kinds[0].id if profile.case_kinds else ""
        ahead = [ListedDocument(name=d.name, required=d.required, has_expiry=d.has_expiry)
                 for d in profile.documents_for(first_kind)]
        documents_box.set_listed(ahead)
        self._rows_ahead = [d.name for d in ahead]
        self.body.addLayout(correct_row)
        for part in (duplicate_box, documents_box, heading("", holder)):
            self.body.addWidget(part)
        documents_box.sig_changed.connect(self._documents_changed)
        documents_box.print_missing.clicked.connect(self._print_missing)
        documents_box.save_documents.clicked.connect(lambda: self.update_documents())
        duplicate_box.sig_open.connect(self._open_existing)
        correct_button.clicked.connect(self.open_correction)
        self._rest = (correct_button, duplicate_box, documents_box)
        return self._rest

    @property
    def personal(self) -> ParticularsForm:
        """The particulars (made now if idle time has not made them yet)."""
        return self._personal if self._personal is not None else self._make_particulars()

    @property
    def correct_button(self) -> QPushButton:
        """«تصحيح البيانات…» (shown once the step is done)."""
        return (self._rest or self._make_rest())[0]

    @property
    def duplicate_box(self) -> DuplicateWarning:
        """The probable-duplicate warning."""
        return (self._rest or self._make_rest())[1]

    @property
    def documents_box(self) -> DocumentsBox:
        """The documents."""
        return (self._rest or self._make_rest())[2]

    # ----------------------------------------------------------------- the parts' widgets, by name

    @property
    def form(self) -> FieldForm:
        """The particulars' form (editors and inline errors by field name)."""
        return self.personal.form

    @property
    def full_name(self) -> QLineEdit:
        """The name field."""
        return self.personal.full_name

    @property
    def id_number(self) -> QLineEdit:
        """The ID number field."""
        return self.personal.id_number

    @property
    def id_kind(self) -> QComboBox:
        """The identity document kind."""
        return self.personal.id_kind

    @property
    def id_expiry(self) -> DualDateField:
        """The ID expiry date."""
        return self.personal.id_expiry

    @property
    def birth_date(self) -> DualDateField:
        """The birth date."""
        return self.personal.birth_date

    @property
    def mobile(self) -> QLineEdit:
        """The mobile number."""
        return self.personal.mobile

    @property
    def city(self) -> QLineEdit:
        """The city."""
        return self.personal.city

    @property
    def household_size(self) -> QLineEdit:
        """The household size."""
        return self.personal.household_size

    @property
    def document_rows(self) -> list[DocumentRow]:
        """The documents' rows, in order."""
        return self.documents_box.rows

    @property
    def print_missing(self) -> QPushButton:
        """«طباعة قائمة المستندات الناقصة»."""
        return self.documents_box.print_missing

    @property
    def save_documents(self) -> QPushButton:
        """«حفظ تحديث المستندات» (after the step)."""
        return self.documents_box.save_documents

    @property
    def duplicate_label(self) -> QWidget:
        """The duplicate warning's text."""
        return self.duplicate_box.label

    @property
    def open_existing(self) -> QPushButton:
        """«فتح الملف الموجود»."""
        return self.duplicate_box.open_button

    def document_row(self, name: str) -> DocumentRow:
        """The row of a document by name."""
        return self.documents_box.document_row(name)

    def attach_file(self, document_name: str, path: Any) -> None:
        """Import a scan for a document off the GUI thread (shown on its row once stored)."""
        self.documents_box.attach_file(document_name, path)

    def imports_running(self) -> bool:
        """True while a scan is being imported."""
        return self.documents_box.imports_running()

    def duplicates(self) -> list[BeneficiaryMatch]:
        """The probable duplicates shown."""
        return self.duplicate_box.matches()

    def field_error(self, name: str) -> str | None:
        """The inline error under a personal-data field, or None."""
        return self.personal.error(name)

    # ----------------------------------------------------------------- changes

    def _edited(self, name: str) -> None:
        if name in ("full_name", "mobile"):
            self._duplicate_timer.start()
        self.changed()

    def _documents_changed(self) -> None:
        if self.is_done() and not self._loading:
            self._documents_dirty = True
        self.changed()

    def check_duplicates(self) -> None:
        """Warn (off the GUI thread) when a stored beneficiary has a similar name and the same phone."""
        self._duplicate_timer.stop()
        name, mobile = self.full_name.text().strip(), self.mobile.text().strip()
        if (self.case is not None and self.case.beneficiary is not None) or len(name_tokens(name)) < 2 or not mobile:
            self.duplicate_box.show_matches([])
            return
        service = self.context.service
        run_read(self, lambda: service.duplicate_warnings(name, mobile), self._duplicates_found,
                 lambda _message, _error: None, where="reception.duplicates")

    def _duplicates_found(self, matches: list[BeneficiaryMatch]) -> None:
        if self.case is not None and self.case.beneficiary is None and not self.is_done():
            self.duplicate_box.show_matches(matches)

    def _open_existing(self, match: BeneficiaryMatch) -> None:
        """Use the stored file instead of a new one: attached to the case, its particulars shown."""
        if self.case is None:
            return
        service, case_id = self.context.service, self.case.case_id
        self.open_existing.setEnabled(False)

        def opened(view: CaseView) -> None:
            self.open_existing.setEnabled(True)
            self.clear_particulars()
            self.sig_case_updated.emit(view)
            self.show_case(view, self.state)
            self.context.say(f"فُتح ملف المستفيد المسجل: {match.full_name}.", False)

        def refused(message: str, _error: BaseException) -> None:
            self.open_existing.setEnabled(True)
            self.context.say(message, True)

        run_write(self, lambda: service.attach_beneficiary(case_id, match.beneficiary_id), opened, refused,
                  where="reception.open_existing")

    # ----------------------------------------------------------------- correction after the step

    def open_correction(self) -> CorrectionDialog | None:
        """«تصحيح البيانات»: the verified particulars opened for a correction with a written reason."""
        if self.case is None or self.case.beneficiary is None or not self.is_done():
            return None
        service, case_id = self.context.service, self.case.case_id
        dialog = CorrectionDialog(
            self.case.beneficiary,
            lambda typed, reason, asked: service.correct_particulars(case_id, typed, reason,
                                                                     requested_by_person=asked),
            household_required=self.personal.household_required,
            parent=self,
        )
        dialog.sig_corrected.connect(self._corrected)
        self.correction_dialog = dialog
        dialog.open()
        return dialog

    def _corrected(self, result: CorrectionResult) -> None:
        """Show the corrected particulars; print the corrected declaration when the signed one was superseded."""
        self.clear_particulars()
        self.sig_case_updated.emit(result.case)
        self.show_case(result.case, self.state)
        self.context.say(correction_summary(result), False)
        if result.declaration_superseded:
            self.context.print_document(result.case.case_id, "blank_declaration")

    # ----------------------------------------------------------------- documents after the step

    def _print_missing(self) -> None:
        """The list is made from the documents recorded with the verify step (saved first if changed)."""
        if self.case is None or not self.is_done():
            return
        if self._documents_dirty:
            self.update_documents(then_print=True)
            return
        self.context.print_document(self.case.case_id, "missing_documents", button=self.print_missing)

    def update_documents(self, *, then_print: bool = False) -> bool:
        """After the verify step: record a document brought later, a new scan, a corrected date (off the GUI
        thread); False when the page's own checks stopped it."""
        if self.case is None:
            return False
        if self.imports_running():
            self.show_error("انتظر حتى يكتمل استيراد الصور المرفقة.")
            return False
        if self.documents_box.check() is not None:
            return False
        handler, case_id, documents = self.handler, self.case.case_id, self.documents_box.documents()
        self.save_documents.setEnabled(False)

        def saved(view: CaseView) -> None:
            self.save_documents.setEnabled(True)
            self._documents_dirty = False
            self.sig_case_updated.emit(view)
            self.context.say("✓ حُفظ تحديث المستندات في ملف الحالة.", False)
            if then_print:
                self.context.print_document(case_id, "missing_documents", button=self.print_missing)

        def refused(message: str, error: BaseException) -> None:
            self.save_documents.setEnabled(True)
            self.show_error(message, getattr(error, "field", None))

        run_write(self, lambda: handler.record_documents(case_id, documents), saved, refused,
                  where="reception.documents")
        return True

    # ----------------------------------------------------------------- errors

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """A refusal of the service under its field (documents by index)."""
        if field_name in self.form.errors:
            self.form.set_error(field_name, message)
            editor = self.form.editors[field_name]
            editor.setFocus()
            self.scroll_area.ensureWidgetVisible(editor)
            return True
        if field_name and field_name.startswith("documents"):
            index = _index_in(field_name)
            return index is not None and self.documents_box.show_error(index, message)
        return False

    def check_all(self) -> bool:
        """Check every field and document; show every error inline; True when the step may be completed."""
        first_bad = self.personal.check_all()
        first_document = self.documents_box.check()
        first_bad = first_bad or first_document
        if first_bad is not None:
            first_bad.setFocus()
            self.scroll_area.ensureWidgetVisible(first_bad)
            return False
        return True

    # ----------------------------------------------------------------- drafts and case

    def fields(self) -> dict[str, Any]:
        """Everything typed, and the documents, for the draft."""
        return {**self.personal.fields(), "documents": self.documents_box.to_fields()}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore a draft (fields typed, documents marked)."""
        self.personal.load(fields)
        documents = fields.get("documents")
        if isinstance(documents, list):
            self.documents_box.load(documents)

    def prepare_ahead(self) -> bool:
        """One more part of the page: the particulars (made, then placed at the next tick), then the rest, then one
        row of the first case kind's documents (the page is built in idle time; a row costs ~1 ms)."""
        if self._personal is None:
            if self._unplaced is None:
                self._unplaced = ParticularsForm()
            else:
                self._make_particulars()
            return True
        if self._rest is None:
            self._make_rest()
            return True
        made = [row.name for row in self.document_rows]
        missing = [name for name in self._rows_ahead if name not in made]
        if self.case is not None or not missing:
            return False
        self.documents_box.set_documents([*made, missing[0]])
        self._rows_made_ahead = True
        return len(missing) > 1

    def refresh(self, case: CaseView) -> None:
        """Fill from the beneficiary's stored file and the case's documents."""
        self.documents_box.set_listed(case.listed_documents)
        wanted = self.documents_box.listed_names([d.name for d in case.documents])
        if not self.document_rows or (self._rows_made_ahead and [r.name for r in self.document_rows] != wanted):
            self.documents_box.set_documents(wanted)  # rows made ahead kept by name; the case's own kind's
        self._rows_made_ahead = False
        if case.beneficiary is not None:
            self._loading = True
            try:
                self.personal.fill_empty_from(case.beneficiary)
            finally:
                self._loading = False
        if case.documents and self.is_done():
            self.documents_box.show_stored(case.documents)
        self.personal.show_id_kind()
        self.documents_box.update_missing()
        if self.is_done():
            self.duplicate_box.setVisible(False)
        self.correct_button.setVisible(self.is_done() and case.beneficiary is not None)

    def clear_particulars(self) -> None:
        """Empty the particulars (the case now has another beneficiary's file)."""
        self.personal.clear()

    def set_editable(self, editable: bool) -> None:
        """Particulars read-only once verified; the documents stay open to record one brought later."""
        if self._rest is None:
            self._make_rest()  # every part exists before the page's fields are made read-only or not
        super().set_editable(editable)
        self.documents_box.set_editable(self.state is not None and self.state.status == "done")
        self.open_existing.setEnabled(editable)

    def first_field(self) -> QWidget | None:
        """The first empty personal field, else the name."""
        return self.personal.first_empty()

    def printable_documents(self) -> list[str]:
        """The list of missing documents."""
        return ["missing_documents"]

    def next_caption(self) -> str:
        """Verify."""
        return "تأكيد صحة البيانات والمتابعة"

    def particulars(self) -> Any:
        """The particulars as typed, for the service."""
        return self.personal.typed()

    def documents(self) -> list[Any]:
        """The documents as marked, for the service."""
        return self.documents_box.documents()

    def action(self) -> Action | None:
        """Check everything here first (as the service will); then the service records the particulars."""
        if self.imports_running():
            self.show_error("انتظر حتى يكتمل استيراد الصور المرفقة ثم تابع.")
            return None
        if not self.check_all():
            return None
        handler, case_id = self.handler, self.case_id
        particulars, documents = self.personal.typed(), self.documents_box.documents()
        return lambda: handler.complete(case_id, particulars, documents)


def _index_in(field_name: str) -> int | None:
    """The index in "documents[2].valid_until" (None when there is none)."""
    start, end = field_name.find("["), field_name.find("]")
    if 0 <= start < end:
        number = field_name[start + 1 : end]
        if number.isdigit():
            return int(number)
    return None
