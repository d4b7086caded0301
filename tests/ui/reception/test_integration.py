"""The reception page in the desk: built once the workspace is open, the policy outline kept, no ORM objects held."""

from __future__ import annotations

import ast
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from db.models import Base
from desktop.identity import make_saudi_id
from desktop.startup import DeskSnapshot
from desktop.workspace import Workspace
from tests.ui.reception.driver import future_hijri
from ui.main_window import MainWindow
from ui.ops import operations
from ui.reception.page import ReceptionPage
from ui.widgets.placeholder import SectionWaitingPage
from ui.widgets.policy_outline import ReceptionOutline

ROOT = Path(__file__).resolve().parents[3]

#: What the reception GUI may import from the core (the contract), besides Qt and ui itself; the workspace is
#: only the type of what ReceptionService(workspace) is given.
ALLOWED_CORE = {"desktop.reception", "desktop.identity", "desktop.hijri", "desktop.arabic_text", "desktop.policy",
                "desktop.errors", "desktop.workspace", "desktop.counting"}


def test_reception_page_replaces_the_placeholder_when_the_workspace_opens(qtbot, adopted_workspace: Workspace) -> None:
    """Started from the snapshot the section says it is opening; once attached it is the real reception page."""
    snapshot = DeskSnapshot(association_name="جمعية مفاتيح الخير الأسرية", profile_id="mafateeh-alkhair",
                            policy_version="2025-10")
    window = MainWindow(None, snapshot=snapshot)
    qtbot.addWidget(window)
    assert isinstance(window.section_page("reception"), SectionWaitingPage)
    assert window.reception_page() is None
    window.attach_workspace(adopted_workspace)
    page = window.reception_page()
    assert isinstance(page, ReceptionPage)
    assert window.current_section() == "reception"
    assert window.stack.currentWidget() is page
    assert page.findChild(ReceptionOutline) is not None
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["استقبال مستفيد", "سياسة الجمعية"]
    assert window.offer_draft_resume() == 0 and not page.banner.isVisible()


def test_the_gui_holds_no_orm_objects(open_reception) -> None:
    """After a contact, no widget or model of the reception page keeps a database object."""
    page, officer = open_reception("mafateeh-alkhair")
    officer.start_contact("interview", None, make_saudi_id("101234567"))
    officer.greet()
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_expiry=future_hijri(), mobile="0551234567")
    officer.mark_documents()
    officer.page.full_name.setFocus()
    officer.enter()
    officer.on("referral")
    page.wizard.start_new()
    officer.type(page.wizard.contact_page.lookup.edit, "محمد")
    page.wizard.contact_page.lookup.run_lookup()
    operations().wait()
    assert page.wizard.contact_page.lookup.model.rowCount() == 1

    offenders = []
    seen: set[int] = set()

    def inspect(value: object, where: str, depth: int) -> None:
        if id(value) in seen or depth > 3:
            return
        seen.add(id(value))
        if isinstance(value, Base):
            offenders.append(where)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                inspect(item, where + "[]", depth + 1)
        elif isinstance(value, dict):
            for key, item in value.items():
                inspect(item, f"{where}[{key!r}]", depth + 1)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                inspect(getattr(value, name), f"{where}.{name}", depth + 1)

    for obj in [page, *page.findChildren(QObject)]:
        for name, value in vars(obj).items():
            inspect(value, f"{type(obj).__name__}.{name}", 0)
    assert offenders == []


def test_reception_gui_imports_only_the_contract() -> None:
    """ui/reception, the pad and printing import neither db nor sqlalchemy, and from desktop only the contract."""
    files = [*sorted((ROOT / "ui" / "reception").glob("*.py")), ROOT / "ui" / "printing.py",
             ROOT / "ui" / "widgets" / "signature_pad.py"]
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in {"db", "sqlalchemy"} or (top == "desktop" and name not in ALLOWED_CORE):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_verify_page_tab_order_follows_the_form(open_reception) -> None:
    """Tab goes down the form in reading order: name, gender, ID, document kind, expiry, birth, mobile, city,
    household."""
    page, officer = open_reception("mafateeh-alkhair")
    officer.start_contact("interview", None, "")
    officer.greet()
    verify = officer.on("verification")
    verify.full_name.setFocus()
    expected = [verify.personal.gender.buttons["male"], verify.id_number, verify.id_kind, verify.id_expiry.edit, verify.birth_date.edit, verify.mobile,
                verify.city, verify.household_size]
    for widget in expected:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget, QApplication.focusWidget()


def test_tab_goes_from_the_particulars_through_the_documents_in_order(qtbot, open_reception, monkeypatch) -> None:
    """The verify page is made part by part in idle time (particulars, then the rest, then a document row per
    tick); Tab still goes from the last field of the particulars to the first document's tick, through each row
    (tick, date, scan) in order, then to the document added by name — on the next contact's page as on the
    first's."""
    monkeypatch.setattr("ui.reception.wizard.SPARE_PAGE_DELAY_MS", 1)  # the idle work without the officer's pauses
    page, officer = open_reception("mafateeh-alkhair")
    wizard = page.wizard
    for contact in range(2):
        officer.start_contact("interview", None, "")
        officer.greet()
        verify = officer.on("verification")
        expected: list[QWidget] = []
        for row in verify.document_rows:
            expected += [row.provided, *([row.valid_until.edit] if row.has_expiry else []), row.attach]
        expected.append(verify.documents_box.other_document)
        verify.household_size.setFocus()
        for widget in expected:
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is widget, (contact, QApplication.focusWidget(), widget)
        qtbot.waitUntil(lambda: not wizard.preparing(), timeout=10_000)  # the next contact's pages made ahead
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        officer.settle()


def test_the_idle_work_deletes_every_page_of_the_contact_before(qtbot, open_reception, monkeypatch) -> None:
    """Ctrl+N gives the next contact fresh pages; the earlier contact's pages, and every widget on them, are deleted
    in idle time, part by part (none is left alive to slow what comes next), and the new pages stay."""
    monkeypatch.setattr("ui.reception.wizard.SPARE_PAGE_DELAY_MS", 1)  # the idle work without the officer's pauses
    page, officer = open_reception("mafateeh-alkhair")
    wizard = page.wizard
    officer.start_contact("interview", None, "")
    officer.greet()
    officer.on("verification")
    earlier = [p for p in wizard.pages if p.step is not None]
    widgets = [w for p in earlier for w in p.findChildren(QWidget)]
    assert len(widgets) > 100
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    officer.settle()

    def all_deleted() -> bool:
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as the running event loop does
        return not wizard.preparing() and not any(shiboken6.isValid(w) for w in [*earlier, *widgets])

    qtbot.waitUntil(all_deleted, timeout=10_000)
    assert all(shiboken6.isValid(p) for p in wizard.pages)
    assert not any(p in wizard.pages for p in earlier)


def test_new_contact_shortcut_keeps_the_case(open_reception) -> None:
    """Ctrl+N starts the next contact; the case left (e.g. waiting for a referral) can be opened by its number."""
    page, officer = open_reception("mafateeh-alkhair")
    officer.start_contact("interview", None, make_saudi_id("101234567"))
    number = page.wizard.case.case_number
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    officer.on("contact")
    assert page.wizard.case is None
    officer.type(page.case_number, number)
    QTest.keyClick(page.case_number, Qt.Key.Key_Return)
    officer.on("reception")
    assert page.wizard.case is not None and page.wizard.case.case_number == number


def test_a_done_page_reads_its_state_in_the_state_colour(open_reception) -> None:
    """The line under a finished step's title takes the colour of its state (done green, skipped amber), also
    when the same page shows another state later; it is not selectable (no text document to lay out again)."""
    from dataclasses import replace

    page, officer = open_reception("mafateeh-alkhair")
    officer.start_contact("interview", None, "")
    officer.greet()
    officer.on("verification")
    case = page.wizard.case
    done = next(state for state in case.steps if state.step_id == "reception")
    assert done.status == "done"
    greet = page.wizard.page("reception")
    greet.show_case(case, done)
    label = greet.state_label
    assert not label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert label.palette().color(label.foregroundRole()).name() == "#1f6f5c"
    greet.show_case(case, replace(done, status="skipped"))
    assert label.palette().color(label.foregroundRole()).name() == "#8a6d1f"
