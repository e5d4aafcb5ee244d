"""The monitor: `/api/status` (JSON), `/metrics` (Prometheus text) and `/` (dashboard).

Reading needs nothing; actions (retry) need the token from the settings.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from db.session import make_engine, make_session_factory
from workers.app import create_app
from workers.broker import Broker
from workers.settings import Settings
from workers.status import collect

log = logging.getLogger(__name__)


class _StatusCollector:
    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Any:
        snap = self.snapshot
        depth = GaugeMetricFamily("dropwire_queue_depth", "Messages waiting", labels=["queue"])
        unacked = GaugeMetricFamily(
            "dropwire_queue_unacked", "Messages taken, not yet acknowledged", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "dropwire_queue_oldest_age_seconds",
            "Age of the oldest waiting message",
            labels=["queue"],
        )
        for name, q in snap["queues"].items():
            if q.get("depth") is not None:
                depth.add_metric([name], q["depth"])
                unacked.add_metric([name], q.get("unacked", 0))
            if q.get("oldest_age_seconds") is not None:
                oldest.add_metric([name], q["oldest_age_seconds"])
        yield from (depth, unacked, oldest)
        files = GaugeMetricFamily("dropwire_files", "Files by ledger outcome", labels=["state"])
        for key, value in snap["articles"].items():
            files.add_metric([key], value)
        yield files
        yield GaugeMetricFamily(
            "dropwire_workers", "Live Celery workers", value=len(snap["workers"])
        )
        yield GaugeMetricFamily(
            "dropwire_broker_up", "1 if Redis answers", value=1 if snap["broker_up"] else 0
        )
        thr = GaugeMetricFamily(
            "dropwire_throughput_per_minute", "Articles stored per minute", labels=["window"]
        )
        for window, value in snap["throughput"].items():
            thr.add_metric([window], value)
        yield thr
        lat = GaugeMetricFamily(
            "dropwire_latency_seconds", "Drop-to-stored latency", labels=["quantile"]
        )
        for q, value in snap["latency_seconds"].items():
            if value is not None:
                lat.add_metric([q], value)
        yield lat


def metrics_text(snapshot: dict[str, Any]) -> bytes:
    registry = CollectorRegistry()
    registry.register(_StatusCollector(snapshot))
    return bytes(generate_latest(registry))


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>dropwire</title></head>
<body><h1>dropwire</h1><pre id="status">loading…</pre>
<script>
async function tick(){const r=await fetch('/api/status');
document.getElementById('status').textContent=JSON.stringify(await r.json(),null,2);}
tick();setInterval(tick,2000);
</script></body></html>"""


def make_handler(settings: Settings, snapshot: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/api/status":
                self._send(
                    HTTPStatus.OK, "application/json", json.dumps(snapshot(), default=str).encode()
                )
            elif path == "/metrics":
                self._send(HTTPStatus.OK, "text/plain; version=0.0.4", metrics_text(snapshot()))
            elif path == "/":
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", _PAGE.encode())
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")

        def authorised(self) -> bool:
            token = settings.monitor_token
            given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            return bool(token) and hmac.compare_digest(given, token or "")

        def _send(self, status: HTTPStatus, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("monitor: " + format, *args)

    return Handler


def serve(settings: Settings, stop: threading.Event) -> None:
    sessions = make_session_factory(make_engine(settings.effective_database_url, readonly=True))
    app = create_app(settings)
    broker = Broker(app, settings.effective_redis_url)

    def snapshot() -> dict[str, Any]:
        return collect(sessions, broker, app)

    server = ThreadingHTTPServer(
        (settings.monitor_host, settings.monitor_port), make_handler(settings, snapshot)
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="monitor-http", daemon=True)
    thread.start()
    stop.wait()
    server.shutdown()
    server.server_close()
