"""Rescue reports (000): report, escalation, the nearest available member, override with a reason, closing."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from db.models import RescueReport
from desktop.reception import ReceptionError, ReceptionService
from desktop.reception.rescue import (
    haversine_km,
    nearest_available,
    normalize_reporter_phone,
    parse_coordinates,
    platform_id,
    sort_by_distance,
    MemberPoint,
)

from .conftest import snapshot

RIYADH = (24.7136, 46.6753)
JEDDAH = (21.5433, 39.1728)


def test_haversine_distance_between_riyadh_and_jeddah() -> None:
    """About 846 km on the great circle; zero from a point to itself; symmetric."""
    assert 840 < haversine_km(RIYADH, JEDDAH) < 852
    assert haversine_km(RIYADH, RIYADH) == 0
    assert math.isclose(haversine_km(RIYADH, JEDDAH), haversine_km(JEDDAH, RIYADH))
    assert math.isclose(haversine_km((0, 0), (0, 180)), math.pi * 6371.0088, rel_tol=1e-9)


def test_members_sorted_by_distance_and_nearest_available() -> None:
    """Nearest first; the nearest *available* member is proposed."""
    far = MemberPoint("far", "بدر", *JEDDAH, True)
    near_busy = MemberPoint("busy", "أحمد", 24.72, 46.68, False)
    near = MemberPoint("near", "سعود", 24.80, 46.70, True)
    ordered = [m.member_id for m, _ in sort_by_distance([far, near, near_busy], RIYADH)]
    assert ordered == ["busy", "near", "far"]
    assert nearest_available([far, near, near_busy], RIYADH) == near
    assert nearest_available([far, near], None) is None
    assert [d for _, d in sort_by_distance([far], None)] == [None]


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [("24.7136", "46.6753", (24.7136, 46.6753)), ("٢٤٫٧١٣٦", "٤٦٫٦٧٥٣", (24.7136, 46.6753)),
     ("", "", None), ("-90", "180", (-90.0, 180.0))],
)
def test_coordinates_parse(lat: str, lon: str, expected: tuple[float, float] | None) -> None:
    """Decimal degrees, Arabic-Indic digits and separator accepted; both empty means no coordinates."""
    assert parse_coordinates(lat, lon) == expected


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [("91", "46", "latitude"), ("24", "181", "longitude"), ("-90.5", "0", "latitude"), ("24.7", "", "longitude"),
     ("", "46.6", "latitude"), ("شمال", "46", "latitude"), ("nan", "46", "latitude")],
)
def test_bad_coordinates_are_refused(lat: str, lon: str, field: str) -> None:
    """Out of range, one without the other, or not a number: refused with the field."""
    with pytest.raises(ReceptionError) as raised:
        parse_coordinates(lat, lon)
    assert raised.value.field == field


def test_reporter_phone_accepts_foreign_numbers() -> None:
    """A Saudi mobile becomes canonical; a foreign number is kept; letters or 3 digits are refused."""
    assert normalize_reporter_phone("050 123 4567") == "+966501234567"
    assert normalize_reporter_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_reporter_phone("0020 100 123 4567") == "+201001234567"
    assert normalize_reporter_phone("") is None
    for bad in ("abc", "123", "+1234567890123456"):
        with pytest.raises(ReceptionError):
            normalize_reporter_phone(bad)


def test_platforms_from_the_policy_tools() -> None:
    """X, WhatsApp, Snapchat and the phone line, by id, label or common name."""
    assert platform_id("whatsapp") == "whatsapp"
    assert platform_id("واتساب") == "whatsapp"
    assert platform_id("تويتر") == "x"
    assert platform_id("سناب شات") == "snapchat"
    assert platform_id("") is None
    with pytest.raises(ReceptionError):
        platform_id("فيسبوك")


def _reported(rescue: ReceptionService, latitude: str = "24.7136", longitude: str = "46.6753") -> object:
    view = rescue.start_contact("phone", "report")
    assert view.is_rescue
    rescue.complete_greet(view.case_id)
    reported = rescue.record_report(
        view.case_id, reporter_name="سالم", reporter_phone="", platform="phone", place="حي العليا",
        latitude=latitude, longitude=longitude, what_happened="سقوط شخص في بئر",
    )
    assert reported.status == "reported" and reported.report is not None
    assert reported.report.reporter_phone is None and reported.report.platform_label
    return view.case_id


@pytest.fixture
def roster(rescue: ReceptionService) -> dict[str, object]:
    """Three members: one near the report, one a little further, one in Jeddah."""
    members = {
        "near": rescue.add_member("ماجد الحربي", "0553334444", "24.72", "46.68"),
        "further": rescue.add_member("فهد الشمري", "0551112222", "24.80", "46.70"),
        "jeddah": rescue.add_member("نايف القحطاني", "0555556666", "21.54", "39.17"),
    }
    return {k: v.member_id for k, v in members.items()}


def test_members_listed_nearest_first(rescue: ReceptionService, roster: dict[str, object]) -> None:
    """From the report's place, nearest first, with the distance in km."""
    listed = rescue.members(near=RIYADH)
    assert [m.member_id for m in listed] == [roster["near"], roster["further"], roster["jeddah"]]
    assert listed[0].distance_km is not None and listed[0].distance_km < 2
    assert 840 < listed[2].distance_km < 852  # type: ignore[operator]
    assert all(m.distance_km is None for m in rescue.members())


def test_choosing_other_than_the_nearest_needs_a_reason(rescue: ReceptionService, roster: dict[str, object]) -> None:
    """Override refused without a reason (nothing written), recorded with it."""
    case_id = _reported(rescue)
    rescue.skip_step(case_id, "escalate", "البلاغ واضح")  # type: ignore[arg-type]
    before = snapshot(rescue._workspace)  # noqa: SLF001
    with pytest.raises(ReceptionError) as raised:
        rescue.dispatch(case_id, roster["further"])  # type: ignore[arg-type]
    assert raised.value.field == "overridden_reason" and "ماجد الحربي" in raised.value.message_ar
    assert snapshot(rescue._workspace) == before  # noqa: SLF001
    view = rescue.dispatch(case_id, roster["further"], overridden_reason="الأقرب بلا معدات إنقاذ من الآبار")  # type: ignore[arg-type]
    assert view.status == "dispatched" and view.report is not None
    assert view.report.dispatched_member == "فهد الشمري"
    assert view.report.dispatch_override_reason == "الأقرب بلا معدات إنقاذ من الآبار"
    busy = {m.member_id: m.available for m in rescue.members()}
    assert busy[roster["further"]] is False
    with rescue._workspace.db.session(read_only=True) as session:  # noqa: SLF001
        report = session.scalars(select(RescueReport)).one()
    assert report.nearest_member_id == roster["near"]


def test_unavailable_member_cannot_be_dispatched(rescue: ReceptionService, roster: dict[str, object]) -> None:
    """An unavailable member is refused; the next nearest available one needs no reason."""
    case_id = _reported(rescue)
    rescue.skip_step(case_id, "escalate", "البلاغ واضح")  # type: ignore[arg-type]
    rescue.set_member_available(roster["near"], False)  # type: ignore[arg-type]
    with pytest.raises(ReceptionError):
        rescue.dispatch(case_id, roster["near"])  # type: ignore[arg-type]
    view = rescue.dispatch(case_id, roster["further"])  # type: ignore[arg-type]
    assert view.report is not None and view.report.dispatch_override_reason is None


def test_report_without_coordinates_dispatches_any_available_member(
    rescue: ReceptionService, roster: dict[str, object]
) -> None:
    """No place coordinates: no nearest is computed, the officer's choice needs no reason."""
    case_id = _reported(rescue, "", "")
    rescue.escalate(case_id, "المبلّغ لا يعرف موقعه بدقة")  # type: ignore[arg-type]
    view = rescue.dispatch(case_id, roster["jeddah"])  # type: ignore[arg-type]
    assert view.status == "dispatched"


def test_times_received_escalated_dispatched_closed_are_kept(
    rescue: ReceptionService, roster: dict[str, object]
) -> None:
    """Each time is recorded once and in order; closing frees the member and closes the case."""
    case_id = _reported(rescue)
    escalated = rescue.escalate(case_id, "غير واضح")  # type: ignore[arg-type]
    assert escalated.status == "escalated"
    dispatched = rescue.dispatch(case_id, roster["near"])  # type: ignore[arg-type]
    with pytest.raises(ReceptionError):
        rescue.close_report(case_id, "")  # type: ignore[arg-type]
    closed = rescue.close_report(case_id, "أُخرج الشخص ونُقل للمستشفى")  # type: ignore[arg-type]
    report = closed.report
    assert report is not None and dispatched.report is not None
    assert report.received_at <= report.escalated_at <= report.dispatched_at <= report.closed_at  # type: ignore[operator]
    assert report.dispatched_at == dispatched.report.dispatched_at
    assert report.help_given == "أُخرج الشخص ونُقل للمستشفى"
    assert closed.status == "closed" and closed.current_step_id is None
    assert {m.member_id: m.available for m in rescue.members()}[roster["near"]] is True
    with pytest.raises(ReceptionError):
        rescue.close_report(case_id, "مرة أخرى")  # type: ignore[arg-type]


def test_rescue_has_no_committee_declaration_or_beneficiary_form(
    rescue: ReceptionService, roster: dict[str, object]
) -> None:
    """The application steps are refused on a report; the report can be corrected before closing."""
    case_id = _reported(rescue)
    with pytest.raises(ReceptionError):
        rescue.notify_committee(case_id)  # type: ignore[arg-type]
    with pytest.raises(ReceptionError):
        rescue.declaration_text(case_id)  # type: ignore[arg-type]
    with pytest.raises(ReceptionError):
        rescue.complete_serve(case_id, "مساعدة")  # type: ignore[arg-type]
    corrected = rescue.record_report(
        case_id, reporter_name="سالم العتيبي", reporter_phone="0501112233", platform="x", place="حي الملقا",  # type: ignore[arg-type]
        latitude="24.80", longitude="46.60", what_happened="سقوط شخص في بئر مهجورة",
    )
    assert corrected.report is not None and corrected.report.place == "حي الملقا"
    assert corrected.report.reporter_phone == "+966501112233"
    assert corrected.status == "reported"
    assert [s.status for s in corrected.steps][:2] == ["done", "done"]


def test_bad_report_and_member_input_writes_nothing(rescue: ReceptionService) -> None:
    """Missing place, bad coordinates, a non-Saudi member mobile: refused, nothing stored."""
    view = rescue.start_contact("phone", "report")
    rescue.complete_greet(view.case_id)
    before = snapshot(rescue._workspace)  # noqa: SLF001
    for change in ({"place": ""}, {"latitude": "100"}, {"what_happened": ""}, {"platform": "تلغرام"},
                   {"reporter_phone": "12"}):
        values = dict(reporter_name="سالم", reporter_phone="", platform="phone", place="حي العليا",
                      latitude="24.7", longitude="46.6", what_happened="حادث")
        values.update(change)
        with pytest.raises(ReceptionError):
            rescue.record_report(view.case_id, **values)
    with pytest.raises(ReceptionError):
        rescue.add_member("عضو", "+447911123456", "24.7", "46.6")
    with pytest.raises(ReceptionError):
        rescue.add_member("عضو", "0501234567", "", "")
    assert snapshot(rescue._workspace) == before  # noqa: SLF001
