"""The rescue desk (000, a policy of reports): the report list and its search, the response times, no decisions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from db.models import CaseStatus
from desktop.casedesk import CaseDesk, CaseDeskError, CaseFilter, CaseListService, CaseSort, DecisionInput
from desktop.reception import ReceptionService
from desktop.reports.dashboard import DashboardService
from desktop.reports.views import Period, percentile
from desktop.workspace import Workspace
from tests.desktop.casedesk._listing_world import ListingClock
from tests.desktop.reception.conftest import pdf_text, snapshot
from tests.templates import seed_data_dir

#: 2025-11-02 09:00 Riyadh.
T0 = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)


@dataclass
class RescueWorld:
    """A rescue association's workspace, its reception on a hand-moved clock, the reports made."""

    workspace: Workspace
    clock: ListingClock
    reception: ReceptionService
    members: list[uuid.UUID] = field(default_factory=list)
    reports: dict[str, uuid.UUID] = field(default_factory=dict)

    def report(self, label: str, at: datetime, *, caller: str, phone: str, platform: str, place: str,
               escalate_after: int | None = None, dispatch_after: int | None = None,
               close_after: int | None = None) -> uuid.UUID:
        """A report received at `at`, escalated / dispatched / closed that many minutes after it."""
        self.clock.now = at
        view = self.reception.start_contact("phone", "report")
        self.reception.complete_greet(view.case_id)
        self.reception.record_report(view.case_id, reporter_name=caller, reporter_phone=phone, platform=platform,
                                     place=place, latitude="", longitude="", what_happened="عالق في الرمال")
        if escalate_after is not None:
            self.clock.now = at + timedelta(minutes=escalate_after)
            self.reception.escalate(view.case_id, "المبلّغ لا يعرف ما يلزم")
        elif dispatch_after is not None:
            self.reception.skip_step(view.case_id, "escalate", "البلاغ واضح")
        if dispatch_after is not None:
            self.clock.now = at + timedelta(minutes=dispatch_after)
            member = next(m.member_id for m in self.reception.members() if m.available)
            self.reception.dispatch(view.case_id, member)
        if close_after is not None:
            self.clock.now = at + timedelta(minutes=close_after)
            self.reception.close_report(view.case_id, "سُحبت السيارة وعاد المبلّغ سالمًا")
        self.reports[label] = view.case_id
        return view.case_id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RescueWorld]:
    """Four reports with known times (minutes to dispatch 5, 10, 20, —; to close 60, 90, —, —)."""
    ws = Workspace.open(seed_data_dir(Path(tmp_path_factory.mktemp("rescue"))))
    ws.adopt_builtin_profile("daam-rescue")
    clock = ListingClock(T0)
    w = RescueWorld(ws, clock, ReceptionService(ws, clock=clock))
    for name, phone in (("ماجد الحربي", "0553334444"), ("فهد الشمري", "0551112222"), ("نايف القحطاني", "0555556666")):
        w.members.append(w.reception.add_member(name, phone, "24.72", "46.68").member_id)
    w.report("a", T0, caller="عبد الله سالم الدوسري", phone="0501234567", platform="whatsapp",
             place="طريق الثمامة", dispatch_after=5, close_after=60)
    w.report("b", T0 + timedelta(hours=2), caller="أسماء إبراهيم", phone="+44 20 7946 0958", platform="x",
             place="حي العليا", escalate_after=3, dispatch_after=10, close_after=90)
    w.report("c", T0 + timedelta(days=1), caller="فهد مطلق", phone="0567778888", platform="whatsapp",
             place="وادي حنيفة", dispatch_after=20)
    w.report("d", T0 + timedelta(days=1, hours=1), caller="سالم ناصر", phone="", platform="snapchat",
             place="طريق الثمامة الشمالي")
    yield w
    ws.close()


def _found(world: RescueWorld, text: str) -> set[str]:
    rows = CaseListService(world.workspace, clock=world.clock).page(CaseFilter(text=text), CaseSort.NEWEST).rows
    labels = {case_id: label for label, case_id in world.reports.items()}
    return {labels[row.case_id] for row in rows}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0501234567", {"a"}),  # the caller's mobile, as typed
        ("050 123", {"a"}),  # its start
        ("+966501234567", {"a"}),
        ("056", {"c"}),
        ("+44 20 7946", {"b"}),  # a foreign caller, by the number with its country code
        ("عبدالله", {"a"}),  # the caller's name, joined as the name key writes it
        ("اسماء", {"b"}),  # hamza carriers unified
        ("سالم", {"a", "d"}),  # a name part, in any position
        ("الثمامة", {"a", "d"}),  # the place
        ("وادي حنيفه", {"c"}),  # taa marbuta typed as heh
        ("فيصل", set()),
    ],
)
def test_reports_found_by_caller_phone_name_and_place(world: RescueWorld, text: str, expected: set[str]) -> None:
    """The search finds a report by the caller's phone (whole or its start, Saudi or foreign), name and place."""
    assert _found(world, text) == expected


def test_reports_found_by_report_number(world: RescueWorld) -> None:
    """The report number (the case number) or its sequence finds the report."""
    rows = CaseListService(world.workspace, clock=world.clock).page(CaseFilter(), CaseSort.NEWEST).rows
    number = next(row.case_number for row in rows if row.case_id == world.reports["c"])
    assert _found(world, number) == {"c"}
    assert _found(world, number.rsplit("-", 1)[1]) == {"c"}


def test_report_rows_carry_the_report(world: RescueWorld) -> None:
    """Each row has its caller, phone, platform, place, times and the member sent; newest received first."""
    service = CaseListService(world.workspace, clock=world.clock)
    rows = service.page(CaseFilter(), CaseSort.NEWEST).rows
    assert [row.case_id for row in rows] == [world.reports[k] for k in ("d", "c", "b", "a")]
    a = rows[-1].report
    assert a is not None
    assert (a.caller_name, a.caller_phone, a.platform, a.place) == (
        "عبد الله سالم الدوسري", "+966501234567", "whatsapp", "طريق الثمامة")
    assert a.platform_label == "واتساب" and a.member_name in {"ماجد الحربي", "فهد الشمري", "نايف القحطاني"}
    assert a.received_at == T0 and a.dispatched_at == T0 + timedelta(minutes=5)
    assert a.closed_at == T0 + timedelta(minutes=60) and a.escalated_at is None
    d = rows[0].report
    assert d is not None and d.dispatched_at is None and d.member_name == "" and d.caller_phone == ""
    assert rows[0].submitted_on == date(2025, 11, 3)  # a report is submitted when received


def test_report_filters_by_platform_status_and_time(world: RescueWorld) -> None:
    """Platform, status and received day narrow the list; the choices offer platforms and no committee status."""
    service = CaseListService(world.workspace, clock=world.clock)

    def labels(flt: CaseFilter) -> set[str]:
        ids = {row.case_id for row in service.page(flt, CaseSort.NEWEST).rows}
        return {label for label, case_id in world.reports.items() if case_id in ids}

    assert labels(CaseFilter(platforms=frozenset({"whatsapp"}))) == {"a", "c"}
    assert labels(CaseFilter(platforms=frozenset({"whatsapp"}), statuses=frozenset({"closed"}))) == {"a"}
    assert labels(CaseFilter(statuses=frozenset({"dispatched"}))) == {"c"}
    assert labels(CaseFilter(date_from=date(2025, 11, 3), date_to=date(2025, 11, 3))) == {"c", "d"}
    assert service.count(CaseFilter(platforms=frozenset({"x", "snapchat"}))) == (2, False)
    choices = service.filter_choices()
    assert choices.is_report and {c.id for c in choices.platforms} >= {"whatsapp", "x", "snapchat", "phone"}
    assert {c.id for c in choices.statuses} == {s.value for s in (
        CaseStatus.REPORTED, CaseStatus.ESCALATED, CaseStatus.DISPATCHED, CaseStatus.CLOSED)}


def test_percentile_by_linear_interpolation() -> None:
    """Median of an even count is the mean of the middle two; p90 interpolates between the nearest ranks."""
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([5.0, 10.0, 20.0], 0.5) == 10.0
    assert percentile([60.0, 90.0], 0.5) == 75.0


def test_response_times_computed_by_hand(world: RescueWorld) -> None:
    """The four fixture reports: per platform and day, minutes to dispatch and close, one escalation.

    To dispatch: 5, 10, 20 → median 10; p90 at rank (3−1)×0.9 = 1.8 → 10 + 0.8×(20−10) = 18.
    To close: 60, 90 → median 75; p90 at rank 0.9 → 60 + 0.9×30 = 87.
    """
    period = Period.custom(date(2025, 11, 1), date(2025, 11, 30))
    figures = DashboardService(world.workspace, clock=world.clock).figures(period)
    reports = figures.reports
    assert reports is not None
    assert reports.received == 4
    assert [(p.platform, p.label, p.count) for p in reports.by_platform] == [
        ("whatsapp", "واتساب", 2), ("snapchat", "سناب شات", 1), ("x", "تويتر (X)", 1)]
    assert [(d.day, d.count) for d in reports.by_day] == [(date(2025, 11, 2), 2), (date(2025, 11, 3), 2)]
    assert (reports.dispatched, reports.closed) == (3, 2)
    assert reports.median_minutes_to_dispatch == pytest.approx(10.0)
    assert reports.p90_minutes_to_dispatch == pytest.approx(18.0)
    assert reports.median_minutes_to_close == pytest.approx(75.0)
    assert reports.p90_minutes_to_close == pytest.approx(87.0)
    assert reports.escalated == 1 and reports.escalation_role == "مدير العمليات المركزية"
    assert figures.contacts_total == 4  # every report received is a contact of the period
    empty = DashboardService(world.workspace, clock=world.clock).figures(Period.custom(date(2025, 12, 1), date(2025, 12, 2)))
    assert empty.reports is not None and empty.reports.received == 0
    assert empty.reports.median_minutes_to_dispatch is None


def test_a_decision_on_a_report_is_refused_and_nothing_written(world: RescueWorld) -> None:
    """The committee's decision does not exist for a report: a clear Arabic refusal, nothing written."""
    desk = CaseDesk(world.workspace, clock=world.clock)
    case_id = world.reports["d"]
    before = snapshot(world.workspace)
    with pytest.raises(CaseDeskError) as raised:
        desk.committee.decide(case_id, DecisionInput(decision="accept", reason="مقبول", members=("سعد",)))
    assert "لجنة" in raised.value.message_ar
    assert snapshot(world.workspace) == before


def test_report_record_prints_the_timeline(world: RescueWorld, tmp_path: Path) -> None:
    """The closed report's record: a PDF with the caller, the platform and each step's time and minutes."""
    desk = CaseDesk(world.workspace, clock=world.clock)
    pdf = desk.files.document_pdf(world.reports["b"], "report_record")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    text = pdf_text(path)
    for word in ("سجل البلاغ", "تويتر", "العمليات المركزية", "دقائق", "دقيقة", "أسماء إبراهيم", "حي العليا"):
        assert word in text
    assert desk.files.document_pdf(world.reports["b"], "report_record") == pdf  # same report, same bytes
    for word in ("لجنة", "إقرار", "قرار اللجنة"):  # (the footer names the policy, «…مع المستفيد»)
        assert word not in text and word[::-1] not in text


def test_period_report_of_a_rescue_policy(world: RescueWorld, tmp_path: Path) -> None:
    """The period report speaks of reports: per platform and day, median and p90 minutes, escalations; no committee."""
    from openpyxl import load_workbook

    from desktop.reports.service import ReportService
    from desktop.reports.xlsx import REPORTS_SHEET

    service = ReportService(world.workspace, clock=world.clock)
    period = Period.custom(date(2025, 11, 1), date(2025, 11, 30))
    path = tmp_path / "period.pdf"
    path.write_bytes(service.period_report_pdf(period))
    text = pdf_text(path)
    # (the text layer drops the space between a number and its noun, and the tanween)
    for words in ("البلاغات وسرعة الوصول", "واتساب", "سناب شات", "10دقائق", "18دقيقة", "75دقيقة",
                  "87دقيقة", "مدير العمليات المركزية", "بلاغ واحد", "بلاغان", "3بلاغات", "المئين التسعون"):
        assert words in text, words
    for word in ("لجنة", "القرار", "الموعودة"):
        assert word not in text, word
    workbook = tmp_path / "period.xlsx"
    workbook.write_bytes(service.period_report_xlsx(period))
    sheets = load_workbook(workbook)
    summary = [[c.value for c in row] for row in sheets.worksheets[0].iter_rows()]
    labels = [row[0] for row in summary if row and isinstance(row[0], str)]
    assert not any("لجنة" in label or "القرار" in label for label in labels)
    values = {row[0]: row[1] for row in summary if row and isinstance(row[0], str) and len(row) > 1}
    assert values["البلاغات المستلمة"] == 4
    assert values["وسيط المدة من الاستلام إلى توجيه العضو (دقائق)"] == 10
    assert values["المئين التسعون من الاستلام إلى الإغلاق (دقائق)"] == 87
    platforms = [[c.value for c in row] for row in sheets[REPORTS_SHEET].iter_rows()]
    assert ["واتساب", 2] in [row[:2] for row in platforms]


def test_sort_labels_speak_of_reports() -> None:
    """A policy of reports sorts by the time a report was received, never by submission or decision date."""
    assert CaseSort.NEWEST.label_for(reports=True) == "الأحدث استلامًا"
    assert CaseSort.NAME.label_for(reports=True) == "اسم المبلّغ"
    assert CaseSort.NEWEST.label_for(reports=False) == CaseSort.NEWEST.label_ar == "الأحدث تقديمًا"
