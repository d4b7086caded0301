"""The verify step: the beneficiary's particulars and the required documents, checked as they are typed.

Invalid or expired data is shown under its field in Arabic and blocks the step; the service checks
everything again and its refusal lands under the same field. The list of missing documents can be
printed for the beneficiary to bring them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import isolate, name_tokens, to_latin_digits
from desktop.errors import InputError
from desktop.hijri import format_dual
from desktop.identity import format_mobile_local, normalize_saudi_mobile, validate_saudi_id
from ui.reception.base import StepPage, WizardContext, heading
from ui.reception.fields import DualDateField, FieldForm, date_text, error_label, wrapped_label

if TYPE_CHECKING:
    from desktop.policy import Step
    from desktop.reception import BeneficiaryMatch, CaseView

#: The documents asked for when the service names none for the case.
DEFAULT_DOCUMENTS: tuple[str, ...] = (
    "صورة الهوية الوطنية أو الإقامة",
    "صورة سجل الأسرة",
    "إثبات الدخل (تعريف بالراتب أو برنت الضمان الاجتماعي)",
    "عقد الإيجار أو صك الملكية",
    "صورة الحساب البنكي (الآيبان)",
)

#: Cities offered as the officer types (any other city may be typed).
SAUDI_CITIES: tuple[str, ...] = (
    "الرياض", "جدة", "مكة المكرمة", "المدينة المنورة", "الدمام", "الخبر", "الظهران", "الأحساء", "القطيف",
    "الطائف", "تبوك", "بريدة", "عنيزة", "حائل", "أبها", "خميس مشيط", "جازان", "نجران", "الباحة", "سكاكا",
    "عرعر", "القريات", "ينبع", "الجبيل", "حفر الباطن", "الخرج", "المجمعة", "بئر بن هرماس", "بيشة", "القنفذة",
)

ID_KINDS: tuple[tuple[str, str], ...] = (
    ("", "هوية وطنية أو إقامة"),
    ("other", "وثيقة أخرى (جواز سفر…)"),
)

#: Wait this long after the last key before asking for probable duplicates.
DUPLICATE_DEBOUNCE_MS = 300

_PERSONAL = ("full_name", "id_kind", "id_number", "id_expiry", "birth_date", "mobile", "city", "household_size")


def riyadh_today() -> date:
    """Today's date in Saudi Arabia."""
    from datetime import datetime

    from desktop.hijri import RIYADH

    return datetime.now(RIYADH).date()


class DocumentRow(QWidget):
    """One required document: provided, valid until, the scan attached; its own inline error."""

    sig_changed = Signal()
    sig_attach = Signal(object)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.attachment_path: str = ""
        self.attachment_sha256: str = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.provided = QCheckBox(name, self)
        self.provided.setObjectName("document_provided")
        self.provided.setToolTip("مقدَّم: ضع علامة إذا قدّم المستفيد هذا المستند")
        self.valid_until = DualDateField(self, placeholder="صالح حتى (اختياري)")
        self.valid_until.setObjectName("document_valid_until")
        self.attach = QPushButton("إرفاق صورة…", self)
        self.attach.setObjectName("document_attach")
        self.file_label = QLabel(self)
        self.file_label.setObjectName("document_file")
        self.error = error_label(self, "document")
        grid.addWidget(self.provided, 0, 0)
        grid.addWidget(self.valid_until, 0, 1)
        grid.addWidget(self.attach, 0, 2)
        grid.addWidget(self.file_label, 1, 0, 1, 3)
        grid.addWidget(self.error, 2, 0, 1, 3)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        self.file_label.setVisible(False)
        self.provided.toggled.connect(lambda _on: self.sig_changed.emit())
        self.valid_until.sig_changed.connect(self._date_changed)
        self.attach.clicked.connect(lambda: self.sig_attach.emit(self))

    def _date_changed(self) -> None:
        from ui.reception.verify import riyadh_today

        if self.valid_until.value() is not None or not self.valid_until.text().strip():
            self.show_check(riyadh_today())
        else:
            self.set_error(None)
        self.sig_changed.emit()

    def set_attachment(self, path: str, sha256: str = "") -> None:
        """Show the scan attached to this document."""
        self.attachment_path = path
        self.attachment_sha256 = sha256
        self.file_label.setVisible(bool(path))
        self.file_label.setText(f"الصورة المرفقة: {isolate(Path(path).name)}" if path else "")
        if path:
            self.provided.setChecked(True)

    def set_error(self, message: str | None, *, warning: bool = False) -> None:
        """Show or clear this document's inline error (or, `warning`, a note that does not block)."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.error.setProperty("warning", warning)
        self.error.style().unpolish(self.error)
        self.error.style().polish(self.error)

    def problem(self) -> str | None:
        """Why this document blocks the step (a date that is not a date), or None."""
        text_problem = self.valid_until.problem()
        if text_problem:
            return f"تاريخ صلاحية «{self.name}»: {text_problem}"
        return None

    def warning(self, today: date) -> str | None:
        """An expired document: recorded, but counted as missing (registration waits for a valid one)."""
        value = self.valid_until.value()
        if self.provided.isChecked() and value is not None and value < today:
            return (
                f"«{self.name}» منتهي الصلاحية منذ {format_dual(value)}: يُسجَّل ناقصًا حتى يقدّم المستفيد نسخة سارية"
            )
        return None

    def show_check(self, today: date) -> str | None:
        """Show the row's problem (red) or warning (amber) under it; returns the blocking problem."""
        problem = self.problem()
        self.set_error(problem or self.warning(today), warning=problem is None)
        return problem

    def missing(self, today: date) -> bool:
        """True when the document is not provided or no longer valid."""
        if not self.provided.isChecked():
            return True
        value = self.valid_until.value()
        return value is not None and value < today

    def to_fields(self) -> dict[str, Any]:
        """The row for a draft."""
        return {
            "name": self.name,
            "provided": self.provided.isChecked(),
            "valid_until": self.valid_until.text(),
            "attachment_path": self.attachment_path,
            "attachment_sha256": self.attachment_sha256,
        }

    def load(self, fields: Mapping[str, Any]) -> None:
        """Restore the row from a draft."""
        self.provided.setChecked(bool(fields.get("provided", False)))
        self.valid_until.setText(str(fields.get("valid_until", "")))
        self.set_attachment(str(fields.get("attachment_path", "")), str(fields.get("attachment_sha256", "")))

    def set_editable(self, editable: bool) -> None:
        """Read-only once the step is done."""
        self.provided.setEnabled(editable)
        self.valid_until.edit.setReadOnly(not editable)
        self.attach.setEnabled(editable)


class VerifyPage(StepPage):
    """Match the beneficiary's data and check its validity at the time of submission; documents with it."""

    sig_open_existing = Signal(object)

    def __init__(self, context: WizardContext, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(context, step, parent)
        self.document_rows: list[DocumentRow] = []
        self._scan_folder = ""
        self._imports_running = 0
        self._documents_dirty = False

        personal = QGroupBox("البيانات الشخصية", self)
        personal_layout = QVBoxLayout(personal)
        form = FieldForm(personal)
        self.form = form
        self.full_name = QLineEdit(personal)
        self.full_name.setObjectName("full_name")
        self.full_name.setPlaceholderText("الاسم واسم الأب والجد والعائلة")
        self.full_name.setMaxLength(200)
        form.add("full_name", "الاسم ال&رباعي:", self.full_name, wide=True)
        self.id_number = QLineEdit(personal)
        self.id_number.setObjectName("id_number")
        self.id_number.setPlaceholderText("10 أرقام تبدأ بـ 1 (هوية) أو 2 (إقامة)")
        self.id_number.setMaxLength(20)
        self.id_number.setMaximumWidth(260)
        id_row = QWidget(personal)
        id_layout = QHBoxLayout(id_row)
        id_layout.setContentsMargins(0, 0, 0, 0)
        self.id_kind_label = QLabel(id_row)
        self.id_kind_label.setObjectName("id_kind_label")
        id_layout.addWidget(self.id_number)
        id_layout.addWidget(self.id_kind_label)
        id_layout.addStretch(1)
        id_row.setFocusProxy(self.id_number)
        form.add("id_number", "رقم ال&هوية:", id_row)
        form.editors["id_number"] = self.id_number
        self.id_kind = QComboBox(personal)
        self.id_kind.setObjectName("id_kind")
        self.id_kind.setMaximumWidth(260)
        for value, label in ID_KINDS:
            self.id_kind.addItem(label, value)
        form.add("id_kind", "نوع ال&وثيقة:", self.id_kind)
        self.id_expiry = DualDateField(personal)
        self.id_expiry.setObjectName("id_expiry")
        form.add("id_expiry", "تاريخ ا&نتهاء الهوية:", self.id_expiry)
        self.birth_date = DualDateField(personal)
        self.birth_date.setObjectName("birth_date")
        form.add("birth_date", "تاريخ المي&لاد (اختياري):", self.birth_date)
        self.mobile = QLineEdit(personal)
        self.mobile.setObjectName("mobile")
        self.mobile.setPlaceholderText("05XXXXXXXX")
        self.mobile.setMaxLength(20)
        self.mobile.setMaximumWidth(260)
        form.add("mobile", "ال&جوال:", self.mobile)
        self.city = QLineEdit(personal)
        self.city.setObjectName("city")
        self.city.setMaximumWidth(360)
        completer = QCompleter(list(SAUDI_CITIES), self.city)
        completer.setFilterMode(completer.filterMode().MatchContains)
        self.city.setCompleter(completer)
        form.add("city", "ال&مدينة:", self.city)
        self.household_size = QLineEdit(personal)
        self.household_size.setObjectName("household_size")
        self.household_size.setPlaceholderText("عدد أفراد الأسرة")
        self.household_size.setMaxLength(3)
        self.household_size.setMaximumWidth(120)
        form.add("household_size", "&عدد أفراد الأسرة:", self.household_size)
        personal_layout.addWidget(form)
        self.body.addWidget(personal)

        self.duplicate_box = QWidget(self)
        duplicate_row = QHBoxLayout(self.duplicate_box)
        duplicate_row.setContentsMargins(0, 0, 0, 0)
        self.duplicate_label = wrapped_label("", self.duplicate_box, name="duplicate_warning")
        self.open_existing = QPushButton("فتح الملف الموجود", self.duplicate_box)
        self.open_existing.setObjectName("open_existing")
        duplicate_row.addWidget(self.duplicate_label, 1)
        duplicate_row.addWidget(self.open_existing)
        self.duplicate_box.setVisible(False)
        self.body.addWidget(self.duplicate_box)
        self._duplicates: list[BeneficiaryMatch] = []

        documents = QGroupBox("المستندات المطلوبة", self)
        self.documents_layout = QVBoxLayout(documents)
        self.documents_layout.addWidget(
            wrapped_label(
                "ضع علامة على كل مستند قدّمه المستفيد، واكتب تاريخ صلاحيته إن كان له تاريخ، وأرفق صورته "
                "(ملف صورة أو PDF من الماسح الضوئي).",
                documents,
                name="documents_hint",
            )
        )
        self.rows_holder = QVBoxLayout()
        self.documents_layout.addLayout(self.rows_holder)
        add_row = QHBoxLayout()
        self.other_document = QLineEdit(documents)
        self.other_document.setObjectName("other_document")
        self.other_document.setPlaceholderText("اسم مستند آخر يطلبه نوع الخدمة")
        self.add_document = QPushButton("إضافة المستند", documents)
        self.add_document.setObjectName("add_document")
        add_row.addWidget(self.other_document, 1)
        add_row.addWidget(self.add_document)
        self.documents_layout.addLayout(add_row)
        self.missing_label = wrapped_label("", documents, name="missing_documents")
        self.documents_layout.addWidget(self.missing_label)
        print_row = QHBoxLayout()
        self.print_missing = QPushButton("طباعة قائمة المستندات الناقصة", documents)
        self.print_missing.setObjectName("print_missing")
        self.print_missing.setProperty("always_enabled", True)
        self.save_documents = QPushButton("حفظ تحديث المستندات", documents)
        self.save_documents.setObjectName("save_documents")
        self.save_documents.setProperty("always_enabled", True)
        self.save_documents.setVisible(False)
        print_row.addWidget(self.save_documents)
        print_row.addWidget(self.print_missing)
        print_row.addStretch(1)
        self.documents_layout.addLayout(print_row)
        self.print_hint = wrapped_label(
            "تُطبع قائمة المستندات الناقصة بعد تأكيد البيانات (Enter)، ويمكن تحديث المستندات بعد ذلك.",
            documents, name="field_hint",
        )
        self.documents_layout.addWidget(self.print_hint)
        self.body.addWidget(documents)
        self.body.addWidget(heading("", self))

        self.set_documents(DEFAULT_DOCUMENTS)

        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(DUPLICATE_DEBOUNCE_MS)
        self._duplicate_timer.timeout.connect(self.check_duplicates)

        for name, edit in (
            ("full_name", self.full_name),
            ("id_number", self.id_number),
            ("mobile", self.mobile),
            ("city", self.city),
            ("household_size", self.household_size),
        ):
            edit.textChanged.connect(lambda _t, n=name: self._edited(n))
            edit.editingFinished.connect(lambda n=name: self.check_field(n))
        for name, dual in (("id_expiry", self.id_expiry), ("birth_date", self.birth_date)):
            dual.sig_changed.connect(lambda n=name: self._edited(n))
            dual.edit.editingFinished.connect(lambda n=name: self.check_field(n))
        self.id_kind.currentIndexChanged.connect(lambda _i: self._edited("id_number"))
        self.full_name.textChanged.connect(lambda _t: self._duplicate_timer.start())
        self.mobile.textChanged.connect(lambda _t: self._duplicate_timer.start())
        self.add_document.clicked.connect(self._add_other_document)
        self.other_document.returnPressed.connect(self._add_other_document)
        self.print_missing.clicked.connect(self._print_missing)
        self.save_documents.clicked.connect(lambda: self.update_documents())
        self.open_existing.clicked.connect(self._open_existing)

    # ----------------------------------------------------------------- documents

    def required_document_names(self, case: CaseView | None) -> list[str]:
        """The documents this case asks for: those stored on the case, else the service's list, else defaults."""
        if case is not None and case.documents:
            return [d.name for d in case.documents]
        lister = getattr(self.context.service, "required_documents", None)
        if callable(lister) and case is not None:
            try:
                names = list(lister(case.case_id))
            except Exception:  # noqa: BLE001 - the defaults still let the officer work
                names = []
            if names:
                return names
        return list(DEFAULT_DOCUMENTS)

    def set_documents(self, names: Sequence[str]) -> None:
        """Show one row per document name (existing rows with the same name are kept)."""
        existing = {row.name: row for row in self.document_rows}
        for row in self.document_rows:
            self.rows_holder.removeWidget(row)
            row.setParent(None)
        self.document_rows = []
        for name in names:
            row = existing.get(name) or self._new_row(name)
            self.rows_holder.addWidget(row)
            row.setParent(self.rows_holder.parentWidget())
            row.show()
            self.document_rows.append(row)
        self._update_missing()

    def _new_row(self, name: str) -> DocumentRow:
        row = DocumentRow(name)
        row.sig_changed.connect(self._document_changed)
        row.sig_attach.connect(self._choose_scan)
        return row

    def _document_changed(self) -> None:
        self._update_missing()
        if self.is_done() and not self._loading:
            self._documents_dirty = True
        self.changed()

    def _add_other_document(self) -> None:
        name = self.other_document.text().strip()
        if not name or any(row.name == name for row in self.document_rows):
            return
        self.set_documents([row.name for row in self.document_rows] + [name])
        self.other_document.clear()
        self.document_rows[-1].provided.setFocus()
        self.changed()

    def document_row(self, name: str) -> DocumentRow:
        """The row of a document by name."""
        for row in self.document_rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def _update_missing(self) -> None:
        today = riyadh_today()
        missing = [row.name for row in self.document_rows if row.missing(today)]
        self.missing_label.setText(
            "المستندات الناقصة: " + "، ".join(missing) if missing else "✓ قدّم المستفيد كل المستندات المطلوبة."
        )

    def _choose_scan(self, row: DocumentRow) -> None:
        """Pick a scan (image or PDF) for a document."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            f"إرفاق صورة «{row.name}»",
            self._scan_folder,
            "صور ومستندات PDF (*.png *.jpg *.jpeg *.pdf);;كل الملفات (*)",
        )
        if path:
            self._scan_folder = str(Path(path).parent)
            self.attach_file(row.name, Path(path))

    def attach_file(self, document_name: str, path: Path) -> None:
        """Import a scan into the attachment store in the background; on success it is shown on its row."""
        row = self.document_row(document_name)
        row.set_error(None)
        row.file_label.setVisible(True)
        row.file_label.setText(f"جارٍ استيراد {isolate(path.name)}…")
        self._imports_running += 1
        service = self.context.service

        def done(sha256: object) -> None:
            self._imports_running -= 1
            row.set_attachment(str(path), str(sha256))
            self.changed()

        def failed(error: BaseException) -> None:
            self._imports_running -= 1
            row.set_attachment("")
            row.set_error(getattr(error, "message_ar", None) or f"تعذّر استيراد الملف: {error}")

        self.context.runner.run(lambda: service.import_attachment(path), done, failed)

    def imports_running(self) -> bool:
        """True while a scan is being imported."""
        return self._imports_running > 0

    def _print_missing(self) -> None:
        """The list is made from the documents recorded with the verify step (saved first if changed)."""
        if self.case is None or not self.is_done():
            return
        if self._documents_dirty and not self.update_documents():
            return
        self.context.print_document(self.case.case_id, "missing_documents")

    def update_documents(self) -> bool:
        """After the verify step: record a document brought later, a new scan, a corrected date."""
        if self.case is None:
            return False
        if self.imports_running():
            self.show_error("انتظر حتى يكتمل استيراد الصور المرفقة.")
            return False
        today = riyadh_today()
        if any(row.show_check(today) for row in self.document_rows):
            return False
        try:
            view = self.context.service.record_documents(self.case.case_id, self.documents())
        except InputError as error:
            self.show_error(error.message_ar, error.field)
            return False
        self._documents_dirty = False
        self.sig_case_updated.emit(view)
        self.context.say("✓ حُفظ تحديث المستندات في ملف الحالة.", False)
        return True

    # ----------------------------------------------------------------- duplicates

    def check_duplicates(self) -> None:
        """Warn when a stored beneficiary has a similar name and the same phone (a probable duplicate)."""
        self._duplicate_timer.stop()
        if self.case is not None and self.case.beneficiary is not None:
            self._show_duplicates([])
            return
        name, mobile = self.full_name.text().strip(), self.mobile.text().strip()
        if len(name_tokens(name)) < 2 or not mobile:
            self._show_duplicates([])
            return
        try:
            matches = self.context.service.duplicate_warnings(name, mobile)
        except InputError:
            matches = []
        self._show_duplicates(matches)

    def _show_duplicates(self, matches: Sequence[BeneficiaryMatch]) -> None:
        self._duplicates = list(matches)
        if not matches:
            self.duplicate_box.setVisible(False)
            return
        first = matches[0]
        text = first.warning_ar or (
            f"تنبيه: قد يكون المستفيد مسجلًا من قبل: {first.full_name} — الهوية {isolate(first.id_number)}"
        )
        self.duplicate_label.setText("⚠ " + text)
        self.duplicate_box.setVisible(True)

    def duplicates(self) -> list[BeneficiaryMatch]:
        """The probable duplicates shown."""
        return list(self._duplicates)

    def _open_existing(self) -> None:
        if self._duplicates:
            self.sig_open_existing.emit(self._duplicates[0])

    # ----------------------------------------------------------------- checks

    def _edited(self, name: str) -> None:
        """A field changed: clear its error (checked again when the officer leaves it) and save the draft."""
        self.form.set_error(name, None)
        if name == "id_number":
            self._show_id_kind()
            digits = to_latin_digits(self.id_number.text().strip())
            if len(digits) >= 10:
                self.check_field("id_number")
        if name == "id_expiry":
            self.check_field("id_expiry", quiet_incomplete=True)
        self.changed()

    def _show_id_kind(self) -> None:
        digits = to_latin_digits(self.id_number.text().strip())
        kind = {"1": "هوية وطنية", "2": "إقامة"}.get(digits[:1], "")
        if self.id_kind.currentData() == "other":
            kind = "مستند آخر"
        self.id_kind_label.setText(kind)

    def field_problem(self, name: str) -> str | None:
        """Why one field is not acceptable (Arabic), or None."""
        today = riyadh_today()
        if name == "full_name":
            text = self.full_name.text().strip()
            if not text:
                return "اكتب اسم المستفيد الرباعي"
            if any(ch.isdigit() for ch in text):
                return "الاسم لا يحتوي على أرقام"
            parts = len(name_tokens(text))
            national = self.id_kind.currentData() != "other" and to_latin_digits(self.id_number.text().strip())[:1] == "1"
            if national and parts < 4:
                return "اكتب الاسم رباعيًا: الاسم واسم الأب واسم الجد واسم العائلة"
            if parts < 2:
                return "اكتب الاسم كاملًا: الاسم واسم العائلة على الأقل"
            return None
        if name == "id_number":
            if self.id_kind.currentData() == "other":
                number = "".join(to_latin_digits(self.id_number.text()).split())
                if not (5 <= len(number) <= 10 and number.isascii() and number.isalnum()):
                    return "رقم الوثيقة يجب أن يكون من 5 إلى 10 حروف لاتينية أو أرقام"
                return None
            try:
                validate_saudi_id(self.id_number.text())
            except InputError as error:
                return error.message_ar
            return None
        if name == "id_expiry":
            if not self.id_expiry.text().strip():
                return "اكتب تاريخ انتهاء الهوية (هجري أو ميلادي)"
            problem = self.id_expiry.problem()
            if problem:
                return problem
            value = self.id_expiry.value()
            if value is not None and value < today:
                return f"الهوية منتهية الصلاحية منذ {format_dual(value)}: لا تُقبل هوية منتهية"
            return None
        if name == "birth_date":
            if not self.birth_date.text().strip():
                return None
            problem = self.birth_date.problem()
            if problem:
                return problem
            value = self.birth_date.value()
            if value is not None and value > today:
                return "تاريخ الميلاد في المستقبل: راجع التاريخ"
            return None
        if name == "mobile":
            try:
                normalize_saudi_mobile(self.mobile.text())
            except InputError as error:
                return error.message_ar
            return None
        if name == "household_size":
            text = to_latin_digits(self.household_size.text().strip())
            if not text:
                return None
            if not text.isdigit() or not 1 <= int(text) <= 50:
                return "عدد أفراد الأسرة رقم من 1 إلى 50"
            return None
        return None

    def check_field(self, name: str, *, quiet_incomplete: bool = False) -> str | None:
        """Check one field now and show its error inline; returns the error."""
        problem = self.field_problem(name)
        if quiet_incomplete and problem and name == "id_expiry" and self.id_expiry.value() is None:
            return problem  # still typing the date: say nothing yet
        self.form.set_error(name, problem)
        return problem

    def check_all(self) -> bool:
        """Check every field and document; show every error inline; True when the step may be completed."""
        first_bad: QWidget | None = None
        for name in ("full_name", "id_number", "id_expiry", "birth_date", "mobile", "household_size"):
            if self.check_field(name) and first_bad is None:
                first_bad = self.form.editors[name]
        today = riyadh_today()
        for row in self.document_rows:
            if row.show_check(today) and first_bad is None:
                first_bad = row.valid_until
        if first_bad is not None:
            first_bad.setFocus()
            self.scroll_area.ensureWidgetVisible(first_bad)
            return False
        return True

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """A refusal of the service under its field (documents by name or index)."""
        if field_name in self.form.errors:
            self.form.set_error(field_name, message)
            editor = self.form.editors[field_name]
            editor.setFocus()
            self.scroll_area.ensureWidgetVisible(editor)
            return True
        if field_name and field_name.startswith("documents"):
            index = _index_in(field_name)
            if index is not None and 0 <= index < len(self.document_rows):
                self.document_rows[index].set_error(message)
                return True
        return False

    def field_error(self, name: str) -> str | None:
        """The inline error under a personal-data field, or None."""
        return self.form.error(name)

    # ----------------------------------------------------------------- drafts and case

    def fields(self) -> dict[str, Any]:
        """Everything typed, and the documents, for the draft."""
        values: dict[str, Any] = {
            "full_name": self.full_name.text(),
            "id_kind": self.id_kind.currentData(),
            "id_number": self.id_number.text(),
            "id_expiry": self.id_expiry.text(),
            "birth_date": self.birth_date.text(),
            "mobile": self.mobile.text(),
            "city": self.city.text(),
            "household_size": self.household_size.text(),
            "documents": [row.to_fields() for row in self.document_rows],
        }
        return values

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore a draft (fields typed, documents marked)."""
        for name, edit in (
            ("full_name", self.full_name),
            ("id_number", self.id_number),
            ("mobile", self.mobile),
            ("city", self.city),
            ("household_size", self.household_size),
        ):
            if name in fields:
                edit.setText(str(fields[name]))
        for name, dual in (("id_expiry", self.id_expiry), ("birth_date", self.birth_date)):
            if name in fields:
                dual.setText(str(fields[name]))
        if "id_kind" in fields:
            index = self.id_kind.findData(str(fields["id_kind"] or ""))
            self.id_kind.setCurrentIndex(max(index, 0))
        documents = fields.get("documents")
        if isinstance(documents, list):
            names = [str(d.get("name", "")) for d in documents if isinstance(d, dict) and d.get("name")]
            self.set_documents(names)
            for entry in documents:
                if isinstance(entry, dict) and entry.get("name"):
                    self.document_row(str(entry["name"])).load(entry)
        self._show_id_kind()
        self._update_missing()

    def refresh(self, case: CaseView) -> None:
        """Fill from the beneficiary's stored file and the case's documents."""
        names = self.required_document_names(case)
        shown = [row.name for row in self.document_rows]
        if not shown or (case.documents and self.is_done() and shown != names):
            self.set_documents(names)
        beneficiary = case.beneficiary
        if beneficiary is not None:
            self._loading = True
            try:
                if not self.full_name.text():
                    self.full_name.setText(beneficiary.full_name)
                if not self.id_number.text():
                    self.id_number.setText(beneficiary.id_number)
                if not self.id_expiry.text() and beneficiary.id_expiry is not None:
                    self.id_expiry.setText(date_text(beneficiary.id_expiry))
                if not self.birth_date.text() and beneficiary.birth_date is not None:
                    self.birth_date.setText(date_text(beneficiary.birth_date))
                if not self.mobile.text() and beneficiary.mobile:
                    self.mobile.setText(format_mobile_local(beneficiary.mobile).replace(" ", ""))
                if not self.city.text() and beneficiary.city:
                    self.city.setText(beneficiary.city)
                if not self.household_size.text() and beneficiary.household_size is not None:
                    self.household_size.setText(str(beneficiary.household_size))
                if beneficiary.id_kind == "other":
                    self.id_kind.setCurrentIndex(max(self.id_kind.findData("other"), 0))
            finally:
                self._loading = False
        if case.documents and self.is_done():
            for view in case.documents:
                try:
                    row = self.document_row(view.name)
                except KeyError:
                    continue
                row.provided.setChecked(view.provided)
                if view.valid_until is not None:
                    row.valid_until.setText(date_text(view.valid_until))
                if view.attachment_sha256 and not row.attachment_path:
                    row.file_label.setVisible(True)
                    row.file_label.setText("صورة مرفقة محفوظة في ملف الحالة")
        self._show_id_kind()
        self._update_missing()
        if self.is_done():
            self.duplicate_box.setVisible(False)

    def set_editable(self, editable: bool) -> None:
        """Particulars read-only once verified; the documents stay open to record one brought later."""
        super().set_editable(editable)
        for row in self.document_rows:
            row.set_editable(True)
        self.other_document.setReadOnly(False)
        self.add_document.setEnabled(True)
        self.open_existing.setEnabled(editable)
        done = self.state is not None and self.state.status == "done"
        self.save_documents.setVisible(done)
        self.print_missing.setEnabled(done)
        self.print_missing.setToolTip("" if done else "تُطبع القائمة بعد تأكيد البيانات: تُسجَّل المستندات مع التحقق")
        self.print_hint.setVisible(not done)

    def first_field(self) -> QWidget | None:
        """The first empty personal field, else the name."""
        for name in _PERSONAL:
            editor = self.form.editors.get(name)
            if isinstance(editor, QLineEdit) and not editor.text():
                return editor
            if isinstance(editor, DualDateField) and not editor.text():
                return editor.edit
        return self.full_name

    def printable_documents(self) -> list[str]:
        """The list of missing documents."""
        return ["missing_documents"]

    def next_caption(self) -> str:
        """Verify."""
        return "تأكيد صحة البيانات والمتابعة"

    def particulars(self) -> Any:
        """The particulars as typed, for the service."""
        from desktop.reception import ParticularsInput

        return ParticularsInput(
            full_name=self.full_name.text(),
            id_number=self.id_number.text(),
            id_expiry=self.id_expiry.text(),
            birth_date=self.birth_date.text(),
            mobile=self.mobile.text(),
            city=self.city.text(),
            household_size=self.household_size.text(),
            id_kind=str(self.id_kind.currentData() or ""),
        )

    def documents(self) -> list[Any]:
        """The documents as marked, for the service."""
        from desktop.reception import DocumentInput

        return [
            DocumentInput(
                name=row.name,
                provided=row.provided.isChecked(),
                valid_until=row.valid_until.text(),
                attachment_path=Path(row.attachment_path) if row.attachment_path else None,
            )
            for row in self.document_rows
        ]

    def complete(self) -> CaseView | None:
        """Check everything here first; then the service checks again and records the particulars."""
        assert self.case is not None
        if self.imports_running():
            self.show_error("انتظر حتى يكتمل استيراد الصور المرفقة ثم تابع.")
            return None
        if not self.check_all():
            return None
        return self.context.service.complete_verify(self.case.case_id, self.particulars(), self.documents())


def _index_in(field_name: str) -> int | None:
    """The index in "documents[2].valid_until" (None when there is none)."""
    start, end = field_name.find("["), field_name.find("]")
    if 0 <= start < end:
        number = field_name[start + 1 : end]
        if number.isdigit():
            return int(number)
    return None
