"""The erasure's last gaps across sync (issue 14), on the real server and real PostgreSQL: a late EDIT of a
changeable row of an erased case (a desk that was offline renames the person, changes the mobile, writes the case's
summary) is merged erased, so the server, a desk that pulls it and the desk that made it all hold the erased values;
a desk that pulls an erasure removes the case's stored scans no live row of it still uses, and does not fetch them
again; a late row a server stored un-erased before late arrivals were erased is erased once by server migration
0009."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, select, text

from db.erasure import ANONYMISED_COLUMNS, ANONYMISED_NAME, MARKER, anonymised_values
from db.models import Beneficiary, Case, StepCompletion
from desktop.retention import run_retention
from desktop.server.store import normalize_db_url
from tests.accounts import sign_in_desk
from tests.desktop.reception.conftest import ID_NUMBER, NAME
from tests.desktop.sync.conftest import Desk, assert_converged
from tests.desktop.sync.test_erasure import LONG_AGO, _closed_case, _raw_bytes, _server_text

#: What the offline desk writes about the person after the erasure.
NEW_NAME = "نورة سعد عبد الله الشهري"
NEW_MOBILE = "0551234567"
SUMMARY = f"زارتنا {NEW_NAME} وتطلب إعادة فتح الملف"


def _person_of(desk: Desk, case_id: uuid.UUID) -> uuid.UUID:
    with desk.ws.db.session(read_only=True) as session:
        person = session.get_one(Case, case_id).beneficiary_id
    assert person is not None
    return person


def _edit_offline(desk: Desk, case_id: uuid.UUID, person: uuid.UUID) -> None:
    """A desk that has not heard of the erasure renames the person, changes the mobile and writes the summary."""
    with desk.ws.db.session() as session:
        beneficiary = session.get_one(Beneficiary, person)
        beneficiary.full_name = NEW_NAME
        beneficiary.mobile = NEW_MOBILE
        session.get_one(Case, case_id).summary = SUMMARY


def _holds_any(desk: Desk) -> bool:
    raw = _raw_bytes(desk.ws)
    return any(word.encode() in raw for word in (NAME, ID_NUMBER, NEW_NAME, NEW_MOBILE))


def test_a_late_edit_of_an_erased_case_is_merged_erased_everywhere(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    first, late = make_desk("first"), make_desk("late")
    manager = sign_in_desk(first.ws)
    case_id = _closed_case(first.ws, closed_for=LONG_AGO, opened=first.settle)
    first.settle()
    late.settle()  # the late desk holds the case and the person, then goes offline...
    person = _person_of(late, case_id)
    late.transport.offline = True

    run_retention(first.ws.db, first.ws.data_dir, apply=True, actor_id=manager.account_id)
    first.settle()  # the erasure (and the anonymised rows) reach the server
    _edit_offline(late, case_id, person)  # ...and edits the person after the erasure reached the server
    late.transport.offline = False
    late.settle()  # pushed: merged erased; pulled back: its own copy erased
    first.settle()
    newcomer = make_desk("newcomer")
    newcomer.settle()

    server = _server_text(sync_server.db_url, first)
    for word in (NAME, ID_NUMBER, NEW_NAME, NEW_MOBILE, SUMMARY):
        assert word not in server, word
    refused = [(c.table, c.reason_ar) for c in first.sync.refused()[0]]
    assert not refused, refused
    assert_converged(sync_server, first, late, newcomer)
    expected = anonymised_values("beneficiary", person.hex)
    for desk in (first, late, newcomer):
        assert not _holds_any(desk), desk.name
        with desk.ws.db.session(read_only=True) as session:
            beneficiary = session.get_one(Beneficiary, person)
            assert (beneficiary.full_name, beneficiary.name_key, beneficiary.id_number, beneficiary.mobile) == (
                ANONYMISED_NAME, expected["name_key"], expected["id_number"], None), desk.name
            assert session.get_one(Case, case_id).summary is None, desk.name
    # the conflict the late edit made keeps no personal value either
    with late.ws.db.engine.connect() as conn:
        values = " ".join(str(v) for row in conn.execute(text(
            "SELECT base_value, value_a, value_b FROM sync_conflict")) for v in row)
    assert NEW_NAME not in values and NEW_MOBILE not in values


def test_the_changeable_rows_an_erasure_covers_are_listed_in_one_place() -> None:
    """Every table and column of `ANONYMISED_COLUMNS` exists, and the values are the erased ones (a name marker,
    per-row keys for the person, nothing else kept)."""
    from db.models import Base

    tables = Base.metadata.tables
    for table, columns in ANONYMISED_COLUMNS.items():
        assert table in tables, table
        assert set(columns) <= set(tables[table].c.keys()), table
        assert table in ("beneficiary", "case") or "case_id" in tables[table].c, table
    person = uuid.uuid4().hex
    values = anonymised_values("beneficiary", person)
    assert values["full_name"] == ANONYMISED_NAME and values["name_key"] == f"anon {person}"
    assert values["id_number"] == f"#{person[-9:]}" and values["mobile"] is None
    assert anonymised_values("reception_draft", "") == {"fields": {}}
    assert anonymised_values("audit_event", person) == {}  # append-only rows: `ERASABLE_COLUMNS`, not this list


def _stored_files(desk: Desk, shas: set[str]) -> set[str]:
    """Those of `shas` whose file is in the desk's attachment store."""
    with desk.ws.db.engine.connect() as conn:
        paths = {str(sha): str(path) for sha, path in conn.execute(text("SELECT sha256, stored_path FROM attachment"))}
    store = desk.sync.client()._storage.store  # noqa: SLF001 - the desk's own attachment store (sealed or not)
    return {sha for sha in shas if sha in paths and store.path_of(paths[sha]).is_file()}


def test_a_desk_that_pulls_an_erasure_removes_the_cases_scans_and_keeps_those_still_used(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    from tests.desktop.sync.test_erasure import RECENTLY
    from tests.desktop.sync.test_erasure_gaps import _case_files

    first, other = make_desk("first"), make_desk("other")
    manager = sign_in_desk(first.ws)
    old = _closed_case(first.ws, closed_for=LONG_AGO, opened=first.settle)
    recent = _closed_case(first.ws, closed_for=RECENTLY, name="سارة خالد عبد الله العتيبي", id_number="1044455556",
                          opened=first.settle)
    first.settle()
    other.settle()
    mine, kept = _case_files(other, old), _case_files(other, recent)
    only_mine = mine - kept
    assert only_mine and mine & kept  # its declaration's PDF is its own; the scans are the same files
    assert _stored_files(other, mine | kept) == mine | kept  # the other desk fetched them all

    run_retention(first.ws.db, first.ws.data_dir, apply=True, actor_id=manager.account_id)
    first.settle()
    other.settle()
    assert not _stored_files(other, only_mine)  # the erased case's own files left the other desk
    assert _stored_files(other, kept) == kept  # the files the other case still uses stay
    downloads = [path for method, path, _status in other.transport.requests
                 if method == "GET" and path.startswith("/v1/attachments/")]
    other.sync.run_round()  # a later round, and a full verification, fetch nothing again
    other.sync.client().run_round(verify=True)
    assert [path for method, path, _status in other.transport.requests
            if method == "GET" and path.startswith("/v1/attachments/")] == downloads
    assert not _stored_files(other, only_mine)
    assert other.scalar("SELECT count(*) FROM sync_missing_file") == 0
    newcomer = make_desk("newcomer")  # a desk enrolled after the erasure fetches none of them either
    newcomer.settle()
    assert not _stored_files(newcomer, only_mine)
    assert _stored_files(newcomer, kept) == kept
    assert newcomer.scalar("SELECT count(*) FROM sync_missing_file") == 0
    assert_converged(sync_server, first, other, newcomer)


def _migrate_again(db_url: str) -> int:
    """Server migration 0009 run over the server's database (down to 0008, the revision before it, and up to the
    head); then its step once more (it is idempotent): the rows the second run changed."""
    from desktop.server.repair import erase_late_rows
    from tests.server.helpers import migrate_down_and_up

    engine = create_engine(normalize_db_url(db_url))
    try:
        with engine.begin() as conn:
            migrate_down_and_up(conn, "0008")
        with engine.begin() as conn:
            return erase_late_rows(conn)
    finally:
        engine.dispose()


def test_server_migration_0009_erases_the_late_rows_a_server_stored_un_erased(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    from tests.desktop.sync.test_hand_written_rows import _server_sums_match_the_rows
    from tests.desktop.sync.test_quarantine import _inject

    first = make_desk("first")
    manager = sign_in_desk(first.ws)
    case_id = _closed_case(first.ws, closed_for=LONG_AGO, opened=first.settle)
    first.settle()
    run_retention(first.ws.db, first.ws.data_dir, apply=True, actor_id=manager.account_id)
    first.settle()
    association = uuid.UUID(hex=str(first.scalar("SELECT id FROM association")))
    with first.ws.db.session(read_only=True) as session:
        case = session.get_one(Case, case_id)
        version, person = case.policy_version_id, case.beneficiary_id
    assert person is not None
    note, event = uuid.uuid4(), uuid.uuid4()
    words = f"اتصل {NAME} ({ID_NUMBER}) يسأل عن طلبه"
    stamp = dt.datetime.now(dt.UTC).isoformat()
    # written as a server before 0006 stored a late arrival: as pushed (un-erased), with digests, sums and sequences
    _inject(sync_server, first.ws.active_profile().association.name, [
        ("step_completion", note, {"case_id": str(case_id), "step_id": "follow_up", "step_kind": "note", "skipped": False,
                                   "officer_id": str(manager.account_id), "completed_at": stamp,
                                   "policy_version_id": str(version), "note": words, "created_at": stamp,
                                   "updated_at": stamp}),
        ("audit_event", event, {"association_id": str(association), "action": "note_added",
                                "entity": "step_completion", "entity_id": str(note), "at": stamp,
                                "details": {"note": words}, "chain_seq": 0, "prev_hash": "", "hash": "",
                                "created_at": stamp, "updated_at": stamp}),
    ])
    assert NAME in _server_text(sync_server.db_url, first)

    assert _migrate_again(sync_server.db_url) == 0  # erased by the migration; the step again changes nothing
    server = _server_text(sync_server.db_url, first)
    assert NAME not in server and ID_NUMBER not in server
    _server_sums_match_the_rows(sync_server.db_url, association)
    newcomer = make_desk("newcomer")
    newcomer.settle()
    first.settle()
    first.sync.client().run_round(verify=True)
    for desk in (first, newcomer):
        assert desk.scalar("SELECT count(*) FROM sync_quarantine") == 0, desk.name
        with desk.ws.db.session(read_only=True) as session:
            assert session.scalars(select(StepCompletion.note).where(StepCompletion.id == note)).one() == MARKER
        assert NAME.encode() not in _raw_bytes(desk.ws), desk.name
    assert_converged(sync_server, first, newcomer)
