"""The case list: every filter and sort against an independent reading of the database, keyset paging, counts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from db.models import CaseStatus
from desktop.casedesk import CaseFilter, CaseListService, CaseRow, CaseSort, listing
from desktop.casedesk.listing import UNDECIDED_STATUSES
from desktop.demo_data import generate_demo_data
from desktop.hijri import local_date, parse_date_either
from desktop.workspace import os_username
from tests.desktop.casedesk._listing_world import START, ListingWorld, build_world
from tests.desktop.reception.conftest import signature_png


@pytest.fixture(scope="module")
def list_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListingWorld]:
    """003 with cases made at reception plus 150 demo beneficiaries (every status, channel and kind)."""
    world = build_world(Path(tmp_path_factory.mktemp("listing")))
    generate_demo_data(world.workspace.db, beneficiaries=150, profile=world.workspace.active_profile())
    world.clock.now = START + timedelta(days=20)
    yield world
    world.workspace.close()


@pytest.fixture
def case_list(list_world: ListingWorld) -> CaseListService:
    """The case list service on the world's clock."""
    return CaseListService(list_world.workspace, clock=list_world.clock)


@dataclass(frozen=True)
class Truth:
    """One case as read straight from the tables, with what each filter means spelled out in Python."""

    rowid: int
    id: uuid.UUID
    case_number: str
    status: str
    channel_id: str
    case_kind_id: str
    submitted_at: str | None
    promised: str | None
    signature_pending: bool
    name_key: str | None
    b_rowid: int | None
    referred_to_me: bool
    missing: int


def read_truth(world: ListingWorld) -> list[Truth]:
    """Every live case with its beneficiary, open referrals to this PC's officer and missing documents."""
    with world.workspace.db.session(read_only=True) as session:
        me, role = session.execute(
            text("SELECT id, role FROM app_user WHERE username = :u"), {"u": os_username()}
        ).one()
        # A referral is addressed to a policy role and reaches every account holding it (held_by).
        profile = world.workspace.active_profile()
        held = set(profile.roles_held_by(role)) if profile is not None else set()
        referred = {
            row[0] for row in session.execute(
                text("SELECT case_id, to_user_id, to_role FROM referral "
                     "WHERE answered_at IS NULL AND deleted_at IS NULL")
            )
            if row[1] == me or row[2] in held | {role}
        }
        missing: dict[str, int] = {}
        for (case_id,) in session.execute(
            text("SELECT case_id FROM required_document WHERE provided = 0 AND deleted_at IS NULL")
        ):
            missing[case_id] = missing.get(case_id, 0) + 1
        rows = session.execute(text(
            'SELECT c.rowid, c.id, c.case_number, c.status, c.channel_id, c.case_kind_id, c.submitted_at, '
            "c.promised_decision_date, c.signature_pending, b.name_key, b.rowid "
            'FROM "case" c LEFT JOIN beneficiary b ON b.id = c.beneficiary_id WHERE c.deleted_at IS NULL'
        )).all()
    return [
        Truth(r[0], uuid.UUID(hex=r[1]), r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10],
              r[1] in referred, missing.get(r[1], 0))
        for r in rows
    ]


def matches(t: Truth, flt: CaseFilter, today: date) -> bool:
    """The filter's meaning, independently of the service's SQL."""
    submitted_day = local_date(datetime.fromisoformat(t.submitted_at)) if t.submitted_at else None
    return all([
        not flt.statuses or t.status in flt.statuses,
        not flt.channel_ids or t.channel_id in flt.channel_ids,
        not flt.case_kind_ids or t.case_kind_id in flt.case_kind_ids,
        not flt.overdue or (t.status in {s.value for s in UNDECIDED_STATUSES}
                            and t.promised is not None and date.fromisoformat(t.promised) < today),
        not flt.referred_to_me or t.referred_to_me,
        not flt.missing_documents or t.missing > 0,
        not flt.signature_pending or t.signature_pending,
        flt.date_from is None or (submitted_day is not None and submitted_day >= flt.date_from),
        flt.date_to is None or (submitted_day is not None and submitted_day <= flt.date_to),
    ])


_STATUS_ORDER = [s.value for s in CaseStatus]


def expected_order(rows: list[Truth], sort: CaseSort) -> list[uuid.UUID]:
    """The sort's meaning: keys as documented in `desktop.casedesk.listing`, NULLs last, rowid last."""
    def newest(t: Truth) -> tuple[object, ...]:
        return (t.submitted_at is None, "" if t.submitted_at is None else _neg(t.submitted_at), -t.rowid)

    keys: dict[CaseSort, Callable[[Truth], tuple[object, ...]]] = {
        CaseSort.NEWEST: newest,
        CaseSort.OLDEST: lambda t: (t.submitted_at is None, t.submitted_at or "", t.rowid),
        CaseSort.PROMISED: lambda t: (t.promised is None, t.promised or "", t.rowid if t.promised else -t.rowid),
        CaseSort.CASE_NUMBER: lambda t: (t.case_number,),
        CaseSort.NAME: lambda t: (t.name_key is None, t.name_key or "", t.b_rowid or 0, t.rowid),
        CaseSort.STATUS: lambda t: (_STATUS_ORDER.index(t.status), *newest(t)),
    }
    return [t.id for t in sorted(rows, key=keys[sort])]


def _neg(value: str) -> tuple[int, ...]:
    """A descending key for text: the negated code points."""
    return tuple(-ord(ch) for ch in value)


def all_pages(service: CaseListService, flt: CaseFilter, sort: CaseSort, limit: int) -> list[CaseRow]:
    """Every row of the list, page after page."""
    rows: list[CaseRow] = []
    after: object | None = None
    for _ in range(10_000):
        page = service.page(flt, sort, after=after, limit=limit)
        rows.extend(page.rows)
        assert len(page.rows) <= limit
        if page.next_cursor is None:
            return rows
        after = page.next_cursor
    raise AssertionError("the pages never ended")


FILTERS: dict[str, CaseFilter] = {
    "all": CaseFilter(),
    "awaiting": CaseFilter(statuses=frozenset({"awaiting_committee"})),
    "two statuses": CaseFilter(statuses=frozenset({"received", "closed"})),
    "unknown status": CaseFilter(statuses=frozenset({"no_such_status"})),
    "channel": CaseFilter(channel_ids=frozenset({"phone"})),
    "channels": CaseFilter(channel_ids=frozenset({"phone", "website"})),
    "kind": CaseFilter(case_kind_ids=frozenset({"inquiry"})),
    "overdue": CaseFilter(overdue=True),
    "overdue awaiting": CaseFilter(overdue=True, statuses=frozenset({"awaiting_committee", "closed"})),
    "referred to me": CaseFilter(referred_to_me=True),
    "missing": CaseFilter(missing_documents=True),
    "signature": CaseFilter(signature_pending=True),
    "dates": CaseFilter(date_from=START.date() - timedelta(days=400), date_to=START.date() + timedelta(days=5)),
    "combined": CaseFilter(channel_ids=frozenset({"interview"}), statuses=frozenset({"awaiting_committee", "served"}),
                           date_from=date(2020, 1, 1)),
}


@pytest.mark.parametrize("cap", [5_000, 2], ids=["few rows: row ids", "many rows: walk the sort index"])
@pytest.mark.parametrize("sort", list(CaseSort))
@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filter_and_sort_pages_every_row_once_in_order(
    list_world: ListingWorld, case_list: CaseListService, name: str, sort: CaseSort, cap: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a tiny cap every filter is applied while walking the sort's index (as on a million cases).
    monkeypatch.setattr(listing, "CANDIDATE_CAP", cap)
    flt = FILTERS[name]
    today = local_date(list_world.clock())
    truth = [t for t in read_truth(list_world) if matches(t, flt, today)]
    rows = all_pages(case_list, flt, sort, limit=17)
    ids = [row.case_id for row in rows]
    assert len(ids) == len(set(ids)), "a row came twice"
    assert set(ids) == {t.id for t in truth}
    if sort is not CaseSort.STATUS or name != "unknown status":
        assert ids == expected_order(truth, sort)
    count, capped = case_list.count(flt)
    assert (count, capped) == (len(truth), False)


def test_the_world_has_rows_for_every_filter(list_world: ListingWorld) -> None:
    today = local_date(list_world.clock())
    truth = read_truth(list_world)
    for name, flt in FILTERS.items():
        if name != "unknown status":
            assert any(matches(t, flt, today) for t in truth), name


def test_special_cases_are_where_they_belong(list_world: ListingWorld, case_list: CaseListService) -> None:
    def ids(flt: CaseFilter) -> set[uuid.UUID]:
        return {row.case_id for row in all_pages(case_list, flt, CaseSort.NEWEST, 100)}

    assert list_world.cases["referred_to_me"] in ids(CaseFilter(referred_to_me=True))
    assert list_world.cases["referred_to_role"] not in ids(CaseFilter(referred_to_me=True))
    assert list_world.cases["missing"] in ids(CaseFilter(missing_documents=True))
    assert list_world.cases["signature"] in ids(CaseFilter(signature_pending=True))
    assert list_world.cases["draft"] in ids(CaseFilter(statuses=frozenset({"draft"})))


def test_row_values_and_overdue_countdown(list_world: ListingWorld, case_list: CaseListService) -> None:
    case_id = list_world.cases["عبد الله محمد عبد الرحمن القحطاني"]
    row = case_list.row(case_id)
    assert row.beneficiary_name == "عبد الله محمد عبد الرحمن القحطاني"
    assert row.status == "awaiting_committee" and row.status_label == "بانتظار قرار لجنة البحث"
    assert row.channel_name == "المقابلة" and row.case_kind_name == "طلب خدمة"
    assert row.mobile == "+966501234567" and row.id_number == list_world.people[row.beneficiary_name][0]
    assert row.submitted_on == date(2025, 11, 2) and row.promised_on == date(2025, 11, 16)
    assert row.days_left == (date(2025, 11, 16) - local_date(list_world.clock())).days < 0
    assert row.overdue
    early = CaseListService(list_world.workspace, clock=lambda: START)
    assert early.row(case_id).days_left == 14 and not early.row(case_id).overdue
    assert case_list.row(list_world.cases["missing"]).missing_documents == 1
    assert case_list.row(list_world.cases["signature"]).signature_pending
    assert case_list.row(list_world.cases["draft"]).beneficiary_name == ""
    with pytest.raises(LookupError):
        case_list.row(uuid.uuid4())


def test_row_is_read_again_after_an_edit(list_world: ListingWorld, case_list: CaseListService) -> None:
    case_id = list_world.cases["أسماء إبراهيم سعد آل سعود"]
    before = case_list.row(case_id)
    assert (before.status, before.promised_on, before.days_left) == ("received", None, None)
    list_world.reception.skip_step(case_id, "referral", "لا حاجة")
    list_world.reception.sign_declaration(case_id, signature_png())
    list_world.reception.notify_committee(case_id)
    after = case_list.row(case_id)
    assert after.status == "awaiting_committee" and after.submitted_on == local_date(list_world.clock())
    assert after.days_left == 14 and not after.overdue


def test_hijri_and_gregorian_ranges_give_the_same_rows(case_list: CaseListService) -> None:
    gregorian = CaseFilter(date_from=parse_date_either("2025/11/02"), date_to=parse_date_either("2025/11/05"))
    hijri = CaseFilter(date_from=parse_date_either("1447/05/11"), date_to=parse_date_either("1447/05/14"))
    assert gregorian == hijri
    assert {r.submitted_on for r in case_list.page(gregorian, CaseSort.OLDEST).rows} <= {
        date(2025, 11, 2) + timedelta(days=i) for i in range(4)
    }


def test_count_stops_at_the_cap(case_list: CaseListService) -> None:
    total, capped = case_list.count(CaseFilter())
    assert not capped and total > 20
    assert case_list.count(CaseFilter(), cap=20) == (20, True)


def test_a_cursor_of_another_sort_is_refused(case_list: CaseListService) -> None:
    page = case_list.page(CaseFilter(), CaseSort.NEWEST, limit=5)
    with pytest.raises(ValueError):
        case_list.page(CaseFilter(), CaseSort.OLDEST, after=page.next_cursor)


def test_filter_choices_carry_arabic_labels(case_list: CaseListService) -> None:
    choices = case_list.filter_choices()
    assert ("phone", "الاتصالات الهاتفية") in {(c.id, c.label) for c in choices.channels}
    assert {c.id for c in choices.case_kinds} == {"service_request", "inquiry"}
    assert ("awaiting_committee", "بانتظار قرار لجنة البحث") in {(c.id, c.label) for c in choices.statuses}
    assert "reported" not in {c.id for c in choices.statuses}
