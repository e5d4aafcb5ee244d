"""Scenario 6: the same file dropped twice, under another name, twice concurrently, and again
after it was stored. One canonical article; every other name is a linked exact copy; the same
name and content dropped again is recognised from the ledger and not stored again.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tests.faults.conftest import article_text, at_rest, count_articles, fault_env
from tests.faults.servers import RedisServer
from tests.support.service import running_service

pytestmark = pytest.mark.faults


def test_the_same_file_many_ways(
    tmp_path: Path, private_redis: RedisServer, database: dict[str, str]
) -> None:
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url, DROPWIRE_INGEST_WORKERS="2",
                    DROPWIRE_NLP_WORKERS="2", **database)  # fmt: skip
    data = article_text(6)
    db = "postgresql" if database else "sqlite"
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        svc.drop("wire.txt", data)
        svc.drop("wire.txt", data)  # twice at once under the same name: one file
        svc.drop("other-name.txt", data)
        # Twice concurrently under two names, and 20 more copies racing each other.
        racers = [f"race-{i:02d}.txt" for i in range(22)]
        barrier = threading.Barrier(len(racers))

        def drop(name: str) -> None:
            barrier.wait()
            svc.drop(name, data)

        threads = [threading.Thread(target=drop, args=(n,)) for n in racers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        names = ["wire.txt", "other-name.txt", *racers]
        at_rest(tmp_path, svc.env, names, scenario=f"6 same file, first round [{db}]",
                fault_over=started, started=started)  # fmt: skip
        # Again after done: same name, same content. The ledger knows it: no new article.
        svc.drop("wire.txt", data)
        again = time.monotonic()
        figures = at_rest(
            tmp_path, svc.env, names, scenario=f"6 same file, again after done [{db}]",
            fault_over=again, started=started,
        )  # fmt: skip
        records = svc.export()
        done = tmp_path / "inbox" / "done"
        second = [p for p in os.listdir(done) if p.startswith("wire.") and p != "wire.txt"]
    assert count_articles(tmp_path, env) == len(names) == figures.done
    canonical = [r for r in records if r["duplicate_of"] is None]
    assert len(canonical) == 1, canonical
    assert all(r["duplicate_of"] == canonical[0]["id"] for r in records if r is not canonical[0])
    assert all(r["duplicate_kind"] == "exact" for r in records if r is not canonical[0])
    assert len(second) == 1  # the second wire.txt was put away next to the first, not lost
