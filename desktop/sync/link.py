"""The desk's HTTP link to the sync server: kept-alive connections, the protocol headers, errors in Arabic.

Every request of a round goes through `ServerLink.request`: a transport failure becomes a SyncError
"offline", an HTTP error answer the SyncError of its status (`error_of`, the server's own Arabic
message when it gave one), and the ``Date`` header of every answer corrects this desk's clock
(`DeskClock.learn_offset`) once the clock is loaded.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import httpx

from db.engine import HEAD_REVISION
from desktop.sync.hlc import DeskClock
from desktop.sync.outcome import SyncError
from desktop.sync.protocol import HEADER_APP_VERSION, HEADER_PROTOCOL, HEADER_SCHEMA, PROTOCOL_VERSION
from desktop.version import app_version

__all__ = ["ServerLink", "bad_answer", "error_of"]

OFFLINE_AR = "تعذر الوصول إلى خادم المزامنة: الجهاز يعمل دون اتصال وستُرسل التغييرات لاحقًا"


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
    ) -> None:
        self._wall = wall or time.time
        self._http = httpx.Client(
            base_url=server_url.rstrip("/"),
            headers={
                HEADER_PROTOCOL: str(PROTOCOL_VERSION),
                HEADER_SCHEMA: schema,
                HEADER_APP_VERSION: app_version(),
                "Authorization": f"Bearer {token}",
            },
            timeout=timeout,
            transport=transport if transport is not None else nodelay_transport(),
        )
        #: This desk's clock once loaded: the ``Date`` header of every answer corrects its offset.
        self.clock: DeskClock | None = None

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; the answer, or SyncError ("offline" without one, else by its HTTP status)."""
        sent = self._wall()
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise SyncError(OFFLINE_AR, "offline", detail=f"{type(exc).__name__}: {exc}") from exc
        if self.clock is not None:
            self.clock.learn_offset(response.headers.get("date"), sent, self._wall())
        if response.status_code >= 400:
            raise error_of(response)
        return response

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()


def nodelay_transport() -> httpx.HTTPTransport:
    """Kept-alive connections with TCP_NODELAY: a request's header and body writes go out at once."""
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


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
