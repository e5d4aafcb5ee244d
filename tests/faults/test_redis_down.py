"""Scenario 4: Redis down while the watcher is sending. Files are recorded `pending` (the
outbox) and go out when Redis is back; the workers reconnect by themselves.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from db.models import State
from tests.faults.conftest import at_rest, drop_articles, fault_env, ledger_states
from tests.faults.servers import RedisServer, wait_until_down
from tests.support.service import running_service, wait_for

pytestmark = pytest.mark.faults
FILES = 200


def test_redis_down_while_the_watcher_is_sending(
    tmp_path: Path, private_redis: RedisServer
) -> None:
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url)
    names = [f"d{i:04d}.txt" for i in range(FILES)]
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        drop_articles(svc, names[:50])
        private_redis.kill()  # mid-send: some of the first 50 may be on the queue, lost
        wait_until_down(private_redis)
        drop_articles(svc, names[50:], first=50)
        # The watcher records what it sees and keeps it pending; it does not drop it.
        wait_for(lambda: ledger_states(tmp_path, env)[State.PENDING] >= FILES - 50, 60,
                 "the files dropped while Redis is down to wait as pending")  # fmt: skip
        pending = ledger_states(tmp_path, env)[State.PENDING]
        private_redis.start()  # from its AOF; the last second before the kill may be lost
        back = time.monotonic()
        at_rest(tmp_path, svc.env, names, scenario="4 Redis down while sending [sqlite]",
                fault_over=back, started=started, timeout=120,
                notes={"pending_while_down": pending})  # fmt: skip
