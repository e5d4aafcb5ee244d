"""Scenario 5: the database unavailable during a burst of 2,000 files. PostgreSQL is stopped
(immediate: connections cut mid-transaction) and started again; tasks retry with backoff,
the watcher keeps what it saw, and the ledger catches up.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.conftest import at_rest, drop_articles, fault_env, wait_stored
from tests.faults.servers import PostgresCluster, RedisServer, wait_until_down
from tests.support.service import running_service

pytestmark = pytest.mark.faults
FILES = 2000
# 2,000 files of 50 texts: 50 go through NLP, the rest are exact copies (ingest stage only)
# so the burst fits the suite's time; every file still claims, stores and moves through SQL.
KINDS = 50
DOWN_S = 10.0


def test_database_down_during_a_burst(
    tmp_path: Path, private_redis: RedisServer, pg: PostgresCluster, pg_url: str
) -> None:
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url, DROPWIRE_DATABASE_URL=pg_url,
                    DROPWIRE_INGEST_WORKERS="2")  # fmt: skip
    names = [f"b{i:05d}.txt" for i in range(FILES)]
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        drop_articles(svc, names[: FILES // 2], kinds=KINDS)
        wait_stored(svc, 100, timeout=90)
        pg.stop("immediate")
        wait_until_down(pg)
        down_at = time.monotonic()
        # The second half lands while it is down.
        drop_articles(svc, names[FILES // 2 :], first=FILES // 2, kinds=KINDS)
        time.sleep(max(0.0, DOWN_S - (time.monotonic() - down_at)))  # the outage, not a check
        pg.start()
        back = time.monotonic()
        at_rest(tmp_path, svc.env, names, scenario="5 PostgreSQL down in a burst [postgresql]",
                fault_over=back, started=started, timeout=300,
                notes={"down_s": round(back - down_at, 1)})  # fmt: skip
