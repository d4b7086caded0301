"""Push, pull and merge over HTTP, on PostgreSQL and on SQLite (the core of the protocol)."""

from __future__ import annotations

import dataclasses
import json
import uuid

from desktop.sync import protocol as p
from tests.server.helpers import Desk, LiveServer, http_client


def _conflicts(rows: dict[tuple[str, str], dict]) -> list[dict]:
    return [r["fields"] for (t, _), r in rows.items() if t == "sync_conflict"]


def test_push_then_pull_round_trip(any_server: LiveServer) -> None:
    """A beneficiary and a case pushed by one PC come back whole to another PC of the association."""
    a = any_server.desk(name="PC-A")
    b = any_server.desk(name="PC-B")
    assert b.association_id == a.association_id
    ben_id, ben = a.beneficiary()
    case_id, case = a.case(beneficiary_id=None)
    case["beneficiary_id"] = str(ben_id)
    start = a.head()  # after the case's policy version
    results = a.push(a.mutation("beneficiary", ben_id, ben), a.mutation("case", case_id, case))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert [r["server_seq"] for r in results] == [start + 1, start + 2]
    rows = b.pull_all()
    got = rows[("case", str(case_id))]
    assert got["version"] == 1 and not got["deleted"]
    decoded = p.decode_fields(p.synced_tables()["case"], got["fields"])
    assert decoded["id"] == case_id and decoded["beneficiary_id"] == ben_id
    assert decoded["status"] == "received" and decoded["signature_pending"] is False
    assert decoded["device_id"] == a.device_id and decoded["version"] == 1 and decoded["server_seq"] == start + 2
    assert set(p.synced_tables()["case"].c.keys()) <= set(got["fields"])


def test_same_batch_twice_is_harmless(any_server: LiveServer) -> None:
    """A batch resent after a lost reply answers "duplicate" with the original results and changes nothing."""
    a = any_server.desk()
    row_id, fields = a.beneficiary()
    batch_id = str(uuid.uuid4())
    mutations = [a.mutation("beneficiary", row_id, fields)]
    first = a.push_raw(mutations, batch_id).json()["results"]
    head = a.head()
    second = a.push_raw(mutations, batch_id).json()["results"]
    assert second[0]["status"] == "duplicate" and second[0]["original_status"] == "applied"
    assert (second[0]["version"], second[0]["server_seq"]) == (first[0]["version"], first[0]["server_seq"])
    assert a.head() == head
    assert a.pull_all()[("beneficiary", str(row_id))]["version"] == 1


def test_different_fields_merge(any_server: LiveServer) -> None:
    """Two PCs editing different fields of one row from the same base: both changes kept, no conflict."""
    a = any_server.desk(name="A")
    b = any_server.desk(name="B")
    row_id, fields = a.beneficiary()
    a.push(a.mutation("beneficiary", row_id, fields))
    (ra,) = a.push(a.mutation("beneficiary", row_id, {"mobile": "+966511111111"}, base=1))
    (rb,) = b.push(b.mutation("beneficiary", row_id, {"city": "جدة"}, base=1))
    assert ra["status"] == "applied" and rb["status"] == "merged" and rb["conflict_ids"] == []
    rows = a.pull_all()
    row = rows[("beneficiary", str(row_id))]
    assert row["fields"]["mobile"] == "+966511111111" and row["fields"]["city"] == "جدة"
    assert row["version"] == 3 and _conflicts(rows) == []


def test_own_successive_changes_never_conflict(any_server: LiveServer) -> None:
    """A PC's later change based on an older version does not conflict with its own earlier change."""
    a = any_server.desk()
    row_id, fields = a.beneficiary()
    a.push(a.mutation("beneficiary", row_id, fields))
    results = a.push(a.mutation("beneficiary", row_id, {"city": "جدة"}, base=1),
                     a.mutation("beneficiary", row_id, {"city": "مكة"}, base=1))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert a.pull_all()[("beneficiary", str(row_id))]["fields"]["city"] == "مكة"


def test_same_field_conflict_recorded_once_with_order_independent_winner(any_server: LiveServer) -> None:
    """The same field edited on two PCs: the greater (hlc, device) wins whatever the arrival order; one record.

    The record names both PCs as enrolled (the branch in parentheses when the PC has one).
    """
    finals = []
    for order in ("ab", "ba"):
        a = any_server.desk(association=f"جمعية {order}", name="مكتب الاستقبال 1")
        b = Desk(any_server.url)
        assert b.enroll(any_server.code(f"جمعية {order}", branch="الرياض"), uuid.uuid4(),
                        "مكتب الاستقبال 2").status_code == 200
        row_id, fields = a.beneficiary()
        a.push(a.mutation("beneficiary", row_id, fields))
        ma = a.mutation("beneficiary", row_id, {"city": "جدة"}, base=1, hlc=p.format_hlc(1_790_000_000_000, 0))
        mb = b.mutation("beneficiary", row_id, {"city": "الدمام"}, base=1, hlc=p.format_hlc(1_790_000_000_500, 0))
        first, second = (a, ma), (b, mb)
        if order == "ba":
            first, second = second, first
        first[0].push(first[1])
        (result,) = second[0].push(second[1])
        assert result["status"] == "conflict" and len(result["conflict_ids"]) == 1
        again = second[0].push_raw([second[1]]).json()["results"][0]
        assert again["status"] == "duplicate"
        rows = a.pull_all()
        conflicts = _conflicts(rows)
        assert len(conflicts) == 1
        record = conflicts[0]
        assert record["table_name"] == "beneficiary" and record["field"] == "city" and record["status"] == "open"
        assert {record["value_a"], record["value_b"]} == {"جدة", "الدمام"}
        assert {record["device_a"], record["device_b"]} == {str(a.device_id), str(b.device_id)}
        names = {record["device_a"]: record["device_a_name"], record["device_b"]: record["device_b_name"]}
        assert names == {str(a.device_id): "مكتب الاستقبال 1", str(b.device_id): "مكتب الاستقبال 2 (الرياض)"}
        assert record["base_value"] == "الرياض"
        winner_value = record["value_a"] if record["winner"] == "a" else record["value_b"]
        final = rows[("beneficiary", str(row_id))]["fields"]["city"]
        assert final == winner_value
        finals.append(final)
    assert finals == ["الدمام", "الدمام"]  # the later HLC, in both arrival orders
    # A desk at schema 0008 (which stores the names) is served like one at 0007 (which ignores them).
    newer = http_client().get(f"{a.url}/v1/pull", params={"after": 0}, headers=a.headers(**{p.HEADER_SCHEMA: "0008"}))
    assert newer.status_code == 200
    (pulled,) = [row["fields"] for row in newer.json()["rows"] if row["table"] == "sync_conflict"]
    assert {pulled["device_a_name"], pulled["device_b_name"]} == {"مكتب الاستقبال 1", "مكتب الاستقبال 2 (الرياض)"}


def test_resolving_a_conflict_is_an_ordinary_upsert(any_server: LiveServer) -> None:
    """A supervisor's resolution (the conflict row and the target row) syncs like any change."""
    a = any_server.desk(name="A")
    b = any_server.desk(name="B")
    row_id, fields = a.beneficiary()
    a.push(a.mutation("beneficiary", row_id, fields))
    a.push(a.mutation("beneficiary", row_id, {"city": "جدة"}, base=1))
    (result,) = b.push(b.mutation("beneficiary", row_id, {"city": "الدمام"}, base=1))
    conflict_id = uuid.UUID(result["conflict_ids"][0])
    rows = a.pull_all()
    current = rows[("beneficiary", str(row_id))]
    results = a.push(
        a.mutation("sync_conflict", conflict_id, {"status": "resolved", "resolution_value": "جدة",
                                                  "resolved_at": "2026-11-23T09:00:00+00:00"}, base=1),
        a.mutation("beneficiary", row_id, {"city": "جدة"}, base=current["version"]),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    rows = b.pull_all()
    assert rows[("sync_conflict", str(conflict_id))]["fields"]["status"] == "resolved"
    assert rows[("beneficiary", str(row_id))]["fields"]["city"] == "جدة"


def test_case_status_follows_the_state_machine(any_server: LiveServer) -> None:
    """A status that may follow the current one applies; one that cannot is a conflict keeping the current."""
    a = any_server.desk(name="A")
    b = any_server.desk(name="B")
    case_id, case = a.case(status="received")
    a.push(a.mutation("case", case_id, case))
    a.push(a.mutation("case", case_id, {"status": "awaiting_committee"}, base=1))
    (allowed,) = b.push(b.mutation("case", case_id, {"status": "accepted"}, base=1))
    assert allowed["status"] == "merged" and allowed["conflict_ids"] == []
    (refused,) = b.push(b.mutation("case", case_id, {"status": "referred"}, base=1))
    assert refused["status"] == "conflict"
    rows = a.pull_all()
    assert rows[("case", str(case_id))]["fields"]["status"] == "accepted"
    (record,) = _conflicts(rows)
    assert (record["field"], record["value_a"], record["value_b"], record["winner"]) == (
        "status", "accepted", "referred", "a")


def test_append_only_records_are_insert_only(any_server: LiveServer) -> None:
    """A step completion is inserted without conflict; an update or delete of it is rejected."""
    a = any_server.desk()
    case_id, case = a.case()
    step_id = uuid.uuid4()
    step = {"case_id": str(case_id), "step_id": "verify", "step_kind": "verify", "officer_id": None,
            "channel_id": "visit", "completed_at": "2026-11-22T08:05:00+00:00",
            "policy_version_id": case["policy_version_id"], "skipped": False, "skip_reason": None, "note": None,
            "updated_at": "2026-11-22T08:05:00+00:00"}
    results = a.push(a.mutation("case", case_id, case), a.mutation("step_completion", step_id, step))
    assert [r["status"] for r in results] == ["applied", "applied"]
    (same,) = a.push(a.mutation("step_completion", step_id, step))
    assert same["status"] == "applied" and same["version"] == 1
    (update,) = a.push(a.mutation("step_completion", step_id, {"note": "تعديل"}, base=1))
    (delete,) = a.push(a.mutation("step_completion", step_id, {}, base=1, op="delete"))
    assert update["status"] == delete["status"] == "rejected"
    assert update["message_ar"] and "سجل جديد" in update["message_ar"]
    row = a.pull_all()[("step_completion", str(step_id))]
    assert row["version"] == 1 and row["fields"]["note"] is None and not row["deleted"]


def test_delete_against_edit_is_a_conflict_in_both_orders(any_server: LiveServer) -> None:
    """Delete on one PC, edit on another: deleted in both orders, the edit's values kept, one record."""
    for order in ("delete-first", "edit-first"):
        a = any_server.desk(association=order, name="A")
        b = any_server.desk(association=order, name="B")
        row_id, fields = a.beneficiary()
        a.push(a.mutation("beneficiary", row_id, fields))
        delete = a.mutation("beneficiary", row_id, {"deleted_at": "2026-11-23T10:00:00+00:00"}, base=1, op="delete")
        edit = b.mutation("beneficiary", row_id, {"mobile": "+966522222222"}, base=1)
        if order == "delete-first":
            assert a.push(delete)[0]["status"] == "applied"
            assert b.push(edit)[0]["status"] == "conflict"
        else:
            assert b.push(edit)[0]["status"] == "applied"
            assert a.push(delete)[0]["status"] == "conflict"
        rows = a.pull_all()
        row = rows[("beneficiary", str(row_id))]
        assert row["deleted"] and row["fields"]["deleted_at"] == "2026-11-23T10:00:00+00:00"
        assert row["fields"]["mobile"] == "+966522222222"
        (record,) = _conflicts(rows)
        assert record["field"] == "deleted_at"
        # the supervisor restores it: an upsert clearing deleted_at, based on the current version
        (restore,) = a.push(a.mutation("beneficiary", row_id, {"deleted_at": None}, base=row["version"]))
        assert restore["status"] == "applied"
        assert not a.pull_all()[("beneficiary", str(row_id))]["deleted"]


def test_unknown_table_or_column_is_rejected_alone(any_server: LiveServer) -> None:
    """Unknown table/column: that mutation rejected in Arabic, the rest of the batch applies."""
    a = any_server.desk()
    row_id, fields = a.beneficiary()
    results = a.push(a.mutation("no_such_table", uuid.uuid4(), {"x": 1}),
                     a.mutation("beneficiary", uuid.uuid4(), {"no_such_column": 1}),
                     a.mutation("beneficiary", row_id, fields))
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert "no_such_table" in results[0]["message_ar"] and "no_such_column" in results[1]["message_ar"]


def test_pull_pages_in_server_order(any_server: LiveServer) -> None:
    """Pages follow server_seq without gaps; the cursor resumes; past the head nothing comes."""
    a = any_server.desk()
    ids = []
    for _ in range(5):
        batch = []
        for _ in range(5):
            row_id, fields = a.beneficiary()
            ids.append(str(row_id))
            batch.append(a.mutation("beneficiary", row_id, fields))
        a.push(*batch)
    seen, after, pages = [], 0, 0
    while True:
        page = a.pull(after, limit=10)
        pages += 1
        seen += [(r["server_seq"], r["row_id"]) for r in page["rows"]]
        assert page["head_seq"] == 25
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert pages == 3 and [s for s, _ in seen] == list(range(1, 26)) and [r for _, r in seen] == ids
    empty = a.pull(25)
    assert empty["rows"] == [] and empty["next_after"] == 25 and not empty["has_more"]


def test_pull_at_the_head_is_answered_as_a_read_would(any_server: LiveServer) -> None:
    """A pull from the head the authentication read is answered without reading again, byte for byte what the
    read gives; a push committed after that authentication comes with the next pull."""
    a = any_server.desk(name="PC-A")
    b = any_server.desk(name="PC-B")
    a.push(*(a.mutation("beneficiary", *a.beneficiary()) for _ in range(3)))
    head = a.head()
    store = any_server.store
    ctx = store.authenticate(a.token)
    assert ctx.head_seq == head
    read = store.pull(dataclasses.replace(ctx, head_seq=None), head, 1000)
    assert store.pull(ctx, head, 1000) == read
    assert json.loads(read) == {"rows": [], "next_after": head, "has_more": False, "head_seq": head}
    row_id, fields = b.beneficiary()
    b.push(b.mutation("beneficiary", row_id, fields))
    page = a.pull(head)
    assert [r["row_id"] for r in page["rows"]] == [str(row_id)] and page["head_seq"] == head + 1


def test_roots_are_the_buckets_sums(any_server: LiveServer) -> None:
    """The roots of /v1/checksums (one statement) are the sums kept in bucket -1 of each table, with the head."""
    a = any_server.desk()
    assert a.pull(0)["head_seq"] == a.head()
    a.push(*(a.mutation("beneficiary", *a.beneficiary()) for _ in range(4)))
    answer = http_client().get(f"{any_server.url}/v1/checksums", headers=a.headers()).json()
    assert answer["head_seq"] == a.head()
    for table, sums in answer["sums"].items():
        children = http_client().get(f"{any_server.url}/v1/checksums", params={"table": table},
                             headers=a.headers()).json()["sums"]
        assert sums == {"count": sum(c["count"] for c in children.values()),
                        "total": sum(c["total"] for c in children.values())}
    assert answer["sums"]["beneficiary"]["count"] == 4


def test_summary_hash_matches_the_pulled_rows(any_server: LiveServer, http) -> None:  # type: ignore[no-untyped-def]
    """Count and hash per table equal what a desk computes from the rows it pulled; /v1/rows pages them."""
    a = any_server.desk()
    muts = []
    for _ in range(7):
        row_id, fields = a.beneficiary()
        muts.append(a.mutation("beneficiary", row_id, fields))
    case_id, case = a.case()
    muts.append(a.mutation("case", case_id, case))
    a.push(*muts)
    a.push(a.mutation("case", case_id, {}, base=1, op="delete"))
    rows = a.pull_all()
    summary = http.get(f"{any_server.url}/v1/summary", headers=a.headers()).json()["tables"]
    for table in ("beneficiary", "case"):
        mine = [(r["row_id"], r["version"]) for (t, _), r in rows.items() if t == table]
        assert summary[table] == {"count": len(mine), "hash": p.summary_hash(mine)}
    got, after = [], None
    while True:
        params = {"table": "beneficiary", "limit": 3, **({"after_id": after} if after else {})}
        page = http.get(f"{any_server.url}/v1/rows", params=params, headers=a.headers()).json()
        got += [r["row_id"] for r in page["rows"]]
        after = page["next_after_id"]
        if not page["has_more"]:
            break
    assert got == sorted(r for (t, r) in rows if t == "beneficiary")
