"""Scenario 2: SIGTERM during a burst. A worker's SIGTERM is a warm shutdown (the running
task finishes, the supervisor starts the worker again); the service's SIGTERM stops it in
order with exit status 0 and nothing left running; a restart finishes the rest.
"""

from __future__ import annotations

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
from tests.faults.servers import RedisServer
from tests.faults.test_kill import pool_children
from tests.support.service import running_service

pytestmark = pytest.mark.faults
FILES = 400


def test_sigterm_during_a_burst(tmp_path: Path, private_redis: RedisServer, pg_url: str) -> None:
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url, DROPWIRE_DATABASE_URL=pg_url)
    names = [f"t{i:04d}.txt" for i in range(FILES)]
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        drop_articles(svc, names)
        wait_stored(svc, 20)
        # One Celery worker gets SIGTERM: warm shutdown, then the supervisor restarts it.
        (worker,) = {p.parent() for p in pool_children(svc, "nlp")}
        assert worker is not None
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)  # its running task finished, then it exited by itself
        wait_stored(svc, stored(svc) + 20)  # the restarted worker consumes
        # Then the whole service.
        children = psutil.Process(svc.process.pid).children(recursive=True)
        svc.process.send_signal(signal.SIGTERM)
        assert svc.process.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, f"left running after SIGTERM: {alive}"
        stopped_at = ledger_states(tmp_path, env)
    assert stopped_at[State.DONE] < FILES, "the burst finished before SIGTERM: make it bigger"
    # Warm shutdown: nothing was cut off mid-task.
    assert stopped_at[State.PROCESSING] == 0, stopped_at
    with running_service(tmp_path, **env) as svc:
        restarted = time.monotonic()
        at_rest(tmp_path, svc.env, names, scenario="2 SIGTERM worker, then service [postgresql]",
                fault_over=restarted, started=started, timeout=180,
                notes={"left_at_stop": FILES - stopped_at[State.DONE]})  # fmt: skip
