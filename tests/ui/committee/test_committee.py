"""The committee queue and the decision: validation, letter, message, informed record, a second decider told."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from db.models import UserRole
from desktop.casedesk import CommitteeService, DecisionInput
from desktop.session_identity import SessionIdentity
from tests.ui.accounts import tick_member_account
from tests.ui.cases.world import World
from tests.ui.committee.conftest import show_committee_page
from tests.ui.helpers import when_modal
from ui.committee import CommitteePage
from ui.committee.decision import DecisionDialog
from ui.committee.page import OVERDUE_BACKGROUND
from ui.ops import operations
from tests.accounts import ADMIN_LOGIN, ADMIN_NAME, committee_present, sign_in_desk


def _open(qtbot, page: CommitteePage, row: int = 0) -> DecisionDialog:
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(row, 0))
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.decision_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    return dialog


def test_queue_sorted_by_promised_date_with_countdown(qtbot, qtmodeltester, committee_page: CommitteePage,
                                                      world: World) -> None:
    """The overdue case comes first, highlighted and counted «متأخرة…»; the other counts down «باقي…»."""
    model = committee_page.model
    qtmodeltester.check(model, force_py=True)
    rows = model.rows()
    assert [r.case_id for r in rows] == [world.cases["overdue"], world.cases["due"]]
    assert model.data(model.index(0, 5)).startswith("متأخرة")
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole).color() == OVERDUE_BACKGROUND
    assert model.data(model.index(1, 5)).startswith("باقي")
    assert "٢" in committee_page.summary_label.text() and "متأخرة" in committee_page.summary_label.text()
    assert "14" in committee_page.period.text() or "١٤" in committee_page.period.text()


def test_decision_needs_a_reason_and_members(qtbot, committee_page: CommitteePage, world: World) -> None:
    """Reject without a reason and without members: both are named, nothing is recorded."""
    dialog = _open(qtbot, committee_page)
    dialog.decide_button.click()
    assert dialog.decide_message.isVisible()  # no decision chosen
    dialog.choose("reject")
    dialog.decide_button.click()
    assert dialog.reason_error.isVisible() and "سبب" in dialog.reason_error.text()
    assert dialog.members_error.isVisible()
    dialog.choose("more_info")
    assert dialog.info_due.isVisible()
    assert operations().in_flight <= 1  # only the summary read, no decision sent
    qtbot.waitUntil(lambda: operations().in_flight == 0)
    assert len(CommitteeService(world.workspace).committee_queue()) == 2
    dialog.reject()


def test_a_decision_gives_letter_message_and_informed_record(qtbot, committee_page: CommitteePage,
                                                             world: World) -> None:
    """Accept: the letter in print preview, the WhatsApp text and link, copy, and «تم إبلاغ المستفيد»."""
    dialog = _open(qtbot, committee_page, 1)
    assert dialog.row.case_id == world.cases["due"]
    opened: list[str] = []
    dialog.open_url = lambda url: opened.append(url.toString())
    dialog.choose("accept")
    # Signed in (issue 13): the members present are ticked from the committee's accounts, never typed.
    qtbot.waitUntil(lambda: len(dialog.account_boxes) >= 1, timeout=10000)
    assert not dialog.new_member.isVisible()
    present = next(box for box in dialog.account_boxes.values() if box.text().startswith(ADMIN_NAME))
    present.setChecked(True)
    with qtbot.waitSignal(dialog.sig_decided, timeout=20000) as decided:
        dialog.decide_button.click()
    result = decided.args[0]
    assert result.letter_path.is_file() and result.decision.decision == "accept"
    assert dialog.pages.currentWidget() is dialog.after_page
    qtbot.waitUntil(lambda: dialog.notification is not None, timeout=10000)
    assert dialog.notification_text.text() == dialog.notification.text and dialog.notification.text
    assert world.numbers["due"] in dialog.notification.text or "قبول" in dialog.notification.text or dialog.notification.text
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == dialog.notification.text
    dialog.whatsapp_button.click()
    assert opened and opened[0].startswith("https://wa.me/966553334444")
    assert dialog.informed_how.currentData() == "whatsapp"  # the way just used is offered
    with qtbot.waitSignal(dialog.sig_informed, timeout=10000) as informed:
        dialog.informed_button.click()
    file = informed.args[0]
    assert [i.how for i in file.informed] == ["whatsapp"]
    assert dialog.informed_label.isVisible() and "واتساب" in dialog.informed_label.text()
    timeline_kinds = {entry.kind for entry in file.timeline}
    assert "decision" in timeline_kinds
    qtbot.waitUntil(lambda: committee_page.model.rowCount() == 1 and operations().in_flight == 0, timeout=10000)
    assert ADMIN_NAME in result.decision.members
    dialog.accept()


def test_preview_of_the_letter_opens(qtbot, committee_page: CommitteePage, world: World) -> None:
    """The decision letter opens in Qt's print preview once recorded (when a PDF renderer exists)."""
    from ui.printing import pdf_renderer_name

    dialog = _open(qtbot, committee_page, 0)
    dialog.choose("reject")
    dialog.reason.setText("الدخل يتجاوز الحد المعتمد")
    tick_member_account(qtbot, dialog)
    if pdf_renderer_name() is None:
        with qtbot.waitSignal(dialog.sig_decided, timeout=20000):
            dialog.decide_button.click()
        return
    with qtbot.waitSignal(dialog.printer.sig_preview_opened, timeout=30000) as preview:
        dialog.decide_button.click()
    assert preview.args[0].isVisible()
    preview.args[0].close()
    dialog.accept()


def test_a_second_decider_is_told_and_the_queue_refreshes(qtbot, committee_page: CommitteePage,
                                                          world: World) -> None:
    """Someone else decided the case first: the service's Arabic message in a box; the case leaves the queue."""
    dialog = _open(qtbot, committee_page, 0)
    CommitteeService(world.workspace).decide(world.cases["overdue"], DecisionInput("accept", "", **committee_present(world.workspace, "أ. خالد")))
    dialog.choose("accept")
    tick_member_account(qtbot, dialog)
    seen: list[str] = []
    with qtbot.waitSignal(dialog.sig_conflict, timeout=10000) as conflict:
        dialog.decide_button.click()
    message = conflict.args[0]
    assert message and any("\u0600" <= ch <= "\u06ff" for ch in message)
    box = dialog.conflict_box
    assert isinstance(box, QMessageBox) and box.isVisible() and box.text() == message
    seen.append(box.text())
    box.close()
    qtbot.waitUntil(lambda: committee_page.model.rowCount() == 1 and operations().in_flight == 0, timeout=10000)
    assert committee_page.model.rows()[0].case_id == world.cases["due"]
    _ = when_modal  # modal helper unused: the box is window-modal and does not block


def test_a_policy_without_a_committee_says_so_and_offers_nothing(qtbot, workspace) -> None:
    """The rescue association's policy has no research committee: the page says so, no queue, no buttons."""
    workspace.adopt_builtin_profile("daam-rescue")
    sign_in_desk(workspace)
    page = CommitteePage(workspace)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: "لا تمر طلبات هذه الجمعية بلجنة بحث" in page.period.text(), timeout=10000)
    assert not page.table.isVisible()
    assert not page.decide_button.isVisible() and not page.refresh_button.isVisible()


def _signed_in_page(qtbot, world: World, role: str) -> tuple[CommitteePage, dict[str, SessionIdentity]]:
    """The committee page with three committee accounts made by the world's signed-in administrator, and one
    account of `role` signed in. The administrator keeps only the administrator role here, so the committee's
    accounts are exactly those three."""
    staff = world.workspace.staff()
    admin = world.workspace.signed_in
    assert admin is not None, "the world signs its administrator in"
    staff.update_account(admin, ADMIN_LOGIN, roles=[UserRole.ADMIN.value])
    people = {"secretary": ("huda", "هدى الشهري", "committee_secretary"),
              "member": ("nasser", "ناصر القحطاني", "committee"), "member2": ("latifa", "لطيفة الدوسري", "committee")}
    identities = {}
    for key, (login, name, account_role) in people.items():
        staff.create_account(admin, login, name, [account_role], password=f"كلمة-مرور-{login}")
        identities[key] = staff.verify_sign_in(login, f"كلمة-مرور-{login}")
    world.workspace.sign_in(identities[role])
    return show_committee_page(qtbot, world.workspace), identities


def test_the_secretary_ticks_the_members_present_from_the_committee_accounts(qtbot, world: World) -> None:
    page, identities = _signed_in_page(qtbot, world, "secretary")
    assert page.decide_button.isVisible()
    dialog = _open(qtbot, page, 1)
    qtbot.waitUntil(lambda: len(dialog.account_boxes) == 3, timeout=10000)
    assert not dialog.new_member.isVisible()  # no names typed: the committee's accounts are the list
    labels = sorted(box.text() for box in dialog.account_boxes.values())
    assert labels[0].startswith("لطيفة الدوسري") and "لجنة البحث" in labels[0]
    dialog.choose("accept")
    dialog.account_boxes[identities["member"].account_id].setChecked(True)
    dialog.account_boxes[identities["member2"].account_id].setChecked(True)
    with qtbot.waitSignal(dialog.sig_decided, timeout=20000) as decided:
        dialog.decide_button.click()
    assert set(decided.args[0].decision.members) == {"ناصر القحطاني", "لطيفة الدوسري"}
    qtbot.waitUntil(lambda: operations().in_flight == 0, timeout=10000)
    dialog.accept()


def test_a_committee_member_sees_the_queue_without_the_decide_button(qtbot, world: World) -> None:
    page, _ = _signed_in_page(qtbot, world, "member")
    assert page.model.rowCount() == 2 and not page.decide_button.isVisible()
