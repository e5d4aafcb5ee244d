"""Scenario 8: poison files (one raises, one crashes its process, one hangs it), in both
stages, and poison messages: a pickle-serialized task on the queue is refused unread, and a
file name full of shell syntax is only ever a name.
"""

from __future__ import annotations

import pickle
import time
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Producer

from tests.faults.conftest import article_text, at_rest, fault, fault_env
from tests.faults.servers import RedisServer
from tests.support.service import running_service, wait_for

pytestmark = pytest.mark.faults


class _Evil:
    """Unpickling this would create a folder: proof that nobody unpickled it."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.makedirs, (str(self.target),))


def _publish_pickle(redis_url: str, target: Path) -> None:
    with Connection(redis_url) as conn:
        producer = Producer(conn.channel(), exchange=Exchange("ingest", "direct"))
        task_id = str(uuid.uuid4())
        producer.publish(
            _Evil(target),
            routing_key="ingest",
            serializer="pickle",
            headers={"task": "dropwire.ingest", "id": task_id, "lang": "py"},
        )
    assert pickle.loads(pickle.dumps(1)) == 1  # pickle itself works: refusal is the worker's


def test_poison_files_end_failed_and_the_others_go_on(
    tmp_path: Path, private_redis: RedisServer
) -> None:
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url, DROPWIRE_INGEST_WORKERS="2")
    poison = {
        "raise.txt": fault("raise"),
        "crash.txt": fault("crash"),
        "raise-nlp.txt": fault("raise@nlp"),
        "crash-nlp.txt": fault("crash@nlp"),
    }
    hostile = "$(touch PWNED); rm -rf x `id` | tee y & ok.txt"
    good = {f"good-{i:03d}.txt": article_text(i) for i in range(30)}
    good[hostile] = article_text(999)
    evil_target = tmp_path / "unpickled"
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        _publish_pickle(private_redis.url, evil_target)
        for name, data in poison.items():
            svc.drop(name, data)
        for name, data in good.items():
            svc.drop(name, data)
        wait_for(lambda: not private_redis.client().llen("ingest"), 60, "the queue to move")
        figures = at_rest(
            tmp_path, svc.env, [*poison, *good], scenario="8 poison files", fault_over=started,
            started=started, failed=poison, timeout=150,
        )  # fmt: skip
        reasons = {f["source_path"]: f for f in svc.failed()}
    assert not evil_target.exists(), "a pickle message was deserialized"
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "inbox" / "PWNED").exists()
    assert reasons["raise.txt"]["code"] == "error"
    assert reasons["raise-nlp.txt"]["code"] == "error"
    for name in ("crash.txt", "crash-nlp.txt"):
        # Counted in the ledger before parsing: max_attempts deliveries, then failed.
        assert reasons[name]["code"] == "gave_up", reasons[name]
        assert reasons[name]["attempts"] >= 4, reasons[name]
    assert figures.done == len(good)


def test_a_hanging_file_is_killed_by_the_time_limit_and_ends_failed(
    tmp_path: Path, private_redis: RedisServer
) -> None:
    # The one tuning here is the fault's length: a hang lasts until the hard time limit kills
    # its process, three times (max_attempts) before the file is failed. At the default limit
    # (150 s) that is 7.5 minutes of waiting per stage, so the limits are 3 s / 5 s; nothing
    # else (visibility timeout, sweeper) is changed.
    env = fault_env(
        DROPWIRE_REDIS_URL=private_redis.url,
        DROPWIRE_TASK_SOFT_TIME_LIMIT="3",
        DROPWIRE_TASK_TIME_LIMIT="5",
    )
    poison = {"hang.txt": fault("hang"), "hang-nlp.txt": fault("hang@nlp")}
    good = {f"fine-{i:03d}.txt": article_text(500 + i) for i in range(5)}
    with running_service(tmp_path, **env) as svc:
        started = time.monotonic()
        for name, data in {**poison, **good}.items():
            svc.drop(name, data)
        at_rest(tmp_path, svc.env, [*poison, *good], scenario="8 hanging files",
                fault_over=started, started=started, failed=poison, timeout=150)  # fmt: skip
        reasons = {f["source_path"]: f for f in svc.failed()}
    for name in poison:
        assert reasons[name]["code"] == "gave_up", reasons[name]
