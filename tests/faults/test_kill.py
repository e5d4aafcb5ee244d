"""Scenario 1: SIGKILL one worker process mid-task; then SIGKILL every process of the service
(watcher, workers, their pool children, the embedded Redis) and start it again.

The default deployment: no Redis URL (the embedded server, AOF), SQLite under the data dir.
"""

from __future__ import annotations

import contextlib
import signal
import time
from pathlib import Path

import psutil
import pytest

from db.models import State
from tests.faults.conftest import (
    at_rest,
    drop_articles,
    fault_env,
    ledger_states,
    stored,
    wait_stored,
)
from tests.support.service import Service, running_service

pytestmark = pytest.mark.faults
FILES = 300


def pool_children(svc: Service, queue: str) -> list[psutil.Process]:
    """The prefork pool children of the Celery worker that consumes `queue`."""
    out = []
    for proc in psutil.Process(svc.process.pid).children(recursive=True):
        try:
            cmd = proc.cmdline()
            parent = proc.parent()
        except psutil.NoSuchProcess:
            continue
        if (
            "celery" in " ".join(cmd)
            and queue in cmd
            and parent
            and "celery" in " ".join(parent.cmdline())
        ):
            out.append(proc)
    return out


def test_kill_a_worker_mid_task_then_everything(tmp_path: Path) -> None:
    env = fault_env()  # embedded Redis and SQLite: what `dropwire up` does with no settings
    names = [f"k{i:04d}.txt" for i in range(FILES)]
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        drop_articles(svc, names)
        wait_stored(svc, 20)
        victims = pool_children(svc, "nlp")
        assert victims, "no NLP pool child found"
        for proc in victims:
            proc.send_signal(signal.SIGKILL)  # a segfault or the OOM killer, mid-task
        wait_stored(svc, stored(svc) + 20)  # work goes on after the kill
        everything = [psutil.Process(svc.process.pid), *psutil.Process(svc.process.pid).children(
            recursive=True)]  # fmt: skip
        for proc in everything:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.send_signal(signal.SIGKILL)
        psutil.wait_procs(everything, timeout=10)
        killed_at = ledger_states(tmp_path, env)
    assert killed_at[State.DONE] < FILES, "the burst finished before the kill: make it bigger"
    with running_service(tmp_path, **env) as svc:
        restarted = time.monotonic()
        at_rest(tmp_path, svc.env, names, scenario="1 SIGKILL worker, then all [sqlite]",
                fault_over=restarted, started=started, timeout=180,
                notes={"in_flight_at_kill": sum(killed_at[s] for s in
                       (State.QUEUED, State.PROCESSING, State.NLP, State.PENDING))})  # fmt: skip
