"""The daily integrity check of the desk's database (issue 14, «the database in trouble»), off the start-up path.

Start-up only reads the file's header (`db.engine.check_header`): SQLite's ``quick_check`` reads the whole file,
15–28 s on a million beneficiaries. It runs here instead, on a reader once the desk is in use, at most once a day
per desk: a healthy result is remembered in ``<data dir>/integrity-check.json`` (a file beside the database, not a
row in it: a damaged database is never written to). A damaged file is not remembered, so every start checks it
again until it is restored. The finding is worded as the start-up's refusal of a damaged file
(`desktop.workspace.damaged_refusal`): the latest good backup named, its restore offered by the screen.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from db.engine import DatabaseDamagedError, quick_check
from desktop.logbook import get_logger
from desktop.startup import DATABASE_FILE

if TYPE_CHECKING:
    from desktop.workspace import Workspace

#: Where a desk remembers its last healthy check: {"checked_at": ISO 8601 UTC}.
RECORD_FILE = "integrity-check.json"
#: A desk is checked again once its last healthy check is this old.
INTERVAL = dt.timedelta(hours=24)

_log = get_logger("integrity")


@dataclass(frozen=True, slots=True)
class IntegrityFinding:
    """A damaged database found by the check: the Arabic message (the start-up's wording, the latest good
    backup named) and that backup's folder to offer restoring (None when there is none)."""

    message_ar: str
    restore_from: Path | None


def _record_path(data_dir: Path) -> Path:
    return Path(data_dir) / RECORD_FILE


def last_healthy_check(data_dir: Path) -> dt.datetime | None:
    """When this desk's database last passed the check (None: never, or the record cannot be read)."""
    try:
        raw = json.loads(_record_path(data_dir).read_text(encoding="utf-8"))
        moment = dt.datetime.fromisoformat(str(raw["checked_at"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def check_due(data_dir: Path, now: dt.datetime | None = None) -> bool:
    """True when the desk has not passed the check within `INTERVAL` (or its record is unreadable)."""
    last = last_healthy_check(data_dir)
    moment = now or dt.datetime.now(dt.UTC)
    return last is None or not dt.timedelta(0) <= moment - last < INTERVAL


def _remember(data_dir: Path, moment: dt.datetime) -> None:
    """Write the record atomically, owner-only (a failure only means the check runs again next start)."""
    path = _record_path(data_dir)
    temporary = path.with_suffix(".tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"checked_at": moment.isoformat()}, handle)
        os.replace(temporary, path)
    except OSError:
        _log.warning("the integrity check's record could not be written")


def check_database(workspace: Workspace, *, now: dt.datetime | None = None,
                   force: bool = False) -> IntegrityFinding | None:
    """Run ``quick_check`` on the workspace's database when due (or `force`): None when healthy or not due, an
    `IntegrityFinding` when damaged. A reader's call (it reads the whole file); nothing is written to the database.

    An encrypted desk is checked with its data key, so only once somebody has signed in (locked: not due yet).
    """
    data_dir = Path(workspace.data_dir)
    if workspace.is_locked or not (force or check_due(data_dir, now)):
        return None
    from desktop.workspace import damaged_refusal

    try:
        quick_check(data_dir / DATABASE_FILE, key=workspace.db.data_key)
    except DatabaseDamagedError as error:
        _log.warning("integrity check: the database is damaged")
        refusal = damaged_refusal(error, data_dir)
        return IntegrityFinding(refusal.message_ar, refusal.restore_from)
    _remember(data_dir, now or dt.datetime.now(dt.UTC))
    _log.info("integrity check: the database is sound")
    return None
