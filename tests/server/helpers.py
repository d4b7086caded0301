"""A minimal desk speaking the protocol, for the server tests (the real client lives elsewhere)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from db.audit_chain import GENESIS, event_hash
from desktop.server.store import ServerStore
from desktop.sync import protocol as p

SCHEMA = "0007"
BASE_HEADERS = {p.HEADER_PROTOCOL: str(p.PROTOCOL_VERSION), p.HEADER_SCHEMA: SCHEMA}

_http: httpx.Client | None = None


def http_client() -> httpx.Client:
    """One HTTP client for every test desk of this process (thread-safe, keeps connections alive).

    ``httpx.post`` makes a new client, and with it a new TLS context loaded with the CA bundle
    (~25 ms of CPU), for each request; these plain-HTTP loopback requests do not need one each.
    """
    global _http
    if _http is None:
        _http = httpx.Client()
    return _http


@dataclass
class LiveServer:
    """A server under test: its URL, its store (for enrolment codes) and database URL."""

    url: str
    store: ServerStore
    db_url: str

    def code(self, association: str = "جمعية البر", branch: str | None = None, hours: float = 72) -> str:
        """A fresh enrolment code."""
        return self.store.create_enrollment_code(association, branch, hours)

    def desk(self, association: str = "جمعية البر", association_id: uuid.UUID | None = None,
             name: str = "PC", clock_ms: int = 1_780_000_000_000) -> Desk:
        """Enrol a new desk."""
        desk = Desk(self.url, clock_ms=clock_ms)
        desk.enroll(self.code(association), association_id or uuid.uuid4(), name)
        return desk


@dataclass
class Desk:
    """One enrolled PC: token, association, a manual HLC, and shorthand for push/pull."""

    url: str
    clock_ms: int = 1_780_000_000_000
    token: str = ""
    device_id: uuid.UUID | None = None
    association_id: uuid.UUID | None = None
    prefix: str = ""
    _counter: Any = field(default_factory=lambda: itertools.count())
    _policy_version: uuid.UUID | None = None
    #: (chain_seq, hash) of the last audit event `audit_event` made: this desk's hash chain (`db.audit_chain`).
    chain_head: tuple[int, str] = (0, GENESIS)

    def headers(self, **extra: str) -> dict[str, str]:
        """Protocol, schema and bearer headers."""
        return {**BASE_HEADERS, "Authorization": f"Bearer {self.token}", **extra}

    def enroll(self, code: str, association_id: uuid.UUID, name: str = "PC") -> httpx.Response:
        """POST /v1/enroll; keeps the credential."""
        response = http_client().post(f"{self.url}/v1/enroll", headers=BASE_HEADERS, json={
            "code": code, "device_name": name, "association_id": str(association_id),
            "association_name": "جمعية"})
        if response.status_code == 200:
            body = response.json()
            self.token = body["token"]
            self.device_id = uuid.UUID(body["device_id"])
            self.association_id = uuid.UUID(body["association_id"])
            self.prefix = body["case_number_prefix"]
        return response

    def hlc(self, plus_ms: int = 0) -> str:
        """The next HLC of this desk (its clock may be set/skewed by the test)."""
        return p.format_hlc(self.clock_ms + plus_ms, next(self._counter))

    def mutation(self, table: str, row_id: uuid.UUID, fields: dict[str, Any], base: int | None = None,
                 op: str = "upsert", hlc: str | None = None) -> dict[str, Any]:
        """One mutation dict."""
        return {"mutation_id": str(uuid.uuid4()), "table": table, "row_id": str(row_id), "op": op,
                "base_version": base, "fields": fields, "hlc": hlc or self.hlc(), "user_id": None}

    def audit_event(self, actor: uuid.UUID, action: str, *, entity: str = "app_user",
                    entity_id: uuid.UUID | None = None, at: str = "2026-01-01T07:00:00+00:00",
                    created_at: str = "2026-11-25T09:00:00+00:00") -> tuple[uuid.UUID, dict[str, Any]]:
        """The next audit event of this desk's hash chain, as `desktop.audit.record_audit` writes it: its id and
        its mutation (whose author, `user_id`, is the actor)."""
        event = uuid.uuid4()
        seq, prev = self.chain_head[0] + 1, self.chain_head[1]
        target = entity_id if entity_id is not None else actor
        digest = event_hash(event_id=event, chain_seq=seq, actor_id=actor, action=action, entity=entity,
                            entity_id=target, at=at, details={}, prev_hash=prev)
        self.chain_head = (seq, digest)
        mutation = self.mutation("audit_event", event, {
            "association_id": str(self.association_id), "device_id": str(self.device_id), "actor_id": str(actor),
            "action": action, "entity": entity, "entity_id": str(target), "at": at, "details": {},
            "chain_seq": seq, "prev_hash": prev, "hash": digest, "created_at": created_at, "updated_at": created_at,
        })
        return event, {**mutation, "user_id": str(actor)}

    def push_raw(self, mutations: list[dict[str, Any]], batch_id: str | None = None) -> httpx.Response:
        """POST /v1/push with these mutations."""
        return http_client().post(f"{self.url}/v1/push", headers=self.headers(), timeout=60,
                          json={"batch_id": batch_id or str(uuid.uuid4()), "mutations": mutations})

    def push(self, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        """Push and return the results (asserting 200)."""
        response = self.push_raw(list(mutations))
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def pull(self, after: int = 0, limit: int = 1000) -> dict[str, Any]:
        """One pull page."""
        response = http_client().get(f"{self.url}/v1/pull", params={"after": after, "limit": limit},
                                     headers=self.headers())
        assert response.status_code == 200, response.text
        return dict(response.json())

    def pull_all(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every row of the association, latest state, keyed by (table, row_id)."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        after = 0
        while True:
            page = self.pull(after)
            for row in page["rows"]:
                rows[(row["table"], row["row_id"])] = row
            after = page["next_after"]
            if not page["has_more"]:
                return rows

    def head(self) -> int:
        """The association's head_seq."""
        return int(self.pull(0, 1)["head_seq"])

    # ------------------------------------------------------------------ realistic rows

    def beneficiary(self, **changes: Any) -> tuple[uuid.UUID, dict[str, Any]]:
        """All columns of a new beneficiary of this desk's association."""
        row_id = uuid.uuid4()
        fields = {"association_id": str(self.association_id), "full_name": "محمد أحمد", "name_key": "محمد احمد",
                  "id_number": "1000000001", "id_kind": "national", "id_expiry": "2030-01-01",
                  "birth_date": None, "gender": "male", "nationality": "SA", "mobile": "+966500000001",
                  "phone_key": "500000001", "city": "الرياض", "household_size": 4, "deleted_at": None,
                  "created_at": "2026-11-22T08:00:00+00:00", "updated_at": "2026-11-22T08:00:00+00:00"}
        fields.update(changes)
        return row_id, fields

    def policy_version(self) -> uuid.UUID:
        """The association's policy version, pushed once (a case must point to one the server holds)."""
        if self._policy_version is None:
            row_id = uuid.uuid4()
            stamp = "2026-11-22T08:00:00+00:00"
            self.push(self.mutation("policy_version", row_id, {
                "association_id": str(self.association_id), "profile_id": "general", "version_label": "1",
                "content_hash": "0" * 64, "source_text": "[profile]", "adopted_at": stamp, "created_at": stamp,
                "updated_at": stamp}))
            self._policy_version = row_id
        return self._policy_version

    def case(self, status: str = "received", **changes: Any) -> tuple[uuid.UUID, dict[str, Any]]:
        """All columns of a new case of this desk's association (its policy version pushed first if need be)."""
        row_id = uuid.uuid4()
        fields = {"association_id": str(self.association_id), "case_number": f"{self.prefix}-1447-{row_id.int % 10**6:06d}",
                  "beneficiary_id": None, "policy_version_id": str(self.policy_version()), "channel_id": "visit",
                  "case_kind_id": "aid", "status": status, "officer_id": None, "branch": "الرياض",
                  "summary": "طلب مساعدة", "location": None, "submitted_at": "2026-11-22T08:00:00+00:00",
                  "promised_decision_date": "2026-12-06", "signature_pending": False, "current_step_id": None,
                  "closed_at": None, "deleted_at": None, "created_at": "2026-11-22T08:00:00+00:00",
                  "updated_at": "2026-11-22T08:00:00+00:00"}
        fields.update(changes)
        return row_id, fields


def is_arabic(text: str) -> bool:
    """True when a message is written in Arabic."""
    return sum("\u0600" <= ch <= "\u06ff" for ch in text) >= 5


def migrate_down_and_up(conn: Any, revision: str) -> None:
    """Run the server's own migrations on `conn` down to `revision`, then up to the head (a migration's upgrade
    tested on data written the old way)."""
    from alembic import command
    from alembic.config import Config

    from desktop.server.store import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.downgrade(config, revision)
    command.upgrade(config, "head")
