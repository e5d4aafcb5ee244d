"""The monitor's HTTP face: routes over a `Monitor`, as a FastAPI app.

Reading needs nothing; `POST /api/retry` needs `Authorization: Bearer <monitor_token>` and
is refused outright when no token is configured. Every error is a short JSON object
`{"error": …}`; nothing answers with a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Self

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from db.textquery import MAX_ID
from workers.guards import bearer_matches
from workers.history import Sample
from workers.metrics import CONTENT_TYPE, metrics_text
from workers.snapshot import plain, to_json
from workers.web_read import add_article_routes, add_directory_routes

if TYPE_CHECKING:
    from workers.monitor import Monitor

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024
MAX_RETRY_IDS = 10_000
# A ledger id: an INTEGER column, so a larger number is refused here, not by the driver.
LedgerId = Annotated[int, Field(ge=1, le=MAX_ID)]
ERROR_CHARS = 200


class JSON(JSONResponse):
    """ASCII-only JSON: whatever text a dropped file brought, the body is valid UTF-8."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False).encode()


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSON:
    return JSON({"error": message[:ERROR_CHARS]}, status_code=status, headers=headers)


class RetryRequest(BaseModel):
    """`{"ids": [ledger ids…]}` retries those failed files; `{"all": true}` every one."""

    model_config = ConfigDict(extra="forbid", strict=True)

    ids: list[LedgerId] | None = Field(None, min_length=1, max_length=MAX_RETRY_IDS)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.ids is not None) == self.all:
            raise ValueError('give {"ids": [ledger ids…]} or {"all": true}')
        return self


class HistoryPage(BaseModel):
    interval_seconds: float
    samples: list[dict[str, Any]]


def _bad_request(exc: ValidationError | RequestValidationError) -> JSON:
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("type") == "json_invalid":
        return _error(400, "body must be JSON")
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
    message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    return _error(400, f"{where}: {message}" if where else message)


def _check_token(token: str | None, header: str | None) -> None:
    if not token:
        raise HTTPException(
            403, "actions are disabled: no monitor token is configured (set DROPWIRE_MONITOR_TOKEN)"
        )
    if not bearer_matches(header, [token]):
        raise HTTPException(403, "a valid Authorization: Bearer token is needed")


async def _read_body(request: Request) -> bytes:
    """The body, refused past MAX_BODY_BYTES before it is all read (chunked bodies too)."""
    declared = request.headers.get("content-length")
    if declared is not None and int(declared) > MAX_BODY_BYTES:  # h11 checked it is digits
        raise HTTPException(413, f"body over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"body over {MAX_BODY_BYTES} bytes")
    return bytes(body)


def _add_error_handlers(app: FastAPI) -> None:
    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail), exc.headers)

    async def invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError | ValidationError)
        return _bad_request(exc)

    async def crashed(request: Request, exc: Exception) -> Response:
        log.error("monitor: %s %s failed", request.method, request.url.path, exc_info=exc)
        return _error(500, "internal error; see the monitor's log")

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(ValidationError, invalid)
    app.add_exception_handler(Exception, crashed)


def _add_read_routes(app: FastAPI, monitor: Monitor) -> None:
    def snapshot_or_503() -> Any:
        try:
            return monitor.snapshot()
        except Exception:  # the database or Redis may be away for a while
            log.warning("monitor: status unavailable", exc_info=True)
            raise HTTPException(503, "status unavailable") from None

    @app.get("/api/status", summary="The status snapshot, as `dropwire status --json`")
    def status() -> JSON:
        return JSON(to_json(snapshot_or_503()))

    @app.get("/metrics", summary="Prometheus text", response_class=Response)
    def metrics() -> Response:
        return Response(metrics_text(snapshot_or_503()), media_type=CONTENT_TYPE)

    @app.get("/api/history", summary="Samples for the charts, newer than `since`")
    def history(
        since: Annotated[float, Query(allow_inf_nan=False, description="Unix time")] = 0.0,
    ) -> HistoryPage:
        samples: list[Sample] = monitor.history.since(since)
        return HistoryPage(
            interval_seconds=monitor.history_interval,
            samples=plain(samples),
        )


def _add_retry_route(app: FastAPI, monitor: Monitor) -> None:
    schema = {"content": {"application/json": {"schema": RetryRequest.model_json_schema()}}}

    @app.post(
        "/api/retry",
        summary="Send failed files again",
        openapi_extra={"requestBody": {**schema, "required": True}},
        responses={400: {}, 403: {}, 413: {}},
    )
    async def retry(request: Request) -> JSON:
        # Token first, body second: without the token nothing is read.
        _check_token(monitor.settings.monitor_token, request.headers.get("authorization"))
        wanted = RetryRequest.model_validate_json(await _read_body(request) or b"{}")
        ids = None if wanted.all else wanted.ids
        sent = await run_in_threadpool(monitor.retry, ids)
        log.info("monitor: retry of %s sent %d file(s)", ids or "all failed", sent)
        return JSON({"sent": sent})


def create_app(monitor: Monitor) -> FastAPI:
    app = FastAPI(
        title="dropwire monitor",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the docs pages load scripts from a CDN, which the CSP refuses
        redoc_url=None,
        default_response_class=JSON,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    _add_error_handlers(app)
    _add_read_routes(app, monitor)
    _add_retry_route(app, monitor)
    add_article_routes(app, monitor)
    add_directory_routes(app, monitor)
    page = (STATIC_DIR / "index.html").read_bytes()

    @app.get("/", include_in_schema=False)
    @app.get("/index.html", include_in_schema=False)
    def index() -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
