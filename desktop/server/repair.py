"""The administrator's view and repair of stored rows (`mustafid-admin rows inspect|repair`, issue 15).

Decisions recorded here:

* `inspect` runs today's push validation (`desktop.server.validation`) over every stored row of an
  association, as if each were pushed new: rows stored before validation existed, or written to
  the table by hand, are found with the same Arabic reasons a push would get.
* `repair` changes named fields of one row (wire values, checked like a push) and gives it the
  next version and sequence, so every desk pulls it again and, if it had set it aside, stores it
  and clears its quarantine. The repaired row must pass validation, else nothing is written.
* `repair --remove` takes the row off the server altogether (for a row no desk can store: a case
  with no fields). A desk that set it aside forgets it at its next verification (the table's
  summary differs, the resync no longer sees the row); a desk that had stored it sends it again,
  and the push validation answers it.
* The association's counter row is locked as a push locks it, and the row before it as a push locks
  its rows, so a repair and a push's writes never interleave (and never deadlock).
* A repaired or removed row keeps the bucket sums (`desktop.server.store.add_to_buckets`) in the same
  transaction, as a push does: the desks' incremental verification compares them, and a sum left
  behind would make every desk resync that bucket for ever.
* `erase_late_rows` (server migration 0009) applies every stored erasure again, once: rows a server stored before
  it erased late arrivals and late edits are erased as a push erases them now.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.engine import Connection

from db.models import utc_now
from desktop.server.models import server_association, sync_row
from desktop.server.store import ServerError, ServerStore, add_to_buckets
from desktop.server.validation import RowValidator
from desktop.sync import protocol as p

__all__ = ["RowProblem", "erase_late_rows", "inspect_rows", "repair_row"]


@dataclass(frozen=True)
class RowProblem:
    """One stored row that validation refuses: where it is and why."""

    table: str
    row_id: uuid.UUID
    server_seq: int
    deleted: bool
    reason_ar: str


def _association(conn: Connection, name: str, *, lock: bool = False) -> tuple[int, uuid.UUID, int]:
    query = select(server_association.c.pk, server_association.c.association_id, server_association.c.seq).where(
        server_association.c.name == name.strip())
    found = conn.execute(query.with_for_update() if lock else query).first()
    if found is None or found.association_id is None:
        raise ServerError(404, "unknown_association", "لا توجد جمعية مرتبطة بهذا الاسم على الخادم")
    return int(found.pk), found.association_id, int(found.seq)


def _problem(validator: RowValidator, table: str, fields: Mapping[str, Any],
             held: set[tuple[str, uuid.UUID]]) -> str | None:
    """Why a stored row would be refused if it were pushed new today (None when it is fine)."""
    if table not in validator.rules:
        return f"الجدول «{table}» غير معروف لدى الخادم"
    decoded: dict[str, Any] = {}
    table_obj = p.synced_tables()[table]
    for name, value in fields.items():
        if name not in table_obj.c:
            return f"حقل غير معروف في الجدول «{table}»: {name}"
        try:
            decoded[name] = p.canonical_value(table_obj.c[name].type, value)
        except p.WireValueError:
            return f"قيمة الحقل «{name}» في الجدول «{table}» ليست من النوع الصحيح"
    return validator.problem(table, decoded, new=True, present=lambda t, r: (t, r) in held)


def inspect_rows(store: ServerStore, association_name: str, table: str | None = None) -> list[RowProblem]:
    """The association's stored rows that today's push validation refuses, in sequence order."""
    validator = RowValidator(p.synced_tables())
    with store.engine.connect() as conn:
        _pk, association_id, _seq = _association(conn, association_name)
        held = {(t, r) for t, r in conn.execute(select(sync_row.c.table_name, sync_row.c.row_id).where(
            sync_row.c.association_id == association_id))}
        query = select(sync_row.c.table_name, sync_row.c.row_id, sync_row.c.server_seq, sync_row.c.deleted,
                       sync_row.c.fields).where(sync_row.c.association_id == association_id)
        if table:
            query = query.where(sync_row.c.table_name == table)
        problems = []
        for name, row_id, seq, deleted, fields in conn.execute(query.order_by(sync_row.c.server_seq)):
            reason = _problem(validator, name, dict(fields or {}), held)
            if reason is not None:
                problems.append(RowProblem(name, row_id, int(seq), bool(deleted), reason))
    return problems


def repair_row(store: ServerStore, association_name: str, row_id: uuid.UUID, *,
               set_fields: Mapping[str, Any] | None = None, remove: bool = False) -> str:
    """Repair one row of the association (see the module docstring); returns an Arabic line of what was done."""
    validator = RowValidator(p.synced_tables())
    with store.engine.begin() as conn:
        # the row, then the counter: the order a push locks them in (the other order would deadlock with one)
        found = conn.execute(select(sync_row).where(
            sync_row.c.association_id == _association(conn, association_name)[1],
            sync_row.c.row_id == row_id).with_for_update()).mappings().first()
        pk, association_id, seq = _association(conn, association_name, lock=True)
        if found is None:
            raise ServerError(404, "unknown_row", "لا يوجد سجل بهذا المعرّف في الجمعية")
        table = str(found["table_name"])
        bucket = p.bucket_of(row_id)
        if remove:
            conn.execute(delete(sync_row).where(sync_row.c.association_id == association_id,
                                                sync_row.c.row_id == row_id))
            add_to_buckets(conn, association_id, {(table, bucket): [-1, -int(found["digest"])]})
            return f"أُزيل السجل من الجدول «{table}» على الخادم"
        if not set_fields:
            raise ServerError(422, "nothing_to_repair", "اذكر حقلًا واحدًا على الأقل للتصحيح (--set) أو أزل السجل (--remove)")
        fields = dict(found["fields"] or {})
        meta = dict(found["meta"] or {})
        version = int(found["version"]) + 1
        now = utc_now().isoformat()
        for name, value in set_fields.items():
            fields[name] = value
            meta[name] = {"v": version, "hlc": fields.get("hlc") or "", "device": None, "user": None, "repaired": now}
        held = {(t, r) for t, r in conn.execute(select(sync_row.c.table_name, sync_row.c.row_id).where(
            sync_row.c.association_id == association_id))}
        reason = _problem(validator, table, fields, held)
        if reason is not None:
            raise ServerError(422, "still_invalid", f"لم يُصحَّح السجل: {reason}")
        fields.update({"id": str(row_id), "version": version, "server_seq": seq + 1})
        known = p.synced_tables().get(table)
        digest = p.row_digest(known, row_id, version, fields) if known is not None else 0
        conn.execute(update(sync_row).where(sync_row.c.association_id == association_id, sync_row.c.row_id == row_id)
                     .values(version=version, server_seq=seq + 1, fields=fields, meta=meta,
                             deleted=fields.get("deleted_at") is not None, bucket=bucket, digest=digest))
        add_to_buckets(conn, association_id, {(table, bucket): [0, digest - int(found["digest"])]})
        conn.execute(update(server_association).where(server_association.c.pk == pk).values(seq=seq + 1))
    return f"صُحّح السجل في الجدول «{table}»: {'، '.join(set_fields)}؛ ستستلمه الأجهزة في مزامنتها التالية"


def erase_late_rows(conn: Connection) -> int:
    """Apply every stored erasure again to the rows it reaches (server migration 0009; idempotent): the append-only
    rows of an erased case that arrived after its erasure before the push erased late arrivals, and the changeable
    rows of an erased case or person a late edit wrote before the push kept them erased. Their content becomes the
    erased one (`desktop.server.erasure.erased_fields`, `db.erasure.anonymised_values`), their merge history
    goes, their digests and buckets follow; version and sequence stay (every desk holding the erasure erases its
    own copy as its verification repairs the bucket). Returns the rows changed."""
    from desktop.server.erasure import erased_fields, erasure_rows, without_history
    from db.erasure import anonymised_values

    tables = p.synced_tables()
    erasures = conn.execute(select(sync_row.c.association_id, sync_row.c.row_id, sync_row.c.fields).where(
        sync_row.c.table_name == "erasure", sync_row.c.deleted.is_(False)).order_by(
        sync_row.c.association_id, sync_row.c.row_id)).all()
    changed = 0
    for association_id, erasure_id, erasure in erasures:
        case_id = _uuid(erasure.get("case_id"))
        if case_id is None:
            continue
        person = _uuid(erasure.get("beneficiary_id"))
        touched, about = erasure_rows(conn, association_id, case_id, person)
        keys = sorted(set(touched))
        deltas: dict[tuple[str, int], list[int]] = {}
        for start in range(0, len(keys), 1000):
            found = conn.execute(select(sync_row.c.table_name, sync_row.c.row_id, sync_row.c.version,
                                        sync_row.c.fields, sync_row.c.meta, sync_row.c.bucket, sync_row.c.digest)
                                 .where(sync_row.c.association_id == association_id,
                                        tuple_(sync_row.c.table_name, sync_row.c.row_id).in_(keys[start:start + 1000]))
                                 .with_for_update()).all()
            for table, row_id, version, stored, meta, bucket, digest in found:
                fields = dict(stored or {})
                changes = erased_fields(table, fields, erasure_id, case_id, about)
                reached = (table == "beneficiary" and row_id == person) or (table == "case" and row_id == case_id) \
                    or (table not in ("beneficiary", "case") and _uuid(fields.get("case_id")) == case_id)
                if reached:
                    changes.update({k: v for k, v in anonymised_values(table, row_id.hex).items()
                                    if fields.get(k) != v})
                if not changes or table not in tables:
                    continue
                fields.update(changes)
                new_digest = p.row_digest(tables[table], row_id, int(version), fields)
                conn.execute(update(sync_row).where(
                    sync_row.c.association_id == association_id, sync_row.c.table_name == table,
                    sync_row.c.row_id == row_id).values(fields=fields, meta=without_history(dict(meta or {})),
                                                        digest=new_digest))
                delta = deltas.setdefault((table, int(bucket)), [0, 0])
                delta[1] += new_digest - int(digest)
                changed += 1
        add_to_buckets(conn, association_id, deltas)
    return changed


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None
