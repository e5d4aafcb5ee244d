"""Per-process resources of a worker: settings, database sessions, the NLP analyzer.

Built lazily on first use inside the process that uses them, so a forked Celery child never
shares its parent's database connections and the spaCy model loads in the child only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from db.session import make_engine, make_session_factory
from pipelines.nlp import Analyzer
from workers.settings import Settings


@dataclass
class WorkerContext:
    settings: Settings

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(make_engine(self.settings.effective_database_url))

    @cached_property
    def analyzer(self) -> Analyzer:
        return Analyzer(self.settings.spacy_model, batch_size=self.settings.nlp_batch_size)


_contexts: dict[int, WorkerContext] = {}


def context_for(settings: Settings) -> WorkerContext:
    """The context of this process (keyed by pid: a fork gets a fresh one)."""
    import os

    pid = os.getpid()
    ctx = _contexts.get(pid)
    if ctx is None:
        _contexts.clear()
        ctx = _contexts[pid] = WorkerContext(settings)
    return ctx
