"""A push names the desk's signed-in account: checked against the association's accounts, stamped as the author."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import create_engine, select

from db.audit_chain import GENESIS, event_hash
from desktop.server.models import author_restamp, device_sign_in
from desktop.server.store import normalize_db_url
from desktop.sync import protocol as p
from tests.server.helpers import Desk, LiveServer, http_client, migrate_down_and_up

NOW = "2026-11-25T09:00:00+00:00"


def _push(desk: Desk, mutations: list[dict[str, Any]], account: uuid.UUID | None) -> httpx.Response:
    body: dict[str, Any] = {"batch_id": str(uuid.uuid4()), "mutations": mutations}
    if account is not None:
        body["account_id"] = str(account)
    headers = {**desk.headers(), p.HEADER_SCHEMA: p.ACCOUNT_REQUIRED_SCHEMA}
    return http_client().post(f"{desk.url}/v1/push", headers=headers, json=body, timeout=60)


def _account(desk: Desk, *, active: bool = True) -> tuple[uuid.UUID, dict[str, Any]]:
    account = uuid.uuid4()
    assert desk.association_id is not None
    return account, desk.mutation("app_user", account, {
        "association_id": str(desk.association_id), "username": f"u{account.hex[:8]}", "full_name": "موظف",
        "role": "officer", "active": active, "created_at": NOW, "updated_at": NOW,
    })


def _audit(desk: Desk, actor: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]]:
    """A committee decision's audit event, the next link of the desk's hash chain."""
    return desk.audit_event(actor, "committee_decided", entity="case", entity_id=uuid.uuid4(),
                            at="2026-01-01T08:00:00+00:00")


def test_a_forged_author_is_restamped_with_the_signed_in_account(server: LiveServer) -> None:
    desk = server.desk()
    account, user_row = _account(desk)
    other, other_row = _account(desk)  # another officer of the same association, not signed in here
    event, forged = _audit(desk, other)
    honest_id, honest = _audit(desk, account)
    response = _push(desk, [user_row, other_row, forged, honest], account)
    assert response.status_code == 200, response.text
    rows = desk.pull_all()
    restamped = rows[("audit_event", str(event))]["fields"]
    assert restamped["actor_id"] == str(account) and restamped["claimed_actor_id"] == str(other)
    assert restamped["restamped_at"] is not None and restamped["updated_by"] == str(account)
    kept = rows[("audit_event", str(honest_id))]["fields"]
    assert kept["actor_id"] == str(account) and kept["claimed_actor_id"] is None and kept["restamped_at"] is None


def test_an_account_of_another_association_is_refused(server: LiveServer) -> None:
    ours = server.desk()
    theirs = server.desk(association="جمعية أخرى")
    assert theirs.association_id != ours.association_id
    stranger, stranger_row = _account(theirs)
    assert _push(theirs, [stranger_row], stranger).status_code == 200
    event, row = _audit(ours, stranger)
    response = _push(ours, [row], stranger)
    assert response.status_code == 403
    assert response.json()["error"] == "account_other_association"
    assert "جمعية أخرى" in response.json()["message_ar"]
    assert ("audit_event", str(event)) not in ours.pull_all()


def test_an_unknown_a_disabled_and_a_missing_account_are_refused(server: LiveServer) -> None:
    desk = server.desk()
    _, row = _audit(desk, uuid.uuid4())
    unknown = _push(desk, [row], uuid.uuid4())
    assert unknown.status_code == 403 and unknown.json()["error"] == "account_unknown"
    disabled, disabled_row = _account(desk, active=False)
    refused = _push(desk, [disabled_row, row], disabled)
    assert refused.status_code == 403 and "معطّل" in refused.json()["message_ar"]
    missing = _push(desk, [row], None)
    assert missing.status_code == 403 and missing.json()["error"] == "account_required"
    assert desk.pull_all() == {}


# --------------------------------------------------------------------------- each row's own author


def _signed_in(desk: Desk, actor: uuid.UUID) -> dict[str, Any]:
    """The audit event a desk writes when `actor` signs in on it (`StaffService.verify_sign_in`): the next link
    of the desk's hash chain."""
    return desk.audit_event(actor, "signed_in")[1]


def _beneficiary(desk: Desk, author: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]]:
    """A beneficiary row written by `author` (the mutation's `user_id`, as the desk's outbox names it)."""
    row_id = uuid.uuid4()
    mutation = desk.mutation("beneficiary", row_id, {
        "association_id": str(desk.association_id), "full_name": "سعد علي", "name_key": "سعد علي",
        "id_number": f"1{row_id.int % 10**9:09d}", "id_kind": "national_id", "created_at": NOW, "updated_at": NOW,
    })
    return row_id, {**mutation, "user_id": str(author)}


def _restamps(server: LiveServer) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, str]]:
    """The server's record of re-stamped authors: row id → (claimed, stamped, reason)."""
    engine = create_engine(normalize_db_url(server.db_url))
    try:
        with engine.connect() as conn:
            return {row.row_id: (row.claimed_id, row.stamped_id, row.reason)
                    for row in conn.execute(select(author_restamp))}
    finally:
        engine.dispose()


def test_each_row_keeps_an_author_who_signed_in_on_that_device(server: LiveServer) -> None:
    """Two officers on one PC: the second pushes; the first's rows stay hers (her sign-in event proves it, in
    the same push or an earlier one), and nothing is recorded as re-stamped."""
    desk = server.desk()
    pusher, pusher_row = _account(desk)
    first, first_row = _account(desk)
    assert _push(desk, [pusher_row, first_row, _signed_in(desk, pusher)], pusher).status_code == 200
    hers, her_row = _beneficiary(desk, first)
    event, her_event = _audit(desk, first)
    response = _push(desk, [_signed_in(desk, first), her_row, her_event], pusher)  # her sign-in in the same push
    assert response.status_code == 200, response.text
    later, later_row = _beneficiary(desk, first)  # and in a later push, proven by the one already held
    mine, my_row = _beneficiary(desk, pusher)
    assert _push(desk, [later_row, my_row], pusher).status_code == 200
    rows = desk.pull_all()
    for row_id in (hers, later):
        assert rows[("beneficiary", str(row_id))]["fields"]["updated_by"] == str(first)
    assert rows[("beneficiary", str(mine))]["fields"]["updated_by"] == str(pusher)
    kept = rows[("audit_event", str(event))]["fields"]
    assert kept["actor_id"] == str(first) and kept["claimed_actor_id"] is None and kept["restamped_at"] is None
    assert not {hers, later, mine, event} & set(_restamps(server))


def test_a_forged_author_is_restamped_to_the_pusher_and_the_restamp_recorded(server: LiveServer) -> None:
    """Another association's account, an account of ours that never signed in on this PC (only on another),
    and a disabled one that did: each row is stamped with the pusher, the claimed author kept in the record."""
    ours = server.desk()
    elsewhere = server.desk(name="PC2", association_id=ours.association_id)
    theirs = server.desk(association="جمعية أخرى")
    stranger, stranger_row = _account(theirs)
    assert _push(theirs, [stranger_row], stranger).status_code == 200
    pusher, pusher_row = _account(ours)
    never, never_row = _account(ours)
    gone, gone_row = _account(ours)
    assert _push(ours, [pusher_row, never_row, gone_row, _signed_in(ours, gone)], pusher).status_code == 200
    assert _push(elsewhere, [_signed_in(elsewhere, never)], never).status_code == 200  # on another PC only
    disabled = {**ours.mutation("app_user", gone, {"active": False, "updated_at": NOW}, base=1)}
    assert _push(ours, [disabled], pusher).status_code == 200
    forged = {author: _beneficiary(ours, author) for author in (stranger, never, gone)}
    event, forged_event = _audit(ours, never)
    response = _push(ours, [row for _, row in forged.values()] + [forged_event], pusher)
    assert response.status_code == 200, response.text
    rows = ours.pull_all()
    for row_id, _ in forged.values():
        assert rows[("beneficiary", str(row_id))]["fields"]["updated_by"] == str(pusher)
    restamped = rows[("audit_event", str(event))]["fields"]
    assert restamped["actor_id"] == str(pusher) and restamped["claimed_actor_id"] == str(never)
    record = _restamps(server)
    assert record[forged[stranger][0]] == (stranger, pusher, "unknown_account")
    assert record[forged[never][0]] == (never, pusher, "not_signed_in_here")
    assert record[forged[gone][0]] == (gone, pusher, "inactive_account")
    assert record[event] == (never, pusher, "not_signed_in_here")


# --------------------------------------------------------------------------- the administrator's view of re-stamps


def _admin(*args: str) -> tuple[int, str, str]:
    """`mustafid-admin` as the server's administrator runs it: (exit code, stdout, stderr)."""
    import contextlib
    import io

    from desktop.server.admin_cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_the_administrator_lists_the_restamps(server: LiveServer) -> None:
    """`rows restamps`: an Arabic header, then one line per re-stamped row (when, table, row, claimed and stamped
    logins, the reason in Arabic); filtered by association and by day; none said in one line; exit 0."""
    desk = server.desk()
    other = server.desk(association="جمعية أخرى")
    pusher, pusher_row = _account(desk)
    never, never_row = _account(desk)
    assert _push(desk, [pusher_row, never_row, _signed_in(desk, pusher)], pusher).status_code == 200
    forged, forged_row = _beneficiary(desk, never)
    assert _push(desk, [forged_row], pusher).status_code == 200
    code, out, err = _admin("rows", "restamps", "--server-db", server.db_url, "--association", "جمعية البر")
    assert (code, err) == (0, "")
    header, line = out.strip().splitlines()
    assert header.split("\t") == ["الوقت", "الجدول", "السجل", "الكاتب المذكور", "الكاتب المختوم", "السبب"]
    when, table, row, claimed, stamped, reason = line.split("\t")
    assert "الموافق" in when and table == "beneficiary" and str(forged) in row
    assert f"u{never.hex[:8]}" in claimed and f"u{pusher.hex[:8]}" in stamped
    assert reason == "الكاتب المذكور لم يسجّل دخوله على هذا الجهاز"
    code, out, _ = _admin("rows", "restamps", "--server-db", server.db_url)  # every association: its name shown
    assert code == 0 and out.splitlines()[0].split("\t")[1] == "الجمعية" and "جمعية البر" in out.splitlines()[1]
    code, out, _ = _admin("rows", "restamps", "--server-db", server.db_url, "--since", "2070-01-01")
    assert code == 0 and out.strip() == "لم يُعِد الخادم ختم كاتب أي سجل منذ التاريخ المذكور"
    code, out, _ = _admin("rows", "restamps", "--server-db", server.db_url, "--association", "جمعية أخرى")
    assert other.association_id is not None and code == 0 and out.strip() == "لم يُعِد الخادم ختم كاتب أي سجل"


def test_restamps_bad_input_is_one_arabic_line(server: LiveServer) -> None:
    """A bad day, an unknown association, an unreachable database: one Arabic line on stderr, non-zero exit."""
    for args, expected in (
        (["--since", "2026-13-45"], "تاريخ --since غير صحيح"),
        (["--association", "لا وجود لها"], "لا توجد جمعية مرتبطة بهذا الاسم"),
    ):
        code, out, err = _admin("rows", "restamps", "--server-db", server.db_url, *args)
        assert code != 0 and out == "" and len(err.strip().splitlines()) == 1 and expected in err, (args, err)
    code, out, err = _admin("rows", "restamps", "--server-db", "postgresql://nobody@127.0.0.1:1/none")
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1 and "تعذر فتح" in err


# --------------------------------------------------------------------------- a forged sign-in


def _forged_sign_in(desk: Desk, actor: uuid.UUID, *, place: int, prev: str, own_hash: bool) -> dict[str, Any]:
    """A `signed_in` event for `actor` made up for the push at chain place `place` after `prev` (its hash its
    own, or not), outside the desk's chain."""
    event = uuid.uuid4()
    at = "2026-01-01T09:00:00+00:00"
    digest = event_hash(event_id=event, chain_seq=place, actor_id=actor, action="signed_in", entity="app_user",
                        entity_id=actor, at=at, details={}, prev_hash=prev) if own_hash else "c" * 64
    mutation = desk.mutation("audit_event", event, {
        "association_id": str(desk.association_id), "device_id": str(desk.device_id), "actor_id": str(actor),
        "action": "signed_in", "entity": "app_user", "entity_id": str(actor), "at": at, "details": {},
        "chain_seq": place, "prev_hash": prev, "hash": digest, "created_at": NOW, "updated_at": NOW,
    })
    return {**mutation, "user_id": str(actor)}


def _signed_in_on(server: LiveServer, device: uuid.UUID | None) -> set[uuid.UUID]:
    """The accounts the server holds as signed in on `device`."""
    engine = create_engine(normalize_db_url(server.db_url))
    try:
        with engine.connect() as conn:
            return set(conn.execute(select(device_sign_in.c.account_id).where(
                device_sign_in.c.device_id == device)).scalars())
    finally:
        engine.dispose()


def test_a_forged_sign_in_proves_nothing_and_the_colleagues_rows_are_restamped(server: LiveServer) -> None:
    """A desk pushes a `signed_in` event for an active colleague who never signed in on it (she did on another
    PC), with rows she is said to have written: made up with a hash not its own, forking a place of the chain the
    server holds, following another PC's chain, or claiming a place past the held head. None is proof: her rows
    and the event itself are re-stamped to the pusher (reason `unproven_sign_in`), and she is not remembered as
    signed in there; a later push of her rows is re-stamped too."""
    ours = server.desk()
    elsewhere = server.desk(name="PC2", association_id=ours.association_id)
    pusher, pusher_row = _account(ours)
    colleague, colleague_row = _account(ours)
    assert _push(ours, [pusher_row, colleague_row, _signed_in(ours, pusher)], pusher).status_code == 200
    assert _push(elsewhere, [_signed_in(elsewhere, colleague)], colleague).status_code == 200  # on PC2 only
    head, head_hash = ours.chain_head
    forgeries = {
        "a hash not its own": _forged_sign_in(ours, colleague, place=head + 1, prev=head_hash, own_hash=False),
        "a fork of a held place": _forged_sign_in(ours, colleague, place=head, prev=GENESIS, own_hash=True),
        "another PC's chain": _forged_sign_in(ours, colleague, place=head + 1, prev=elsewhere.chain_head[1],
                                              own_hash=True),
        "past the held head": _forged_sign_in(ours, colleague, place=head + 2, prev=head_hash, own_hash=True),
    }
    rows: dict[str, uuid.UUID] = {}
    for name, forged in forgeries.items():
        row_id, row = _beneficiary(ours, colleague)
        response = _push(ours, [forged, row], pusher)
        assert response.status_code == 200, (name, response.text)
        assert all(r["status"] == "applied" for r in response.json()["results"]), (name, response.text)
        rows[name] = row_id
    later, later_row = _beneficiary(ours, colleague)
    assert _push(ours, [later_row], pusher).status_code == 200
    held = ours.pull_all()
    record = _restamps(server)
    for name, row_id in rows.items():
        assert held[("beneficiary", str(row_id))]["fields"]["updated_by"] == str(pusher), name
        assert record[row_id] == (colleague, pusher, "unproven_sign_in"), name
        event = uuid.UUID(forgeries[name]["row_id"])
        stamped = held[("audit_event", str(event))]["fields"]
        assert stamped["actor_id"] == str(pusher) and stamped["claimed_actor_id"] == str(colleague), name
        assert record[event] == (colleague, pusher, "unproven_sign_in"), name
    assert held[("beneficiary", str(later))]["fields"]["updated_by"] == str(pusher)
    assert record[later] == (colleague, pusher, "not_signed_in_here")
    assert colleague not in _signed_in_on(server, ours.device_id)
    assert colleague in _signed_in_on(server, elsewhere.device_id)
    code, out, _ = _admin("rows", "restamps", "--server-db", server.db_url, "--association", "جمعية البر")
    assert code == 0 and "ادّعى الجهاز دخول الكاتب المذكور عليه بحدث لا يثبته تسلسل سجل التدقيق" in out


def test_a_sign_in_that_links_the_chain_in_the_same_push_is_proof(any_server: LiveServer) -> None:
    """The desk's own chain, several events in one push (a colleague's sign-in after the pusher's decision event),
    each following the one before: her rows keep her as author, and she is remembered as signed in there (the
    held chain read on PostgreSQL and on a SQLite server alike)."""
    server = any_server
    desk = server.desk()
    pusher, pusher_row = _account(desk)
    colleague, colleague_row = _account(desk)
    assert _push(desk, [pusher_row, colleague_row, _signed_in(desk, pusher)], pusher).status_code == 200
    _, decision = _audit(desk, pusher)
    hers, her_row = _beneficiary(desk, colleague)
    response = _push(desk, [decision, _signed_in(desk, colleague), her_row], pusher)
    assert response.status_code == 200, response.text
    assert desk.pull_all()[("beneficiary", str(hers))]["fields"]["updated_by"] == str(colleague)
    assert hers not in _restamps(server)
    assert colleague in _signed_in_on(server, desk.device_id)


def test_server_migration_0007_keeps_only_the_remembered_sign_ins_a_held_event_proves(server: LiveServer) -> None:
    """Before this rule every pushed sign-in was remembered: 0007 keeps the pusher's own and a colleague's that
    links the chain, and drops one only a forged event (or none) backs."""
    desk = server.desk()
    pusher, pusher_row = _account(desk)
    linked, linked_row = _account(desk)
    forged_for, forged_row = _account(desk)
    assert _push(desk, [pusher_row, linked_row, forged_row, _signed_in(desk, pusher)], pusher).status_code == 200
    assert _push(desk, [_signed_in(desk, linked)], pusher).status_code == 200
    head, head_hash = desk.chain_head
    forged = _forged_sign_in(desk, forged_for, place=head + 1, prev=head_hash, own_hash=False)
    assert _push(desk, [forged], pusher).status_code == 200
    engine = create_engine(normalize_db_url(server.db_url))
    try:
        with engine.begin() as conn:  # what 0005's backfill, or a push before this rule, remembered of it
            conn.execute(device_sign_in.insert().values(device_id=desk.device_id, account_id=forged_for,
                                                        association_id=desk.association_id,
                                                        first_seen_at=datetime.now(UTC)))
        assert _signed_in_on(server, desk.device_id) == {pusher, linked, forged_for}
        with engine.begin() as conn:
            migrate_down_and_up(conn, "0005")
    finally:
        engine.dispose()
    assert _signed_in_on(server, desk.device_id) == {pusher, linked}
