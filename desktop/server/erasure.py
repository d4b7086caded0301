"""The server's side of a sanctioned erasure (issue 14, `db.erasure`): check a pushed `erasure` row, then apply it.

* Checked before it is stored (a refusal is that mutation's Arabic ``rejected``): the case is the association's,
  not deleted, closed, and closed at least its own policy version's ``[privacy] retention_years`` before the
  server's clock (not the desk's); the erasure names those years and, if any, the case's own beneficiary; the
  account named as having erased holds a role that may run retention (`db.erasure.ERASURE_ROLES`) and is active.
* Applied in the same transaction: the append-only rows of the case held by the server get the same erased
  content every desk gives them (the same functions of `db.erasure` over the wire form), their version and
  sequence unchanged (each desk applies the erasure it pulls; a desk that pulls the rows later gets them
  erased); their digests and buckets follow. The per-field merge history (``meta``'s previous values, ``p``) of
  every row of the case and of its beneficiary is dropped too: it held the names retention replaced.
* A late arrival (`late_erasures`): a new append-only row of `db.erasure.LATE_TABLES` pushed after its case's
  erasure is stored (a desk that was offline wrote it) is erased in the push that brings it, before it is
  stored, so no desk pulls the name again; a desk holding the erasure erases such a row as it pulls it too.
  Found by the erasure's ``case_id`` / ``beneficiary_id`` (the JSON expression indexes of server migration 0006).
* A late edit (`late_edits`): a changeable row of `db.erasure.ANONYMISED_COLUMNS`'s tables that a push writes
  (edited or new) and an erasure reaches keeps the erased values in the merged row, whatever the edit said: the
  version every desk pulls, the editing desk's included, is erased; a conflict record of that push about such a
  field keeps the erased value on both sides too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from db.erasure import (
    ERASURE_ROLES,
    LATE_TABLES,
    anonymised_values,
    erased_audit_details,
    erased_columns,
    is_past_retention,
    retention_years,
)
from desktop.server.models import sync_row

__all__ = ["erased_fields", "erasure_problem", "erasure_rows", "holds_erasure", "late_edits", "late_erasures",
           "without_history"]

ReadRow = Callable[[str, uuid.UUID], Mapping[str, Any] | None]

_REFUSED = "رفض الخادم طلب الحذف بموجب سياسة الاحتفاظ: "


def _moment(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def erasure_problem(read: ReadRow, fields: Mapping[str, Any], now: dt.datetime) -> str | None:
    """Why the server refuses a new erasure (one Arabic sentence), or None when it is sanctioned."""
    case_id = _uuid(fields.get("case_id"))
    case = read("case", case_id) if case_id is not None else None
    if case is None:
        return _REFUSED + "الحالة غير موجودة لدى الخادم"
    version_id = _uuid(case.get("policy_version_id"))
    version = read("policy_version", version_id) if version_id is not None else None
    years = retention_years(str(version.get("source_text") or "")) if version is not None else None
    if years is None:
        return _REFUSED + "سياسة الحالة لا تحدد مدة للاحتفاظ بالبيانات"
    if case.get("status") != "closed":
        return _REFUSED + "الحالة ليست مغلقة"
    if not is_past_retention(case.get("status"), _moment(case.get("closed_at")), years, now):
        return _REFUSED + "لم تنقضِ مدة الاحتفاظ بالحالة بعد إغلاقها"
    if fields.get("retention_years") != years:
        return _REFUSED + "مدة الاحتفاظ المذكورة فيه تخالف سياسة الحالة"
    beneficiary = fields.get("beneficiary_id")
    if beneficiary is not None and _uuid(beneficiary) != _uuid(case.get("beneficiary_id")):
        return _REFUSED + "المستفيد المذكور فيه ليس مستفيد الحالة"
    account_id = _uuid(fields.get("erased_by"))
    account = read("app_user", account_id) if account_id is not None else None
    roles = set(account.get("roles") or [account.get("role")]) if account is not None else set()
    if account is None or account.get("active") is False or not roles & set(ERASURE_ROLES):
        return _REFUSED + "من طلبه لا يملك صلاحية تطبيق مدة الاحتفاظ (مدير الجمعية أو مدير العمليات أو مسؤول النظام)"
    return None


def erasure_rows(conn: Connection, association_id: uuid.UUID, case_id: uuid.UUID,
                 beneficiary_id: uuid.UUID | None) -> tuple[list[tuple[str, uuid.UUID]], set[uuid.UUID]]:
    """(table, row id) of every stored row an erasure touches — the case's rows of any table (their history),
    the case and its beneficiary, the audit events about any of them — and the ids those events are about."""
    fields = sync_row.c.fields
    mine = sync_row.c.association_id == association_id
    own = fields["case_id"].as_string() == str(case_id)
    own = or_(own, (sync_row.c.table_name == "case") & (sync_row.c.row_id == case_id))
    if beneficiary_id is not None:
        own = or_(own, (sync_row.c.table_name == "beneficiary") & (sync_row.c.row_id == beneficiary_id))
    found = [(str(table), row_id) for table, row_id in conn.execute(
        select(sync_row.c.table_name, sync_row.c.row_id).where(mine, own))]
    about = {row_id for _table, row_id in found} | {case_id} | ({beneficiary_id} if beneficiary_id else set())
    ids = sorted(str(row_id) for row_id in about)
    for start in range(0, len(ids), 500):
        found += [(str(table), row_id) for table, row_id in conn.execute(
            select(sync_row.c.table_name, sync_row.c.row_id).where(
                mine, sync_row.c.table_name == "audit_event",
                fields["entity_id"].as_string().in_(ids[start:start + 500])))]
    return found, about


def erased_fields(table: str, fields: Mapping[str, Any], erasure_id: uuid.UUID, case_id: uuid.UUID,
                  about: set[uuid.UUID]) -> dict[str, Any]:
    """The changes an erasure makes to one stored row's wire fields (empty when none); `about` as `erasure_rows`."""
    if table != "audit_event":
        return erased_columns(table, fields) if _uuid(fields.get("case_id")) == case_id else {}
    if _uuid(fields.get("entity_id")) not in about:
        return {}
    stored = fields.get("details")
    details: dict[str, Any] = stored if isinstance(stored, dict) else {}
    erased = erased_audit_details({**fields, "details": details}, erasure_id.hex)
    return {} if erased is None else {"details": erased}


def without_history(meta: Mapping[str, Any]) -> dict[str, Any]:
    """A row's per-field merge metadata without the previous values (``p``) it kept."""
    return {name: ({k: v for k, v in entry.items() if k != "p"} if isinstance(entry, dict) else entry)
            for name, entry in meta.items()}



def holds_erasure(conn: Connection, association_id: uuid.UUID,
                  held: Mapping[tuple[str, uuid.UUID], Mapping[str, Any]]) -> bool:
    """True when the association holds a live erasure, stored or among a push's rows `held` (one indexed probe)."""
    if any(table == "erasure" and not f.get("deleted_at") for (table, _id), f in held.items()):
        return True
    return conn.execute(select(sync_row.c.row_id).where(
        sync_row.c.association_id == association_id, sync_row.c.table_name == "erasure",
        sync_row.c.deleted.is_(False)).limit(1)).first() is not None


def _erasures_of(conn: Connection, association_id: uuid.UUID,
                 held: Mapping[tuple[str, uuid.UUID], Mapping[str, Any]], cases: Sequence[str], people: Sequence[str],
                 ) -> tuple[dict[uuid.UUID, uuid.UUID], dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]]:
    """({case: erasure}, {person: (erasure, case)}) of the live erasures of those cases or people (ids as text),
    stored (the JSON expression indexes of server migration 0006) or among the push's rows `held`."""
    erasures = [dict(f) for (table, _id), f in held.items() if table == "erasure" and not f.get("deleted_at")]
    stored_fields = sync_row.c.fields
    for start in range(0, max(len(cases), len(people)), 1000):
        erasures += [dict(f) for (f,) in conn.execute(select(stored_fields).where(
            sync_row.c.association_id == association_id, sync_row.c.table_name == "erasure",
            sync_row.c.deleted.is_(False),
            or_(stored_fields["case_id"].as_string().in_(cases[start:start + 1000]),
                stored_fields["beneficiary_id"].as_string().in_(people[start:start + 1000]))))]
    by_case: dict[uuid.UUID, uuid.UUID] = {}
    by_person: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = {}
    for erasure in erasures:
        erasure_id, case_id = _uuid(erasure.get("id")), _uuid(erasure.get("case_id"))
        if erasure_id is None or case_id is None:
            continue
        by_case.setdefault(case_id, erasure_id)
        person = _uuid(erasure.get("beneficiary_id"))
        if person is not None:
            by_person.setdefault(person, (erasure_id, case_id))
    return by_case, by_person


def late_edits(conn: Connection, association_id: uuid.UUID,
               held: Mapping[tuple[str, uuid.UUID], Mapping[str, Any]],
               edited: Sequence[tuple[str, uuid.UUID, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """For each row (table, id, wire fields) of `db.erasure.ANONYMISED_COLUMNS`'s tables a push wrote, the erased
    values it keeps (`db.erasure.anonymised_values`; empty when no erasure reaches it): a case erased, a row of an
    erased case, or the person an erasure names. A desk that was offline renamed the person or wrote a note after
    the erasure reached the server: the merged row stays erased. One indexed query for the whole push (the caller
    probes `holds_erasure` first)."""
    cases = sorted({str(case_id) for table, row_id, fields in edited if table != "beneficiary"
                    for case_id in [row_id if table == "case" else _uuid(fields.get("case_id"))] if case_id})
    people = sorted({str(row_id) for table, row_id, _fields in edited if table == "beneficiary"})
    by_case, by_person = _erasures_of(conn, association_id, held, cases, people)
    found: list[dict[str, Any]] = []
    for table, row_id, fields in edited:
        if table == "beneficiary":
            reached = row_id in by_person
        else:
            case_id = row_id if table == "case" else _uuid(fields.get("case_id"))
            reached = case_id is not None and case_id in by_case
        found.append(anonymised_values(table, row_id.hex) if reached else {})
    return found


def late_erasures(conn: Connection, association_id: uuid.UUID,
                  held: Mapping[tuple[str, uuid.UUID], Mapping[str, Any]],
                  arrivals: Sequence[tuple[str, Mapping[str, Any]]], *, probed: bool = False,
                  ) -> list[tuple[uuid.UUID, uuid.UUID, set[uuid.UUID]] | None]:
    """For each new row (table, wire fields) of a push, (erasure id, case id, `about` as `erasure_rows`) of an
    erasure that reaches it — its case's, or for an audit event the erasure of the case, the person or the case of
    the row it is about — or None. `held` is the push's rows ({(table, id): fields}: an erasure of the same batch
    counts). A few indexed queries for the whole push; one probe when the association holds no erasure (none when
    the caller has `probed` it already)."""
    found: list[tuple[uuid.UUID, uuid.UUID, set[uuid.UUID]] | None] = [None] * len(arrivals)
    mine = sync_row.c.association_id == association_id
    if not arrivals or not probed and not holds_erasure(conn, association_id, held):
        return found
    wanted: list[tuple[set[uuid.UUID], uuid.UUID | None]] = []  # per arrival: its candidate cases, its person
    owners: dict[str, set[uuid.UUID]] = {}  # the rows audit events are about, by table, to read their case
    for table, fields in arrivals:
        if table != "audit_event":
            case_id = _uuid(fields.get("case_id")) if table in LATE_TABLES else None
            wanted.append(({case_id} if case_id is not None else set(), None))
            continue
        about = _uuid(fields.get("entity_id"))
        wanted.append(({about} if about is not None else set(), about))
        entity = fields.get("entity")
        if about is not None and isinstance(entity, str) and entity not in ("case", "beneficiary"):
            owners.setdefault(entity, set()).add(about)
    case_of: dict[tuple[str, uuid.UUID], uuid.UUID] = {}
    for entity, ids in owners.items():
        stored = [i for i in ids if (entity, i) not in held]
        case_of.update({(entity, i): c for i in ids if (entity, i) in held
                        for c in [_uuid(held[(entity, i)].get("case_id"))] if c is not None})
        for start in range(0, len(stored), 1000):
            case_of.update({(entity, row_id): c for row_id, value in conn.execute(
                select(sync_row.c.row_id, sync_row.c.fields["case_id"].as_string()).where(
                    mine, sync_row.c.table_name == entity, sync_row.c.row_id.in_(sorted(stored)[start:start + 1000])))
                for c in [_uuid(value)] if c is not None})
    for (table, fields), (cases, about) in zip(arrivals, wanted, strict=True):
        entity = fields.get("entity")
        if about is not None and isinstance(entity, str) and (entity, about) in case_of:
            cases.add(case_of[(entity, about)])
    all_cases = sorted({str(c) for cases, _about in wanted for c in cases})
    people = sorted({str(about) for _cases, about in wanted if about is not None})
    by_case, by_person = _erasures_of(conn, association_id, held, all_cases, people)
    for index, (cases, about) in enumerate(wanted):
        about_set = {about} if about is not None else set()
        for case_id in sorted(cases):
            if case_id in by_case:
                found[index] = (by_case[case_id], case_id, about_set)
                break
        else:
            if about is not None and about in by_person:
                found[index] = (*by_person[about], about_set)
    return found
