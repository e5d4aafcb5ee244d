"""The composition root: what a process builds once from the settings and passes on.

Every face (the `dropwire` commands, the monitor, the watcher, the Celery tasks) starts from
`Runtime.from_settings(settings)` instead of building engines, brokers and folder sets of its
own. Parts are built lazily on first use, inside the process that uses them: a forked Celery
child never shares its parent's database connections, and the spaCy model loads only where
NLP runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from db.session import make_engine, make_session_factory
from workers.files import Folders
from workers.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

    from pipelines.nlp import Analyzer
    from workers.broker import Broker


@dataclass
class Runtime:
    settings: Settings

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        return cls(settings)

    @cached_property
    def folders(self) -> Folders:
        return Folders.from_settings(self.settings)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Read-write sessions (SQLite writers begin IMMEDIATE)."""
        return make_session_factory(make_engine(self.settings.effective_database_url))

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        """Read-only sessions: never take SQLite's writer lock."""
        url = self.settings.effective_database_url
        return make_session_factory(make_engine(url, readonly=True))

    def reset_connections(self) -> None:
        """Drop every pooled database connection (one left in a bad state is not reused)."""
        for name in ("sessions", "read_sessions"):
            factory = self.__dict__.get(name)
            if factory is not None:
                factory.kw["bind"].dispose()

    @cached_property
    def app(self) -> Celery:
        from workers.app import create_app

        return create_app(self.settings)

    @cached_property
    def broker(self) -> Broker:
        """This process's broker client. Not thread-safe: a thread of its own that sends
        uses `new_broker()`."""
        return self.new_broker()

    def new_broker(self) -> Broker:
        from workers.broker import Broker

        return Broker(self.app, self.settings.effective_redis_url)

    @cached_property
    def analyzer(self) -> Analyzer:
        from pipelines.nlp import Analyzer

        return Analyzer(
            self.settings.spacy_model,
            batch_size=self.settings.nlp_batch_size,
            max_chars=self.settings.nlp_max_chars,
        )


_per_process: dict[int, Runtime] = {}


def runtime_for(settings: Settings) -> Runtime:
    """The runtime of this process for these settings (keyed by pid: a forked child gets a
    fresh one)."""
    pid = os.getpid()
    found = _per_process.get(pid)
    if found is None or found.settings is not settings:
        _per_process.clear()
        found = _per_process[pid] = Runtime(settings)
    return found
