"""What the sign-in gate must know before it takes a password, read without SQLAlchemy (issues 10 and 14).

The workspace (SQLAlchemy, the models, the migrations check, an encrypted desk's keyed open) costs most of a
second of CPU to open; the gate needs three facts only: is the file sound enough to open, is it encrypted, and
has the association an administrator who can sign in. They are read here with the standard library's
``sqlite3`` on the plaintext file, read-only (the schema's revision, whether the sync server closed the desk,
the live administrators), or from the keystore beside an encrypted one. The window's gate then takes a password
while the workspace opens behind it on the writer; the password waits for it there.

Any doubt is `None` — a missing, empty, foreign or damaged file, one another program holds locked, a schema
to migrate, a desk closed by the server, a keystore that does not load or sits beside a plaintext file —: the gate then waits for the
workspace's own opening, which decides and words every refusal as before. Nothing here writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db.engine import HEAD_REVISION, DatabaseError, check_header, connect_raw, is_encrypted_file
from desktop.errors import InputError
from desktop.keystore import Keystore
from desktop.startup import DATABASE_FILE

__all__ = ["ADMIN_ROLE", "ENCRYPT_ENV", "GateFacts", "encrypt_on_first_run", "read_gate_facts"]

#: `db.models.UserRole.ADMIN`'s stored value (the models are not imported here: SQLAlchemy; a test ties them).
ADMIN_ROLE = "admin"

#: ``MUSTAFID_ENCRYPT=0`` makes a new desk's first administrator leave it plaintext (the tests' template, demos);
#: anything else, or unset, encrypts it (issue 14: encryption is the default).
ENCRYPT_ENV = "MUSTAFID_ENCRYPT"

_LIVE_ACCOUNTS = ("SELECT role, roles FROM app_user "
                  "WHERE deleted_at IS NULL AND active = 1 AND password_hash IS NOT NULL")


@dataclass(frozen=True, slots=True)
class GateFacts:
    """The gate's facts about a desk that looks sound: `encrypted` (a keystore beside an SQLCipher file, whose
    wraps prove an administrator made it) and `has_administrator` (an active administrator with a password)."""

    encrypted: bool
    has_administrator: bool


def read_gate_facts(data_dir: Path) -> GateFacts | None:
    """The gate's facts about the desk in `data_dir`, or None when anything is in doubt (a worker's call)."""
    directory = Path(data_dir)
    database = directory / DATABASE_FILE
    try:
        keystore = Keystore.load(directory)
    except InputError:
        return None
    if not database.is_file():
        return None
    if keystore is not None:
        if not is_encrypted_file(database) or not keystore.logins():
            return None
        return GateFacts(encrypted=True, has_administrator=True)
    try:
        check_header(database)
        connection = connect_raw(database, read_only=True)
    except (DatabaseError, sqlite3.Error, OSError):
        return None
    try:
        # A file another program holds is a doubt at once, not after the desk's 5 s wait: the opening decides.
        connection.execute("PRAGMA busy_timeout=0")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != HEAD_REVISION:
            return None
        if connection.execute("SELECT 1 FROM sync_state WHERE id = 1 AND closed_at IS NOT NULL").fetchone():
            return None
        administrators = sum(1 for role, roles in connection.execute(_LIVE_ACCOUNTS)
                             if ADMIN_ROLE in _role_list(role, roles))
    except (sqlite3.Error, ValueError):
        return None
    finally:
        connection.close()
    return GateFacts(encrypted=False, has_administrator=administrators > 0)


def _role_list(role: str | None, roles: str | None) -> tuple[str, ...]:
    """An account's roles as `db.models.AppUser.role_list` reads them (its `role` alone before `roles` existed)."""
    listed = json.loads(roles) if roles else []
    if listed:
        return tuple(str(item) for item in listed)
    return (role,) if role else ()


def encrypt_on_first_run() -> bool:
    """True unless ``MUSTAFID_ENCRYPT=0``: the first administrator made on screen encrypts the new desk (the gate's
    first administrator form says so; `desktop.workspace` does it)."""
    return os.environ.get(ENCRYPT_ENV, "1").strip() != "0"
