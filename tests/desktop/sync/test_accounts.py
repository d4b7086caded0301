"""Staff accounts sync like every table: made on one desk, they sign in on another, offline, through the real server."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, text

from desktop.errors import InputError
from desktop.server.store import normalize_db_url
from desktop.sync.outcome import SyncError
from desktop.staff import SIGN_IN_REFUSED, HashParameters, StaffError, StaffService
from tests.desktop.sync.conftest import Desk, assert_converged

QUICK = HashParameters(time_cost=1, memory_kib=8192)


def test_an_account_made_on_one_desk_signs_in_on_another_offline(sync_server, make_desk: Callable[..., Desk]) -> None:
    first, second = make_desk("first"), make_desk("second")
    staff_a = StaffService(first.ws.db, parameters=QUICK)
    admin = staff_a.create_first_administrator("walid", "وليد العتيبي", "كلمة-مرور-وليد")
    staff_a.create_account(admin, "mona", "منى القحطاني", ["officer", "committee"], branch="جدة",
                           password="كلمة-مرور-منى")
    staff_a.set_pin(admin, "mona", "4817")
    first.settle()
    second.settle()
    first.settle()
    assert_converged(sync_server, first, second)
    engine = create_engine(normalize_db_url(sync_server.db_url))
    try:  # the server holds the account: its roles, branch and hashes, never a clear password
        with engine.connect() as conn:
            fields = [row[0] for row in conn.execute(text("SELECT fields FROM sync_row WHERE table_name = 'app_user'"))]
    finally:
        engine.dispose()
    (mona_row,) = [f for f in fields if f.get("username") == "mona"]
    assert mona_row["roles"] == ["officer", "committee"] and mona_row["branch"] == "جدة"
    assert str(mona_row["password_hash"]).startswith("$argon2id$") and "كلمة-مرور-منى" not in repr(fields)

    second.transport.offline = True  # sign-in works offline against the synced accounts
    staff_b = StaffService(second.ws.db, parameters=QUICK)
    assert staff_b.has_administrator()
    mona = staff_b.verify_sign_in("mona", "كلمة-مرور-منى")
    assert (mona.full_name, mona.roles) == ("منى القحطاني", ("officer", "committee"))
    assert staff_b.verify_pin(mona, "4817").account_id == mona.account_id

    # Disabled on the first desk: the second desk refuses her once it has synced.
    staff_a.disable_account(admin, "mona")
    first.settle()
    second.transport.offline = False
    second.settle()
    try:
        staff_b.verify_sign_in("mona", "كلمة-مرور-منى")
    except StaffError as exc:
        assert exc.message_ar == SIGN_IN_REFUSED
    else:
        raise AssertionError("a disabled account signed in")
    with second.ws.db.engine.connect() as conn:
        audit = set(conn.execute(text("SELECT action FROM audit_event WHERE entity = 'app_user'")).scalars())
    assert {"first_administrator_created", "account_created", "pin_set", "account_disabled"} <= audit


def test_a_push_names_the_signed_in_account_and_a_removed_one_is_signed_out(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    """Mona works offline on the second desk while an administrator disables her on the first: the next round
    signs her out there; the case she opened stays on that desk, hers, and reaches the server when someone
    active signs in, pushed by them with her kept as the claimed author."""
    first, second = make_desk("first"), make_desk("second")
    staff_a = StaffService(first.ws.db, parameters=QUICK)
    admin = staff_a.create_first_administrator("walid", "وليد العتيبي", "كلمة-مرور-وليد")
    staff_a.create_account(admin, "mona", "منى القحطاني", ["officer"], password="كلمة-مرور-منى")
    first.settle()
    second.settle()
    staff_b = StaffService(second.ws.db, parameters=QUICK)
    second.ws.sign_in(staff_b.verify_sign_in("mona", "كلمة-مرور-منى"))
    second.round()  # online: the push names mona, an active account of the association
    second.transport.offline = True
    case_id = second.new_case()  # offline work
    staff_a.disable_account(admin, "mona")
    first.settle()
    second.transport.offline = False
    try:
        report = second.round()
    except SyncError:
        report = None
    assert second.ws.signed_in is None and (report is None or report.signed_out)
    mona_id = second.scalar("SELECT id FROM app_user WHERE username = 'mona'")
    assert second.scalar('SELECT updated_by FROM "case" WHERE id = :id', id=case_id.hex) == mona_id
    second.ws.sign_in(staff_b.verify_sign_in("walid", "كلمة-مرور-وليد"))
    second.settle()
    assert second.pending() == 0
    engine = create_engine(normalize_db_url(sync_server.db_url))
    try:  # the server stamps the pushing account as the author and keeps hers as the claimed one
        with engine.connect() as conn:
            events = [row[0] for row in conn.execute(text(
                "SELECT fields FROM sync_row WHERE table_name = 'audit_event'"))]
    finally:
        engine.dispose()
    (started,) = [e for e in events if e.get("action") == "case_started" and e.get("entity_id") == str(case_id)]
    assert uuid.UUID(str(started["claimed_actor_id"])) == uuid.UUID(str(mona_id))
    assert uuid.UUID(str(started["actor_id"])) == uuid.UUID(str(second.ws.signed_in.account_id))


def test_two_administrators_changing_one_account_offline_make_a_conflict_for_the_supervisor(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    first, second = make_desk("first"), make_desk("second")
    staff_a = StaffService(first.ws.db, parameters=QUICK)
    walid = staff_a.create_first_administrator("walid", "وليد العتيبي", "كلمة-مرور-وليد")
    staff_a.create_account(walid, "huda", "هدى الشهري", ["admin"], password="كلمة-مرور-هدى")
    staff_a.create_account(walid, "mona", "منى القحطاني", ["officer"], password="كلمة-مرور-منى")
    staff_a.create_account(walid, "saad", "سعد الدوسري", ["sync_supervisor"], password="كلمة-مرور-سعد")
    first.settle()
    second.settle()
    staff_b = StaffService(second.ws.db, parameters=QUICK)
    huda = staff_b.verify_sign_in("huda", "كلمة-مرور-هدى")
    first.ws.sign_in(walid)
    second.ws.sign_in(huda)
    first.transport.offline = second.transport.offline = True
    staff_a.update_account(walid, "mona", full_name="منى بنت علي القحطاني")
    staff_b.update_account(huda, "mona", full_name="منى القحطاني الزهراني")
    first.transport.offline = second.transport.offline = False
    first.settle()
    second.settle()
    first.settle()
    second.ws.sign_out()
    second.ws.sign_in(staff_b.verify_sign_in("saad", "كلمة-مرور-سعد"))
    conflicts = [c for c in second.sync.conflicts() if c.table == "app_user"]
    assert [c.field for c in conflicts] == ["full_name"]
    assert {conflicts[0].value_a, conflicts[0].value_b} == {"منى بنت علي القحطاني", "منى القحطاني الزهراني"}
    second.ws.sign_out()
    second.ws.sign_in(huda)  # an administrator is not the sync supervisor
    with pytest.raises(InputError, match="مشرف المزامنة"):
        second.sync.conflicts()


def test_two_officers_sharing_a_desk_offline_keep_their_own_rows_when_the_second_pushes(
    sync_server, make_desk: Callable[..., Desk],
) -> None:
    """Mona and Sara take turns at one PC with the network down; Sara's round pushes both shifts' work: each
    case and its audit events stay their author's on the server (Mona's sign-in on this PC, pushed in the
    same round, proves hers), and the other desk pulls them so."""
    first, second = make_desk("first"), make_desk("second")
    staff_a = StaffService(first.ws.db, parameters=QUICK)
    admin = staff_a.create_first_administrator("walid", "وليد العتيبي", "كلمة-مرور-وليد")
    staff_a.create_account(admin, "mona", "منى القحطاني", ["officer"], password="كلمة-مرور-منى")
    staff_a.create_account(admin, "sara", "سارة الحربي", ["officer"], password="كلمة-مرور-سارة")
    first.settle()
    second.settle()
    staff_b = StaffService(second.ws.db, parameters=QUICK)
    second.transport.offline = True
    mona = staff_b.verify_sign_in("mona", "كلمة-مرور-منى")
    second.ws.sign_in(mona)
    monas = second.new_case()
    second.ws.sign_out()
    sara = staff_b.verify_sign_in("sara", "كلمة-مرور-سارة")
    second.ws.sign_in(sara)
    saras = second.new_case()
    second.transport.offline = False
    second.settle()
    assert second.pending() == 0
    engine = create_engine(normalize_db_url(sync_server.db_url))
    try:
        with engine.connect() as conn:
            cases = {row[0]: row[1] for row in conn.execute(text(
                "SELECT row_id, fields FROM sync_row WHERE table_name = 'case'"))}
            events = [row[0] for row in conn.execute(text(
                "SELECT fields FROM sync_row WHERE table_name = 'audit_event'"))]
            association = second.scalar("SELECT association_id FROM sync_state WHERE id = 1")
            restamped = [tuple(r) for r in conn.execute(text(
                "SELECT table_name, claimed_id, stamped_id, reason FROM author_restamp WHERE association_id = :a"),
                {"a": uuid.UUID(hex=str(association))})]
    finally:
        engine.dispose()
    by_id = {uuid.UUID(str(k)): v for k, v in cases.items()}
    assert uuid.UUID(by_id[monas]["updated_by"]) == mona.account_id
    assert uuid.UUID(by_id[saras]["updated_by"]) == sara.account_id
    for case_id, author in ((monas, mona), (saras, sara)):
        (started,) = [e for e in events if e.get("action") == "case_started" and e.get("entity_id") == str(case_id)]
        assert uuid.UUID(started["actor_id"]) == author.account_id and started["restamped_at"] is None
    assert restamped == []
    first.settle()
    assert first.scalar('SELECT updated_by FROM "case" WHERE id = :id', id=monas.hex) == mona.account_id.hex
