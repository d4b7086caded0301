"""Which pushed sign-in events prove that an account signed in on the pushing device (issue 13).

A desk writes a ``signed_in`` audit event (or ``first_administrator_created``) when someone signs in on it; the
server remembers the account as signed in on that device (``device_sign_in``), and from then on a row that desk
pushes keeps that account as its author (`desktop.server.store.ServerStore.push`). Such an event is taken as
proof only when one of these holds:

* its author — its actor, the account it says signed in — is the pushing account, or an account already proven
  on that device: it proves nothing new (the pusher is the batch's author anyway), so it costs nothing to
  accept. (The mutation's ``user_id`` is no second witness: a desk writes it as freely as the actor);
* it is a link of the device's own audit hash chain (`db.audit_chain`) that continues what the server holds:
  its ``device_id`` is the pushing device, its ``hash`` is the hash of its own fields, its ``prev_hash`` is the
  ``hash`` of the device's event one place before it (held by the server, or earlier in this batch and itself
  such a link; ``GENESIS`` at place 1), and the server holds no other event of that device at its place.

Why this rule: the server can never see a password typed (it holds nothing a desk lacks: any token a desk could
show, a desk could make), so the simplest check that is sound is that the sign-in be where the device's own
trail says it is. An event made up for the push — written into the outbox or onto the wire, copied from
another desk, replayed, or given a hash that is not its own — does not follow the held chain or forks it, and
is not proof: the rows it meant to cover are re-stamped to the pusher (reason ``unproven_sign_in``), and so is
the event itself. One that does link is a permanent place in that device's chain, pushed under the pushing
account's name: it cannot later be taken out or disowned without breaking the chain `mustafid-admin audit
verify` checks. A real desk's sign-in always links: its events are written chained (`desktop.audit`) and pushed
in order, so the event before it is held or earlier in the same batch. A desk enrolled again under a new device
id continues its chain under ids the server holds no events for; its colleagues' sign-ins there are proven again
once their own event of the new enrolment links (until then their rows are re-stamped, and listed).

The chain lookup reads the device's held events by their JSON ``device_id`` and ``chain_seq`` within the
association's audit events; it runs only for a sign-in of an account neither the pusher nor proven on the device
(a colleague's first sign-in on that PC), never for an ordinary push.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.engine import Connection

from db.audit_chain import GENESIS, event_hash, event_hash_v1
from db.erasure import is_erased_details
from desktop.server.models import device_sign_in, sync_row

__all__ = ["SIGN_IN_ACTIONS", "proven_sign_ins", "rejudge_held_sign_ins", "sign_in_actor"]

#: The audit actions that say an account signed in on the device that wrote them.
SIGN_IN_ACTIONS: frozenset[str] = frozenset({"signed_in", "first_administrator_created"})

#: One pushed audit event: its row id and its canonical fields.
Event = tuple[uuid.UUID, Mapping[str, Any]]


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _seq(fields: Mapping[str, Any]) -> int | None:
    value = fields.get("chain_seq")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def sign_in_actor(fields: Mapping[str, Any]) -> uuid.UUID | None:
    """The account a pushed audit event says signed in on its desk (its actor), else None."""
    if fields.get("action") not in SIGN_IN_ACTIONS:
        return None
    return _uuid(fields.get("actor_id"))


def _own_hash(row_id: uuid.UUID, fields: Mapping[str, Any], actor: Any = None) -> bool:
    """True when the event's `hash` is that of its own fields (chain version 2, else 1; an erased one by its digest),
    its actor as the desk wrote it (`actor`; the pushed ``actor_id`` when not given)."""
    stored = fields.get("hash")
    details = fields.get("details")
    if not isinstance(stored, str) or not isinstance(fields.get("prev_hash"), str) or not isinstance(details, dict):
        return False
    try:
        parts: dict[str, Any] = {
            "event_id": row_id, "chain_seq": fields["chain_seq"],
            "actor_id": fields.get("actor_id") if actor is None else actor,
            "action": fields.get("action"), "entity": fields.get("entity"), "entity_id": fields.get("entity_id"),
            "at": fields["at"], "prev_hash": fields["prev_hash"],
        }
        if is_erased_details(details):
            return event_hash(details=details, digest=str(details.get("sha256")), **parts) == stored
        return event_hash(details=details, **parts) == stored or event_hash_v1(details=details, **parts) == stored
    except (KeyError, TypeError, ValueError):
        return False


def _held(conn: Connection, association_id: uuid.UUID, device_id: uuid.UUID,
          places: Sequence[int]) -> dict[int, list[tuple[uuid.UUID, str | None]]]:
    """The device's audit events the server holds at these chain places: place → [(row id, hash)]."""
    found: dict[int, list[tuple[uuid.UUID, str | None]]] = {}
    if not places:
        return found
    fields = sync_row.c.fields
    for row_id, value in conn.execute(select(sync_row.c.row_id, fields).where(
            sync_row.c.association_id == association_id, sync_row.c.table_name == "audit_event",
            fields["device_id"].as_string() == str(device_id),
            fields["chain_seq"].as_integer().in_(sorted(set(places))))):
        seq = _seq(value or {})
        if seq is not None:
            found.setdefault(seq, []).append((row_id, (value or {}).get("hash")))
    return found


def proven_sign_ins(conn: Connection, *, association_id: uuid.UUID, device_id: uuid.UUID, pusher: uuid.UUID,
                    proven: frozenset[uuid.UUID], events: Sequence[Event]) -> set[uuid.UUID]:
    """The accounts whose sign-in on `device_id` this batch's audit `events` prove (see the module docstring).

    `proven`: the accounts the server already holds as signed in on the device.
    """
    claims = [(row_id, fields, actor) for row_id, fields in events
              for actor in (sign_in_actor(fields),) if actor is not None]
    accepted = {actor for _, _, actor in claims if actor == pusher or actor in proven}
    pending = [(row_id, fields, actor) for row_id, fields, actor in claims if actor not in accepted]
    if not pending:
        return accepted
    mine: dict[int, Event] = {}
    for row_id, fields in events:
        seq = _seq(fields)
        if seq is not None and _uuid(fields.get("device_id")) == device_id:
            mine.setdefault(seq, (row_id, fields))
    places: set[int] = set()
    for _row_id, fields, _actor in pending:
        seq = _seq(fields)
        while seq is not None and seq in mine:  # back through the batch's own links to the held one before
            places.add(seq)
            seq -= 1
        if seq:
            places.add(seq)
    held = _held(conn, association_id, device_id, sorted(places))
    linked: dict[int, str] = {}  # place → hash, for the batch's events that are links of the held chain
    for seq in sorted(s for s in mine if s in places):
        row_id, fields = mine[seq]
        if any(other != row_id for other, _ in held.get(seq, [])) or not _own_hash(row_id, fields):
            continue  # a fork of a place the server holds, or a hash that is not the event's own
        before = linked.get(seq - 1) if seq - 1 in mine else None
        if seq - 1 not in mine:
            if seq == 1:
                before = GENESIS
            elif len(held.get(seq - 1, [])) == 1:
                before = held[seq - 1][0][1]
        if before is not None and fields.get("prev_hash") == before:
            linked[seq] = str(fields["hash"])
    for row_id, fields, actor in pending:
        seq = _seq(fields)
        if seq is not None and mine.get(seq, (None,))[0] == row_id and seq in linked:
            accepted.add(actor)
    return accepted


def rejudge_held_sign_ins(conn: Connection) -> int:
    """Drop every `device_sign_in` that no held sign-in event proves by the chain rule; returns how many.

    For the sign-ins remembered before this rule (server migration 0007; 0005 took every ``signed_in`` event held
    as proof). An event counts with its actor as its desk wrote it (``claimed_actor_id`` when the server re-stamped
    it). The first rule (the pusher's own sign-in) cannot be judged afterwards, the pushing account not being
    kept; a real desk's own sign-ins link, so they stay. An account whose proof is dropped is proven again by its
    next sign-in on that device.
    """
    remembered = {(d, a) for d, a in conn.execute(select(device_sign_in.c.device_id, device_sign_in.c.account_id))}
    if not remembered:
        return 0
    fields = sync_row.c.fields
    proven: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for association_id, row_id, value in conn.execute(select(sync_row.c.association_id, sync_row.c.row_id, fields)
                                                      .where(sync_row.c.table_name == "audit_event",
                                                             fields["action"].as_string().in_(sorted(SIGN_IN_ACTIONS)))):
        event = dict(value or {})
        device, seq = _uuid(event.get("device_id")), _seq(event)
        actor = _uuid(event.get("claimed_actor_id")) or _uuid(event.get("actor_id"))
        if device is None or seq is None or actor is None or (device, actor) not in remembered:
            continue
        if (device, actor) in proven or not _own_hash(row_id, event, str(actor)):
            continue
        held = _held(conn, association_id, device, [seq - 1, seq] if seq > 1 else [seq])
        if any(other != row_id for other, _ in held.get(seq, [])):
            continue
        before = GENESIS if seq == 1 else held[seq - 1][0][1] if len(held.get(seq - 1, [])) == 1 else None
        if before is not None and event.get("prev_hash") == before:
            proven.add((device, actor))
    unproven = sorted(remembered - proven)
    for start in range(0, len(unproven), 500):
        conn.execute(delete(device_sign_in).where(tuple_(device_sign_in.c.device_id, device_sign_in.c.account_id)
                                                  .in_(unproven[start:start + 500])))
    return len(unproven)
