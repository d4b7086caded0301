"""The reception wizard: the start of a contact, one page per policy step in order, and the summary.

Keyboard first: Enter (or Alt+N, Ctrl+Enter in a text box) does the page's step and goes on, Alt+B goes
back to look at an earlier page, Ctrl+P prints the page's document. Every change is saved as a draft
300 ms after the last key (one `save_draft` per page), so a crash or a killed process loses nothing;
`resume(case_id)` brings the fields back. The widgets hold only the service's frozen views (no ORM).

Nothing here calls the service on the GUI thread: a step's action, the contact's start, a resume, a draft
saved or read, an abandonment all go through `ui.ops` (writes in order on the one writer, reads beside it).
While a step is being recorded the Next button is disabled (a second Enter records nothing twice) and after a
moment the line under the page says «جارٍ …»; a refusal comes back in Arabic under its field. The page of a
step kind comes from `ui.reception.registry` and is given its handler from the service's registry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QCoreApplication, QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import identifier_text, isolate
from desktop.policy import StepKind
from desktop.reception import case_words, Procedure, procedure_of, STEP_HANDLERS, UNFINISHED
from ui.ops import operations, run_read, run_write
from ui.input_safety import DiscardQuestion, ask_to_discard, has_typed
from ui.printing import PrintController
from ui.reception import declare, rescue, steps, verify  # noqa: F401 - each module registers its pages
from ui.reception.base import Action, StepPage, WizardContext
from ui.reception.checklist import ChecklistEntry, ChecklistPanel
from ui.reception.contact import ContactPage
from ui.reception.lifecycle import AbandonDialog, LeaveChoice, OpenCaseDialog, UnfinishedReceptionDialog
from ui.reception.registry import page_class
from ui.reception.summary import SummaryPage

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile, Step
    from desktop.reception import BeneficiaryMatch, CaseView, ReceptionService

#: Wait this long after the last change before saving the draft.
DRAFT_DEBOUNCE_MS = 300

#: Between two stages of the idle work building the pages ahead (a key typed meanwhile waits at most one stage).
SPARE_PAGE_DELAY_MS = 40

#: A page built ahead is drawn once in this many horizontal bands, one per idle tick.
WARM_BANDS = 4

#: An operation still running after this long is announced («جارٍ …») under the page.
BUSY_NOTICE_MS = 250

#: At exit, wait at most this long for drafts still being written.
EXIT_WAIT_MS = 10_000

#: The statuses of a case whose reception is not over (leaving it asks the officer what to do).
UNFINISHED_STATUSES = frozenset(status.value for status in UNFINISHED)


@dataclass(frozen=True)
class _Opened:
    """A case as an operation left it, with the draft of its current step (read in the same operation)."""

    view: CaseView
    draft: dict[str, Any]


def _draft_saving(service: ReceptionService, case_id: UUID, step_id: str, fields: dict[str, Any]) -> Callable[[], None]:
    """The operation saving one page's draft (its fields read on the GUI thread beforehand)."""
    return lambda: service.save_draft(case_id, step_id, fields)


class _PageArea(QWidget):
    """Where the pages are shown: the page stack kept at exactly this area's size.

    A stack of fixed size does not pass its layout changes up (Qt stops there when a widget's minimum and maximum
    sizes are equal), so a page coming to the front re-lays out the page, not the whole desk window."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("reception_pages")

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The stack takes the whole area."""
        self.stack.setFixedSize(event.size())
        super().resizeEvent(event)


#: Widgets of an earlier contact's page deleted per idle tick (a part and its direct children count; ~2 ms).
RETIRE_BUDGET = 40


def _retire_some_parts(retired: list[StepPage[Any]]) -> None:
    """Delete some parts of the last retired page (its particulars, its documents…, up to `RETIRE_BUDGET`
    widgets), or the page once it holds no part: a whole page deleted at once held the GUI thread ~10 ms, one
    part per tick took ~70 ticks (3 s) a contact."""
    page = retired[-1]
    budget = RETIRE_BUDGET
    # Widgets only: `children()` would hand Python every object (layouts, completers, models...), and PySide6 makes
    # the Python class of a kind it has not handed out before at that moment, enums and all (once seen: 15-24 ms).
    direct = Qt.FindChildOption.FindDirectChildrenOnly
    for child in page.holder.findChildren(QWidget, options=direct):
        if not child.property("retiring"):
            cost = 1 + len(child.findChildren(QWidget, options=direct))
            if cost > budget and budget < RETIRE_BUDGET:
                return  # enough for this tick: the rest at the next
            child.setProperty("retiring", True)
            child.deleteLater()
            budget -= cost
    page = retired.pop()
    # Qt repaints the area a deleted child widget covered, hidden or not: that was the page on screen, drawn
    # again whole (~5 ms) for every page retired. An empty geometry leaves nothing to repaint.
    page.setGeometry(0, 0, 0, 0)
    page.deleteLater()


def _show_once_unseen(page: QWidget) -> None:
    """Show a page built ahead once, under the page on screen and without drawing it, and hide it again: what
    Qt does at a widget's first showing (style sheet polish, layout) is then done, not left to the officer's
    next step."""
    page.lower()
    page.setUpdatesEnabled(False)
    page.show()
    for kind in (QEvent.Type.Polish, QEvent.Type.PolishRequest, QEvent.Type.LayoutRequest):
        QCoreApplication.sendPostedEvents(None, kind)
    page.hide()
    page.setUpdatesEnabled(True)


def keys_hint(rescue: bool) -> str:
    """The keyboard reminder under the buttons."""
    keys = (("Enter", "التالي"), ("Esc", "السابق"), ("Ctrl+P", "طباعة"),
            ("Ctrl+N", "بلاغ جديد" if rescue else "مستفيد جديد"))
    return "   ".join(f"{isolate(key)} {what}" for key, what in keys)


def is_rescue(profile: PolicyProfile) -> bool:
    """True for a rescue association's policy (reports escalated and dispatched)."""
    return procedure_of(profile) is Procedure.REPORT


def page_for_step(
    context: WizardContext, step: Step, procedure: Procedure, parent: QWidget | None = None
) -> StepPage[Any]:
    """The registered page of the step's kind, given the step kind's registered handler."""
    handler_type = STEP_HANDLERS.find(step.kind, procedure)
    if handler_type is None:
        raise KeyError(step.kind)
    return page_class(step.kind, procedure)(context, step, context.service.handler_of(handler_type), parent)


class ReceptionWizard(QWidget):
    """The officer's guided reception of one contact at a time, following the active policy's steps.

    Signals: sig_case_changed(CaseView | None) after every recorded action or case switch;
    sig_page_changed(key) when another page comes to the front; sig_busy_changed(bool) when an action
    starts or stops being recorded; sig_case_abandoned(case_id) once a case was abandoned.
    """

    sig_case_changed = Signal(object)
    sig_page_changed = Signal(str)
    sig_busy_changed = Signal(bool)
    sig_case_abandoned = Signal(object)

    def __init__(
        self,
        service: ReceptionService,
        parent: QWidget | None = None,
        *,
        profile: PolicyProfile | None = None,
        printer: PrintController | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reception_wizard")
        self.service = service
        self.profile = profile if profile is not None else service.profile
        self.procedure = procedure_of(self.profile)
        self.rescue = self.procedure is Procedure.REPORT
        self.printer = printer or PrintController(self)
        self.context = WizardContext(
            service=service, profile=self.profile, printer=self.printer, owner=self,
            say=self.say, flush=self.flush_drafts,
        )
        self._case: CaseView | None = None
        #: Drafts read with the case by the last operation, by step id.
        self._prefetched: dict[str, dict[str, Any]] = {}
        #: Changes with each contact: an answer for an earlier contact is not applied to this one.
        self._generation = 0
        self._busy = False
        self._saves_in_flight = 0
        #: The previous contacts' pages, hidden, to be deleted in idle time.
        self._retired: list[StepPage[Any]] = []
        #: A page built in idle time and its next warming stage (0: its parts made ahead, one per tick, 1: lay out,
        #: 2: shown unseen, then each band drawn).
        self._warming: tuple[StepPage[Any], int] | None = None
        #: Start, one slot per policy step (None until the page is first needed), summary.
        self._pages: list[StepPage[Any] | None] = []
        self._shown_views: dict[str, object] = {}
        self._drafts_loaded: set[str] = set()
        self._dirty: set[str] = set()
        self._spare: list[StepPage[Any]] = []
        self._escape_question: DiscardQuestion | None = None
        self.drafts_saved = 0

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        self.checklist = ChecklistPanel(self)
        row.addWidget(self.checklist)  # right-hand side in a right-to-left layout

        column = QVBoxLayout()
        column.setSpacing(8)
        self.header = QLabel(self)
        self.header.setObjectName("case_header")
        self.header.setWordWrap(True)
        column.addWidget(self.header)
        area = _PageArea(self)
        self.stack = area.stack
        column.addWidget(area, 1)
        self.message = QLabel(self)
        self.message.setObjectName("wizard_message")
        self.message.setWordWrap(True)
        # Its line is kept even when empty: a message coming or going then does not re-lay out the page.
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() + 4)
        column.addWidget(self.message)

        buttons = QHBoxLayout()
        self.back_button = QPushButton("→ السابق", self)
        self.back_button.setObjectName("back_button")
        self.back_button.setToolTip("الصفحة السابقة (Esc أو Alt+B)")
        self.next_button = QPushButton("التالي ←", self)
        self.next_button.setObjectName("next_button")
        self.next_button.setToolTip("إنجاز الخطوة والمتابعة (Enter أو Alt+N)")
        self.next_button.setDefault(True)
        self.print_button = QPushButton("طباعة", self)
        self.print_button.setObjectName("print_button")
        self.print_button.setToolTip("طباعة مستند هذه الصفحة (Ctrl+P)")
        self.open_button = QPushButton("فتح الملف", self)
        self.open_button.setObjectName("open_file_button")
        self.open_button.setToolTip("فتح مستند هذه الصفحة في عارض PDF")
        self.new_button = QPushButton("بلاغ جديد" if self.rescue else "مستفيد جديد", self)
        self.new_button.setObjectName("new_contact_button")
        self.new_button.setToolTip("بدء تواصل جديد؛ تبقى هذه الحالة محفوظة (Ctrl+N)")
        self.abandon_button = QPushButton("ترك الحالة", self)
        self.abandon_button.setObjectName("abandon_button")
        self.abandon_button.setToolTip("إغلاق هذه الحالة دون إكمالها (تُسجَّل متروكة)")
        for button in (self.back_button, self.next_button, self.print_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.abandon_button)
        column.addLayout(buttons)
        hint = QLabel(keys_hint(self.rescue), self)
        hint.setObjectName("keys_hint")
        column.addWidget(hint)
        row.addLayout(column, 1)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DEBOUNCE_MS)
        self._draft_timer.timeout.connect(self.flush_drafts)
        self._spare_timer = QTimer(self)
        self._spare_timer.setSingleShot(True)
        # Idle work, one page at a time, when the officer is reading or typing (not within a step change).
        self._spare_timer.setInterval(SPARE_PAGE_DELAY_MS)
        self._spare_timer.timeout.connect(self._timed_idle_tick)
        #: The longest stage of idle work so far (ms), for the benchmarks: each holds the GUI thread once.
        self.longest_idle_tick_ms = 0.0
        self._busy_text = ""
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_NOTICE_MS)
        self._busy_timer.timeout.connect(lambda: self.say(self._busy_text, False))
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(self._before_exit)

        self.next_button.clicked.connect(self.go_next)
        self.back_button.clicked.connect(self.go_back)
        self.print_button.clicked.connect(lambda: self.print_current())
        self.open_button.clicked.connect(lambda: self.print_current(open_only=True))
        self.new_button.clicked.connect(self.start_new)
        self.abandon_button.clicked.connect(lambda: self.abandon())  # asks for the reason
        self.checklist.sig_entry_chosen.connect(self.go_to)
        self._shortcut("Alt+N", self.go_next)
        self._shortcut("Alt+B", self.go_back)
        self._shortcut("Ctrl+P", self.print_current)
        self._shortcut("Ctrl+Return", self.go_next)
        self._shortcut("Ctrl+Enter", self.go_next)
        self._shortcut("Ctrl+N", self.start_new)

        self.contact_page = ContactPage(self.context, self.stack)
        self.summary_page = SummaryPage(self.context, self.stack)
        self.summary_page.new_contact.clicked.connect(self.start_new)
        self.start_new()  # builds the step pages (once)

    def _shortcut(self, keys: str, slot: Callable[[], object]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # ----------------------------------------------------------------- pages

    def _build_pages(self) -> None:
        """Fresh pages for the policy's steps (a new contact starts with empty fields): those built ahead in idle
        time are taken, the others are built when first needed (or in the next idle moment). The previous
        contact's pages leave the stack at once (hidden) and are deleted in idle time, one per tick."""
        for page in self._pages:
            if page is not None and page is not self.contact_page and page is not self.summary_page:
                if self._warming is not None and self._warming[0] is page:
                    self._warming = None
                self.stack.removeWidget(page)
                self._retired.append(page)
        if self.stack.indexOf(self.contact_page) < 0:
            self.stack.addWidget(self.contact_page)
        if self.stack.indexOf(self.summary_page) < 0:
            self.stack.addWidget(self.summary_page)
        spare, self._spare = self._spare, []
        slots: list[StepPage[Any] | None] = [None] * len(self.profile.steps)
        slots[: len(spare)] = spare
        self._pages = [self.contact_page, *slots, self.summary_page]
        for page in spare:
            self._adopt(page)
        self._shown_views.clear()
        self._drafts_loaded.clear()
        self._prefetched.clear()
        self._dirty.clear()
        self._spare_timer.start()

    def _adopt(self, page: StepPage[Any]) -> None:
        """A step page joins the contact's set: in the page stack, its changes watched."""
        if self.stack.indexOf(page) < 0:
            self.stack.insertWidget(self.stack.indexOf(self.summary_page), page)
        page.sig_changed.connect(lambda p=page: self._page_changed(p))
        page.sig_case_updated.connect(self._case_updated)

    def _page_at(self, index: int) -> StepPage[Any]:
        """The page at a position of the set, built now if it was not yet."""
        page = self._pages[index]
        if page is None:
            page = self._new_page(self.profile.steps[index - 1])
            self._pages[index] = page
            self._adopt(page)
        return page

    def _index_of(self, page: StepPage[Any]) -> int:
        """The position of a page in the set."""
        return next(i for i, candidate in enumerate(self._pages) if candidate is page)

    def _new_page(self, step: Step) -> StepPage[Any]:
        """One step page, made inside the page stack (hidden until shown)."""
        page = page_for_step(self.context, step, self.procedure, self.stack)
        page.hide()
        return page

    def preparing(self) -> bool:
        """True while pages of this contact or of the next are still to be built in idle time."""
        return (self._warming is not None or bool(self._retired) or any(page is None for page in self._pages)
                or len(self._spare) < len(self.profile.steps))

    def _next_page_to_build(self) -> StepPage[Any] | None:
        """This contact's first page not yet built, else the next contact's next page (built now), else None."""
        missing = next((i for i, page in enumerate(self._pages) if page is None), None)
        if missing is not None:
            return self._page_at(missing)
        steps = self.profile.steps
        if len(self._spare) < len(steps):
            page = self._new_page(steps[len(self._spare)])
            self._spare.append(page)
            return page
        return None

    def _timed_idle_tick(self) -> None:
        """One stage of idle work (`_build_spare_page`), its duration kept in `longest_idle_tick_ms`."""
        started = time.perf_counter()
        self._build_spare_page()
        self.longest_idle_tick_ms = max(self.longest_idle_tick_ms, (time.perf_counter() - started) * 1000)

    def _build_spare_page(self) -> None:
        """Idle time, one stage per timer tick (no tick holds the GUI thread long): delete the pages of earlier
        contacts, some parts per tick (kept alive meanwhile, they slowed what came next: a step ~8 ms); or build a
        page, make its parts one per tick (`StepPage.prepare_ahead`), lay it out, show it once unseen, then draw
        it band by band (its first real showing is then quick) — first this contact's missing pages, then the
        next contact's."""
        if self._retired:
            _retire_some_parts(self._retired)
        elif self._warming is not None:
            page, stage = self._warming
            if page is self.stack.currentWidget():
                self._warming = None  # shown for real meanwhile: nothing left to prepare
            elif stage == 0:
                if page.prepare_ahead():
                    stage -= 1  # more parts to make: this stage again at the next tick
            elif stage == 1:
                page.resize(self.stack.size())
                layout = page.layout()
                if layout is not None:
                    layout.activate()
            elif stage == 2:
                _show_once_unseen(page)
            else:  # one band of the page drawn per tick: its text laid out and shaped before it is shown
                band = (page.height() + WARM_BANDS - 1) // WARM_BANDS
                page.grab(QRect(0, (stage - 3) * band, page.width(), band))
            if self._warming is not None:
                self._warming = (page, stage + 1) if stage < WARM_BANDS + 2 else None
        else:
            built = self._next_page_to_build()
            if built is None:
                return
            self._warming = (built, 0)
        if self.preparing():
            self._spare_timer.start()

    @property
    def pages(self) -> list[StepPage[Any]]:
        """Every page in order: start, the policy's steps, summary (any not yet built is built now)."""
        return [self._page_at(index) for index in range(len(self._pages))]

    def page(self, key: str) -> StepPage[Any]:
        """A page by key: "contact", a step id, or "summary"."""
        if key == self.contact_page.key:
            return self.contact_page
        if key == self.summary_page.key:
            return self.summary_page
        for index, step in enumerate(self.profile.steps, start=1):
            if step.id == key:
                return self._page_at(index)
        raise KeyError(key)

    def current_page(self) -> StepPage[Any]:
        """The page on screen."""
        widget = self.stack.currentWidget()
        assert isinstance(widget, StepPage)
        return widget

    @property
    def case(self) -> CaseView | None:
        """The case being received (a frozen view), or None before the contact starts."""
        return self._case

    # ----------------------------------------------------------------- contact lifecycle

    def start_new(self) -> None:
        """Ready for the next contact: the start page, nothing recorded yet (the previous case stays saved)."""
        self.flush_drafts()
        self._generation += 1
        self._set_busy(False)
        self._case = None
        self._build_pages()
        self.contact_page.reset()
        self._show(self.contact_page)
        self._update_checklist()
        self._update_header()
        self.say("", False)
        self.sig_case_changed.emit(None)

    def resume(self, case_id: UUID) -> None:
        """Open a saved case where it was left: its current step, with the fields typed before (read off the GUI
        thread; a refusal is said under the page)."""
        service = self.service
        self._open(lambda: service.case(case_id))

    def open_by_number(self, case_number: str, on_opened: Callable[[CaseView], None] | None = None) -> None:
        """Open a case by its number, as `resume`; `on_opened(view)` once it is on screen."""
        service = self.service
        self._open(lambda: service.case_by_number(case_number), on_opened)

    def _open(self, read: Callable[[], CaseView], on_opened: Callable[[CaseView], None] | None = None) -> None:
        """Read a case (and its current step's draft) off the GUI thread, then show it from its current step."""
        self.flush_drafts()
        generation = self._generation = self._generation + 1
        reader = self._with_draft(read)

        def opened(outcome: _Opened) -> None:
            if generation != self._generation:
                return
            view = outcome.view
            self._case = None
            self._build_pages()
            self.contact_page.reset()
            self._keep_draft(outcome)
            self._apply(view)
            self._show(self._page_of_current())
            w = case_words(self.rescue)
            self.say(f"{w.verb('استُؤنف')} {w.noun} رقم {identifier_text(view.case_number)} من حيث {w.verb('توقف')}.",
                     False)
            if on_opened is not None:
                on_opened(view)

        def refused(message: str, _error: BaseException) -> None:
            if generation == self._generation:
                self.say(message, True)

        run_read(self, reader, opened, refused, where="reception.open")

    def _with_draft(self, work: Callable[[], CaseView]) -> Callable[[], _Opened]:
        """`work`, then the draft of the case's current step read in the same operation (off the GUI thread)."""
        service = self.service

        def run() -> _Opened:
            view = work()
            key = view.current_step_id
            return _Opened(view, service.draft_fields(view.case_id, key) if key else {})

        return run

    def _keep_draft(self, outcome: _Opened) -> None:
        """Remember the draft read with the case, for its page's next showing."""
        key = outcome.view.current_step_id
        if key is not None and key not in self._drafts_loaded:
            self._prefetched[key] = outcome.draft

    def _start_contact(self) -> None:
        """Open the case on the chosen channel and kind, once the look-up typed has been answered."""
        self._set_busy(True, "جارٍ بدء التواصل…")
        generation = self._generation
        self.contact_page.lookup.flush(then=lambda: self._start_contact_now(generation))

    def _start_contact_now(
        self, generation: int, second_case_reason: str | None = None, person: BeneficiaryMatch | None = None
    ) -> None:
        """Open the case off the GUI thread; attach the chosen file or carry what was typed to the verify step.

        A person found with a case not closed is never given a second one silently: the officer is offered to
        continue that case (`OpenCaseDialog`), and another case is opened on the file only with a reason."""
        if generation != self._generation:
            return
        page = self.contact_page
        channel_id, case_kind_id = page.channel_id(), page.case_kind_id()
        chosen = person if person is not None else page.chosen()
        problem = page.lookup.problem() if chosen is None else None
        if problem is not None:  # a wrong ID typed: corrected before a case number is taken
            self._set_busy(False)
            page.lookup.edit.setFocus()
            page.lookup.edit.selectAll()
            self.say(problem, True)
            return
        if not self.rescue and second_case_reason is None:
            found = chosen if chosen is not None and chosen.open_cases else page.lookup.open_case_match()
            if found is not None:
                self._set_busy(False)
                self._offer_open_case(found, generation)
                return
        carried = page.identification_fields() if chosen is None else {}
        target = next((s.id for s in self.profile.steps if s.kind is StepKind.VERIFY), None)
        attach = chosen.beneficiary_id if chosen is not None and not self.rescue else None
        service, reason = self.service, second_case_reason or ""
        self._set_busy(True, "جارٍ بدء التواصل…")

        def start() -> CaseView:
            view = service.start_contact(channel_id, case_kind_id, beneficiary_id=attach, second_case_reason=reason)
            if attach is None and carried and target is not None:
                service.save_draft(view.case_id, target, carried)
            return view

        def started(outcome: _Opened) -> None:
            if generation != self._generation:
                return
            self._set_busy(False)
            self._keep_draft(outcome)
            self._apply(outcome.view)
            self._show(self._page_of_current())
            w = case_words(outcome.view.is_rescue)
            self.say(f"{w.verb('بدأ')} {w.noun} رقم {identifier_text(outcome.view.case_number)}.", False)

        run_write(self, self._with_draft(start), started, lambda message, error: self._refused(page, message, error),
                  where="reception.start_contact")

    def _offer_open_case(self, person: BeneficiaryMatch, generation: int) -> None:
        """The person has a case not closed: continue it (the default), or open another with a stated reason."""
        open_case = person.open_cases[0]
        dialog = OpenCaseDialog(person.full_name, open_case.case_number, open_case.status_label,
                                open_case.step_title, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            if generation != self._generation or result != QDialog.DialogCode.Accepted:
                return
            if dialog.opens_another():
                self._start_contact_now(generation, dialog.reason(), person)
            else:
                self.resume(open_case.case_id)

        dialog.finished.connect(answered)
        dialog.open()
        self.say(f"للمستفيد حالة مفتوحة رقم {identifier_text(open_case.case_number)}: تابعها أو اكتب سبب فتح حالة أخرى.",
                 False)

    def abandon(self, reason: str | None = None) -> bool:
        """Close the case unfinished (recorded as abandoned, with its reason); True once it is asked.

        Without `reason` the officer is asked for one (`AbandonDialog`: «لا» is the default and Escape; nothing
        happens unless a reason is written and «نعم» pressed)."""
        if self._case is None:
            return False
        if reason is None:
            dialog = AbandonDialog(self._case.case_number, self, case_words(self.rescue))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            case_id = self._case.case_id

            def answered(result: int) -> None:
                if result == QDialog.DialogCode.Accepted and self._case is not None and self._case.case_id == case_id:
                    self._abandon_now(dialog.reason())

            dialog.finished.connect(answered)
            dialog.open()
            return True
        self._abandon_now(reason)
        return True

    def _abandon_now(self, reason: str, then: Callable[[], None] | None = None) -> None:
        """Abandon the case on the writer with its reason; the next contact is then ready (`then` after)."""
        assert self._case is not None
        self._draft_timer.stop()
        self._dirty.clear()
        service, case_id, number = self.service, self._case.case_id, self._case.case_number
        generation = self._generation
        self.abandon_button.setEnabled(False)

        def abandoned(_nothing: None) -> None:
            if generation == self._generation:
                self.start_new()
                w = case_words(self.rescue)
                self.say(f"{w.verb('أُغلق')} {w.noun} رقم {identifier_text(number)} {w.pick('متروكة', 'متروكًا')}.", False)
            self.sig_case_abandoned.emit(case_id)
            if then is not None:
                then()

        def refused(message: str, _error: BaseException) -> None:
            if generation == self._generation:
                self.abandon_button.setEnabled(True)
                self.say(message, True)

        run_write(self, lambda: service.discard_draft(case_id, reason), abandoned, refused, where="reception.abandon")

    def unfinished_case(self) -> CaseView | None:
        """The case on screen when its reception is not over (a step still to do here), else None."""
        case = self._case
        if case is None or case.current_step_id is None or case.status not in UNFINISHED_STATUSES:
            return None
        return case

    def ask_to_leave(self, leaving: str, proceed: Callable[[], None]) -> bool:
        """Leaving the reception (closing, quitting, another section) with a case unfinished: ask the officer.

        Returns False when nothing is unfinished (the caller goes on at once). Otherwise the question is open
        (`UnfinishedReceptionDialog`, non-blocking) and True is returned: «متابعتها لاحقًا» saves what is typed,
        sets the case aside (it is listed with the unfinished ones) and calls `proceed`; «ترك الحالة» abandons it
        with the reason written, then calls `proceed`; «البقاء» (the default, Escape) does nothing."""
        case = self.unfinished_case()
        if case is None:
            return False
        asking = self.findChild(UnfinishedReceptionDialog)
        if asking is not None and asking.isVisible():
            asking.raise_()  # already asked: one question at a time
            return True
        dialog = UnfinishedReceptionDialog(case.case_number, getattr(case.current_step, "title", None), leaving, self,
                                           case_words(self.rescue))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        case_id = case.case_id

        def answered(_result: int) -> None:
            choice = dialog.choice()
            if choice is LeaveChoice.STAY or self._case is None or self._case.case_id != case_id:
                return
            if choice is LeaveChoice.LATER:
                self.start_new()  # what is typed is saved first; the case waits in the unfinished list
                proceed()
            else:
                self._abandon_now(dialog.reason(), proceed)

        dialog.finished.connect(answered)
        dialog.open()
        return True

    # ----------------------------------------------------------------- navigation

    def _page_of_current(self) -> StepPage[Any]:
        """The page of the case's current step, or the summary when none is left."""
        if self._case is None:
            return self.contact_page
        if self._case.current_step_id is None:
            return self.summary_page
        return self.page(self._case.current_step_id)

    def busy(self) -> bool:
        """True while an action of the officer is being recorded."""
        return self._busy

    def go_next(self) -> None:
        """Do the page's step (or start the contact) and move on; errors stay on the page, inline."""
        if self._busy:
            return  # the action asked for is still being recorded: a second Enter records nothing twice
        page = self.current_page()
        self.say("", False)
        if page is self.summary_page:
            self.start_new()
            return
        if page is self.contact_page:
            if self._case is None:
                self._start_contact()
            else:
                self._show(self._next_after(page))
            return
        if self._case is None:
            return
        if page.is_done() and page.state is not None and page.state.status != "waiting":
            self._show(self._next_after(page))
            return
        if page.state is not None and page.state.status in ("pending", "after_decision", "not_applicable"):
            self._show(self._page_of_current())
            return
        self.flush_drafts()
        page.clear_errors()
        action = page.action()
        if action is None:
            self.say("لم تكتمل الخطوة: راجع الملاحظات المكتوبة باللون الأحمر.", True)
            self._bring_error_into_view(page)
            return
        self._record(page, action)

    def _record(self, page: StepPage[Any], action: Action) -> None:
        """Run a page's action on the writer; then show what comes next (or the refusal under its field)."""
        title = page.step.title if page.step is not None else ""
        self._set_busy(True, f"جارٍ تسجيل «{title}»…")
        generation = self._generation

        def recorded(outcome: _Opened) -> None:
            if generation != self._generation:
                return
            self._set_busy(False)
            view = outcome.view
            self._keep_draft(outcome)
            self._apply(view)
            if page.stay_after_completion:
                self._shown_views.pop(page.key, None)
                self._show(page)
            else:
                self._show(self._page_of_current())
            self.say(page.done_message(view), False)

        def refused(message: str, error: BaseException) -> None:
            if generation == self._generation:
                self._refused(page, message, error)

        run_write(self, self._with_draft(action), recorded, refused, where=f"reception.step.{page.key}")

    def _refused(self, page: StepPage[Any], message: str, error: BaseException) -> None:
        """A refusal of the service: in Arabic under its field and here (nothing was saved)."""
        self._set_busy(False)
        field_name = getattr(error, "field", None)
        page.show_error(message, field_name)
        self._bring_error_into_view(page)
        if field_name == "documents":
            message += " — حدّث المستندات من خطوة التحقق في قائمة الخطوات، ثم عد إلى هذه الخطوة."
        elif field_name == "declaration" and self._case is not None and self._case.signature_pending:
            message += " — افتح خطوة الإقرار من قائمة الخطوات ووقّعه."
        self.say(message, True)

    def _bring_error_into_view(self, page: StepPage[Any]) -> None:
        """The first field in error gets the keyboard, in view with its error (else the field with the keyboard
        is brought into view)."""
        if page.focus_first_error() is None:
            self._scroll_to_focus(page)

    def _scroll_to_focus(self, page: StepPage[Any]) -> None:
        """Bring the field with the keyboard into view (after an error put it there)."""
        focus = QApplication.focusWidget()
        if focus is not None and page.isAncestorOf(focus):
            QTimer.singleShot(0, page.scroll_area, lambda: page.scroll_area.ensureWidgetVisible(focus, 10, 40))

    def _set_busy(self, busy: bool, text: str = "") -> None:
        """An action starts or stops being recorded: the Next button waits; «جارٍ …» after a moment."""
        if busy == self._busy:
            return
        self._busy = busy
        self.next_button.setEnabled(not busy)
        if busy:
            self._busy_text = text
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            if self.message.text() == self._busy_text and not self.message.property("error"):
                self.say("", False)
        self.sig_busy_changed.emit(busy)

    def _next_after(self, page: StepPage[Any]) -> StepPage[Any]:
        """The page after `page`, never past the current step."""
        index = self._index_of(page)
        current = self._page_of_current()
        following = min(index + 1, len(self._pages) - 1)
        # Steps held for the committee's acceptance, or not for this case's kind, are passed over.
        while following < len(self._pages) - 1 and getattr(
            self._state(self.profile.steps[following - 1].id), "status", None
        ) in ("after_decision", "not_applicable"):
            following += 1
        if following > self._index_of(current):
            return current
        return self._page_at(following)

    def go_back(self) -> None:
        """Look at the previous page (finished steps are shown read-only)."""
        index = self._index_of(self.current_page())
        if index > 0 and self._case is not None and not self._busy:
            self._show(self._page_at(index - 1))

    def go_to(self, key: str) -> None:
        """Show a page by key (the checklist's done, waiting or current entries)."""
        try:
            page = self.page(key)
        except KeyError:
            return
        if (page is not self.contact_page and self._case is None) or self._busy:
            return
        self._show(page)

    def _case_updated(self, view: CaseView) -> None:
        """A page recorded something itself: keep its view, refresh what shows it."""
        page = self.current_page()
        self._apply(view)
        page.case = view
        self._shown_views[page.key] = view

    # ----------------------------------------------------------------- showing

    def _apply(self, view: CaseView) -> None:
        """A new view of the case: remember it, refresh the checklist and the header."""
        self._case = view
        self._shown_views.clear()
        self._update_checklist()
        self._update_header()
        self.sig_case_changed.emit(view)

    def _state(self, key: str) -> object:
        if self._case is None:
            return None
        return next((s for s in self._case.steps if s.step_id == key), None)

    def _restore_draft(self, page: StepPage[Any]) -> None:
        """Put the page's saved draft back: read with the case, or now off the GUI thread (not over typing)."""
        assert self._case is not None
        self._drafts_loaded.add(page.key)
        if page.key in self._prefetched:
            fields = self._prefetched.pop(page.key)
            if fields:
                page.restore(fields)
            return
        service, case_id, key, generation = self.service, self._case.case_id, page.key, self._generation

        def read(fields: dict[str, Any]) -> None:
            if fields and generation == self._generation and key not in self._dirty:
                page.restore(fields)

        run_read(self, lambda: service.draft_fields(case_id, key), read, lambda _message, _error: None,
                 where="reception.draft")

    def _show(self, page: StepPage[Any]) -> None:
        """Bring a page to the front, refreshed from the case, its draft restored, focus on its first field."""
        self.flush_drafts()
        if self._case is not None and self._shown_views.get(page.key) is not self._case:
            state = self._state(page.key)
            page.show_case(self._case, state)  # type: ignore[arg-type]
            self._shown_views[page.key] = self._case
            status = getattr(state, "status", None)
            if page.step is not None and status in ("current", "waiting") and page.key not in self._drafts_loaded:
                self._restore_draft(page)
        leaving = self.stack.currentWidget()
        focus = QApplication.focusWidget()
        if leaving is not page and leaving is not None and focus is not None and leaving.isAncestorOf(focus):
            # The keyboard waits on Next while the pages change: left in the page going away it would visit the
            # section list, which would be drawn twice for nothing.
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.stack.setCurrentWidget(page)
        self.next_button.setText(page.next_caption() + " ←")
        self.back_button.setEnabled(self._index_of(page) > 0 and self._case is not None)
        printable = bool(page.printable_documents()) and self._case is not None
        self.print_button.setEnabled(printable)
        self.open_button.setEnabled(printable)
        self.abandon_button.setEnabled(self._case is not None and self._case.status in (
            "draft", "received", "referred", "awaiting_signature", "reported", "escalated"))
        self.new_button.setEnabled(self._case is not None)
        self._update_checklist()
        target = page.first_field()
        if target is not None and target.isEnabled():
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)
        in_view = page.scroll_target()
        if in_view is not None:
            QTimer.singleShot(0, page.scroll_area, lambda: page.scroll_area.ensureWidgetVisible(in_view, 10, 40))
        self.sig_page_changed.emit(page.key)

    def _update_header(self) -> None:
        case = self._case
        if case is None:
            self.header.setText(f"استقبال جديد — {self.profile.association.name}")
            return
        who = f" — {case.beneficiary.full_name}" if case.beneficiary is not None else ""
        if case.report is not None:
            who = f" — المبلّغ: {case.report.reporter_name}"
        pending = " — ◐ التوقيع معلّق" if case.signature_pending else ""
        self.header.setText(
            f"{case_words(case.is_rescue).noun} رقم {identifier_text(case.case_number)}{who} — {case.status_label} — {case.channel_name}{pending}"
        )

    def _update_checklist(self) -> None:
        """Every stage with its state; the page on screen in bold."""
        case = self._case
        entries = [ChecklistEntry("contact", "بدء التواصل", "done" if case is not None else "current")]
        if case is None:
            entries += [ChecklistEntry(step.id, step.title, "pending") for step in self.profile.steps]
            entries.append(ChecklistEntry("summary", "ملخص الحالة", "pending"))
        else:
            for state in case.steps:
                detail = ""
                if state.status == "waiting":
                    if state.kind == "refer" and case.open_referral is not None:
                        detail = f"رد {case.open_referral.to_role_name}"
                    elif state.kind == "declare":
                        detail = "التوقيع معلّق"
                elif state.status == "skipped" and state.note:
                    detail = state.note
                entries.append(ChecklistEntry(state.step_id, state.title, state.status, detail))
            entries.append(
                ChecklistEntry("summary", "ملخص الحالة", "current" if case.current_step_id is None else "pending")
            )
        widget = self.stack.currentWidget()
        on_screen = widget.key if isinstance(widget, StepPage) else None
        self.checklist.show_entries(entries, on_screen=on_screen)

    def say(self, text: str, error: bool = False) -> None:
        """One line under the page: what just happened, or why not (red)."""
        if self.message.text() != text:
            self.message.setText(text)
        was_error = bool(self.message.property("error"))
        self.message.setProperty("error", error)
        if was_error != error:  # re-styled only when its colour changes
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)

    def message_text(self) -> str:
        """The line shown under the page."""
        return self.message.text()

    # ----------------------------------------------------------------- drafts

    def _page_changed(self, page: StepPage[Any]) -> None:
        if self.message.property("error"):
            self.say("", False)
        if page is self.stack.currentWidget():
            self.next_button.setText(page.next_caption() + " ←")
        if self._case is None or page.step is None or page.is_done():
            return
        self._dirty.add(page.key)
        self._draft_timer.start()

    def flush_drafts(self) -> None:
        """Save now (on the writer, in order) every page changed since its last save."""
        self._draft_timer.stop()
        if self._case is None or not self._dirty:
            self._dirty.clear()
            return
        dirty, self._dirty = self._dirty, set()
        service, case_id = self.service, self._case.case_id
        for key in dirty:
            try:
                page = self.page(key)
            except KeyError:
                continue
            self._saves_in_flight += 1
            run_write(self, _draft_saving(service, case_id, key, page.fields()), self._draft_saved,
                      self._draft_refused, where="reception.draft")

    def _draft_saved(self, _nothing: None) -> None:
        self._saves_in_flight -= 1
        self.drafts_saved += 1

    def _draft_refused(self, message: str, _error: BaseException) -> None:
        self._saves_in_flight -= 1
        self.say(f"تعذّر حفظ المسودة: {message}", True)

    def pending_drafts(self) -> bool:
        """True while a change waits to be saved or is being saved."""
        return bool(self._dirty) or self._saves_in_flight > 0

    def _before_exit(self) -> None:
        """The desk is closing: what is typed is saved before the database is closed."""
        self.flush_drafts()
        if self._saves_in_flight:
            operations().wait(EXIT_WAIT_MS)

    # ----------------------------------------------------------------- printing and keys

    def print_current(self, *, open_only: bool = False) -> None:
        """Print (or open) the document of the page on screen."""
        page = self.current_page()
        kinds = page.printable_documents()
        if self._case is None or not kinds:
            self.say("لا يوجد مستند للطباعة في هذه الصفحة.", True)
            return
        self.flush_drafts()
        button = self.open_button if open_only else self.print_button
        self.context.print_document(self._case.case_id, kinds[0], open_only=open_only, button=button)

    def step_back(self) -> None:
        """Escape: the previous page; on the first page with something typed, ask whether to clear it; else say
        why there is nothing to go back to (Escape never does nothing)."""
        if self._busy:
            self.say(self._busy_text or "انتظر حتى يكتمل التسجيل الجاري.", False)
            return
        page = self.current_page()
        if self._index_of(page) > 0 and self._case is not None:
            self.go_back()
            return
        if page is self.contact_page and self._case is None and has_typed(self.contact_page):
            if self._escape_question is None or not self._escape_question.isVisible():
                self._escape_question = ask_to_discard(
                    self, "هل تريد مسح ما كتبته في هذه الصفحة والبدء من جديد؟", "نعم، امسحه", self.start_new)
            return
        self.say("هذه أول صفحة: لا توجد صفحة سابقة.", False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter not used by a field: press the focused button, or do the step and go on. Escape: step back."""
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.step_back()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            focus = QApplication.focusWidget()
            if isinstance(focus, QAbstractButton) and focus is not self.next_button and focus.isEnabled() \
                    and focus.metaObject().className() == "QPushButton":
                focus.click()
            else:
                self.go_next()
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Nothing typed is lost when the window closes."""
        self.flush_drafts()
        super().closeEvent(event)
