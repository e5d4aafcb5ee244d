"""Scenario: a worker node stops heart-beating while it holds a file (its host froze or fell
off the network). Simulated by SIGSTOP of the node's whole process group: its process is not
gone (on another host nobody could tell), it only falls silent. A second NLP node is running;
after a few missed beats (`node_timeout`, default 20 s) the frozen node's claims are released
and its messages put back, and the second node finishes them: well before the visibility
timeout (600 s) or the stuck sweep (900 s) would have.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from db.models import LedgerEntry
from db.session import make_engine, make_session_factory, transaction
from tests.faults.conftest import article_text, at_rest, drop_articles, fault, fault_env
from tests.faults.servers import RedisServer
from tests.support.service import Service, running_service, wait_for

pytestmark = pytest.mark.faults
FILES = 40


def _nlp_node(svc: Service) -> psutil.Process:
    for proc in psutil.Process(svc.process.pid).children():
        if "-Q" in (cmd := proc.cmdline()) and cmd[cmd.index("-Q") + 1] == "nlp":
            return proc
    raise AssertionError("no NLP worker")


def _claims(root: Path) -> dict[str, tuple[str | None, int]]:
    """source path → (node holding it, deliveries so far)."""
    engine = make_engine(f"sqlite:///{root / 'var' / 'dropwire.db'}", readonly=True)
    try:
        with transaction(make_session_factory(engine)) as s:
            query = select(LedgerEntry.source_path, LedgerEntry.claimed_by, LedgerEntry.attempts)
            return {path: (node, attempts) for path, node, attempts in s.execute(query)}
    finally:
        engine.dispose()


def test_a_silent_node_loses_its_files_to_a_live_one(
    tmp_path: Path, private_redis: RedisServer
) -> None:
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url)
    names = [f"h{i:03d}.txt" for i in range(FILES)]
    with running_service(tmp_path, **env) as svc:
        node = _nlp_node(svc)
        other = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", "nlp",
             "-c", "1", "-n", "second@%h", "--without-mingle", "--without-gossip"],
            env=svc.env, cwd=tmp_path, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        frozen = False
        try:
            started = time.monotonic()
            svc.drop("slow.txt", fault("slow@nlp") + article_text(999))
            wait_for(lambda: (_claims(tmp_path).get("slow.txt", (None, 0))[0] or "").startswith(
                "nlp-"), 90, "the service's NLP node to claim the slow file")  # fmt: skip
            os.killpg(node.pid, signal.SIGSTOP)  # the node and its pool child fall silent
            frozen = True
            silent_at = time.monotonic()
            drop_articles(svc, names)
            figures = at_rest(tmp_path, svc.env, ["slow.txt", *names], started=started,
                              scenario="host lost: a node stops heart-beating [sqlite]",
                              fault_over=silent_at, timeout=240)  # fmt: skip
            taken_by = _claims(tmp_path)
        finally:
            if frozen:
                os.killpg(node.pid, signal.SIGCONT)
            other.send_signal(signal.SIGTERM)
            other.wait(timeout=60)
        records = {r["source_path"]: r for r in svc.export()}
    assert figures.done == FILES + 1
    # Delivered to the frozen node (ingest, then NLP), released, delivered again and stored.
    assert taken_by["slow.txt"][1] >= 3, taken_by["slow.txt"]
    assert records["slow.txt"]["status"] == "done"
