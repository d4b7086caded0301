"""The verify page's documents: one row per document (provided, valid until, scan), the missing ones.

The rows are the policy's list for the case's kind (`CaseView.listed_documents`: required or optional, the
date asked only for a document that expires), then any the officer added by name (required, with a date).
An optional document not brought is not missing. A document past its date is a warning (recorded, counted missing), a date that is not a date blocks the step.
A scan is imported into the attachment store off the GUI thread (`run_write`), its row saying «جارٍ استيراد …»
until it is in; the step waits for every import to finish.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, \
    QPushButton, QVBoxLayout, QWidget

from desktop.arabic_text import isolate
from desktop.hijri import format_dual
from desktop.reception import DocumentInput
from ui.file_dialogs import choose_file_to_open
from ui.ops import run_write
from ui.reception.fields import DualDateField, date_text, error_label, riyadh_today, wrapped_label

if TYPE_CHECKING:
    from desktop.reception import DocumentView, ListedDocument


class DocumentRow(QWidget):
    """One required document: provided, valid until, the scan attached; its own inline error.

    Signals: `sig_changed()` after any change; `sig_attach(row)` when the officer asks to attach a scan.
    """

    sig_changed = Signal()
    sig_attach = Signal(object)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.required = True
        self.has_expiry = True
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
        self.error = error_label(self, "document", self.valid_until)
        grid.addWidget(self.provided, 0, 0)
        grid.addWidget(self.valid_until, 0, 1)
        grid.addWidget(self.attach, 0, 2)
        grid.addWidget(self.file_label, 1, 0, 1, 3)
        grid.addWidget(self.error, 2, 0, 1, 3)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        # Open on a finished verify step too (a document brought later): the page's read-only pass leaves them be
        # (it would grey and re-style them for the documents box to undo at once).
        for field in (self.provided, self.valid_until.edit, self.attach):
            field.setProperty("always_enabled", True)
        self.file_label.setVisible(False)
        self.provided.toggled.connect(self._provided_toggled)
        self.valid_until.sig_changed.connect(self._date_changed)
        self.attach.clicked.connect(lambda: self.sig_attach.emit(self))

    def set_listing(self, required: bool, has_expiry: bool) -> None:
        """As the policy lists it: an optional document says so; the date is asked only when it expires."""
        self.required, self.has_expiry = required, has_expiry
        self.provided.setText(self.name if required else f"{self.name} (اختياري)")
        self.valid_until.setVisible(has_expiry)
        self.error.field = self.valid_until if has_expiry else self.provided

    def _provided_toggled(self, _on: bool) -> None:
        """Ticked or not: what is said under the row is checked again (an error it resolved goes)."""
        if self.error.text():
            self.show_check(riyadh_today())
        self.sig_changed.emit()

    def _date_changed(self) -> None:
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
        self.error.show_message(message)
        if bool(self.error.property("warning")) != warning:
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
        """True when a required document is not provided, or a provided one is no longer valid."""
        if not self.provided.isChecked():
            return self.required
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


class DocumentsBox(QGroupBox):
    """«المستندات المطلوبة»: the rows, a document added by name, the missing ones, print and save buttons.

    `importer(path) -> sha256` stores a scan (the verify handler's `import_attachment`); it runs off the GUI
    thread. Signals: `sig_changed()` after a row or the list changed.
    """

    sig_changed = Signal()

    def __init__(self, importer: Callable[[Path], str], parent: QWidget | None = None) -> None:
        super().__init__("المستندات المطلوبة", parent)
        self._importer = importer
        self._imports_running = 0
        self._scan_folder = ""
        self._listed: dict[str, ListedDocument] = {}
        self.rows: list[DocumentRow] = []
        layout = QVBoxLayout(self)
        self._hint = wrapped_label(
            "ضع علامة على كل مستند قدّمه المستفيد، واكتب تاريخ صلاحيته إن كان له تاريخ، وأرفق صورته "
            "(ملف صورة أو PDF من الماسح الضوئي).", self, name="documents_hint", selectable=False,
        )
        layout.addWidget(self._hint)
        self.rows_holder = QVBoxLayout()
        layout.addLayout(self.rows_holder)
        add_row = QHBoxLayout()
        self.other_document = QLineEdit(self)
        self.other_document.setObjectName("other_document")
        self.other_document.setPlaceholderText("اسم مستند آخر يطلبه نوع الخدمة")
        self.add_document = QPushButton("إضافة المستند", self)
        self.add_document.setObjectName("add_document")
        for field in (self.other_document, self.add_document):  # open after the step too (see DocumentRow)
            field.setProperty("always_enabled", True)
        add_row.addWidget(self.other_document, 1)
        add_row.addWidget(self.add_document)
        layout.addLayout(add_row)
        self.missing_label = wrapped_label("", self, name="missing_documents")
        layout.addWidget(self.missing_label)
        buttons = QHBoxLayout()
        self.print_missing = self._button("طباعة قائمة المستندات الناقصة", "print_missing")
        self.save_documents = self._button("حفظ تحديث المستندات", "save_documents")
        self.save_documents.setVisible(False)
        buttons.addWidget(self.save_documents)
        buttons.addWidget(self.print_missing)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.print_hint = wrapped_label(
            "تُطبع قائمة المستندات الناقصة بعد تأكيد البيانات (Enter)، ويمكن تحديث المستندات بعد ذلك.",
            self, name="field_hint", selectable=False,
        )
        layout.addWidget(self.print_hint)
        self.add_document.clicked.connect(self._add_other_document)
        self.other_document.returnPressed.connect(self._add_other_document)
        self.update_missing()

    def _button(self, caption: str, name: str) -> QPushButton:
        button = QPushButton(caption, self)
        button.setObjectName(name)
        button.setProperty("always_enabled", True)
        return button

    # ----------------------------------------------------------------- rows

    def set_documents(self, names: Sequence[str]) -> None:
        """Show one row per document name (existing rows with the same name are kept)."""
        existing = {row.name: row for row in self.rows}
        for row in self.rows:
            self.rows_holder.removeWidget(row)
            if row.name not in names:
                row.hide()
                row.deleteLater()
        self.rows = []
        for name in names:
            row = existing.get(name) or self._new_row(name)
            self.rows_holder.addWidget(row)
            row.show()
            self.rows.append(row)
        self._order_tabs()
        self.update_missing()

    def _order_tabs(self) -> None:
        """Tab goes through the rows in their order (tick, date, scan), then to the document added by name: rows
        are made after the box (in idle time, or for another case kind), and Tab follows the order of making."""
        chain: list[QWidget] = [self._hint]
        for row in self.rows:
            chain += [row.provided, row.valid_until.edit, row.attach]
        chain += [self.other_document, self.add_document]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def set_listed(self, listed: Sequence[ListedDocument]) -> None:
        """The policy's documents for the case's kind: which are optional, which expire (rows shown as listed)."""
        self._listed = {document.name: document for document in listed}
        for row in self.rows:
            self._apply_listing(row)
        self.update_missing()

    def listed_names(self, stored: Sequence[str] = ()) -> list[str]:
        """The policy's documents in its order, then the other documents recorded on the case."""
        return list(self._listed) + [name for name in stored if name not in self._listed]

    def _apply_listing(self, row: DocumentRow) -> None:
        listed = self._listed.get(row.name)
        row.set_listing(listed.required if listed else True, listed.has_expiry if listed else True)

    def _new_row(self, name: str) -> DocumentRow:
        row = DocumentRow(name, self)
        self._apply_listing(row)
        row.sig_changed.connect(self._row_changed)
        row.sig_attach.connect(self._choose_scan)
        return row

    def _row_changed(self) -> None:
        self.update_missing()
        self.sig_changed.emit()

    def _add_other_document(self) -> None:
        name = self.other_document.text().strip()
        if not name or any(row.name == name for row in self.rows):
            return
        self.set_documents([row.name for row in self.rows] + [name])
        self.other_document.clear()
        self.rows[-1].provided.setFocus()
        self.sig_changed.emit()

    def document_row(self, name: str) -> DocumentRow:
        """The row of a document by name."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def update_missing(self) -> None:
        """Say which documents are still missing (not provided or no longer valid)."""
        today = riyadh_today()
        missing = [row.name for row in self.rows if row.missing(today)]
        if missing:
            text = "المستندات الناقصة: " + "، ".join(missing)
        elif not self.rows:
            text = "لا تطلب سياسة الجمعية مستندات لهذا النوع من الحالات؛ أضف مستندًا إن احتاجت إليه الحالة."
        else:
            text = "✓ قدّم المستفيد كل المستندات المطلوبة."
        self.missing_label.setText(text)

    def show_stored(self, documents: Sequence[DocumentView]) -> None:
        """The documents as recorded on the case (after the verify step)."""
        names = self.listed_names([view.name for view in documents])
        if [row.name for row in self.rows] != names:
            self.set_documents(names)
        for view in documents:
            row = self.document_row(view.name)
            row.provided.setChecked(view.provided)
            if view.valid_until is not None:
                row.valid_until.setText(date_text(view.valid_until))
            if view.attachment_sha256 and not row.attachment_path:
                row.file_label.setVisible(True)
                row.file_label.setText("صورة مرفقة محفوظة في ملف الحالة")
        self.update_missing()

    def set_editable(self, verified: bool) -> None:
        """The rows stay open (a document brought later); saving and printing once the step is done."""
        for row in self.rows:
            row.set_editable(True)
        self.other_document.setReadOnly(False)
        self.add_document.setEnabled(True)
        self.save_documents.setVisible(verified)
        self.print_missing.setEnabled(verified)
        self.print_missing.setToolTip(
            "" if verified else "تُطبع القائمة بعد تأكيد البيانات: تُسجَّل المستندات مع التحقق"
        )
        self.print_hint.setVisible(not verified)

    # ----------------------------------------------------------------- values and checks

    def documents(self) -> list[DocumentInput]:
        """The documents as marked, for the service."""
        return [
            DocumentInput(
                name=row.name,
                provided=row.provided.isChecked(),
                valid_until=row.valid_until.text(),
                attachment_path=Path(row.attachment_path) if row.attachment_path else None,
            )
            for row in self.rows
        ]

    def check(self) -> QWidget | None:
        """Show every row's problem or warning; the first row that blocks the step, or None."""
        today = riyadh_today()
        first_bad: QWidget | None = None
        for row in self.rows:
            if row.show_check(today) and first_bad is None:
                first_bad = row.valid_until
        return first_bad

    def to_fields(self) -> list[dict[str, Any]]:
        """The rows for a draft."""
        return [row.to_fields() for row in self.rows]

    def load(self, entries: Sequence[Any]) -> None:
        """Restore the rows of a draft (its list of documents, each marked as it was)."""
        names = [str(d.get("name", "")) for d in entries if isinstance(d, dict) and d.get("name")]
        self.set_documents(names)
        for entry in entries:
            if isinstance(entry, dict) and entry.get("name"):
                self.document_row(str(entry["name"])).load(entry)
        self.update_missing()

    def show_error(self, index: int, message: str | None) -> bool:
        """A refusal about one row (by its position) under it; False when there is no such row."""
        if 0 <= index < len(self.rows):
            self.rows[index].set_error(message)
            return True
        return False

    # ----------------------------------------------------------------- scans

    def _choose_scan(self, row: DocumentRow) -> None:
        """Pick a scan (image or PDF) for a document."""
        path = choose_file_to_open(
            self,
            f"إرفاق صورة «{row.name}»",
            self._scan_folder,
            "صور ومستندات PDF (*.png *.jpg *.jpeg *.pdf);;كل الملفات (*)",
        )
        if path:
            self._scan_folder = str(Path(path).parent)
            self.attach_file(row.name, Path(path))

    def attach_file(self, document_name: str, path: Path) -> None:
        """Import a scan into the attachment store off the GUI thread; on success it is shown on its row."""
        row = self.document_row(document_name)
        row.set_error(None)
        row.file_label.setVisible(True)
        row.file_label.setText(f"جارٍ استيراد {isolate(path.name)}…")
        row.attach.setEnabled(False)
        self._imports_running += 1
        importer = self._importer

        def done(sha256: str) -> None:
            self._imports_running -= 1
            row.attach.setEnabled(True)
            row.set_attachment(str(path), sha256)
            self.sig_changed.emit()

        def failed(message: str, _error: BaseException) -> None:
            self._imports_running -= 1
            row.attach.setEnabled(True)
            row.set_attachment("")
            row.set_error(message)

        run_write(self, lambda: importer(path), done, failed, where="reception.document_scan")

    def imports_running(self) -> bool:
        """True while a scan is being imported."""
        return self._imports_running > 0
