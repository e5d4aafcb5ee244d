"""Scenario 7: half-written files. A slow writer writing in place, a writer that appends after
a pause, and truncated files: each is taken once, whole, after it stopped changing.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.faults.conftest import article_text, at_rest, fault_env
from tests.faults.servers import RedisServer
from tests.support.service import running_service

pytestmark = pytest.mark.faults
MIN_AGE = 1.0


def _slow_writer(path: Path, data: bytes, pieces: int, pause: float) -> None:
    step = max(1, len(data) // pieces)
    with path.open("wb") as fh:  # in place, no temporary name
        for i in range(0, len(data), step):
            fh.write(data[i : i + step])
            fh.flush()
            time.sleep(pause)


def test_half_written_files_are_taken_once_whole(
    tmp_path: Path, private_redis: RedisServer
) -> None:
    env = fault_env(DROPWIRE_REDIS_URL=private_redis.url, DROPWIRE_MIN_FILE_AGE=str(MIN_AGE))
    slow = article_text(70, words=300)
    paused = article_text(71, words=200)
    text = "Le maire a déclaré « c'est fini » à Montréal. " * 20
    truncated_utf8 = text.encode()[:-1]  # cut inside the last multi-byte character
    html = (b"<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
            + b"<p>The council approved the harbour budget after a long debate. " * 30)  # fmt: skip
    with running_service(tmp_path, **env) as svc:
        inbox = svc.inbox
        started = time.monotonic()
        writers = [
            # 30 pieces, 0.1 s apart: growing for 3 s, never still for MIN_AGE.
            threading.Thread(target=_slow_writer, args=(inbox / "slow.txt", slow, 30, 0.1)),
            # Two halves with a pause shorter than MIN_AGE in between.
            threading.Thread(
                target=_slow_writer, args=(inbox / "paused.txt", paused, 2, MIN_AGE * 0.6)
            ),
        ]
        for w in writers:
            w.start()
        svc.drop("truncated-utf8.txt", truncated_utf8)
        svc.drop("truncated.html", html)  # cut mid-paragraph, no closing tags
        for w in writers:
            w.join()
        names = ["slow.txt", "paused.txt", "truncated-utf8.txt", "truncated.html"]
        at_rest(tmp_path, svc.env, names, scenario="7 half-written files [sqlite]",
                fault_over=time.monotonic(), started=started)  # fmt: skip
        records = {r["source_path"]: r for r in svc.export()}
    assert (inbox / "done" / "slow.txt").read_bytes() == slow
    assert (inbox / "done" / "paused.txt").read_bytes() == paused
    assert records["slow.txt"]["word_count"] >= 300  # the whole text, not a prefix
    assert records["paused.txt"]["word_count"] >= 200
    assert "Montréal" in records["truncated-utf8.txt"]["body"]
    assert "harbour budget" in records["truncated.html"]["body"]
