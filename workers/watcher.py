"""Drop folder → ledger → ingest queue.

Three sources of candidates feed one loop: inotify events (fast), a full scan at start
(files that came while we were down) and a periodic rescan (inotify drops events on
overflow without telling anyone, watchdog#654). A file is taken only when it is complete:
in-progress names are ignored, and a file must be renamed in or sit still for
`min_file_age` seconds with the same size and mtime before and after hashing.

Sending goes through an outbox: rows are recorded `pending` first and published after, so a
Redis outage leaves them pending and the loop sends them when Redis is back.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

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

from db import ledger
from db.models import State
from db.session import transaction
from workers.broker import Broker
from workers.clock import utcnow
from workers.files import (
    Folders,
    destination,
    is_candidate_name,
    move_file,
    relative_key,
    sha256_file,
)
from workers.runtime import Runtime
from workers.settings import Settings
from workers.sweeper import sweeper_for

log = logging.getLogger(__name__)

Publish = Callable[[list[int]], None]  # sends ledger ids to the ingest queue, all or none
TICK_S = 0.2
BATCH = 500
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


@dataclass(frozen=True, slots=True)
class Stat:
    size: int
    mtime_ns: int


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
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        publish: Publish,
        sweep: Callable[[], object] | None = None,
    ) -> None:
        self.settings = settings
        self.folders = Folders.from_settings(settings)
        self.inbox = self.folders.inbox
        self.sessions = sessions
        self.publish = publish
        self.sweep = sweep
        self._skip_dirs = self.folders.skip
        self._events = _Events()
        self._waiting: dict[Path, Stat] = {}  # complete-looking but not yet still long enough
        self._known: dict[Path, Stat] = {}  # registered: not hashed again while unchanged
        self._outbox_blocked_until = 0.0
        self.started = threading.Event()  # set once the observer runs and the first scan is done
        self.registered = 0
        self.sent = 0

    # ------------------------------------------------------------------ loop

    def run(self, stop: threading.Event) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        for folder in self._skip_dirs:
            folder.mkdir(parents=True, exist_ok=True)
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
                        self._rescan()
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
            self._consider(Path(raw), renamed=False)
        for raw in moved:
            self._consider(Path(raw), renamed=True)
        ready = self._ready_files()
        for start in range(0, len(ready), BATCH):
            batch = ready[start : start + BATCH]
            # A file counts as known only once its row is committed: if the database is down
            # the next rescan finds it again (else it would wait for a restart of the watcher).
            self._safe(lambda batch=batch: self._register_and_remember(batch))  # type: ignore[misc]
        self._safe(self.flush_outbox)

    def _register_and_remember(self, batch: list[tuple[Path, str, int, Stat]]) -> None:
        self._register([(path, sha, size) for path, sha, size, _ in batch])
        for path, _, _, stat in batch:
            self._known[path] = stat

    def _safe(self, action: Callable[[], object]) -> None:
        # The watcher outlives database and broker outages: log, keep state, try next tick.
        try:
            action()
        except Exception:
            log.exception("watcher step failed; will retry")

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
        """Every candidate file under the inbox, skipping done/, failed/ and symlinks."""
        return self.folders.walk()

    def _rescan(self) -> None:
        seen = set()
        for path in self.scan():
            seen.add(path)
            self._consider(path, renamed=False)
        # Files that left the inbox (stored and moved) need no memory.
        for gone in set(self._known) - seen:
            del self._known[gone]

    def _consider(self, path: Path, *, renamed: bool) -> None:
        if not self._eligible(path):
            return
        stat = _stat(path)
        if stat is None or self._known.get(path) == stat:
            return
        if renamed:
            # Renamed in whole: no need to wait; age 0 makes it ready at once.
            self._waiting[path] = Stat(stat.size, 0)
        else:
            self._waiting[path] = stat

    def _eligible(self, path: Path) -> bool:
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return False
        if any(not is_candidate_name(part) for part in rel.parts):
            return False
        if path.is_symlink() or not path.is_file():
            return False
        return not any(path.is_relative_to(d) for d in self._skip_dirs)

    def _ready_files(self) -> list[tuple[Path, str, int, Stat]]:
        """Hash the files that have been still for long enough."""
        ready: list[tuple[Path, str, int, Stat]] = []
        now_ns = time.time_ns()
        min_age_ns = int(self.settings.min_file_age * 1e9)
        for path, before in list(self._waiting.items()):
            stat = _stat(path)
            if stat is None:
                del self._waiting[path]
                continue
            renamed_in = before.mtime_ns == 0 and stat.size == before.size
            if not renamed_in and (stat != before or now_ns - stat.mtime_ns < min_age_ns):
                self._waiting[path] = stat  # still being written: look again next tick
                continue
            try:
                sha, size = sha256_file(path)
            except OSError:
                del self._waiting[path]
                continue
            after = _stat(path)
            if after is None or after.size != size or (not renamed_in and after != stat):
                self._waiting[path] = after or stat  # changed while hashing
                continue
            del self._waiting[path]
            ready.append((path, sha, size, after))
        return ready

    def take(self, paths: list[Path]) -> list[str]:
        """Register complete files named by a user (`dropwire ingest`) without waiting."""
        files: list[tuple[Path, str, int]] = []
        for path in paths:
            sha, size = sha256_file(path)
            files.append((path, sha, size))
        for start in range(0, len(files), BATCH):
            self._register(files[start : start + BATCH])
        self.flush_outbox()
        return [relative_key(self.inbox, p) for p, _, _ in files]

    # ------------------------------------------------------------------ ledger and outbox

    def _register(self, files: list[tuple[Path, str, int]]) -> None:
        seen = [ledger.SeenFile(relative_key(self.inbox, p), sha, size) for p, sha, size in files]
        with transaction(self.sessions) as s:
            rows = ledger.register_files(s, seen, utcnow())
            finished = [(r.source_path, r.state, r.id) for r in rows if r.state in State.TERMINAL]
        self.registered += len(files)
        for source_path, state, ledger_id in finished:
            self._finish_leftover(source_path, state, ledger_id)

    def _finish_leftover(self, source_path: str, state: str, ledger_id: int) -> None:
        """The same content at the same path is already finished: put the file where it belongs.

        Happens when a process died between the commit and the move, or when the same file is
        dropped again after it was stored; either way it is not sent again.
        """
        folder = self.folders.failed if state == State.FAILED else self.folders.done
        source = self.inbox / source_path
        target = destination(folder, source_path, ledger_id)
        if move_file(source, target):
            log.info(
                "%s is already %s (ledger %s): moved to %s", source_path, state, ledger_id, target
            )

    def flush_outbox(self) -> None:
        if time.monotonic() < self._outbox_blocked_until:
            return
        while True:
            with transaction(self.sessions) as s:
                pending = ledger.pending_ids(s, BATCH)
            if not pending:
                return
            try:
                self.publish(pending)
            except Exception as exc:
                log.warning("cannot send to the queue (%s); %d files wait", exc, len(pending))
                self._outbox_blocked_until = time.monotonic() + 2.0
                return
            with transaction(self.sessions) as s:
                ledger.mark_queued(s, pending, utcnow())
            self.sent += len(pending)


def _stat(path: Path) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return Stat(st.st_size, st.st_mtime_ns)


def build_watcher(runtime: Runtime, broker: Broker) -> Watcher:
    """A watcher that publishes through `broker` and sweeps stuck rows on its loop.

    `broker` is the watcher thread's own (a Broker is not thread-safe)."""
    sweep = sweeper_for(runtime.settings, runtime.sessions, broker)
    return Watcher(runtime.settings, runtime.sessions, broker.publish_ingest, sweep=sweep)
