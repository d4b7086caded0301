"""The one way an audit event is written on this desk: `record_audit`, which chains it (see `db.audit_chain`).

Every service writes its audit events through `record_audit`, in the session of the action it
audits (so the event, its chain link and the change commit or roll back together). A write session
holds SQLite's write lock from its BEGIN (`db.engine.begin_sqlite_transaction`: IMMEDIATE), so two
actions of this desk never read the same chain head. The head of this desk's chain is remembered in
the session (`Session.info`) for the events added before a flush; otherwise read by the
``(device_id, chain_seq)`` index.

This desk's chain is that of its `Device` row (the earliest live one that is not the demo data's);
enrolment re-keys the row and every event to the server's device id, so the chain continues.
A test checks that no other module constructs `AuditEvent`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit_chain import GENESIS, event_hash
from db.models import AuditEvent, Device

__all__ = ["DEMO_PREFIX", "desk_device_id", "record_audit"]

#: The case number prefix of the demo data's device (the same as `desktop.casework.DEMO_PREFIX`).
DEMO_PREFIX = "DEMO"

_HEADS = "mustafid.audit_heads"


def desk_device_id(session: Session) -> uuid.UUID | None:
    """This desk's device id: the earliest live, not revoked `Device` other than the demo data's (None before one)."""
    return session.scalars(
        select(Device.id)
        .where(Device.deleted_at.is_(None), Device.revoked_at.is_(None), Device.case_number_prefix != DEMO_PREFIX)
        .order_by(Device.enrolled_at, Device.id)
        .limit(1)
    ).first()


def _head(session: Session, device_id: uuid.UUID | None) -> tuple[int, str]:
    """(chain_seq, hash) of the last event of a desk's chain, (0, GENESIS) before its first."""
    heads: dict[uuid.UUID | None, tuple[int, str]] = session.info.setdefault(_HEADS, {})
    known = heads.get(device_id)
    if known is not None:
        return known
    where = AuditEvent.device_id.is_(None) if device_id is None else AuditEvent.device_id == device_id
    with session.no_autoflush:
        top = session.scalar(select(func.max(AuditEvent.chain_seq)).where(where))
        if top is None:
            return 0, GENESIS
        last = session.scalar(select(AuditEvent.hash).where(where, AuditEvent.chain_seq == top).limit(1))
    return int(top), last or GENESIS


def record_audit(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    association_id: uuid.UUID | None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    device_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Add one audit event to `session`, chained after this desk's previous one; returns it.

    `device_id` is this desk's device when given (the services know it); otherwise it is looked up.
    """
    device = device_id if device_id is not None else desk_device_id(session)
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    content = dict(details or {})
    seq, prev = _head(session, device)
    event = AuditEvent(
        association_id=association_id,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        at=moment,
        details=content,
        device_id=device,
        updated_by=actor_id,
        chain_seq=seq + 1,
        prev_hash=prev,
    )
    event.hash = event_hash(
        event_id=event.id, chain_seq=seq + 1, actor_id=actor_id, action=action, entity=entity,
        entity_id=entity_id, at=moment, details=content, prev_hash=prev,
    )
    session.info.setdefault(_HEADS, {})[device] = (seq + 1, event.hash)
    session.add(event)
    return event
