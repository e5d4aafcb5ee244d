"""Re-send ledger rows whose message was lost; the database, not Redis, is the truth.

Redis can drop a message (a SIGKILL between BRPOP and the unacked record, celery#7950; a
restart without AOF). A row that stays in flight longer than `stuck_after` is sent again;
`claim` counts every delivery, so a poison file still ends `failed` after `max_attempts`.
Rows merely waiting behind a long queue are left alone: a stage's rows are only swept while
its queue is empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from db import ledger
from db.models import State
from db.session import transaction
from workers.broker import Broker
from workers.clock import utcnow
from workers.queues import INGEST_QUEUE, NLP_QUEUE
from workers.settings import Settings

log = logging.getLogger(__name__)

Send = Callable[[str, int], None]  # (queue, ledger id)
QueueDepth = Callable[[str], int]


def sweep_once(
    sessions: sessionmaker[Session],
    send: Send,
    queue_depth: QueueDepth,
    stuck_after: float,
    limit: int = 1000,
    *,
    time_limit: float = 0.0,
) -> int:
    """Send stuck rows again; returns how many were sent.

    `time_limit` is the tasks' hard time limit: a row a worker claimed is only taken for dead
    once it is older than that, whatever `stuck_after` says, so a task that is still allowed
    to run is never sent a twin.
    """
    now = utcnow()
    cutoff = now - timedelta(seconds=max(stuck_after, time_limit + 2.0))
    with transaction(sessions) as s:
        rows = [(r.id, r.state) for r in ledger.stuck_entries(s, cutoff, limit)]
    if not rows:
        return 0
    idle = {q: queue_depth(q) == 0 for q in (INGEST_QUEUE, NLP_QUEUE)}
    resent: list[int] = []
    unsent: list[int] = []  # `pending`: the outbox never managed to publish them
    try:
        for ledger_id, state in rows:
            queue = NLP_QUEUE if state == State.NLP else INGEST_QUEUE
            # PROCESSING means a worker took it: past the hard time limit that worker died.
            # PENDING rows were never published. The rest may be waiting behind a long queue.
            if state not in (State.PROCESSING, State.PENDING) and not idle[queue]:
                continue
            send(queue, ledger_id)
            (unsent if state == State.PENDING else resent).append(ledger_id)
    finally:
        # Record what did go out even when Redis fails half-way through.
        with transaction(sessions) as s:
            ledger.touch(s, resent, utcnow())
            ledger.mark_queued(s, unsent, utcnow())
    if resent or unsent:
        log.warning("swept %d stuck ledger rows back onto the queues", len(resent) + len(unsent))
    return len(resent) + len(unsent)


def sweeper_for(
    settings: Settings, sessions: sessionmaker[Session], broker: Broker
) -> Callable[[], int]:
    """One sweep with the service's settings, for the watcher's loop and `dropwire sweep`."""

    def sweep() -> int:
        return sweep_once(
            sessions,
            broker.send,
            broker.depth,
            settings.stuck_after,
            time_limit=settings.task_time_limit,
        )

    return sweep
