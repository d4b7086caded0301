"""Never lose or double a reception (issue 11), at the desk: the question on leaving an unfinished reception, the
list of every unfinished case, and the look-up offering a person's open case."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import func, select

from db.models import AuditEvent, Case
from desktop.arabic_text import display_digits
from desktop.counting import CASES, count_phrase
from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.desktop.reception.conftest import ID_NUMBER, documents, particulars
from tests.ui.reception.driver import Officer, typed_at_verify
from ui.main_window import MainWindow
from ui.ops import operations
from ui.reception.lifecycle import AbandonDialog, OpenCaseDialog, UnfinishedReceptionDialog


def _desk(qtbot, workspace: Workspace) -> tuple[MainWindow, Officer]:
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    page = window.reception_page()
    assert page is not None
    return window, Officer(qtbot, page)


def _asked(qtbot, window: MainWindow, kind: type) -> object:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(kind)), timeout=3000)
    return next(d for d in window.findChildren(kind) if d.isVisible())


def test_closing_with_an_unfinished_reception_asks_and_continue_later_keeps_the_draft(
    qtbot, adopted_workspace: Workspace
) -> None:
    """Closing asks; stay is the default and Escape stays; abandon waits for a reason; «later» closes, draft kept."""
    window, officer = _desk(qtbot, adopted_workspace)
    typed_at_verify(officer)
    wizard = officer.wizard
    case_id = wizard.case.case_id

    assert not window.close()
    dialog = _asked(qtbot, window, UnfinishedReceptionDialog)
    assert dialog.stay_button.isDefault() and not dialog.abandon_button.isDefault()
    assert not dialog.later_button.isDefault()
    assert not dialog.abandon_button.isEnabled()  # no reason yet
    assert "لم يكتمل استقبال الحالة" in dialog.text_label.text()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.isVisible() and wizard.case is not None and wizard.case.case_id == case_id

    assert not window.close()
    dialog = _asked(qtbot, window, UnfinishedReceptionDialog)
    officer.type(dialog.reason_edit, "  ")
    assert not dialog.abandon_button.isEnabled()  # blanks are no reason
    QTest.keyClick(dialog.reason_edit, Qt.Key.Key_Return)  # Enter is the default: stay
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.isVisible() and wizard.case is not None

    window.close()
    dialog = _asked(qtbot, window, UnfinishedReceptionDialog)
    dialog.later_button.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    operations().wait()
    service = ReceptionService(adopted_workspace)
    assert service.case(case_id).status == "draft"
    assert service.draft_fields(case_id, "verification")["full_name"] == "محمد عبدالله أحمد الزهراني"
    assert case_id in {d.case_id for d in service.open_drafts()}


def test_switching_section_can_abandon_with_a_reason(qtbot, adopted_workspace: Workspace) -> None:
    """Another section with a reception unfinished asks; abandoning records the reason, then the section changes."""
    window, officer = _desk(qtbot, adopted_workspace)
    typed_at_verify(officer)
    case_id = officer.wizard.case.case_id
    window.show_section(1)
    dialog = _asked(qtbot, window, UnfinishedReceptionDialog)
    assert window.current_section() == "reception"
    officer.type(dialog.reason_edit, "غادر المستفيد قبل إكمال البيانات")
    assert dialog.abandon_button.isEnabled()
    dialog.abandon_button.click()
    operations().wait()
    qtbot.waitUntil(lambda: window.current_section() == "cases", timeout=5000)
    assert ReceptionService(adopted_workspace).case(case_id).status == "closed"
    with adopted_workspace.db.session(read_only=True) as session:
        details = session.scalars(
            select(AuditEvent.details).where(AuditEvent.entity_id == case_id, AuditEvent.action == "case_abandoned")
        ).one()
    assert details["reason"] == "غادر المستفيد قبل إكمال البيانات"
    window.show_section(0)  # nothing unfinished now: no question
    assert window.current_section() == "reception"
    assert not any(d.isVisible() for d in window.findChildren(UnfinishedReceptionDialog))


def test_every_unfinished_case_is_listed_to_continue_or_abandon(qtbot, adopted_workspace: Workspace) -> None:
    """The reception page lists every unfinished case; abandoning one asks a reason with «لا» as the default."""
    service = ReceptionService(adopted_workspace)
    fresh = service.start_contact("phone", "service_request")
    verified = service.start_contact("interview", "service_request")
    service.complete_greet(verified.case_id)
    service.complete_verify(verified.case_id, particulars(), documents())
    third = service.start_contact("interview", "service_request")
    window, officer = _desk(qtbot, adopted_workspace)
    page = window.reception_page()
    page.unfinished_button.click()
    qtbot.waitUntil(lambda: page.banner.isVisible() and len(page.banner.drafts()) == 3, timeout=5000)
    assert page.banner.choice.count() == 3
    lines = [page.banner.choice.item(i).text() for i in range(3)]
    assert sum("لم تُسجَّل بياناته بعد" in line for line in lines) == 2
    assert any("عبد الله محمد عبد الرحمن القحطاني" in line and "الإحالة إلى المسؤول" in line for line in lines)
    assert all("بدأت" in line and "الموافق" in line for line in lines)
    assert count_phrase(3, CASES) in page.banner.label.text()

    row = next(i for i, d in enumerate(page.banner.drafts()) if d.case_id == fresh.case_id)
    page.banner.choice.setCurrentRow(row)
    page.banner.abandon_button.click()
    dialog = _asked(qtbot, window, AbandonDialog)
    assert dialog.no_button.isDefault() and not dialog.yes_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    operations().wait()
    assert service.case(fresh.case_id).status == "draft"

    page.banner.abandon_button.click()
    dialog = _asked(qtbot, window, AbandonDialog)
    officer.type(dialog.reason_edit, "اتصال خاطئ")
    dialog.yes_button.click()
    operations().wait()
    qtbot.waitUntil(lambda: len(page.banner.drafts()) == 2, timeout=5000)
    assert service.case(fresh.case_id).status == "closed"

    row = next(i for i, d in enumerate(page.banner.drafts()) if d.case_id == third.case_id)
    page.banner.choice.setCurrentRow(row)
    page.banner.resume_button.click()
    operations().wait()
    qtbot.waitUntil(lambda: officer.wizard.case is not None and officer.wizard.case.case_id == third.case_id)


def test_the_wizard_abandon_button_asks_a_reason_and_defaults_to_no(qtbot, adopted_workspace: Workspace) -> None:
    """«ترك الحالة» in the wizard: Enter answers «لا»; only a reason and «نعم» abandon."""
    window, officer = _desk(qtbot, adopted_workspace)
    officer.start_contact("interview", None, "")
    wizard = officer.wizard
    case_id = wizard.case.case_id
    wizard.abandon_button.click()
    dialog = _asked(qtbot, window, AbandonDialog)
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    operations().wait()
    assert wizard.case is not None and ReceptionService(adopted_workspace).case(case_id).status == "draft"
    wizard.abandon_button.click()
    dialog = _asked(qtbot, window, AbandonDialog)
    officer.type(dialog.reason_edit, "لم يحضر المستفيد")
    dialog.yes_button.click()
    operations().wait()
    qtbot.waitUntil(lambda: wizard.case is None)
    assert ReceptionService(adopted_workspace).case(case_id).status == "closed"


def test_lookup_offers_the_open_case_instead_of_a_second(qtbot, adopted_workspace: Workspace) -> None:
    """The same ID with a case open: Enter offers that case; its default continues it, no case is added."""
    service = ReceptionService(adopted_workspace)
    first = service.start_contact("interview", "service_request")
    service.complete_greet(first.case_id)
    service.complete_verify(first.case_id, particulars(), documents())
    window, officer = _desk(qtbot, adopted_workspace)

    def cases() -> int:
        with adopted_workspace.db.session(read_only=True) as session:
            return int(session.scalar(select(func.count()).select_from(Case)) or 0)

    before = cases()
    lookup = officer.wizard.contact_page.lookup
    officer.start_contact("phone", None, ID_NUMBER)
    assert "حالة مفتوحة" in lookup.status.text()
    dialog = _asked(qtbot, window, OpenCaseDialog)
    assert dialog.continue_button.isDefault() and not dialog.another_button.isEnabled()
    assert display_digits(first.case_number) in dialog.text_label.text()
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    operations().wait()
    qtbot.waitUntil(lambda: officer.wizard.case is not None and officer.wizard.case.case_id == first.case_id)
    assert cases() == before
