"""The desk's main window: section navigation on the right, the section pages, and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import InputError
from desktop.hijri import format_dual, riyadh_today
from ui.identity.gate import DeskGate, roles_text
from ui.identity.idle import IdleWatch
from ui.ops import operations, run_read, run_write
from ui.sections import SECTIONS, Section, section_index
from ui.settings import remember_main_window
from ui.widgets.navigation import SectionNavigator
from ui.widgets.placeholder import SectionWaitingPage
from ui.widgets.policy_outline import ReceptionOutline
from ui.widgets.policy_summary import PolicySummaryPage
from ui.widgets.status import DeskStatusBar

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile
    from desktop.session_identity import SessionIdentity
    from desktop.reception import DraftSummary
    from desktop.startup import DeskSnapshot
    from desktop.workspace import DeskState, Workspace
    from ui.reception import ReceptionPage
    from ui.identity.accounts import AccountsBox
    from ui.reception.wizard import ReceptionWizard
    from ui.sync.conflicts import ConflictsDialog
    from ui.sync.controller import SyncController
    from ui.sync.enrol import EnrolDialog
    from ui.sync.first_sync import FirstSyncDialog
    from ui.backup_box import BackupSettingsBox
    from ui.encryption_box import EncryptionSettingsBox
    from ui.sync.settings_box import SyncSettingsBox
    from ui.sync.text import SyncState

OPENING_TEXT = "جارٍ فتح قاعدة البيانات…"
AWAITING_SIGN_IN_TEXT = "بانتظار دخول الموظف"
NOBODY_SIGNED_IN = "لم يدخل أحد بعد"

WINDOW_TITLE = "مكتب المستفيد"
#: The daily integrity check starts this long after the first sign-in (off the first screens' path).
INTEGRITY_CHECK_DELAY_MS = 20_000


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
    a `DeskState` read off the GUI thread.

    Until somebody signs in (`ui.identity.gate.DeskGate`), the gate covers the window: no page is built, no
    case read, the sections' menu and shortcuts do nothing. After the association's idle period, or with
    «قفل المكتب / تبديل المستخدم» (Ctrl+L), the gate covers it again (the reception on screen kept as it is);
    another officer signing in there finds the previous one's unfinished reception set aside for later.

    Signals: `sig_section_changed(key)` when another section comes to the front; `sig_workspace_attached()`
    once an opened workspace is attached; `sig_signed_in(identity)` when somebody has signed in or unlocked
    (the desk is uncovered); `sig_locked()` when the gate covers the desk again.
    """

    sig_section_changed = Signal(str)

    sig_workspace_attached = Signal()

    sig_signed_in = Signal(object)

    sig_locked = Signal()

    def __init__(
        self,
        workspace: Workspace | None,
        parent: QWidget | None = None,
        *,
        snapshot: DeskSnapshot | None = None,
        state: DeskState | None = None,
        idle_clock: Callable[[], float] | None = None,
    ) -> None:
        """Build the desk for an open workspace (with its `state` when already read), or from a start-up
        snapshot until `attach_workspace`; `idle_clock` (seconds) drives the idle lock (a test's fake clock)."""
        super().__init__(parent)
        self.setObjectName("main_window")
        self._workspace: Workspace | None = None
        self._snapshot = snapshot
        self._pages: dict[str, QWidget] = {}
        self.section_actions: list[QAction] = []
        #: Set once the officer has answered the unfinished-reception question for closing the desk.
        self._leaving_asked = False
        self._identity: SessionIdentity | None = None
        self._desk_opened = False
        self._pending_state: DeskState | None = None
        self._hidden_windows: list[QWidget] = []
        self.accounts_box: AccountsBox | None = None

        self.cover = QStackedWidget(self)
        self.cover.setObjectName("desk_cover")
        self.gate = DeskGate(self.cover)
        self.gate.sig_signed_in.connect(self._signed_in)
        self.gate.sig_switching.connect(self._save_reception_typing)
        self.idle = IdleWatch(self) if idle_clock is None else IdleWatch(self, clock=idle_clock)
        self.idle.sig_idle.connect(self.lock_desk)
        central = QWidget(self.cover)
        self.desk = central
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.navigator = SectionNavigator([(s.title, s.shortcut) for s in SECTIONS], central)
        self.stack = QStackedWidget(central)
        self.stack.setObjectName("section_stack")
        # In a right-to-left layout the first widget sits on the right.
        row.addWidget(self.navigator)
        row.addWidget(self.stack, 1)
        self.cover.addWidget(self.gate)
        self.cover.addWidget(central)
        self.setCentralWidget(self.cover)

        self.desk_status = DeskStatusBar(self)
        self.setStatusBar(self.desk_status)

        # Pages are built when first shown (an empty stand-in until then): the first screen stays quick.
        for _section in SECTIONS:
            self.stack.addWidget(QWidget(self.stack))
        self._profile: PolicyProfile | None = None
        self.sync: SyncController | None = None
        self.sync_box: SyncSettingsBox | None = None
        self.backup_box: BackupSettingsBox | None = None
        self.encryption_box: EncryptionSettingsBox | None = None
        #: True once a backup was restored: the desk closes without its automatic backup.
        self.restored = False
        #: The message of a damaged database found by the daily integrity check (None until one is shown).
        self.integrity_box: QMessageBox | None = None
        self._daily_backup = QTimer(self)
        self._daily_backup.setInterval(60 * 60 * 1000)  # once an hour it asks whether the daily one is due
        self._daily_backup.timeout.connect(self.daily_backup)
        self._sync_dialogs: dict[str, QWidget] = {}
        self._build_menus()

        self.navigator.sig_section_chosen.connect(self.show_section)
        self._show_gate()
        if workspace is not None:
            self.attach_workspace(workspace, state)
        else:
            self._show_snapshot()
        self.show_section(0)
        self.resize(1100, 720)

    def attach_workspace(self, workspace: Workspace, state: DeskState | None = None, *,
                         has_administrator: bool | None = None) -> None:
        """The workspace is open: the gate takes a password (or, signed in already, the desk is shown for real).

        With `state` (read on the worker that opened the workspace) everything is shown at once. Without
        it, a policy the workspace has already read is shown at once and the rest is read off the GUI thread;
        with `has_administrator` (what the gate needs, read on that worker) the gate takes a password at once and
        the state comes later (`keep_desk_state`).
        """
        self._workspace = workspace
        if workspace.signed_in is None:
            self.desk_status.show_connection(AWAITING_SIGN_IN_TEXT)  # opened: no longer «جارٍ فتح…»
            # An encrypted desk still locked knew nothing before sign-in: its state is read after it.
            self._pending_state = None if state is not None and state.locked else state
            known = state.profile if state is not None else workspace.loaded_profile
            if known is not None:
                self.setWindowTitle(window_title(known.association.name))
                self.desk_status.show_association(known.association.name)
            if state is not None:
                self.gate.attach(workspace, state.has_administrator)
            elif has_administrator is not None:
                self.gate.attach(workspace, has_administrator)
            else:
                run_read(self, workspace.desk_state, self._gate_state, where="main_window.gate_state")
            self.sig_workspace_attached.emit()
            return
        self._identity = workspace.signed_in
        self._open_desk(workspace, state)
        self.sig_workspace_attached.emit()

    def keep_desk_state(self, state: DeskState) -> None:
        """The desk's state read behind the gate: kept for the sign-in (an encrypted desk's, still locked, is read
        again after it); once somebody is in, the desk has read its own."""
        if not self._desk_opened:
            self._pending_state = None if state.locked else state

    def _gate_state(self, state: DeskState) -> None:
        """The desk's state read for the gate (the workspace came without it)."""
        self._pending_state = state
        if self._workspace is not None:
            self.gate.attach(self._workspace, state.has_administrator)

    def _open_desk(self, workspace: Workspace, state: DeskState | None) -> None:
        """Somebody is signed in: build the pages, show the policy and connection, start the sync."""
        self._desk_opened = True
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
        if self.backup_box is not None:
            self.backup_box.attach_workspace(workspace)
        if self.encryption_box is not None:
            self.encryption_box.attach_workspace(workspace)
        from ui.backup_box import automatic_backups_enabled

        if automatic_backups_enabled():
            # The daily integrity check reads the whole file: on a reader, once the desk is in use.
            QTimer.singleShot(INTEGRITY_CHECK_DELAY_MS, self, self.check_integrity)
            self._daily_backup.start()
            QTimer.singleShot(60_000, self, self.daily_backup)  # a minute after sign-in: not on the first screen's path
            QTimer.singleShot(90_000, self, self.remind_retention)
        self._uncover()

    def show_desk_state(self, state: DeskState) -> None:
        """Show the desk's policy, officer and connection, and build for real the pages that were waiting."""
        self.show_policy(state.profile)
        self.desk_status.show_officer(state.officer_name)
        self.desk_status.show_connection(state.connection.label_ar)
        self._show_identity()

    # ----------------------------------------------------------------- who is at the desk (issue 13)

    @property
    def identity(self) -> SessionIdentity | None:
        """The person signed in at this window (also while it is locked), or None before anybody signed in."""
        return self._identity

    def is_covered(self) -> bool:
        """True while the gate covers the desk (nobody signed in yet, or locked)."""
        return self.cover.currentWidget() is self.gate

    def _show_identity(self) -> None:
        """The signed-in person's Arabic name and role in the status bar (nobody before sign-in)."""
        identity = self._identity
        if identity is None:
            self.desk_status.show_officer(NOBODY_SIGNED_IN)
        else:
            # The primary role only: the bar keeps room for the association; every role is in the tooltip.
            self.desk_status.show_officer(f"{identity.full_name} — {roles_text(identity.roles[:1])}")
            self.desk_status.officer_label.setToolTip(roles_text(identity.roles))

    def _show_gate(self) -> None:
        """Cover the desk: its sections' shortcuts and the sync's actions do nothing until sign-in."""
        self.cover.setCurrentWidget(self.gate)
        for action in (*self.section_actions, self.sync_now_action, self.conflicts_action, self.enrol_action,
                       self.lock_action):
            action.setEnabled(False)
        self._show_identity()

    def _uncover(self) -> None:
        """Show the desk to the person signed in, with the actions their desk allows."""
        self._ensure_page(self.stack.currentIndex())
        self.cover.setCurrentWidget(self.desk)
        hidden = self._hidden_now()
        for index, section in enumerate(SECTIONS):
            self.section_actions[index].setEnabled(section.key not in hidden)
        self.lock_action.setEnabled(True)
        if self.sync is not None and not self.sync.stopped:
            self._show_sync_state(self.sync.state())
        self._show_identity()
        if self.accounts_box is not None:
            self.accounts_box.show_for(self._identity)
        if self.backup_box is not None:  # a restore replaces the desk's data: the administrator's (settings)
            from desktop.permissions import Action
            from ui.permissions import may_do

            allowed = may_do(self._identity, Action.ACCOUNTS_SETTINGS)
            self.backup_box.setVisible(allowed)
            if self.encryption_box is not None:  # the administrator's too: it rewrites the desk's data
                self.encryption_box.setVisible(allowed)
        workspace = self._workspace
        if workspace is not None:
            run_read(self, workspace.idle_lock_minutes, self._arm_idle_lock, where="main_window.idle_lock")
        page = self.stack.currentWidget()
        if page is not None:
            page.setFocus()

    def _arm_idle_lock(self, minutes: int) -> None:
        if not self.is_covered():
            self.idle.start(minutes)
            self.idle.watch(self.windowHandle())

    def _signed_in(self, identity: SessionIdentity) -> None:
        """The gate let somebody in: the same person goes on where they were; another finds a fresh reception."""
        previous = self._identity
        self._identity = identity
        workspace = self._workspace
        if workspace is None:
            return
        if not self._desk_opened:
            self._open_desk(workspace, self._pending_state)
            self._when_idle_offer_drafts()
        elif previous is not None and previous.account_id != identity.account_id:
            self._hand_over()
            self.show_policy(self._profile)  # another person: the sections their roles allow
            self._uncover()
        else:
            for window in self._hidden_windows:
                window.show()
            self._hidden_windows.clear()
            self._uncover()
        self.sig_signed_in.emit(identity)

    def _when_idle_offer_drafts(self) -> None:
        QTimer.singleShot(0, self, lambda: QTimer.singleShot(0, self, self.offer_drafts_when_found))

    def _save_reception_typing(self) -> None:
        """Queue the reception's unsaved typing on the writer now, under the officer who typed it."""
        wizard = self._reception_wizard()
        if wizard is not None:
            wizard.flush_drafts()

    def _hand_over(self) -> None:
        """Another officer signed in at the lock: the previous one's windows close, and their unfinished
        reception is set aside as «continue later» (saved, listed with the unfinished ones), never lost."""
        for window in self._hidden_windows:
            window.close()
        self._hidden_windows.clear()
        wizard = self._reception_wizard()
        if wizard is not None:
            if wizard.case is not None:
                wizard.start_new()
            self._when_idle_offer_drafts()

    def lock_desk(self) -> None:
        """Cover the desk now (idle, or «قفل المكتب» / Ctrl+L): the PIN of the person signed in opens it again,
        or another officer signs in. What the reception has typed is saved first; open dialogs are hidden."""
        identity = self._identity
        if identity is None or self.is_covered():
            return
        self.idle.stop()
        self._save_reception_typing()
        for window in QApplication.topLevelWidgets():
            if window is not self and window.isVisible() and _owned_by(window, self):
                window.hide()
                self._hidden_windows.append(window)
        self._show_gate()
        self.gate.show_lock(identity)
        self.sig_locked.emit()

    @property
    def workspace(self) -> Workspace | None:
        """The open workspace, or None while it is still opening."""
        return self._workspace

    def _show_snapshot(self) -> None:
        """Until the database is open: the association from the snapshot (nobody is named), and say it is opening."""
        snapshot = self._snapshot
        self.setWindowTitle(window_title(snapshot.association_name if snapshot else None))
        self._show_identity()
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
            self._add_backup_box(page)
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

    def landed_page(self) -> QWidget | None:
        """The real page of the section on screen once the desk is uncovered (the reception for an officer, the
        settings for an administrator alone), or None while covered or still showing a placeholder."""
        page = self.stack.currentWidget()
        if self.is_covered() or page is None or isinstance(page, SectionWaitingPage) or not page.isVisible():
            return None
        return page

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
        self.lock_action = QAction("قفل المكتب / تبديل المستخدم", self)
        self.lock_action.setObjectName("lock_action")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock_desk)
        file_menu.addAction(self.lock_action)
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
        hidden = self._hidden_now()
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
            # The first section this person may use (an administrator alone lands on the settings, not on a
            # reception the services would refuse them).
            visible = [index for index, section in enumerate(SECTIONS) if section.key not in hidden]
            self.show_section(visible[0] if visible else 0)

    def _hidden_now(self) -> set[str]:
        """The sections hidden for this policy and for the roles of the person signed in now."""
        hidden = set(hidden_sections(self._profile))
        if self._workspace is not None:  # the window drawn from the snapshot loads no database code
            from ui.permissions import role_hidden_sections

            hidden |= role_hidden_sections(self._workspace.signed_in)
        return hidden

    def show_section(self, index: int) -> None:
        """Bring a section to the front, by its position (0 = الاستقبال).

        Leaving the reception with a case unfinished asks the officer first (continue later, abandon with a
        reason, or stay — the default); the section changes only after «later» or «abandon»."""
        if not 0 <= index < len(SECTIONS) or self.navigator.is_section_hidden(index):
            return
        if self._identity is None and self._workspace is not None and self._workspace.signed_in is None:
            return  # nobody signed in: no page is built
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
        if wizard is not None and not self._leaving_asked and not self.is_covered():
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
        self._add_accounts_box(body, layout, layout.indexOf(box) + 1)
        box.sig_enrol_requested.connect(self.show_enrolment)
        box.sig_sync_requested.connect(self.sync_now)
        box.sig_conflicts_requested.connect(self.show_conflicts)
        self.sync_box = box
        if self.sync is not None:
            box.show_state(self.sync.state())

    def _add_accounts_box(self, body: QWidget, layout: QVBoxLayout, index: int) -> None:
        """The administrator's accounts box on the settings page, under the sync box (hidden from everybody else)."""
        from ui.identity.accounts import AccountsBox

        workspace = self._workspace
        if workspace is None or self.accounts_box is not None:
            return
        box = AccountsBox(workspace, body)
        layout.insertWidget(index, box)
        self.accounts_box = box
        box.show_for(self._identity)

    def _add_backup_box(self, page: QWidget) -> None:
        """Put the backups box on the settings page, under the sync box."""
        from ui.backup_box import BackupSettingsBox

        body = page.widget() if isinstance(page, PolicySummaryPage) else None
        layout = body.layout() if body is not None else None
        if body is None or not isinstance(layout, QVBoxLayout) or self.backup_box is not None:
            return
        box = BackupSettingsBox(body)
        index = layout.indexOf(self.sync_box) + 1 if self.sync_box is not None else max(layout.count() - 2, 0)
        layout.insertWidget(index, box)
        box.sig_restore_requested.connect(self.restore_backup)
        self.backup_box = box
        if self._workspace is not None:
            box.attach_workspace(self._workspace)
        from ui.encryption_box import EncryptionSettingsBox

        self.encryption_box = EncryptionSettingsBox(body)
        self.encryption_box.sig_running.connect(self._encryption_running)
        layout.insertWidget(layout.indexOf(box) + 1, self.encryption_box)
        self.encryption_box.setVisible(not box.isHidden())
        if self._workspace is not None and self._identity is not None:
            self.encryption_box.attach_workspace(self._workspace)

    def _encryption_running(self, running: bool) -> None:
        """The sync waits while the desk is encrypted in place: a round would find it sealed mid-way, or hold the
        file when the encrypted copy takes its place."""
        if running:
            self.stop_sync()
        elif self._workspace is not None:
            self._start_sync(self._workspace)

    def daily_backup(self) -> None:
        """The automatic daily backup when due (a reader; nothing happens when the newest is under a day old)."""
        workspace = self._workspace
        if workspace is None or self.restored:
            return
        from desktop.backup import BackupKind
        from desktop.backup_desk import BackupDesk

        desk = BackupDesk(workspace)
        run_read(self, lambda: desk.automatic(BackupKind.DAILY), lambda _info: None, self._backup_failed,
                 where="main_window.daily_backup")

    def remind_retention(self) -> None:
        """Once a year, a manager is told how many closed cases are past their retention period (PDPL)."""
        workspace = self._workspace
        if workspace is None or self.restored:
            return
        from desktop.retention import yearly_reminder

        run_write(self, lambda: yearly_reminder(workspace.db, workspace.officer_role()), self._show_retention,
                  lambda _message, _error: None, where="main_window.retention_reminder")

    def _show_retention(self, report: object) -> None:
        from desktop.arabic_text import ltr
        from desktop.counting import CASES, count_phrase
        from desktop.retention import RetentionReport

        if not isinstance(report, RetentionReport):
            return
        box = QMessageBox(QMessageBox.Icon.Information, "المراجعة السنوية لمدة الاحتفاظ بالبيانات",
                          f"انقضت مدة الاحتفاظ المحددة في سياسة الجمعية بـ {count_phrase(report.cases, CASES)} "
                          "مغلقة. بحسب نظام حماية البيانات الشخصية تُحذف بياناتها الشخصية وتبقى أعدادها في التقارير: "
                          "يشغّل مسؤول النظام بعد أخذ نسخة احتياطية الأمر\n\n"
                          f"{ltr('mustafid-admin retention run --apply --remove-old-backups')}\n\n"
                          "وخياره الأخير يزيل النسخ الاحتياطية التلقائية المأخوذة قبل الحذف. أي نسخة تُستعاد لاحقًا "
                          "تُحذف منها هذه البيانات من جديد؛ أما النسخ اليدوية على الأقراص الخارجية فيتلفها الموظف "
                          "المسؤول عنها بعد انقضاء الحاجة إليها.",
                          parent=self)
        box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        box.open()

    def check_integrity(self) -> None:
        """The daily integrity check of the database on a reader (`desktop.integrity`; at most once a day): nothing
        when sound or checked today; a damaged file → its message naming the latest good backup, with the restore."""
        workspace = self._workspace
        if workspace is None or self.restored:
            return
        from desktop.integrity import check_database

        run_read(self, lambda: check_database(workspace), self._show_integrity_finding, self._integrity_failed,
                 where="main_window.integrity_check")

    def _show_integrity_finding(self, finding: object) -> None:
        from desktop.integrity import IntegrityFinding
        from ui.integrity_box import show_damage

        if isinstance(finding, IntegrityFinding) and not self.restored:
            self.integrity_box = show_damage(self, finding, self.restore_backup)

    def _integrity_failed(self, message: str, _error: BaseException) -> None:
        self.desk_status.showMessage(f"تعذّر فحص سلامة قاعدة البيانات: {message}", 15_000)

    def _backup_failed(self, message: str, _error: BaseException) -> None:
        self.desk_status.showMessage(f"تعذّرت النسخة الاحتياطية اليومية: {message}", 15_000)

    def restore_backup(self, folder: str) -> None:
        """Restore the backup in `folder` (confirmed by the officer): sync stopped, the workspace closed, the
        restore on the writer with a progress window, then the desk closes to be opened on the restored data."""
        workspace = self._workspace
        if workspace is None:
            return
        from desktop.backup import restore_backup
        from ui.backup_box import restore_text, wait_with_progress

        self.stop_sync()
        self._daily_backup.stop()
        operations().wait(30_000)
        key = workspace.db.data_key  # an encrypted desk's backup opens with the same data key
        workspace.close()
        data_dir = Path(workspace.data_dir)
        outcome = wait_with_progress(self, "جارٍ استعادة النسخة الاحتياطية…",
                                     lambda progress: restore_backup(Path(folder), data_dir, progress=progress, key=key),
                                     write=True)
        if isinstance(outcome, str):
            refused = QMessageBox(QMessageBox.Icon.Warning, "تعذّرت الاستعادة", outcome, parent=self)
            refused.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            refused.exec()
            self._start_sync(workspace)  # nothing was replaced: the desk goes on with its data
            return
        self.restored = True
        done = QMessageBox(QMessageBox.Icon.Information, "اكتملت الاستعادة", restore_text(outcome), parent=self)
        done.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        done.exec()
        self._leaving_asked = True
        QApplication.quit()

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


def _owned_by(window: QWidget, owner: QWidget) -> bool:
    """True when a top-level widget (a dialog) belongs to `owner` through its parents."""
    parent = window.parentWidget()
    while parent is not None:
        if parent is owner:
            return True
        parent = parent.parentWidget()
    return False


def _today_text() -> str:
    """Today's date in Riyadh, Hijri and Gregorian side by side (the PC's own zone may be another)."""
    return format_dual(riyadh_today())
