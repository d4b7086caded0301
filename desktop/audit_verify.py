"""`mustafid-admin audit verify`: walk each desk's audit chain and name the first broken link, in Arabic.

The database is read through a read-only ``sqlite3`` connection (a copy sent by a branch, or a
database the desk refuses to open, is never changed). Per desk (``device_id``) the events are walked
in chain order (`db.audit_chain`); the first problem found, over every chain, is reported:

* an edited event: its stored hash is not the hash of its fields;
* a missing event: its chain position skips one (an event was deleted before it);
* an inserted event: it has no chain position, repeats one, or does not point to the event before it.

An event a sanctioned erasure emptied (`db.erasure`: details replaced by the marker, the digest of what they were
and the erasure's id) verifies through that digest (the chain's version 2 hashes it); one written before version 2
is taken as it stands. Either only while the erasure it names exists and was itself audited (its
``erasure_recorded`` event): erased-looking details with no such erasure are an edit.

A problem is worded with the event's time (Riyadh, Hijri beside Gregorian) and action, never its
details or people. Deleting the last events of a chain leaves a shorter whole chain: the server's copy
(the sync verification, `desktop.sync.verify`) is what finds that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.audit_chain import GENESIS, event_hash, event_hash_v1
from db.erasure import is_erased_details
from desktop.errors import InputError
from desktop.keystore import keystore_path

__all__ = ["ChainProblem", "ChainReport", "add_commands", "verify_chains"]

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_UNREADABLE = 2

_RIYADH = dt.timezone(dt.timedelta(hours=3))


@dataclass(frozen=True)
class ChainProblem:
    """The first broken link: its kind (edited, missing, inserted) and the event it was found at."""

    kind: str
    at: dt.datetime | None
    action: str

    @property
    def message_ar(self) -> str:
        """One Arabic line: what is wrong, at which event (time and action only)."""
        where = f"عند الحدث «{self.action}» بتاريخ {_moment_ar(self.at)}"
        if self.kind == "edited":
            return f"سجل التدقيق غير سليم: حدث عُدّل بعد كتابته {where}"
        if self.kind == "missing":
            return f"سجل التدقيق غير سليم: حدث محذوف قبل الحدث «{self.action}» بتاريخ {_moment_ar(self.at)}"
        return f"سجل التدقيق غير سليم: حدث مُدرج خارج تسلسل السجل {where}"


@dataclass(frozen=True)
class ChainReport:
    """The walk's result: how many events and desks were checked, and the first problem (None when whole)."""

    events: int
    chains: int
    problem: ChainProblem | None

    @property
    def message_ar(self) -> str:
        """One Arabic line: whole (with the counts), or the first problem."""
        if self.problem is not None:
            return self.problem.message_ar
        return f"سجل التدقيق سليم: {self.events} حدثًا في {self.chains} سلسلة (جهاز)، دون حذف أو إدراج أو تعديل"


def _moment_ar(moment: dt.datetime | None) -> str:
    if moment is None:
        return "غير معروف"
    from desktop.hijri import format_dual

    local = moment.astimezone(_RIYADH)
    return f"{format_dual(local.date())} الساعة {local.strftime('%H:%M')}"


def _moment(value: Any) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _open_encrypted(args: Any, data_dir: Path) -> sqlite3.Connection:
    """A read-only connection to an encrypted desk, opened by an administrator's password (``--as``)."""
    from desktop.staff_cli import StaffCliError, admin_credentials
    from desktop.workspace import Workspace, WorkspaceError

    try:
        login, password = admin_credentials(getattr(args, "as_login", None))
        workspace = Workspace.open(data_dir)
        workspace.sign_in_with_password(login, password)
    except StaffCliError as exc:
        raise InputError(exc.message) from None
    except WorkspaceError as exc:
        raise InputError(exc.message_ar) from None
    try:
        return workspace.db.connect(uri_mode="ro")
    finally:
        workspace.close()


def _open(path: Path) -> sqlite3.Connection:
    has_wal = Path(f"{path}-wal").exists()
    uri = f"{path.resolve().as_uri()}?mode=ro{'' if has_wal else '&immutable=1'}"
    return sqlite3.connect(uri, uri=True)


def _sanctioned_erasures(connection: sqlite3.Connection) -> set[str]:
    """The ids (32 hex) of the erasures present and audited (none in a database older than the table)."""
    try:
        present = {str(row[0]) for row in connection.execute("SELECT id FROM erasure WHERE deleted_at IS NULL")}
    except sqlite3.OperationalError:
        return set()
    audited = {str(row[0]) for row in connection.execute(
        "SELECT entity_id FROM audit_event WHERE action = 'erasure_recorded' AND entity = 'erasure'")}
    return present & audited


def _verifies(stored: str, parsed: dict[str, Any], erasures: set[str], **fields: Any) -> bool:
    """True when an event's stored hash is that of its fields (version 2, else 1), or of its erased form."""
    if is_erased_details(parsed):
        if str(parsed.get("erasure")) not in erasures:
            return False
        if parsed.get("chain") == 1:
            return True  # written before version 2: its hash covered the details now erased
        return event_hash(details=parsed, digest=str(parsed.get("sha256")), **fields) == stored
    return event_hash(details=parsed, **fields) == stored or event_hash_v1(details=parsed, **fields) == stored


def verify_chains(connection: sqlite3.Connection) -> ChainReport:
    """Walk every desk's chain of `audit_event` in `connection`; the first broken link, if any."""
    erasures = _sanctioned_erasures(connection)
    rows = connection.execute(
        "SELECT id, device_id, chain_seq, prev_hash, hash, actor_id, claimed_actor_id, restamped_at, action, entity, "
        "entity_id, at, details FROM audit_event ORDER BY device_id, chain_seq IS NULL, chain_seq, at, id"
    )
    events = 0
    chains = 0
    device: object = object()
    expected_seq = 1
    previous_hash = GENESIS
    for (event_id, dev, seq, prev, stored, actor, claimed, restamped, action, entity, entity_id, at,
         details) in rows:
        events += 1
        if dev != device:
            device, expected_seq, previous_hash = dev, 1, GENESIS
            chains += 1

        def problem(kind: str, action: str = str(action), at: Any = at) -> ChainReport:
            return ChainReport(events=events, chains=chains, problem=ChainProblem(kind, _moment(at), action))

        if seq is None or prev is None or stored is None:
            return problem("inserted")
        try:
            parsed = json.loads(details) if isinstance(details, str) else (details or {})
            written_actor = claimed if restamped is not None else actor
            whole = _verifies(stored, parsed if isinstance(parsed, dict) else {}, erasures, event_id=event_id,
                              chain_seq=seq, actor_id=written_actor, action=action, entity=entity,
                              entity_id=entity_id, at=at, prev_hash=prev)
        except (TypeError, ValueError):
            return problem("edited")
        if not whole:
            return problem("edited")
        if seq < expected_seq:
            return problem("inserted")
        if seq > expected_seq:
            return problem("missing")
        if prev != previous_hash:
            return problem("inserted")
        expected_seq, previous_hash = seq + 1, stored
    return ChainReport(events=events, chains=chains, problem=None)


def _cmd_verify(args: argparse.Namespace) -> int:
    """Verify the audit chains of the data directory's database: exit 0 whole, 1 broken, 2 unreadable."""
    from desktop.startup import default_data_dir
    from desktop.workspace import DATABASE_FILE

    data_dir = args.data_dir if args.data_dir is not None else default_data_dir()
    path = Path(data_dir) / DATABASE_FILE
    if not path.is_file():
        print(f"خطأ: لا توجد قاعدة بيانات في المجلد {data_dir}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        connection = _open(path) if not keystore_path(Path(data_dir)).exists() else _open_encrypted(args, Path(data_dir))
        try:
            report = verify_chains(connection)
        finally:
            connection.close()
    except InputError as exc:  # an encrypted desk: the administrator's sign-in refused
        print(f"خطأ: {exc.message_ar}", file=sys.stderr)
        return EXIT_UNREADABLE
    except sqlite3.Error:
        print("خطأ: تعذرت قراءة سجل التدقيق من قاعدة البيانات (قد تكون أقدم من هذا الإصدار أو تالفة)",
              file=sys.stderr)
        return EXIT_UNREADABLE
    if report.problem is not None:
        print(report.message_ar, file=sys.stderr)
        return EXIT_BROKEN
    print(report.message_ar)
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add `audit verify` to `mustafid-admin`."""
    audit = subparsers.add_parser("audit", help="سجل التدقيق")
    sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = sub.add_parser("verify", help="التحقق من سلامة سجل التدقيق: أول حدث محذوف أو مُدرج أو معدّل")
    verify.add_argument("--as", dest="as_login", default=None, metavar="LOGIN",
                        help="قاعدة مشفّرة: اسم دخول مسؤول النظام (كلمة مروره عند الطلب أو في MUSTAFID_ADMIN_PASSWORD)")
    verify.set_defaults(func=_cmd_verify)
