"""The FastAPI application of the sync server (protocol in `desktop.sync.protocol`).

Decisions recorded here:

* Bodies are read and checked here (`_parse`), not by FastAPI's own validation, so every refusal is
  the protocol's `ErrorResponse` with an Arabic sentence; the OpenAPI description (``GET
  /v1/openapi.json``) still names every endpoint's body, parameters and answers from the protocol's
  models (`_describe`), so an external client or a fuzzer can use it.
* JSON with NaN/Infinity or a NUL character anywhere is refused (422): PostgreSQL cannot store them.
* An attachment upload is streamed to a temporary file while its SHA-256 is computed, refused with
  413 as soon as it passes `MAX_ATTACHMENT_BYTES`, and read back only for its INSERT
  (`ServerStore.put_attachment_file`, one upload at a time), never held whole while it arrives.
* Rate limits (`desktop.server.limits`): enrolment and authentication failures per client address,
  requests per device, counted in the database so they hold across worker processes; 429 with
  ``Retry-After``. A 405 names the allowed methods in ``Allow``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.server.limits import Rate, RateLimits
from desktop.server.store import (
    MIN_CLIENT_SCHEMA,
    SERVER_SCHEMA,
    TOKEN_IDLE_EXPIRY,
    TOKEN_ROTATE_AFTER,
    DeviceContext,
    ServerError,
    ServerStore,
    check_sha256,
)
from desktop.sync import protocol as p
from desktop.version import app_version

__all__ = ["ENV_CONFIG", "app_from_environment", "configure_logging", "create_app", "request_logger"]

#: The environment variable through which `mustafid-server --workers N` hands its settings to each worker
#: process (JSON: db_url, min_client_schema, token_rotate_seconds, token_idle_seconds, limits).
ENV_CONFIG = "MUSTAFID_SERVER_CONFIG"

#: One JSON line per request goes to this logger (``mustafid.server.requests``).
request_logger = logging.getLogger("mustafid.server.requests")

M = TypeVar("M", bound=BaseModel)

_JSON = "application/json"


class _JsonLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Request log records are already one JSON object: write them as they are, one per line."""


def configure_logging() -> None:
    """One JSON line per request on stderr (in each worker process too)."""
    handler = _JsonLineHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("mustafid.server.requests",):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _error(status: int, error: str, message_ar: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "message_ar": message_ar}, status_code=status, headers=dict(headers or {}))


class _RequestLog:
    """ASGI middleware around every request: one JSON line in the request log, a rotated device token sent back
    (`protocol.HEADER_TOKEN`, on a success), an unexpected error answered 500 in Arabic (its traceback logged).

    Plain ASGI rather than ``@app.middleware("http")`` (Starlette's BaseHTTPMiddleware runs the route in a
    task of its own, its answer passed through memory streams): the same work at a fraction of the CPU per request.
    The routes leave what it logs in ``request.state`` (``device_id``, ``error``, ``new_token``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})
        state.update(device_id=None, error=None, new_token=None)
        status = [0]
        logged = [False]

        def log() -> None:
            if logged[0]:
                return
            logged[0] = True
            client = scope.get("client")
            headers = dict(scope.get("headers") or ())
            request_logger.info(json.dumps({
                "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "method": scope["method"], "path": scope["path"], "status": status[0],
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "device": state.get("device_id"), "error": state.get("error"),
                "client": client[0] if client else None,
                "desk_version": headers[_APP_VERSION_HEADER].decode("latin-1") if _APP_VERSION_HEADER in headers else None,
            }, ensure_ascii=False))

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                token = state.get("new_token")
                if token is not None and status[0] < 400:
                    message = {**message, "headers": [*message.get("headers", ()),
                                                      (_TOKEN_HEADER, str(token).encode("latin-1"))]}
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                log()  # before the answer's last byte: a request the client saw answered is in the log
            await send(message)

        try:
            await self.app(scope, receive, answer)
        except Exception:
            request_logger.exception("unhandled error")
            if status[0]:
                raise  # the answer had begun: nothing can be said any more
            await _error(500, "server_error", "حدث خطأ غير متوقع في الخادم؛ لم يُطبّق الطلب")(scope, receive, answer)
        log()


_TOKEN_HEADER = p.HEADER_TOKEN.lower().encode("latin-1")
_APP_VERSION_HEADER = p.HEADER_APP_VERSION.lower().encode("latin-1")


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _check_versions(request: Request, store: ServerStore) -> None:
    """426 unless the protocol header is ours and the desk schema is recent enough."""
    protocol = request.headers.get(p.HEADER_PROTOCOL)
    if protocol != str(p.PROTOCOL_VERSION):
        raise ServerError(426, "unsupported_protocol",
                          f"حدّث البرنامج على هذا الجهاز: إصدار بروتوكول المزامنة ({protocol or 'غير محدد'}) "
                          f"لا يدعمه الخادم (يدعم {p.PROTOCOL_VERSION})")
    store.check_client_schema(request.headers.get(p.HEADER_SCHEMA))


async def _device(request: Request, store: ServerStore) -> DeviceContext:
    """Versions checked, then the bearer token authenticated (429 after too many failures from one address,
    or too many requests of one device: `ServerStore.authenticate`)."""
    _check_versions(request, store)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    ctx = await run_in_threadpool(store.authenticate, token.strip() if scheme.lower() == "bearer" else None,
                                  _client(request))
    request.state.device_id = str(ctx.device_id)
    request.state.new_token = ctx.new_token
    return ctx


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 beyond `limit` bytes."""
    too_large = ServerError(413, "body_too_large", f"حجم الطلب أكبر من المسموح ({limit // (1024 * 1024)} ميغابايت)")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _spool(request: Request, limit: int, folder: Path | None) -> tuple[IO[bytes], str, int]:
    """The request body streamed into a temporary file (deleted on close): the file, its SHA-256 and size.

    413 as soon as the body passes `limit` bytes (or declares more); only one chunk is in memory at a time.
    """
    too_large = ServerError(413, "body_too_large", f"حجم الملف أكبر من المسموح ({limit // (1024 * 1024)} ميغابايت)")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    spool = tempfile.TemporaryFile(prefix="mustafid-upload-", dir=folder)
    digest = hashlib.sha256()
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            digest.update(chunk)
            await run_in_threadpool(spool.write, chunk)
    except BaseException:
        spool.close()
        raise
    return spool, digest.hexdigest(), size


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _holds_nul(value: Any) -> bool:
    """True when a decoded JSON value holds a NUL character in a text or a key."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


async def _parse(request: Request, model: type[M]) -> M:
    """The body as `model`: 400 when it is not JSON, 413 when too large, 422 when of the wrong shape
    (NaN, Infinity and NUL characters included)."""
    raw = await _body(request, p.MAX_BODY_BYTES)
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ServerError(400, "malformed_json", "نص الطلب ليس JSON صالحًا") from None
    except ValueError:
        raise ServerError(422, "invalid_request", "بيانات الطلب تحتوي عددًا غير منتهٍ (NaN أو Infinity)") from None
    if _holds_nul(data):
        raise ServerError(422, "invalid_request", "بيانات الطلب تحتوي محرفًا غير مسموح (NUL)")
    if (model is p.PushRequest and isinstance(data, dict) and isinstance(data.get("mutations"), list)
            and len(data["mutations"]) > p.MAX_BATCH_MUTATIONS):
        raise ServerError(413, "batch_too_large",
                          f"الدفعة أكبر من المسموح ({p.MAX_BATCH_MUTATIONS} تغيير في الدفعة الواحدة)")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) if exc.errors() else ""
        raise ServerError(422, "invalid_request",
                          f"بيانات الطلب ليست من الشكل أو النوع الصحيح (الحقل: {where or 'الطلب'})") from None


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ServerError(422, "invalid_parameter", f"المعامل «{name}» يجب أن يكون عددًا صحيحًا") from None
    if not low <= value <= high:
        raise ServerError(422, "invalid_parameter", f"المعامل «{name}» خارج المدى المسموح ({low}–{high})")
    return value


def _model_response(model: BaseModel, status: int = 200) -> Response:
    return Response(p.dumps(model), status_code=status, media_type=_JSON)


def create_app(db_url: str, *, min_client_schema: str | None = None, upgrade: bool = True,
               limits: RateLimits | None = None, upload_dir: Path | None = None,
               token_rotate_after: dt.timedelta = TOKEN_ROTATE_AFTER,
               token_idle_expiry: dt.timedelta = TOKEN_IDLE_EXPIRY) -> FastAPI:
    """The sync server application on the database at `db_url` (migrated at creation unless `upgrade` is False).

    `limits` are the rate limits (`RateLimits()` by default; counted in the database, so across every worker
    process); uploads are spooled in
    `upload_dir` (the system's temporary folder by default); a device's token is replaced after
    `token_rotate_after` and expires unused after `token_idle_expiry`.
    """
    store = ServerStore(db_url, min_client_schema=min_client_schema or MIN_CLIENT_SCHEMA,
                        token_rotate_after=token_rotate_after, token_idle_expiry=token_idle_expiry, limits=limits)
    if upgrade:
        store.upgrade()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.dispose()

    app = FastAPI(title="Mustafid sync server", version=str(p.PROTOCOL_VERSION), docs_url=None, redoc_url=None,
                  openapi_url=OPENAPI_PATH, lifespan=lifespan)
    app.state.store = store

    app.add_middleware(_RequestLog)

    @app.exception_handler(ServerError)
    async def server_error(request: Request, exc: ServerError) -> JSONResponse:
        request.state.error = exc.error
        return _error(exc.status, exc.error, exc.message_ar, exc.headers)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        request.state.error = "not_found"
        return _error(404, "not_found", "العنوان المطلوب غير موجود على خادم المزامنة")

    @app.exception_handler(405)
    async def not_allowed(request: Request, exc: Exception) -> JSONResponse:
        request.state.error = "method_not_allowed"
        allowed: set[str] = set()
        for route in app.router.routes:
            match, _ = route.matches({**request.scope, "method": "GET"})
            methods = getattr(route, "methods", None)
            if match is not Match.NONE and methods:
                allowed.update(methods)
        if "GET" in allowed:
            allowed.add("HEAD")
        return _error(405, "method_not_allowed", "طريقة الطلب غير مسموحة لهذا العنوان",
                      {"Allow": ", ".join(sorted(allowed))})

    @app.get("/v1/health", **_describe(response=p.HealthResponse, public=True))
    async def health() -> Response:
        return _model_response(p.HealthResponse(server_schema=SERVER_SCHEMA,
                                                min_client_schema=store.min_client_schema,
                                                app_version=app_version()))

    @app.post("/v1/enroll", **_describe(body=p.EnrollRequest, response=p.EnrollResponse, public=True,
                                        versioned=True))
    async def enroll(request: Request) -> Response:
        _check_versions(request, store)
        await run_in_threadpool(store.admit_enrolment, _client(request))
        body = await _parse(request, p.EnrollRequest)
        try:
            answer = await run_in_threadpool(store.enroll, body)
        except ServerError as exc:
            if exc.status == 401:  # a wrong, used or expired code counts as a failed attempt
                await run_in_threadpool(store.count_failure, _client(request))
            raise
        request.state.device_id = str(answer.device_id)
        return _model_response(answer)

    @app.post("/v1/push", **_describe(body=p.PushRequest, response=p.PushResponse))
    async def push(request: Request) -> Response:
        ctx = await _device(request, store)
        body = await _parse(request, p.PushRequest)
        schema = request.headers.get(p.HEADER_SCHEMA)
        return _model_response(await run_in_threadpool(lambda: store.push(ctx, body, schema=schema)))

    @app.get("/v1/pull", **_describe(response=p.PullResponse, query={
        "after": {"type": "integer", "minimum": 0, "maximum": 2**62},
        "limit": {"type": "integer", "minimum": 1, "maximum": p.PAGE_LIMIT_MAX}}))
    async def pull(request: Request) -> Response:
        ctx = await _device(request, store)
        after = _int_param(request, "after", 0, 0, 2**62)
        limit = _int_param(request, "limit", p.PAGE_LIMIT_DEFAULT, 1, p.PAGE_LIMIT_MAX)
        return Response(await run_in_threadpool(store.pull, ctx, after, limit), media_type=_JSON)

    @app.get("/v1/summary", **_describe(response=p.SummaryResponse))
    async def summary(request: Request) -> Response:
        ctx = await _device(request, store)
        return _model_response(await run_in_threadpool(store.summary, ctx))

    @app.get("/v1/rows", **_describe(response=p.RowsResponse, query={
        "table": {"type": "string", "enum": sorted(p.synced_tables())}, "after_id": {"type": "string", "format": "uuid"},
        "limit": {"type": "integer", "minimum": 1, "maximum": p.PAGE_LIMIT_MAX},
        "bucket": {"type": "integer", "minimum": 0, "maximum": p.BUCKET_COUNT - 1},
        "upto": {"type": "integer", "minimum": 0, "maximum": 2**62}}))
    async def rows(request: Request) -> Response:
        ctx = await _device(request, store)
        table = request.query_params.get("table") or ""
        raw_after = request.query_params.get("after_id") or None
        try:
            after_id = uuid.UUID(raw_after) if raw_after else None
        except ValueError:
            raise ServerError(422, "invalid_parameter", "المعامل «after_id» ليس معرّفًا صحيحًا") from None
        limit = _int_param(request, "limit", p.PAGE_LIMIT_DEFAULT, 1, p.PAGE_LIMIT_MAX)
        bucket = (_int_param(request, "bucket", 0, 0, p.BUCKET_COUNT - 1)
                  if request.query_params.get("bucket") else None)
        upto = _int_param(request, "upto", 0, 0, 2**62) if request.query_params.get("upto") else None
        return _model_response(await run_in_threadpool(store.rows, ctx, table, after_id, limit, bucket, upto))

    @app.get("/v1/checksums", **_describe(response=p.ChecksumsResponse, query={
        "table": {"type": "string", "enum": sorted(p.synced_tables())},
        "prefix": {"type": "string", "pattern": f"^[0-9a-f]{{0,{p.BUCKET_DIGITS - 1}}}$"},
        "buckets": {"type": "string", "enum": ["all"]}}))
    async def checksums(request: Request) -> Response:
        ctx = await _device(request, store)
        table = request.query_params.get("table") or None
        prefix = request.query_params.get("prefix") or ""
        every = request.query_params.get("buckets") == "all"
        return _model_response(await run_in_threadpool(lambda: store.checksums(ctx, table, prefix, every_bucket=every)))

    @app.post("/v1/attachments/missing", **_describe(body=p.MissingRequest, response=p.MissingResponse))
    async def missing(request: Request) -> Response:
        ctx = await _device(request, store)
        body = await _parse(request, p.MissingRequest)
        lacking = await run_in_threadpool(store.missing_attachments, ctx, body.sha256)
        return _model_response(p.MissingResponse(missing=lacking))

    @app.put("/v1/attachments/{sha256}", **_describe(raw_body=True, status=201, path=("sha256",)))
    async def put_attachment(sha256: str, request: Request) -> Response:
        ctx = await _device(request, store)
        check_sha256(sha256)
        spool, digest, size = await _spool(request, p.MAX_ATTACHMENT_BYTES, upload_dir)
        try:
            created = await run_in_threadpool(store.put_attachment_file, ctx, sha256, spool, digest, size)
        finally:
            spool.close()
        return Response(json.dumps({"sha256": sha256, "stored": created}), status_code=201, media_type=_JSON)

    @app.get("/v1/attachments/{sha256}", **_describe(raw_response=True, path=("sha256",)))
    async def get_attachment(sha256: str, request: Request) -> Response:
        ctx = await _device(request, store)
        content = await run_in_threadpool(store.get_attachment, ctx, sha256)
        return Response(content, media_type="application/octet-stream")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                                 description="بروتوكول مزامنة مكتب المستفيد (الإصدار 1)، انظر desktop/sync/protocol.py")
            components = schema.setdefault("components", {})
            defs = components.setdefault("schemas", {})
            for model in _MODELS:
                model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                defs.update(model_schema.pop("$defs", {}))
                defs[model.__name__] = model_schema
            components["securitySchemes"] = {"device": {"type": "http", "scheme": "bearer"}}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


#: Where the OpenAPI description of the protocol is published.
OPENAPI_PATH = "/v1/openapi.json"
_MODELS: list[type[BaseModel]] = [
    p.ErrorResponse, p.HealthResponse, p.EnrollRequest, p.EnrollResponse, p.PushRequest, p.PushResponse,
    p.PullResponse, p.SummaryResponse, p.ChecksumsResponse, p.RowsResponse, p.MissingRequest, p.MissingResponse,
]
_ERRORS = {
    "400": "ليس JSON صالحًا", "401": "بيانات اعتماد غير صحيحة", "403": "جهاز ملغى أو سجل لجمعية أخرى",
    "404": "غير موجود", "413": "أكبر من المسموح", "422": "شكل أو نوع غير صحيح", "426": "إصدار غير مدعوم",
    "429": "طلبات كثيرة؛ انظر Retry-After",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _describe(*, body: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
              query: Mapping[str, dict[str, Any]] | None = None, path: tuple[str, ...] = (),
              public: bool = False, versioned: bool = False, raw_body: bool = False, raw_response: bool = False,
              status: int = 200) -> dict[str, Any]:
    """The OpenAPI description of one endpoint (the route reads its request itself, see the module docstring)."""
    parameters: list[dict[str, Any]] = []
    if not public or versioned:
        parameters += [
            {"name": p.HEADER_PROTOCOL, "in": "header", "required": True,
             "schema": {"type": "string", "enum": [str(p.PROTOCOL_VERSION)]}},
            {"name": p.HEADER_SCHEMA, "in": "header", "required": True,
             "schema": {"type": "string", "pattern": "^[0-9]{4}$"}},
        ]
    parameters += [{"name": name, "in": "query", "required": False, "schema": dict(schema)}
                   for name, schema in (query or {}).items()]
    parameters += [{"name": name, "in": "path", "required": True,
                    "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}} for name in path]
    extra: dict[str, Any] = {"parameters": parameters}
    if not public:
        extra["security"] = [{"device": []}]
    if body is not None:
        extra["requestBody"] = {"required": True, "content": {_JSON: {"schema": _ref(body)}}}
    elif raw_body:
        extra["requestBody"] = {"required": True, "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    answers: dict[int | str, dict[str, Any]] = {}
    if response is not None:
        answers[status] = {"description": "نجاح", "content": {_JSON: {"schema": _ref(response)}}}
    elif raw_response:
        answers[status] = {"description": "نجاح", "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    else:
        answers[status] = {"description": "نجاح"}
    for code, text in _ERRORS.items():
        answers[code] = {"description": text, "content": {_JSON: {"schema": _ref(p.ErrorResponse)}}}
    return {"openapi_extra": extra, "responses": answers, "include_in_schema": True}


def app_from_environment() -> FastAPI:
    """The application of one worker process of `mustafid-server --workers N` (settings from `ENV_CONFIG`).

    The parent migrated the database before starting the workers; each worker has its own connection pool,
    and every guarantee lives in PostgreSQL (the association's counter row locked for each push's writes, conditional
    updates for tokens), none in a process.
    """
    settings = json.loads(os.environ[ENV_CONFIG])
    if settings.get("log_requests"):
        configure_logging()
    limits = RateLimits(**{kind: Rate(burst=float(burst), per_second=float(per_second))
                           for kind, (burst, per_second) in settings.get("limits", {}).items()})
    return create_app(settings["db_url"], min_client_schema=settings.get("min_client_schema"), upgrade=False,
                      token_rotate_after=dt.timedelta(seconds=float(settings["token_rotate_seconds"])),
                      token_idle_expiry=dt.timedelta(seconds=float(settings["token_idle_seconds"])), limits=limits)
