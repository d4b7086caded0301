"""Push: the outbox sent to the server in stored batches, their answers applied, attachment files uploaded first.

Decisions recorded here:

* Outbox entries are composed into a batch of at most `MAX_BATCH_MUTATIONS` row mutations
  (several entries of one row become one mutation: the union of their changed columns, values
  read at composition time, op "delete" when the row ends soft-deleted). The batch is stored
  (`sync_batch`) and its entries marked in the same transaction before it is sent, so a resend
  after a lost reply or a crash is byte-identical and answered "duplicate".
* The answer is applied in one transaction: acknowledged entries removed, the row's server version
  and sequence recorded (suppressed triggers), later entries of the same row re-based on the new
  version; rejected entries kept with the server's Arabic reason and not resent.
* A whole batch refused with 400/422 is split and retried one mutation at a time, so one bad row
  cannot block the others; that row is kept as rejected.
* Attachments: before a batch, the server is asked which of its files it lacks and those are
  uploaded (checked against their hash first: a damaged local file is not sent, its row waits as
  "blocked"); an upload the server refuses (truncated, corrupted in transit) fails the round and is
  retried by the next one, and the batch waits for it.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from desktop.errors import AttachmentError
from desktop.sync.forms import decode_storage, now_storage, quote
from desktop.sync.hlc import DeskClock
from desktop.sync.link import ServerLink
from desktop.sync.outcome import SyncError, SyncReport
from desktop.sync.protocol import MAX_BATCH_MUTATIONS, MissingResponse, PushResponse, encode_fields
from desktop.sync.storage import SyncStorage

__all__ = ["AccountSource", "Pusher", "signed_in_account"]

#: A composed batch: its id and the payload stored and sent.
Batch = tuple[uuid.UUID, dict[str, Any]]


#: Who a push names: the signed-in account's id (wire form), read when a batch is composed or sent again.
AccountSource = Callable[[sqlite3.Connection], "str | None"]


def signed_in_account(conn: sqlite3.Connection) -> str | None:
    """The legacy desk's account (no one signs in there, `desktop.permissions`): the live account whose login
    is this PC's OS login; None when it has none. A desk that signs in names its signed-in account instead
    (`desktop.sync.service.SyncService` gives the pusher that source).
    """
    from desktop.workspace import os_username

    row = conn.execute("SELECT id FROM app_user WHERE username = ? AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
                       (os_username(),)).fetchone()
    return str(uuid.UUID(hex=str(row[0]))) if row is not None else None


def _json_bytes(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class Pusher:
    """Sends this desk's outbox to the server, batch by batch; `batch_limit` drops to 1 after a refused batch."""

    def __init__(self, link: ServerLink, storage: SyncStorage, *, batch_limit: int = MAX_BATCH_MUTATIONS,
                 account: AccountSource = signed_in_account) -> None:
        self._account = account
        self._link = link
        self._storage = storage
        self.batch_limit = max(1, min(batch_limit, MAX_BATCH_MUTATIONS))

    def push(self, report: SyncReport, stop: Callable[[], bool]) -> None:
        """Send batches until the outbox is empty (or `stop()`); counts go to `report`."""
        while not stop():
            batch = self._sent_batch()
            resent = batch is not None
            batch = batch or self.compose_batch(self.batch_limit)
            if batch is None:
                return
            batch_id, payload = batch
            account = payload.get("account_id")  # a batch composed just now names who is signed in now
            if resent:
                with self._storage.read() as conn:
                    account = self._account(conn)
            if payload.get("account_id") is None or (account is not None and payload["account_id"] != account):
                # A batch stored before accounts were named, or sent again by whoever is signed in now (the one
                # who composed it may have been signed out, removed on the server meanwhile): the server checks
                # and stamps the pusher; each row keeps its own author (`updated_by`, the audit's claimed actor).
                payload = {**payload, "account_id": account}
            self._upload_attachments(payload, report)
            try:
                response = self._link.request("POST", "/v1/push", content=_json_bytes(payload),
                                              headers={"Content-Type": "application/json"})
            except SyncError as exc:
                if exc.kind == "invalid" and len(payload["mutations"]) > 1:
                    self._split_batch(batch_id)
                    self.batch_limit = 1
                    continue
                if exc.kind == "invalid":
                    self._reject_batch(batch_id, exc.message_ar, report)
                    continue
                raise
            result = PushResponse.model_validate_json(response.content)
            self._acknowledge(batch_id, payload, result, report)
            report.pushed += len(payload["mutations"])

    def _sent_batch(self) -> Batch | None:
        """The batch composed earlier and not yet acknowledged (resent as it is)."""
        with self._storage.read() as conn:
            row = conn.execute("SELECT id, payload FROM sync_batch ORDER BY created_at LIMIT 1").fetchone()
        if row is None:
            return None
        return uuid.UUID(hex=row[0]), json.loads(row[1])

    def compose_batch(self, limit: int) -> Batch | None:
        """Compose, store and mark the next batch of pending outbox entries; None when nothing is left."""
        while True:
            composed = self._compose_once(limit)
            if composed is None or isinstance(composed, tuple):
                return composed

    def _compose_once(self, limit: int) -> Batch | None | bool:
        """One composition in one transaction; False when the entries read needed no mutation (try again)."""
        with self._storage.write() as conn:
            entries = conn.execute(
                "SELECT seq, table_name, row_id, op, columns, base_version, user_id, "
                "CAST((julianday('now') - julianday(changed_at)) * 86400000 AS INTEGER) "
                "FROM sync_outbox WHERE state = 'pending' AND batch_id IS NULL ORDER BY seq LIMIT ?",
                (limit * 20,),
            ).fetchall()
            if not entries:
                return None
            groups: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
            for entry in entries:
                key = (entry[1], entry[2])
                if key not in groups and len(groups) >= limit:
                    continue
                groups.setdefault(key, []).append(entry)
            batch_id = uuid.uuid4()
            mutations: list[dict[str, Any]] = []
            used: list[int] = []
            blocked: list[tuple[int, str]] = []
            clock = self._storage.clock
            for (table_name, row_hex), group in groups.items():
                mutation = self._mutation(conn, table_name, row_hex, group, clock)
                if isinstance(mutation, str):
                    blocked.extend((entry[0], mutation) for entry in group)
                    continue
                if mutation is not None:
                    mutations.append(mutation)
                used.extend(entry[0] for entry in group)
            for seq, message in blocked:
                conn.execute("UPDATE sync_outbox SET state = 'blocked', message_ar = ? WHERE seq = ?", (message, seq))
            if not mutations:
                conn.executemany("DELETE FROM sync_outbox WHERE seq = ?", [(s,) for s in used])
                return False
            payload = {"batch_id": str(batch_id), "mutations": mutations, "account_id": self._account(conn)}
            conn.execute(
                "INSERT INTO sync_batch (id, payload, created_at) VALUES (?, ?, ?)",
                (batch_id.hex, json.dumps(payload, ensure_ascii=False), now_storage()),
            )
            conn.executemany("UPDATE sync_outbox SET batch_id = ? WHERE seq = ?", [(batch_id.hex, s) for s in used])
            conn.execute(
                "UPDATE sync_state SET last_hlc = ?, clock_offset_ms = ? WHERE id = 1", (clock.last, clock.offset_ms)
            )
        return batch_id, payload

    def _mutation(
        self, conn: sqlite3.Connection, table_name: str, row_hex: str, group: list[tuple[Any, ...]], clock: DeskClock
    ) -> dict[str, Any] | str | None:
        """The wire mutation of a row's pending entries; a str (Arabic) when it must wait; None when nothing to send."""
        table = self._storage.tables.get(table_name)
        if table is None:
            return None
        row_id = uuid.UUID(hex=row_hex)
        cursor = conn.execute(f"SELECT * FROM {quote(table_name)} WHERE id = ?", (row_hex,))
        values = cursor.fetchone()
        base = group[0][5]
        inserted = any(entry[3] == "insert" for entry in group) or base is None
        last = group[-1]
        age_ms = int(last[7] or 0)
        hlc = clock.stamp(age_ms)
        user = last[6]
        mutation: dict[str, Any] = {
            "mutation_id": str(uuid.uuid4()),
            "table": table_name,
            "row_id": str(row_id),
            "base_version": None if inserted else base,
            "hlc": hlc,
            "user_id": str(uuid.UUID(hex=user)) if user else None,
        }
        if values is None:  # removed for good (never done by the app): a delete
            mutation.update(op="delete", fields={})
            return mutation
        names = [d[0] for d in cursor.description]
        raw = dict(zip(names, values, strict=True))
        decoded = decode_storage(table, raw)
        if inserted:
            columns = [c.name for c in table.columns if c.name in raw]
        else:
            changed: set[str] = set()
            for entry in group:
                changed.update(c for c in (entry[4] or "").split(",") if c)
            columns = [c.name for c in table.columns if c.name in changed]
            if "updated_at" in raw:
                columns.append("updated_at")
        deleted = raw.get("deleted_at") is not None and any(entry[3] == "delete" for entry in group)
        if table_name == "attachment" and not (deleted and not inserted):  # a deletion needs no file (retention)
            problem = self._check_local_file(raw)
            if problem is not None:
                return problem
        mutation["op"] = "delete" if deleted and not inserted else "upsert"
        mutation["fields"] = encode_fields(table, decoded, columns)
        return mutation

    def _check_local_file(self, raw: Mapping[str, Any]) -> str | None:
        """None when the attachment's file is here and matches its hash; else why its row waits (Arabic)."""
        path = self._storage.store.path_of(str(raw["stored_path"]))
        if not path.is_file():
            return f"ملف المرفق غير موجود في مجلد البيانات ولن يُرسل: {raw['stored_path']}"
        try:
            self._storage.store.read(str(raw["stored_path"]), str(raw["sha256"]))
        except AttachmentError:
            return f"ملف المرفق تالف لا يطابق بصمته ولن يُرسل: {raw['stored_path']}"
        return None

    def _upload_attachments(self, payload: Mapping[str, Any], report: SyncReport) -> None:
        """Upload the files of the batch's attachment rows the server lacks (verified here first)."""
        wanted: dict[str, str] = {}
        for mutation in payload["mutations"]:
            if mutation["table"] == "attachment" and mutation["op"] == "upsert":
                sha = mutation["fields"].get("sha256")
                path = mutation["fields"].get("stored_path")
                if sha and path:
                    wanted[sha] = path
        if not wanted:
            return
        response = self._link.request("POST", "/v1/attachments/missing", json={"sha256": sorted(wanted)})
        missing = MissingResponse.model_validate_json(response.content).missing
        for sha in missing:
            if not self._storage.store.path_of(wanted[sha]).is_file():
                raise SyncError(f"ملف المرفق غير موجود في مجلد البيانات: {wanted[sha]}", "attachment")
            try:
                # Decrypted here on an encrypted desk: the server receives the plaintext its hash names.
                data = self._storage.store.read(wanted[sha], sha)
            except AttachmentError as exc:
                raise SyncError(f"ملف المرفق تالف لا يطابق بصمته: {wanted[sha]}", "attachment") from exc
            try:
                self._link.request("PUT", f"/v1/attachments/{sha}", content=data,
                                   headers={"Content-Type": "application/octet-stream"})
            except SyncError as exc:
                if exc.kind in ("invalid", "server"):
                    raise SyncError("رفض الخادم ملف مرفق وصل ناقصًا أو تالفًا؛ سيُعاد إرساله في المزامنة التالية",
                                    "attachment", detail=exc.detail) from exc
                raise
            report.uploaded += 1

    def _acknowledge(self, batch_id: uuid.UUID, payload: Mapping[str, Any], result: PushResponse,
                     report: SyncReport) -> None:
        """Apply the server's answer to a batch in one transaction."""
        by_id = {m["mutation_id"]: m for m in payload["mutations"]}
        with self._storage.write() as conn:
            for answer in result.results:
                mutation = by_id.get(str(answer.mutation_id))
                if mutation is None:
                    continue
                table_name = mutation["table"]
                row_hex = uuid.UUID(mutation["row_id"]).hex
                status = answer.original_status if answer.status == "duplicate" and answer.original_status else answer.status
                if answer.status == "duplicate":
                    report.duplicates += 1
                if status == "rejected":
                    conn.execute(
                        "UPDATE sync_outbox SET state = 'rejected', message_ar = ? "
                        "WHERE batch_id = ? AND table_name = ? AND row_id = ?",
                        (answer.message_ar or "رفض الخادم هذا التغيير", batch_id.hex, table_name, row_hex),
                    )
                    report.rejected += 1
                    if answer.message_ar:
                        report.messages_ar.append(answer.message_ar)
                    continue
                report.acknowledged += 1
                if status == "merged":
                    report.merged += 1
                if status == "conflict":
                    report.conflicts += 1
                conn.execute(
                    "DELETE FROM sync_outbox WHERE batch_id = ? AND table_name = ? AND row_id = ?",
                    (batch_id.hex, table_name, row_hex),
                )
                if answer.version is None:
                    continue
                later = conn.execute(
                    "SELECT count(*) FROM sync_outbox WHERE table_name = ? AND row_id = ? AND state = 'pending'",
                    (table_name, row_hex),
                ).fetchone()[0]
                if later:
                    conn.execute(
                        "UPDATE sync_outbox SET base_version = ? WHERE table_name = ? AND row_id = ? "
                        "AND state = 'pending' AND batch_id IS NULL",
                        (answer.version, table_name, row_hex),
                    )
                    conn.execute(
                        f"UPDATE {quote(table_name)} SET server_seq = coalesce(server_seq, ?) WHERE id = ?",
                        (answer.server_seq, row_hex),
                    )
                else:
                    conn.execute(
                        f"UPDATE {quote(table_name)} SET version = ?, server_seq = ? WHERE id = ?",
                        (answer.version, answer.server_seq, row_hex),
                    )
            conn.execute("UPDATE sync_outbox SET batch_id = NULL WHERE batch_id = ? AND state = 'pending'",
                         (batch_id.hex,))
            conn.execute("DELETE FROM sync_batch WHERE id = ?", (batch_id.hex,))

    def _split_batch(self, batch_id: uuid.UUID) -> None:
        """Forget a batch the server refused whole (nothing of it was applied): its entries go back to pending."""
        with self._storage.write() as conn:
            conn.execute("UPDATE sync_outbox SET batch_id = NULL WHERE batch_id = ?", (batch_id.hex,))
            conn.execute("DELETE FROM sync_batch WHERE id = ?", (batch_id.hex,))

    def _reject_batch(self, batch_id: uuid.UUID, message_ar: str, report: SyncReport) -> None:
        """A single-mutation batch refused whole: its entries are kept as rejected with the server's reason."""
        with self._storage.write() as conn:
            conn.execute("UPDATE sync_outbox SET state = 'rejected', message_ar = ?, batch_id = NULL WHERE batch_id = ?",
                         (message_ar, batch_id.hex))
            conn.execute("DELETE FROM sync_batch WHERE id = ?", (batch_id.hex,))
        report.rejected += 1
        report.messages_ar.append(message_ar)
