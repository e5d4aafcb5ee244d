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

from db import repository as repo
from db.models import State
from db.session import transaction
from workers.queues import INGEST_QUEUE, NLP_QUEUE
from workers.service import utcnow

log = logging.getLogger(__name__)

Send = Callable[[str, int], None]  # (queue, ledger id)
QueueDepth = Callable[[str], int]


def sweep_once(
    sessions: sessionmaker[Session],
    send: Send,
    queue_depth: QueueDepth,
    stuck_after: float,
    limit: int = 1000,
) -> int:
    """Send stuck rows again; returns how many were sent."""
    now = utcnow()
    with transaction(sessions) as s:
        rows = [
            (r.id, r.state)
            for r in repo.stuck_entries(s, now - timedelta(seconds=stuck_after), limit)
        ]
    if not rows:
        return 0
    idle = {q: queue_depth(q) == 0 for q in (INGEST_QUEUE, NLP_QUEUE)}
    resent: list[int] = []
    for ledger_id, state in rows:
        queue = NLP_QUEUE if state == State.NLP else INGEST_QUEUE
        # PROCESSING means a worker took it: past stuck_after (> the hard time limit) it died.
        if state != State.PROCESSING and not idle[queue]:
            continue
        send(queue, ledger_id)
        resent.append(ledger_id)
    with transaction(sessions) as s:
        repo.touch(s, resent, utcnow())
    if resent:
        log.warning("swept %d stuck ledger rows back onto the queues", len(resent))
    return len(resent)
