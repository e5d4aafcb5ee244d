"""`dropwire up`: embedded Redis if needed, migrations, Celery workers, watcher, monitor.

Workers run as child processes in their own sessions, so Ctrl-C reaches only this process,
which then stops things in order: watcher, workers (warm shutdown: running tasks finish or
return to the queue), monitor, Redis last. A worker that dies is started again.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from db.migrate import upgrade
from workers.app import PARENT_ENV
from workers.queues import INGEST_QUEUE, NLP_QUEUE, QUEUES
from workers.settings import Settings

log = logging.getLogger(__name__)
SHUTDOWN_GRACE_S = 30.0


@dataclass
class WorkerProcess:
    queue: str
    concurrency: int
    env: dict[str, str]
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None)
    starts: int = 0

    def start(self) -> None:
        # A new node name for every start: the claims of a worker that died must not look
        # held by the one that replaces it (workers.recovery judges nodes by name).
        self.starts += 1
        name = f"{self.queue}-{os.getpid()}.{self.starts}@%h"
        args = [
            sys.executable, "-m", "celery", "-A", "workers.app", "worker",
            "-Q", self.queue, "-c", str(self.concurrency), "-n", name,
            "--without-mingle", "--without-gossip", "-l", "INFO",
        ]  # fmt: skip
        with self.log_file.open("ab") as out:
            self.process = subprocess.Popen(
                args, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)  # warm shutdown

    def wait_or_kill(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the pool children too
            self.process.wait()


def child_env(settings: Settings, redis_url: str) -> dict[str, str]:
    """The settings, resolved to absolute values, for processes that read them from env."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        key = f"DROPWIRE_{name.upper()}"
        if value is None:
            env.pop(key, None)
        elif isinstance(value, Path):
            env[key] = str(value.resolve())
        elif isinstance(value, list | dict):
            env[key] = json.dumps(value)  # how pydantic-settings reads complex values
        else:
            env[key] = str(value)
    env["DROPWIRE_REDIS_URL"] = redis_url
    env["DROPWIRE_DATABASE_URL"] = settings.effective_database_url
    env[PARENT_ENV] = str(os.getpid())
    return env


def run_service(settings: Settings, console: Console) -> int:
    from workers import embedded

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    logs = settings.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    redis_server = None
    redis_url = settings.redis_url
    if redis_url is None:
        try:
            redis_server = embedded.start(settings.data_dir)
        except embedded.EmbeddedRedisError as exc:
            console.print(f"[red]{escape(str(exc))}")
            return 2
        redis_url = redis_server.url
        where = redis_url.split("@")[-1]
        console.print(f"embedded Redis on {where} (data in {settings.data_dir}/redis)")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        upgrade(settings.effective_database_url)
        resolved = settings.model_copy(update={"redis_url": redis_url})
        _recover(resolved, console, took_over=bool(redis_server and redis_server.took_over))
        env = child_env(resolved, redis_url)
        # Task events follow DROPWIRE_TASK_EVENTS in `env`, read by the app's own config.
        counts = {INGEST_QUEUE: settings.ingest_workers, NLP_QUEUE: settings.nlp_workers}
        workers = [WorkerProcess(q, counts[q], env, logs / f"worker-{q}.log") for q in QUEUES]
        for w in workers:
            w.start()
        threads = _start_threads(resolved, stop)
        console.print(
            f"dropwire is up: watching {escape(str(settings.inbox.resolve()))}, "
            f"{settings.nlp_workers} NLP worker(s), monitor on "
            f"http://{settings.monitor_host}:{settings.monitor_port}/ (logs in {logs}). "
            "Ctrl-C stops."
        )
        _supervise(workers, stop)
        console.print("stopping: watcher, then workers (running tasks finish), then Redis")
        _stop_all(threads, workers)
    finally:
        stop.set()
        if redis_server is not None:
            redis_server.stop()
    console.print("stopped")
    return 0


def _supervise(workers: list[WorkerProcess], stop: threading.Event) -> None:
    """Until asked to stop: a worker that exited is started again."""
    while not stop.wait(1.0):
        for w in workers:
            if not w.alive():
                log.warning("%s worker exited; starting it again", w.queue)
                w.start()


def _stop_all(threads: list[threading.Thread], workers: list[WorkerProcess]) -> None:
    for t in threads:
        t.join(timeout=10)
    for w in workers:
        w.stop()
    deadline = time.monotonic() + SHUTDOWN_GRACE_S
    for w in workers:
        w.wait_or_kill(deadline)


def _start_threads(settings: Settings, stop: threading.Event) -> list[threading.Thread]:
    from workers.monitor import serve
    from workers.runtime import Runtime
    from workers.watcher import build_watcher

    runtime = Runtime.from_settings(settings)
    watcher = build_watcher(runtime, runtime.new_broker())
    threads = [
        threading.Thread(target=watcher.run, args=(stop,), name="watcher", daemon=True),
        threading.Thread(target=serve, args=(settings, stop), name="monitor", daemon=True),
    ]
    for t in threads:
        t.start()
    return threads


def _recover(settings: Settings, console: Console, *, took_over: bool) -> None:
    """Before any worker starts: what the last run left in flight goes back at once."""
    from workers.recovery import recover_at_start
    from workers.runtime import Runtime

    runtime = Runtime.from_settings(settings)
    broker = runtime.new_broker()
    found = recover_at_start(runtime.sessions, broker, settings.node_timeout, took_over=took_over)
    if found:
        console.print(
            f"recovered the last run's work: {found.restored} message(s) put back, "
            f"{found.sent} file(s) sent again, {found.released} claim(s) released"
        )
