"""Scenario 3: Redis restarted during a burst, first with persistence (AOF, clean stop), then
without (AOF switched off, then killed: every queued and unacked message is gone). Workers
must resume consuming; what Redis lost, the ledger and the sweeper send again. One service
on PostgreSQL lives through both restarts.
"""

from __future__ import annotations

import time
from pathlib import Path

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
from tests.faults.servers import redis_server, wait_until_down
from tests.support.service import running_service

pytestmark = pytest.mark.faults
FILES = 300
DOWN_S = 3.0


def test_redis_restart_during_a_burst(tmp_path: Path, pg_url: str) -> None:
    with redis_server(tmp_path / "redis", appendonly=True) as server:
        env = fault_env(DROPWIRE_REDIS_URL=server.url, DROPWIRE_DATABASE_URL=pg_url)
        with running_service(tmp_path, **env) as svc:
            names: list[str] = []
            for persistent in (True, False):
                started = time.monotonic()
                burst = [f"r{int(persistent)}-{i:04d}.txt" for i in range(FILES)]
                drop_articles(svc, burst, first=0 if persistent else FILES)
                names += burst
                wait_stored(svc, stored(svc) + 40)
                if persistent:
                    server.stop()  # SIGTERM: the AOF is flushed
                else:
                    server.client().config_set("appendonly", "no")
                    server.appendonly = False
                    server.kill()  # no AOF: the queues and `unacked` are gone
                wait_until_down(server)
                before = ledger_states(tmp_path, env)
                time.sleep(DOWN_S)  # an outage of a few seconds (not an assertion)
                server.start()
                back = time.monotonic()
                wait_stored(svc, before[State.DONE] + 20)  # consuming again after the restart
                kind = "AOF, SIGTERM" if persistent else "no AOF, SIGKILL"
                at_rest(tmp_path, svc.env, names, scenario=f"3 Redis restart ({kind}) [postgresql]",
                        fault_over=back, started=started, timeout=180,
                        notes={"left_at_restart": len(names) - before[State.DONE]})  # fmt: skip
