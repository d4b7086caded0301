"""Issue 15 on the real server over HTTP (PostgreSQL): poison rows refused per mutation with an Arabic reason,
mutation ids per device, rate limits, 405 with Allow, streamed uploads over the limit, the published OpenAPI."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.server.limits import Rate, RateLimits
from desktop.sync import protocol as p
from tests.server.conftest import _serve
from tests.server.helpers import BASE_HEADERS, Desk, LiveServer, http_client, is_arabic

STAMP = "2026-11-22T08:00:00+00:00"


def _member(desk: Desk, **changes: Any) -> dict[str, Any]:
    fields = {"association_id": str(desk.association_id), "name": "مسعف", "phone": "0500000000",
              "latitude": 24.7, "longitude": 46.7, "available": True, "created_at": STAMP, "updated_at": STAMP}
    fields.update(changes)
    return fields


def _declaration(case_id: uuid.UUID | None) -> dict[str, Any]:
    return {"case_id": str(case_id) if case_id else None, "text": "أقر بصحة البيانات", "signature_kind": "paper",
            "signed_at": STAMP, "created_at": STAMP, "updated_at": STAMP}


POISON: dict[str, Any] = {
    "a case row with no fields": lambda d: d.mutation("case", uuid.uuid4(), {}),
    "a declaration without its case (no case_id)": lambda d: d.mutation("declaration", uuid.uuid4(), _declaration(None)),
    "a declaration whose case the server does not hold": lambda d: d.mutation(
        "declaration", uuid.uuid4(), _declaration(uuid.uuid4())),
    "a member without updated_at": lambda d: d.mutation("rescue_member", uuid.uuid4(), {
        k: v for k, v in _member(d).items() if k != "updated_at"}),
    "an HLC past year 9999": lambda d: d.mutation("rescue_member", uuid.uuid4(), _member(d),
                                                 hlc=p.format_hlc(999_999_999_999_999, 0)),
    "an HLC from before 2020": lambda d: d.mutation("rescue_member", uuid.uuid4(), _member(d),
                                                    hlc=p.format_hlc(1_000_000_000_000, 0)),
    "a case status outside the enumeration": lambda d: d.mutation("case", *_case(d, status="lost")),
    "a text longer than its column": lambda d: d.mutation("rescue_member", uuid.uuid4(), _member(d, phone="0" * 500)),
    "a NOT NULL column set to null": lambda d: d.mutation("rescue_member", uuid.uuid4(), _member(d, name=None)),
    "an integer wider than 64 bits": lambda d: d.mutation("beneficiary", *d.beneficiary(household_size=2**70)),
    "a time past year 9999 in UTC": lambda d: d.mutation("rescue_member", uuid.uuid4(), _member(
        d, updated_at="9999-12-31T23:59:59-05:00")),
}


def _case(desk: Desk, **changes: Any) -> tuple[uuid.UUID, dict[str, Any]]:
    row_id, fields = desk.case()
    fields.update(changes)
    return row_id, fields


@pytest.mark.parametrize("case", list(POISON))
def test_each_poison_row_is_rejected_with_its_arabic_reason_and_the_rest_applies(server: LiveServer,
                                                                                 case: str) -> None:
    desk = server.desk()
    good_id, good = desk.beneficiary()
    poison = POISON[case](desk)
    head = desk.head()
    response = desk.push_raw([desk.mutation("beneficiary", good_id, good), poison])
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:  # a value that is not of its column's type refuses the batch, as before
        assert is_arabic(response.json()["message_ar"])
        assert desk.head() == head
        return
    applied, rejected = response.json()["results"]
    assert applied["status"] == "applied"
    assert rejected["status"] == "rejected" and is_arabic(rejected["message_ar"]), rejected
    rows = desk.pull_all()
    assert ("beneficiary", str(good_id)) in rows
    assert (poison["table"], poison["row_id"]) not in rows  # never stored
    again = desk.push_raw([poison])  # the same mutation resent: answered as before, still nothing stored
    assert again.json()["results"][0]["status"] == "duplicate"
    assert (poison["table"], poison["row_id"]) not in desk.pull_all()


def test_reasons_name_the_missing_fields(server: LiveServer) -> None:
    desk = server.desk()
    (empty,) = desk.push(desk.mutation("case", uuid.uuid4(), {}))
    assert "case_number" in empty["message_ar"] and "updated_at" in empty["message_ar"]
    (orphan,) = desk.push(desk.mutation("declaration", uuid.uuid4(), _declaration(uuid.uuid4())))
    assert "«case»" in orphan["message_ar"] and "غير موجود" in orphan["message_ar"]
    (member,) = desk.push(desk.mutation("rescue_member", uuid.uuid4(), {
        k: v for k, v in _member(desk).items() if k != "updated_at"}))
    assert "updated_at" in member["message_ar"]


def test_a_reference_created_earlier_in_the_same_batch_is_accepted(server: LiveServer) -> None:
    desk = server.desk()
    case_id, case = desk.case()
    results = desk.push(desk.mutation("case", case_id, case),
                        desk.mutation("declaration", uuid.uuid4(), _declaration(case_id)))
    assert [r["status"] for r in results] == ["applied", "applied"]


def test_an_older_desk_may_omit_a_column_with_a_constant_default(server: LiveServer) -> None:
    """A desk of an older schema does not send columns added since (``roles``); the server fills their default."""
    desk = server.desk()
    account = uuid.uuid4()
    (result,) = desk.push(desk.mutation("app_user", account, {
        "association_id": str(desk.association_id), "username": "u1", "full_name": "موظف", "role": "officer",
        "created_at": STAMP, "updated_at": STAMP}))
    assert result["status"] == "applied", result
    fields = desk.pull_all()[("app_user", str(account))]["fields"]
    assert fields["roles"] == [] and fields["active"] is True


def test_mutation_ids_are_remembered_per_device(server: LiveServer) -> None:
    """Another device's id — of this association or another — no longer silently drops a change."""
    ours, colleague = server.desk(name="PC-1"), server.desk(name="PC-2")
    stranger = server.desk(association="جمعية أخرى", name="PC-X")
    shared_id = str(uuid.uuid4())
    pushed = []
    for desk in (stranger, ours, colleague):
        row_id, fields = desk.beneficiary()
        mutation = {**desk.mutation("beneficiary", row_id, fields), "mutation_id": shared_id}
        (result,) = desk.push(mutation)
        assert result["status"] == "applied", result
        pushed.append((desk, row_id, mutation))
    for desk, row_id, mutation in pushed:
        assert ("beneficiary", str(row_id)) in desk.pull_all()
        (again,) = desk.push(mutation)  # the same device resending is still a duplicate
        assert again["status"] == "duplicate" and again["original_status"] == "applied"


@pytest.fixture
def limited(migrated_postgres_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real app with tight limits (two tries, then one every 10 s) and uploads spooled in tmp_path/spool."""
    (tmp_path / "spool").mkdir()
    tight = Rate(burst=2, per_second=0.1)
    yield from _serve(migrated_postgres_url, upgrade=False,
                      limits=RateLimits(enroll=tight, auth_failure=tight, device=Rate(3, 0.1)),
                      upload_dir=tmp_path / "spool")


def _assert_429(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert is_arabic(response.json()["message_ar"]) and response.json()["error"] == "too_many_requests"


def test_enrolment_guesses_are_throttled(limited: LiveServer) -> None:
    url = f"{limited.url}/v1/enroll"
    body = {"code": "AAAA-BBBB-CCCC", "device_name": "PC"}
    assert [http_client().post(url, headers=BASE_HEADERS, json=body).status_code for _ in range(2)] == [401, 401]
    _assert_429(http_client().post(url, headers=BASE_HEADERS, json=body))
    _assert_429(http_client().post(url, headers=BASE_HEADERS, json={**body, "code": limited.code()}))


def test_token_guesses_are_throttled(limited: LiveServer) -> None:
    url = f"{limited.url}/v1/summary"
    wrong = {**BASE_HEADERS, "Authorization": "Bearer guess"}
    assert [http_client().get(url, headers=wrong).status_code for _ in range(2)] == [401, 401]
    _assert_429(http_client().get(url, headers=wrong))


def test_one_device_is_throttled_alone(limited: LiveServer) -> None:
    busy = limited.desk(name="busy")
    statuses = [http_client().get(f"{limited.url}/v1/summary", headers=busy.headers()).status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    _assert_429(http_client().get(f"{limited.url}/v1/summary", headers=busy.headers()))


def test_405_names_the_allowed_methods(server: LiveServer) -> None:
    response = http_client().delete(f"{server.url}/v1/push", headers=BASE_HEADERS)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert is_arabic(response.json()["message_ar"])
    response = http_client().post(f"{server.url}/v1/attachments/{'0' * 64}", headers=BASE_HEADERS)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "PUT"}


def test_an_upload_over_the_limit_is_refused_while_it_streams(limited: LiveServer, tmp_path: Path) -> None:
    desk = limited.desk()
    chunk = b"\0" * (1024 * 1024)
    sent = [0]

    def body() -> Iterator[bytes]:  # no Content-Length: the server counts as the bytes arrive
        for _ in range(p.MAX_ATTACHMENT_BYTES // len(chunk) + 2):
            sent[0] += len(chunk)
            yield chunk

    response = http_client().put(f"{limited.url}/v1/attachments/{'a' * 64}", headers=desk.headers(), content=body(),
                         timeout=60)
    assert response.status_code == 413, response.text
    assert is_arabic(response.json()["message_ar"])
    assert list((tmp_path / "spool").iterdir()) == []  # the spooled part is gone
    content = b"\x01" * (3 * 1024 * 1024 + 17)
    sha = hashlib.sha256(content).hexdigest()
    done = http_client().put(f"{limited.url}/v1/attachments/{sha}", headers=desk.headers(), content=content, timeout=60)
    assert done.status_code == 201, done.text
    assert list((tmp_path / "spool").iterdir()) == []


def test_the_openapi_description_names_every_endpoint_and_body(server: LiveServer) -> None:
    spec = http_client().get(f"{server.url}/v1/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) == {"/v1/health", "/v1/enroll", "/v1/push", "/v1/pull", "/v1/summary", "/v1/checksums",
                          "/v1/rows", "/v1/attachments/missing", "/v1/attachments/{sha256}"}
    assert set(paths["/v1/attachments/{sha256}"]) == {"get", "put"}
    schemas = spec["components"]["schemas"]
    for path, method, model in (("/v1/push", "post", "PushRequest"), ("/v1/enroll", "post", "EnrollRequest"),
                                ("/v1/attachments/missing", "post", "MissingRequest")):
        ref = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/" + model) and model in schemas
    assert "Mutation" in schemas and "PulledRow" in schemas
    assert paths["/v1/pull"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PullResponse")
    assert paths["/v1/checksums"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ChecksumsResponse") and "BucketSum" in schemas
    assert {"bucket", "upto"} <= {parameter["name"] for parameter in paths["/v1/rows"]["get"]["parameters"]}
