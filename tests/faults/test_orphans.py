"""Scenario: SIGKILL `dropwire up` alone (the OOM killer's choice), leaving its children.

Its Celery workers run in sessions of their own: they must notice that `up` is gone and stop
(warm shutdown) instead of consuming beside the next `up`'s workers. The embedded Redis is
left behind holding the queue: the next `up` on the same data dir takes it over (shuts it
down cleanly, starts its own on the same AOF) instead of refusing to start.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import psutil
import pytest

from db.models import State
from tests.faults.conftest import at_rest, drop_articles, fault_env, ledger_states, wait_stored
from tests.support.service import running_service

pytestmark = pytest.mark.faults
FILES = 120


def test_killing_up_alone_leaves_nothing_consuming_and_a_restart_takes_over(
    tmp_path: Path,
) -> None:
    env = fault_env()  # embedded Redis and SQLite
    names = [f"o{i:04d}.txt" for i in range(FILES)]
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        drop_articles(svc, names)
        wait_stored(svc, 10)
        up = psutil.Process(svc.process.pid)
        workers = [p for p in up.children() if "celery" in " ".join(p.cmdline())]
        pools = [c for w in workers for c in w.children(recursive=True)]
        old_redis = int(json.loads((tmp_path / "var" / "redis.json").read_text())["pid"])
        assert len(workers) == 2 and pools
        up.send_signal(signal.SIGKILL)
        up.wait(10)
        # Each worker finishes its running task, then exits with its pool children.
        _, alive = psutil.wait_procs(workers + pools, timeout=60)
        assert not alive, f"workers outlived `dropwire up`: {[p.pid for p in alive]}"
        assert psutil.pid_exists(old_redis), "the orphaned Redis is what the restart takes over"
        killed_at = ledger_states(tmp_path, env)
    assert killed_at[State.DONE] < FILES, "the burst finished before the kill: make it bigger"
    with running_service(tmp_path, **env) as svc:
        assert not psutil.pid_exists(old_redis) or psutil.Process(old_redis).status() == "zombie"
        restarted = time.monotonic()
        at_rest(tmp_path, svc.env, names, scenario="SIGKILL dropwire up alone [sqlite]",
                fault_over=restarted, started=started, timeout=180)  # fmt: skip
