"""The FastAPI application of the sync server (protocol in `desktop.sync.protocol`)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from desktop.server.store import (
    MIN_CLIENT_SCHEMA,
    SERVER_SCHEMA,
    TOKEN_IDLE_EXPIRY,
    TOKEN_ROTATE_AFTER,
    DeviceContext,
    ServerError,
    ServerStore,
)
from desktop.sync import protocol as p

__all__ = ["ENV_CONFIG", "app_from_environment", "configure_logging", "create_app", "request_logger"]

#: The environment variable through which `mustafid-server --workers N` hands its settings to each worker
#: process (JSON: db_url, min_client_schema, token_rotate_seconds, token_idle_seconds).
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


def _error(status: int, error: str, message_ar: str) -> JSONResponse:
    return JSONResponse({"error": error, "message_ar": message_ar}, status_code=status)


def _check_versions(request: Request, store: ServerStore) -> None:
    """426 unless the protocol header is ours and the desk schema is recent enough."""
    protocol = request.headers.get(p.HEADER_PROTOCOL)
    if protocol != str(p.PROTOCOL_VERSION):
        raise ServerError(426, "unsupported_protocol",
                          f"حدّث البرنامج على هذا الجهاز: إصدار بروتوكول المزامنة ({protocol or 'غير محدد'}) "
                          f"لا يدعمه الخادم (يدعم {p.PROTOCOL_VERSION})")
    store.check_client_schema(request.headers.get(p.HEADER_SCHEMA))


async def _device(request: Request, store: ServerStore) -> DeviceContext:
    """Versions checked, then the bearer token authenticated."""
    _check_versions(request, store)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    ctx = await run_in_threadpool(store.authenticate, token.strip() if scheme.lower() == "bearer" else None)
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


async def _parse(request: Request, model: type[M]) -> M:
    """The body as `model`: 400 when it is not JSON, 413 when too large, 422 when of the wrong shape."""
    raw = await _body(request, p.MAX_BODY_BYTES)
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ServerError(400, "malformed_json", "نص الطلب ليس JSON صالحًا") from None
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
               token_rotate_after: dt.timedelta = TOKEN_ROTATE_AFTER,
               token_idle_expiry: dt.timedelta = TOKEN_IDLE_EXPIRY) -> FastAPI:
    """The sync server application on the database at `db_url` (migrated at creation unless `upgrade` is False)."""
    store = ServerStore(db_url, min_client_schema=min_client_schema or MIN_CLIENT_SCHEMA,
                        token_rotate_after=token_rotate_after, token_idle_expiry=token_idle_expiry)
    if upgrade:
        store.upgrade()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.dispose()

    app = FastAPI(title="Mustafid sync server", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.store = store

    @app.middleware("http")
    async def log_requests(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        request.state.device_id = None
        request.state.error = None
        request.state.new_token = None
        try:
            response: Response = await call_next(request)
        except Exception:
            request_logger.exception("unhandled error")
            response = _error(500, "server_error", "حدث خطأ غير متوقع في الخادم؛ لم يُطبّق الطلب")
        new_token = getattr(request.state, "new_token", None)
        if new_token is not None and response.status_code < 400:
            response.headers[p.HEADER_TOKEN] = new_token
        request_logger.info(json.dumps({
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "method": request.method, "path": request.url.path, "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 2),
            "device": request.state.device_id, "error": request.state.error,
            "client": request.client.host if request.client else None,
        }, ensure_ascii=False))
        return response

    @app.exception_handler(ServerError)
    async def server_error(request: Request, exc: ServerError) -> JSONResponse:
        request.state.error = exc.error
        return _error(exc.status, exc.error, exc.message_ar)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        request.state.error = "not_found"
        return _error(404, "not_found", "العنوان المطلوب غير موجود على خادم المزامنة")

    @app.exception_handler(405)
    async def not_allowed(request: Request, exc: Exception) -> JSONResponse:
        request.state.error = "method_not_allowed"
        return _error(405, "method_not_allowed", "طريقة الطلب غير مسموحة لهذا العنوان")

    @app.get("/v1/health")
    async def health() -> Response:
        return _model_response(p.HealthResponse(server_schema=SERVER_SCHEMA,
                                                min_client_schema=store.min_client_schema))

    @app.post("/v1/enroll")
    async def enroll(request: Request) -> Response:
        _check_versions(request, store)
        body = await _parse(request, p.EnrollRequest)
        answer = await run_in_threadpool(store.enroll, body)
        request.state.device_id = str(answer.device_id)
        return _model_response(answer)

    @app.post("/v1/push")
    async def push(request: Request) -> Response:
        ctx = await _device(request, store)
        body = await _parse(request, p.PushRequest)
        schema = request.headers.get(p.HEADER_SCHEMA)
        return _model_response(await run_in_threadpool(lambda: store.push(ctx, body, schema=schema)))

    @app.get("/v1/pull")
    async def pull(request: Request) -> Response:
        ctx = await _device(request, store)
        after = _int_param(request, "after", 0, 0, 2**62)
        limit = _int_param(request, "limit", p.PAGE_LIMIT_DEFAULT, 1, p.PAGE_LIMIT_MAX)
        return Response(await run_in_threadpool(store.pull, ctx, after, limit), media_type=_JSON)

    @app.get("/v1/summary")
    async def summary(request: Request) -> Response:
        ctx = await _device(request, store)
        return _model_response(await run_in_threadpool(store.summary, ctx))

    @app.get("/v1/rows")
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

    @app.get("/v1/checksums")
    async def checksums(request: Request) -> Response:
        ctx = await _device(request, store)
        table = request.query_params.get("table") or None
        prefix = request.query_params.get("prefix") or ""
        every = request.query_params.get("buckets") == "all"
        return _model_response(await run_in_threadpool(lambda: store.checksums(ctx, table, prefix, every_bucket=every)))

    @app.post("/v1/attachments/missing")
    async def missing(request: Request) -> Response:
        ctx = await _device(request, store)
        body = await _parse(request, p.MissingRequest)
        lacking = await run_in_threadpool(store.missing_attachments, ctx, body.sha256)
        return _model_response(p.MissingResponse(missing=lacking))

    @app.put("/v1/attachments/{sha256}")
    async def put_attachment(sha256: str, request: Request) -> Response:
        ctx = await _device(request, store)
        content = await _body(request, p.MAX_ATTACHMENT_BYTES)
        created = await run_in_threadpool(store.put_attachment, ctx, sha256, content)
        return Response(json.dumps({"sha256": sha256, "stored": created}), status_code=201, media_type=_JSON)

    @app.get("/v1/attachments/{sha256}")
    async def get_attachment(sha256: str, request: Request) -> Response:
        ctx = await _device(request, store)
        content = await run_in_threadpool(store.get_attachment, ctx, sha256)
        return Response(content, media_type="application/octet-stream")

    return app


def app_from_environment() -> FastAPI:
    """The application of one worker process of `mustafid-server --workers N` (settings from `ENV_CONFIG`).

    The parent migrated the database before starting the workers; each worker has its own connection pool,
    and every guarantee lives in PostgreSQL (the association's counter row locked per write, conditional
    updates for tokens), none in a process.
    """
    settings = json.loads(os.environ[ENV_CONFIG])
    if settings.get("log_requests"):
        configure_logging()
    return create_app(settings["db_url"], min_client_schema=settings.get("min_client_schema"), upgrade=False,
                      token_rotate_after=dt.timedelta(seconds=float(settings["token_rotate_seconds"])),
                      token_idle_expiry=dt.timedelta(seconds=float(settings["token_idle_seconds"])))
