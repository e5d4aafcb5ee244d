"""Test-only fault injection, loaded into the workers by the fault suite alone.

The suite starts the service with `DROPWIRE_WORKER_IMPORTS=["tests.faults.inject"]`; Celery
imports this module in each worker before the pool forks, and it wraps the two stage entry
points. Production code has no hook and no check for it.

A file whose text starts with `#dropwire-fault:<kind>` misbehaves in the ingest stage, or
with `#dropwire-fault:<kind>@nlp` in the NLP stage: `raise` raises an error, `crash`
SIGKILLs its own process (a segfault or the OOM killer), `hang` sleeps through the soft time
limit until the hard limit kills the process (an endless loop in C code), `slow` takes 30 s
and then goes on (a long article: a task in flight to freeze or kill). The wraps sit after
the delivery is claimed, as a real poison file's damage would.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Sequence
from typing import Any

from pipelines import nlp
from pipelines.records import ArticleDraft
from workers import service

MARKER = "#dropwire-fault:"
SLOW_S = 30.0
log = logging.getLogger(__name__)


def misbehave(stage: str, text: str) -> None:
    if not text.startswith(MARKER):
        return
    kind, _, where = text[len(MARKER) :].split(None, 1)[0].partition("@")
    if (where or "ingest") != stage:
        return
    log.warning("fault injection: %s in the %s stage", kind, stage)
    if kind == "raise":
        raise RuntimeError("injected fault")
    if kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "slow":
        time.sleep(SLOW_S)
    if kind == "hang":
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            # The soft limit's exception is swallowed on purpose: only the hard limit ends it.
            with contextlib.suppress(BaseException):
                time.sleep(1)


_read_articles = service.read_articles
_analyze = nlp.Analyzer.analyze


def _reading(name: str, data: bytes, *args: Any, **kwargs: Any) -> Any:
    misbehave("ingest", data[:64].decode("latin-1"))
    return _read_articles(name, data, *args, **kwargs)


def _analyzing(self: nlp.Analyzer, drafts: Sequence[ArticleDraft]) -> Any:
    for draft in drafts:
        misbehave("nlp", draft.body[:64])
    return _analyze(self, drafts)


service.read_articles = _reading  # type: ignore[assignment]
nlp.Analyzer.analyze = _analyzing  # type: ignore[method-assign]
