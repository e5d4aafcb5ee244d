"""A worker node's heartbeat, written to the database from the node's main process.

The main process of a prefork worker only routes messages (the pool children do the work),
so its beat keeps coming while a child is busy inside spaCy for a minute: a missing beat
means the node (or its host) is gone, not that it is busy. Rows the node claimed are then
sent again by `workers.recovery`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from db import nodes
from db.session import make_engine, make_session_factory, transaction
from workers.clock import utcnow

log = logging.getLogger(__name__)


class Heartbeat:
    def __init__(
        self, database_url: str, name: str, queues: Sequence[str], interval: float
    ) -> None:
        self.name = name
        self.queues = list(queues)
        self.interval = interval
        self._engine = make_engine(database_url)
        self._sessions: sessionmaker[Session] = make_session_factory(self._engine)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Pool children are forked from this process: they must never close (or use) the
        # connections they inherit from it (SQLite forbids it; PostgreSQL shares the socket).
        os.register_at_fork(after_in_child=lambda: self._engine.dispose(close=False))

    def start(self) -> None:
        """Beat once now (claims made from here on belong to a known node), then keep on."""
        self.beat()
        self._thread = threading.Thread(target=self._loop, name="heartbeat", daemon=True)
        self._thread.start()

    def beat(self) -> None:
        try:
            with transaction(self._sessions) as s:
                nodes.beat(s, self.name, socket.gethostname(), os.getpid(), self.queues, utcnow())
        except Exception as exc:  # the database may be away for a while: beat again later
            log.warning("heartbeat of %s not written: %s", self.name, exc)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    def stop(self) -> None:
        """A clean shutdown: the node holds nothing from now on."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            with transaction(self._sessions) as s:
                nodes.stop(s, self.name, utcnow())
        except Exception as exc:
            log.warning("could not record that %s stopped: %s", self.name, exc)
        self._engine.dispose()
