"""The report record (سجل البلاغ) of a rescue association: the report's particulars and its timeline, printed.

Decisions recorded here:

* Printed from the stored report only (`rescue_report`, the member sent, the case's officer), so an unchanged
  report gives the same bytes; a report not recorded yet is refused in Arabic.
* The timeline lists what happened in order: received, escalated to the role the policy's escalate step names
  (with the note), the member dispatched (with the reason when not the nearest), closed (with the help given);
  each with its Hijri and Gregorian day and Riyadh time, and the minutes since the report was received.
* No beneficiary, committee, decision or declaration wording: a report is not a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from db.models import Case, RescueMember, RescueReport
from desktop.casework import case_letterhead
from desktop.counting import MINUTES, count_phrase
from desktop.documents.arabic_pdf import ltr, mm
from desktop.documents.forms import _LetterheadDocument
from desktop.documents.letterhead import Letterhead
from desktop.errors import ReceptionError
from desktop.hijri import format_gregorian, format_hijri, format_time, riyadh_moment
from desktop.policy import PolicyProfile, StepKind
from desktop.reception.documents import user_name
from desktop.reception.rescue import platform_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.attachments import AttachmentStore

__all__ = ["render_report_record"]

_DASH = "—"


def _moment(moment: datetime) -> str:
    """«١٤٤٧/٠٥/١١ هـ — ٢٠٢٥/١١/٠٢ م، ٠٩:٠٧» in Riyadh time."""
    local = riyadh_moment(moment)
    return f"{format_hijri(local.date())} — {format_gregorian(local.date())}، {ltr(format_time(local))}"


def _after(moment: datetime, received: datetime) -> str:
    minutes = max(0, int((moment - received).total_seconds() // 60))
    return "عند الاستلام" if minutes == 0 else f"بعد {count_phrase(minutes, MINUTES)}"


class _ReportRecordDocument(_LetterheadDocument):
    """The report's particulars and its timeline on the association's letterhead."""

    def __init__(self, letterhead: Letterhead, *, report_number: str, particulars: Sequence[tuple[str, str]],
                 timeline: Sequence[tuple[str, str, str, str]], what_happened: str) -> None:
        super().__init__(letterhead, title="سجل البلاغ", subject=f"سجل البلاغ — {report_number}")
        self.report_number = report_number
        self.particulars = tuple(particulars)
        self.timeline = tuple(timeline)
        self.what_happened = what_happened

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Title, the report's particulars, what happened, and the timeline table."""
        y = self.draw_title(canvas, y, self.title)
        y = self.draw_meta_line(canvas, y, f"رقم البلاغ: {ltr(self.report_number)}", "")
        y -= 2 * mm
        y = self.draw_key_values(canvas, list(self.particulars), self.right, y, self.width, label_width=34 * mm,
                                 pairs_per_row=1)
        y -= 4 * mm
        y = self.draw_section(canvas, y, "ما حدث")
        y = self.draw_text_block(canvas, y, self.what_happened, size=12)
        y -= 3 * mm
        y = self.draw_section(canvas, y, "مسار البلاغ")
        widths = (34 * mm, 62 * mm, 26 * mm, self.width - 122 * mm)
        return self.draw_table(canvas, [list(row) for row in self.timeline], widths, self.right, y, size=10.5,
                               header=("المرحلة", "الوقت", "المدة من الاستلام", "التفاصيل"),
                               bold_columns=frozenset({0}))


def render_report_record(session: Session, case: Case, profile: PolicyProfile, store: AttachmentStore) -> bytes:
    """The report record (سجل البلاغ) of a rescue case: caller, platform, place, and received → closed timeline."""
    report = session.scalars(
        select(RescueReport).where(RescueReport.case_id == case.id, RescueReport.deleted_at.is_(None))
    ).first()
    if report is None:
        raise ReceptionError("لم يُسجَّل البلاغ بعد: يُطبع سجل البلاغ بعد تسجيله", field="document")
    received = report.received_at
    member = session.get(RescueMember, report.dispatched_member_id) if report.dispatched_member_id else None
    role_id = next((s.role for s in profile.steps if s.kind is StepKind.ESCALATE and s.role), None)
    role = next((r.name for r in profile.roles if r.id == role_id), "مدير العمليات المركزية")
    place = report.place
    if report.latitude is not None and report.longitude is not None:
        place += f" ({ltr(f'{report.latitude:.5f}, {report.longitude:.5f}')})"
    particulars = [
        ("المبلّغ", report.reporter_name),
        ("هاتف المبلّغ", ltr(report.reporter_phone) if report.reporter_phone else _DASH),
        ("المنصة", platform_label(report.platform) or _DASH),
        ("مكان البلاغ", place),
        ("مستقبل البلاغ", user_name(session, case.officer_id) or _DASH),
        ("الحالة", "مغلق" if report.closed_at else "مفتوح"),
    ]
    timeline = [("استلام البلاغ", _moment(received), "عند الاستلام", _DASH)]
    if report.escalated_at is not None:
        timeline.append((f"التحويل إلى {role}", _moment(report.escalated_at), _after(report.escalated_at, received),
                         report.escalation_note or _DASH))
    if report.dispatched_at is not None:
        detail = f"وُجّه العضو {member.name}" if member is not None else "وُجّه عضو"
        if report.dispatch_override_reason:
            detail += f" بدل الأقرب: {report.dispatch_override_reason}"
        timeline.append(("توجيه أقرب عضو", _moment(report.dispatched_at), _after(report.dispatched_at, received),
                         detail))
    if report.closed_at is not None:
        timeline.append(("تقديم المساعدة وإغلاق البلاغ", _moment(report.closed_at), _after(report.closed_at, received),
                         report.help_given or _DASH))
    return _ReportRecordDocument(
        case_letterhead(session, store, profile),
        report_number=case.case_number,
        particulars=particulars,
        timeline=timeline,
        what_happened=report.what_happened,
    ).render()
