"""Handlers of a rescue association's report (بلاغ): record it, escalate it, dispatch the nearest member, close it.

Decisions recorded here (distances, platforms and phones are `desktop.reception.rescue`):

* In a rescue policy (`Procedure.REPORT`) the verify step records the report and checks it (`ReportStep`); later
  calls correct it. The serve step records the help given and closes the report (`HelpStep`).
* Escalation sends an unclear report to the central operations manager with a note.
* Dispatching needs an available member; choosing another than the nearest available one needs a written reason.
  The member is unavailable until the report is closed. The roster (add a member with a Saudi mobile and a
  location, mark one available or not) belongs to the dispatch step, the one screen that shows it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CaseStatus, RescueMember, RescueReport
from desktop.audit import record_audit
from desktop.casework import CaseContext
from desktop.errors import InputError, ReceptionError
from desktop.identity import normalize_saudi_mobile
from desktop.policy import StepKind, is_rescue_profile
from desktop.reception.registry import Procedure, StepHandler, step_handler
from desktop.reception.rescue import (
    MemberPoint,
    nearest_available,
    normalize_reporter_phone,
    parse_coordinates,
    platform_id,
    sort_by_distance,
)
from desktop.reception.views import CaseView, MemberView
from desktop.reception.work import clean, reception_error

__all__ = ["DispatchStep", "EscalateStep", "HelpStep", "ReportStep"]


def _member_view(member: RescueMember, distance: float | None) -> MemberView:
    return MemberView(
        member_id=member.id,
        name=member.name,
        phone=member.phone,
        latitude=member.latitude,
        longitude=member.longitude,
        available=member.available,
        distance_km=distance,
    )


class _RescueHandler(StepHandler):
    """A handler that acts only on a rescue association's reports."""

    def _rescue_context(self, session: Session, case_id: uuid.UUID) -> CaseContext:
        ctx = self._context(session, case_id)
        if not is_rescue_profile(ctx.profile):
            raise ReceptionError("هذا الإجراء خاص بالبلاغات في سياسة جمعية الإنقاذ", field="step")
        return ctx

    def _recorded_report(self, session: Session, case_id: uuid.UUID) -> RescueReport:
        report = self._report(session, case_id)
        if report is None:
            raise ReceptionError("سجّل البلاغ أولًا", field="step")
        return report


@step_handler(StepKind.VERIFY, procedure=Procedure.REPORT)
class ReportStep(_RescueHandler):
    """Make sure the report's information is given and check it: who, on which platform, where, what happened."""

    def record(
        self,
        case_id: uuid.UUID,
        *,
        reporter_name: str,
        reporter_phone: str,
        platform: str,
        place: str,
        latitude: str,
        longitude: str,
        what_happened: str,
    ) -> CaseView:
        """The report (بلاغ) recorded and checked: completes the verify step; later calls correct it."""
        name = clean(reporter_name, limit="name", field="reporter_name", required="اكتب اسم المبلّغ",
                     single_line=True)
        phone = normalize_reporter_phone(reporter_phone)
        platform_key = platform_id(platform)
        where = clean(place, limit="place", field="place", required="اكتب مكان البلاغ", single_line=True)
        point = parse_coordinates(latitude, longitude)
        what = clean(what_happened, limit="what_happened", field="what_happened", required="اكتب ما حدث")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            report = self._report(session, ctx.case.id)
            step = None
            if report is None:
                step = self._require_step(ctx, StepKind.VERIFY)
                report = self._stamp(ctx, RescueReport(case_id=ctx.case.id, received_at=ctx.case.created_at))
                ctx.case.submitted_at = report.received_at  # a report is submitted when received (list, period)
            else:
                report.updated_by = ctx.officer_id
            assert report is not None
            report.reporter_name = name
            report.reporter_phone = phone
            report.platform = platform_key
            report.place = where
            report.latitude, report.longitude = point if point is not None else (None, None)
            report.what_happened = what
            ctx.case.location = where
            ctx.case.summary = what
            if step is not None:
                self._set_status(ctx, CaseStatus.REPORTED)
                self._complete(ctx, step, note=where)
                self._audit(ctx, "report_recorded", {"platform": platform_key})
            else:
                self._audit(ctx, "report_corrected", {"platform": platform_key})
            return self._view(session, ctx.case, ctx.profile)


@step_handler(StepKind.ESCALATE)
class EscalateStep(_RescueHandler):
    """Transfer an unclear report to the central operations manager."""

    def escalate(self, case_id: uuid.UUID, note: str) -> CaseView:
        """The report is unclear: escalated to the central operations manager, with a note."""
        cleaned = clean(note, limit="note", field="note", required="اكتب سبب التحويل لمدير العمليات المركزية")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            step = self._require_step(ctx, StepKind.ESCALATE)
            report = self._recorded_report(session, ctx.case.id)
            report.escalated_at = ctx.now
            report.escalation_note = cleaned
            self._set_status(ctx, CaseStatus.ESCALATED)
            self._complete(ctx, step, note=cleaned)
            return self._view(session, ctx.case, ctx.profile)


@step_handler(StepKind.DISPATCH)
class DispatchStep(_RescueHandler):
    """Send the nearest available member to the reporter; the roster of members with it."""

    def members(self, near: tuple[float, float] | None = None) -> list[MemberView]:
        """The rescue members roster, nearest first when `near` (latitude, longitude) is given."""
        with self._db.session(read_only=True) as session:
            rows = session.scalars(select(RescueMember).where(RescueMember.deleted_at.is_(None))).all()
        points = [MemberPoint(r.id, r.name, r.latitude, r.longitude, r.available) for r in rows]
        by_id = {r.id: r for r in rows}
        return [_member_view(by_id[p.member_id], d) for p, d in sort_by_distance(points, near)]

    def add_member(self, name: str, phone: str, latitude: str, longitude: str) -> MemberView:
        """Add a member to the roster with a Saudi mobile and the member's location (both coordinates)."""
        cleaned = clean(name, limit="name", field="name", required="اكتب اسم العضو", single_line=True)
        try:
            mobile = normalize_saudi_mobile(phone, field="phone")
        except InputError as exc:
            raise reception_error(exc) from None
        point = parse_coordinates(latitude, longitude)
        if point is None:
            raise ReceptionError("أدخل موقع العضو: خط العرض وخط الطول", field="latitude")
        with self._db.session() as session:
            association = self._association(session)
            officer_id, _ = self._officer_row(session, association.id)
            device = self._device_row(session)
            member = RescueMember(
                association_id=association.id, name=cleaned, phone=mobile, latitude=point[0], longitude=point[1],
                available=True, device_id=device[0] if device else None, updated_by=officer_id,
            )
            session.add(member)
            record_audit(
                session, association_id=association.id, actor_id=officer_id, action="member_added",
                entity="rescue_member", entity_id=member.id, at=self._now(), details={"name": cleaned},
                device_id=device[0] if device else None,
            )
            session.flush()
            return _member_view(member, None)

    def set_member_available(self, member_id: uuid.UUID, available: bool) -> MemberView:
        """Mark a member available or not (on a mission, off duty)."""
        with self._db.session() as session:
            member = session.get(RescueMember, member_id)
            if member is None or member.deleted_at is not None:
                raise ReceptionError("العضو غير موجود في القائمة", field="member")
            member.available = available
            return _member_view(member, None)

    def dispatch(self, case_id: uuid.UUID, member_id: uuid.UUID, *, overridden_reason: str = "") -> CaseView:
        """Dispatch an available member to the report; choosing other than the nearest needs a reason."""
        reason = clean(overridden_reason, limit="reason", field="overridden_reason")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            step = self._require_step(ctx, StepKind.DISPATCH)
            report = self._recorded_report(session, ctx.case.id)
            member = session.get(RescueMember, member_id)
            if member is None or member.deleted_at is not None:
                raise ReceptionError("العضو غير موجود في القائمة", field="member")
            if not member.available:
                raise ReceptionError(f"العضو {member.name} غير متاح الآن: اختر عضوًا متاحًا", field="member")
            roster = session.scalars(select(RescueMember).where(RescueMember.deleted_at.is_(None))).all()
            here: tuple[float, float] | None = None
            if report.latitude is not None and report.longitude is not None:
                here = (report.latitude, report.longitude)
            nearest = nearest_available(
                [MemberPoint(r.id, r.name, r.latitude, r.longitude, r.available) for r in roster], here
            )
            overridden = False
            if nearest is not None and nearest.member_id != member.id:
                overridden = True
                if not reason:
                    raise ReceptionError(
                        f"أقرب عضو متاح هو {nearest.name}: اكتب سبب اختيار عضو آخر", field="overridden_reason"
                    )
            report.dispatched_at = ctx.now
            report.dispatched_member_id = member.id
            report.nearest_member_id = (
                nearest.member_id if nearest is not None and isinstance(nearest.member_id, uuid.UUID) else None
            )
            report.dispatch_override_reason = reason if overridden else None
            report.updated_by = ctx.officer_id
            member.available = False
            self._set_status(ctx, CaseStatus.DISPATCHED)
            note = f"وُجّه العضو {member.name}" + (f" بدل الأقرب: {reason}" if overridden else "")
            self._complete(ctx, step, note=note)
            self._audit(ctx, "member_dispatched", {"member_id": member.id.hex, "overridden": overridden})
            return self._view(session, ctx.case, ctx.profile)


@step_handler(StepKind.SERVE, procedure=Procedure.REPORT)
class HelpStep(_RescueHandler):
    """Provide the help: recording it closes the report, with its times kept."""

    def close(self, case_id: uuid.UUID, help_given: str) -> CaseView:
        """The help given recorded: the last step done and the report closed (closing time kept)."""
        cleaned = clean(help_given, limit="help_given", field="help_given", required="اكتب المساعدة المقدمة")
        with self._db.session() as session:
            ctx = self._rescue_context(session, case_id)
            step = self._require_step(ctx, StepKind.SERVE)
            report = self._report(session, ctx.case.id)
            if report is None or report.dispatched_at is None:
                raise ReceptionError("لم يُوجَّه عضو لهذا البلاغ بعد", field="step")
            report.closed_at = ctx.now
            report.help_given = cleaned
            report.updated_by = ctx.officer_id
            if report.dispatched_member_id is not None:
                member = session.get(RescueMember, report.dispatched_member_id)
                if member is not None:
                    member.available = True
            self._complete(ctx, step, note=cleaned)
            self._set_status(ctx, CaseStatus.CLOSED)
            ctx.case.closed_at = ctx.now
            ctx.case.current_step_id = None
            return self._view(session, ctx.case, ctx.profile)
