"""The dashboard's figures for a period, read from the local summary tables (a million cases stay interactive).

Definitions are in `desktop.reports.views`; every export prints the `DashboardFigures` computed here. The
figures read the ``report_*`` tables that triggers keep up to date (`desktop.reports.summaries`): a period
costs a few hundred summary rows per month whatever the number of cases behind them.
Survey answers are classified by the active profile's question kinds (scale5, recommend10); answers to
questions the active profile no longer has are left out of the scores.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import (
    AppUser,
    Association,
    CaseStatus,
    CorrectiveAction as CorrectiveActionRow,
    PolicyVersion,
    RescueReport,
    UserRole,
)
from desktop.arabic_text import clean_text
from desktop.audit import record_audit
from desktop.counting import RESPONSES, count_phrase
from desktop.errors import InputError
from desktop.policy import PolicyProfile, QuestionKind, StepKind, is_rescue_profile
from desktop.hijri import RIYADH, local_date
from desktop.reports.views import (
    MIN_OFFICER_RESPONSES,
    ChannelCount,
    CorrectiveAction,
    CorrectiveActionStatus,
    DashboardFigures,
    FileCompleteness,
    FollowUpCounts,
    MonthScore,
    OfficerFigure,
    OfficerFigures,
    Period,
    PolicyApproval,
    QuestionScore,
    Recommendation,
    ReportDayCount,
    ReportError,
    ReportFigures,
    ReportPlatformCount,
    StatusCount,
    percentile,
)
from desktop.workspace import Workspace
from desktop.permissions import Action, Guarded, guarded

__all__ = ["UNDECIDED_STATUSES", "DashboardService", "percent_of_mean", "utc_bounds"]

#: Statuses of a case still waiting for the committee's accept or reject.
UNDECIDED_STATUSES: tuple[str, ...] = (
    CaseStatus.RECEIVED.value,
    CaseStatus.REFERRED.value,
    CaseStatus.AWAITING_SIGNATURE.value,
    CaseStatus.AWAITING_COMMITTEE.value,
    CaseStatus.MORE_INFO_REQUESTED.value,
)

_OPEN_ACTIONS = (CorrectiveActionStatus.PLANNED.value, CorrectiveActionStatus.IN_PROGRESS.value)
_TS = "%Y-%m-%d %H:%M:%S"


def utc_bounds(period: Period) -> tuple[str, str]:
    """The period as stored-timestamp text bounds [start, end) in UTC (local Riyadh midnights)."""
    start = datetime.combine(period.start, time(0), RIYADH).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(0), RIYADH).astimezone(UTC)
    return start.strftime(_TS), end.strftime(_TS)


def percent_of_mean(mean: float | None) -> float | None:
    """A 1..5 mean as a percentage: 1 → 0 %, 5 → 100 %."""
    return None if mean is None else (mean - 1.0) * 25.0


def _median(histogram: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, count) pairs."""
    pairs = sorted((v, c) for v, c in histogram if c > 0)
    n = sum(c for _, c in pairs)
    if n == 0:
        return None
    wanted = ((n - 1) // 2, n // 2)
    found: list[int] = []
    seen = 0
    for value, count in pairs:
        for index in wanted:
            if seen <= index < seen + count:
                found.append(value)
        seen += count
    return sum(found) / 2.0


class DashboardService(Guarded):
    """Dashboard figures, per-officer aggregates for a manager, and the board's corrective actions."""

    _permission_error = ReportError

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        self._workspace = workspace
        self._db = workspace.db
        self._clock = clock or (lambda: datetime.now(UTC))

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def today(self) -> date:
        """Today in Riyadh."""
        return local_date(self._now())

    def _profile(self) -> PolicyProfile:
        profile = self._workspace.active_profile()
        if profile is None:
            raise ReportError("لم تُعتمد سياسة الجمعية على هذا الجهاز بعد: اختر السياسة أولًا", field="policy")
        return profile

    # ------------------------------------------------------------------ figures

    @guarded(Action.DASHBOARDS)
    def figures(self, period: Period) -> DashboardFigures:
        """Every dashboard figure for `period` (see `desktop.reports.views` for the definitions)."""
        profile = self._profile()
        start, end = period.start.isoformat(), period.end.isoformat()
        with self._db.session(read_only=True) as session:
            channels, total, statuses = self._contacts(session, profile, start, end)
            decisions, median, within, with_promise = self._decisions(session, start, end)
            overdue = self._overdue(session)
            responses, scale_answers, mean, questions, trend, recommendation = self._satisfaction(
                session, profile, period, start, end
            )
            suggestions, complaints = self._follow_up(session, start, end)
            reports = self.report_figures(session, profile, period) if is_rescue_profile(profile) else None
        return DashboardFigures(
            period=period,
            generated_at=self._now(),
            contacts_by_channel=channels,
            contacts_total=total,
            cases_by_status=statuses,
            decisions=decisions,
            median_days_to_decision=median,
            decided_within_promise=within,
            decisions_with_promise=with_promise,
            overdue_now=overdue,
            survey_responses=responses,
            scale_answers=scale_answers,
            satisfaction_mean=mean,
            satisfaction_percent=percent_of_mean(mean),
            question_scores=questions,
            satisfaction_trend=trend,
            recommendation=recommendation,
            suggestions=suggestions,
            complaints=complaints,
            reports=reports,
        )

    @staticmethod
    def report_figures(session: Session, profile: PolicyProfile, period: Period) -> ReportFigures:
        """A policy of reports: received per platform and day, minutes to dispatch and to close, escalations.

        Reads the reports received in the period through the received-time index (a rescue association
        receives thousands a year, not millions).
        """
        from desktop.reception.rescue import platform_label

        start, end = utc_bounds(period)
        rows = session.execute(
            select(RescueReport.platform, RescueReport.received_at, RescueReport.escalated_at,
                   RescueReport.dispatched_at, RescueReport.closed_at)
            .where(RescueReport.received_at >= datetime.strptime(start, _TS).replace(tzinfo=UTC),
                   RescueReport.received_at < datetime.strptime(end, _TS).replace(tzinfo=UTC),
                   RescueReport.deleted_at.is_(None))
        ).all()

        def minutes(later: datetime | None, earlier: datetime) -> float | None:
            return None if later is None else (later - earlier).total_seconds() / 60.0

        platforms: dict[str, int] = defaultdict(int)
        days: dict[date, int] = defaultdict(int)
        to_dispatch: list[float] = []
        to_close: list[float] = []
        escalated = 0
        for platform, received, escalated_at, dispatched, closed in rows:
            platforms[platform or ""] += 1
            days[local_date(received)] += 1
            if (value := minutes(dispatched, received)) is not None:
                to_dispatch.append(value)
            if (value := minutes(closed, received)) is not None:
                to_close.append(value)
            escalated += escalated_at is not None
        role_id = next((step.role for step in profile.steps if step.kind is StepKind.ESCALATE and step.role), None)
        role = next((r.name for r in profile.roles if r.id == role_id), role_id or "")
        return ReportFigures(
            received=len(rows),
            by_platform=tuple(
                ReportPlatformCount(key, platform_label(key) or "لم تُحدَّد" if key else "لم تُحدَّد", count)
                for key, count in sorted(platforms.items(), key=lambda item: (-item[1], item[0]))
            ),
            by_day=tuple(ReportDayCount(day, count) for day, count in sorted(days.items())),
            dispatched=len(to_dispatch),
            closed=len(to_close),
            median_minutes_to_dispatch=percentile(to_dispatch, 0.5),
            p90_minutes_to_dispatch=percentile(to_dispatch, 0.9),
            median_minutes_to_close=percentile(to_close, 0.5),
            p90_minutes_to_close=percentile(to_close, 0.9),
            escalated=escalated,
            escalation_role=role,
        )

    @staticmethod
    def _contacts(
        session: Session, profile: PolicyProfile, start: str, end: str
    ) -> tuple[tuple[ChannelCount, ...], int, tuple[StatusCount, ...]]:
        rows = session.execute(
            text(
                "SELECT channel_id, status, sum(cases) FROM report_contact_day "
                "WHERE day BETWEEN :a AND :b GROUP BY channel_id, status"
            ),
            {"a": start, "b": end},
        ).all()
        by_channel: dict[str, int] = defaultdict(int)
        by_status: dict[str, int] = defaultdict(int)
        for channel_id, status, count in rows:
            by_channel[channel_id] += count
            by_status[status] += count
        names = {c.id: c.name for c in profile.channels}
        channels = [ChannelCount(c.id, c.name, by_channel.get(c.id, 0)) for c in profile.channels]
        channels += [ChannelCount(cid, cid, n) for cid, n in sorted(by_channel.items()) if cid not in names]
        order = {s.value: i for i, s in enumerate(CaseStatus)}
        statuses = []
        for status, count in sorted(by_status.items(), key=lambda item: order.get(item[0], 99)):
            try:
                label = CaseStatus(status).label_ar
            except ValueError:
                label = status
            statuses.append(StatusCount(status, label, count))
        return tuple(channels), sum(by_channel.values()), tuple(statuses)

    @staticmethod
    def _decisions(session: Session, start: str, end: str) -> tuple[int, float | None, int, int]:
        rows = session.execute(
            text(
                "SELECT days, promise, sum(decisions) FROM report_decision_day "
                "WHERE decided_on BETWEEN :a AND :b GROUP BY days, promise"
            ),
            {"a": start, "b": end},
        ).all()
        histogram: dict[int, int] = defaultdict(int)
        decisions = within = with_promise = 0
        for days, promise, count in rows:
            decisions += count
            histogram[int(days)] += count
            if promise != "none":
                with_promise += count
                if promise == "kept":
                    within += count
        return decisions, _median(histogram.items()), within, with_promise

    def _overdue(self, session: Session) -> int:
        return int(
            session.execute(
                text(
                    "SELECT coalesce(sum(cases), 0) FROM report_case_waiting "
                    "WHERE status IN (" + ", ".join(f"'{s}'" for s in UNDECIDED_STATUSES) + ") "
                    "AND promised_on < :today"
                ),
                {"today": self.today().isoformat()},
            ).scalar_one()
        )

    @staticmethod
    def _satisfaction(
        session: Session, profile: PolicyProfile, period: Period, start: str, end: str
    ) -> tuple[int, int, float | None, tuple[QuestionScore, ...], tuple[MonthScore, ...], Recommendation | None]:
        kinds = {q.id: q.kind for q in profile.survey.questions}
        per_day = session.execute(
            text(
                "SELECT day, responses FROM report_response_day WHERE day BETWEEN :a AND :b"
            ),
            {"a": start, "b": end},
        ).all()
        answers = session.execute(
            text(
                "SELECT day, question_id, value, answers FROM report_answer_day WHERE day BETWEEN :a AND :b"
            ),
            {"a": start, "b": end},
        ).all()
        months = period.months()

        month_index: dict[str, int] = {}

        def month_of(day_text: str) -> int:
            found = month_index.get(day_text)
            if found is None:
                day = date.fromisoformat(day_text)
                found = next((i for i, m in enumerate(months) if m.start <= day <= m.end), len(months) - 1)
                month_index[day_text] = found
            return found

        responses = sum(count for _, count in per_day)
        month_responses = [0] * len(months)
        for day_text, count in per_day:
            month_responses[month_of(day_text)] += count
        month_sum = [0] * len(months)
        month_n = [0] * len(months)
        q_sum: dict[str, int] = defaultdict(int)
        q_n: dict[str, int] = defaultdict(int)
        rec = [0, 0, 0]  # promoters, passives, detractors
        for day_text, key, value, count in answers:
            kind = kinds.get(key)
            value = int(value)
            if kind is QuestionKind.SCALE5 and 1 <= value <= 5:
                q_sum[key] += value * count
                q_n[key] += count
                index = month_of(day_text)
                month_sum[index] += value * count
                month_n[index] += count
            elif kind is QuestionKind.RECOMMEND10 and 0 <= value <= 10:
                rec[0 if value >= 9 else 1 if value >= 7 else 2] += count
        total_n = sum(q_n.values())
        mean = sum(q_sum.values()) / total_n if total_n else None
        questions = tuple(
            QuestionScore(
                q.id,
                q.text,
                q_n.get(q.id, 0),
                q_sum[q.id] / q_n[q.id] if q_n.get(q.id) else None,
                percent_of_mean(q_sum[q.id] / q_n[q.id]) if q_n.get(q.id) else None,
            )
            for q in profile.survey.questions
            if q.kind is QuestionKind.SCALE5
        )
        trend = tuple(
            MonthScore(
                m.label_ar,
                m.start,
                m.end,
                month_responses[i],
                month_sum[i] / month_n[i] if month_n[i] else None,
                percent_of_mean(month_sum[i] / month_n[i]) if month_n[i] else None,
            )
            for i, m in enumerate(months)
        )
        has_recommend = any(k is QuestionKind.RECOMMEND10 for k in kinds.values())
        recommendation = Recommendation(sum(rec), rec[0], rec[1], rec[2]) if has_recommend else None
        return responses, total_n, mean, questions, trend, recommendation

    @staticmethod
    def _follow_up(session: Session, start: str, end: str) -> tuple[FollowUpCounts, FollowUpCounts]:
        moved: dict[str, tuple[int, int]] = {
            kind: (int(opened), int(closed))
            for kind, opened, closed in session.execute(
                text(
                    "SELECT kind, sum(opened), sum(closed) FROM report_follow_up_day "
                    "WHERE day BETWEEN :a AND :b GROUP BY kind"
                ),
                {"a": start, "b": end},
            ).all()
        }
        open_now: dict[str, int] = {
            kind: int(items)
            for kind, items in session.execute(text("SELECT kind, items FROM report_follow_up_open")).all()
        }

        def counts(kind: str) -> FollowUpCounts:
            opened, closed = moved.get(kind, (0, 0))
            return FollowUpCounts(opened, closed, open_now.get(kind, 0))

        return counts("suggestion"), counts("complaint")

    # ------------------------------------------------------------------ per officer (manager only)

    @guarded(Action.DASHBOARDS)
    def officer_figures(self, period: Period, *, viewer_role: str | UserRole) -> OfficerFigures:
        """Per-officer aggregates for a manager only, only when the profile links responses to officers,
        only for officers with at least MIN_OFFICER_RESPONSES responses (the others are counted as hidden)."""
        profile = self._profile()
        if str(viewer_role) != UserRole.MANAGER.value:
            return OfficerFigures(
                False, (), 0,
                "نتائج الموظفين لا تُعرض إلا للمدير، وبصورة مجمّعة فقط؛ التقييم أداة للتحسين لا للمحاسبة.",
            )
        if not profile.survey.link_to_officer:
            return OfficerFigures(
                False, (), 0,
                "لا تُعرض نتائج لكل موظف: سياسة الجمعية تجعل التقييم مجهول الهوية وغير مرتبط بالموظف الذي قدّم "
                "الخدمة، فلا تُحفظ مع الإجابات هوية الموظف.",
            )
        scale_ids = [q.id for q in profile.survey.questions if q.kind is QuestionKind.SCALE5]
        start, end = utc_bounds(period)
        with self._db.session(read_only=True) as session:
            per_officer = session.execute(
                text(
                    "SELECT officer_id, count(*) FROM survey_response WHERE officer_id IS NOT NULL "
                    "AND answered_at >= :a AND answered_at < :b AND deleted_at IS NULL GROUP BY officer_id"
                ),
                {"a": start, "b": end},
            ).all()
            sums = session.execute(
                text(
                    "SELECT r.officer_id, j.key, sum(j.value), count(*) FROM survey_response AS r, "
                    "json_each(r.answers) AS j WHERE r.officer_id IS NOT NULL AND r.answered_at >= :a "
                    "AND r.answered_at < :b AND r.deleted_at IS NULL AND j.type = 'integer' "
                    "AND j.value BETWEEN 1 AND 5 GROUP BY r.officer_id, j.key"
                ),
                {"a": start, "b": end},
            ).all()
            names = {row.id.hex: row.full_name for row in session.execute(select(AppUser.id, AppUser.full_name))}
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for officer, key, total, count in sums:
            if key in scale_ids:
                totals[str(officer)][0] += int(total)
                totals[str(officer)][1] += int(count)
        rows: list[OfficerFigure] = []
        hidden = 0
        for officer, responses in per_officer:
            officer = str(officer)
            total, count = totals.get(officer, [0, 0])
            if responses < MIN_OFFICER_RESPONSES or count == 0:
                hidden += 1
                continue
            mean = total / count
            rows.append(OfficerFigure(names.get(officer, "موظف"), int(responses), mean, (mean - 1) * 25))
        rows.sort(key=lambda r: r.officer_name)
        message = (
            f"تُعرض نتائج الموظف مجمّعةً فقط متى كان وراءها {count_phrase(MIN_OFFICER_RESPONSES, RESPONSES)} فأكثر."
            + (f" أُخفيت نتائج {hidden} من الموظفين لقلة تقييماتهم." if hidden else "")
        )
        if not rows and not hidden:
            message = "لا توجد تقييمات مرتبطة بالموظفين في هذه الفترة."
        return OfficerFigures(bool(rows), tuple(rows), hidden, message)

    # ------------------------------------------------------------------ corrective actions

    @guarded(Action.CORRECTIVE_ACTIONS)
    def record_corrective_action(
        self,
        *,
        finding: str,
        action: str,
        owner: str,
        due_date: date,
        status: str | CorrectiveActionStatus = CorrectiveActionStatus.PLANNED,
        period: Period | None = None,
    ) -> CorrectiveAction:
        """Record a corrective action the board decided on (finding, action, owner, due date, status);
        `period` is the reporting period the finding came from (the action then appears in its reports)."""
        finding_text = self._required(finding, "finding", "اكتب الملاحظة (ما الذي وُجد)", 2000)
        action_text = self._required(action, "action", "اكتب الإجراء التصحيحي", 2000)
        owner_text = " ".join(self._required(owner, "owner", "اكتب المسؤول عن التنفيذ", 200).split())
        state = self._status(status)
        now = self._now()
        with self._db.session() as session:
            association = session.scalars(
                select(Association).where(Association.deleted_at.is_(None)).limit(1)
            ).first()
            if association is None:
                raise ReportError("لم تُعتمد سياسة الجمعية على هذا الجهاز بعد", field="policy")
            actor = self._actor(session)
            row = CorrectiveActionRow(
                association_id=association.id,
                finding=finding_text,
                finding_period_start=period.start if period is not None else None,
                finding_period_end=period.end if period is not None else None,
                action=action_text,
                owner=owner_text,
                due_date=due_date,
                status=state.value,
                recorded_by=actor,
                recorded_at=now,
                completed_at=now if state is CorrectiveActionStatus.DONE else None,
                updated_by=actor,
            )
            session.add(row)
            session.flush()
            self._audit(session, association.id, actor, "corrective_action_recorded", row.id, {"status": state.value})
            return self._view(row)

    @guarded(Action.CORRECTIVE_ACTIONS)
    def update_corrective_action(
        self, action_id: uuid.UUID, *, status: str | CorrectiveActionStatus
    ) -> CorrectiveAction:
        """Move a corrective action to another status (done stamps its completion time)."""
        state = self._status(status)
        now = self._now()
        with self._db.session() as session:
            row = session.get(CorrectiveActionRow, action_id)
            if row is None or row.deleted_at is not None:
                raise ReportError("الإجراء التصحيحي غير موجود", field="action_id")
            actor = self._actor(session)
            row.status = state.value
            row.completed_at = now if state is CorrectiveActionStatus.DONE else None
            row.updated_by = actor
            self._audit(session, row.association_id, actor, "corrective_action_status", row.id, {"status": state.value})
            session.flush()
            return self._view(row)

    @guarded(Action.DASHBOARDS)
    def corrective_actions(self, period: Period) -> tuple[CorrectiveAction, ...]:
        """The actions of a period's report, by due date: those whose finding came from a period overlapping it,
        those recorded in it (without a finding period), and older ones still open during it."""
        start, end = utc_bounds(period)
        start_at, end_at = datetime.strptime(start, _TS), datetime.strptime(end, _TS)
        row_type = CorrectiveActionRow
        with self._db.session(read_only=True) as session:
            rows = session.scalars(
                select(row_type)
                .where(
                    row_type.deleted_at.is_(None),
                    (
                        (row_type.finding_period_start <= period.end)
                        & (row_type.finding_period_end >= period.start)
                    )
                    | (
                        row_type.finding_period_start.is_(None)
                        & (row_type.recorded_at < end_at)
                        & (
                            (row_type.recorded_at >= start_at)
                            | row_type.status.in_(_OPEN_ACTIONS)
                            | (row_type.completed_at >= start_at)
                        )
                    ),
                )
                .order_by(row_type.due_date, row_type.recorded_at)
            ).all()
            return tuple(self._view(row) for row in rows)

    def _view(self, row: CorrectiveActionRow) -> CorrectiveAction:
        state = CorrectiveActionStatus(row.status)
        return CorrectiveAction(
            action_id=row.id,
            finding=row.finding,
            action=row.action,
            owner=row.owner,
            due_date=row.due_date,
            status=state,
            recorded_at=row.recorded_at,
            completed_at=row.completed_at,
            overdue=state.value in _OPEN_ACTIONS and row.due_date < self.today(),
            finding_period=(
                (row.finding_period_start, row.finding_period_end)
                if row.finding_period_start is not None and row.finding_period_end is not None
                else None
            ),
        )

    @staticmethod
    def _required(value: str, field: str, message: str, limit: int) -> str:
        try:
            cleaned = clean_text(value or "", max_length=limit, field=field)
        except InputError as exc:
            raise ReportError(exc.message_ar, field=field) from None
        if not cleaned:
            raise ReportError(message, field=field)
        return cleaned

    @staticmethod
    def _status(status: str | CorrectiveActionStatus) -> CorrectiveActionStatus:
        try:
            return CorrectiveActionStatus(status)
        except ValueError:
            raise ReportError(f"حالة غير معروفة «{status}»", field="status") from None

    def _actor(self, session: Session) -> uuid.UUID | None:
        return self._acting_account_id(session)

    def _audit(
        self, session: Session, association_id: uuid.UUID, actor: uuid.UUID | None, action: str,
        entity_id: uuid.UUID, details: dict[str, str],
    ) -> None:
        record_audit(
            session, association_id=association_id, actor_id=actor, action=action, entity="corrective_action",
            entity_id=entity_id, at=self._now(), details=details,
        )

    # ------------------------------------------------------------------ evidence

    @guarded(Action.DASHBOARDS)
    def policy_approvals(self) -> tuple[PolicyApproval, ...]:
        """Every adopted policy version with its approval record, newest first."""
        from desktop.policy import load_profile_text
        from desktop.policy_text import approval_text

        with self._db.session(read_only=True) as session:
            rows = session.scalars(
                select(PolicyVersion).where(PolicyVersion.deleted_at.is_(None)).order_by(PolicyVersion.adopted_at.desc())
            ).all()
            result = []
            for row in rows:
                try:
                    described = approval_text(load_profile_text(row.source_text, source=row.profile_id))
                except Exception:  # a stored text this version cannot read: show the stored fields
                    described = row.approved_meeting or "لا تذكر السياسة محضر اعتمادها"
                result.append(
                    PolicyApproval(
                        row.profile_id, row.version_label, row.adopted_at, row.approved_meeting,
                        row.approved_on, row.approved_on_hijri, described,
                    )
                )
            return tuple(result)

    @guarded(Action.DASHBOARDS)
    def file_completeness(self, period: Period) -> FileCompleteness:
        """Complete beneficiary files among the application cases submitted in the period (see views)."""
        profile = self._profile()
        needs_declaration = profile.declaration is not None
        with self._db.session(read_only=True) as session:
            row = session.execute(
                text(
                    "SELECT coalesce(sum(cases), 0), coalesce(sum(cases * missing), 0), "
                    "coalesce(sum(cases * expired), 0), coalesce(sum(cases * unsigned), 0), "
                    "coalesce(sum(cases * (missing = 0 AND expired = 0 AND (unsigned = 0 OR :nodecl))), 0) "
                    "FROM report_file_day WHERE submitted_on BETWEEN :a AND :b"
                ),
                {"a": period.start.isoformat(), "b": period.end.isoformat(), "nodecl": 0 if needs_declaration else 1},
            ).one()
        cases, missing, expired, unsigned, complete = (int(v) for v in row)
        return FileCompleteness(cases, complete, missing, expired, unsigned if needs_declaration else 0)
