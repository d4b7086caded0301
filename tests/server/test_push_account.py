"""A push names the desk's signed-in account: checked against the association's accounts, stamped as the author."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from desktop.sync import protocol as p
from tests.server.helpers import Desk, LiveServer, http_client

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
    event = uuid.uuid4()
    return event, desk.mutation("audit_event", event, {
        "association_id": str(desk.association_id), "actor_id": str(actor), "action": "committee_decided",
        "entity": "case", "entity_id": str(uuid.uuid4()), "at": "2026-01-01T08:00:00+00:00", "details": {},
        "chain_seq": 1, "prev_hash": "0" * 64, "hash": "a" * 64, "created_at": NOW, "updated_at": NOW,
    })


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
