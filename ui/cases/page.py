"""The «الحالات» section: the case list with search and filters, the follow-ups, suggestions and complaints."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop.casedesk import CaseDesk, CaseListService, FilterChoices
from ui.cases.case_file import CaseFileDialog
from ui.cases.case_list import CaseListPanel
from ui.cases.follow_ups import FollowUpsPanel
from ui.cases.style import CASEDESK_STYLE
from ui.cases.suggestions import SuggestionsPanel
from ui.ops import run_read
from ui.printing import PrintController

if TYPE_CHECKING:
    from desktop.workspace import Workspace


class CasesPage(QWidget):
    """Every case of the association, searchable and filtered; each opens its file; follow-ups and suggestions.

    Every service call goes through `ui.ops`: the list's pages, counts, the case file, follow-ups and
    suggestions are reads (`run_read`, beside the writer: search as you type never waits behind a save);
    every action is a write (`run_write`, one at a time, in order).
    """

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cases_page")
        self.setStyleSheet(CASEDESK_STYLE)
        self.workspace = workspace
        self.list_service = CaseListService(workspace)
        self.desk = CaseDesk(workspace)
        self.printer = PrintController(self)
        self.case_file: CaseFileDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.heading = heading = QLabel("الحالات", self)
        heading.setObjectName("page_title")
        top.addWidget(heading)
        top.addStretch(1)
        layout.addLayout(top)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("cases_tabs")
        stack = self.tabs.findChild(QStackedWidget)
        self.case_list = CaseListPanel(self.list_service, stack)
        self.follow_ups = FollowUpsPanel(self.desk.follow_ups, stack)
        self.suggestions = SuggestionsPanel(self.desk.suggestions, stack)
        self.tabs.addTab(self.case_list, "الحالات")
        self.tabs.addTab(self.follow_ups, "المتابعات")
        self.tabs.addTab(self.suggestions, "الاقتراحات والشكاوى")
        layout.addWidget(self.tabs, 1)

        self.case_list.sig_open_case.connect(self.open_case)
        self.follow_ups.sig_open_case.connect(self.open_case)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._loaded: set[int] = set()
        run_read(self, self.list_service.filter_choices, self._choices_arrived, lambda _m, _e: None,
                 where="casedesk.filter_choices")
        self.case_list.apply()
        self._loaded.add(0)

    def _choices_arrived(self, choices: FilterChoices) -> None:
        if choices.is_report:  # a policy of reports: the officer works on reports (بلاغات), not cases
            self.heading.setText("البلاغات")
            self.tabs.setTabText(0, "البلاغات")
        self.case_list.set_choices(choices)
        self.suggestions.channels = choices.channels

    def _tab_changed(self, index: int) -> None:
        """Follow-ups and suggestions are read when their tab is first shown, and again each time after."""
        if index == 1:
            self.follow_ups.load()
        elif index == 2:
            self.suggestions.load()

    def open_case(self, case_id: uuid.UUID) -> CaseFileDialog:
        """Open a case's file (one at a time: opening another replaces it)."""
        if self.case_file is not None:
            self.case_file.close()
        dialog = CaseFileDialog(self.desk, case_id, self, printer=self.printer)
        dialog.sig_changed.connect(self._case_changed)
        self.case_file = dialog
        dialog.finished.connect(lambda _r, d=dialog: self._forget(d))
        dialog.show()
        return dialog

    def _forget(self, dialog: CaseFileDialog) -> None:
        if self.case_file is dialog:
            self.case_file = None
        dialog.deleteLater()

    def _case_changed(self, case_id: uuid.UUID) -> None:
        """A case file action changed a case: its row (and the follow-ups, if shown) are read again."""
        self.case_list.model.refresh_case(case_id)
        if self.tabs.currentIndex() == 1:
            self.follow_ups.load()

    def refresh(self) -> None:
        """Read the tab on screen again."""
        index = self.tabs.currentIndex()
        if index == 0:
            self.case_list.model.reload()
        else:
            self._tab_changed(index)
