"""The audit trail's hash chain: the canonical form of an event and its SHA-256 (pure functions, no session).

Each desk chains the audit events it writes (`db.models.AuditEvent`): event n of a desk carries
``chain_seq = n``, ``prev_hash`` = the ``hash`` of its event n-1 (`GENESIS` for the first) and
``hash = event_hash(...)``. The hash covers what the desk wrote and cannot be re-keyed by the sync:
the event's id, chain position, actor (as the desk wrote it: the claimed actor when the server
re-stamped it), action, entity, entity id, time and details, and the previous hash. It does not cover
``device_id`` and ``association_id``: enrolment re-keys them to the server's ids on every row; an event
moved to another desk's chain still breaks both chains (a gap in one, a foreign link in the other).

Two canonical forms (``"v"``): version 1 hashed the details themselves; version 2 (every event written since
migration 0023, issue 14's sanctioned erasure) hashes `details_digest` of them, so a retention erasure may replace
the details by a marker that keeps that digest (`db.erasure`) and the event still verifies. `event_hash` is
version 2; `event_hash_v1` is kept to verify the events written before.

Imported by the desk (`desktop.audit`, `desktop.audit_verify`) and loadable by the sync server (it is in `db`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["GENESIS", "canonical_event", "details_digest", "event_hash", "event_hash_v1"]

#: The `prev_hash` of a desk's first event.
GENESIS = "0" * 64


def _uuid_text(value: uuid.UUID | str | None) -> str | None:
    if value is None:
        return None
    return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).hex


def _moment_text(value: dt.datetime | str) -> str:
    """A moment as ``YYYY-MM-DDTHH:MM:SS.ffffff`` in UTC (naive values are UTC, as the database stores them)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def details_digest(details: Mapping[str, Any] | None) -> str:
    """The hex SHA-256 of an event's details as sorted-key compact JSON (UTF-8): what version 2 hashes."""
    text = json.dumps(dict(details or {}), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def canonical_event(
    *,
    event_id: uuid.UUID | str,
    chain_seq: int,
    actor_id: uuid.UUID | str | None,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str | None,
    at: dt.datetime | str,
    details: Mapping[str, Any] | None,
    prev_hash: str,
    version: int = 2,
    digest: str | None = None,
) -> bytes:
    """The bytes hashed for one event: sorted-key compact JSON (UTF-8) of its own fields and `prev_hash`.

    Version 2 puts `details_digest(details)` (or the given `digest`: an erased event's) where version 1 put the
    details themselves.
    """
    document: dict[str, Any] = {
        "v": version,
        "id": _uuid_text(event_id),
        "seq": int(chain_seq),
        "actor": _uuid_text(actor_id),
        "action": action,
        "entity": entity,
        "entity_id": _uuid_text(entity_id),
        "at": _moment_text(at),
        "prev": prev_hash,
    }
    if version == 1:
        document["details"] = dict(details or {})
    else:
        document["details_sha256"] = digest if digest is not None else details_digest(details)
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(**fields: Any) -> str:
    """The hex SHA-256 of `canonical_event(**fields)` (version 2 unless `version=1` is given)."""
    return hashlib.sha256(canonical_event(**fields)).hexdigest()


def event_hash_v1(**fields: Any) -> str:
    """The hex SHA-256 of an event's version-1 canonical form (events written before migration 0023)."""
    return hashlib.sha256(canonical_event(version=1, **fields)).hexdigest()
