"""The monitor: the dashboard at `/`, `/api/status`, `/api/history`, `/metrics` and
`POST /api/retry` (routes in `workers.web`), served by uvicorn from a thread.

`serve(settings, stop)` blocks until `stop` is set; `dropwire up` runs it in a thread next to
the watcher and `dropwire monitor` runs it alone. Background threads keep the worker cache
fresh and sample the history for the charts.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import uvicorn

from workers.broker import Broker
from workers.guards import HostCheck, JsonErrorH11Protocol, SecurityHeaders, allowed_hosts
from workers.history import History
from workers.retry import retry_failed
from workers.runtime import Runtime
from workers.settings import Settings
from workers.snapshot import Snapshot
from workers.status import collect
from workers.tracker import WorkerTracker
from workers.web import create_app

log = logging.getLogger(__name__)

HISTORY_INTERVAL_S = 2.0
WORKER_REFRESH_S = 3.0
# Requests within this many seconds share one snapshot: ten open dashboards and a scraper
# cost the database one snapshot a second, not one per request.
SNAPSHOT_MAX_AGE_S = 1.0
SHUTDOWN_GRACE_S = 3


class Monitor:
    """Everything the routes read or do, so it can be built and tested without HTTP.

    Safe to call from many request threads at once: snapshots are taken one at a time (and
    shared while fresh), queue reads use only a redis-py client (thread-safe), and retries,
    whose kombu producer is not thread-safe, take turns on one broker.
    """

    def __init__(self, runtime: Runtime, *, history_interval: float = HISTORY_INTERVAL_S):
        self.runtime = runtime
        self.settings = runtime.settings
        # Built here, before any request thread: cached_property is not a lock.
        self.read_sessions = runtime.read_sessions
        self.write_sessions = runtime.sessions
        self.reader = runtime.new_broker()
        self.tracker = WorkerTracker(runtime.app)
        self.history = History()
        self.history_interval = history_interval
        self._sender: Broker | None = None
        self._send_lock = threading.Lock()
        self._snap_lock = threading.Lock()
        self._last: tuple[float, Snapshot] | None = None

    def fresh_snapshot(self) -> Snapshot:
        snap = collect(self.settings, self.read_sessions, self.reader, self.tracker)
        return replace(snap, actions_enabled=bool(self.settings.monitor_token))

    def snapshot(self) -> Snapshot:
        """A snapshot at most SNAPSHOT_MAX_AGE_S old; concurrent callers wait for one."""
        with self._snap_lock:
            if self._last is not None and time.monotonic() - self._last[0] < SNAPSHOT_MAX_AGE_S:
                return self._last[1]
            snap = self.fresh_snapshot()
            self._last = (time.monotonic(), snap)
            return snap

    def retry(self, ids: Sequence[int] | None) -> int:
        """Send failed files again (`None`: every one); returns how many were sent."""
        with self._send_lock:
            if self._sender is None:
                self._sender = self.runtime.new_broker()
            return retry_failed(self.settings, self.write_sessions, self._sender.send, ids)

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
        self.history.add(self.fresh_snapshot(), time.time())


def _every(action: Callable[[], None], period: float, stop: threading.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            action()
        except Exception:  # the database or Redis may be away for a while: keep sampling
            log.warning("monitor: %s failed", getattr(action, "__name__", action), exc_info=True)
        stop.wait(max(0.1, period - (time.monotonic() - started)))


def _bind(host: str, port: int) -> socket.socket:
    """Bound here, not by uvicorn: a port in use raises OSError in the caller (uvicorn would
    log and exit the thread), and port 0 gives a free port the caller can read."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host.strip("[]"), port), family=family)


class MonitorServer:
    """The HTTP server and the background threads of one `Monitor`."""

    def __init__(self, monitor: Monitor) -> None:
        settings = monitor.settings
        self.monitor = monitor
        self.socket = _bind(settings.monitor_host, settings.monitor_port)
        hosts = allowed_hosts(settings.monitor_host, settings.monitor_allowed_hosts.split(","))
        app = SecurityHeaders(HostCheck(create_app(monitor), hosts))
        config = uvicorn.Config(
            app,
            http=JsonErrorH11Protocol,
            lifespan="off",
            log_config=None,  # the process's logging stays as it was set up
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
        self.server = uvicorn.Server(config)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    def start(self) -> MonitorServer:
        self._threads = self.monitor.run_background(self._stop)
        http = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="monitor-http"
        )
        http.daemon = True
        http.start()
        self._threads.append(http)
        return self

    def close(self) -> None:
        self._stop.set()
        self.server.should_exit = True
        for t in self._threads:
            t.join(timeout=SHUTDOWN_GRACE_S + 2)
        self.socket.close()


def serve(target: Settings | Runtime, stop: threading.Event) -> None:
    """Serve the monitor until `stop` is set. Raises OSError when the port cannot be bound."""
    runtime = target if isinstance(target, Runtime) else Runtime.from_settings(target)
    server = MonitorServer(Monitor(runtime)).start()
    try:
        stop.wait()
    finally:
        server.close()
