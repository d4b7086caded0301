"""The report file of the rescue desk (000): particulars, course with minutes, next action, dispatch and close."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.casedesk import CaseDesk, CaseDeskError, minutes_text
from desktop.reception import ReceptionService
from desktop.workspace import Workspace
from tests.desktop.casedesk._listing_world import ListingClock
from tests.desktop.reception.conftest import pdf_text, snapshot
from tests.templates import seed_data_dir

#: 2025-11-02 09:00 Riyadh.
T0 = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
_NOT_FOR_REPORTS = ("لجنة", "قرار", "إقرار", "مستند", "المستفيد", "الطلب")


@pytest.fixture()
def rescue(tmp_path: Path) -> Iterator[tuple[Workspace, ListingClock, ReceptionService]]:
    """A rescue association with two members (the nearer one first) and nothing received yet."""
    ws = Workspace.open(seed_data_dir(tmp_path))
    ws.adopt_builtin_profile("daam-rescue")
    clock = ListingClock(T0)
    reception = ReceptionService(ws, clock=clock)
    reception.add_member("ماجد الحربي", "0553334444", "24.72", "46.68")
    reception.add_member("فهد الشمري", "0551112222", "21.50", "39.20")
    yield ws, clock, reception
    ws.close()


def _received(reception: ReceptionService) -> object:
    view = reception.start_contact("phone", "report")
    reception.complete_greet(view.case_id)
    reception.record_report(view.case_id, reporter_name="عبد الله سالم الدوسري", reporter_phone="0501234567",
                            platform="whatsapp", place="طريق الثمامة", latitude="24.80", longitude="46.70",
                            what_happened="سيارة عالقة في الرمال")
    return view.case_id


def test_minutes_counted_in_arabic() -> None:
    """Spans read as counted minutes, hours from sixty minutes on."""
    assert minutes_text(7) == "٧ دقائق"
    assert minutes_text(1) == "دقيقة واحدة"
    assert minutes_text(60) == "ساعة واحدة"
    assert minutes_text(135) == "ساعتان و١٥ دقيقةً"


def test_report_file_walks_from_received_to_closed(rescue: tuple[Workspace, ListingClock, ReceptionService],
                                                   tmp_path: Path) -> None:
    """Received → dispatched (escalation passed with a reason) → closed; minutes since receipt; the record prints."""
    ws, clock, reception = rescue
    case_id = _received(reception)
    desk = CaseDesk(ws, clock=clock)
    file = desk.reports.report_file(case_id)
    assert file.report is not None and file.report.reporter_name == "عبد الله سالم الدوسري"
    assert "050 123 4567" in file.phone_local and file.report.platform_label == "واتساب"
    assert file.next_action == "escalate" and file.escalation_open
    assert file.escalation_role == "مدير العمليات المركزية"
    assert [m.label for m in file.moments] == ["استُلم البلاغ", "حُوّل إلى مدير العمليات المركزية", "وُجّه العضو",
                                               "أُغلق البلاغ"]
    texts = " ".join(e.title + " " + e.detail for e in file.timeline)
    assert "فُتح البلاغ رقم" in texts and not any(word in texts for word in _NOT_FOR_REPORTS)

    members = desk.reports.members(case_id)
    assert [m.name for m in members] == ["ماجد الحربي", "فهد الشمري"]  # nearest to the report first
    before = snapshot(ws)
    with pytest.raises(CaseDeskError) as refused:
        desk.reports.dispatch(case_id, members[0].member_id)
    assert "مدير العمليات المركزية" in refused.value.message_ar
    assert snapshot(ws) == before

    clock.now = T0 + timedelta(minutes=7)
    file = desk.reports.dispatch(case_id, members[0].member_id, no_escalation_reason="البلاغ واضح")
    assert file.next_action == "close" and not file.escalation_open
    assert file.report is not None and file.report.dispatched_member == "ماجد الحربي"
    assert file.moments[2].since_received == "بعد ٧ دقائق" and file.moments[1].at is None

    clock.now = T0 + timedelta(minutes=75)
    file = desk.reports.close(case_id, "سُحبت السيارة وعاد المبلّغ سالمًا")
    assert file.closed and file.next_action is None
    assert file.moments[3].since_received == "بعد ساعة واحدة و١٥ دقيقةً"
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(desk.reports.record_pdf(case_id))
    text = pdf_text(pdf)
    assert "سجل البلاغ" in text or "البلاغ" in text


def test_escalation_recorded_then_dispatch_needs_no_reason(
        rescue: tuple[Workspace, ListingClock, ReceptionService]) -> None:
    """Escalated with a note: the dispatch follows without a reason for not escalating."""
    ws, clock, reception = rescue
    case_id = _received(reception)
    desk = CaseDesk(ws, clock=clock)
    clock.now = T0 + timedelta(minutes=3)
    file = desk.reports.escalate(case_id, "المبلّغ لا يعرف موقعه بدقة")
    assert file.next_action == "dispatch" and file.moments[1].since_received == "بعد ٣ دقائق"
    member = desk.reports.members(case_id)[0]
    file = desk.reports.dispatch(case_id, member.member_id)
    assert file.next_action == "close"


def test_a_request_is_not_a_report(tmp_path: Path) -> None:
    """A request of another association's policy has no report file: an Arabic refusal."""
    workspace = Workspace.open(seed_data_dir(tmp_path))
    workspace.adopt_builtin_profile("baraah")
    reception = ReceptionService(workspace)
    channel = reception.profile.channels[0].id
    kind = reception.profile.case_kinds[0].id
    view = reception.start_contact(channel, kind)
    with pytest.raises(CaseDeskError):
        CaseDesk(workspace).reports.report_file(view.case_id)
    workspace.close()
