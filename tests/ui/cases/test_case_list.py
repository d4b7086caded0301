"""The case list: lazy model (qtmodeltester), search as you type, filters, sorting, counts, overdue rows."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.casedesk import CaseFilter, CaseSort
from desktop.hijri import format_hijri
from tests.ui.cases.conftest import idle
from tests.ui.cases.world import World
from tests.ui.reception.driver import clear_field, type_text
from ui.cases import CasesPage
from ui.cases.list_model import COLUMN_INDEX, OVERDUE_BACKGROUND, ROW_ROLE, CaseListModel
from ui.cases.text import count_text, countdown_days, today_riyadh
from ui.ops import operations


def _numbers(page: CasesPage) -> list[str]:
    return [row.case_number for row in page.case_list.model.rows()]


def _search(qtbot, page: CasesPage, text: str) -> None:
    panel = page.case_list
    panel.search.clear()
    before = panel.searches_run
    type_text(panel.search, text)
    qtbot.waitUntil(lambda: panel.searches_run > before and not panel.model.is_loading() and idle(page)(),
                    timeout=10000)


def test_first_page_count_and_overdue_row(cases_page: CasesPage, world: World) -> None:
    """Every case is listed newest first with its count; the overdue one is coloured and says so in words."""
    model = cases_page.case_list.model
    assert model.rowCount() == 5
    assert cases_page.case_list.count_label.text() == count_text(5)
    # newest submission first; cases not submitted to the committee yet come after
    assert _numbers(cases_page)[:2] == [world.numbers["due"], world.numbers["overdue"]]
    position = _numbers(cases_page).index(world.numbers["overdue"])
    countdown = model.index(position, COLUMN_INDEX["countdown"])
    assert "متأخرة" in model.data(countdown)
    assert model.data(countdown, Qt.ItemDataRole.BackgroundRole).color() == OVERDUE_BACKGROUND
    due = _numbers(cases_page).index(world.numbers["due"])
    assert model.data(model.index(due, COLUMN_INDEX["countdown"])).startswith("باقي")
    assert model.data(model.index(due, COLUMN_INDEX["countdown"]), Qt.ItemDataRole.BackgroundRole) is None
    assert cases_page.layoutDirection() == Qt.LayoutDirection.RightToLeft


def test_model_passes_the_model_tester_after_fetch_more_and_a_filter_change(
    qtbot, qtmodeltester, cases_page: CasesPage
) -> None:
    """Pages of two rows: the model holds plain rows and stays consistent as pages arrive and filters change."""
    panel = cases_page.case_list
    model = CaseListModel(cases_page.list_service, cases_page, page_size=2)  # no view asks for more
    with qtbot.waitSignal(model.sig_page_loaded, timeout=10000):
        model.set_query(CaseFilter())
    assert model.rowCount() == 2 and model.canFetchMore()
    # Once checked, the tester stays connected and checks every later change: the pages appended by fetchMore
    # (it also calls fetchMore itself) and the reset of a filter change.
    qtmodeltester.check(model, force_py=True)
    with qtbot.waitSignal(model.sig_page_loaded, timeout=10000):
        model.fetchMore()
    qtbot.waitUntil(lambda: not model.is_loading())
    assert model.rowCount() >= 4
    while model.has_more():
        if model.canFetchMore():
            model.fetchMore()
        qtbot.waitUntil(lambda: not model.is_loading(), timeout=10000)
    assert model.rowCount() == 5 and not model.canFetchMore()
    assert len({row.case_id for row in model.rows()}) == 5  # keyset pages: no row twice
    assert all(type(model.data(model.index(r, 0), ROW_ROLE)).__name__ == "CaseRow" for r in range(5))
    with qtbot.waitSignal(model.sig_page_loaded, timeout=10000):
        model.set_query(CaseFilter(overdue=True))
    assert model.rowCount() == 1
    assert model.data(model.index(0, COLUMN_INDEX["countdown"])).startswith("متأخرة")
    qtbot.waitUntil(lambda: operations().in_flight == 0, timeout=10000)


def test_search_as_you_type_by_id_name_phone_and_case_number(qtbot, cases_page: CasesPage, world: World) -> None:
    """The search box narrows the list and says how the text was understood."""
    panel = cases_page.case_list
    _search(qtbot, cases_page, world.id_numbers["missing"])
    assert panel.understood.text().startswith("بحث برقم الهوية")
    assert _numbers(cases_page) == [world.numbers["missing"]]
    assert panel.count_label.text() == count_text(1)

    _search(qtbot, cases_page, "فاطمه الزهرانى")  # taa marbuta as haa, alef maqsura as yaa
    assert panel.understood.text().startswith("بحث بالاسم")
    assert _numbers(cases_page) == [world.numbers["missing"]]

    _search(qtbot, cases_page, "عبدالله القحطاني")  # "عبد الله" written joined, two of four parts
    assert _numbers(cases_page) == [world.numbers["due"]]

    _search(qtbot, cases_page, "+966 55 777 8888")
    assert panel.understood.text().startswith("بحث برقم الجوال")
    assert _numbers(cases_page) == [world.numbers["phone"]]

    _search(qtbot, cases_page, world.numbers["other"])
    assert _numbers(cases_page) == [world.numbers["other"]]

    _search(qtbot, cases_page, "خالد")  # nobody of that name
    assert _numbers(cases_page) == []
    assert panel.count_label.text() == count_text(0)

    _search(qtbot, cases_page, "%' OR 1=1 --")  # wildcards and quotes: safely nothing
    assert _numbers(cases_page) == []
    assert not panel.error_label.isVisible()


def test_filters_status_channel_flags_and_dates(qtbot, cases_page: CasesPage, world: World) -> None:
    """Each filter narrows the list; a date typed in Hijri shows its Gregorian day; clearing shows all again."""
    panel = cases_page.case_list
    filters = panel.filters
    model = panel.model
    qtbot.waitUntil(lambda: filters.status.count() > 1)

    def settle() -> None:
        qtbot.waitUntil(lambda: not model.is_loading() and idle(cases_page)(), timeout=10000)

    filters.select(filters.status, "awaiting_committee")
    settle()
    assert sorted(_numbers(cases_page)) == sorted([world.numbers["overdue"], world.numbers["due"]])
    filters.overdue.setChecked(True)
    settle()
    assert _numbers(cases_page) == [world.numbers["overdue"]]
    filters.clear()
    settle()
    assert model.rowCount() == 5

    filters.select(filters.channel, "phone")
    settle()
    assert _numbers(cases_page) == [world.numbers["phone"]]
    filters.clear()
    filters.missing_documents.setChecked(True)
    settle()
    assert _numbers(cases_page) == [world.numbers["missing"]]
    filters.clear()
    settle()

    ten_days_ago = today_riyadh() - timedelta(days=10)
    type_text(filters.date_from, ten_days_ago.strftime("%Y/%m/%d"))  # Gregorian typed: the Hijri day is shown
    assert filters.date_from.other.text().startswith("يوافق") and "هـ" in filters.date_from.other.text()
    settle()
    assert _numbers(cases_page) == [world.numbers["due"]]  # submitted 3 days ago; the other one 20 days ago
    clear_field(filters.date_from)
    type_text(filters.date_to, format_hijri(ten_days_ago, arabic_digits=False).replace(" هـ", ""))  # Hijri typed
    assert "م" in filters.date_to.other.text()
    settle()
    assert _numbers(cases_page) == [world.numbers["overdue"]]
    type_text(filters.date_to, "99/99/9999")
    assert filters.date_problem()  # an unreadable date is named, not applied
    filters.clear()
    settle()
    assert model.rowCount() == 5


def test_header_click_sorts_through_the_service(qtbot, cases_page: CasesPage, world: World) -> None:
    """Clicking a header maps to the service's sort; a column it cannot sort by keeps the current order."""
    panel = cases_page.case_list
    model = panel.model
    header = panel.table.horizontalHeader()

    def click(key: str) -> None:
        section = COLUMN_INDEX[key]
        x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         header.rect().center().__class__(x, header.height() // 2))
        qtbot.waitUntil(lambda: not model.is_loading() and idle(cases_page)(), timeout=10000)

    click("name")
    assert model.case_sort is CaseSort.NAME
    names = [row.beneficiary_name for row in model.rows()]
    assert names[0].startswith("سعد") or names == sorted(names, key=lambda n: n)  # the service's name order
    click("submitted")
    assert model.case_sort in (CaseSort.OLDEST, CaseSort.NEWEST)
    if model.case_sort is CaseSort.OLDEST:
        assert _numbers(cases_page)[0] == world.numbers["overdue"]
    else:
        assert _numbers(cases_page)[:2] == [world.numbers["due"], world.numbers["overdue"]]
    before = model.case_sort
    click("mobile")  # not sortable
    assert model.case_sort is before
    click("promised")
    assert model.case_sort is CaseSort.PROMISED
    assert _numbers(cases_page)[0] == world.numbers["overdue"]  # the earliest promised date first


def test_wording_of_counts_and_countdowns() -> None:
    """Counts and countdowns read as Arabic, numbers in Arabic digits."""
    assert "١٢٣" in count_text(123) and count_text(123).endswith("حالةً")
    assert count_text(10_000, more=True).startswith("أكثر من") and "١٠٬٠٠٠" in count_text(10_000, more=True)
    assert "٣" in countdown_days(3) and countdown_days(3).startswith("باقي")
    assert countdown_days(-2) == "متأخرة يومين"
    assert countdown_days(0) == "موعدها اليوم"
