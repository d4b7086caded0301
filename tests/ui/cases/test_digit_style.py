"""The digit style chosen on the settings page switches the case list: date, ID, phone, case number, count."""

from __future__ import annotations

from desktop.arabic_text import DigitStyle, digit_style, to_arabic_digits
from tests.ui.cases.conftest import idle
from tests.ui.cases.world import World
from ui.cases import CasesPage
from ui.cases.list_model import COLUMN_INDEX
from ui.widgets.policy_summary import PolicySummaryPage


def _cells(page: CasesPage, number: str) -> dict[str, str]:
    model = page.case_list.model
    row = [r.case_number for r in model.rows()].index(number)
    return {key: str(model.data(model.index(row, COLUMN_INDEX[key])))
            for key in ("case_number", "id_number", "mobile", "submitted")}


def test_the_settings_page_switches_the_case_list_between_digit_styles(
    qtbot, cases_page: CasesPage, world: World
) -> None:
    """Arabic-Indic by default; Latin once chosen on the settings page (stored, applied at once); and back."""
    number = world.numbers["due"]
    arabic = _cells(cases_page, number)
    assert to_arabic_digits(number.split("-", 1)[1]) in arabic["case_number"]
    assert to_arabic_digits(world.id_numbers["due"]) in arabic["id_number"]
    assert "٠٥" in arabic["mobile"] and "هـ" in arabic["submitted"]
    assert not any(ch.isascii() and ch.isdigit() for ch in arabic["submitted"] + arabic["id_number"])
    count = cases_page.case_list.count_label.text()
    assert "٥" in count

    settings = PolicySummaryPage("الإعدادات", "", None)
    qtbot.addWidget(settings)
    settings.attach_workspace(world.workspace)
    box = settings.digit_box
    assert box.combo.isEnabled() and box.combo.currentData() == DigitStyle.ARABIC.value
    with qtbot.waitSignal(box.sig_digit_style_changed, timeout=10000):
        box.combo.setCurrentIndex(box.combo.findData(DigitStyle.LATIN.value))
        box.combo.activated.emit(box.combo.currentIndex())
    assert digit_style() is DigitStyle.LATIN and world.workspace.digit_style() is DigitStyle.LATIN

    latin = _cells(cases_page, number)
    assert number.split("-", 1)[1] in latin["case_number"]
    assert world.id_numbers["due"] in latin["id_number"]
    assert "05" in latin["mobile"]
    assert not any(ch in "٠١٢٣٤٥٦٧٨٩" for ch in "".join(latin.values()))
    cases_page.case_list.model.set_query()
    qtbot.waitUntil(lambda: cases_page.case_list.model.count is not None and idle(cases_page)(), timeout=10000)
    assert "5" in cases_page.case_list.count_label.text()

    with qtbot.waitSignal(box.sig_digit_style_changed, timeout=10000):
        box.combo.activated.emit(box.combo.findData(DigitStyle.ARABIC.value))
    assert _cells(cases_page, number) == arabic



def test_a_date_field_notes_a_day_30_of_a_29_day_month_instead_of_refusing_it(qtbot) -> None:
    """The date field (ID expiry, birth date, document validity) accepts the card's day 30 and says how it read it."""
    from hijridate import Hijri

    from ui.reception.fields import DualDateField

    month = next(m for m in range(1, 13) if Hijri(1448, m, 1).month_length() == 29)
    field = DualDateField()
    qtbot.addWidget(field)
    field.setText(f"١٤٤٨/{to_arabic_digits(str(month))}/٣٠")
    assert field.problem() is None and field.value() is not None
    assert "تسعة وعشرون يومًا" in field.other.text() and "مقبول" in field.other.text()
