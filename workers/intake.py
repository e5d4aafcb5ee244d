"""Entries of the drop folder → ledger rows: the watcher's decisions, free of its loop.

A regular file is taken once it is complete: renamed in, or still (size, mtime, inode) for
`min_file_age` seconds before and after hashing. Anything else the folder may hold is refused
on sight with a reason operators see (`failed list`), and moved to failed/ without being
opened: symlinks (never followed), FIFOs, sockets, devices, hard links and files over the
size limit. Rows are recorded `pending` first and published after (an outbox): a Redis
outage leaves them pending, and `flush_outbox` sends them once Redis is back.
"""

from __future__ import annotations

import hashlib
import logging
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db import ledger
from db.models import LedgerEntry, State
from db.session import transaction
from workers import safefs
from workers.clock import utcnow
from workers.files import Folders, InboxName, hash_file, is_candidate_name, move_out
from workers.settings import Settings

log = logging.getLogger(__name__)

Publish = Callable[[list[int]], None]  # sends ledger ids to the ingest queue, all or none
BATCH = 500


@dataclass(frozen=True, slots=True)
class Stat:
    size: int
    mtime_ns: int
    ino: int
    mode: int
    nlink: int

    @classmethod
    def of(cls, path: Path) -> Stat | None:
        try:
            st = path.lstat()  # never follows a link
        except OSError:
            return None
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode, st.st_nlink)

    def same_file(self, other: Stat) -> bool:
        return (self.size, self.mtime_ns, self.ino) == (other.size, other.mtime_ns, other.ino)


@dataclass(frozen=True, slots=True)
class Ready:
    path: Path
    name: InboxName
    sha256: str
    size: int
    stat: Stat


class Intake:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], publish: Publish):
        self.settings = settings
        self.folders = Folders.from_settings(settings)
        self.inbox = self.folders.inbox
        self.sessions = sessions
        self.publish = publish
        self._waiting: dict[Path, tuple[Stat, bool]] = {}  # (last look, renamed in)
        self._known: dict[Path, Stat] = {}  # recorded: not looked at again while unchanged
        self._outbox_blocked_until = 0.0
        self.registered = 0
        self.sent = 0

    # ------------------------------------------------------------------ looking

    def consider(self, path: Path, *, renamed: bool) -> None:
        """A candidate path from an event or a scan: wait for it, or refuse it on sight."""
        if not self._eligible(path):
            return
        st = Stat.of(path)
        if st is None or stat.S_ISDIR(st.mode):
            return
        known = self._known.get(path)
        if known is not None and known.same_file(st):
            return
        refusal = _refusal_on_sight(st, self.settings.max_file_bytes)
        if refusal is not None:
            self._waiting.pop(path, None)
            self._refuse(path, st, *refusal)
            return
        _, was_renamed = self._waiting.get(path, (st, False))
        self._waiting[path] = (st, renamed or was_renamed)

    def forget_missing(self, present: set[Path]) -> None:
        """Files that left the inbox (stored and moved) need no memory."""
        for gone in set(self._known) - present:
            del self._known[gone]

    def _eligible(self, path: Path) -> bool:
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return False
        if not rel.parts or any(not is_candidate_name(part) for part in rel.parts):
            return False
        return not any(path.is_relative_to(d) for d in self.folders.skip)

    def ready_files(self) -> list[Ready]:
        """Hash the files that are complete: renamed in, or still for `min_file_age`."""
        ready: list[Ready] = []
        now_ns = time.time_ns()
        min_age_ns = int(self.settings.min_file_age * 1e9)
        for path, (before, renamed) in list(self._waiting.items()):
            st = Stat.of(path)
            if st is None:
                del self._waiting[path]
                continue
            still = st.same_file(before) and now_ns - st.mtime_ns >= min_age_ns
            if not (renamed and st.size == before.size) and not still:
                self._waiting[path] = (st, renamed)  # still being written: look again
                continue
            del self._waiting[path]
            found = self._hash(path, st)
            if found is not None:
                ready.append(found)
        return ready

    def _hash(self, path: Path, before: Stat) -> Ready | None:
        name = InboxName.of(self.inbox, path)
        try:
            sha, size, mtime_ns = hash_file(self.inbox, name, self.settings.max_file_bytes)
        except safefs.Refused as exc:  # swapped for something else since the last look
            after = Stat.of(path)
            if after is not None:
                self._refuse(path, after, exc.code, exc.reason)
            return None
        except OSError:
            return None  # gone or unreadable: the next scan looks again
        after = Stat.of(path)
        if after is None or after.size != size or after.mtime_ns != mtime_ns:
            self._waiting[path] = (after or before, False)  # changed while hashing
            return None
        return Ready(path, name, sha, size, after)

    # ------------------------------------------------------------------ recording

    def register(self, batch: list[Ready]) -> None:
        """Record a batch; a file counts as known only once its row is committed, so after a
        database outage the next rescan finds it again."""
        try:
            self._register(batch)
        except OperationalError:
            raise  # the database is away: the whole batch waits for the next scan
        except Exception:
            if len(batch) == 1:
                log.exception("cannot record %s; it is left in place", batch[0].name.text)
                self._known[batch[0].path] = batch[0].stat
                return
            # One bad entry must not hold back the rest: record them one by one.
            for one in batch:
                self.register([one])
            return
        for r in batch:
            self._known[r.path] = r.stat

    def _register(self, batch: list[Ready]) -> None:
        seen = [ledger.SeenFile(r.name.text, r.sha256, r.size, r.name.raw_if_needed) for r in batch]
        names = {r.name.text: r.name for r in batch}
        with transaction(self.sessions) as s:
            rows = ledger.register_files(s, seen, utcnow())
            finished = [(r.source_path, r.state, r.id) for r in rows if r.state in State.TERMINAL]
        self.registered += len(batch)
        for source_path, state, ledger_id in finished:
            self._finish_leftover(names[source_path], state, ledger_id)

    def take(self, paths: list[Path]) -> list[str]:
        """Record complete files named by a user (`dropwire ingest`) without waiting."""
        ready: list[Ready] = []
        for path in paths:
            st = Stat.of(path)
            found = None if st is None else self._hash(path, st)
            if found is None:
                raise FileNotFoundError(f"{path}: not a regular file in the inbox")
            ready.append(found)
        for start in range(0, len(ready), BATCH):
            self._register(ready[start : start + BATCH])
        self.flush_outbox()
        return [r.name.text for r in ready]

    def _finish_leftover(self, name: InboxName, state: str, ledger_id: int) -> None:
        """The same content at the same path is already finished: put the file where it belongs.

        Happens when a process died between the commit and the move, or when the same file is
        dropped again after it was stored; either way it is not sent again.
        """
        folder = self.folders.failed if state == State.FAILED else self.folders.done
        self._move_and_record(name, folder, ledger_id)
        log.info(
            "%s is already %s (ledger %s): moved out of the inbox", name.text, state, ledger_id
        )

    def _move_and_record(self, name: InboxName, folder: Path, ledger_id: int) -> None:
        try:
            stored = move_out(self.folders, name, folder, ledger_id)
        except (OSError, safefs.Refused) as exc:
            log.warning("cannot move %s out of the inbox: %s", name.text, exc)
            return
        if stored is None:
            return
        with transaction(self.sessions) as s:
            row = s.get(LedgerEntry, ledger_id)
            if row is not None:
                ledger.set_stored_path(row, stored)

    def _refuse(self, path: Path, st: Stat, code: str, reason: str) -> None:
        """Record an entry refused on sight as failed, then move it (itself, never what a link
        points at) to failed/."""
        name = InboxName.of(self.inbox, path)
        # No content was read: the row's identity is the entry's, so a new entry at the same
        # name is a new row and the same one is recorded once.
        identity = f"refused:{code}:{st.ino}:{st.size}:{st.mtime_ns}".encode()
        seen = ledger.SeenFile(
            name.text, hashlib.sha256(identity).hexdigest(), st.size, name.raw_if_needed
        )
        with transaction(self.sessions) as s:
            row_id = ledger.register_refused(s, seen, code, reason, utcnow()).id
        log.warning("refused %s (%s): %s", name.text, code, reason)
        self._known[path] = st
        self._move_and_record(name, self.folders.failed, row_id)

    # ------------------------------------------------------------------ sending

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


def _refusal_on_sight(st: Stat, max_bytes: int) -> tuple[str, str] | None:
    """Why an entry is refused from its `lstat` alone, before anything opens it."""
    try:
        safefs.check_regular(st.mode, st.nlink, st.size, max_bytes)
    except safefs.Refused as exc:
        return exc.code, exc.reason
    return None
