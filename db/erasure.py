"""The sanctioned erasure (issue 14 item 4): what retention may change in the append-only rows of a case, and how.

Decisions recorded here (one definition for the desk, its triggers and the sync server, which loads `db`):

* An `erasure` row (`db.models.Erasure`: which case, whose beneficiary when the person is anonymised too, who,
  when, the retention rule applied) is itself append-only, audited and synced. Applying it replaces the personal
  content of the case's append-only rows by `MARKER`: the declaration's signed text; a step's note and skip
  reason; the committee's reason; the details of the audit events about the case, its rows or the person (their
  ``entity_id`` is the case, the beneficiary, or a row of any table whose ``case_id`` is the case), except the
  retention's own events (`KEPT_ACTIONS`). Everything else of those rows stays (who, when, which step, the decision), so the trail and
  the dashboard figures stay.
* An erased event's details become ``{"erased": MARKER, "sha256": <details_digest of what they were>,
  "erasure": <the erasure's id>, "chain": 1|2}``: version 2 of the audit chain hashes that digest, so the event
  still verifies (`desktop.audit_verify`); an event written before version 2 (``"chain": 1``) is accepted by the
  verifier only while the erasure it names exists.
* The desk applies an erasure in the transaction that records it (retention) or pulls it (sync), with the outbox
  suppressed: every desk and the server apply the same function to the same rows, so the content stays equal
  without pushing updates the append-only rules would refuse. The desk's append-only guards (migration 0023)
  allow exactly these updates, and only while a matching erasure row exists.
* A late arrival — an append-only row of `LATE_TABLES` of an already-erased case, written by a desk that was
  offline — is erased on arrival: by the server in the push that brings it, and by a desk that pulls it
  (`erasures_reaching_sqlite`, then `apply_erasure_sqlite` again, which leaves erased rows alone).
* What an erasure does to the case's CHANGEABLE rows (and to its person when the erasure names them) is
  `ANONYMISED_COLUMNS`, the one list: retention writes those values (they reach the server by the outbox), the
  server writes them again over a late edit of such a row pushed by a desk that was offline (`anonymised_values`,
  in the push that brings it), and every desk then pulls the row erased, the editing desk included.
* A desk that pulls an erasure removes the stored files (sealed or not) of the case's attachments that only
  erased cases use and whose SHA-256 no other live attachment row holds (`erased_case_files_sqlite`), and never
  fetches them again (`erased_only_attachments_sqlite`); the server drops its copies itself.
* Who may erase (`ERASURE_ROLES`) and when (`is_past_retention`: a closed case whose ``closed_at`` is at least
  the case's own policy version's ``[privacy] retention_years`` ago) are checked by the desk and by the server.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tomllib
from collections.abc import Mapping
from typing import Any

from db.audit_chain import details_digest, event_hash, event_hash_v1

__all__ = [
    "ANONYMISED_COLUMNS",
    "ANONYMISED_NAME",
    "ANONYMISED_REPORTER",
    "ERASABLE_COLUMNS",
    "ERASURE_ROLES",
    "KEPT_ACTIONS",
    "MARKER",
    "LATE_TABLES",
    "anonymised_values",
    "apply_erasure_sqlite",
    "erased_case_files_sqlite",
    "erased_only_attachments_sqlite",
    "erasures_reaching_sqlite",
    "erased_audit_details",
    "erased_columns",
    "is_erased_details",
    "is_past_retention",
    "retention_years",
    "years_before",
]

#: What replaces erased personal content, everywhere.
MARKER = "محذوف بموجب سياسة الاحتفاظ"

#: The roles that may run retention (the roles reminded of it every year).
ERASURE_ROLES: tuple[str, ...] = ("manager", "admin", "operations_manager")

#: The free-text columns of each append-only table an erasure replaces by `MARKER` (audit details apart).
ERASABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "declaration": ("text",),
    "step_completion": ("note", "skip_reason"),
    "committee_decision": ("reason",),
}

#: The append-only tables whose rows an erasure changes: a row of theirs that arrives after its case's erasure (a
#: desk that was offline) is erased on arrival, by the server and by a desk that pulls it.
LATE_TABLES: frozenset[str] = frozenset({*ERASABLE_COLUMNS, "audit_event"})

#: What an anonymised beneficiary is called (search and lists show it), and a rescue report's reporter.
ANONYMISED_NAME = "مستفيد حُذفت بياناته الشخصية"
ANONYMISED_REPORTER = "مبلّغ حُذفت بياناته"
#: A value made per row from the row's id (32 hex digits): `anonymised_values` fills it in.
_PER_ROW = object()

#: The changeable rows an erasure reaches and the value each personal column takes (None: cleared), in one place.
#: ``beneficiary``: the erasure's person (only when it names one: every case of theirs erased); ``case``: the
#: erased case itself; the others: the rows whose ``case_id`` is the erased case. Gender, nationality, household
#: size, statuses and dates stay (they identify nobody; the reports count them).
ANONYMISED_COLUMNS: dict[str, dict[str, Any]] = {
    "beneficiary": {"full_name": ANONYMISED_NAME, "name_key": _PER_ROW, "id_number": _PER_ROW, "id_expiry": None,
                    "birth_date": None, "mobile": None, "phone_key": None, "city": None},
    "case": {"summary": None, "location": None},
    "referral": {"note": None, "answer": None},
    "assessment": {"notes": None, "recommendation": None},
    "assessment_item": {"note": None},
    "service": {"description": None},
    "beneficiary_notice": {"note": None},
    "eligibility_recommendation": {"reason": None},
    "rescue_report": {"reporter_name": ANONYMISED_REPORTER, "reporter_phone": None, "platform": None,
                      "what_happened": "—", "escalation_note": None, "help_given": None,
                      "dispatch_override_reason": None, "latitude": None, "longitude": None},
    "reception_draft": {"fields": {}},
}


def anonymised_values(table: str, row_hex: str) -> dict[str, Any]:
    """{column: erased value} of one changeable row of `ANONYMISED_COLUMNS` (empty for another table); `row_hex` is
    the row's id as 32 hex digits (an anonymised person's name key and ID marker are unique per row)."""
    per_row = {"name_key": f"anon {row_hex}", "id_number": f"#{row_hex[-9:]}"}
    return {name: per_row[name] if value is _PER_ROW else (dict(value) if isinstance(value, dict) else value)
            for name, value in ANONYMISED_COLUMNS.get(table, {}).items()}


#: Audit actions of the retention itself: they name no person and are kept whole.
KEPT_ACTIONS: frozenset[str] = frozenset({"case_anonymised", "erasure_recorded", "retention_applied"})


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """`moment` the given number of calendar years earlier (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def retention_years(source_text: str) -> int | None:
    """The ``[privacy] retention_years`` of a policy profile's TOML text; None when absent or unreadable."""
    try:
        privacy = tomllib.loads(source_text).get("privacy")
    except tomllib.TOMLDecodeError:
        return None
    years = privacy.get("retention_years") if isinstance(privacy, dict) else None
    return years if isinstance(years, int) and not isinstance(years, bool) and years > 0 else None


def is_past_retention(status: str | None, closed_at: dt.datetime | None, years: int | None,
                      now: dt.datetime) -> bool:
    """True when a case may be erased: closed, and closed at least `years` before `now`."""
    if status != "closed" or closed_at is None or years is None:
        return False
    if closed_at.tzinfo is None:
        closed_at = closed_at.replace(tzinfo=dt.UTC)
    return closed_at <= years_before(now, years)


def is_erased_details(details: Mapping[str, Any] | None) -> bool:
    """True when an audit event's details are an erasure's (`erased_audit_details`)."""
    return bool(details) and details is not None and details.get("erased") == MARKER


def erased_columns(table: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """{column: MARKER} for the free-text columns of an append-only row that hold something (and are not erased)."""
    return {name: MARKER for name in ERASABLE_COLUMNS.get(table, ())
            if fields.get(name) is not None and fields.get(name) != MARKER}


def erased_audit_details(event: Mapping[str, Any], erasure_id: str) -> dict[str, Any] | None:
    """The erased details of one audit event (its columns by name; details as a mapping), None when kept as is.

    ``chain`` says which canonical form its stored hash verifies under (2 unless only version 1 does).
    """
    details = event.get("details") or {}
    if not details or is_erased_details(details) or event.get("action") in KEPT_ACTIONS:
        return None  # nothing to erase, already erased, or the retention's own
    written_actor = event.get("claimed_actor_id") if event.get("restamped_at") is not None else event.get("actor_id")
    fields = {"event_id": event["id"], "chain_seq": event.get("chain_seq") or 0, "actor_id": written_actor,
              "action": event.get("action"), "entity": event.get("entity"), "entity_id": event.get("entity_id"),
              "at": event.get("at"), "details": details, "prev_hash": event.get("prev_hash") or ""}
    chain = 2
    try:
        if event.get("hash") and event_hash(**fields) != event.get("hash") and \
                event_hash_v1(**fields) == event.get("hash"):
            chain = 1
    except (TypeError, ValueError):
        chain = 2
    return {"erased": MARKER, "sha256": details_digest(details), "erasure": erasure_id, "chain": chain}


def _hex(value: Any) -> str | None:
    return None if value is None else str(value).replace("-", "").lower()


def _case_tables(connection: sqlite3.Connection) -> list[str]:
    """The synced tables of the live schema with a ``case_id`` column (the case's own rows)."""
    from db.outbox import synced_table_columns

    return [name for name, columns in synced_table_columns(connection).items() if "case_id" in columns]


def apply_erasure_sqlite(connection: sqlite3.Connection, erasure_id: str, case_id: str,
                         beneficiary_id: str | None) -> int:
    """Apply one erasure to this desk's append-only rows (ids as stored: 32 hex digits); returns the rows changed.

    Run it inside the transaction that stores the erasure row, with the outbox suppressed (the server applies
    the same erasure itself); the guards of migration 0023 refuse it without that row.
    """
    erasure_id, case_id = _hex(erasure_id) or "", _hex(case_id) or ""
    beneficiary = _hex(beneficiary_id)
    changed = 0
    for table, columns in ERASABLE_COLUMNS.items():
        names = ", ".join(f'"{c}"' for c in columns)
        for row in connection.execute(f'SELECT id, {names} FROM "{table}" WHERE case_id = ?', (case_id,)).fetchall():
            values = erased_columns(table, dict(zip(columns, row[1:], strict=True)))
            if values:
                sets = ", ".join(f'"{c}" = ?' for c in values)
                connection.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', (*values.values(), row[0]))
                changed += 1
    about = {case_id} | ({beneficiary} if beneficiary else set())
    for table in _case_tables(connection):
        about.update(str(row[0]) for row in connection.execute(f'SELECT id FROM "{table}" WHERE case_id = ?',
                                                                (case_id,)))
    event_columns = ("id", "chain_seq", "prev_hash", "hash", "actor_id", "claimed_actor_id", "restamped_at",
                     "action", "entity", "entity_id", "at", "details")
    ids = sorted(about)
    found = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found += connection.execute(
            f"SELECT {', '.join(event_columns)} FROM audit_event WHERE entity_id IN ({', '.join('?' for _ in chunk)})",
            chunk).fetchall()
    for row in found:
        event = dict(zip(event_columns, row, strict=True))
        event["details"] = json.loads(event["details"]) if isinstance(event["details"], str) else event["details"]
        erased = erased_audit_details(event, erasure_id)
        if erased is not None:
            connection.execute("UPDATE audit_event SET details = ? WHERE id = ?",
                               (json.dumps(erased, ensure_ascii=False), event["id"]))
            changed += 1
    return changed


def erasures_reaching_sqlite(connection: sqlite3.Connection, table: str, rows: list[Mapping[str, Any]]
                             ) -> set[tuple[str, str, str | None]]:
    """(erasure id, case id, beneficiary id) of this desk's erasures that reach rows of `table` (one of
    `LATE_TABLES`; each a mapping with ``case_id``, or an audit event's ``entity``/``entity_id``, in any id form).

    An audit event is reached when it is about an erased case, an erased person, or a row of an erased case.
    Empty at once when the desk holds no erasure (the common case: one indexed probe).
    """
    if table not in LATE_TABLES or not rows or connection.execute(
            "SELECT 1 FROM erasure WHERE deleted_at IS NULL LIMIT 1").fetchone() is None:
        return set()
    cases: set[str] = set()
    people: set[str] = set()
    if table != "audit_event":
        cases = {h for h in (_hex(row.get("case_id")) for row in rows) if h}
    else:
        tables = set(_case_tables(connection))
        for row in rows:
            about = _hex(row.get("entity_id"))
            if not about:
                continue
            cases.add(about)
            people.add(about)
            entity = row.get("entity")
            if isinstance(entity, str) and entity in tables:
                owner = connection.execute(f'SELECT case_id FROM "{entity}" WHERE id = ?', (about,)).fetchone()
                if owner is not None and owner[0]:
                    cases.add(_hex(owner[0]) or "")
    found: set[tuple[str, str, str | None]] = set()
    for column, ids in (("case_id", sorted(cases)), ("beneficiary_id", sorted(people))):
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update((str(e), str(c), None if b is None else str(b)) for e, c, b in connection.execute(
                f"SELECT id, case_id, beneficiary_id FROM erasure WHERE deleted_at IS NULL "
                f"AND {column} IN ({', '.join('?' for _ in chunk)})", chunk))
    return found


def _attachment_references() -> str:
    """SQL of (attachment id ``a``, case id ``c``) for every reference to a stored file by a row of a case (its
    documents, the declaration's signature and PDF, decision letters: the models' foreign keys to ``attachment``)."""
    from db.models import Base

    parts = [f'SELECT "{column.name}" AS a, case_id AS c FROM "{table.name}" WHERE "{column.name}" IS NOT NULL'
             for table in Base.metadata.sorted_tables if "case_id" in table.c
             for column in table.c if any(fk.column.table.name == "attachment" for fk in column.foreign_keys)]
    return " UNION ALL ".join(parts)


#: The attachment rows only erased cases use: every case referencing them has a live erasure.
_ERASED_ONLY = ("SELECT a FROM ({refs}) WHERE c IN (SELECT case_id FROM erasure WHERE deleted_at IS NULL) "
                "EXCEPT SELECT a FROM ({refs}) WHERE c NOT IN (SELECT case_id FROM erasure WHERE deleted_at IS NULL)")


def erased_case_files_sqlite(connection: sqlite3.Connection, case_id: str) -> list[tuple[str, str]]:
    """(SHA-256, stored path) of the files of an erased case's attachments that this desk may remove: attachment
    rows only erased cases reference (deleted by retention or not yet), whose SHA-256 no other live attachment row
    holds (a file another case, or anything else, still uses stays). Run it after the erasure row is stored."""
    refs = _attachment_references()
    only = _ERASED_ONLY.format(refs=refs)
    return [(str(sha), str(path)) for sha, path in connection.execute(
        f"SELECT DISTINCT sha256, stored_path FROM attachment WHERE id IN ({only}) "
        f"AND id IN (SELECT a FROM ({refs}) WHERE c = ?) "
        f"AND sha256 NOT IN (SELECT sha256 FROM attachment WHERE deleted_at IS NULL AND id NOT IN ({only}))",
        (_hex(case_id),))]


def erased_only_attachments_sqlite(connection: sqlite3.Connection, ids: list[str]) -> set[str]:
    """Those of `ids` (attachment ids, 32 hex digits) that only erased cases use: their files are not fetched.

    Asked for every pulled page of attachments, so it reads by the ``case_id`` indexes first: the references of
    erased cases to `ids` (none when the desk holds no erasure, and for most pages); only those few are then
    looked for among the other cases' references."""
    wanted = sorted({h for h in (_hex(i) for i in ids) if h})
    if not wanted:
        return set()
    refs = _attachment_references()
    erased = "SELECT case_id FROM erasure WHERE deleted_at IS NULL"
    candidates: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        candidates.update(str(a) for (a,) in connection.execute(
            f"SELECT a FROM ({refs}) WHERE c IN ({erased}) AND a IN ({', '.join('?' * len(chunk))})", chunk))
    if not candidates:
        return set()
    found = sorted(candidates)
    kept = {str(a) for (a,) in connection.execute(
        f"SELECT a FROM ({refs}) WHERE c NOT IN ({erased}) AND a IN ({', '.join('?' * len(found))})", found)}
    return candidates - kept
