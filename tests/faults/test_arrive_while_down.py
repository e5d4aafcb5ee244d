"""Scenario 10: files arriving while the service is down are found by the start-up scan."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.faults.conftest import article_text, at_rest, fault_env
from tests.faults.servers import RedisServer
from tests.support.service import running_service

pytestmark = pytest.mark.faults
FILES = 300


def test_files_dropped_while_the_service_is_down_are_taken_at_start(
    tmp_path: Path, private_redis: RedisServer
) -> None:
    # SQLite only: the start-up scan is what is tested, not the database.
    database: dict[str, str] = {}
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url, **database)
    with running_service(tmp_path, **env) as svc:
        svc.drop("before.txt", article_text(0))
        at_rest(
            tmp_path, svc.env, ["before.txt"], scenario="10 warm-up", fault_over=time.monotonic()
        )
    names = ["before.txt"]
    inbox = tmp_path / "inbox"
    # Down: some renamed in, some written in place, some in a sub-folder, one still partial.
    (inbox / "sub" / "deeper").mkdir(parents=True)
    for i in range(1, FILES + 1):
        name = f"sub/deeper/f{i:04d}.txt" if i % 5 == 0 else f"f{i:04d}.txt"
        if i % 2:
            (inbox / name).write_bytes(article_text(i))
        else:
            (inbox / (name + ".part")).write_bytes(article_text(i))
            os.replace(inbox / (name + ".part"), inbox / name)
        names.append(name)
    (inbox / "never.txt.part").write_bytes(b"a producer died before renaming this")
    with running_service(tmp_path, **env) as svc:
        up = time.monotonic()
        at_rest(tmp_path, svc.env, names, scenario=f"10 arrived while down [{_db(database)}]",
                fault_over=up, timeout=240)  # fmt: skip
    assert (inbox / "never.txt.part").exists()  # not ours until renamed


def _db(database: dict[str, str]) -> str:
    return "postgresql" if database else "sqlite"
