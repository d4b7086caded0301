"""The desk's HTTP link to the sync server: kept-alive connections, the protocol headers, errors in Arabic.

Every request of a round goes through `ServerLink.request`: a transport failure becomes a SyncError
"offline" — or "certificate" when TLS refused the server's certificate, named as such — an HTTP error
answer the SyncError of its status (`error_of`, the server's own Arabic message when it gave one),
and the ``Date`` header of every answer corrects this desk's clock (`DeskClock.learn_offset`) once
the clock is loaded. A new device token in an answer (`HEADER_TOKEN`, rotation) is used from the
next request on and handed to `on_token` to be stored.

TLS: with a pinned certificate (`pinned_context`, the PEM kept at enrolment) only that certificate is
trusted, whatever its host name (a LAN server is often reached by address); without one, the system's
trust store.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx

from db.engine import HEAD_REVISION
from desktop.sync.hlc import DeskClock
from desktop.sync.outcome import SyncError
from desktop.sync.protocol import HEADER_APP_VERSION, HEADER_PROTOCOL, HEADER_SCHEMA, HEADER_TOKEN, PROTOCOL_VERSION
from desktop.version import app_version

__all__ = ["CERTIFICATE_AR", "PINNED_MISMATCH_AR", "ServerLink", "bad_answer", "error_of", "pinned_context",
           "transport_error"]

OFFLINE_AR = "تعذر الوصول إلى خادم المزامنة: الجهاز يعمل دون اتصال وستُرسل التغييرات لاحقًا"
#: A certificate the system does not trust (self-signed, expired, another name) and nothing pinned.
CERTIFICATE_AR = ("شهادة أمان خادم المزامنة غير موثوقة (موقّعة ذاتيًا أو منتهية أو لاسم آخر): لم يُرسل شيء. "
                  "اطلب من مسؤول النظام بصمة الشهادة وسجّل الجهاز مع مطابقتها")
#: The server presented another certificate than the one pinned at enrolment.
PINNED_MISMATCH_AR = ("شهادة أمان خادم المزامنة لا تطابق الشهادة المعتمدة عند تسجيل هذا الجهاز: قد يكون جهاز آخر "
                      "ينتحل صفة الخادم، ولم يُرسل إليه شيء. راجع مسؤول النظام قبل أي مزامنة")


def pinned_context(pem: str) -> ssl.SSLContext:
    """A TLS context that trusts exactly this (self-signed) certificate, whatever the host name it is reached by."""
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False  # the pinned certificate itself is the identity checked
    context.verify_flags |= getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0)
    context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
    return context


def _is_certificate_failure(exc: BaseException) -> bool:
    """True when a transport error was TLS refusing the server's certificate."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def transport_error(exc: httpx.TransportError, *, pinned: bool, offline_ar: str = OFFLINE_AR) -> SyncError:
    """The SyncError of a failed connection: "certificate" (in its own words) or "offline"."""
    if _is_certificate_failure(exc):
        return SyncError(PINNED_MISMATCH_AR if pinned else CERTIFICATE_AR, "certificate",
                         detail=f"{type(exc).__name__}: {exc}")
    return SyncError(offline_ar, "offline", detail=f"{type(exc).__name__}: {exc}")


class ServerLink:
    """One authenticated HTTP client to the server for a desk; `clock` (when set) learns the server's time."""

    def __init__(
        self,
        server_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        wall: Callable[[], float] | None = None,
        timeout: float = 30.0,
        schema: str = HEAD_REVISION,
        pinned_pem: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        self._wall = wall or time.time
        self._pinned = pinned_pem is not None
        self._on_token = on_token
        self._http = httpx.Client(
            base_url=server_url.rstrip("/"),
            headers={
                HEADER_PROTOCOL: str(PROTOCOL_VERSION),
                HEADER_SCHEMA: schema,
                HEADER_APP_VERSION: app_version(),
                "Authorization": f"Bearer {token}",
            },
            timeout=timeout,
            transport=transport if transport is not None else nodelay_transport(
                pinned_context(pinned_pem) if pinned_pem is not None else None),
        )
        #: This desk's clock once loaded: the ``Date`` header of every answer corrects its offset.
        self.clock: DeskClock | None = None

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; the answer, or SyncError ("offline" without one, else by its HTTP status)."""
        sent = self._wall()
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise transport_error(exc, pinned=self._pinned) from exc
        if self.clock is not None:
            self.clock.learn_offset(response.headers.get("date"), sent, self._wall())
        new_token = response.headers.get(HEADER_TOKEN)
        if new_token and response.status_code < 400:
            self._http.headers["Authorization"] = f"Bearer {new_token}"
            if self._on_token is not None:
                self._on_token(new_token)
        if response.status_code >= 400:
            raise error_of(response)
        return response

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()


def nodelay_transport(context: ssl.SSLContext | None = None) -> httpx.HTTPTransport:
    """Kept-alive connections with TCP_NODELAY: a request's header and body writes go out at once."""
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
                               verify=context if context is not None else True)


def bad_answer(what: str) -> SyncError:
    """The SyncError "server" of an answer this desk cannot read (`what` is the technical detail)."""
    return SyncError("أرسل خادم المزامنة ردًا غير مفهوم؛ أعد المحاولة لاحقًا أو راجع مسؤول النظام", "server",
                     detail=what)


def error_of(response: httpx.Response) -> SyncError:
    """The SyncError of an HTTP error answer (the server's Arabic message when it gave one)."""
    try:
        body = response.json()
        message = str(body.get("message_ar") or "")
        code = str(body.get("error") or "")
    except (ValueError, AttributeError):
        message, code = "", ""
    status = response.status_code
    if status == 426:
        return SyncError(message or "إصدار البرنامج على هذا الجهاز أقدم مما يقبله الخادم: حدّث البرنامج ثم أعد المزامنة",
                         "upgrade", detail=code)
    if status in (401, 403):
        return SyncError(message or "رفض الخادم بيانات اعتماد هذا الجهاز: اطلب من مسؤول النظام رمز تسجيل جديدًا",
                         "refused", detail=code)
    if status in (400, 413, 422):
        return SyncError(message or "رفض الخادم البيانات المرسلة", "invalid", detail=f"{status} {code}")
    return SyncError(message or "تعذرت المزامنة: خطأ في خادم المزامنة", "server", detail=f"{status} {code}")
