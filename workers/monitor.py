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
from collections import deque
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from workers.runtime import Runtime
from workers.settings import Settings
from workers.status import QUIET_AFTER_S, WorkerTracker, collect

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
HISTORY_INTERVAL_S = 2.0
HISTORY_SAMPLES = 1800  # one hour at the default interval
WORKER_REFRESH_S = 3.0
MAX_BODY_BYTES = 64 * 1024
MAX_RETRY_IDS = 10_000
# The page builds every element with DOM calls: no inline script or style is needed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
LEDGER_STATES = ("pending", "queued", "processing", "nlp", "split", "done", "failed")


# --------------------------------------------------------------------------- metrics


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _labelled(name: str, doc: str, label: str, values: dict[str, Any]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in values.items():
        if value is not None:
            family.add_metric([str(key)], float(value))
    return family


def _queue_metrics(snap: dict[str, Any]) -> Iterator[GaugeMetricFamily]:
    queues: dict[str, dict[str, Any]] = snap["queues"]

    def per(key: str) -> dict[str, Any]:
        return {n: q.get(key) for n, q in queues.items()}

    consuming = {
        n: None if q.get("depth") is None else int(q["consuming"]) for n, q in queues.items()
    }
    yield _labelled("dropwire_queue_depth", "Messages waiting", "queue", per("depth"))
    yield _labelled(
        "dropwire_queue_unacked", "Messages taken, not yet acknowledged", "queue", per("unacked")
    )
    yield _labelled(
        "dropwire_queue_oldest_age_seconds",
        "Age of the oldest waiting message",
        "queue",
        per("oldest_age_seconds"),
    )
    yield _labelled(
        "dropwire_queue_workers", "Live workers taking from it", "queue", per("workers")
    )
    yield _labelled(
        "dropwire_queue_consuming",
        "0 when messages wait and no worker takes them",
        "queue",
        consuming,
    )


def _worker_metrics(snap: dict[str, Any]) -> Iterator[GaugeMetricFamily]:
    workers: list[dict[str, Any]] = snap["workers"]
    yield _gauge("dropwire_workers", "Live Celery workers", len(workers))
    yield _gauge(
        "dropwire_workers_consuming",
        "Live workers that take work (or have none waiting)",
        sum(1 for w in workers if w["consuming"]),
    )
    yield _gauge(
        "dropwire_workers_lost", "Workers that stopped answering", len(snap["workers_lost"])
    )
    by_name = {w["name"]: w for w in workers}
    yield _labelled(
        "dropwire_worker_active_tasks",
        "Tasks running",
        "worker",
        {n: w["active"] for n, w in by_name.items()},
    )
    yield _labelled(
        "dropwire_worker_consuming",
        "1 if the worker takes work",
        "worker",
        {n: int(w["consuming"]) for n, w in by_name.items()},
    )
    yield _labelled(
        "dropwire_worker_heartbeat_age_seconds",
        "Seconds since the worker last answered",
        "worker",
        {n: w["heartbeat_age_seconds"] for n, w in by_name.items()},
    )


def _file_metrics(snap: dict[str, Any]) -> Iterator[GaugeMetricFamily]:
    yield _labelled(
        "dropwire_files", "Files and articles by outcome", "state", dict(snap["articles"])
    )
    states = {s: snap["ledger_states"].get(s, 0) for s in LEDGER_STATES}
    yield _labelled("dropwire_ledger_rows", "Ledger rows by state", "state", states)
    files = snap["files"]
    yield _gauge("dropwire_files_seen", "Files the watcher recorded", files["seen"])
    yield _labelled(
        "dropwire_inbox_backlog",
        "Files not yet sent: ledger pending, or in the inbox and not recorded",
        "kind",
        {"pending": files["pending"], "unsent": files["unsent_in_inbox"]},
    )


def _rate_metrics(snap: dict[str, Any]) -> Iterator[GaugeMetricFamily]:
    yield _gauge("dropwire_broker_up", "1 if Redis answers", 1 if snap["broker_up"] else 0)
    yield _labelled(
        "dropwire_throughput_per_minute",
        "Articles stored per minute",
        "window",
        snap["throughput"],
    )
    lat = snap["latency_seconds"]
    yield _labelled(
        "dropwire_latency_seconds",
        "Drop-to-stored latency of recent articles",
        "quantile",
        {"0.5": lat["p50"], "0.95": lat["p95"]},
    )
    nlp = snap["nlp_seconds"]
    yield _labelled(
        "dropwire_nlp_seconds",
        "NLP seconds per article, recent articles",
        "stat",
        {"avg": nlp["avg"], "p95": nlp["p95"]},
    )
    yield _gauge(
        "dropwire_gone_quiet",
        "1 when work waits and nothing was stored for quiet_after seconds",
        int(snap["gone_quiet"]),
    )
    yield _gauge(
        "dropwire_quiet_seconds",
        "Seconds with work waiting and nothing stored",
        snap["quiet_for_seconds"] or 0.0,
    )


class _StatusCollector:
    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for part in (_queue_metrics, _worker_metrics, _file_metrics, _rate_metrics):
            yield from part(self.snapshot)


def metrics_text(snapshot: dict[str, Any]) -> bytes:
    registry = CollectorRegistry()
    registry.register(_StatusCollector(snapshot))
    return bytes(generate_latest(registry))


# --------------------------------------------------------------------------- history


class History:
    """A ring buffer of small samples for the charts: depth per queue and stored per minute."""

    def __init__(self, size: int = HISTORY_SAMPLES) -> None:
        self._samples: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, snap: dict[str, Any], now: float) -> None:
        done = int(snap["articles"]["done"])
        failed = int(snap["articles"]["failed"])
        with self._lock:
            prev = self._samples[-1] if self._samples else None
            rate = None
            if prev is not None and now > prev["t"]:
                # The rate between two samples shows bursts the 1-minute window smooths away.
                rate = round(max(0, done - prev["done"]) * 60.0 / (now - prev["t"]), 2)
            self._samples.append(
                {
                    "t": round(now, 3),
                    "depth": {n: q.get("depth") for n, q in snap["queues"].items()},
                    "unacked": {n: q.get("unacked") for n, q in snap["queues"].items()},
                    "done": done,
                    "failed": failed,
                    "stored_per_min": rate,
                    "throughput_1m": snap["throughput_per_min"],
                    "workers": len(snap["workers"]),
                }
            )

    def since(self, t: float) -> list[dict[str, Any]]:
        with self._lock:
            return [s for s in self._samples if s["t"] > t]


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
        # The settings may carry `quiet_after`; until then the default holds.
        self.quiet_after = float(getattr(settings, "quiet_after", QUIET_AFTER_S))

    def snapshot(self) -> dict[str, Any]:
        snap = collect(
            self.sessions,
            self.broker,
            self.app,
            quiet_after=self.quiet_after,
            tracker=self.tracker,
            settings=self.settings,
        )
        snap["monitor"] = {"actions_enabled": bool(self.settings.monitor_token)}
        return snap

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
                self._json(HTTPStatus.OK, monitor.snapshot())
            elif path == "/api/history":
                since = float(query.get("since", ["0"])[0] or 0)
                self._json(
                    HTTPStatus.OK,
                    {
                        "interval_seconds": monitor.history_interval,
                        "samples": monitor.history.since(since),
                    },
                )
            elif path == "/metrics":
                self._send(
                    HTTPStatus.OK, "text/plain; version=0.0.4", metrics_text(monitor.snapshot())
                )
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
