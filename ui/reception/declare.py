"""The declare step: the filled declaration (إقرار), signed on the pad, on paper (scan attached), or later."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, isolate
from desktop.policy import StepKind
from desktop.reception import DeclareStep, can_defer_signature
from ui.file_dialogs import choose_file_to_open
from ui.ops import run_read, run_write
from ui.reception.base import Action, StepPage, WizardContext
from ui.reception.fields import ErrorLabel, error_label, riyadh_today, wrapped_label
from ui.reception.registry import step_page
from ui.widgets.signature_pad import SignaturePad

if TYPE_CHECKING:
    from desktop.policy import Step
    from desktop.reception import CaseView

PAD, PAPER, LATER = "pad", "paper", "later"


@step_page(StepKind.DECLARE)
class DeclarePage(StepPage[DeclareStep]):
    """Read the declaration to the beneficiary and take the signature (pad, paper, or later for remote intake).

    The declaration's text is read off the GUI thread when the page shows a case (the label says «جارٍ …»
    meanwhile); a paper scan is imported the same way, the attach button disabled until it is in.
    """

    def __init__(self, context: WizardContext, step: Step, handler: DeclareStep, parent: QWidget | None = None) -> None:
        super().__init__(context, step, handler, parent)
        declaration = context.profile.declaration
        self.declaration_title = declaration.title if declaration is not None else "الإقرار"
        self.text_box = QGroupBox(self.declaration_title, self)
        text_layout = QVBoxLayout(self.text_box)
        self.declaration_label = wrapped_label("", self.text_box, name="declaration_text")
        text_layout.addWidget(self.declaration_label)
        from desktop.reception import PRIVACY_ACKNOWLEDGEMENT, PRIVACY_TITLE, privacy_notice

        self.body.addWidget(self.text_box)
        notice = privacy_notice(context.profile)
        self.privacy_box: QGroupBox | None = None
        if notice:  # shown to the applicant before signing (under the pad, the page's work stays in view)
            self.privacy_box = QGroupBox(PRIVACY_TITLE, self)
            self.privacy_box.setObjectName("privacy_notice_box")
            privacy_layout = QVBoxLayout(self.privacy_box)
            privacy_layout.addWidget(wrapped_label("\n".join((*notice, PRIVACY_ACKNOWLEDGEMENT)), self.privacy_box,
                                                   name="privacy_notice"))

        modes = QHBoxLayout()
        self.mode_group = QButtonGroup(self)
        self.mode_pad = QRadioButton("التوقيع على ال&لوحة", self)
        self.mode_paper = QRadioButton("موقّع على ال&ورق (نموذج مطبوع ثم صورته)", self)
        self.mode_later = QRadioButton("التوقيع ل&احقًا (تواصل عن بعد)", self)
        for number, button in enumerate((self.mode_pad, self.mode_paper, self.mode_later)):
            button.setObjectName(f"mode_{(PAD, PAPER, LATER)[number]}")
            self.mode_group.addButton(button, number)
            modes.addWidget(button)
        modes.addStretch(1)
        self.mode_pad.setChecked(True)
        self.body.addLayout(modes)

        # the pad
        self.pad_box = QWidget(self)
        pad_layout = QVBoxLayout(self.pad_box)
        pad_layout.setContentsMargins(0, 0, 0, 0)
        self.pad = SignaturePad(self.pad_box)
        pad_layout.addWidget(self.pad)
        pad_buttons = QHBoxLayout()
        self.undo_button = QPushButton("ت&راجع عن آخر خط", self.pad_box)
        self.undo_button.setObjectName("signature_undo")
        self.clear_button = QPushButton("م&سح التوقيع", self.pad_box)
        self.clear_button.setObjectName("signature_clear")
        pad_buttons.addWidget(self.undo_button)
        pad_buttons.addWidget(self.clear_button)
        pad_buttons.addStretch(1)
        pad_layout.addLayout(pad_buttons)
        self.pad_error = error_label(self.pad_box, "signature", self.pad)
        pad_layout.addWidget(self.pad_error)
        self.body.addWidget(self.pad_box)

        # on paper
        self.paper_box = QWidget(self)
        paper_layout = QVBoxLayout(self.paper_box)
        paper_layout.setContentsMargins(0, 0, 0, 0)
        paper_layout.addWidget(
            wrapped_label(
                display_digits("1) اطبع نموذج الإقرار المعبأ ببيانات المستفيد. 2) يوقّعه المستفيد بخط يده. "
                               "3) امسحه ضوئيًا وأرفق صورته هنا."),
                self.paper_box,
                selectable=False,
            )
        )
        paper_buttons = QHBoxLayout()
        self.print_blank = QPushButton("طباعة نموذج الإقرار المعبأ", self.paper_box)
        self.print_blank.setObjectName("print_blank_declaration")
        self.attach_scan_button = QPushButton("إرفاق صورة الإقرار الموقّع…", self.paper_box)
        self.attach_scan_button.setObjectName("attach_signed_scan")
        paper_buttons.addWidget(self.print_blank)
        paper_buttons.addWidget(self.attach_scan_button)
        paper_buttons.addStretch(1)
        paper_layout.addLayout(paper_buttons)
        self.scan_label = wrapped_label("", self.paper_box, name="signed_scan")
        paper_layout.addWidget(self.scan_label)
        self.paper_error = error_label(self.paper_box, "scan", self.attach_scan_button)
        paper_layout.addWidget(self.paper_error)
        self.body.addWidget(self.paper_box)

        # later
        self.later_box = QWidget(self)
        later_layout = QVBoxLayout(self.later_box)
        later_layout.setContentsMargins(0, 0, 0, 0)
        later_layout.addWidget(
            wrapped_label(
                "يُستكمل الطلب ويُحال إلى اللجنة، ويبقى توقيع الإقرار معلّقًا في ملف الحالة حتى يحضر المستفيد "
                "أو يرسل الإقرار موقّعًا. لا يكتمل التسجيل قبل التوقيع.",
                self.later_box,
                selectable=False,
            )
        )
        self.later_reason = QLineEdit(self.later_box)
        self.later_reason.setObjectName("signature_later_reason")
        self.later_reason.setPlaceholderText("سبب تأجيل التوقيع، مثل: الطلب وصل بالهاتف (مطلوب)")
        later_layout.addWidget(self.later_reason)
        self.later_error = error_label(self.later_box, "reason", self.later_reason)
        later_layout.addWidget(self.later_error)
        self.body.addWidget(self.later_box)

        self.print_signed = QPushButton("طباعة الإقرار الموقّع", self)
        self.print_signed.setObjectName("print_declaration")
        self.print_signed.setProperty("always_enabled", True)
        self.print_signed.setVisible(False)
        self.body.addWidget(self.print_signed)
        if self.privacy_box is not None:  # the profile's privacy notice (PDPL), printed on the declaration too
            self.body.addWidget(self.privacy_box)

        self._scan_path = ""
        self._scan_sha = ""
        self._text_for: tuple[object, ...] | None = None
        self._importing = False
        self._scan_folder = ""
        self.mode_group.idToggled.connect(self._mode_toggled)
        self.undo_button.clicked.connect(self.pad.undo)
        self.clear_button.clicked.connect(self.pad.clear)
        self.pad.sig_changed.connect(self._pad_changed)
        self.print_blank.clicked.connect(self._print_blank)
        self.attach_scan_button.clicked.connect(self._choose_scan)
        self.later_reason.textChanged.connect(lambda _t: self.changed())
        self.later_reason.textChanged.connect(lambda _t: self.later_error.show_message(None))
        self.print_signed.clicked.connect(self._print_signed)
        self._mode_toggled(0, True)

    # ----------------------------------------------------------------- modes

    def mode(self) -> str:
        """The signing mode chosen: pad, paper or later."""
        return (PAD, PAPER, LATER)[max(self.mode_group.checkedId(), 0)]

    def set_mode(self, mode: str) -> None:
        """Choose a signing mode."""
        {PAD: self.mode_pad, PAPER: self.mode_paper, LATER: self.mode_later}[mode].setChecked(True)

    def _mode_toggled(self, _id: int, checked: bool) -> None:
        if not checked:
            return
        mode = self.mode()
        self.pad_box.setVisible(mode == PAD)
        self.paper_box.setVisible(mode == PAPER)
        self.later_box.setVisible(mode == LATER)
        self.changed()

    def remote_intake(self) -> bool:
        """True when the case came on a channel where the beneficiary is not at the desk."""
        if self.case is None:
            return False
        try:
            return can_defer_signature(self.context.profile.channel(self.case.channel_id).kind)
        except KeyError:
            return False

    def _pad_changed(self) -> None:
        self.pad_error.setVisible(False)
        self.changed()

    # ----------------------------------------------------------------- paper

    def _print_blank(self) -> None:
        if self.case is not None:
            self.context.print_document(self.case.case_id, "blank_declaration", button=self.print_blank)

    def _print_signed(self) -> None:
        if self.case is not None:
            self.context.print_document(self.case.case_id, "declaration", button=self.print_signed)

    def _choose_scan(self) -> None:
        path = choose_file_to_open(
            self, "إرفاق صورة الإقرار الموقّع", self._scan_folder,
            "صور ومستندات PDF (*.png *.jpg *.jpeg *.pdf);;كل الملفات (*)",
        )
        if path:
            self._scan_folder = str(Path(path).parent)
            self.attach_scan(Path(path))

    def attach_scan(self, path: Path) -> None:
        """Check and store the signed scan off the GUI thread; shown when it is accepted."""
        self.paper_error.setVisible(False)
        self.scan_label.setText(f"جارٍ استيراد {isolate(path.name)}…")
        self._importing = True
        self.attach_scan_button.setEnabled(False)
        handler = self.handler

        def done(sha256: str) -> None:
            self._importing = False
            self.attach_scan_button.setEnabled(True)
            self._scan_path, self._scan_sha = str(path), sha256
            self.scan_label.setText(f"صورة الإقرار الموقّع: {isolate(path.name)}")
            self.changed()

        def failed(message: str, _error: BaseException) -> None:
            self._importing = False
            self.attach_scan_button.setEnabled(True)
            self._scan_path = ""
            self.scan_label.setText("")
            self._set_error(self.paper_error, message)

        run_write(self, lambda: handler.import_attachment(path), done, failed, where="reception.scan")

    def importing(self) -> bool:
        """True while the scan is being imported."""
        return self._importing

    # ----------------------------------------------------------------- page

    def refresh(self, case: CaseView) -> None:
        """The declaration filled with the beneficiary's data (read off the GUI thread); the modes; the state."""
        self._read_text(case)
        remote = self.remote_intake()
        pending = case.signature_pending
        self.mode_later.setVisible(remote and not pending)
        if (not remote or pending) and self.mode() == LATER:
            self.set_mode(PAD)
        done = self.is_done()
        self.print_signed.setVisible(done)
        if done:
            self.mode_pad.setEnabled(False)
            self.mode_paper.setEnabled(False)
            self.mode_later.setEnabled(False)
            self.pad.set_input_enabled(False)
        else:
            self.pad.set_input_enabled(True)
        if pending:
            self.state_label.setText("◐ توقيع الإقرار معلّق: وقّعه الآن على اللوحة أو أرفق صورة الإقرار الموقّع.")
            self.state_label.setVisible(True)

    def _read_text(self, case: CaseView) -> None:
        """Ask for the declaration's text; shown when it comes (a refusal, e.g. no particulars yet, is shown too).

        The text read is kept for the case's particulars and the day: showing the page again reads nothing."""
        key = (case.case_id, case.beneficiary, riyadh_today())
        if key == self._text_for:
            return
        if not self.declaration_label.text():
            self.declaration_label.setText("جارٍ تجهيز نص الإقرار…")
        handler, case_id = self.handler, case.case_id

        def shown(text: str) -> None:
            if self.case is not None and self.case.case_id == case_id:
                self._text_for = key
                if self.declaration_label.text() != text:
                    self.declaration_label.setText(text)

        def refused(message: str, _error: BaseException) -> None:
            if self.case is not None and self.case.case_id == case_id:
                self.declaration_label.setText(message)

        run_read(self, lambda: handler.text(case_id), shown, refused, where="reception.declaration_text")

    def set_editable(self, editable: bool) -> None:
        """A signed declaration cannot be changed."""
        super().set_editable(editable)
        self.pad.set_input_enabled(editable)
        self.print_blank.setEnabled(True)

    def fields(self) -> dict[str, Any]:
        """Mode, strokes, scan and reason, for the draft."""
        return {
            "mode": self.mode(),
            "strokes": self.pad.strokes(),
            "scan_path": self._scan_path,
            "scan_sha256": self._scan_sha,
            "later_reason": self.later_reason.text(),
        }

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Restore the draft: the signature drawn so far comes back too."""
        mode = str(fields.get("mode", PAD))
        if mode == LATER and self.case is not None and self.case.signature_pending:
            mode = PAD  # deferred already: a case opened again is signed now, never deferred twice
        if mode in (PAD, PAPER, LATER):
            self.set_mode(mode)
        strokes = fields.get("strokes")
        if isinstance(strokes, list):
            self.pad.set_strokes(strokes)
        self._scan_path = str(fields.get("scan_path", ""))
        self._scan_sha = str(fields.get("scan_sha256", ""))
        if self._scan_path:
            self.scan_label.setText(f"صورة الإقرار الموقّع: {isolate(Path(self._scan_path).name)}")
        self.later_reason.setText(str(fields.get("later_reason", "")))

    def _set_error(self, label: ErrorLabel, message: str | None) -> None:
        label.show_message(message)

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Errors under the part of the page they concern."""
        mode = self.mode()
        if mode == PAD and field_name in (None, "signature", "signature_png"):
            self._set_error(self.pad_error, message)
            return True
        if mode == PAPER and field_name in (None, "scan", "scan_path", "attachment"):
            self._set_error(self.paper_error, message)
            return True
        if mode == LATER and field_name in (None, "reason", "channel"):
            self._set_error(self.later_error, message)
            return True
        return False

    def first_field(self) -> QWidget | None:
        """The mode choice (the signature itself needs the pointer)."""
        return self.mode_group.checkedButton()

    def scroll_target(self) -> QWidget | None:
        """The pad with its buttons (the beneficiary signs there)."""
        if self.mode() == PAD and not self.is_done():
            return self.undo_button
        return self.first_field()

    def printable_documents(self) -> list[str]:
        """The signed declaration once done; the blank form before."""
        return ["declaration"] if self.is_done() else ["blank_declaration"]

    def next_caption(self) -> str:
        """What Next does for the chosen mode."""
        return {PAD: "اعتماد التوقيع والمتابعة", PAPER: "اعتماد الإقرار الورقي والمتابعة",
                LATER: "تأجيل التوقيع والمتابعة"}[self.mode()]

    def action(self) -> Action | None:
        """Sign on the pad (refused when empty or a dot), on paper with the scan, or defer the signature."""
        for label in (self.pad_error, self.paper_error, self.later_error):
            label.setVisible(False)
        handler, case_id = self.handler, self.case_id
        mode = self.mode()
        if mode == PAD:
            refusal = self.pad.refusal()
            if refusal:
                self._set_error(self.pad_error, refusal)
                return None
            png = self.pad.png_maker()  # drawn in the operation, off the GUI thread
            return lambda: handler.sign(case_id, png())
        if mode == PAPER:
            if self._importing:
                self._set_error(self.paper_error, "انتظر حتى يكتمل استيراد صورة الإقرار.")
                return None
            if not self._scan_path:
                self._set_error(self.paper_error, "أرفق صورة الإقرار الموقّع على الورق (صورة أو PDF) قبل المتابعة.")
                self.attach_scan_button.setFocus()
                return None
            scan = Path(self._scan_path)
            return lambda: handler.signed_on_paper(case_id, scan)
        reason = self.later_reason.text().strip()
        if not reason:
            self._set_error(self.later_error, "اكتب سبب تأجيل التوقيع.")
            self.later_reason.setFocus()
            return None
        return lambda: handler.defer(case_id, reason)
