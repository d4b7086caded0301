"""The contact page's look-up flags an ID with a wrong check digit, and no case number is taken for it."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import Case
from desktop.identity import make_saudi_id
from desktop.workspace import Workspace
from tests.ui.reception.driver import type_text


def _cases(workspace: Workspace) -> int:
    with workspace.db.session(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def test_a_wrong_check_digit_is_flagged_and_no_case_is_started(open_reception, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    """Typed at the look-up, a wrong ID shows the refusal in red; Enter does not start the contact until corrected."""
    page, officer = open_reception("mafateeh-alkhair")
    good = make_saudi_id("101234567")
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    lookup = page.wizard.contact_page.lookup
    officer.on("contact")
    officer.type(lookup.edit, wrong)
    officer.qtbot.waitUntil(lambda: lookup.problem() is not None, timeout=3000)
    assert "خانة التحقق" in lookup.status.text() and lookup.status.property("error")
    assert not lookup.results.isVisible()

    lookup.edit.setFocus()
    officer.enter()
    assert page.wizard.case is None and _cases(workspace) == 0
    assert "خانة التحقق" in page.wizard.message_text()
    assert page.wizard.current_page() is page.wizard.contact_page

    lookup.edit.clear()  # the officer corrects the number: the flag goes with the text
    assert lookup.problem() is None and not lookup.status.property("error")
    type_text(lookup.edit, good)
    officer.qtbot.waitUntil(lambda: lookup.lookups_run > 0, timeout=3000)
    assert lookup.problem() is None
    lookup.edit.setFocus()
    officer.enter()
    assert page.wizard.case is not None and _cases(workspace) == 1
