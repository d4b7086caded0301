"""Kiosk mode: the survey screen the officer hands to the beneficiary after the service.

Full screen, large type, one question per screen, big face buttons. Decisions recorded here:

* Nothing is stored until the beneficiary presses «إرسال» on the last screen; leaving, a time-out or the
  officer's exit throws the unsent answers away.
* Leaving needs the officer's PIN: Escape, Alt+F4 and the window's close all open the PIN screen (the
  beneficiary can go back to the survey from it); only the right PIN closes the window.
* After `KIOSK_IDLE_TIMEOUT_SECONDS` without a touch or key the kiosk drops the unsent answers and shows the
  officer's lock; the right PIN opens a small officer panel (a new beneficiary, or leave kiosk mode).
* The PIN is checked, and the response stored, through `ui.ops` off the GUI thread (scrypt takes a moment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import isolate, display_digits
from desktop.counting import QUESTIONS, count_phrase, part_of
from desktop.errors import InputError
from desktop.satisfaction.views import (
    KIOSK_IDLE_TIMEOUT_SECONDS,
    PIN_MAX_LENGTH,
    AnswerValue,
    AnswerWay,
    QuestionView,
    SurveyDefinition,
)
from ui.satisfaction.faces import FaceRow, RecommendRow
from ui.satisfaction.pin import PinPad
from ui.ops import run_read, run_write
from ui.satisfaction.style import KIOSK_STYLE

if TYPE_CHECKING:
    from desktop.satisfaction import SurveyService

__all__ = ["KioskWindow", "answer_text"]

RIGHT_NOT_PUNISHMENT = "تقييمك حق لك، ونستعمله لتحسين خدماتنا، لا لمحاسبة أحد أو التشهير به."

#: Events that count as the beneficiary (or officer) still being at the screen.
_ACTIVITY = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.Wheel,
    QEvent.Type.InputMethod,
}


def answer_text(question: QuestionView, value: AnswerValue | None) -> str:
    """How an answer reads back to the beneficiary (the scale's label, the number, or the text)."""
    if value is None or value == "":
        return "لم تُجب"
    if question.kind == "scale5":
        for choice in question.choices:
            if choice.value == value:
                return choice.label_ar
    if question.kind == "recommend10":
        return f"{isolate(display_digits(str(value)))} من {isolate(display_digits('10'))}"
    return str(value)


def _wrapped(text: str, name: str, parent: QWidget, *, centre: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    if centre:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class _QuestionScreen(QWidget):
    """One question on its own screen: the question, the faces (or numbers, or a text box), back and next.

    `sig_changed()` is emitted whenever its answer changes.
    """

    sig_changed = Signal()

    def __init__(self, question: QuestionView, number: int, total: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.last = number == total
        self.setObjectName(f"kiosk_question_{question.question_id}")
        column = QVBoxLayout(self)
        column.setContentsMargins(48, 20, 48, 12)
        column.setSpacing(14)
        progress = f"السؤال {part_of(number, total, QUESTIONS)}"
        if not question.required:
            progress += " — اختياري"
        column.addWidget(_wrapped(progress, "kiosk_progress", self))
        column.addWidget(_wrapped(display_digits(question.text), "kiosk_question", self))
        column.addStretch(1)
        self.faces: FaceRow | None = None
        self.numbers: RecommendRow | None = None
        self.text: QPlainTextEdit | None = None
        if question.kind == "scale5":
            self.faces = FaceRow({c.value: c.label_ar for c in question.choices}, self)
            for button in self.faces.buttons.values():
                font = QFont(button.font())
                font.setPointSize(15)
                button.setFont(font)
            self.faces.setMinimumHeight(260)
            self.faces.sig_chosen.connect(lambda _v: self.sig_changed.emit())
            column.addWidget(self.faces, 3)
        elif question.kind == "recommend10":
            self.numbers = RecommendRow(self)
            self.numbers.sig_chosen.connect(lambda _v: self.sig_changed.emit())
            column.addWidget(self.numbers)
            ends = QHBoxLayout()
            ends.addWidget(_wrapped(f"{display_digits('0')} = {question.min_label_ar or ''}", "kiosk_hint", self,
                                    centre=False))
            ends.addStretch(1)
            ends.addWidget(_wrapped(f"{display_digits('10')} = {question.max_label_ar or ''}", "kiosk_hint", self,
                                    centre=False))
            column.addLayout(ends)
        else:
            self.text = QPlainTextEdit(self)
            self.text.setObjectName("kiosk_free_text")
            self.text.setPlaceholderText("اكتب هنا (اختياري)…")
            self.text.setMinimumHeight(200)
            self.text.textChanged.connect(self.sig_changed.emit)
            column.addWidget(self.text, 3)
        column.addStretch(1)
        self.hint = _wrapped("", "kiosk_hint", self)
        column.addWidget(self.hint)
        nav = QHBoxLayout()
        self.back_button = QPushButton("→ السابق", self)
        self.back_button.setObjectName("kiosk_back")
        self.next_button = QPushButton("التالي ←", self)
        self.next_button.setObjectName("kiosk_next")
        # Right to left: the first widget sits on the right, where "back" belongs.
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        column.addLayout(nav)
        self.sig_changed.connect(self.refresh)
        self.refresh()

    def value(self) -> AnswerValue | None:
        """The answer given on this screen, or None."""
        if self.faces is not None:
            return self.faces.value()
        if self.numbers is not None:
            return self.numbers.value()
        assert self.text is not None
        typed = self.text.toPlainText().strip()
        return typed or None

    def clear(self) -> None:
        """Forget the answer (a new beneficiary)."""
        if self.faces is not None:
            self.faces.set_value(None)
        if self.numbers is not None:
            self.numbers.set_value(None)
        if self.text is not None:
            self.text.clear()
        self.refresh()

    def refresh(self) -> None:
        """Next is enabled once a required question is answered; an unanswered optional one says «تخطي»."""
        answered = self.value() is not None
        self.next_button.setEnabled(answered or not self.question.required)
        forward = "مراجعة الإجابات ←" if self.last else "التالي ←"
        self.next_button.setText(forward if answered or self.question.required else "تخطي ←")
        if self.question.required and not answered:
            self.hint.setText("اختر وجهًا للمتابعة." if self.faces is not None else "اختر إجابة للمتابعة.")
        else:
            self.hint.setText("")


class KioskWindow(QWidget):
    """The beneficiary's full-screen survey; only the officer's PIN closes it.

    Signals: `sig_left()` once the officer's PIN closed it; `sig_recorded()` after a response was stored;
    `sig_locked()` when idle time locked the screen.
    """

    sig_left = Signal()
    sig_recorded = Signal()
    sig_locked = Signal()

    def __init__(
        self,
        service: SurveyService,
        definition: SurveyDefinition,
        *,
        case_id: UUID | None = None,
        idle_seconds: float = KIOSK_IDLE_TIMEOUT_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("kiosk")
        self.setWindowTitle("تقييم الخدمة")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(KIOSK_STYLE)
        self.service = service
        self.definition = definition
        self.case_id = case_id
        self.recorded = 0
        self._may_close = False
        self._pin_purpose = "exit"
        self._return_to: QWidget | None = None
        self._sending = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        bar = QHBoxLayout()
        bar.setContentsMargins(16, 4, 16, 10)
        self.mode_note = QLabel(definition.mode.label_ar, self)
        self.mode_note.setObjectName("kiosk_hint")
        bar.addWidget(self.mode_note)
        bar.addStretch(1)
        self.staff_button = QPushButton("للموظف", self)
        self.staff_button.setObjectName("kiosk_staff")
        self.staff_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.staff_button.clicked.connect(self.request_exit)
        bar.addWidget(self.staff_button)
        outer.addLayout(bar)

        self.welcome = self._build_welcome()
        self.questions = [
            _QuestionScreen(q, i + 1, len(definition.questions), self.stack) for i, q in enumerate(definition.questions)
        ]
        for index, screen in enumerate(self.questions):
            screen.back_button.clicked.connect(lambda _c=False, i=index: self._go_back(i))
            screen.next_button.clicked.connect(lambda _c=False, i=index: self._go_next(i))
            self.stack.addWidget(screen)
        self.review = self._build_review()
        self.thanks = self._build_thanks()
        self.pin_screen = self._build_pin_screen()
        self.officer_panel = self._build_officer_panel()

        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("kiosk_idle_timer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_seconds * 1000))
        self.idle_timer.timeout.connect(self.lock)
        self._thanks_timer = QTimer(self)
        self._thanks_timer.setSingleShot(True)
        self._thanks_timer.setInterval(8000)
        self._thanks_timer.timeout.connect(self._thanks_done)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.show_welcome()

    # ----------------------------------------------------------------- building

    def _screen(self, name: str) -> tuple[QWidget, QVBoxLayout]:
        screen = QWidget(self.stack)
        screen.setObjectName(name)
        column = QVBoxLayout(screen)
        column.setContentsMargins(60, 24, 60, 12)
        column.setSpacing(14)
        self.stack.addWidget(screen)
        return screen, column

    def _build_welcome(self) -> QWidget:
        screen, column = self._screen("kiosk_welcome")
        column.addStretch(1)
        column.addWidget(_wrapped(self.definition.association_name, "kiosk_hint", screen))
        column.addWidget(_wrapped("رأيك يهمّنا: كيف كانت خدمتنا اليوم؟", "kiosk_title", screen))
        column.addWidget(_wrapped(RIGHT_NOT_PUNISHMENT, "kiosk_text", screen))
        column.addWidget(_wrapped(f"{self.definition.mode.label_ar}: {self.definition.mode.explanation_ar}",
                                  "kiosk_mode", screen))
        count = len(self.definition.questions)
        column.addWidget(_wrapped(
            f"تقييم قصير من {count_phrase(count, QUESTIONS, oblique=True)}، سؤال في كل شاشة. "
            "لا يُحفظ شيء حتى تضغط «إرسال» في النهاية.",
            "kiosk_hint", screen))
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_button = QPushButton("ابدأ التقييم", screen)
        self.start_button.setObjectName("kiosk_start")
        self.start_button.clicked.connect(self.start_survey)
        row.addWidget(self.start_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(2)
        return screen

    def _build_review(self) -> QWidget:
        screen, column = self._screen("kiosk_review")
        column.addWidget(_wrapped("راجِع إجاباتك", "kiosk_question", screen))
        column.addWidget(_wrapped("لن يُحفظ تقييمك حتى تضغط «إرسال».", "kiosk_text", screen))
        self.summary = QFrame(screen)
        self.summary.setObjectName("kiosk_summary")
        self.summary_grid = QGridLayout(self.summary)
        self.summary_grid.setContentsMargins(18, 12, 18, 12)
        self.summary_grid.setHorizontalSpacing(28)
        self.summary_grid.setVerticalSpacing(8)
        self.summary_grid.setColumnStretch(0, 3)
        self.summary_grid.setColumnStretch(1, 1)
        summary_scroll = QScrollArea(screen)
        summary_scroll.setWidgetResizable(True)
        summary_scroll.setFrameShape(QFrame.Shape.NoFrame)
        summary_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        summary_scroll.setWidget(self.summary)
        column.addWidget(summary_scroll, 1)
        self.review_error = _wrapped("", "kiosk_error", screen)
        self.review_error.setVisible(False)
        column.addWidget(self.review_error)
        nav = QHBoxLayout()
        self.review_back = QPushButton("→ السابق", screen)
        self.review_back.setObjectName("kiosk_back")
        self.send_button = QPushButton("إرسال", screen)
        self.send_button.setObjectName("kiosk_send")
        nav.addWidget(self.review_back)
        nav.addStretch(1)
        nav.addWidget(self.send_button)
        column.addLayout(nav)
        self.review_back.clicked.connect(lambda: self._show(self.questions[-1]))
        self.send_button.clicked.connect(self.send)
        return screen

    def _build_thanks(self) -> QWidget:
        screen, column = self._screen("kiosk_thanks")
        column.addStretch(1)
        column.addWidget(_wrapped("شكرًا لك، وصل تقييمك.", "kiosk_title", screen))
        column.addWidget(_wrapped("نستفيد من رأيك في تحسين خدماتنا. يمكنك إعادة الجهاز إلى الموظف.", "kiosk_text", screen))
        row = QHBoxLayout()
        row.addStretch(1)
        done = QPushButton("تم", screen)
        done.setObjectName("kiosk_done")
        done.clicked.connect(self._thanks_done)
        row.addWidget(done)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(2)
        return screen

    def _build_pin_screen(self) -> QWidget:
        screen, column = self._screen("kiosk_pin")
        column.addStretch(1)
        # Landscape counter screens: the words on the right, the keypad beside them.
        row = QHBoxLayout()
        row.setSpacing(40)
        words = QVBoxLayout()
        words.setSpacing(14)
        self.pin_title = _wrapped("", "kiosk_question", screen, centre=False)
        self.pin_text = _wrapped("", "kiosk_text", screen, centre=False)
        self.pin_error = _wrapped("", "kiosk_error", screen, centre=False)
        words.addWidget(self.pin_title)
        words.addWidget(self.pin_text)
        words.addWidget(self.pin_error)
        self.resume_button = QPushButton("العودة إلى التقييم", screen)
        self.resume_button.setObjectName("kiosk_resume")
        self.resume_button.clicked.connect(self._resume)
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.resume_button)
        resume_row.addStretch(1)
        words.addLayout(resume_row)
        words.addStretch(1)
        row.addLayout(words, 3)
        self.pin_pad = PinPad(PIN_MAX_LENGTH, screen)
        self.pin_pad.setMaximumWidth(420)
        row.addWidget(self.pin_pad, 2, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)
        column.addStretch(1)
        self.pin_pad.sig_entered.connect(self.check_pin)
        return screen

    def _build_officer_panel(self) -> QWidget:
        screen, column = self._screen("kiosk_officer_panel")
        column.addStretch(1)
        column.addWidget(_wrapped("الموظف", "kiosk_title", screen))
        column.addWidget(_wrapped("لم يُحفظ أي تقييم لم يُرسَل. ماذا تريد الآن؟", "kiosk_text", screen))
        row = QHBoxLayout()
        row.addStretch(1)
        self.new_button = QPushButton("تسليم الشاشة لمستفيد جديد", screen)
        self.new_button.setObjectName("kiosk_new_beneficiary")
        self.new_button.clicked.connect(self.show_welcome)
        self.leave_button = QPushButton("إنهاء وضع التقييم", screen)
        self.leave_button.setObjectName("kiosk_leave")
        self.leave_button.clicked.connect(self.leave)
        row.addWidget(self.new_button)
        row.addWidget(self.leave_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(2)
        return screen

    # ----------------------------------------------------------------- flow

    def _show(self, screen: QWidget) -> None:
        self.stack.setCurrentWidget(screen)
        self.staff_button.setVisible(screen is not self.pin_screen)
        if screen is self.pin_screen:
            self.pin_pad.clear()
        elif isinstance(screen, _QuestionScreen) and screen.text is not None:
            screen.text.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        if screen is not self.pin_screen or self._pin_purpose == "exit":
            self.idle_timer.start()

    def current_screen(self) -> QWidget:
        """The screen on show."""
        screen = self.stack.currentWidget()
        assert screen is not None
        return screen

    def screen_name(self) -> str:
        """The object name of the screen on show (welcome, question_<id>, review, thanks, pin, officer_panel)."""
        return self.current_screen().objectName().removeprefix("kiosk_")

    def show_welcome(self) -> None:
        """The first screen for a beneficiary; any unsent answers are dropped."""
        self.discard()
        self._show(self.welcome)

    def start_survey(self) -> None:
        """Begin at the first question with nothing answered."""
        self.discard()
        self._show(self.questions[0])

    def discard(self) -> None:
        """Forget every unsent answer."""
        for screen in self.questions:
            screen.clear()
        self.review_error.setVisible(False)

    def answers(self) -> dict[str, AnswerValue]:
        """The answers given so far (unanswered questions left out)."""
        result: dict[str, AnswerValue] = {}
        for screen in self.questions:
            value = screen.value()
            if value is not None:
                result[screen.question.question_id] = value
        return result

    def _go_back(self, index: int) -> None:
        self._show(self.questions[index - 1] if index > 0 else self.welcome)

    def _go_next(self, index: int) -> None:
        if index + 1 < len(self.questions):
            self._show(self.questions[index + 1])
        else:
            self._show_review()

    def _show_review(self) -> None:
        while self.summary_grid.count():
            item = self.summary_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for row, screen in enumerate(self.questions):
            question = _wrapped(display_digits(screen.question.text), "kiosk_summary_question", self.summary, centre=False)
            answer = _wrapped(answer_text(screen.question, screen.value()), "kiosk_summary_answer", self.summary,
                              centre=False)
            answer.setProperty("answered", screen.value() is not None)
            # Right to left: column 0 is on the right, the question first and its answer beside it.
            self.summary_grid.addWidget(question, row, 0)
            self.summary_grid.addWidget(answer, row, 1)
        self.send_button.setEnabled(True)
        self._show(self.review)

    def summary_text(self) -> str:
        """The review's lines as the beneficiary reads them (question — answer)."""
        lines = []
        for row in range(self.summary_grid.rowCount()):
            texts = []
            for column in (0, 1):
                cell = self.summary_grid.itemAtPosition(row, column)
                label = cell.widget() if cell is not None else None
                if isinstance(label, QLabel):
                    texts.append(label.text())
            if texts:
                lines.append(" — ".join(texts))
        return "\n".join(lines)

    def send(self) -> None:
        """The beneficiary confirmed: store the response once (off the GUI thread), then thank them."""
        if self._sending:
            return
        self._sending = True
        self.send_button.setEnabled(False)
        answers = self.answers()
        service, case_id = self.service, self.case_id
        run_write(
            self,
            lambda: service.record(answers, way=AnswerWay.KIOSK, case_id=case_id),
            lambda _none: self._sent(),
            self._send_failed,
            where="satisfaction.kiosk_send",
        )

    def _sent(self) -> None:
        self._sending = False
        self.recorded += 1
        self.discard()
        self._show(self.thanks)
        self._thanks_timer.start()
        self.sig_recorded.emit()

    def _send_failed(self, message: str, error: BaseException) -> None:
        """Not stored: the service's own reason, else a plain sentence for the beneficiary (never a technical one)."""
        self._sending = False
        self.send_button.setEnabled(True)
        self.review_error.setText(
            message if isinstance(error, InputError) else "تعذّر حفظ التقييم؛ أعد المحاولة أو أعِد الجهاز إلى الموظف."
        )
        self.review_error.setVisible(True)

    def _thanks_done(self) -> None:
        self._thanks_timer.stop()
        if self.stack.currentWidget() is self.thanks:
            self.show_welcome()

    # ----------------------------------------------------------------- leaving and locking

    def request_exit(self) -> None:
        """Escape, close or «للموظف»: ask for the officer's PIN; the beneficiary may go back to the survey."""
        if self.stack.currentWidget() is self.pin_screen:
            return
        self._return_to = self.stack.currentWidget()
        self._pin_purpose = "exit"
        self.pin_title.setText("إنهاء وضع التقييم")
        self.pin_text.setText("هذه الخطوة للموظف: أدخل رمز الموظف للخروج. إن لم تكن الموظف فاضغط «العودة إلى التقييم».")
        self.pin_error.setText("")
        self.resume_button.setVisible(True)
        self._show(self.pin_screen)

    def lock(self) -> None:
        """No one touched the screen for a while: drop unsent answers and show the officer's lock."""
        if self.stack.currentWidget() is self.pin_screen and self._pin_purpose == "lock":
            return
        self.idle_timer.stop()
        self._thanks_timer.stop()
        self.discard()
        self._return_to = None
        self._pin_purpose = "lock"
        self.pin_title.setText("الشاشة مقفلة")
        self.pin_text.setText(
            "انتهت مهلة الشاشة دون استخدام، فلم يُحفظ أي تقييم غير مكتمل. أدخل رمز الموظف لفتحها."
        )
        self.pin_error.setText("")
        self.resume_button.setVisible(False)
        self._show(self.pin_screen)
        self.sig_locked.emit()

    def _resume(self) -> None:
        target = self._return_to if self._return_to is not None else self.welcome
        self._return_to = None
        self._show(target)

    def check_pin(self, pin: str) -> None:
        """Check the typed PIN off the GUI thread; the right one leaves (or unlocks), a wrong one is said so."""
        if not pin:
            self.pin_error.setText("اكتب رمز الموظف.")
            return
        self.pin_pad.setEnabled(False)
        service = self.service
        run_read(self, lambda: service.check_officer_pin(pin), self._pin_checked, self._pin_failed,
                 where="satisfaction.kiosk_pin")

    def _pin_checked(self, right: bool) -> None:
        self.pin_pad.setEnabled(True)
        if not right:
            self.pin_error.setText("الرمز غير صحيح.")
            self.pin_pad.clear()
            return
        if self._pin_purpose == "exit":
            self.leave()
        else:
            self._show(self.officer_panel)

    def _pin_failed(self, message: str, error: BaseException) -> None:
        self.pin_pad.setEnabled(True)
        self.pin_error.setText(message if isinstance(error, InputError) else "تعذّر التحقق من الرمز؛ أعد المحاولة.")
        self.pin_pad.clear()

    def leave(self) -> None:
        """The officer unlocked: close kiosk mode, dropping any unsent answers."""
        self.discard()
        self.idle_timer.stop()
        self._thanks_timer.stop()
        self._may_close = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.close()
        self.sig_left.emit()

    def is_closing_allowed(self) -> bool:
        """True once the officer's PIN let the kiosk close."""
        return self._may_close

    # ----------------------------------------------------------------- events

    def closeEvent(self, event: QCloseEvent) -> None:
        """Alt+F4 and the window's close button ask for the PIN instead of closing."""
        if self._may_close:
            event.accept()
            return
        event.ignore()
        self.request_exit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape asks for the PIN; it never leaves by itself."""
        if event.key() == Qt.Key.Key_Escape:
            self.request_exit()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any touch or key on the kiosk restarts the idle timer; Escape anywhere in it asks for the PIN."""
        if isinstance(watched, QWidget) and (watched is self or self.isAncestorOf(watched)):
            kind = event.type()
            if kind in _ACTIVITY and self.idle_timer.isActive():
                self.idle_timer.start()
            if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
                self.request_exit()
                return True
        return False
