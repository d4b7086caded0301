"""The administrator's view of re-stamped authors (`mustafid-admin rows restamps`, issue 13).

Every pushed row whose claimed author the server replaced by the pushing account is recorded in
``author_restamp`` (`desktop.server.store.ServerStore.push`). This reads that record back for the server's
administrator: one `Restamp` per re-stamped row, oldest first, for one association or all of them, from a
day on (a Riyadh calendar day, as the desks count days). The accounts are named by their login as the server
holds them (their ``app_user`` rows), or by their id when the server holds no such account.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from desktop.server.models import author_restamp, server_association, sync_row
from desktop.server.store import ServerError, ServerStore

__all__ = ["REASONS_AR", "Restamp", "list_restamps"]

#: The Arabic wording of each re-stamp reason the server records.
REASONS_AR: dict[str, str] = {
    "unknown_account": "الكاتب المذكور ليس من حسابات الجمعية",
    "inactive_account": "حساب الكاتب المذكور معطّل أو محذوف",
    "not_signed_in_here": "الكاتب المذكور لم يسجّل دخوله على هذا الجهاز",
    "unproven_sign_in": "ادّعى الجهاز دخول الكاتب المذكور عليه بحدث لا يثبته تسلسل سجل التدقيق",
}

#: Saudi Arabia's time zone (UTC+3 all year): a ``--since`` day starts at its midnight.
_RIYADH = dt.timezone(dt.timedelta(hours=3))


@dataclass(frozen=True)
class Restamp:
    """One re-stamped row: when, where, which row, who it claimed, who it was stamped with, and why."""

    at: dt.datetime
    association: str
    table: str
    row_id: uuid.UUID
    claimed: str
    stamped: str
    reason_ar: str


def _logins(conn: Connection, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The login of each account the server holds among `ids`."""
    wanted = sorted(set(ids))
    found: dict[uuid.UUID, str] = {}
    for start in range(0, len(wanted), 1000):
        for row_id, fields in conn.execute(select(sync_row.c.row_id, sync_row.c.fields).where(
                sync_row.c.table_name == "app_user", sync_row.c.row_id.in_(wanted[start:start + 1000]))):
            login = (fields or {}).get("username")
            if login:
                found[row_id] = str(login)
    return found


def list_restamps(store: ServerStore, association_name: str | None = None,
                  since: dt.date | None = None) -> list[Restamp]:
    """The recorded re-stamps, oldest first, of one association (by name) or all, from the Riyadh day `since`."""
    with store.engine.connect() as conn:
        names = {association_id: str(name) for association_id, name in conn.execute(
            select(server_association.c.association_id, server_association.c.name)) if association_id is not None}
        query = select(author_restamp)
        if association_name is not None:
            chosen = [a for a, name in names.items() if name == association_name.strip()]
            if not chosen:
                raise ServerError(404, "unknown_association", "لا توجد جمعية مرتبطة بهذا الاسم على الخادم")
            query = query.where(author_restamp.c.association_id == chosen[0])
        if since is not None:
            query = query.where(author_restamp.c.at >= dt.datetime.combine(since, dt.time(), _RIYADH))
        rows = list(conn.execute(query.order_by(author_restamp.c.at, author_restamp.c.id)).mappings())
        logins = _logins(conn, [r["claimed_id"] for r in rows] + [r["stamped_id"] for r in rows])
    return [Restamp(at=r["at"], association=names.get(r["association_id"], str(r["association_id"])),
                    table=str(r["table_name"]), row_id=r["row_id"],
                    claimed=logins.get(r["claimed_id"], str(r["claimed_id"])),
                    stamped=logins.get(r["stamped_id"], str(r["stamped_id"])),
                    reason_ar=REASONS_AR.get(str(r["reason"]), str(r["reason"])))
            for r in rows]
