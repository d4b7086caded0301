"""Staff accounts (issue 13 part 1): administrators only, Argon2id, one refusal for every failed sign-in, PIN misses."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import select

from db.engine import Database, alembic_config
from db.models import AppUser, AuditEvent, DeskSignIn, UserRole
from desktop.casedesk import CaseFileService
from desktop.casework import ACCOUNT_GONE
from desktop.permissions import NOT_SIGNED_IN
from desktop.errors import InputError
from desktop.policy import load_builtin_profile
from desktop.reception import ReceptionService
from desktop.session_identity import SessionIdentity
from desktop.staff import (
    DEFAULT_IDLE_LOCK_MINUTES,
    DEFAULT_PARAMETERS,
    NOT_ADMIN,
    PIN_LOCKED,
    SIGN_IN_REFUSED,
    HashParameters,
    StaffError,
    StaffService,
)
from desktop.workspace import Workspace
from tests.templates import seed_data_dir

#: Real Argon2id, cheaper than the desk's parameters so that the suite stays quick.
QUICK = HashParameters(time_cost=1, memory_kib=8192)
PASSWORD = "نخلة-الرياض-2025"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A desk of mafateeh-alkhair (a copy of the template adopted once per process: these tests are about accounts)."""
    workspace = Workspace.open(seed_data_dir(tmp_path / "desk", profile="mafateeh-alkhair"))
    yield workspace
    workspace.close()


@pytest.fixture
def staff(ws: Workspace) -> StaffService:
    return StaffService(ws.db, parameters=QUICK)


@pytest.fixture
def admin(staff: StaffService) -> SessionIdentity:
    return staff.create_first_administrator("walid", "وليد بن سعد العتيبي", PASSWORD)


def _rows(ws: Workspace) -> list[tuple[str, str, str | None]]:
    with ws.db.session(read_only=True) as session:
        return [(u.username, u.full_name, u.password_hash) for u in session.scalars(select(AppUser))]


def _actions(ws: Workspace) -> list[str]:
    with ws.db.session(read_only=True) as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "app_user")
                                    .order_by(AuditEvent.at, AuditEvent.id)))


def test_the_first_administrator_signs_in_and_is_made_once(staff: StaffService, admin: SessionIdentity) -> None:
    assert admin.roles == ("admin",) and admin.full_name == "وليد بن سعد العتيبي"
    assert staff.has_administrator()
    assert staff.verify_sign_in("WALID", PASSWORD).account_id == admin.account_id  # logins are lower case
    with pytest.raises(StaffError, match="مسؤول نظام بالفعل"):
        staff.create_first_administrator("other", "سعد", "كلمة-مرور-ثانية")


def test_passwords_are_argon2id_hashes_never_the_password(ws: Workspace, admin: SessionIdentity) -> None:
    (stored,) = [h for login, _, h in _rows(ws) if login == "walid"]
    assert stored is not None and stored.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)  # a standard Argon2id string: any verifier reads it
    assert DEFAULT_PARAMETERS.hasher().hash("x").startswith("$argon2id$v=19$m=65536,t=2,p=1$")


def test_a_hash_of_older_parameters_is_made_again_at_sign_in(ws: Workspace, admin: SessionIdentity) -> None:
    StaffService(ws.db, parameters=HashParameters(time_cost=2, memory_kib=8192)).verify_sign_in("walid", PASSWORD)
    (stored,) = [h for login, _, h in _rows(ws) if login == "walid"]
    assert stored is not None and "m=8192,t=2,p=1" in stored


@pytest.mark.parametrize("how", ["wrong password", "disabled", "unknown login", "no password", "malformed login"])
def test_every_refused_sign_in_says_the_same(staff: StaffService, admin: SessionIdentity, how: str) -> None:
    staff.create_account(admin, "mona", "منى القحطاني", ["officer"], password="كلمة-مرور-منى")
    staff.create_account(admin, "fahd", "فهد الدوسري", ["officer"])  # no password yet
    login, password = {
        "wrong password": ("mona", "كلمة-مرور-خطأ"),
        "disabled": ("mona", "كلمة-مرور-منى"),
        "unknown login": ("nobody", "كلمة-مرور-منى"),
        "no password": ("fahd", ""),
        "malformed login": ("كلمة-مرور-منى", "x"),
    }[how]
    if how == "disabled":
        staff.disable_account(admin, "mona")
    with pytest.raises(StaffError) as refused:
        staff.verify_sign_in(login, password)
    assert refused.value.message_ar == SIGN_IN_REFUSED
    if how == "disabled":
        staff.enable_account(admin, "mona")
        assert staff.verify_sign_in(login, password).full_name == "منى القحطاني"


def test_account_actions_are_refused_to_a_non_administrator_and_write_nothing(
    ws: Workspace, staff: StaffService, admin: SessionIdentity
) -> None:
    staff.create_account(admin, "hind", "هند الشهري", ["researcher", "committee"], password="كلمة-مرور-هند")
    hind = staff.verify_sign_in("hind", "كلمة-مرور-هند")
    assert hind.roles == ("researcher", "committee")
    before_rows, before_audit = _rows(ws), _actions(ws)
    attempts = [
        lambda: staff.create_account(hind, "sara", "سارة", ["officer"], password="كلمة-مرور-سارة"),
        lambda: staff.update_account(hind, "hind", roles=["admin"]),
        lambda: staff.disable_account(hind, "walid"),
        lambda: staff.enable_account(hind, "hind"),
        lambda: staff.set_password(hind, "walid", "كلمة-مرور-جديدة"),
        lambda: staff.set_pin(hind, "walid", "4817"),
        lambda: staff.set_idle_lock_minutes(hind, 30),
        lambda: staff.list_accounts(hind),
    ]
    for attempt in attempts:
        with pytest.raises(StaffError) as refused:
            attempt()
        assert refused.value.message_ar == NOT_ADMIN
    assert _rows(ws) == before_rows and _actions(ws) == before_audit
    # A forged identity (an administrator's roles on a researcher's id) is read again from the database.
    forged = SessionIdentity(account_id=hind.account_id, login="hind", full_name="هند", roles=("admin",))
    with pytest.raises(StaffError, match="لمسؤول النظام وحده"):
        staff.create_account(forged, "x1", "س", ["officer"])
    # An administrator disabled meanwhile may no longer act.
    staff.create_account(admin, "salman", "سلمان", ["admin"], password="كلمة-مرور-سلمان")
    salman = staff.verify_sign_in("salman", "كلمة-مرور-سلمان")
    staff.disable_account(admin, "salman")
    with pytest.raises(StaffError, match="لمسؤول النظام وحده"):
        staff.enable_account(salman, "salman")


def test_accounts_crud_by_an_administrator_is_audited_without_secrets(
    ws: Workspace, staff: StaffService, admin: SessionIdentity
) -> None:
    view = staff.create_account(admin, "Mona.Q", "  منى   القحطاني ", ["officer"], branch="الرياض")
    assert (view.login, view.full_name, view.roles, view.branch, view.active) == (
        "mona.q", "منى القحطاني", ("officer",), "الرياض", True)
    with pytest.raises(StaffError, match="مستعمل"):
        staff.create_account(admin, "mona.q", "منى", ["officer"])
    with pytest.raises(StaffError, match="غير معروف"):
        staff.update_account(admin, "mona.q", roles=["superuser"])
    view = staff.update_account(admin, "mona.q", roles=["officer", "committee_secretary"], full_name="منى سعد")
    assert view.roles == ("officer", "committee_secretary") and view.roles_ar == "موظف علاقات المستفيدين، أمين سر اللجنة"
    staff.set_password(admin, "mona.q", "كلمة-مرور-منى")
    staff.set_pin(admin, "mona.q", "٤٨١٧")  # Arabic-Indic digits are read as digits
    staff.disable_account(admin, "mona.q")
    staff.enable_account(admin, "mona.q")
    with pytest.raises(StaffError, match="آخر مسؤول نظام"):
        staff.disable_account(admin, "walid")
    with pytest.raises(StaffError, match="آخر مسؤول نظام"):
        staff.update_account(admin, "walid", roles=["manager"])
    with ws.db.session(read_only=True) as session:
        user = session.scalars(select(AppUser).where(AppUser.username == "mona.q")).one()
        assert user.role == "officer" and user.roles == ["officer", "committee_secretary"]
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.entity_id == user.id)
                                      .order_by(AuditEvent.at, AuditEvent.id)))
    assert [e.action for e in events] == ["account_created", "account_updated", "password_set", "pin_set",
                                          "account_disabled", "account_enabled"]
    assert {e.actor_id for e in events} == {admin.account_id}
    text = repr([e.details for e in events])
    assert "argon2" not in text and "كلمة-مرور" not in text and "4817" not in text
    assert "mona" not in repr(view) and "منى" not in repr(view)


def test_weak_passwords_and_pins_are_refused(staff: StaffService, admin: SessionIdentity) -> None:
    staff.create_account(admin, "nouf", "نوف", ["officer"])
    for bad in ("short", "aaaaaaaaaa", "nouf"):
        with pytest.raises(StaffError, match="كلمة"):
            staff.set_password(admin, "nouf", bad)
    for bad in ("123", "1234567", "12a4", "1111"):
        with pytest.raises(StaffError, match="رمز"):
            staff.set_pin(admin, "nouf", bad)


def test_five_wrong_pins_then_only_the_password(ws: Workspace, staff: StaffService, admin: SessionIdentity) -> None:
    staff.set_pin(admin, "walid", "4817")
    assert staff.verify_pin(admin, "4817").account_id == admin.account_id
    for miss in range(1, 5):
        with pytest.raises(StaffError) as wrong:
            staff.verify_pin(admin, "0000")
        assert "غير صحيح" in wrong.value.message_ar
        assert staff.pin_unlock_allowed(admin.account_id)
    assert "محاولة واحدة" in wrong.value.message_ar
    with pytest.raises(StaffError) as fifth:
        staff.verify_pin(admin, "9999")
    assert fifth.value.message_ar == PIN_LOCKED
    assert not staff.pin_unlock_allowed(admin.account_id)
    with pytest.raises(StaffError) as locked:
        staff.verify_pin(admin, "4817")  # even the right PIN: the password is required now
    assert locked.value.message_ar == PIN_LOCKED
    with ws.db.session(read_only=True) as session:
        assert session.get_one(DeskSignIn, admin.account_id).pin_misses == 5
    staff.verify_sign_in("walid", PASSWORD)
    assert staff.verify_pin(admin, "4817").account_id == admin.account_id
    # The misses are counted for this desk, whichever service instance asks.
    again = StaffService(ws.db, parameters=QUICK)
    with pytest.raises(StaffError):
        again.verify_pin(admin, "0000")
    with ws.db.session(read_only=True) as session:
        assert session.get_one(DeskSignIn, admin.account_id).pin_misses == 1


def test_a_disabled_account_cannot_unlock_with_its_pin(staff: StaffService, admin: SessionIdentity) -> None:
    staff.create_account(admin, "reem", "ريم", ["officer"], password="كلمة-مرور-ريم")
    staff.set_pin(admin, "reem", "2580")
    reem = staff.verify_sign_in("reem", "كلمة-مرور-ريم")
    staff.disable_account(admin, "reem")
    with pytest.raises(StaffError) as refused:
        staff.verify_pin(reem, "2580")
    assert refused.value.message_ar == SIGN_IN_REFUSED


def test_the_idle_lock_period_is_an_association_setting(staff: StaffService, admin: SessionIdentity) -> None:
    assert staff.idle_lock_minutes() == DEFAULT_IDLE_LOCK_MINUTES == 5
    assert staff.set_idle_lock_minutes(admin, 12) == 12
    assert StaffService(staff._db).idle_lock_minutes() == 12  # noqa: SLF001 - another reader of the same desk
    with pytest.raises(StaffError, match="مدة القفل"):
        staff.set_idle_lock_minutes(admin, 0)


def test_case_work_is_stamped_with_the_signed_in_account(ws: Workspace, staff: StaffService,
                                                         admin: SessionIdentity) -> None:
    """The services act as the signed-in account; once accounts have passwords, nobody signed in is refused."""
    staff.create_account(admin, "khalid", "خالد الحربي", ["officer"], password="كلمة-مرور-خالد")
    khalid = staff.verify_sign_in("khalid", "كلمة-مرور-خالد")
    reception = ReceptionService(ws)
    profile = reception.profile
    ws.sign_in(khalid)
    assert ws.officer_name() == "خالد الحربي" and ws.officer_role() == "officer"
    case_id = reception.start_contact(profile.channels[0].id, profile.case_kinds[0].id).case_id
    with ws.db.session(read_only=True) as session:
        actors = set(session.scalars(select(AuditEvent.actor_id).where(AuditEvent.entity_id == case_id)))
    assert actors == {khalid.account_id}
    ws.sign_out()  # the association has accounts with passwords: nobody acts unsigned any more (issue 13)
    with pytest.raises(InputError) as unsigned:
        ReceptionService(ws).start_contact(profile.channels[0].id, profile.case_kinds[0].id)
    assert unsigned.value.message_ar == NOT_SIGNED_IN
    files = CaseFileService(ws, identity=khalid)  # a service given its own identity, nobody signed in
    with ws.db.session(read_only=True) as session:
        context = files._context(session, case_id)  # noqa: SLF001 - the officer every case action stamps
    assert (context.officer_id, context.officer_name) == (khalid.account_id, "خالد الحربي")
    staff.disable_account(admin, "khalid")  # disabled while signed in (here, or pulled from another desk)
    with pytest.raises(InputError) as refused, ws.db.session(read_only=True) as session:
        files._context(session, case_id)  # noqa: SLF001
    assert refused.value.message_ar == ACCOUNT_GONE


def test_the_migration_gives_every_existing_account_its_role_as_a_list(tmp_path: Path) -> None:
    """A database at 0010 with accounts upgrades: roles = [role], role kept, the copy not queued for sync."""
    path = tmp_path / "old.db"
    db = Database.open(path)
    with db.engine.connect() as connection, connection.begin():
        command.upgrade(alembic_config(connection), "0010")
    db.close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO association (id, name, profile_id, version, created_at, updated_at) VALUES "
                    "('0123456789abcdef0123456789abcdef', 'جمعية', 'baraah', 1, '2025-01-01 00:00:00.000000', "
                    "'2025-01-01 00:00:00.000000')")
        for n, role in enumerate(("officer", "committee", "admin")):
            raw.execute("INSERT INTO app_user (id, association_id, username, full_name, role, active, version, "
                        "created_at, updated_at) VALUES (?, '0123456789abcdef0123456789abcdef', ?, ?, ?, 1, 1, "
                        "'2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000')",
                        (f"{n:032x}", f"user{n}", f"موظف {n}", role))
        queued = raw.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
    again = Database.open(path)
    again.upgrade()
    with again.session(read_only=True) as session:
        users = {u.username: u for u in session.scalars(select(AppUser))}
        assert {name: (u.role, u.roles, u.role_list) for name, u in users.items()} == {
            "user0": ("officer", ["officer"], ("officer",)),
            "user1": ("committee", ["committee"], ("committee",)),
            "user2": ("admin", ["admin"], ("admin",)),
        }
        assert all(u.password_hash is None and u.pin_hash is None and u.branch is None for u in users.values())
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM sync_outbox").fetchone()[0] == queued
    again.close()


def test_every_policy_profile_names_known_account_roles() -> None:
    """The built-in profiles' held_by lists name roles accounts can hold (the old values stay valid)."""
    for profile_id in ("baraah", "daam-rescue", "mafateeh-alkhair", "qader-tabuk", "tahfeez-bir-bin-hirmas"):
        profile = load_builtin_profile(profile_id)
        for role in profile.roles:
            assert set(role.held_by) <= {r.value for r in UserRole}, (profile_id, role.id)
