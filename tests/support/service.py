"""Start the real service (`dropwire up`) as a subprocess and talk to it like a user."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

DROPWIRE = str(Path(sys.executable).with_name("dropwire"))
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.25) -> T:
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Service:
    root: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_offsets: dict[str, int] = field(default_factory=dict)  # worker logs' sizes at start

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def drop(self, name: str, data: bytes) -> Path:
        """Write under a temporary name and rename in, as producers should."""
        target = self.inbox / name
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)
        return target

    def cli_result(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [DROPWIRE, *args],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def cli(self, *args: str, check: bool = True, timeout: float = 60) -> str:
        done = self.cli_result(*args, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(
                f"dropwire {' '.join(args)} exited {done.returncode}: {done.stderr}"
            )
        return done.stdout

    def export(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.cli("export").splitlines() if line.strip()]

    def failed(self) -> list[dict[str, Any]]:
        return list(json.loads(self.cli("failed", "list", "--json")))

    def log(self) -> str:
        logs = self.root / "var" / "logs"
        parts = [(self.root / "up.log").read_text(errors="replace")]
        parts += [p.read_text(errors="replace")[-4000:] for p in sorted(logs.glob("*.log"))]
        return "\n".join(parts)


def service_env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DROPWIRE_")}
    env.update(
        DROPWIRE_DATA_DIR=str(root / "var"),
        DROPWIRE_INBOX=str(root / "inbox"),
        DROPWIRE_NLP_WORKERS="1",
        DROPWIRE_MIN_FILE_AGE="0.2",
        DROPWIRE_RESCAN_INTERVAL="2",
        DROPWIRE_MONITOR_PORT=str(free_port()),
        DROPWIRE_STUCK_AFTER="30",
        DROPWIRE_SWEEP_INTERVAL="5",
    )
    env.update(extra)
    return env


@contextmanager
def running_service(root: Path, **extra: str) -> Iterator[Service]:
    env = service_env(root, **extra)
    (root / "inbox").mkdir(parents=True, exist_ok=True)
    offsets = _log_sizes(env)
    with (root / "up.log").open("wb") as log:
        process = subprocess.Popen(
            [DROPWIRE, "up"], env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT
        )
    service = Service(root, env, process, log_offsets=offsets)
    try:
        wait_for(lambda: _workers_ready(service), 90, "the service's workers to start")
        yield service
    finally:
        stop(service)


def _workers_ready(service: Service) -> bool:
    if service.process.poll() is not None:
        raise AssertionError(f"dropwire up exited early:\n{service.log()}")
    # Each `status` run costs seconds of CPU that the starting workers need on a small
    # machine: ask only once both workers have logged that they are ready.
    if not all(_logged_ready(service, queue) for queue in ("ingest", "nlp")):
        return False
    try:
        snap = json.loads(service.cli("status", "--json", check=True, timeout=30))
    except (AssertionError, ValueError):
        return False
    queues = {q for w in snap["workers"] for q in w["queues"]}
    return {"ingest", "nlp"} <= queues


def _worker_log(env: dict[str, str], queue: str) -> Path:
    return Path(env["DROPWIRE_DATA_DIR"]) / "logs" / f"worker-{queue}.log"


def _log_sizes(env: dict[str, str]) -> dict[str, int]:
    sizes = {}
    for queue in ("ingest", "nlp"):
        try:
            sizes[queue] = _worker_log(env, queue).stat().st_size
        except OSError:
            sizes[queue] = 0
    return sizes


def _logged_ready(service: Service, queue: str) -> bool:
    """The worker wrote "ready." in this run (logs are appended to across restarts)."""
    try:
        with _worker_log(service.env, queue).open("rb") as fh:
            fh.seek(service.log_offsets.get(queue, 0))
            return b" ready." in fh.read()
    except OSError:
        return False


def stop(service: Service, timeout: float = 60) -> int:
    """Ctrl-C, then check that nothing the service started is left running."""
    children = _descendants(service.process.pid)
    if service.process.poll() is None:
        service.process.send_signal(signal.SIGINT)
    try:
        code = service.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        service.process.kill()
        raise AssertionError(f"dropwire up did not stop on Ctrl-C:\n{service.log()}") from None
    _, alive = psutil.wait_procs(children, timeout=10)
    for proc in alive:
        proc.kill()
    assert not alive, f"left running after Ctrl-C: {[p.pid for p in alive]}"
    return code


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []
