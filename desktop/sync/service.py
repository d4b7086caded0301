"""What the GUI and the command line call for sync (no Qt): status, enrolment, a round, conflicts and their resolution.

Decisions recorded here:

* The device credential (token) is kept out of the database: a copy of the database file (a
  backup, a file sent for support) does not carry it. It lives in ``<data dir>/sync/device.credential``,
  readable by the OS user only; on Windows it is sealed with DPAPI (``CryptProtectData``, bound
  to the Windows user), elsewhere the file mode is 0600. The database keeps only its SHA-256,
  so a credential file from another PC is noticed.
* Enrolment (one transaction, after the server answered): when the server's association is
  already bound to another id (a second PC), this PC's association is re-keyed to it — refused
  when this PC already holds cases of its own association. This PC's `Device` row takes the
  server's device id, its case-number prefix and branch (case numbers are ``<prefix>-…``, see
  `desktop.reception.rules`). Every row the server has not acknowledged is queued for the first
  push (demonstration data excepted).
* TLS: an ``https://`` server with a certificate the system does not trust (a LAN's self-signed one) is
  enrolled with its fingerprint pinned: `server_certificate` shows the fingerprint (digits isolated) for
  the administrator to compare with the one ``mustafid-admin server make-cert`` printed, `enroll` is
  given it back, and from then on only that certificate is trusted (its PEM in ``<data dir>/sync/server.pem``,
  its SHA-256 in ``sync_state``). A certificate refused is named as such (SyncError "certificate"), never
  "cannot reach the server". A plain ``http://`` server to another machine is allowed but warned about
  (`SyncStatus.security_warning_ar`, `EnrolmentResult.warning_ar`).
* Token rotation: a new device token in an answer is stored at once (the credential file, then its hash in
  ``sync_state``); the file also keeps the hash of the token it replaced, so a crash between the two writes
  is recognised rather than refused.
* Revocation: when the server says this desk is revoked, the desk is closed: ``sync_state.closed_at`` and the
  Arabic reason are written, the credential file is deleted, and `desktop.workspace.Workspace.open` refuses
  the data directory to its users with that reason. Changes never synced stay in the database file (the
  outbox is left as it is) for an administrator to recover; the revoked credential never pushes them.
* `status()` never touches the network (the GUI polls it every few seconds, off its thread):
  "online" is the outcome of the last round.
* A round that fails for a reason of this program (not of the server or the network) is worded by
  `desktop.errors.describe` (which logs it with an incident number) and re-raised as a SyncError
  "server", so the GUI's handling of kinds stays the same.
* A conflict is resolved by an update of its record (status, chosen value, who, when) and of the
  target row's field, in one session: both are captured by the outbox triggers and synced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import platform
import sqlite3
import ssl
import sys
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import case as sql_case, select, text, update
from sqlalchemy.orm import Session

from db.engine import HEAD_REVISION
from db.models import AppUser, Association, CaseStatus, SyncConflict, utc_now
from db.outbox import install_outbox_triggers, outbox_triggers_current
from desktop import dpapi
from desktop.counting import CASES, count_phrase
from desktop.errors import describe
from desktop.sync.client import SyncClient
from desktop.arabic_text import ltr
from desktop.sync.link import error_of, pinned_context, transport_error
from desktop.sync.outcome import SyncError, SyncReport
from desktop.sync.protocol import (
    HEADER_APP_VERSION,
    HEADER_PROTOCOL,
    HEADER_SCHEMA,
    PROTOCOL_VERSION,
    EnrollResponse,
    certificate_fingerprint,
    decode_value,
    fingerprint_text,
    encode_value,
)
from desktop.sync import quarantine
from desktop.sync.storage import SyncStorage, local_synced_tables, queue_unsynced_rows, sync_transaction
from desktop.version import app_version
from desktop.workspace import Workspace
from desktop.permissions import Action, Guarded, guarded
from desktop.sync.push import signed_in_account

__all__ = [
    "ConflictView",
    "EnrolmentResult",
    "SyncError",
    "SyncReport",
    "SyncService",
    "SyncStatus",
    "ServerCertificate",
    "fetch_certificate",
    "is_insecure",
    "load_credential",
    "load_token",
]

CREDENTIAL_FILE = Path("sync") / "device.credential"
#: The server certificate pinned at enrolment (PEM).
PINNED_CERT_FILE = Path("sync") / "server.pem"
#: What the desk says about a plain-HTTP server on another machine.
INSECURE_AR = ("تنبيه: الاتصال بخادم المزامنة غير مشفّر (http://)، فبيانات المستفيدين تمر في الشبكة مكشوفة؛ "
               "اطلب من مسؤول النظام تشغيل الخادم بشهادة TLS واستخدم عنوانًا يبدأ بـ https://")
#: Why a revoked desk is closed.
REVOKED_AR = ("أُلغي تسجيل هذا الجهاز لدى خادم المزامنة، فأُغلقت بيانات الجمعية عليه ولا يمكن العمل بها. "
              "التغييرات التي لم تُرسل باقية في ملف البيانات ولن تُرسل: راجع مسؤول النظام لاستعادتها")
_DEMO_PREFIX = "DEMO"

_log = logging.getLogger("mustafid.sync")  # see desktop.logbook

TABLE_LABELS: dict[str, str] = {
    "case": "الحالة",
    "beneficiary": "المستفيد",
    "required_document": "مستند مطلوب",
    "referral": "الإحالة",
    "assessment": "التقييم",
    "service": "الخدمة",
    "suggestion": "الاقتراح أو الشكوى",
    "association": "الجمعية",
    "app_user": "المستخدم",
    "rescue_member": "عضو الإنقاذ",
    "rescue_report": "البلاغ",
    "attachment": "المرفق",
    "policy_version": "إصدار السياسة",
    "declaration": "الإقرار",
    "step_completion": "خطوة منجزة",
    "committee_decision": "قرار اللجنة",
    "eligibility_recommendation": "توصية الأهلية",
    "assessment_item": "بند التقييم",
    "beneficiary_notice": "إبلاغ المستفيد",
    "decision_letter": "خطاب القرار",
    "audit_event": "سجل التدقيق",
    "corrective_action": "إجراء تصحيحي",
    "suggestion_event": "متابعة الاقتراح",
    "survey_response": "إجابة الاستبيان",
    "survey_slip": "قسيمة الاستبيان",
    "desk_setting": "إعداد مشترك",
    "sync_conflict": "تعارض مزامنة",
}

FIELD_LABELS: dict[str, str] = {
    "status": "حالة الطلب",
    "summary": "ملخص الحالة",
    "branch": "الفرع",
    "location": "الموقع",
    "full_name": "الاسم الكامل",
    "mobile": "رقم الجوال",
    "city": "المدينة",
    "household_size": "عدد أفراد الأسرة",
    "id_expiry": "تاريخ انتهاء الهوية",
    "birth_date": "تاريخ الميلاد",
    "deleted_at": "الحذف",
    "note": "الملاحظة",
    "answer": "الرد",
    "provided": "تم التقديم",
    "valid_until": "صالح حتى",
    "notes": "الملاحظات",
    "recommendation": "التوصية",
    "amount": "المبلغ",
    "description": "الوصف",
    "response": "الرد",
    "due_date": "تاريخ الاستحقاق",
    "promised_decision_date": "موعد البت الموعود",
    "officer_id": "الموظف المسؤول",
    "current_step_id": "الخطوة الحالية",
    "available": "متاح",
    "name": "الاسم",
}


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows: configured, online, last successful sync, pending changes, open conflicts."""

    configured: bool
    online: bool
    server_url: str | None
    last_success_at: dt.datetime | None
    pending_changes: int
    open_conflicts: int
    rejected_changes: int
    blocked_changes: int
    first_sync_pending: bool
    last_error_ar: str | None
    #: Pulled rows set aside because this desk cannot store them (`desktop.sync.quarantine`).
    quarantined_rows: int = 0
    #: Set when the server is reached over plain HTTP on another machine (`INSECURE_AR`).
    security_warning_ar: str | None = None

    @property
    def label_ar(self) -> str:
        """One short Arabic line for the status bar."""
        if not self.configured:
            return "غير متصل — لم يُسجَّل الجهاز لدى خادم المزامنة بعد"
        state = "متصل بالخادم" if self.online else "غير متصل بالخادم"
        parts = [state, f"تغييرات بانتظار الإرسال: {self.pending_changes}"]
        if self.open_conflicts:
            parts.append(f"تعارضات مفتوحة: {self.open_conflicts}")
        if self.security_warning_ar:
            parts.append("اتصال غير مشفّر")
        if self.last_success_at is not None:
            parts.append("آخر مزامنة: " + self.last_success_at.astimezone(dt.timezone(dt.timedelta(hours=3)))
                         .strftime("%Y/%m/%d %H:%M"))
        return " — ".join(parts)


@dataclass(frozen=True)
class EnrolmentResult:
    """The outcome of an enrolment: the server's ids, this PC's case-number prefix and how many rows wait to go."""

    device_id: uuid.UUID
    association_id: uuid.UUID
    association_name: str
    case_number_prefix: str
    rekeyed: bool
    queued: int
    #: Set when the server was enrolled over plain HTTP on another machine (`INSECURE_AR`).
    warning_ar: str | None = None


@dataclass(frozen=True)
class ServerCertificate:
    """A server's TLS certificate as fetched for the administrator to compare before enrolling (`fingerprint`)."""

    pem: str
    fingerprint: str

    @property
    def text_ar(self) -> str:
        """The sentence shown to the administrator, the fingerprint isolated and in its written order."""
        return ("بصمة شهادة الخادم: " + ltr(fingerprint_text(self.fingerprint))
                + " — قارنها بالبصمة التي طبعها مسؤول النظام عند إنشاء الشهادة قبل المتابعة")


@dataclass(frozen=True)
class ConflictView:
    """One conflict as the supervisor screen shows it (Arabic labels, both sides, the provisional winner)."""

    id: uuid.UUID
    table: str
    table_label_ar: str
    row_id: uuid.UUID
    row_label_ar: str
    field: str
    field_label_ar: str
    base_text: str
    value_a: Any
    value_b: Any
    value_a_text: str
    value_b_text: str
    user_a_ar: str
    user_b_ar: str
    device_a_ar: str
    device_b_ar: str
    at_a: dt.datetime | None
    at_b: dt.datetime | None
    winner: str
    status: str
    resolution_text: str | None
    resolved_at: dt.datetime | None


def _credential_path(data_dir: Path) -> Path:
    return Path(data_dir) / CREDENTIAL_FILE


def _seal(token: str) -> bytes:
    """The bytes stored for a token: DPAPI-sealed on Windows, as is elsewhere (the file is 0600)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return b"DPAPI:" + dpapi.protect(token.encode())
    return b"PLAIN:" + token.encode()


def _unseal(data: bytes) -> str:
    if data.startswith(b"DPAPI:"):  # pragma: no cover - Windows only
        return dpapi.unprotect(data[6:]).decode()
    if data.startswith(b"PLAIN:"):
        return data[6:].decode()
    raise ValueError("unknown credential format")


def save_token(data_dir: Path, token: str, replaced_sha256: str | None = None) -> None:
    """Store the device credential beside the database, readable by this OS user only (with the hash of the token
    it replaces, when rotated)."""
    path = _credential_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(_seal(token if replaced_sha256 is None else f"{token}\n{replaced_sha256}"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def load_token(data_dir: Path) -> str | None:
    """The stored device credential, or None when this PC is not enrolled (or the file is unreadable)."""
    found = load_credential(data_dir)
    return found[0] if found else None


def load_credential(data_dir: Path) -> tuple[str, str | None] | None:
    """(token, SHA-256 of the token it replaced or None), or None when this PC is not enrolled."""
    try:
        token, _, replaced = _unseal(_credential_path(data_dir).read_bytes()).partition("\n")
    except (OSError, ValueError):
        return None
    return token, replaced or None


def fetch_certificate(server_url: str, *, timeout: float = 10.0) -> ServerCertificate:
    """The certificate an ``https://`` server presents, trusted or not (for its fingerprint to be compared)."""
    parts = urllib.parse.urlsplit(server_url)
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ValueError) as exc:
        raise SyncError("تعذر الوصول إلى خادم المزامنة لقراءة شهادته: تحقق من العنوان والشبكة", "offline",
                        detail=f"{type(exc).__name__}: {exc}") from exc
    if not der:
        raise SyncError("لم يقدّم خادم المزامنة شهادة أمان", "certificate")
    return ServerCertificate(ssl.DER_cert_to_PEM_cert(der), certificate_fingerprint(der))


def is_insecure(server_url: str | None) -> bool:
    """True for a plain ``http://`` server on another machine (loopback is this PC: nothing crosses a network)."""
    if not server_url or not server_url.startswith("http://"):
        return False
    host = (urllib.parse.urlsplit(server_url).hostname or "").lower()
    if host == "localhost":
        return False
    import ipaddress

    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


class SyncService(Guarded):
    """Sync for one workspace: what the status bar, settings and conflict screens call."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        transport: httpx.BaseTransport | None = None,
        wall: Callable[[], float] | None = None,
        schema: str = HEAD_REVISION,
    ) -> None:
        self._workspace = workspace
        self._db = workspace.db
        self._transport = transport
        self._wall = wall
        self._schema = schema
        self._client: SyncClient | None = None
        self.repair_outbox_triggers()

    def repair_outbox_triggers(self) -> bool:
        """Recreate outbox triggers a later migration left missing or stale; True when something was repaired."""
        fairy = self._raw()
        try:
            conn = fairy.driver_connection
            if outbox_triggers_current(conn):
                return False
            conn.execute("BEGIN IMMEDIATE")
            try:
                install_outbox_triggers(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return True
        finally:
            fairy.close()

    # ------------------------------------------------------------------ state

    def _raw(self) -> Any:
        return self._db.engine.raw_connection()

    def _state_row(self) -> dict[str, Any]:
        fairy = self._raw()
        try:
            cursor = fairy.driver_connection.execute("SELECT * FROM sync_state WHERE id = 1")
            names = [d[0] for d in cursor.description]
            row = cursor.fetchone()
            return dict(zip(names, row, strict=True)) if row else {}
        finally:
            fairy.close()

    def status(self) -> SyncStatus:
        """Configured, online (last round's outcome), last success, pending changes, open conflicts; no network."""
        fairy = self._raw()
        try:
            conn = fairy.driver_connection
            state = self._state_row()
            counts = dict(conn.execute(
                "SELECT state, count(DISTINCT table_name || row_id) FROM sync_outbox GROUP BY state"
            ).fetchall())
            conflicts = conn.execute(
                "SELECT count(*) FROM sync_conflict WHERE status = 'open' AND deleted_at IS NULL"
            ).fetchone()[0]
            quarantined = quarantine.count(conn)
        finally:
            fairy.close()
        configured = bool(state.get("server_url")) and load_token(self._workspace.data_dir) is not None
        last_success = _parse_time(state.get("last_success_at"))
        last_attempt = _parse_time(state.get("last_attempt_at"))
        return SyncStatus(
            configured=configured,
            online=configured and last_attempt is not None and not state.get("last_error_ar"),
            server_url=state.get("server_url"),
            last_success_at=last_success,
            pending_changes=int(counts.get("pending", 0)),
            open_conflicts=int(conflicts),
            rejected_changes=int(counts.get("rejected", 0)),
            blocked_changes=int(counts.get("blocked", 0)),
            first_sync_pending=configured and last_success is None,
            last_error_ar=state.get("closed_reason_ar") or state.get("last_error_ar"),
            quarantined_rows=quarantined,
            security_warning_ar=INSECURE_AR if configured and is_insecure(state.get("server_url")) else None,
        )

    def server_certificate(self, server_url: str) -> ServerCertificate:
        """The certificate of an ``https://`` server, for the administrator to compare its fingerprint (network)."""
        if not server_url.strip().startswith("https://"):
            raise SyncError("لا شهادة لخادم عنوانه لا يبدأ بـ https://", "invalid")
        return fetch_certificate(server_url.strip())

    # ------------------------------------------------------------------ enrolment

    @guarded(Action.SYNC_RUN)
    def enroll(self, server_url: str, code: str, device_name: str | None = None,
               branch: str | None = None, *, pinned_fingerprint: str | None = None) -> EnrolmentResult:
        """Exchange an enrolment code for this PC's credential and prepare the first sync (SyncError in Arabic).

        `pinned_fingerprint` (from `server_certificate`, compared by the administrator): only that certificate is
        trusted, now and afterwards; a server presenting another one is refused ("certificate").
        """
        server_url = server_url.strip().rstrip("/")
        if not server_url.startswith(("http://", "https://")):
            raise SyncError("عنوان الخادم يجب أن يبدأ بـ http:// أو https://", "invalid")
        pinned: ServerCertificate | None = None
        if pinned_fingerprint is not None:
            wanted = pinned_fingerprint.replace(":", "").strip().lower()
            pinned = self.server_certificate(server_url)
            if pinned.fingerprint != wanted:
                raise transport_error(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] pinned fingerprint differs"),
                                      pinned=True)
        with self._db.session(read_only=True) as session:
            association = session.scalars(
                select(Association).where(Association.deleted_at.is_(None)).order_by(Association.created_at).limit(1)
            ).first()
            if association is None:
                raise SyncError("لم تُعتمد سياسة الجمعية على هذا الجهاز بعد: اعتمد السياسة قبل التسجيل لدى الخادم",
                                "not_configured")
            local_association = association.id
            association_name = association.name
        name = (device_name or platform.node() or "PC")[:200]
        body = {
            "code": code.strip(),
            "device_name": name,
            "branch": branch,
            "association_id": str(local_association),
            "association_name": association_name,
        }
        headers = {HEADER_PROTOCOL: str(PROTOCOL_VERSION), HEADER_SCHEMA: self._schema,
                   HEADER_APP_VERSION: app_version()}
        try:
            with httpx.Client(transport=self._transport, timeout=30,
                              verify=pinned_context(pinned.pem) if pinned is not None else True) as http:
                response = http.post(f"{server_url}/v1/enroll", json=body, headers=headers)
        except httpx.TransportError as exc:
            raise transport_error(exc, pinned=pinned is not None,
                                  offline_ar="تعذر الوصول إلى خادم المزامنة: تحقق من العنوان والشبكة") from exc
        except httpx.HTTPError as exc:
            raise SyncError("تعذر الوصول إلى خادم المزامنة: تحقق من العنوان والشبكة", "offline",
                            detail=str(exc)) from exc
        if response.status_code >= 400:
            raise error_of(response)
        answer = EnrollResponse.model_validate_json(response.content)
        pin_path = Path(self._workspace.data_dir) / PINNED_CERT_FILE
        if pinned is not None:
            pin_path.parent.mkdir(parents=True, exist_ok=True)
            pin_path.write_text(pinned.pem, encoding="ascii")
        else:
            pin_path.unlink(missing_ok=True)
        result = self._adopt_enrolment(server_url, answer, local_association, branch, name,
                                       pinned.fingerprint if pinned is not None else None)
        save_token(self._workspace.data_dir, answer.token)
        if self._client is not None:  # connections made with the replaced credential
            self._client.close()
        self._client = None
        if is_insecure(server_url):
            _log.warning("device enrolled over plain HTTP to another machine")
            return dataclasses.replace(result, warning_ar=INSECURE_AR)
        return result

    def _adopt_enrolment(self, server_url: str, answer: EnrollResponse, local_association: uuid.UUID,
                         branch: str | None, device_name: str, fingerprint: str | None) -> EnrolmentResult:
        """Re-key the association and this device to the server's ids and queue what must be pushed, in one transaction."""
        tables = local_synced_tables()
        new_assoc, old_assoc = answer.association_id.hex, local_association.hex
        rekeyed = new_assoc != old_assoc
        with sync_transaction(self._db, foreign_keys=False) as conn:
            # The append-only guards refuse any change of content; re-keying the association and the device is
            # not one (the audit chain's hash leaves both ids out for this). Lifted inside this transaction for
            # the re-keying only, and put back as they were: a desk that signed in before enrolling already
            # holds audit events (its first administrator, its sign-ins).
            guards = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%append_only_update'"
            ).fetchall()
            for guard_name, _sql in guards:
                conn.execute(f'DROP TRIGGER "{guard_name}"')
            if rekeyed:
                cases = conn.execute('SELECT count(*) FROM "case" WHERE association_id = ?', (old_assoc,)).fetchone()[0]
                if cases:
                    raise SyncError(
                        f"هذا الجهاز يحوي {count_phrase(cases, CASES)} لجمعية أخرى غير الجمعية المسجلة في الخادم "
                        f"({answer.association_name}): لا يمكن دمجها. استخدم مجلد بيانات جديدًا لهذا الخادم، "
                        "واطلب من مسؤول النظام إلغاء الجهاز المسجل للتو.",
                        "refused",
                    )
                conn.execute("UPDATE association SET id = ? WHERE id = ?", (new_assoc, old_assoc))
                for name in [*tables, "device"]:
                    columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")').fetchall()]
                    if "association_id" in columns:
                        conn.execute(f'UPDATE "{name}" SET association_id = ? WHERE association_id = ?',
                                     (new_assoc, old_assoc))
                conn.execute("DELETE FROM sync_outbox WHERE table_name = 'association'")
            device = conn.execute(
                "SELECT id FROM device WHERE deleted_at IS NULL AND revoked_at IS NULL "
                "AND case_number_prefix != ? ORDER BY enrolled_at, id LIMIT 1", (_DEMO_PREFIX,)
            ).fetchone()
            new_device = answer.device_id.hex
            now = utc_now().strftime("%Y-%m-%d %H:%M:%S.%f")
            if device is None:
                conn.execute(
                    "INSERT INTO device (id, association_id, name, branch, case_number_prefix, enrolled_at, "
                    "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (new_device, new_assoc, device_name, branch, answer.case_number_prefix, now, now, now),
                )
            else:
                old_device = str(device[0])
                conn.execute(
                    "UPDATE device SET id = ?, name = ?, branch = ?, case_number_prefix = ?, association_id = ? "
                    "WHERE id = ?",
                    (new_device, device_name, branch, answer.case_number_prefix, new_assoc, old_device),
                )
                if old_device != new_device:
                    for name in tables:
                        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                              (name,)).fetchone()
                        if exists:
                            conn.execute(f'UPDATE "{name}" SET device_id = ? WHERE device_id = ?',
                                         (new_device, old_device))
            for _guard_name, sql in guards:
                conn.execute(sql)
            skip = {"association": [new_assoc]} if rekeyed else None
            queued = queue_unsynced_rows(conn, skip=skip)
            conn.execute(
                "UPDATE sync_state SET server_url = ?, device_id = ?, association_id = ?, token_sha256 = ?, "
                "enrolled_at = ?, last_error_ar = NULL, server_cert_sha256 = ?, verified_seq = NULL WHERE id = 1",
                (server_url, new_device, new_assoc, hashlib.sha256(answer.token.encode()).hexdigest(), now,
                 fingerprint),
            )
        _log.info("device enrolled: %s rows queued for the first push, re-keyed %s", f"{queued:,}", rekeyed)
        return EnrolmentResult(
            device_id=answer.device_id,
            association_id=answer.association_id,
            association_name=answer.association_name,
            case_number_prefix=answer.case_number_prefix,
            rekeyed=rekeyed,
            queued=queued,
        )

    # ------------------------------------------------------------------ rounds

    def client(self) -> SyncClient:
        """The HTTP sync client of this PC (SyncError "not_configured" before enrolment)."""
        if self._client is None:
            state = self._state_row()
            if state.get("closed_at"):
                raise SyncError(state.get("closed_reason_ar") or REVOKED_AR, "closed")
            credential = load_credential(self._workspace.data_dir)
            if not state.get("server_url") or credential is None:
                raise SyncError("لم يُسجَّل هذا الجهاز لدى خادم المزامنة بعد: سجّله من الإعدادات برمز التسجيل",
                                "not_configured")
            token, replaced = credential
            digest = hashlib.sha256(token.encode()).hexdigest()
            if state.get("token_sha256") and digest != state["token_sha256"]:
                if replaced != state["token_sha256"]:
                    raise SyncError("ملف بيانات اعتماد الجهاز لا يخص قاعدة البيانات هذه: أعد تسجيل الجهاز", "refused")
                self._store_token_hash(digest)  # a rotation stopped between its two writes: finish it
            pinned_pem: str | None = None
            if state.get("server_cert_sha256"):
                try:
                    pinned_pem = (Path(self._workspace.data_dir) / PINNED_CERT_FILE).read_text(encoding="ascii")
                    der = ssl.PEM_cert_to_DER_cert(pinned_pem)
                except (OSError, ValueError):
                    der = b""
                if certificate_fingerprint(der) != state["server_cert_sha256"]:
                    raise SyncError("ملف شهادة الخادم المعتمدة على هذا الجهاز مفقود أو معدّل: أعد تسجيل الجهاز",
                                    "certificate")
            self._client = SyncClient(self._db, self._workspace.data_dir, state["server_url"], token,
                                      transport=self._transport, wall=self._wall, schema=self._schema,
                                      account=self._push_account,
                                      store=self._workspace.attachments,
                                      pinned_pem=pinned_pem, on_token=self._rotated)
        return self._client

    def _push_account(self, conn: sqlite3.Connection) -> str | None:
        """The account a push names: the one signed in at this desk, else the legacy desk's OS-login account."""
        identity = self._workspace.signed_in
        return str(identity.account_id) if identity is not None else signed_in_account(conn)

    def _sign_out_if_removed(self) -> bool:
        """After a round: sign out an account the round found disabled or deleted (removed on the server while
        this desk was offline). What it did offline stays on this desk, still its own (`updated_by`, audit)."""
        identity = self._workspace.signed_in
        if identity is None:
            return False
        with self._db.session(read_only=True) as session:
            account = session.get(AppUser, identity.account_id)
            removed = account is None or account.deleted_at is not None or not account.active
        if removed:
            _log.info("signed out: the account was removed or disabled on the server")
            self._workspace.sign_out()
        return removed

    def _rotated(self, token: str) -> None:
        """Keep a rotated device token: the credential file first (with the replaced token's hash), then its hash."""
        state = self._state_row()
        save_token(self._workspace.data_dir, token, replaced_sha256=state.get("token_sha256"))
        self._store_token_hash(hashlib.sha256(token.encode()).hexdigest())

    def _store_token_hash(self, digest: str) -> None:
        self._write_state("UPDATE sync_state SET token_sha256 = ? WHERE id = 1", (digest,))

    def _close_revoked(self) -> None:
        """The server revoked this desk: close its data to users, forget the credential, keep every change."""
        self._write_state("UPDATE sync_state SET closed_at = ?, closed_reason_ar = ?, last_error_ar = ? WHERE id = 1",
                          (utc_now().strftime("%Y-%m-%d %H:%M:%S.%f"), REVOKED_AR, REVOKED_AR))
        _credential_path(self._workspace.data_dir).unlink(missing_ok=True)
        self.close()
        _log.warning("this desk was revoked by the server: its data is closed")

    def run_round(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> SyncReport:
        """Run one sync round; the outcome (success time or Arabic error) is recorded for `status()`.

        The push names the signed-in account (the server checks it against the association's accounts); an
        account the round finds removed or disabled is signed out (`report.signed_out`): the desk asks for a
        sign-in again.
        """
        client = self.client()
        attempt = utc_now().strftime("%Y-%m-%d %H:%M:%S.%f")
        try:
            report = client.run_round(progress, cancel)
        except SyncError as exc:
            if exc.kind == "refused" and (exc.detail or "").startswith("device_revoked"):
                self._close_revoked()
                raise SyncError(REVOKED_AR, "closed", detail="device_revoked") from exc
            _log.warning("sync round failed: %s", exc.kind)
            self._record(attempt, None, exc.message_ar)
            self._sign_out_if_removed()  # the server refused the push of an account it removed meanwhile
            raise
        except Exception as exc:  # a fault of this program, not of the server: worded (and logged) by `describe`
            message = describe(exc, "sync.round")
            self._record(attempt, None, message)
            raise SyncError(message, "server", detail=type(exc).__name__) from exc
        _log.info(
            "sync round: pushed %s, acknowledged %s, merged %s, conflicts %s, rejected %s, pulled %s, "
            "uploaded %s, downloaded %s files, resynced %s tables, verified %s, cancelled %s, %.2f s",
            *(f"{count:,}" for count in (report.pushed, report.acknowledged, report.merged, report.conflicts,
                                         report.rejected, report.pulled, report.uploaded, report.downloaded,
                                         len(report.resynced_tables))),
            report.verified, report.cancelled, report.seconds,
        )
        self._record(attempt, None if report.cancelled else attempt, None)
        report.signed_out = self._sign_out_if_removed()
        return report

    def _record(self, attempt: str, success: str | None, error: str | None) -> None:
        self._write_state("UPDATE sync_state SET last_attempt_at = ?, last_success_at = coalesce(?, last_success_at), "
                          "last_error_ar = ? WHERE id = 1", (attempt, success, error))

    def _write_state(self, sql: str, params: tuple[Any, ...]) -> None:
        """One statement on ``sync_state`` in its own IMMEDIATE transaction (outside any sync transaction)."""
        fairy = self._raw()
        try:
            conn = fairy.driver_connection
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(sql, params)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            fairy.close()

    def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ refused and set aside (issue 15)

    @guarded(Action.SYNC_SUPERVISE)
    def refused(self) -> tuple[list[quarantine.RejectedChange], list[quarantine.QuarantinedRow]]:
        """What the supervisor reviews beside the conflicts: this desk's changes the server rejected (with its
        reason) and the pulled rows this desk set aside; no network."""
        fairy = self._raw()
        try:
            conn = fairy.driver_connection
            return quarantine.rejected_changes(conn), quarantine.listing(conn)
        finally:
            fairy.close()

    @guarded(Action.SYNC_SUPERVISE)
    def retry_quarantined(self, row_id: str | None = None) -> tuple[int, int]:
        """Apply the rows set aside again (all, or one row id): (how many tried, how many still set aside)."""
        storage = SyncStorage(self._db, self._workspace.data_dir, wall=self._wall)
        with storage.write(foreign_keys=False) as conn:
            rows = quarantine.stored_rows(conn, row_id)
            storage.apply_rows(conn, rows)
            storage.end_bulk()
            tried = {(row.table, row.row_id) for row in rows}
            left = sum(1 for kept in quarantine.listing(conn) if (kept.table, kept.row_id) in tried)
        _log.info("quarantine retry: %s rows tried, %s still set aside", len(rows), left)
        return len(rows), left

    @guarded(Action.SYNC_SUPERVISE)
    def drop_quarantined(self, row_id: str) -> int:
        """Forget a row set aside (the server keeps it; a later pull of a repair brings it back); how many."""
        storage = SyncStorage(self._db, self._workspace.data_dir, wall=self._wall)
        with storage.write() as conn:
            dropped = quarantine.drop(conn, row_id)
        _log.info("quarantine drop: %s rows", dropped)
        return dropped

    # ------------------------------------------------------------------ conflicts

    @guarded(Action.SYNC_SUPERVISE)
    def conflicts(self, *, include_resolved: bool = False) -> list[ConflictView]:
        """Conflicts for the supervisor (resolved ones too when `include_resolved`): open ones first, newest first."""
        this_device = self._state_row().get("device_id")
        with self._db.session(read_only=True) as session:
            query = select(SyncConflict).where(SyncConflict.deleted_at.is_(None))
            if not include_resolved:
                query = query.where(SyncConflict.status == "open")
            still_open = sql_case((SyncConflict.status == "open", 0), else_=1)
            rows = session.scalars(query.order_by(
                still_open, SyncConflict.created_at.desc(), SyncConflict.id.desc())).all()
            users = {u.id: u.full_name for u in session.scalars(select(AppUser)).all()}
            return [self._view(session, row, users, this_device) for row in rows]

    def _view(self, session: Session, row: SyncConflict, users: dict[uuid.UUID, str], this_device: Any) -> ConflictView:
        def user(value: uuid.UUID | None) -> str:
            return "غير معروف" if value is None else users.get(value, f"مستخدم {str(value)[:8]}")

        def device(value: uuid.UUID | None, name: str | None) -> str:
            if value is None:
                return name or "غير معروف"
            if this_device and value.hex == str(this_device):
                return "هذا الجهاز"
            return name or f"جهاز {str(value)[:8]}"  # records made before the server sent names

        return ConflictView(
            id=row.id,
            table=row.table_name,
            table_label_ar=TABLE_LABELS.get(row.table_name, row.table_name),
            row_id=row.row_id,
            row_label_ar=self._row_label(session, row.table_name, row.row_id),
            field=row.field,
            field_label_ar=FIELD_LABELS.get(row.field, row.field),
            base_text=_value_text(row.field, row.base_value),
            value_a=row.value_a,
            value_b=row.value_b,
            value_a_text=_value_text(row.field, row.value_a),
            value_b_text=_value_text(row.field, row.value_b),
            user_a_ar=user(row.user_a),
            user_b_ar=user(row.user_b),
            device_a_ar=device(row.device_a, row.device_a_name),
            device_b_ar=device(row.device_b, row.device_b_name),
            at_a=row.at_a,
            at_b=row.at_b,
            winner=row.winner,
            status=row.status,
            resolution_text=None if row.status == "open" else _value_text(row.field, row.resolution_value),
            resolved_at=row.resolved_at,
        )

    @staticmethod
    def _row_label(session: Session, table_name: str, row_id: uuid.UUID) -> str:
        if table_name == "case":
            number = session.scalar(text('SELECT case_number FROM "case" WHERE id = :id'), {"id": row_id.hex})
            if number:
                return f"الحالة {number}"
        if table_name == "beneficiary":
            name = session.scalar(text("SELECT full_name FROM beneficiary WHERE id = :id"), {"id": row_id.hex})
            if name:
                return str(name)
        return f"{TABLE_LABELS.get(table_name, table_name)} {str(row_id)[:8]}"

    @guarded(Action.SYNC_SUPERVISE)
    def resolve(self, conflict_id: uuid.UUID, choose: Any) -> ConflictView:
        """Resolve a conflict with value "a", "b" or another value of the field; the resolution syncs like any change."""
        tables = local_synced_tables()
        this_device = self._state_row().get("device_id")
        with self._db.session() as session:
            row = session.get(SyncConflict, conflict_id)
            if row is None or row.deleted_at is not None:
                raise SyncError("التعارض غير موجود", "invalid")
            if row.status != "open":
                raise SyncError("حُسم هذا التعارض من قبل", "invalid")
            table = tables.get(row.table_name)
            if table is None or row.field not in table.c:
                raise SyncError("الجدول أو الحقل المتعارض عليه غير معروف في هذا الإصدار", "invalid")
            column = table.c[row.field]
            if choose == "a":
                wire = row.value_a
            elif choose == "b":
                wire = row.value_b
            else:
                try:
                    wire = encode_value(column.type, choose)
                    decode_value(column.type, wire)
                except (ValueError, TypeError) as exc:
                    raise SyncError("القيمة المختارة لا تناسب هذا الحقل", "invalid", detail=str(exc)) from exc
            value = decode_value(column.type, wire)
            officer = self._officer_id(session)
            now = utc_now()
            current = session.execute(select(column).where(table.c.id == row.row_id)).scalar_one_or_none()
            if current != value:
                values: dict[str, Any] = {row.field: value}
                if "updated_at" in table.c:
                    values["updated_at"] = now
                if "updated_by" in table.c and row.field != "updated_by":
                    values["updated_by"] = officer
                session.execute(update(table).where(table.c.id == row.row_id).values(**values))
            row.status = "resolved"
            row.resolution_value = wire
            row.resolved_by = officer
            row.resolved_at = now
            row.updated_by = officer
            row.device_id = uuid.UUID(hex=str(this_device)) if this_device else None
            session.flush()
            users = {u.id: u.full_name for u in session.scalars(select(AppUser)).all()}
            return self._view(session, row, users, this_device)

    def _officer_id(self, session: Session) -> uuid.UUID | None:
        return self._acting_account_id(session)


def _value_text(field: str, value: Any) -> str:
    """A wire value as the supervisor reads it."""
    if value is None:
        return "—" if field != "deleted_at" else "غير محذوف"
    if field == "status":
        try:
            return CaseStatus(value).label_ar
        except ValueError:
            return str(value)
    if field == "deleted_at":
        return "محذوف في " + str(value)[:16].replace("-", "/").replace("T", " ")
    if isinstance(value, bool):
        return "نعم" if value else "لا"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _parse_time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
