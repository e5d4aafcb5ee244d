"""Drop folder → ledger → ingest queue.

Three sources of candidates feed one loop: inotify events (fast), a full scan at start
(files that came while we were down) and a periodic rescan (inotify drops events on
overflow without telling anyone, watchdog#654). What each entry becomes (a ledger row, a
refusal, a wait until it is complete) is `workers.intake`'s decision.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis
from kombu.exceptions import OperationalError as KombuOperationalError
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlalchemy.orm import Session, sessionmaker
from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from workers import safefs
from workers.broker import Broker
from workers.intake import BATCH, Intake, Publish, Ready
from workers.runtime import Runtime
from workers.settings import Settings
from workers.sweeper import sweeper_for

log = logging.getLogger(__name__)

TICK_S = 0.2
OUTAGES = (redis.RedisError, KombuOperationalError, SAOperationalError, ConnectionError)
# Only what says "a file may be complete" (created, written and closed, renamed in; folders for
# their contents). The kernel then sends no open/modify/read events: a writer's every write()
# and our own hashing reads would each be one, and they fill the inotify queue in a burst.
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileClosedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirMovedEvent,
]


class _Events(FileSystemEventHandler):
    """Collects paths from inotify; the loop does all the work on its own thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._moved_in: set[str] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        if isinstance(event, FileMovedEvent):
            with self._lock:
                # A rename into the inbox is the producer saying "complete".
                self._moved_in.add(os.fsdecode(event.dest_path))
        elif isinstance(event, FileCreatedEvent | FileClosedEvent):
            with self._lock:
                self._paths.add(os.fsdecode(event.src_path))

    def drain(self) -> tuple[set[str], set[str]]:
        with self._lock:
            paths, moved = self._paths, self._moved_in
            self._paths, self._moved_in = set(), set()
        return paths, moved


class _OverflowAlarm(logging.Handler):
    """watchdog reports a kernel event-queue overflow only as a log line (watchdog#654):
    turn that line into a flag, so the loop rescans at once instead of at the next interval."""

    LOGGER = "watchdog.observers.inotify_c"

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.raised = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "queue overflowed" in record.getMessage():
            self.raised.set()

    def __enter__(self) -> _OverflowAlarm:
        source = logging.getLogger(self.LOGGER)
        if not source.isEnabledFor(logging.WARNING):
            source.setLevel(logging.WARNING)
        source.addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        logging.getLogger(self.LOGGER).removeHandler(self)


class Watcher:
    """The loop: inotify events, a scan at start and every `rescan_interval`, the outbox and
    the sweeper, all on one thread; what to do with each entry is `Intake`'s."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        publish: Publish,
        sweep: Callable[[], object] | None = None,
    ) -> None:
        self.settings = settings
        self.intake = Intake(settings, sessions, publish)
        self.folders = self.intake.folders
        self.inbox = self.folders.inbox
        self.sweep = sweep
        self._events = _Events()
        self.started = threading.Event()  # set once the observer runs and the first scan is done

    @property
    def registered(self) -> int:
        return self.intake.registered

    @property
    def sent(self) -> int:
        return self.intake.sent

    # ------------------------------------------------------------------ loop

    def run(self, stop: threading.Event) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._safe(self._ensure_folders)
        observer = self._start_observer()
        # Observer first, then scan: a file landing in between is seen by one or both, and
        # the ledger makes seeing it twice harmless (watchdog#1010).
        next_scan = 0.0
        next_sweep = time.monotonic() + self.settings.sweep_interval
        with _OverflowAlarm() as overflow:
            try:
                while not stop.is_set():
                    if not observer.is_alive():  # observers can die quietly (watchdog#1065)
                        log.warning("file observer died; restarting it and rescanning")
                        observer = self._start_observer()
                        next_scan = 0.0
                    if overflow.raised.is_set():
                        overflow.raised.clear()
                        log.warning("inotify dropped events; rescanning the inbox now")
                        next_scan = 0.0
                    now = time.monotonic()
                    if now >= next_scan:
                        self._safe(self._rescan)
                        next_scan = now + self.settings.rescan_interval
                    self.step()
                    self.started.set()
                    if self.sweep is not None and now >= next_sweep:
                        self._safe(self.sweep)
                        next_sweep = now + self.settings.sweep_interval
                    stop.wait(TICK_S)
            finally:
                observer.stop()
                observer.join(timeout=5)

    def step(self) -> None:
        """One pass: take events, register files that are complete, flush the outbox."""
        paths, moved = self._events.drain()
        for raw in paths:
            self._safe(lambda raw=raw: self.intake.consider(Path(raw), renamed=False))  # type: ignore[misc]
        for raw in moved:
            self._safe(lambda raw=raw: self.intake.consider(Path(raw), renamed=True))  # type: ignore[misc]
        ready: list[Ready] = []
        self._safe(lambda: ready.extend(self.intake.ready_files()))
        for start in range(0, len(ready), BATCH):
            batch = ready[start : start + BATCH]
            self._safe(lambda batch=batch: self.intake.register(batch))  # type: ignore[misc]
        self._safe(self.intake.flush_outbox)

    def flush_outbox(self) -> None:
        self.intake.flush_outbox()

    def take(self, paths: list[Path]) -> list[str]:
        """Register complete files named by a user (`dropwire ingest`) without waiting."""
        return self.intake.take(paths)

    def _safe(self, action: Callable[[], object]) -> None:
        # The watcher outlives database and broker outages and any one entry: log, keep state,
        # try again next tick.
        try:
            action()
        except OUTAGES as exc:  # expected while a server is away: one line, no traceback
            log.warning("watcher step waits for %s: %s", type(exc).__name__, exc)
        except Exception:
            log.exception("watcher step failed; will retry")

    def _ensure_folders(self) -> None:
        """done/ and failed/ exist as real folders (a link swapped in is renamed aside)."""
        for folder in (self.folders.done, self.folders.failed):
            root, parts = self.folders.root_of(folder)
            root.mkdir(parents=True, exist_ok=True)
            with safefs.open_dir(root) as fd:
                opened = [fd]
                try:
                    for part in parts:
                        opened.append(safefs.ensure_dir(opened[-1], part))
                finally:
                    for extra in opened[1:]:
                        os.close(extra)

    def _start_observer(self) -> BaseObserver:
        observer = Observer()
        observer.schedule(
            self._events, str(self.inbox), recursive=True, event_filter=WATCHED_EVENTS
        )
        observer.daemon = True
        observer.start()
        return observer

    # ------------------------------------------------------------------ finding files

    def scan(self) -> Iterator[Path]:
        """Every candidate entry under the inbox, skipping done/ and failed/."""
        return self.folders.walk()

    def _rescan(self) -> None:
        self._ensure_folders()
        seen = set()
        for path in self.scan():
            seen.add(path)
            self._safe(lambda path=path: self.intake.consider(path, renamed=False))  # type: ignore[misc]
        self.intake.forget_missing(seen)


def build_watcher(runtime: Runtime, broker: Broker) -> Watcher:
    """A watcher that publishes through `broker` and sweeps stuck rows on its loop.

    `broker` is the watcher thread's own (a Broker is not thread-safe)."""
    sweep = sweeper_for(runtime.settings, runtime.sessions, broker)
    return Watcher(runtime.settings, runtime.sessions, broker.publish_ingest, sweep=sweep)
