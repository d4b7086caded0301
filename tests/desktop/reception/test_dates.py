"""Dates at the desk: Riyadh calendar days, the promised decision date in both calendars, the case number's year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from desktop.hijri import RIYADH, HijriDate, local_date
from desktop.reception import ReceptionService
from desktop.workspace import Workspace

from .conftest import documents, particulars, signature_png


def _submit(service: ReceptionService) -> object:
    view = service.start_contact("interview", service.profile.case_kinds[0].id)
    service.complete_greet(view.case_id)
    service.complete_verify(view.case_id, particulars(), documents())
    if service.case(view.case_id).current_step_id == "referral":
        service.skip_step(view.case_id, "referral", "لا حاجة")
    service.sign_declaration(view.case_id, signature_png())
    return service.notify_committee(view.case_id)


def test_riyadh_date_of_a_late_evening_utc_moment() -> None:
    """22:30 UTC is already the next day in Riyadh (UTC+3)."""
    assert local_date(datetime(2024, 11, 1, 22, 30, tzinfo=UTC)) == date(2024, 11, 2)
    assert local_date(datetime(2024, 11, 1, 20, 59, tzinfo=UTC)) == date(2024, 11, 1)
    assert RIYADH.utcoffset(None) == timedelta(hours=3)


def test_one_hijri_month_is_clamped_to_the_shorter_month(open_workspace: Callable[[str], Workspace]) -> None:
    """Qader (002): submitted 30 Rabi' al-Akhir 1446 → promised 29 Jumada al-Ula 1446 (a 29-day month)."""
    submitted = HijriDate(1446, 4, 30).to_gregorian()
    moment = datetime.combine(submitted, datetime.min.time(), tzinfo=RIYADH) + timedelta(hours=10)
    service = ReceptionService(open_workspace("qader-tabuk"), clock=lambda: moment)
    view = _submit(service)
    assert view.promised_decision_date == HijriDate(1446, 5, 29).to_gregorian()  # type: ignore[attr-defined]
    assert view.case_number.split("-")[1] == "1446"  # type: ignore[attr-defined]
    assert local_date(view.submitted_at) == submitted  # type: ignore[attr-defined, arg-type]


def test_fourteen_days_across_a_month_end(open_workspace: Callable[[str], Workspace]) -> None:
    """Baraah (004): submitted at 23:30 Riyadh time on 2024/12/25 → 2025/01/08, by the Riyadh date."""
    moment = datetime(2024, 12, 25, 23, 30, tzinfo=RIYADH)
    service = ReceptionService(open_workspace("baraah"), clock=lambda: moment)
    view = _submit(service)
    assert view.promised_decision_date == date(2025, 1, 8)  # type: ignore[attr-defined]
