"""No case desk service is called on the GUI thread: every call of ui/cases and ui/committee goes through ui/ops.

The services are wrapped so that a call made on the GUI (main) thread is recorded and fails; the main flows
of both sections are then driven through their widgets: the list, a search, the case file, the eligibility
check, a committee decision with its notice, a service, the letter, closing, follow-ups and suggestions.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from desktop.casedesk import (
    CaseFileService,
    CaseListService,
    CommitteeService,
    EligibilityService,
    FollowUpService,
    ServiceDelivery,
    SuggestionService,
)
from desktop.workspace import Workspace
from tests.ui.accounts import tick_member_account
from tests.ui.cases.world import World
from tests.ui.reception.driver import type_text
from ui.cases import CasesPage
from ui.committee import CommitteePage
from ui.ops import operations

ROOT = Path(__file__).resolve().parents[3]
GUARDED: tuple[type, ...] = (CaseListService, CaseFileService, EligibilityService, CommitteeService,
                             ServiceDelivery, FollowUpService, SuggestionService)


class GuiThreadGuard:
    """Records (and refuses) every public service method called on the GUI thread while armed."""

    def __init__(self) -> None:
        self.armed = False
        self.calls: list[str] = []

    def wrap(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        """The method, refusing to run on the main thread while the guard is armed."""
        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.armed and threading.current_thread() is threading.main_thread():
                self.calls.append(name)
                raise AssertionError(f"{name} was called on the GUI thread")
            return method(*args, **kwargs)

        return guarded


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[GuiThreadGuard]:
    """Every public method of the case desk services (and the workspace's policy read) guarded."""
    made = GuiThreadGuard()
    for cls in GUARDED:
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                monkeypatch.setattr(cls, name, made.wrap(f"{cls.__name__}.{name}", member))
    monkeypatch.setattr(Workspace, "active_profile", made.wrap("Workspace.active_profile", Workspace.active_profile))
    yield made
    made.armed = False


def _idle() -> bool:
    return operations().in_flight == 0


def _show(qtbot: Any, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)


def test_the_guard_refuses_a_call_on_the_gui_thread(guard: GuiThreadGuard, world: World) -> None:
    """The wrapper is in place: a direct call from the test (the GUI thread) is refused and recorded."""
    guard.armed = True
    with pytest.raises(AssertionError):
        CaseFileService(world.workspace).case_file(world.cases["due"])
    assert guard.calls == ["CaseFileService.case_file"]


def test_main_flows_call_no_service_on_the_gui_thread(qtbot: Any, guard: GuiThreadGuard, world: World) -> None:
    """List, search, case file, eligibility, decision and notice, service, letter, close, follow-ups, suggestions."""
    guard.armed = True
    page = CasesPage(world.workspace)
    _show(qtbot, page)
    page.printer.show_boxes = False
    panel = page.case_list
    qtbot.waitUntil(lambda: panel.model.count is not None and _idle(), timeout=15000)
    assert panel.model.rowCount() == 5

    type_text(panel.search, "فاطمه الزهرانى")
    qtbot.waitUntil(lambda: not panel._timer.isActive() and _idle() and panel.model.rowCount() == 1, timeout=15000)
    panel.search.clear()
    qtbot.waitUntil(lambda: not panel._timer.isActive() and _idle() and panel.model.rowCount() == 5, timeout=15000)

    file_dialog = page.open_case(world.cases["missing"])
    qtbot.waitUntil(lambda: file_dialog.file is not None, timeout=15000)
    eligibility = file_dialog.open_eligibility()
    qtbot.waitUntil(lambda: eligibility.view is not None, timeout=15000)  # type: ignore[attr-defined]
    for document, combo, _note in eligibility.document_rows:  # type: ignore[attr-defined]
        combo.setCurrentIndex(combo.findData("valid" if document.provided else "missing"))
    with qtbot.waitSignal(eligibility.sig_changed, timeout=15000):  # type: ignore[attr-defined]
        eligibility.submit_documents()  # type: ignore[attr-defined]
    eligibility.accept()
    file_dialog.accept()
    qtbot.waitUntil(_idle, timeout=15000)

    committee = CommitteePage(world.workspace)
    _show(qtbot, committee)
    committee.printer.show_boxes = False
    qtbot.waitUntil(lambda: committee.summary is not None and _idle(), timeout=15000)
    due_row = next(row for row in committee.model.rows() if row.case_id == world.cases["due"])
    decision = committee.open_decision(due_row)
    decision.open_url = lambda _url: None
    qtbot.waitUntil(lambda: decision.file is not None, timeout=15000)
    decision.choose("accept")
    tick_member_account(qtbot, decision)
    with qtbot.waitSignal(decision.sig_decided, timeout=30000):
        decision.decide_button.click()
    qtbot.waitUntil(lambda: decision.notification is not None, timeout=15000)
    decision.informed_how.setCurrentIndex(decision.informed_how.findData("phone"))
    with qtbot.waitSignal(decision.sig_informed, timeout=15000):
        decision.informed_button.click()
    decision.accept()
    qtbot.waitUntil(lambda: committee.model.rowCount() == 1 and _idle(), timeout=15000)

    world.reception().complete_register(world.cases["due"], "اكتمل الملف")  # reception's own step
    accepted = page.open_case(world.cases["due"])
    qtbot.waitUntil(lambda: accepted.file is not None and accepted.file.can_serve, timeout=15000)
    served = accepted.open_service()
    type_text(served.kind, "سلة غذائية")  # type: ignore[attr-defined]
    type_text(served.in_kind, "سلة غذائية شهرية")  # type: ignore[attr-defined]
    with qtbot.waitSignal(accepted.sig_changed, timeout=15000):
        served.submit()  # type: ignore[attr-defined]
    accepted.print_letter()
    qtbot.waitUntil(lambda: _idle() and accepted.file is not None and len(accepted.file.services) == 1,
                    timeout=15000)
    closing = accepted.open_close()
    closing.reason.setText("اكتملت الخدمة")  # type: ignore[attr-defined]
    with qtbot.waitSignal(accepted.sig_changed, timeout=15000):
        closing.submit()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: accepted.file is not None and accepted.file.status == "closed", timeout=15000)
    accepted.accept()

    with qtbot.waitSignal(page.follow_ups.sig_loaded, timeout=15000):
        page.tabs.setCurrentWidget(page.follow_ups)
    suggestions = page.suggestions
    with qtbot.waitSignal(suggestions.sig_loaded, timeout=15000):
        page.tabs.setCurrentWidget(suggestions)
    qtbot.waitUntil(lambda: bool(suggestions.channels), timeout=15000)
    receive = suggestions.open_receive()
    receive.channel.setCurrentIndex(receive.channel.findData("phone"))  # type: ignore[attr-defined]
    type_text(receive.text, "تأخر الرد على طلبي")  # type: ignore[attr-defined]
    with qtbot.waitSignal(suggestions.sig_loaded, timeout=15000):
        receive.submit()
    assert suggestions.model.rowCount() == 1
    qtbot.waitUntil(_idle, timeout=15000)
    assert guard.calls == []


def test_no_case_desk_screen_uses_the_old_runner_or_the_database() -> None:
    """ui/cases and ui/committee reach services only through ui/ops: no BackgroundRunner, no db import."""
    for folder in ("ui/cases", "ui/committee"):
        for path in sorted((ROOT / folder).glob("*.py")):
            source = path.read_text(encoding="utf-8")
            assert "ui.tasks" not in source and "BackgroundRunner" not in source, path
            assert "from db" not in source and "import db" not in source, path
