"""What every reception page shares: the wizard's context (service, policy, printing) and the page base class.

A page never calls the service on the GUI thread: what Next does is an *action* (`StepPage.action`) — the page
reads its fields now and returns the call for the wizard to run through `ui.ops`; what a page reads or stores
itself (a roster, a scan, the declaration's text) goes through `run_read` / `run_write` with its button disabled
until the answer comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.arabic_text import isolate, display_digits
from desktop.hijri import format_dual, format_time, riyadh_moment
from desktop.reception import document_title
from ui.ops import run_write
from ui.printing import PrintController
from ui.reception.fields import bring_error_into_view, wrapped_label
from ui.widgets.wrapped_label import WrappedLabel

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile, Step
    from desktop.reception import CaseView, ReceptionService, StepState, StoredDocument

#: What Next does on a page: the service call to run off the GUI thread (its inputs already read).
Action = Callable[[], "CaseView"]

#: Titles of the documents the desk prints, by the service's document kind.
H = TypeVar("H")


@dataclass
class WizardContext:
    """What the pages need from outside: the reception service, the policy, printing, and the wizard (`owner`)."""

    service: ReceptionService
    profile: PolicyProfile
    printer: PrintController
    #: The widget operations are run for (their callbacks are dropped once it is gone).
    owner: QObject | None = None
    #: Told to the officer in the wizard's message line (text, is_error).
    say: Callable[[str, bool], None] = field(default=lambda _text, _error: None)
    #: Save the page's draft now (before printing a document made from it).
    flush: Callable[[], None] = field(default=lambda: None)
    #: The stored documents rendered so far (tests and the status line watch it).
    documents_made: list[Any] = field(default_factory=list)

    def print_document(
        self, case_id: UUID, kind: str, *, open_only: bool = False, button: QAbstractButton | None = None
    ) -> None:
        """Render (or fetch) a case document off the GUI thread, then preview it for printing or open it."""
        title = document_title(kind, kind)
        self.say(f"جارٍ تجهيز {title}…", False)
        if button is not None:
            button.setEnabled(False)

        def ready(stored: StoredDocument) -> None:
            if button is not None:
                button.setEnabled(True)
            self.documents_made.append(stored)
            self.say(f"{title} محفوظ في ملف الحالة.", False)
            if open_only:
                self.printer.open_pdf(Path(stored.path))
            else:
                self.printer.print_pdf(Path(stored.path), title)

        def failed(message: str, _error: BaseException) -> None:
            if button is not None:
                button.setEnabled(True)
            self.say(message, True)

        service = self.service
        run_write(self.owner, lambda: service.document_pdf(case_id, kind), ready, failed, where="reception.print")


class StepPage(QWidget, Generic[H]):
    """One page of the wizard: shows a step, keeps its fields as a draft, and says what completing it does.

    `handler` is the step kind's service handler (None on the start and summary pages). Subclasses fill `body`
    and override `fields`, `load_fields`, `action` and `refresh`. Signals: `sig_changed()` when a field
    changed (the wizard saves the draft a moment later); `sig_case_updated(CaseView)` when the page recorded
    something itself (e.g. documents updated) and the wizard should take the new case view.
    """

    sig_changed = Signal()
    sig_case_updated = Signal(object)

    #: Show the completion's note under the page title (pages that show it better themselves say False).
    show_state_note = True

    #: Stay on this page after completing it (e.g. to print the receipt) instead of moving on.
    stay_after_completion = False

    def __init__(self, context: WizardContext, step: Step | None, handler: H, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.step = step
        self.handler = handler
        self.case: CaseView | None = None
        self.state: StepState | None = None
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Always there: a bar appearing when a refreshed page grows past the area would lay the page out twice.
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        holder = QWidget()
        # Set before it is filled: setting it later re-parents (and re-styles) every widget of the page.
        scroll.setWidget(holder)
        self.layout_ = QVBoxLayout(holder)
        self.layout_.setContentsMargins(4, 4, 12, 4)
        self.layout_.setSpacing(10)
        self.title_label = WrappedLabel(self.page_title(), holder)
        self.title_label.setObjectName("step_title")
        self.layout_.addWidget(self.title_label)
        self.policy_text = wrapped_label(display_digits(step.text) if step is not None else "", holder, name="policy_text",
                                         selectable=False)
        self.policy_text.setVisible(step is not None)
        self.layout_.addWidget(self.policy_text)
        # Not selectable: a selectable label keeps a text document, laid out again at every step's refresh.
        self.state_label = wrapped_label("", holder, name="step_state", selectable=False)
        self.state_label.setVisible(False)
        self.layout_.addWidget(self.state_label)
        self.body = QVBoxLayout()
        self.body.setSpacing(10)
        self.layout_.addLayout(self.body)
        self.page_error = wrapped_label("", holder, name="page_error")
        self.page_error.setVisible(False)
        self.layout_.addWidget(self.page_error)
        self.layout_.addStretch(1)
        outer.addWidget(scroll)
        self.scroll_area = scroll
        #: What the page scrolls: the parts a page makes later are made in it (not re-parented, re-styled).
        self.holder = holder

    # ----------------------------------------------------------------- identity

    @property
    def key(self) -> str:
        """The checklist key of the page: the step id."""
        return self.step.id if self.step is not None else "contact"

    def page_title(self) -> str:
        """The heading: the policy's title of the step."""
        return self.step.title if self.step is not None else ""

    @property
    def case_id(self) -> UUID:
        """The id of the case on the page (only asked once a case is shown)."""
        assert self.case is not None
        return self.case.case_id

    # ----------------------------------------------------------------- drafts

    def fields(self) -> dict[str, Any]:
        """What the officer typed on this page (JSON-able), for the draft."""
        return {}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Put a saved draft back into the fields."""

    def restore(self, fields: Mapping[str, Any]) -> None:
        """Load a draft without announcing changes (no save loop)."""
        self._loading = True
        try:
            self.load_fields(fields)
        finally:
            self._loading = False

    def changed(self) -> None:
        """A field changed: the wizard saves the draft a moment later; the page's own error no longer applies."""
        if not self._loading:
            if not self.page_error.isHidden():
                self.clear_errors()
            self.sig_changed.emit()

    # ----------------------------------------------------------------- case

    def show_case(self, case: CaseView, state: StepState | None) -> None:
        """Refresh the page from the case; a done step is shown read-only with who did it and when."""
        self.case = case
        self.state = state
        status = state.status if state is not None else "current"
        self.state_label.setVisible(status in ("done", "skipped"))
        sentence = state_sentence(state, note=self.show_state_note) if state is not None else ""
        if self.state_label.text() != sentence:
            self.state_label.setText(sentence)
        if self.state_label.property("state") != status:  # its colour (the style sheet) follows once re-polished
            self.state_label.setProperty("state", status)
            self.state_label.style().unpolish(self.state_label)
            self.state_label.style().polish(self.state_label)
        self.set_editable(status in ("current", "waiting"))
        self.refresh(case)

    def refresh(self, case: CaseView) -> None:
        """Subclasses: show what the case says (beneficiary, dates, documents...)."""

    def prepare_ahead(self) -> bool:
        """Idle time before the page first shows a case: make one more part of what showing it would make (the
        wizard calls it once per idle tick, so no tick holds the GUI thread long); True while parts remain.
        A part not made by then is made by `refresh`."""
        return False

    def set_editable(self, editable: bool) -> None:
        """Enable or disable the page's inputs (a finished step is read-only)."""
        for child in self.findChildren(QWidget):
            if child.property("always_enabled"):
                continue
            if hasattr(child, "setReadOnly") and not isinstance(child, QLabel):
                if child.isReadOnly() != (not editable):  # type: ignore[attr-defined]
                    child.setReadOnly(not editable)
                    # The style sheet's [readOnly="true"] look follows only once the field is polished again.
                    child.style().unpolish(child)
                    child.style().polish(child)
            elif child.metaObject().className() in ("QCheckBox", "QRadioButton", "QComboBox", "QPushButton",
                                                    "QSpinBox", "QListView", "QTableWidget"):
                child.setEnabled(editable)

    def is_done(self) -> bool:
        """True when the step is finished (done or skipped)."""
        return self.state is not None and self.state.status in ("done", "skipped")

    def action(self) -> Action | None:
        """What Next does: the service call to run off the GUI thread (its inputs read now), or None when the
        page's own checks stopped it (their errors are shown inline)."""
        return None

    # ----------------------------------------------------------------- errors and focus

    def show_error(self, message: str | None, field_name: str | None = None) -> None:
        """Show an Arabic error: inline under its field when the page has it, else at the foot of the page."""
        if not self.show_field_error(field_name, message):
            self.page_error.setText(message or "")
            self.page_error.setVisible(bool(message))
            if message:
                self.scroll_area.ensureWidgetVisible(self.page_error)

    def show_field_error(self, field_name: str | None, message: str | None) -> bool:
        """Subclasses: show the error under a field; False when the page has no such field."""
        return False

    def clear_errors(self) -> None:
        """Hide the page's errors."""
        self.page_error.setVisible(False)
        self.page_error.setText("")

    def focus_first_error(self) -> QWidget | None:
        """A refused step: the keyboard to the first field in error, scrolled into view with its error; returns
        that field (or the error itself when it names none), None when no error is shown."""
        return bring_error_into_view(self, self.scroll_area)

    def first_field(self) -> QWidget | None:
        """The field that gets the keyboard when the page is shown."""
        return None

    def scroll_target(self) -> QWidget | None:
        """What must be in view when the page is shown (its first field unless the page says otherwise)."""
        return self.first_field()

    def printable_documents(self) -> list[str]:
        """Document kinds Ctrl+P prints from this page, most useful first."""
        return []

    def next_caption(self) -> str:
        """What the Next button says on this page."""
        return "إنجاز الخطوة والمتابعة"

    def done_message(self, case: CaseView) -> str:
        """What the officer is told once the page's action is recorded."""
        title = self.step.title if self.step is not None else ""
        return f"✓ سُجّلت خطوة «{title}»."


def state_sentence(state: StepState, *, note: bool = True) -> str:
    """"تمت هذه الخطوة …" with who and when, for a finished step."""
    when = ""
    if state.completed_at is not None:
        local = riyadh_moment(state.completed_at)
        when = f" في {format_dual(local.date())} الساعة {isolate(format_time(local))}"
    who = f" بواسطة {state.officer_name}" if state.officer_name else ""
    if state.status == "done":
        text = f"✓ تمت هذه الخطوة{when}{who}."
    elif state.status == "skipped":
        text = f"↷ تُجووزت هذه الخطوة{when}{who}."
    elif state.status == "waiting":
        text = "◐ هذه الخطوة بانتظار الاستكمال."
    else:
        return ""
    if state.note and note:
        label = "السبب" if state.status == "skipped" else "ملاحظة"
        text += f"\n{label}: {state.note}"
    return text


def heading(text: str, parent: QWidget) -> QLabel:
    """A small section heading inside a page."""
    label = QLabel(text, parent)
    label.setObjectName("section_heading")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label
