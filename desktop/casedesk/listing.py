"""The case list: filters, sorts, keyset pages of plain rows, capped counts.

Decisions recorded here (the Qt table relies on them):

* Keyset paging, never OFFSET: a sort is a sequence of *phases* (rows with the sort key, then rows
  without it; one phase per status for the status sort), each ordered by its keys and the row's
  rowid as the unique last key; the cursor holds the phase and the last row's keys. Rowids are
  stable between pages (only a VACUUM or a batch migration could renumber them).
* Newest/oldest order by the submission time, cases not submitted yet (drafts) last; promised by
  the promised decision date, soonest first, cases without one last; name by the beneficiary's
  normalised name, cases without a beneficiary last; status in the workflow's order, newest first
  within a status.
* A filter that matches few cases (at most `CANDIDATE_CAP`: a search, a rare status, open
  referrals to me, missing documents, signature pending, overdue) is first resolved to row ids
  through its own index, so the page never walks a million rows to find none; a broad filter is
  tested on each row while walking the sort's index, which finds a page after a few hundred rows.
* Overdue: the promised decision date is before today (Riyadh) and the case is in one of
  `UNDECIDED_STATUSES`. Referred to me: an open referral (no answer) to this PC's officer by name, or to
  a policy role his account holds (the active profile's `[[roles]] held_by`; a referral is addressed to the
  step's role and reaches every account holding it, a person named or not). Missing documents: a required
  document not provided.
* Dates in the filter are Riyadh dates, both ends included.
* A policy of reports (بلاغات, `is_rescue_profile`): each row carries its report (`ReportCells`: caller, phone,
  platform, place, received/dispatched/closed times, the member sent), read for the page's rows in one query;
  the search also finds a report by its caller's phone or name and its place (`search.report_case_ids`); the
  platform filter goes through the report's platform index; the date range is the received time (a report's
  submission time is its receipt). `FilterChoices.is_report` tells the screen to show reports, not requests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import text as sql

from db.models import APPLICATION_STATUSES, RESCUE_STATUSES, CaseStatus
from desktop.casedesk.search import beneficiary_ids, case_ids, report_case_ids, understand
from desktop.hijri import RIYADH, local_date
from desktop.cases import states
from desktop.permissions import Action, Guarded, acting_roles, guarded
from desktop.policy import is_rescue_profile
from desktop.reception.rescue import REPORT_PLATFORMS, platform_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.workspace import Workspace

__all__ = [
    "CANDIDATE_CAP",
    "SEARCH_BENEFICIARIES",
    "UNDECIDED_STATUSES",
    "CaseFilter", "CaseListService", "CasePage", "CaseRow", "CaseSort", "Choice", "FilterChoices", "ReportCells"]


class CaseSort(StrEnum):
    """The orders the case list can be shown in."""

    NEWEST = "newest"
    OLDEST = "oldest"
    PROMISED = "promised"
    CASE_NUMBER = "case_number"
    NAME = "name"
    STATUS = "status"

    @property
    def label_ar(self) -> str:
        """The Arabic label shown in the sort menu."""
        return _SORT_LABELS[self]

    def label_for(self, *, reports: bool) -> str:
        """The Arabic label for a policy of reports («الأحدث استلامًا», «اسم المبلّغ») or of requests (`label_ar`)."""
        return _REPORT_SORT_LABELS.get(self, self.label_ar) if reports else self.label_ar


_SORT_LABELS: dict[CaseSort, str] = {
    CaseSort.NEWEST: "الأحدث تقديمًا",
    CaseSort.OLDEST: "الأقدم تقديمًا",
    CaseSort.PROMISED: "موعد القرار الأقرب",
    CaseSort.CASE_NUMBER: "رقم الطلب",
    CaseSort.NAME: "اسم المستفيد",
    CaseSort.STATUS: "الحالة",
}
#: A policy of reports sorts by when a report was received, its number and its caller (no decision date).
_REPORT_SORT_LABELS: dict[CaseSort, str] = {
    CaseSort.NEWEST: "الأحدث استلامًا",
    CaseSort.OLDEST: "الأقدم استلامًا",
    CaseSort.CASE_NUMBER: "رقم البلاغ",
    CaseSort.NAME: "اسم المبلّغ",
}


@dataclass(frozen=True)
class CaseFilter:
    """What the officer narrowed the list to; every field combines with the others (AND)."""

    text: str = ""  # search as you type: ID or prefix, phone in any form, case number, Arabic name
    statuses: frozenset[str] = frozenset()  # CaseStatus values; empty = all
    channel_ids: frozenset[str] = frozenset()
    case_kind_ids: frozenset[str] = frozenset()
    overdue: bool = False  # promised decision date passed, no decision yet
    referred_to_me: bool = False  # open referral to the current officer (or his role)
    missing_documents: bool = False
    signature_pending: bool = False
    date_from: date | None = None  # submission date range, Riyadh dates, both ends included
    date_to: date | None = None
    platforms: frozenset[str] = frozenset()  # a report's platform (REPORT_PLATFORMS ids); empty = all


@dataclass(frozen=True)
class ReportCells:
    """The report (بلاغ) of a row in a policy of reports: caller, platform, place, its times and the member sent."""

    caller_name: str
    caller_phone: str
    platform: str
    platform_label: str
    place: str
    received_at: datetime
    escalated_at: datetime | None
    dispatched_at: datetime | None
    closed_at: datetime | None
    member_name: str


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: plain values only, everything the table shows."""

    case_id: uuid.UUID
    case_number: str
    beneficiary_name: str
    id_number: str
    mobile: str
    status: str
    status_label: str
    channel_name: str
    case_kind_name: str
    submitted_on: date | None
    promised_on: date | None
    days_left: int | None
    overdue: bool
    signature_pending: bool
    missing_documents: int
    officer_name: str
    report: ReportCells | None = None  # a rescue report's particulars (None for a request)


@dataclass(frozen=True)
class CasePage:
    """One page of the list and the opaque cursor of the next one (None at the end)."""

    rows: tuple[CaseRow, ...]
    next_cursor: object | None


@dataclass(frozen=True)
class Choice:
    """One value a filter can take, with its Arabic label."""

    id: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """The values the filter controls offer: channels, case kinds and statuses of the active profile."""

    channels: tuple[Choice, ...]
    case_kinds: tuple[Choice, ...]
    statuses: tuple[Choice, ...]
    is_report: bool = False  # a policy of reports: the list shows reports (caller, platform, times)
    platforms: tuple[Choice, ...] = ()  # the platforms a report may come on (a policy of reports only)


# --------------------------------------------------------------------------- implementation

#: Statuses in which the committee has not answered yet: a passed promised date makes the case overdue.
UNDECIDED_STATUSES: tuple[CaseStatus, ...] = (
    CaseStatus.RECEIVED,
    CaseStatus.REFERRED,
    CaseStatus.AWAITING_SIGNATURE,
    CaseStatus.AWAITING_COMMITTEE,
    CaseStatus.MORE_INFO_REQUESTED,
)
_UNDECIDED = frozenset(status.value for status in UNDECIDED_STATUSES)

#: The order of the STATUS sort: the application's workflow, then the rescue statuses.
_STATUS_ORDER: tuple[str, ...] = tuple(dict.fromkeys(s.value for s in (*APPLICATION_STATUSES, *RESCUE_STATUSES)))
_COMMITTEE_ONLY = frozenset(
    {CaseStatus.AWAITING_COMMITTEE, CaseStatus.MORE_INFO_REQUESTED, CaseStatus.ACCEPTED, CaseStatus.REJECTED}
)

#: A filter whose matching cases are at most this many is applied as a list of row ids (found through its
#: own index); above it, the list walks the sort's index and tests the filter on each row.
CANDIDATE_CAP = 5_000
#: Beneficiaries a name, ID or phone search considers at most (the officer narrows a broader search).
SEARCH_BENEFICIARIES = 500
_MAX_LIMIT = 1_000

_SELECT = (
    "SELECT c.rowid AS c_rowid, c.id AS id, c.case_number AS case_number, c.status AS status, "
    "c.channel_id AS channel_id, c.case_kind_id AS case_kind_id, c.submitted_at AS submitted_at, "
    "c.promised_decision_date AS promised, c.signature_pending AS signature_pending, "
    "b.full_name AS full_name, b.id_number AS id_number, b.mobile AS mobile, b.name_key AS name_key, "
    "b.rowid AS b_rowid, u.full_name AS officer_name "
)
_FROM = (
    'FROM "case" AS c LEFT JOIN beneficiary AS b ON b.id = c.beneficiary_id '
    "LEFT JOIN app_user AS u ON u.id = c.officer_id "
)
# CROSS JOIN fixes the loop order (beneficiary outside, walking the name index): SQLCipher's newer SQLite (3.53)
# otherwise prefers scanning every case and sorting them, 4x slower on 10,000 people and far worse on a million.
_FROM_NAMED = (
    'FROM beneficiary AS b CROSS JOIN "case" AS c ON b.id = c.beneficiary_id '
    "LEFT JOIN app_user AS u ON u.id = c.officer_id "
)


@dataclass(frozen=True)
class _Phase:
    """One stretch of a sort order: the rows it holds and the keys (last one unique) they are ordered by."""

    where: str
    keys: tuple[tuple[str, str], ...]  # (SQL expression, result column) pairs
    descending: bool
    named: bool = False  # inner join on the beneficiary (the name sort walks the name index)


@dataclass(frozen=True)
class _Cursor:
    """Where a page ended: the sort, the phase and the key values of its last row."""

    sort: CaseSort
    phase: int
    keys: tuple[object, ...]


_SUBMITTED = (("c.submitted_at", "submitted_at"), ("c.rowid", "c_rowid"))
_BY_ROWID = (("c.rowid", "c_rowid"),)


def _phases(sort: CaseSort, statuses: frozenset[str]) -> tuple[_Phase, ...]:
    """The phases of a sort order; NULL keys come last, in their own phase."""
    if sort is CaseSort.NEWEST:
        return (_Phase("c.submitted_at IS NOT NULL", _SUBMITTED, True), _Phase("c.submitted_at IS NULL", _BY_ROWID, True))
    if sort is CaseSort.OLDEST:
        return (
            _Phase("c.submitted_at IS NOT NULL", _SUBMITTED, False),
            _Phase("c.submitted_at IS NULL", _BY_ROWID, False),
        )
    if sort is CaseSort.PROMISED:
        return (
            _Phase(
                "c.promised_decision_date IS NOT NULL",
                (("c.promised_decision_date", "promised"), ("c.rowid", "c_rowid")),
                False,
            ),
            _Phase("c.promised_decision_date IS NULL", _BY_ROWID, True),
        )
    if sort is CaseSort.CASE_NUMBER:
        return (_Phase("1", (("c.case_number", "case_number"),), False),)
    if sort is CaseSort.NAME:
        return (
            _Phase("1", (("b.name_key", "name_key"), ("b.rowid", "b_rowid"), ("c.rowid", "c_rowid")), False, True),
            _Phase("NOT EXISTS (SELECT 1 FROM beneficiary AS b2 WHERE b2.id = c.beneficiary_id)", _BY_ROWID, False),
        )
    phases: list[_Phase] = []
    for status in _STATUS_ORDER:
        if statuses and status not in statuses:
            continue
        quoted = "'" + status + "'"  # a known enum value: safe to inline, lets the (status, …) index be used
        phases.append(_Phase(f"c.status = {quoted} AND c.submitted_at IS NOT NULL", _SUBMITTED, True))
        phases.append(_Phase(f"c.status = {quoted} AND c.submitted_at IS NULL", _BY_ROWID, True))
    known = ", ".join("'" + status + "'" for status in _STATUS_ORDER)
    phases.append(_Phase(f"c.status NOT IN ({known})", (("c.status", "status"), ("c.rowid", "c_rowid")), False))
    return tuple(phases)


def _keyset(keys: tuple[tuple[str, str], ...], descending: bool) -> str:
    """SQL of "after the cursor" for the keys (parameters :k0, :k1…), led by a range on the first key."""
    op = "<" if descending else ">"

    def after(i: int) -> str:
        expr = keys[i][0]
        if i == len(keys) - 1:
            return f"{expr} {op} :k{i}"
        return f"({expr} {op} :k{i} OR ({expr} = :k{i} AND {after(i + 1)}))"

    lead = f"{keys[0][0]} {op}= :k0 AND " if len(keys) > 1 else ""
    return lead + after(0)


def _utc_text(day: date) -> str:
    """The stored UTC form of the Riyadh midnight starting `day` (submission times compare as text)."""
    moment = datetime.combine(day, time.min, tzinfo=RIYADH).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _parse_utc(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _parse_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass
class _Query:
    """The WHERE clauses and parameters of one filter, and the row ids it is narrowed to (None: not narrowed)."""

    where: list[str]
    params: dict[str, object]
    rowids: set[int] | None = None
    truncated: bool = False  # a search found more beneficiaries than it considers
    statuses: tuple[str, ...] = ()  # the statuses the rows are limited to (each walked on its own index)

    def narrow(self, rowids: set[int]) -> None:
        """Keep only these rows (intersecting with what earlier filters kept)."""
        self.rowids = rowids if self.rowids is None else self.rowids & rowids


class CaseListService(Guarded):
    """Read-only access to the case list: one read-only session per call, plain rows out."""

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        self._workspace = workspace
        self._db = workspace.db
        self._clock = clock or (lambda: datetime.now(UTC))
        self._officer: tuple[str, tuple[str, ...]] | None = None

    # ------------------------------------------------------------------ public

    @guarded(Action.SEE_CASES)
    def page(self, flt: CaseFilter, sort: CaseSort, *, after: object | None = None, limit: int = 100) -> CasePage:
        """The next `limit` rows in `sort` order after the cursor `after` (keyset paging, never OFFSET)."""
        sort = CaseSort(sort)
        limit = max(1, min(int(limit), _MAX_LIMIT))
        if after is not None and (not isinstance(after, _Cursor) or after.sort is not sort):
            raise ValueError("the cursor belongs to another sort order")
        today = self._today()
        phases = _phases(sort, flt.statuses)
        with self._db.session(read_only=True) as session:
            query = self._query(session, flt, today)
            if query.rowids is not None and not query.rowids:
                return CasePage((), None)
            rows: list[Any] = []
            start = after.phase if isinstance(after, _Cursor) else 0
            last_phase = start
            for index in range(start, len(phases)):
                phase = phases[index]
                keys = after.keys if isinstance(after, _Cursor) and index == after.phase else None
                found = self._fetch(session, query, phase, keys, limit - len(rows))
                rows.extend(found)
                last_phase = index
                if len(rows) >= limit:
                    break
            cursor: _Cursor | None = None
            if len(rows) >= limit:
                phase = phases[last_phase]
                last = rows[-1]
                cursor = _Cursor(sort, last_phase, tuple(getattr(last, column) for _, column in phase.keys))
            result = self._rows(session, rows, today)
        return CasePage(tuple(result), cursor)

    @guarded(Action.SEE_CASES)
    def count(self, flt: CaseFilter, *, cap: int = 10_000) -> tuple[int, bool]:
        """How many cases match, counting at most `cap` (the second value says the count stopped there)."""
        cap = max(0, int(cap))
        with self._db.session(read_only=True) as session:
            query = self._query(session, flt, self._today())
            if query.rowids is not None and not query.rowids:
                return 0, query.truncated
            where, params = self._where(query)
            found = session.execute(
                sql(f'SELECT count(*) FROM (SELECT 1 FROM "case" AS c WHERE {where} LIMIT :cap)'),
                {**params, "cap": cap + 1},
            ).scalar_one()
        if found > cap:
            return cap, True
        return int(found), query.truncated

    @guarded(Action.SEE_CASES)
    def row(self, case_id: uuid.UUID) -> CaseRow:
        """One row read again (after an edit); LookupError when the case does not exist."""
        with self._db.session(read_only=True) as session:
            found = session.execute(
                sql(_SELECT + _FROM + "WHERE c.id = :id AND c.deleted_at IS NULL"), {"id": case_id.hex}
            ).all()
            if not found:
                raise LookupError(f"الطلب غير موجود: {case_id}")
            return self._rows(session, found, self._today())[0]

    @guarded(Action.SEE_CASES)
    def filter_choices(self) -> FilterChoices:
        """Channels, case kinds and statuses with their Arabic labels from the active profile."""
        profile = self._workspace.active_profile()
        if profile is None:
            statuses: tuple[CaseStatus, ...] = APPLICATION_STATUSES
            return FilterChoices((), (), tuple(Choice(s.value, s.label_ar) for s in statuses))
        if is_rescue_profile(profile):
            return FilterChoices(
                channels=tuple(Choice(channel.id, channel.name) for channel in profile.channels),
                case_kinds=tuple(Choice(kind.id, kind.name) for kind in profile.case_kinds),
                statuses=tuple(Choice(s.value, s.label_ar) for s in RESCUE_STATUSES),
                is_report=True,
                platforms=tuple(Choice(key, label) for key, label in REPORT_PLATFORMS),
            )
        if profile.has_committee:
            statuses = APPLICATION_STATUSES
        else:
            statuses = tuple(s for s in APPLICATION_STATUSES if s not in _COMMITTEE_ONLY)
        return FilterChoices(
            channels=tuple(Choice(channel.id, channel.name) for channel in profile.channels),
            case_kinds=tuple(Choice(kind.id, kind.name) for kind in profile.case_kinds),
            statuses=tuple(Choice(s.value, s.label_ar) for s in statuses),
        )

    # ------------------------------------------------------------------ filters

    def _today(self) -> date:
        return local_date(self._clock())

    def _current_officer(self, session: Session) -> tuple[str, tuple[str, ...]]:
        """(id as stored, roles) of the account acting now: the signed-in one (its roles as stored now), else
        the legacy desk's OS-login account (`desktop.permissions`); ("", ()) when there is none yet."""
        identity = self._workspace.signed_in
        if identity is not None:
            return identity.account_id.hex, acting_roles(session, identity) or ()
        if self._officer is None:
            account = self._workspace.legacy_account(session)
            if account is None:
                return "", ()
            self._officer = (account.id.hex, account.role_list)
        return self._officer

    def _roles_held(self, account_roles: Sequence[str]) -> list[str]:
        """The policy roles the account's roles hold (the active profile's held_by), and the account roles
        themselves (referrals stored before roles had holders were matched on them): a referral to a policy
        role reaches everyone holding it."""
        if not account_roles:
            return []
        profile = self._workspace.active_profile()
        held = set(account_roles)
        if profile is not None:
            for role in account_roles:
                held.update(profile.roles_held_by(role))
        return sorted(held)

    def _query(self, session: Session, flt: CaseFilter, today: date) -> _Query:
        """The filter as SQL; filters that match few rows are resolved to row ids through their own index."""
        query = _Query(["c.deleted_at IS NULL"], {})
        if flt.text:
            self._search(session, flt.text, query)
            if query.rowids is not None and not query.rowids:
                return query
        # In the page's WHERE a unary "+" keeps SQLite walking the sort's index instead of this
        # column's (which would sort every match); the column's own index serves `_narrow_if_few`.
        if flt.statuses:
            query.statuses = tuple(sorted(flt.statuses))
            clause = _in("c.status", list(query.statuses), "st", query.params)
            query.where.append("+" + clause)
            self._narrow_if_few(session, query, f'SELECT rowid FROM "case" AS c WHERE {clause}')
        if flt.channel_ids:
            clause = _in("c.channel_id", sorted(flt.channel_ids), "ch", query.params)
            query.where.append("+" + clause)
            self._narrow_if_few(session, query, f'SELECT rowid FROM "case" AS c WHERE {clause}')
        if flt.case_kind_ids:
            clause = _in("c.case_kind_id", sorted(flt.case_kind_ids), "ck", query.params)
            query.where.append("+" + clause)
            self._narrow_if_few(session, query, f'SELECT rowid FROM "case" AS c WHERE {clause}')
        if flt.platforms:
            clause = _in("r.platform", sorted(flt.platforms), "pf", query.params)
            query.where.append(
                f"EXISTS (SELECT 1 FROM rescue_report AS r WHERE r.case_id = c.id AND r.deleted_at IS NULL AND {clause})"
            )
            self._narrow_if_few(
                session, query,
                f'SELECT c.rowid FROM rescue_report AS r JOIN "case" AS c ON c.id = r.case_id WHERE {clause}',
            )
        if flt.overdue:
            undecided_statuses = sorted(_UNDECIDED & set(query.statuses)) if query.statuses else sorted(_UNDECIDED)
            query.statuses = tuple(undecided_statuses) or ("",)
            clause = _in("c.status", undecided_statuses, "ud", query.params)
            query.params["today"] = today.isoformat()
            query.where.append(f"+{clause} AND +c.promised_decision_date < :today")
            self._narrow_if_few(
                session, query,
                f'SELECT rowid FROM "case" AS c WHERE {clause} AND c.promised_decision_date < :today',
            )
        if flt.signature_pending:
            query.where.append("c.signature_pending = 1")
            self._narrow_if_few(session, query, 'SELECT rowid FROM "case" AS c WHERE c.signature_pending = 1')
        if flt.referred_to_me:
            me, roles = self._current_officer(session)
            query.params["me"] = me
            my_roles = _in("r.to_role", self._roles_held(roles), "mr", query.params)
            open_referral = "r.answered_at IS NULL AND r.deleted_at IS NULL AND "
            to_me = f"(r.to_user_id = :me OR {my_roles})"
            query.where.append(f"EXISTS (SELECT 1 FROM referral AS r WHERE r.case_id = c.id AND {open_referral}{to_me})")
            # Two look-ups on the index of open referrals (an OR would read every referral).
            self._narrow_if_few(
                session, query,
                f'SELECT c.rowid FROM referral AS r JOIN "case" AS c ON c.id = r.case_id '
                f"WHERE {open_referral}r.to_user_id = :me UNION "
                f'SELECT c.rowid FROM referral AS r JOIN "case" AS c ON c.id = r.case_id '
                f"WHERE {open_referral}{my_roles}",
            )
        if flt.missing_documents:
            missing = "d.provided = 0 AND d.deleted_at IS NULL"
            query.where.append(f"EXISTS (SELECT 1 FROM required_document AS d WHERE d.case_id = c.id AND {missing})")
            self._narrow_if_few(
                session, query,
                f'SELECT DISTINCT c.rowid FROM required_document AS d JOIN "case" AS c ON c.id = d.case_id WHERE {missing}',
            )
        if flt.date_from is not None:
            query.params["from_utc"] = _utc_text(flt.date_from)
            query.where.append("c.submitted_at >= :from_utc")
        if flt.date_to is not None:
            query.params["to_utc"] = _utc_text(flt.date_to + timedelta(days=1))
            query.where.append("c.submitted_at < :to_utc")
        return query

    def _narrow_if_few(self, session: Session, query: _Query, statement: str) -> None:
        """Resolve a filter to row ids when it matches at most CANDIDATE_CAP rows (its index, LIMIT).

        The statements read only their index (no deleted_at test): the ids may include deleted
        cases, which the page's own WHERE drops.
        """
        if query.rowids is not None and len(query.rowids) <= CANDIDATE_CAP:
            return  # already few rows: the clause is tested on each of them
        params = {**query.params, "cap": CANDIDATE_CAP + 1}
        # Counted inside SQLite first: thousands of row ids are only carried into Python when they are few.
        if session.execute(sql(f"SELECT count(*) FROM (SELECT 1 FROM ({statement}) LIMIT :cap)"), params).scalar_one() > CANDIDATE_CAP:
            return
        found = session.execute(sql(statement), query.params).scalars().all()
        query.narrow({int(value) for value in found})

    def _search(self, session: Session, text: str, query: _Query) -> None:
        """Narrow to the cases of the beneficiaries (or the case numbers) the text finds."""
        understood = understand(text)
        if understood.kind == "empty":
            return
        rowids: set[int] = set()
        people = beneficiary_ids(session, understood, limit=SEARCH_BENEFICIARIES)
        query.truncated = len(people) >= SEARCH_BENEFICIARIES
        if people:
            rowids.update(
                int(value) for value in session.execute(
                    sql('SELECT rowid FROM "case" WHERE beneficiary_id IN (SELECT value FROM json_each(:ids)) '
                        "AND deleted_at IS NULL"),
                    {"ids": json.dumps([person.hex for person in people])},
                ).scalars()
            )
        numbers = case_ids(session, understood, limit=CANDIDATE_CAP)
        numbers += report_case_ids(session, understood, limit=SEARCH_BENEFICIARIES)
        if numbers:
            rowids.update(
                int(value) for value in session.execute(
                    sql('SELECT rowid FROM "case" WHERE id IN (SELECT value FROM json_each(:ids))'),
                    {"ids": json.dumps([number.hex for number in numbers])},
                ).scalars()
            )
        query.narrow(rowids)

    def _where(self, query: _Query) -> tuple[str, dict[str, object]]:
        params = dict(query.params)
        where = list(query.where)
        if query.rowids is not None:
            params["rowids"] = json.dumps(sorted(query.rowids))
            where.append("c.rowid IN (SELECT value FROM json_each(:rowids))")
        return " AND ".join(where), params

    def _fetch(
        self, session: Session, query: _Query, phase: _Phase, keys: tuple[object, ...] | None, limit: int
    ) -> list[Any]:
        """The rows of one phase after `keys` (its start when None), in its order.

        With several statuses and no short list of row ids, each status is walked on its own
        (status, key) index and the pages merged: one index cannot give several statuses in order.
        """
        if query.statuses and query.rowids is None and not phase.named and "c.status" not in phase.where:
            merged: list[Any] = []
            for status in query.statuses:
                merged.extend(self._fetch_one(session, query, phase, keys, limit, status))
            merged.sort(key=lambda row: tuple(getattr(row, column) for _, column in phase.keys), reverse=phase.descending)
            return merged[:limit]
        return self._fetch_one(session, query, phase, keys, limit, None)

    def _fetch_one(
        self,
        session: Session,
        query: _Query,
        phase: _Phase,
        keys: tuple[object, ...] | None,
        limit: int,
        status: str | None,
    ) -> list[Any]:
        where, params = self._where(query)
        clauses = [where, phase.where]
        if status is not None:
            clauses.append("c.status = :split_status")
            params["split_status"] = status
        if keys is not None:
            clauses.append(_keyset(phase.keys, phase.descending))
            params.update({f"k{i}": value for i, value in enumerate(keys)})
        direction = " DESC" if phase.descending else ""
        order = ", ".join(expr + direction for expr, _ in phase.keys)
        statement = (
            _SELECT + (_FROM_NAMED if phase.named else _FROM)
            + "WHERE " + " AND ".join(f"({clause})" for clause in clauses)
            + f" ORDER BY {order} LIMIT :limit"
        )
        return list(session.execute(sql(statement), {**params, "limit": limit}).all())

    # ------------------------------------------------------------------ rows

    def _rows(self, session: Session, rows: Sequence[Any], today: date) -> list[CaseRow]:
        """Plain rows: labels from the active profile, missing-document counts in one query."""
        if not rows:
            return []
        profile = self._workspace.active_profile()
        channels = {c.id: c.name for c in profile.channels} if profile else {}
        kinds = {k.id: k.name for k in profile.case_kinds} if profile else {}
        params: dict[str, object] = {}
        clause = _in("case_id", [str(_hex(row.id)) for row in rows], "m", params)
        missing: dict[str, int] = dict(
            session.execute(
                sql(
                    f"SELECT case_id, count(*) FROM required_document WHERE {clause} "
                    "AND provided = 0 AND deleted_at IS NULL GROUP BY case_id"
                ),
                params,
            ).all()
        )
        reports = _report_cells(session, [str(_hex(row.id)) for row in rows])
        out = []
        for row in rows:
            promised = _parse_date(row.promised)
            submitted = _parse_utc(row.submitted_at)
            undecided = row.status in _UNDECIDED
            days_left = (promised - today).days if promised is not None and undecided else None
            out.append(
                CaseRow(
                    case_id=uuid.UUID(hex=_hex(row.id)),
                    case_number=row.case_number,
                    beneficiary_name=row.full_name or "",
                    id_number=row.id_number or "",
                    mobile=row.mobile or "",
                    status=row.status,
                    status_label=states.status_label(row.status),
                    channel_name=channels.get(row.channel_id, row.channel_id),
                    case_kind_name=kinds.get(row.case_kind_id, row.case_kind_id),
                    submitted_on=local_date(submitted) if submitted is not None else None,
                    promised_on=promised,
                    days_left=days_left,
                    overdue=days_left is not None and days_left < 0,
                    signature_pending=bool(row.signature_pending),
                    missing_documents=int(missing.get(_hex(row.id), 0)),
                    officer_name=row.officer_name or "",
                    report=reports.get(_hex(row.id)),
                )
            )
        return out


def _report_cells(session: Session, case_ids: list[str]) -> dict[str, ReportCells]:
    """The reports of these cases (by the case id's hex), with the name of the member sent, in one query."""
    params: dict[str, object] = {}
    clause = _in("r.case_id", case_ids, "rp", params)
    found = session.execute(
        sql(
            "SELECT r.case_id AS case_id, r.reporter_name AS caller, r.reporter_phone AS phone, r.platform AS platform, "
            "r.place AS place, r.received_at AS received_at, r.escalated_at AS escalated_at, "
            "r.dispatched_at AS dispatched_at, r.closed_at AS closed_at, m.name AS member "
            "FROM rescue_report AS r LEFT JOIN rescue_member AS m ON m.id = r.dispatched_member_id "
            f"WHERE {clause} AND r.deleted_at IS NULL"
        ),
        params,
    ).all()
    cells: dict[str, ReportCells] = {}
    for r in found:
        received = _parse_utc(r.received_at)
        assert received is not None
        cells[_hex(r.case_id)] = ReportCells(
            caller_name=r.caller or "",
            caller_phone=r.phone or "",
            platform=r.platform or "",
            platform_label=platform_label(r.platform) or "",
            place=r.place or "",
            received_at=received,
            escalated_at=_parse_utc(r.escalated_at),
            dispatched_at=_parse_utc(r.dispatched_at),
            closed_at=_parse_utc(r.closed_at),
            member_name=r.member or "",
        )
    return cells


def _hex(value: object) -> str:
    return value.hex if isinstance(value, uuid.UUID) else str(value)


def _in(column: str, values: list[Any], name: str, params: dict[str, object]) -> str:
    """`column IN (:name0, :name1, …)` with the values bound (never formatted into the SQL)."""
    if not values:
        return "0"
    names = []
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
        names.append(f":{name}{i}")
    return f"{column} IN ({', '.join(names)})"
