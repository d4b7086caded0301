"""The desk's main window: section navigation on the right, the section pages, and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from desktop.errors import InputError
from desktop.hijri import format_dual
from ui.ops import operations, run_read
from ui.sections import SECTIONS, Section, section_index
from ui.settings import remember_main_window
from ui.widgets.navigation import SectionNavigator
from ui.widgets.placeholder import SectionWaitingPage
from ui.widgets.policy_outline import ReceptionOutline
from ui.widgets.policy_summary import PolicySummaryPage
from ui.widgets.status import DeskStatusBar

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile
    from desktop.reception import DraftSummary
    from desktop.startup import DeskSnapshot
    from desktop.workspace import DeskState, Workspace
    from ui.reception import ReceptionPage
    from ui.reception.wizard import ReceptionWizard
    from ui.sync.conflicts import ConflictsDialog
    from ui.sync.controller import SyncController
    from ui.sync.enrol import EnrolDialog
    from ui.sync.first_sync import FirstSyncDialog
    from ui.sync.settings_box import SyncSettingsBox
    from ui.sync.text import SyncState

OPENING_TEXT = "جارٍ فتح قاعدة البيانات…"

WINDOW_TITLE = "مكتب المستفيد"


def window_title(association_name: str | None) -> str:
    """The main window's title for an association."""
    return f"{WINDOW_TITLE} — {association_name}" if association_name else WINDOW_TITLE


def hidden_sections(profile: PolicyProfile | None) -> frozenset[str]:
    """The sections a policy has no use for: «اللجنة» in a policy without a committee (a policy of reports)."""
    from desktop.policy import is_rescue_profile

    if profile is not None and (profile.decision is None or is_rescue_profile(profile)):
        return frozenset({"committee"})
    return frozenset()


def section_titles(profile: PolicyProfile | None) -> dict[str, str]:
    """Sections a policy names its own way: «البلاغات» for the cases of a policy of reports."""
    from desktop.policy import is_rescue_profile

    return {"cases": "البلاغات"} if profile is not None and is_rescue_profile(profile) else {}


class MainWindow(QMainWindow):
    """The officer's desk: six sections switchable from the list or with Ctrl+1..6; it wires the widgets.

    A section the active policy has no use for (`hidden_sections`: the committee of a policy of reports) is
    hidden from the list and the menu, and its shortcut does nothing.

    It never reads the database itself: what it shows about the desk (policy, officer, connection) comes as
    a `DeskState` read off the GUI thread. Signals: `sig_section_changed(key)` when another section comes to
    the front; `sig_workspace_attached()` once an opened workspace is attached.
    """

    sig_section_changed = Signal(str)

    sig_workspace_attached = Signal()

    def __init__(
        self,
        workspace: Workspace | None,
        parent: QWidget | None = None,
        *,
        snapshot: DeskSnapshot | None = None,
        state: DeskState | None = None,
    ) -> None:
        """Build the desk for an open workspace (with its `state` when already read), or from a start-up
        snapshot until `attach_workspace`."""
        super().__init__(parent)
        self.setObjectName("main_window")
        self._workspace: Workspace | None = None
        self._snapshot = snapshot
        self._pages: dict[str, QWidget] = {}
        self.section_actions: list[QAction] = []
        #: Set once the officer has answered the unfinished-reception question for closing the desk.
        self._leaving_asked = False

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.navigator = SectionNavigator([(s.title, s.shortcut) for s in SECTIONS], central)
        self.stack = QStackedWidget(central)
        self.stack.setObjectName("section_stack")
        # In a right-to-left layout the first widget sits on the right.
        row.addWidget(self.navigator)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.desk_status = DeskStatusBar(self)
        self.setStatusBar(self.desk_status)

        # Pages are built when first shown (an empty stand-in until then): the first screen stays quick.
        for _section in SECTIONS:
            self.stack.addWidget(QWidget(self.stack))
        self._profile: PolicyProfile | None = None
        self.sync: SyncController | None = None
        self.sync_box: SyncSettingsBox | None = None
        self._sync_dialogs: dict[str, QWidget] = {}
        self._build_menus()

        self.navigator.sig_section_chosen.connect(self.show_section)
        if workspace is not None:
            self.attach_workspace(workspace, state)
        else:
            self._show_snapshot()
        self.show_section(0)
        self.resize(1100, 720)

    def attach_workspace(self, workspace: Workspace, state: DeskState | None = None) -> None:
        """The workspace is open: show its policy, officer and connection for real.

        With `state` (read on the worker that opened the workspace) everything is shown at once. Without
        it, a policy the workspace has already read is shown at once and the rest is read off the GUI thread.
        """
        self._workspace = workspace
        for page in self._pages.values():
            if isinstance(page, PolicySummaryPage):
                page.attach_workspace(workspace)
        if state is not None:
            self.show_desk_state(state)
        else:
            known = workspace.loaded_profile
            if known is not None:
                self.show_policy(known)
            run_read(self, workspace.desk_state, self.show_desk_state, where="main_window.desk_state")
        self._start_sync(workspace)
        self.sig_workspace_attached.emit()

    def show_desk_state(self, state: DeskState) -> None:
        """Show the desk's policy, officer and connection, and build for real the pages that were waiting."""
        self.show_policy(state.profile)
        self.desk_status.show_officer(state.officer_name)
        self.desk_status.show_connection(state.connection.label_ar)

    @property
    def workspace(self) -> Workspace | None:
        """The open workspace, or None while it is still opening."""
        return self._workspace

    def _show_snapshot(self) -> None:
        """Until the database is open: the association and officer from the snapshot, and say it is opening."""
        snapshot = self._snapshot
        self.setWindowTitle(window_title(snapshot.association_name if snapshot else None))
        self.desk_status.show_officer(snapshot.officer_name if snapshot else "…")
        self.desk_status.show_association(snapshot.association_name if snapshot else "…")
        self.desk_status.show_connection(OPENING_TEXT)
        self.desk_status.show_today(_today_text())

    # ----------------------------------------------------------------- building

    def _build_page(self, section: Section) -> QWidget:
        """The page of one section: the real page once the workspace is open, a waiting page before."""
        page: QWidget
        if section.key == "reception" and self._workspace is not None and self._profile is not None:
            from ui.reception import ReceptionPage

            page = ReceptionPage(self._workspace, self.stack)
        elif section.key == "cases" and self._workspace is not None and self._profile is not None:
            from ui.cases import CasesPage

            page = CasesPage(self._workspace, self.stack)
        elif section.key == "committee" and self._workspace is not None and self._profile is not None:
            from ui.committee import CommitteePage

            page = CommitteePage(self._workspace, self.stack)
        elif section.key == "satisfaction" and self._workspace is not None and self._profile is not None:
            from ui.satisfaction import SatisfactionPage

            page = SatisfactionPage(self._workspace, self.stack)
        elif section.key == "reports" and self._workspace is not None and self._profile is not None:
            from ui.reports import ReportsPage

            page = ReportsPage(self._workspace, self.stack)
        elif section.key == "settings":
            page = PolicySummaryPage(section.title, section.purpose, self.stack)
            if self._workspace is not None:
                page.attach_workspace(self._workspace)
            self._add_sync_box(page)
        else:
            page = SectionWaitingPage(section.title, section.waiting_text, self.stack)
        page.setObjectName(f"section_{section.key}")
        self._fill_page(section.key, page)
        return page

    def _fill_page(self, key: str, page: QWidget) -> None:
        """Put the active policy's own content on a page (reception outline while opening, settings)."""
        profile = self._profile
        if profile is None:
            return
        if isinstance(page, PolicySummaryPage):
            page.show_policy(profile)
        elif key == "reception" and isinstance(page, SectionWaitingPage):
            for old in page.findChildren(ReceptionOutline):
                old.deleteLater()
            page.add_content(ReceptionOutline(profile, page))

    def _replace_placeholder(self, key: str) -> None:
        """A section built as a placeholder before the workspace opened is built again for real."""
        page = self._pages.get(key)
        if not isinstance(page, SectionWaitingPage) or self._workspace is None or self._profile is None:
            return
        index = section_index(key)
        del self._pages[key]
        current = self.stack.currentIndex()
        fresh = self._build_page(SECTIONS[index])
        self._pages[key] = fresh
        self.stack.insertWidget(index, fresh)
        if self.stack.currentWidget() is page:
            self.stack.setCurrentWidget(fresh)  # removing the page on screen would first show another one
        self.stack.removeWidget(page)
        page.deleteLater()
        self.stack.setCurrentIndex(current)

    def reception_page(self) -> ReceptionPage | None:
        """The reception section's page once the workspace is open (None before)."""
        from ui.reception import ReceptionPage

        page = self.section_page("reception")
        return page if isinstance(page, ReceptionPage) else None

    def offer_draft_resume(self) -> int:
        """Unfinished cases are offered in the reception page's banner (never a modal box); how many.

        Synchronous through the reception page's own `check_drafts` (its callers count on the number);
        start-up uses `offer_drafts_when_found`, which keeps the look-up off the GUI thread.
        """
        page = self.reception_page()
        if page is None:
            return 0
        count = page.check_drafts()
        if count:
            self.show_section(section_index("reception"))
        return count

    def offer_drafts_when_found(self) -> None:
        """At start: look for unfinished cases off the GUI thread and offer them in the reception banner.

        The reception page is usable meanwhile (the desk opens on it); a case the officer has opened since is
        not offered again, and an officer who has gone to another section is not pulled back.
        """
        page = self.reception_page()
        if page is None:
            return
        service = page.service

        def found(drafts: list[DraftSummary]) -> None:
            current = page.wizard.case
            offered = [d for d in drafts if current is None or d.case_id != current.case_id]
            page.banner.show_drafts(offered)

        def not_found(_message: str, error: BaseException) -> None:
            # No policy adopted yet (InputError): nothing to offer. Anything else was logged by describe; the
            # desk works without the offer, so the officer is not interrupted with it.
            if isinstance(error, InputError):
                page.banner.show_drafts([])

        run_read(page, service.open_drafts, found, not_found, where="main_window.drafts")

    def _ensure_page(self, index: int) -> QWidget:
        """The page at `index`, built now if it is still the empty stand-in."""
        key = SECTIONS[index].key
        page = self._pages.get(key)
        if page is None:
            stand_in = self.stack.widget(index)
            page = self._build_page(SECTIONS[index])
            self._pages[key] = page
            current = self.stack.currentIndex()
            self.stack.insertWidget(index, page)
            if stand_in is not None:
                self.stack.removeWidget(stand_in)
                stand_in.deleteLater()
            self.stack.setCurrentIndex(current)
        return page

    def _build_menus(self) -> None:
        """Menus whose every entry works: the sections with their shortcuts, and quitting."""
        file_menu = self.menuBar().addMenu("ملف")
        quit_action = QAction("خروج", self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        sections_menu = self.menuBar().addMenu("الأقسام")
        for index, section in enumerate(SECTIONS):
            action = QAction(section.title, self)
            action.setShortcut(QKeySequence(section.shortcut))
            action.triggered.connect(partial(self.show_section, index))
            sections_menu.addAction(action)
            self.section_actions.append(action)
        self._build_sync_menu()
        help_menu = self.menuBar().addMenu("مساعدة")
        self.about_action = QAction("حول مكتب المستفيد…", self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    def show_about(self) -> None:
        """Open the About box (the program's version), window-modal."""
        from ui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    # ----------------------------------------------------------------- behaviour

    def show_policy(self, profile: PolicyProfile | None) -> None:
        """Show the active policy in the title, the status bar and the pages already built (real ones once a
        workspace is attached)."""
        self._profile = profile
        name = profile.association.name if profile is not None else None
        self.setWindowTitle(window_title(name))
        self.desk_status.show_association(name or "لم تُعتمد سياسة بعد")
        self.desk_status.show_today(_today_text())
        hidden = hidden_sections(profile)
        titles = section_titles(profile)
        for index, section in enumerate(SECTIONS):
            title = titles.get(section.key, section.title)
            self.navigator.set_section_title(index, title, section.shortcut)
            self.section_actions[index].setText(title)
            self.navigator.set_section_hidden(index, section.key in hidden)
            self.section_actions[index].setVisible(section.key not in hidden)
            self.section_actions[index].setEnabled(section.key not in hidden)
        for key, page in self._pages.items():
            self._fill_page(key, page)
        for key in ("reception", "cases", "committee", "satisfaction", "reports"):
            if key not in hidden:
                self._replace_placeholder(key)
        if SECTIONS[self.stack.currentIndex()].key in hidden:
            self.show_section(0)

    def show_section(self, index: int) -> None:
        """Bring a section to the front, by its position (0 = الاستقبال).

        Leaving the reception with a case unfinished asks the officer first (continue later, abandon with a
        reason, or stay — the default); the section changes only after «later» or «abandon»."""
        if not 0 <= index < len(SECTIONS) or self.navigator.is_section_hidden(index):
            return
        current = self.stack.currentIndex()
        wizard = self._reception_wizard()
        if (wizard is not None and index != current and SECTIONS[current].key == "reception"
                and wizard.ask_to_leave("قبل الانتقال إلى قسم آخر", lambda: self.show_section(index))):
            self.navigator.show_section(current)  # stays marked until the officer answers
            return
        self._ensure_page(index)
        changed = self.stack.currentIndex() != index
        self.stack.setCurrentIndex(index)
        self.navigator.show_section(index)
        if changed:
            self.sig_section_changed.emit(SECTIONS[index].key)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the desk (or Ctrl+Q) saves what is typed in the reception; with a reception unfinished the
        officer is asked first (continue later, abandon with a reason, or stay — the default, and Escape)."""
        wizard = self._reception_wizard()
        if wizard is not None and not self._leaving_asked:
            if wizard.ask_to_leave("قبل إغلاق البرنامج", self._close_after_answer):
                event.ignore()
                return
        if wizard is not None:
            wizard.flush_drafts()
        self.stop_sync()
        remember_main_window(self)
        super().closeEvent(event)

    def _close_after_answer(self) -> None:
        """The officer answered «later» or «abandon» (its write done): close without asking again."""
        self._leaving_asked = True
        operations().wait(10_000)
        self.close()

    def _reception_wizard(self) -> ReceptionWizard | None:
        """The reception's wizard once its page is built (None before)."""
        wizard = getattr(self._pages.get("reception"), "wizard", None)
        if wizard is None:  # not built yet: the wizard's module (and the service behind it) stays unloaded
            return None
        from ui.reception.wizard import ReceptionWizard

        return wizard if isinstance(wizard, ReceptionWizard) else None

    # ----------------------------------------------------------------- sync (issue 4)

    def _build_sync_menu(self) -> None:
        """The «المزامنة» menu: sync now (Ctrl+Shift+S), the conflicts screen, enrolling this PC."""
        menu = self.menuBar().addMenu("المزامنة")
        self.sync_now_action = QAction("مزامنة الآن", self)
        self.sync_now_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sync_now_action.triggered.connect(self.sync_now)
        self.conflicts_action = QAction("تعارضات المزامنة…", self)
        self.conflicts_action.triggered.connect(self.show_conflicts)
        self.enrol_action = QAction("تسجيل هذا الجهاز لدى الخادم…", self)
        self.enrol_action.triggered.connect(self.show_enrolment)
        for action in (self.sync_now_action, self.conflicts_action, self.enrol_action):
            action.setEnabled(False)
            menu.addAction(action)
        self.desk_status.sig_conflicts_clicked.connect(self.show_conflicts)

    def _start_sync(self, workspace: Workspace) -> None:
        """Start the background sync of the workspace just attached."""
        from ui.sync.controller import SyncController

        self.stop_sync()
        self.sync = controller = SyncController(workspace, self)
        controller.sig_state.connect(self._show_sync_state)
        controller.sig_first_sync.connect(self.show_first_sync)
        # Started once the pages just built are drawn: preparing the service imports the HTTP client (~0.1 s
        # of the interpreter) that must not compete with the reception page becoming usable.
        QTimer.singleShot(0, controller, lambda: QTimer.singleShot(0, controller, controller.start))

    def _show_sync_state(self, state: SyncState) -> None:
        self.desk_status.show_sync(state)
        ready = state.status is not None
        self.sync_now_action.setEnabled(ready)
        self.conflicts_action.setEnabled(state.configured)
        self.enrol_action.setEnabled(ready)
        if self.sync_box is not None:
            self.sync_box.show_state(state)

    def _add_sync_box(self, page: QWidget) -> None:
        """Put the sync box on the settings page, under the storage box."""
        from ui.sync.settings_box import SyncSettingsBox

        body = page.widget() if isinstance(page, PolicySummaryPage) else None
        layout = body.layout() if body is not None else None
        if body is None or not isinstance(layout, QVBoxLayout) or self.sync_box is not None:
            return
        box = SyncSettingsBox(body)
        storage = [g for g in body.findChildren(QGroupBox) if g.title() == "التخزين"]
        index = layout.indexOf(storage[0]) if storage else -1
        layout.insertWidget(index if index >= 0 else max(layout.count() - 2, 0), box)
        box.sig_enrol_requested.connect(self.show_enrolment)
        box.sig_sync_requested.connect(self.sync_now)
        box.sig_conflicts_requested.connect(self.show_conflicts)
        self.sync_box = box
        if self.sync is not None:
            box.show_state(self.sync.state())

    def sync_now(self) -> None:
        """«مزامنة الآن»: a round now; on a PC not enrolled yet, the enrolment dialog instead."""
        if self.sync is None or self.sync.stopped:
            return
        if not self.sync.sync_now() and self.sync.state().status is not None:
            self.show_enrolment()

    def _sync_dialog(self, key: str, make: Callable[..., QWidget]) -> QWidget | None:
        """The sync dialog of `key`, raised if open, else made now (None before the workspace is open)."""
        if self.sync is None or self.sync.stopped:
            return None
        dialog = self._sync_dialogs.get(key)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = make(self.sync, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _=None, k=key: self._sync_dialogs.pop(k, None))
        self._sync_dialogs[key] = dialog
        return dialog

    def show_conflicts(self) -> ConflictsDialog | None:
        """Open the supervisor's conflicts screen (beside the desk, not blocking it)."""
        from ui.sync.conflicts import ConflictsDialog

        dialog = self._sync_dialog("conflicts", ConflictsDialog)
        if isinstance(dialog, ConflictsDialog):
            dialog.show()
            return dialog
        return None

    def show_enrolment(self) -> EnrolDialog | None:
        """Open the enrolment dialog (window-modal); after success the first sync starts with its progress."""
        from ui.sync.enrol import EnrolDialog

        dialog = self._sync_dialog("enrol", EnrolDialog)
        if isinstance(dialog, EnrolDialog):
            dialog.open()
            return dialog
        return None

    def show_first_sync(self) -> FirstSyncDialog | None:
        """Show the progress of this PC's first sync."""
        from ui.sync.first_sync import FirstSyncDialog

        dialog = self._sync_dialog("first_sync", FirstSyncDialog)
        if isinstance(dialog, FirstSyncDialog):
            dialog.open()
            return dialog
        return None

    def stop_sync(self) -> None:
        """Stop the background sync (a running round is asked to stop and waited for)."""
        if self.sync is not None:
            for dialog in list(self._sync_dialogs.values()):
                dialog.close()
            self.sync.shutdown()

    def current_section(self) -> str:
        """Key of the section on screen."""
        return SECTIONS[self.stack.currentIndex()].key

    def section_page(self, key: str) -> QWidget:
        """The page widget of a section, by key (built if not shown yet)."""
        return self._ensure_page(section_index(key))


def _today_text() -> str:
    """Today's date in Hijri and Gregorian, side by side."""
    return format_dual(date.today())
