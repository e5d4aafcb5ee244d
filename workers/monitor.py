"""The monitor: `/api/status` (JSON), `/metrics` (Prometheus text) and `/` (dashboard).

Reading needs nothing; actions (retry) need `Authorization: Bearer <monitor_token>`, and are
refused outright when no token is configured. Background threads keep the worker cache fresh
and sample a ring buffer of history for the page's charts (`/api/history`).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from workers.history import History
from workers.metrics import CONTENT_TYPE, metrics_text
from workers.runtime import Runtime
from workers.settings import Settings
from workers.snapshot import Snapshot, to_json
from workers.status import collect
from workers.tracker import WorkerTracker

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
HISTORY_INTERVAL_S = 2.0
WORKER_REFRESH_S = 3.0
MAX_BODY_BYTES = 64 * 1024
MAX_RETRY_IDS = 10_000
# The page builds every element with DOM calls: no inline script or style is needed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


# --------------------------------------------------------------------------- the monitor


class Monitor:
    """Everything the HTTP handler reads or does, so it can be built and tested alone."""

    def __init__(self, settings: Settings, *, history_interval: float = HISTORY_INTERVAL_S):
        self.settings = settings
        self.runtime = Runtime.from_settings(settings)
        self.sessions = self.runtime.read_sessions
        self.app = self.runtime.app
        self.broker = self.runtime.new_broker()
        self.tracker = WorkerTracker(self.app)
        self.history = History()
        self.history_interval = history_interval

    def snapshot(self) -> Snapshot:
        snap = collect(self.settings, self.sessions, self.broker, self.tracker)
        return replace(snap, actions_enabled=bool(self.settings.monitor_token))

    def retry(self, ids: list[int] | None) -> int:
        from workers.retry import retry_failed

        return retry_failed(self.settings, self.runtime.sessions, self.broker.send, ids)

    def run_background(self, stop: threading.Event) -> list[threading.Thread]:
        loops: list[tuple[str, Callable[[], None], float]] = [
            ("monitor-workers", self.tracker.refresh, WORKER_REFRESH_S),
            ("monitor-history", self._sample, self.history_interval),
        ]
        threads = [
            threading.Thread(target=_every, args=(fn, period, stop), name=name, daemon=True)
            for name, fn, period in loops
        ]
        for t in threads:
            t.start()
        return threads

    def _sample(self) -> None:
        self.history.add(self.snapshot(), time.time())


def _every(action: Callable[[], None], period: float, stop: threading.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            action()
        except Exception:  # the database or Redis may be away for a while: keep sampling
            log.warning("monitor: %s failed", getattr(action, "__name__", action), exc_info=True)
        stop.wait(max(0.1, period - (time.monotonic() - started)))


# --------------------------------------------------------------------------- HTTP


class RequestError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_retry(body: bytes) -> list[int] | None:
    """`{"ids": [1, 2]}` → those ids; `{"all": true}` → None (every failed file)."""
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise RequestError(HTTPStatus.BAD_REQUEST, "body must be JSON") from exc
    if not isinstance(data, dict):
        raise RequestError(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
    if data.get("all") is True:
        return None
    ids = data.get("ids")
    valid = isinstance(ids, list) and all(type(i) is int and i > 0 for i in ids)
    if not valid or not ids or len(ids) > MAX_RETRY_IDS:
        raise RequestError(HTTPStatus.BAD_REQUEST, 'give {"ids": [ledger ids…]} or {"all": true}')
    return list(ids)


def check_token(settings: Settings, header: str | None) -> None:
    token = settings.monitor_token
    if not token:
        raise RequestError(
            HTTPStatus.FORBIDDEN,
            "actions are disabled: no monitor token is configured (set DROPWIRE_MONITOR_TOKEN)",
        )
    given = (header or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise RequestError(HTTPStatus.FORBIDDEN, "a valid Authorization: Bearer token is needed")


def make_handler(monitor: Monitor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "dropwire-monitor"

        def do_GET(self) -> None:
            url = urlparse(self.path)
            try:
                self._get(url.path, parse_qs(url.query))
            except Exception:
                log.exception("monitor: GET %s failed", url.path)
                self._json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "status unavailable"})

        def _get(self, path: str, query: dict[str, list[str]]) -> None:
            if path == "/api/status":
                self._json(HTTPStatus.OK, to_json(monitor.snapshot()))
            elif path == "/api/history":
                since = float(query.get("since", ["0"])[0] or 0)
                self._json(
                    HTTPStatus.OK,
                    {
                        "interval_seconds": monitor.history_interval,
                        "samples": [s.to_json() for s in monitor.history.since(since)],
                    },
                )
            elif path == "/metrics":
                self._send(HTTPStatus.OK, CONTENT_TYPE, metrics_text(monitor.snapshot()))
            elif path in ("/", "/index.html"):
                self._static("index.html")
            elif path.startswith("/static/") and path[8:] in STATIC_TYPES:
                self._static(path[8:])
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")

        def do_POST(self) -> None:
            if urlparse(self.path).path != "/api/retry":
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")
                return
            try:
                check_token(monitor.settings, self.headers.get("Authorization"))
                ids = parse_retry(self._body())
                sent = monitor.retry(ids)
            except RequestError as exc:
                self._json(exc.status, {"error": str(exc)})
                return
            except Exception:
                log.exception("monitor: retry failed")
                self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "retry failed; see logs"})
                return
            log.info("monitor: retry of %s sent %d file(s)", ids or "all failed", sent)
            self._json(HTTPStatus.OK, {"sent": sent})

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
            return self.rfile.read(length) if length > 0 else b""

        def _static(self, name: str) -> None:
            self._send(HTTPStatus.OK, STATIC_TYPES[name], (STATIC_DIR / name).read_bytes())

        def _json(self, status: HTTPStatus, payload: Any) -> None:
            body = json.dumps(payload, default=str).encode()
            self._send(status, "application/json", body)

        def _send(self, status: HTTPStatus, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", CSP)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("monitor: " + format, *args)

    return Handler


def serve(settings: Settings, stop: threading.Event) -> None:
    monitor = Monitor(settings)
    server = ThreadingHTTPServer(
        (settings.monitor_host, settings.monitor_port), make_handler(monitor)
    )
    server.daemon_threads = True
    threads = monitor.run_background(stop)
    thread = threading.Thread(target=server.serve_forever, name="monitor-http", daemon=True)
    thread.start()
    stop.wait()
    server.shutdown()
    server.server_close()
    for t in threads:
        t.join(timeout=3)
