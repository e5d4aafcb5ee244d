"""The watcher against a real folder and a real database; publishing is a recording stub."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import ledger
from db.models import State
from db.session import transaction
from tests.support.service import wait_for
from workers.settings import Settings
from workers.watcher import Watcher


class Recorder:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.down = False

    def __call__(self, ledger_ids: list[int]) -> None:
        if self.down:
            raise ConnectionError("redis is down")
        self.sent.extend(ledger_ids)


@pytest.fixture
def watcher(tmp_path: Path, sessions: sessionmaker[Session]) -> tuple[Watcher, Recorder]:
    settings = Settings(
        inbox=tmp_path / "inbox", data_dir=tmp_path / "var", min_file_age=0.3, rescan_interval=60
    )
    recorder = Recorder()
    w = Watcher(settings, sessions, recorder)
    (tmp_path / "inbox").mkdir()
    return w, recorder


def _states(sessions: sessionmaker[Session]) -> dict[str, str]:
    with transaction(sessions) as s:
        return {
            r.source_path: r.state
            for r in ledger.entries_for_paths(s, ["a.txt", "b.txt", "c.txt", "sub/d.txt"])
        }


def test_initial_scan_takes_complete_files_and_ignores_partial_ones(
    watcher: tuple[Watcher, Recorder], sessions: sessionmaker[Session]
) -> None:
    w, sent = watcher
    inbox = w.inbox
    (inbox / "a.txt").write_text("alpha")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "d.txt").write_text("delta")
    (inbox / "b.txt.part").write_text("partial")
    (inbox / ".c.txt").write_text("hidden")
    old = time.time() - 10
    for p in (inbox / "a.txt", inbox / "sub" / "d.txt"):
        os.utime(p, (old, old))
    w._rescan()
    w.step()
    assert _states(sessions) == {"a.txt": State.QUEUED, "sub/d.txt": State.QUEUED}
    assert len(sent.sent) == 2
    w._rescan()  # seen again: not sent again
    w.step()
    assert len(sent.sent) == 2


def test_a_file_still_being_written_waits(
    watcher: tuple[Watcher, Recorder], sessions: sessionmaker[Session]
) -> None:
    w, sent = watcher
    path = w.inbox / "a.txt"
    path.write_text("first half")
    w._rescan()
    w.step()
    assert sent.sent == []  # too young
    with path.open("a") as fh:
        fh.write(" second half")
    wait_for(lambda: (w.step(), sent.sent)[1], 5, "the file to be taken once still")
    with transaction(sessions) as s:
        (row,) = ledger.entries_for_paths(s, ["a.txt"])
        assert row.size == len("first half second half")


def test_live_events_and_a_redis_outage(
    watcher: tuple[Watcher, Recorder], sessions: sessionmaker[Session]
) -> None:
    w, sent = watcher
    sent.down = True
    stop = threading.Event()
    thread = threading.Thread(target=w.run, args=(stop,))
    thread.start()
    try:
        assert w.started.wait(10)
        (w.inbox / "b.part").write_text("bravo")
        os.replace(w.inbox / "b.part", w.inbox / "b.txt")
        wait_for(lambda: _states(sessions).get("b.txt") == State.PENDING, 10, "b.txt recorded")
        assert sent.sent == []
        sent.down = False  # Redis is back: the outbox sends what waited
        wait_for(lambda: _states(sessions).get("b.txt") == State.QUEUED, 10, "b.txt sent")
        assert len(sent.sent) == 1
    finally:
        stop.set()
        thread.join(timeout=10)


def test_an_inotify_overflow_warning_raises_the_rescan_flag() -> None:
    from workers.watcher import _OverflowAlarm

    source = logging.getLogger(_OverflowAlarm.LOGGER)
    with _OverflowAlarm() as alarm:
        source.warning("Unable to rebuild recursive inotify watches")
        assert not alarm.raised.is_set()
        # watchdog's own wording (observers/inotify_c.py) when the kernel queue overflows.
        source.warning("Inotify queue overflowed; filesystem events were lost")
        assert alarm.raised.is_set()
    assert alarm not in source.handlers
