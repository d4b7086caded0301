"""Every bad input gets the right 4xx with an Arabic message; nothing is applied; others are still served."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from desktop.sync import protocol as p
from tests.server.helpers import BASE_HEADERS, Desk, LiveServer, http_client, is_arabic


def _push(desk: Desk, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None) -> httpx.Response:
    return http_client().post(f"{desk.url}/v1/push", headers=headers or desk.headers(), timeout=60,
                      content=raw if raw is not None else None, json=body if raw is None else None)


def _batch(desk: Desk, n: int = 1) -> dict[str, Any]:
    mutations = []
    for _ in range(n):
        row_id, fields = desk.beneficiary()
        mutations.append(desk.mutation("beneficiary", row_id, fields))
    return {"batch_id": str(uuid.uuid4()), "mutations": mutations}


def _wrong_type_field(d: Desk) -> httpx.Response:
    batch = _batch(d)
    batch["mutations"][0]["fields"]["household_size"] = "أربعة"
    return _push(d, batch)


def _wrong_type_envelope(d: Desk) -> httpx.Response:
    batch = _batch(d)
    batch["mutations"][0]["base_version"] = "one"
    return _push(d, batch)


def _other_association_row(d: Desk, other: Desk) -> httpx.Response:
    row_id, fields = other.beneficiary()
    other.push(other.mutation("beneficiary", row_id, fields))
    return _push(d, {"batch_id": str(uuid.uuid4()), "mutations": [
        *_batch(d)["mutations"], d.mutation("beneficiary", row_id, {"city": "جدة"}, base=1)]})


def _other_association_reference(d: Desk, other: Desk) -> httpx.Response:
    case_id, case = other.case()
    other.push(other.mutation("case", case_id, case))
    step = {"case_id": str(case_id), "step_id": "verify", "step_kind": "verify",
            "completed_at": "2026-11-22T08:05:00+00:00", "policy_version_id": str(uuid.uuid4())}
    return _push(d, {"batch_id": str(uuid.uuid4()), "mutations": [
        *_batch(d)["mutations"], d.mutation("step_completion", uuid.uuid4(), step)]})


def _other_association_id(d: Desk, other: Desk) -> httpx.Response:
    row_id, fields = d.beneficiary(association_id=str(other.association_id))
    return _push(d, {"batch_id": str(uuid.uuid4()), "mutations": [d.mutation("beneficiary", row_id, fields)]})


CASES: dict[str, tuple[int, str, Callable[[Desk, Desk, LiveServer], httpx.Response]]] = {
    "malformed json": (400, "malformed_json", lambda d, o, s: _push(d, None, raw=b'{"batch_id": ')),
    "not utf-8": (400, "malformed_json", lambda d, o, s: _push(d, None, raw=b"\xff\xfe{}")),
    "wrong envelope type": (422, "invalid_request", lambda d, o, s: _push(d, {"batch_id": "x", "mutations": 5})),
    "wrong base_version type": (422, "invalid_request", lambda d, o, s: _wrong_type_envelope(d)),
    "wrong field type": (422, "invalid_value", lambda d, o, s: _wrong_type_field(d)),
    "bad hlc": (422, "invalid_hlc", lambda d, o, s: _push(d, {**_batch(d), "mutations": [
        {**_batch(d)["mutations"][0], "hlc": "yesterday"}]})),
    "oversized batch": (413, "batch_too_large", lambda d, o, s: _push(d, _batch(d, p.MAX_BATCH_MUTATIONS + 1))),
    "oversized body": (413, "body_too_large", lambda d, o, s: _push(d, None, raw=b" " * (p.MAX_BODY_BYTES + 1))),
    "another association's row": (403, "other_association", lambda d, o, s: _other_association_row(d, o)),
    "another association's reference": (403, "other_association",
                                        lambda d, o, s: _other_association_reference(d, o)),
    "another association's id": (403, "other_association", lambda d, o, s: _other_association_id(d, o)),
    "wrong credential": (401, "invalid_token", lambda d, o, s: _push(d, _batch(d), d.headers(
        Authorization="Bearer not-a-token"))),
    "no credential": (401, "unauthenticated", lambda d, o, s: _push(d, _batch(d), dict(BASE_HEADERS))),
    "revoked device": (403, "device_revoked", lambda d, o, s: (s.store.revoke_device(d.device_id),  # type: ignore[arg-type, func-returns-value]
                                                                _push(d, _batch(d)))[1]),
    "unknown protocol": (426, "unsupported_protocol", lambda d, o, s: _push(d, _batch(d), d.headers(
        **{p.HEADER_PROTOCOL: "2"}))),
    "old schema": (426, "client_too_old", lambda d, o, s: _push(d, _batch(d), d.headers(
        **{p.HEADER_SCHEMA: "0003"}))),
    "no schema": (426, "client_too_old", lambda d, o, s: _push(d, _batch(d), {
        p.HEADER_PROTOCOL: "1", "Authorization": f"Bearer {d.token}"})),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_and_nothing_is_applied(server: LiveServer, case: str) -> None:
    """The right 4xx and Arabic message; no row, sequence or processed mutation added; others still served."""
    status, error, make = CASES[case]
    desk = server.desk(name="bad")
    other = server.desk(association="جمعية أخرى", name="other")
    head = desk.head()
    response = make(desk, other, server)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and is_arabic(body["message_ar"])
    if error == "client_too_old":
        assert "حدّث البرنامج" in body["message_ar"]
    good = server.desk(name="good")
    assert good.head() == head  # nothing applied
    row_id, fields = good.beneficiary()
    assert good.push(good.mutation("beneficiary", row_id, fields))[0]["status"] == "applied"
    assert good.head() == head + 1


def test_bad_query_parameters(server: LiveServer) -> None:
    """A pull with a limit out of range or a non-number: 422 in Arabic."""
    desk = server.desk()
    for params in ({"after": "x"}, {"limit": p.PAGE_LIMIT_MAX + 1}, {"limit": 0}, {"after": -1}):
        response = http_client().get(f"{server.url}/v1/pull", params=params, headers=desk.headers())
        assert response.status_code == 422 and is_arabic(response.json()["message_ar"])


def test_revoked_device_cannot_pull(server: LiveServer) -> None:
    """Revocation refuses every request of the device, not only pushes."""
    desk = server.desk()
    server.store.revoke_device(desk.device_id)  # type: ignore[arg-type]
    response = http_client().get(f"{server.url}/v1/pull", headers=desk.headers())
    assert response.status_code == 403 and response.json()["error"] == "device_revoked"
