"""The embedded Redis: its URL file holds the password and is private from its first byte;
a data dir whose last `up` died is reported as taken over (so `up` recovers at once)."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

import pytest

from workers import embedded


def test_the_url_file_is_never_readable_by_others(tmp_path: Path) -> None:
    info = tmp_path / "redis.json"
    seen_modes: set[int] = set()
    done = threading.Event()

    def watch() -> None:  # look at the file's mode for as long as it is being written
        while not done.is_set():
            with contextlib.suppress(FileNotFoundError):
                seen_modes.add(stat.S_IMODE(os.stat(info).st_mode))

    old = os.umask(0o022)  # the umask most users have: files come out 0644 unless asked
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        server = embedded.start(tmp_path)
    finally:
        done.set()
        watcher.join()
        os.umask(old)
    try:
        assert stat.S_IMODE(info.stat().st_mode) == 0o600
        assert seen_modes <= {0o600}, seen_modes
        assert not server.took_over
    finally:
        server.stop()


def test_a_data_dir_whose_up_died_is_taken_over(tmp_path: Path) -> None:
    server = embedded.start(tmp_path)
    server.process.kill()  # `up` and its Redis killed together: redis.json stays behind
    server.process.wait()
    again = embedded.start(tmp_path)
    try:
        assert again.took_over
    finally:
        again.stop()
    fresh = embedded.start(tmp_path)  # after a clean stop nothing was left in flight
    try:
        assert not fresh.took_over
    finally:
        fresh.stop()


@pytest.fixture(autouse=True)
def _needs_a_redis_server() -> None:
    try:
        embedded.redis_server_binary()
    except embedded.EmbeddedRedisError as exc:
        pytest.skip(str(exc))
