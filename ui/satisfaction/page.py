"""The «رضا المستفيدين» section: the kiosk for the beneficiary, phone entry, printed slips, corrective actions."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, isolate, ltr
from desktop.counting import RESPONSES, count_phrase
from desktop.hijri import format_dual, local_date
from desktop.reports import DashboardService
from desktop.satisfaction import AnonymityMode, AnswerWay, Slip, SurveyService
from desktop.satisfaction.views import (
    KIOSK_IDLE_TIMEOUT_SECONDS,
    PIN_MAX_LENGTH,
    PIN_MIN_LENGTH,
    SurveyDefinition,
)
from ui.ops import run_read, run_write
from ui.printing import PrintController
from ui.satisfaction.actions import CorrectiveActionsPanel
from ui.satisfaction.forms import AnswerForm, CaseField
from ui.satisfaction.kiosk import KioskWindow
from ui.satisfaction.pin import SetPinDialog
from ui.satisfaction.style import SATISFACTION_STYLE

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["SatisfactionPage"]

RIGHT_SENTENCE = "تقييم الخدمة حق للمستفيد وأداة لتحسينها، لا للعقاب أو التشهير."
OFFICER_SENTENCE = "لا تُعرض نتائج موظف بعينه إلا للمدير، مجمّعةً ومن خمسة تقييمات فأكثر."
LOADING_TEXT = "جارٍ تحميل استبيان الجمعية…"


@dataclass(frozen=True, slots=True)
class _Opening:
    """What the page is drawn from, read off the GUI thread: the policy's survey and whether a PIN is set."""

    definition: SurveyDefinition
    has_pin: bool


def mode_sentence(mode: AnonymityMode) -> str:
    """What the banner says about the anonymity mode in force (rich text)."""
    text = f"<b>{mode.label_ar}</b> — {mode.explanation_ar}<br>{RIGHT_SENTENCE}"
    if mode is AnonymityMode.LINKED_TO_OFFICER:
        text += f" {OFFICER_SENTENCE}"
    return text


def _message(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName("form_message")
    label.setWordWrap(True)
    return label


def _say(label: QLabel, text: str, error: bool = False) -> None:
    label.setText(text)
    label.setProperty("error", error)
    label.style().unpolish(label)
    label.style().polish(label)


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("section_note")
    label.setWordWrap(True)
    return label


def _scrolled(inner: QWidget, parent: QWidget) -> QScrollArea:
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(inner)
    return scroll


class SatisfactionPage(QWidget):
    """Satisfaction measurement at the desk: which anonymity mode is active, and three ways to answer.

    The survey is read from the policy off the GUI thread; until it arrives the page says «جارٍ تحميل…»
    and `ready` is False. Signals: `sig_ready()` once the page is drawn from the survey; `sig_recorded(way)`
    (an `AnswerWay` value) after each stored response.
    """

    sig_recorded = Signal(str)
    sig_ready = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        """The page for `workspace`; its survey is read in the background (`sig_ready` when drawn)."""
        super().__init__(parent)
        self.setObjectName("satisfaction_page")
        self.setStyleSheet(SATISFACTION_STYLE)
        self.workspace = workspace
        self.service = SurveyService(workspace)
        self.printer = PrintController(self)
        self.ready = False
        self.kiosk: KioskWindow | None = None
        self.kiosk_idle_seconds: float = KIOSK_IDLE_TIMEOUT_SECONDS
        self.pin_dialog: SetPinDialog | None = None
        self.slip: Slip | None = None
        self.slip_path: Path | None = None
        self._slip_folder = tempfile.TemporaryDirectory(prefix="mustafid-slips-")
        self.recorded: dict[str, int] = {way.value: 0 for way in AnswerWay}

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(20, 14, 20, 10)
        self._layout.setSpacing(8)
        heading = QLabel("رضا المستفيدين", self)
        heading.setObjectName("page_title")
        self._layout.addWidget(heading)
        self.loading = _note(LOADING_TEXT, self)
        self.loading.setObjectName("page_loading")
        self._layout.addWidget(self.loading)
        self._loading_space = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)
        self._layout.addItem(self._loading_space)
        service = self.service
        run_read(
            self,
            lambda: _Opening(service.survey(), service.has_officer_pin()),
            self._opened,
            lambda message, _error: self.loading.setText(message),
            where="satisfaction.open",
        )

    def _opened(self, opening: _Opening) -> None:
        """The survey arrived: draw the mode banner and the four tabs from it."""
        self.definition = opening.definition
        self.mode = opening.definition.mode
        layout = self._layout
        layout.removeItem(self._loading_space)
        self.loading.setVisible(False)
        self.mode_banner = QLabel(mode_sentence(self.mode), self)
        self.mode_banner.setObjectName("mode_banner")
        self.mode_banner.setWordWrap(True)
        self.mode_banner.setProperty("linked", self.mode is not AnonymityMode.ANONYMOUS)
        layout.addWidget(self.mode_banner)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("satisfaction_tabs")
        self.tabs.addTab(self._build_kiosk_tab(opening.has_pin), "شاشة التقييم للمستفيد")
        self.tabs.addTab(self._build_phone_tab(), "تقييم بالهاتف")
        self.tabs.addTab(self._build_slip_tab(), "القسيمة المطبوعة")
        self.actions_panel = CorrectiveActionsPanel(DashboardService(self.workspace), self)
        self.tabs.addTab(self.actions_panel, "الإجراءات التصحيحية")
        layout.addWidget(self.tabs, 1)
        self.ready = True
        self.sig_ready.emit()

    # ----------------------------------------------------------------- kiosk

    def _build_kiosk_tab(self, has_pin: bool) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(12)
        minutes = KIOSK_IDLE_TIMEOUT_SECONDS
        column.addWidget(_note(
            "بعد انتهاء الخدمة سلّم الشاشة للمستفيد ليقيّمها بنفسه: تملأ الشاشة كلها بخط كبير وأزرار وجوه "
            "تناسب اللمس، سؤالًا في كل شاشة، ولا يُحفظ شيء حتى يضغط «إرسال». "
            "لا يُخرج من وضع التقييم إلا برمز الموظف، وإن تُركت الشاشة "
            f"{isolate(display_digits(str(minutes)))} ثانية دون استخدام أُقفلت ولم يُحفظ التقييم غير المكتمل.",
            tab))
        self.kiosk_case = CaseField(self.workspace, tab)
        self.kiosk_case.active = self.mode is not AnonymityMode.ANONYMOUS
        self.kiosk_case.setVisible(self.kiosk_case.active)
        column.addWidget(self.kiosk_case)
        row = QHBoxLayout()
        self.start_kiosk_button = QPushButton("بدء وضع التقييم", tab)
        self.start_kiosk_button.setObjectName("start_kiosk")
        self.start_kiosk_button.clicked.connect(self.start_kiosk)
        row.addWidget(self.start_kiosk_button)
        self.change_pin_button = QPushButton("تغيير رمز الموظف…", tab)
        self.change_pin_button.setObjectName("change_pin")
        self.change_pin_button.clicked.connect(lambda: self.open_pin_dialog(changing=True))
        row.addWidget(self.change_pin_button)
        row.addStretch(1)
        column.addLayout(row)
        self.pin_state = _note("", tab)
        self.pin_state.setObjectName("pin_state")
        column.addWidget(self.pin_state)
        self.kiosk_message = _message(tab)
        column.addWidget(self.kiosk_message)
        column.addStretch(1)
        self._show_pin_state(has_pin)
        return tab

    def _show_pin_state(self, has_pin: bool) -> None:
        self._has_pin = has_pin
        if has_pin:
            self.pin_state.setText("رمز الموظف معيَّن. لا تُطلع عليه المستفيد.")
        else:
            self.pin_state.setText("لم يُعيَّن رمز الموظف بعد: سيُطلب منك تعيينه قبل أول تسليم للشاشة.")

    def open_pin_dialog(self, *, changing: bool = False, then_start: bool = False) -> SetPinDialog:
        """Let the officer set (or change) the kiosk PIN; non-blocking."""
        dialog = SetPinDialog(self.service.set_officer_pin, PIN_MIN_LENGTH, PIN_MAX_LENGTH, self, changing=changing)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def saved() -> None:
            self._show_pin_state(True)
            _say(self.kiosk_message, "✓ حُفظ رمز الموظف.")
            if then_start:
                self.start_kiosk()

        dialog.accepted.connect(saved)
        self.pin_dialog = dialog
        dialog.open()
        return dialog

    def start_kiosk(self) -> None:
        """Hand the screen to the beneficiary: full-screen kiosk (the officer sets a PIN first if none is set).

        Whether a PIN is set was read with the survey (and is kept as the officer sets one); a typed case
        number is looked up off the GUI thread, with the button disabled meanwhile.
        """
        if self.kiosk is not None:
            self.kiosk.raise_()
            return
        if not self._has_pin:
            self.open_pin_dialog(then_start=True)
            return
        number = self.kiosk_case.number()
        if not number:
            self._open_kiosk(None)
            return
        lookup = self.kiosk_case.lookup
        self.start_kiosk_button.setEnabled(False)

        def found(case_id: UUID | None) -> None:
            self.start_kiosk_button.setEnabled(True)
            self._open_kiosk(case_id)

        def failed(message: str, _error: BaseException) -> None:
            self.start_kiosk_button.setEnabled(True)
            _say(self.kiosk_message, message, True)

        run_read(self, lambda: lookup(number), found, failed, where="satisfaction.start_kiosk")

    def _open_kiosk(self, case_id: UUID | None) -> None:
        kiosk = KioskWindow(
            self.service, self.definition,
            case_id=case_id,
            idle_seconds=self.kiosk_idle_seconds, parent=self,
        )
        kiosk.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        kiosk.sig_recorded.connect(lambda: self._recorded(AnswerWay.KIOSK))
        kiosk.sig_left.connect(self._kiosk_left)
        self.kiosk = kiosk
        _say(self.kiosk_message, "وضع التقييم مفتوح على الشاشة.")
        kiosk.showFullScreen()
        kiosk.activateWindow()

    def _kiosk_left(self) -> None:
        kiosk = self.kiosk
        count = kiosk.recorded if kiosk is not None else 0
        self.kiosk = None
        self.kiosk_case.clear()
        _say(self.kiosk_message,
             f"انتهى وضع التقييم. سُجّل فيه {isolate(count_phrase(count, RESPONSES))}.")

    def _recorded(self, way: AnswerWay) -> None:
        self.recorded[way.value] += 1
        self.sig_recorded.emit(way.value)

    # ----------------------------------------------------------------- phone

    def _build_phone_tab(self) -> QWidget:
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(8)
        column.addWidget(_note(
            "اقرأ على المستفيد كل سؤال كما هو مكتوب وخيارات الإجابة، وسجّل إجابته هو دون أن تضيف رأيك. "
            "أخبره أن تقييمه حق له ويُستعمل للتحسين لا للمحاسبة.", inner))
        self.phone_case = CaseField(self.workspace, inner)
        self.phone_case.active = self.mode is not AnonymityMode.ANONYMOUS
        self.phone_case.setVisible(self.phone_case.active)
        column.addWidget(self.phone_case)
        self.phone_form = AnswerForm(self.definition, inner)
        self.phone_form.setObjectName("phone_form")
        column.addWidget(self.phone_form)
        row = QHBoxLayout()
        self.phone_save = QPushButton("حفظ التقييم", inner)
        self.phone_save.setObjectName("save_phone_survey")
        self.phone_save.clicked.connect(self.save_phone)
        self.phone_clear = QPushButton("تفريغ النموذج", inner)
        self.phone_clear.setObjectName("clear_phone_survey")
        self.phone_clear.clicked.connect(self.phone_form.clear)
        row.addWidget(self.phone_save)
        row.addWidget(self.phone_clear)
        row.addStretch(1)
        column.addLayout(row)
        self.phone_message = _message(inner)
        column.addWidget(self.phone_message)
        column.addStretch(1)
        return _scrolled(inner, self)

    def save_phone(self) -> None:
        """Record the answers taken over the phone (off the GUI thread); the form empties once saved."""
        if self.phone_form.missing_required():
            _say(self.phone_message, "أكمل الأسئلة المطلوبة قبل الحفظ.", True)
            return
        answers = self.phone_form.answers()
        number = self.phone_case.number()
        lookup, service = self.phone_case.lookup, self.service
        self.phone_save.setEnabled(False)

        def work() -> None:
            service.record(answers, way=AnswerWay.PHONE, case_id=lookup(number))

        def done(_none: None) -> None:
            self.phone_save.setEnabled(True)
            self.phone_form.clear()
            self.phone_case.clear()
            self._recorded(AnswerWay.PHONE)
            _say(self.phone_message, f"✓ سُجّل التقييم ({self.mode.label_ar}).")

        def failed(message: str, error: BaseException) -> None:
            self.phone_save.setEnabled(True)
            self.phone_form.show_error(getattr(error, "field", None), message)
            _say(self.phone_message, message, True)

        run_write(self, work, done, failed, where="satisfaction.save_phone")

    # ----------------------------------------------------------------- slips

    def _build_slip_tab(self) -> QWidget:
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(10)

        issue_box = QGroupBox("طباعة قسيمة تقييم يأخذها المستفيد", inner)
        issue = QVBoxLayout(issue_box)
        issue.addWidget(_note(
            "للمستفيد الذي يفضّل التقييم لاحقًا: قسيمة فيها الأسئلة ورمز QR ورمز قصير يُستعمل مرة واحدة. "
            "إذا أعادها مكتوبة فأدخل إجاباتها برمزها في الجزء الأدنى.", issue_box))
        self.slip_case = CaseField(self.workspace, issue_box)
        self.slip_case.active = self.mode is not AnonymityMode.ANONYMOUS
        self.slip_case.setVisible(self.slip_case.active)
        issue.addWidget(self.slip_case)
        row = QHBoxLayout()
        self.issue_button = QPushButton("إصدار قسيمة ومعاينة طباعتها", issue_box)
        self.issue_button.setObjectName("issue_slip")
        self.issue_button.clicked.connect(self.issue_slip)
        self.reprint_button = QPushButton("طباعة القسيمة مرة أخرى", issue_box)
        self.reprint_button.setObjectName("reprint_slip")
        self.reprint_button.setEnabled(False)
        self.reprint_button.clicked.connect(self.print_slip)
        row.addWidget(self.issue_button)
        row.addWidget(self.reprint_button)
        row.addStretch(1)
        issue.addLayout(row)
        code_row = QHBoxLayout()
        self.slip_code_label = QLabel("", issue_box)
        self.slip_code_label.setObjectName("slip_code")
        self.slip_code_label.setVisible(False)
        self.slip_code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        code_row.addWidget(self.slip_code_label)
        code_row.addStretch(1)
        issue.addLayout(code_row)
        self.slip_message = _message(issue_box)
        issue.addWidget(self.slip_message)
        column.addWidget(issue_box)

        entry_box = QGroupBox("إدخال قسيمة أعادها المستفيد", inner)
        entry = QVBoxLayout(entry_box)
        code_line = QHBoxLayout()
        code_label = QLabel("رمز القسيمة:", entry_box)
        self.slip_code_edit = QLineEdit(entry_box)
        self.slip_code_edit.setObjectName("slip_code_entry")
        self.slip_code_edit.setPlaceholderText(ltr("ABCD-EFGH"))
        self.slip_code_edit.setMaximumWidth(200)
        self.slip_code_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        code_label.setBuddy(self.slip_code_edit)
        self.check_code_button = QPushButton("تحقق من الرمز", entry_box)
        self.check_code_button.setObjectName("check_slip_code")
        self.check_code_button.clicked.connect(self.check_slip_code)
        self.slip_code_edit.returnPressed.connect(self.check_slip_code)
        code_line.addWidget(code_label)
        code_line.addWidget(self.slip_code_edit)
        code_line.addWidget(self.check_code_button)
        code_line.addStretch(1)
        entry.addLayout(code_line)
        self.slip_state = _message(entry_box)
        entry.addWidget(self.slip_state)
        self.slip_form = AnswerForm(self.definition, entry_box)
        self.slip_form.setObjectName("slip_form")
        entry.addWidget(self.slip_form)
        save_row = QHBoxLayout()
        self.slip_save = QPushButton("حفظ إجابات القسيمة", entry_box)
        self.slip_save.setObjectName("save_slip_answers")
        self.slip_save.clicked.connect(self.save_slip)
        save_row.addWidget(self.slip_save)
        save_row.addStretch(1)
        entry.addLayout(save_row)
        self.slip_entry_message = _message(entry_box)
        entry.addWidget(self.slip_entry_message)
        column.addWidget(entry_box)
        column.addStretch(1)
        return _scrolled(inner, self)

    def issue_slip(self) -> None:
        """Issue a new slip code (a write), then draw its PDF (a read), then open the print preview."""
        number = self.slip_case.number()
        lookup, service, folder = self.slip_case.lookup, self.service, Path(self._slip_folder.name)
        self.issue_button.setEnabled(False)
        _say(self.slip_message, "جارٍ تجهيز القسيمة…")

        def draw(slip: Slip) -> tuple[Slip, Path]:
            path = folder / f"slip-{slip.code}.pdf"
            path.write_bytes(service.slip_pdf(slip))
            return slip, path

        def issued(slip: Slip) -> None:
            run_read(self, lambda: draw(slip), done, failed, where="satisfaction.slip_pdf")

        def done(result: tuple[Slip, Path]) -> None:
            slip, path = result
            self.issue_button.setEnabled(True)
            self.slip, self.slip_path = slip, path
            self.slip_case.clear()
            self.slip_code_label.setText(f"رمز القسيمة: {isolate(slip.display_code)}")
            self.slip_code_label.setVisible(True)
            self.reprint_button.setEnabled(True)
            _say(self.slip_message, "✓ صدرت القسيمة. سلّمها للمستفيد بعد طباعتها؛ رمزها يُستعمل مرة واحدة.")
            self.print_slip()

        def failed(message: str, _error: BaseException) -> None:
            self.issue_button.setEnabled(True)
            _say(self.slip_message, message, True)

        run_write(self, lambda: service.issue_slip(lookup(number)), issued, failed, where="satisfaction.issue_slip")

    def print_slip(self) -> None:
        """Preview and print the last slip issued."""
        if self.slip_path is not None and self.slip is not None:
            self.printer.print_pdf(self.slip_path, f"قسيمة تقييم {self.slip.display_code}")

    def check_slip_code(self) -> None:
        """Say whether the typed code is a slip still waiting for its answers."""
        code = self.slip_code_edit.text()
        service = self.service
        self.check_code_button.setEnabled(False)

        def failed(message: str, _error: BaseException) -> None:
            self.check_code_button.setEnabled(True)
            _say(self.slip_state, message, True)

        run_read(self, lambda: service.slip(code), self._slip_checked, failed, where="satisfaction.check_slip")

    def _slip_checked(self, slip: Slip) -> None:
        self.check_code_button.setEnabled(True)
        issued = format_dual(local_date(slip.issued_at))
        if slip.used_at is not None:
            _say(self.slip_state, f"أُدخلت إجابات القسيمة {isolate(slip.display_code)} من قبل "
                                  f"({format_dual(local_date(slip.used_at))})؛ لا تُقبل مرة ثانية.", True)
        else:
            _say(self.slip_state, f"✓ القسيمة {isolate(slip.display_code)} صادرة في {issued} ولم تُدخل بعد. "
                                  "انقل إجاباتها كما كتبها المستفيد.")

    def save_slip(self) -> None:
        """Record a returned slip's answers under its code (off the GUI thread)."""
        code = self.slip_code_edit.text().strip()
        if not code:
            _say(self.slip_entry_message, "اكتب رمز القسيمة كما هو مطبوع عليها.", True)
            return
        if self.slip_form.missing_required():
            _say(self.slip_entry_message, "أكمل الأسئلة المطلوبة كما أجاب عنها المستفيد.", True)
            return
        answers = self.slip_form.answers()
        service = self.service
        self.slip_save.setEnabled(False)

        def done(_none: None) -> None:
            self.slip_save.setEnabled(True)
            self.slip_form.clear()
            self.slip_code_edit.clear()
            _say(self.slip_state, "")
            self._recorded(AnswerWay.SLIP)
            _say(self.slip_entry_message, f"✓ سُجّلت إجابات القسيمة {isolate(code.upper())}.")

        def failed(message: str, error: BaseException) -> None:
            self.slip_save.setEnabled(True)
            self.slip_form.show_error(getattr(error, "field", None), message)
            _say(self.slip_entry_message, message, True)

        run_write(self, lambda: service.record_slip(code, answers), done, failed, where="satisfaction.save_slip")
