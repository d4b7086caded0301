"""Drive the real reception wizard with the keyboard (and the mouse on the signature pad), as an officer would."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

import pytest

from desktop.casedesk import CommitteeService, DecisionInput
from tests.accounts import committee_present
from desktop.hijri import format_gregorian, format_hijri
from desktop.identity import make_saudi_id
from ui.ops import operations, run_write
from ui.reception.base import StepPage
from ui.reception.fields import DualDateField
from ui.reception.page import ReceptionPage
from ui.reception.wizard import ReceptionWizard
from ui.widgets.signature_pad import SignaturePad


def type_text(widget: QWidget, text: str) -> None:
    """Type text key by key into a widget (Arabic letters too: QTest.keyClicks only knows ASCII)."""
    if isinstance(widget, DualDateField):
        widget = widget.edit
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def clear_field(widget: QWidget) -> None:
    """Select all and delete, from the keyboard."""
    if isinstance(widget, DualDateField):
        widget = widget.edit
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)


def draw_signature(pad: SignaturePad, points: list[tuple[float, float]] | None = None) -> None:
    """Sign on the pad with mouse events: press, moves, release (relative coordinates)."""
    path = points or [(0.15 + 0.05 * i, 0.5 + (0.2 if i % 2 else -0.2)) for i in range(12)]
    def at(x: float, y: float) -> QPoint:
        return QPoint(int(x * pad.width()), int(y * pad.height()))
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(*path[0]))
    for x, y in path[1:]:
        QTest.mouseMove(pad, at(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(*path[-1]))


def make_scan(folder: Path, name: str = "scan.png") -> Path:
    """A small scanned-page image (PNG) to attach."""
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    for x in range(40, 360):
        image.setPixelColor(x, 150, QColor("black"))
    path = folder / name
    assert image.save(str(path))
    return path


def future_hijri(days: int = 800) -> str:
    """An ID expiry date in Hijri, as an officer types it (Latin digits)."""
    return format_hijri(date.today() + timedelta(days=days), arabic_digits=False).replace(" هـ", "")


def past_gregorian(days: int) -> str:
    """A date in the past, Gregorian, as typed."""
    return format_gregorian(date.today() - timedelta(days=days), arabic_digits=False).replace(" م", "")


class Officer:
    """An officer at the keyboard in front of the reception page."""

    def __init__(self, qtbot, page: ReceptionPage | ReceptionWizard) -> None:
        self.qtbot = qtbot
        self.wizard: ReceptionWizard = page.wizard if isinstance(page, ReceptionPage) else page

    @property
    def page(self) -> StepPage:
        """The page on screen."""
        return self.wizard.current_page()

    def ensure_active(self) -> None:
        """The desk's window has the keyboard (offscreen, a new window is activated asynchronously)."""
        window = self.wizard.window()
        if QApplication.activeWindow() is not window:
            window.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)

    def type(self, widget: QWidget, text: str) -> None:
        """Type into a field."""
        self.ensure_active()
        type_text(widget, text)

    def settle(self) -> None:
        """Let what the last key asked for run off the GUI thread and come back (as the officer waits)."""
        assert operations().wait(30_000), "operations still running after 30 s"

    def enter(self) -> None:
        """Press Enter where the keyboard is (a line edit passes it on to the wizard); wait for what it asked."""
        self.ensure_active()
        focus = QApplication.focusWidget() or self.wizard
        QTest.keyClick(focus, Qt.Key.Key_Return)
        self.settle()

    def alt_n(self) -> None:
        """Alt+N: do the step and go on (and wait for it to be recorded)."""
        self.ensure_active()
        focus = QApplication.focusWidget() or self.wizard
        QTest.keyClick(focus, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
        self.settle()

    def alt_b(self) -> None:
        """Alt+B: the previous page."""
        focus = QApplication.focusWidget() or self.wizard
        QTest.keyClick(focus, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)

    def wait_saved(self) -> None:
        """Wait until the debounced draft save has run."""
        self.qtbot.waitUntil(lambda: not self.wizard.pending_drafts(), timeout=3000)

    def on(self, key: str) -> StepPage:
        """Assert the page on screen is `key` (once what was asked has come back) and return it."""
        self.settle()
        assert self.page.key == key, (self.page.key, key, self.wizard.message_text())
        return self.page

    def committee_accepts(self) -> None:
        """The research committee accepts the case on screen (its secretary, through `ui.ops` like any screen),
        then the officer opens it again: the reception continues after the decision."""
        case = self.wizard.case
        assert case is not None and case.awaiting_decision, "the case is not waiting for the committee"
        self.on("summary")
        committee = CommitteeService(self.wizard.service._workspace)  # noqa: SLF001 - the reception's workspace
        decision = DecisionInput("accept", "", **committee_present(self.wizard.service._workspace))  # noqa: SLF001
        run_write(self.wizard, lambda: committee.decide(case.case_id, decision), lambda _r: None,
                  lambda message, _e: pytest.fail(message), where="test.committee")
        self.settle()
        self.wizard.resume(case.case_id)
        self.settle()

    # ----------------------------------------------------------------- the contact

    def start_contact(self, channel_id: str | None = None, case_kind_id: str | None = None,
                      identification: str = "") -> None:
        """Choose channel and kind with the keyboard, type the identification, Enter."""
        contact = self.wizard.contact_page
        self.on("contact")
        if channel_id is not None:
            index = contact.channel.findData(channel_id)
            assert index >= 0, channel_id
            contact.channel.setFocus()
            while contact.channel.currentIndex() != index:
                QTest.keyClick(contact.channel, Qt.Key.Key_Down)
        if case_kind_id is not None:
            index = contact.case_kind.findData(case_kind_id)
            contact.case_kind.setFocus()
            while contact.case_kind.currentIndex() != index:
                QTest.keyClick(contact.case_kind, Qt.Key.Key_Down)
        if identification:
            self.type(contact.lookup.edit, identification)
            self.qtbot.waitUntil(lambda: contact.lookup.lookups_run > 0, timeout=3000)
        contact.lookup.edit.setFocus()
        self.enter()

    def greet(self, note: str = "") -> None:
        """Note the questions; Alt+N (Enter makes a new line in the note)."""
        page = self.page
        assert page.step is not None and page.step.kind.value == "greet"
        if note:
            self.type(page.questions, note)
        self.alt_n()

    def fill_particulars(self, *, full_name: str = "", id_number: str = "", id_expiry: str = "", birth_date: str = "",
                         mobile: str = "", city: str = "", household_size: str = "", gender: str = "") -> None:
        """Type the verify page's fields that are given (others are left as they are).

        Where the policy's eligibility uses the household size (it is required) and none is given or typed yet,
        a household of 4 is typed; where no gender is given or chosen yet, «ذكر» is chosen: the tests that fill
        a form mean a valid one.
        """
        page = self.page
        if gender or not page.personal.gender.value():
            self.choose_gender(gender or "male")
        if not household_size and getattr(page.personal, "household_required", False) and not page.household_size.text():
            household_size = "4"
        for name, value in (("full_name", full_name), ("id_number", id_number), ("id_expiry", id_expiry),
                            ("birth_date", birth_date), ("mobile", mobile), ("city", city),
                            ("household_size", household_size)):
            if value:
                widget = getattr(page, name)
                clear_field(widget)
                self.type(widget, value)
                self.dismiss_completion(widget)

    def choose_gender(self, value: str) -> None:
        """Choose «ذكر» ("male") or «أنثى» ("female") on the verify page with the keyboard (Space on the button)."""
        self.ensure_active()
        button = self.page.personal.gender.buttons[value]
        button.setFocus()
        QTest.keyClick(button, Qt.Key.Key_Space)
        assert self.page.personal.gender.value() == value

    def dismiss_completion(self, widget: QWidget) -> None:
        """Escape from a completer's list the typing opened (as the officer does before going on)."""
        completer = widget.completer() if isinstance(widget, QLineEdit) else None
        if completer is not None and completer.popup().isVisible():
            QTest.keyClick(completer.popup(), Qt.Key.Key_Escape)
            # The offscreen platform gives the window no activation back when a popup closes (a desktop does).
            widget.window().activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=3000)

    def mark_documents(self, *, provided: bool = True, attach: dict[str, Path] | None = None) -> None:
        """Tick every document (Space on each check box); attach scans where given."""
        page = self.page
        for row in page.document_rows:
            if row.provided.isChecked() != provided:
                row.provided.setFocus()
                QTest.keyClick(row.provided, Qt.Key.Key_Space)
        for name, path in (attach or {}).items():
            page.attach_file(name, path)
        self.qtbot.waitUntil(lambda: not page.imports_running(), timeout=10000)


def typed_at_verify(officer: Officer) -> None:
    """A reception left unfinished at the verification step, its particulars typed and saved as a draft."""
    officer.start_contact("interview", None, make_saudi_id("101234567"))
    officer.greet("سأل عن الشروط")
    officer.on("verification")
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_expiry=future_hijri(), mobile="0551234567")
    officer.wait_saved()
