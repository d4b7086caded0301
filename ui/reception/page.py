"""The reception section: the wizard, the list of unfinished receptions (continue or abandon with a reason), and
the policy's outline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import identifier_text, isolate, ltr
from desktop.counting import CASES, REPORTS, count_phrase
from desktop.hijri import format_dual, format_time, riyadh_moment
from desktop.reception import case_words, CASE_WORDS, CaseWords, ReceptionService
from ui.ops import run_read, run_write
from ui.reception.lifecycle import AbandonDialog
from ui.reception.style import RECEPTION_STYLE
from ui.reception.wizard import ReceptionWizard
from ui.widgets.policy_outline import ReceptionOutline
from ui.widgets.steady_tabs import SteadyTabWidget

if TYPE_CHECKING:
    from desktop.reception import CaseView, DraftSummary
    from desktop.workspace import Workspace

#: Unfinished receptions listed in the banner without scrolling.
DRAFT_ROWS_SHOWN = 4

#: The longest the start-up offer of unfinished cases waits for their list (the event loop keeps running).
DRAFTS_WAIT_MS = 10_000


def draft_line(draft: DraftSummary, words: CaseWords = CASE_WORDS) -> str:
    """One line for an unfinished case: number, beneficiary, step reached, when it was started."""
    who = draft.beneficiary_name or "لم تُسجَّل بياناته بعد"
    step = f" — عند خطوة «{draft.step_title}»" if draft.step_title else ""
    started = draft.started_at if draft.started_at is not None else draft.saved_at
    return f"{words.noun} {identifier_text(draft.case_number)} — {who}{step} — {words.verb('بدأ')} {_moment(started)}"


def _moment(moment: datetime) -> str:
    """A moment in Riyadh time: Hijri and Gregorian dates and the time, each isolated."""
    local = riyadh_moment(moment)
    return f"{format_dual(local.date())} {isolate(format_time(local))}"


class DraftsBanner(QFrame):
    """The unfinished receptions of this PC (e.g. after a crash), every one listed; never modal.

    The officer continues one («متابعة», Enter or a double click) or abandons it with a reason («ترك الحالة…»).
    Signals: `sig_resume(case_id)` when the officer chooses a case to continue; `sig_abandon(case_id, number)`
    when the officer asks to abandon one (the page asks the reason).
    """

    sig_resume = Signal(object)
    sig_abandon = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drafts_banner")
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        column.setSpacing(6)
        self.label = QLabel(self)
        self.label.setObjectName("drafts_banner_text")
        self.label.setWordWrap(True)
        column.addWidget(self.label)
        self.choice = QListWidget(self)
        self.choice.setObjectName("drafts_list")
        self.choice.setWordWrap(True)
        self.choice.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column.addWidget(self.choice)
        row = QHBoxLayout()
        column.addLayout(row)
        self.resume_button = QPushButton("متابعة الحالة", self)
        self.resume_button.setObjectName("resume_draft")
        self.abandon_button = QPushButton("ترك الحالة…", self)
        self.abandon_button.setObjectName("abandon_draft")
        self.later_button = QPushButton("إخفاء القائمة", self)
        self.later_button.setObjectName("dismiss_drafts")
        row.addWidget(self.resume_button)
        row.addWidget(self.abandon_button)
        row.addStretch(1)
        row.addWidget(self.later_button)
        self.resume_button.clicked.connect(self._resume)
        self.abandon_button.clicked.connect(self._abandon)
        self.choice.itemActivated.connect(lambda _item: self._resume())
        self.later_button.clicked.connect(self.hide)
        self._drafts: list[DraftSummary] = []
        #: How the cases are named (a policy of reports: «البلاغ»); set by the page from its policy.
        self.words: CaseWords = CASE_WORDS
        self.setVisible(False)

    def show_drafts(self, drafts: Sequence[DraftSummary], *, even_if_none: bool = False) -> None:
        """List the unfinished cases (hidden when there are none, unless asked for from the page)."""
        self._drafts = list(drafts)
        self.choice.clear()
        for draft in self._drafts:
            item = QListWidgetItem(draft_line(draft, self.words), self.choice)
            item.setData(Qt.ItemDataRole.UserRole, str(draft.case_id))
        if self._drafts:
            self.choice.setCurrentRow(0)
        count = len(self._drafts)
        w = self.words
        it = w.pick("ها", "ه")
        if count == 0:
            self.label.setText(f"لا توجد {w.plural[2:]} غير مكتملة على هذا الجهاز.")
        elif count == 1:
            self.label.setText(
                f"{w.pick('حالة واحدة', 'بلاغ واحد')} لم يكتمل استقبال{it}، حُفظ كل ما كُتب في{it}؛ "
                f"تابع{it} من حيث {w.verb('توقف')} أو اترك{it} مع ذكر السبب:"
            )
        else:
            self.label.setText(
                f"{count_phrase(count, CASES if w.feminine else REPORTS)} لم يكتمل استقبالها، حُفظ كل ما كُتب فيها؛ "
                "اختر ما تتابعه أو تتركه:"
            )
        self.choice.setVisible(bool(self._drafts))
        if self._drafts:  # as high as its rows (up to four, then it scrolls): the wizard keeps the rest
            rows = min(len(self._drafts), DRAFT_ROWS_SHOWN)
            frame = 2 * self.choice.frameWidth()
            self.choice.setFixedHeight(sum(self.choice.sizeHintForRow(i) for i in range(rows)) + frame)
        self.resume_button.setEnabled(bool(self._drafts))
        self.abandon_button.setEnabled(bool(self._drafts))
        self.setVisible(bool(self._drafts) or even_if_none)

    def drafts(self) -> list[DraftSummary]:
        """The cases offered."""
        return list(self._drafts)

    def _chosen(self) -> DraftSummary | None:
        index = self.choice.currentRow()
        return self._drafts[index] if 0 <= index < len(self._drafts) else None

    def _resume(self) -> None:
        draft = self._chosen()
        if draft is not None:
            self.sig_resume.emit(draft.case_id)

    def _abandon(self) -> None:
        draft = self._chosen()
        if draft is not None:
            self.sig_abandon.emit(draft.case_id, draft.case_number)


class ReceptionPage(QWidget):
    """The reception section of the desk: receive a beneficiary (wizard) beside the policy's own outline.

    Every read of a case or of the unfinished cases goes through `ui.ops` (off the GUI thread).
    """

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reception_page")
        self.setStyleSheet(RECEPTION_STYLE)
        self.workspace = workspace
        self.service: ReceptionService = ReceptionService(workspace)
        profile = workspace.active_profile()  # loaded by the main window before any section is built
        assert profile is not None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.setSpacing(8)

        # Opening a case by its number sits beside the tabs, not on a row of its own above them: the step pages
        # keep the height (a 1366×768 screen shows the verify step's fields without scrolling).
        corner = QWidget(self)
        corner.setObjectName("reception_corner")
        top = QHBoxLayout(corner)
        top.setContentsMargins(0, 0, 0, 4)
        top.setSpacing(6)
        open_label = QLabel("فتح حالة &برقمها:", corner)
        self.case_number = QLineEdit(corner)
        self.case_number.setObjectName("open_case_number")
        self.case_number.setPlaceholderText(ltr("A1F3-1447-000123"))  # the label says what it is
        self.case_number.setMaximumWidth(220)
        open_label.setBuddy(self.case_number)
        self.open_case_button = QPushButton("فتح", corner)
        self.open_case_button.setObjectName("open_case")
        top.addWidget(open_label)
        top.addWidget(self.case_number)
        top.addWidget(self.open_case_button)
        self.unfinished_button = QPushButton("الحالات غير المكتملة", corner)
        self.unfinished_button.setObjectName("show_unfinished")
        self.unfinished_button.setToolTip("كل حالة على هذا الجهاز لم يكتمل استقبالها: متابعتها أو تركها مع السبب")
        top.addWidget(self.unfinished_button)

        self.banner = DraftsBanner(self)
        layout.addWidget(self.banner)

        self.tabs = SteadyTabWidget(self)
        self.tabs.setObjectName("reception_tabs")
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)  # mirrored: the left, after the tabs
        # The tabs are made inside the tab widget's own page stack, so adding them re-parents (and re-styles)
        # nothing; likewise the outline's holder is set into its scroll area before it is filled.
        tab_stack = self.tabs.findChild(QStackedWidget)
        self.wizard = ReceptionWizard(self.service, tab_stack, profile=profile)
        self.tabs.addTab(self.wizard, "استقبال مستفيد" if not self.wizard.rescue else "استقبال بلاغ")
        outline_scroll = QScrollArea(tab_stack)
        outline_scroll.setWidgetResizable(True)
        outline_scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        outline_scroll.setWidget(holder)
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(8, 8, 8, 8)
        self.outline = ReceptionOutline(profile, holder)
        holder_layout.addWidget(self.outline)
        holder_layout.addStretch(1)
        self.tabs.addTab(outline_scroll, "سياسة الجمعية")
        layout.addWidget(self.tabs, 1)

        self.banner.sig_resume.connect(self.resume)
        self.banner.sig_abandon.connect(self.abandon_unfinished)
        self.unfinished_button.clicked.connect(lambda: self.offer_drafts(even_if_none=True))
        words = self.banner.words = case_words(self.wizard.rescue)
        self.unfinished_button.setText(f"{words.plural} غير المكتملة")
        self.unfinished_button.setToolTip(
            f"{words.pick('كل حالة', 'كل بلاغ')} على هذا الجهاز لم يكتمل استقبال{words.pick('ها', 'ه')}: "
            f"متابعت{words.pick('ها', 'ه')} أو ترك{words.pick('ها', 'ه')} مع السبب"
        )
        self.wizard.sig_case_abandoned.connect(lambda _case_id: self._refresh_banner_if_shown())
        self.open_case_button.clicked.connect(self.open_case_by_number)
        self.case_number.returnPressed.connect(self.open_case_by_number)
        self.wizard.sig_case_changed.connect(lambda _view: self._refresh_banner_if_shown())

    def offer_drafts(self, on_counted: Callable[[int], None] | None = None, *, even_if_none: bool = False) -> None:
        """Look for unfinished cases off the GUI thread and list them (every one, but the case on screen);
        `on_counted(n)` after. `even_if_none` (the page's button) shows the list saying there are none."""
        service = self.service

        def found(drafts: list[DraftSummary]) -> None:
            current = self.wizard.case
            if current is not None:
                drafts = [d for d in drafts if d.case_id != current.case_id]
            self.banner.show_drafts(drafts, even_if_none=even_if_none)
            if on_counted is not None:
                on_counted(len(drafts))

        def failed(_message: str, _error: BaseException) -> None:
            self.banner.show_drafts([])
            if on_counted is not None:
                on_counted(0)

        run_read(self, service.open_drafts, found, failed, where="reception.drafts")

    def check_drafts(self) -> int:
        """Offer the unfinished cases and return how many (the start-up path, which needs the number at once).

        The list is read off the GUI thread like every other read; this call waits for it in a local event loop,
        so the window keeps drawing meanwhile. Everything else uses `offer_drafts`.
        """
        counted: list[int] = []
        loop = QEventLoop(self)

        def done(count: int) -> None:
            counted.append(count)
            loop.quit()

        self.offer_drafts(done)
        if not counted:
            QTimer.singleShot(DRAFTS_WAIT_MS, loop, loop.quit)
            loop.exec()
        return counted[0] if counted else len(self.banner.drafts())

    def _refresh_banner_if_shown(self) -> None:
        if self.banner.isVisible():
            self.offer_drafts()

    def resume(self, case_id: object) -> None:
        """Resume an unfinished case in the wizard (read off the GUI thread), then refresh the banner."""
        self.tabs.setCurrentWidget(self.wizard)
        self.wizard.resume(case_id if isinstance(case_id, UUID) else UUID(str(case_id)))
        if self.banner.isVisible():
            self.banner.show_drafts([d for d in self.banner.drafts() if str(d.case_id) != str(case_id)])

    def abandon_unfinished(self, case_id: object, case_number: str) -> None:
        """Abandon a listed unfinished case after the officer gives a reason («لا» is the default)."""
        dialog = AbandonDialog(case_number, self, case_words(self.wizard.rescue))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        service = self.service
        target = case_id if isinstance(case_id, UUID) else UUID(str(case_id))

        def answered(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return
            reason = dialog.reason()
            current = self.wizard.case
            if current is not None and current.case_id == target:
                self.wizard.abandon(reason)
                return

            def done(_nothing: None) -> None:
                w = case_words(self.wizard.rescue)
                self.wizard.say(f"{w.verb('أُغلق')} {w.noun} رقم {identifier_text(case_number)} "
                                f"{w.pick('متروكة', 'متروكًا')}.", False)
                self.offer_drafts(even_if_none=self.banner.isVisible())

            run_write(self, lambda: service.discard_draft(target, reason), done,
                      lambda message, _error: self.wizard.say(message, True), where="reception.abandon")

        dialog.finished.connect(answered)
        dialog.open()

    def open_case_by_number(self) -> None:
        """Open a case by its number (e.g. one waiting for a referral's answer)."""
        number = self.case_number.text().strip()
        if not number:
            return
        self.tabs.setCurrentWidget(self.wizard)

        def opened(_view: CaseView) -> None:
            self.case_number.clear()
            self._refresh_banner_if_shown()

        self.wizard.open_by_number(number, opened)

    def focus_wizard(self) -> None:
        """Give the keyboard to the wizard's page."""
        self.tabs.setCurrentWidget(self.wizard)
        target = self.wizard.current_page().first_field()
        (target or self.wizard.next_button).setFocus(Qt.FocusReason.OtherFocusReason)
