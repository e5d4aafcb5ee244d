"""The periodic sweep: send again what Redis lost or what a gone worker held.

The database, not Redis, is the truth. Every `sweep_interval` (on the watcher's loop, or
`dropwire sweep` alone):

1. claims of worker nodes that stopped heart-beating are released and their messages put
   back (`workers.recovery.release_orphans`), and messages delivered before a Redis restart
   (held by connections that died with it) go back to their queue;
2. lost messages: when the ledger holds more rows in flight for a queue than Redis holds
   messages for it (waiting + unacknowledged) twice in a row, the queue is read and the rows
   whose message is nowhere are sent again (a SIGKILL between BRPOP and the unacked record,
   celery#7950; a Redis restart that lost its last second of AOF);
3. the last resort: rows untouched for `stuck_after` are sent again while their queue is idle.

`claim` counts every delivery, so a poison file still ends `failed` after `max_attempts`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from db import ledger, nodes
from db.models import State
from db.session import transaction
from workers.broker import Broker
from workers.clock import utcnow
from workers.queues import INGEST_QUEUE, NLP_QUEUE, QUEUES
from workers.recovery import Liveness, count_open, queue_for, release_orphans
from workers.settings import Settings

log = logging.getLogger(__name__)

LOST_AFTER_S = 30.0  # a row in flight this long with its message nowhere is lost
CLOCK_MARGIN_S = 1.0  # delivery times are the consumer's clock, the start time the server's
Send = Callable[[str, int], None]  # (queue, ledger id)
QueueDepth = Callable[[str], int]


class Sweeper:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], broker: Broker):
        self.settings = settings
        self.sessions = sessions
        self.broker = broker
        # Two sweeps missed in a row means we were blind: judge every node afresh.
        self.liveness = Liveness(settings.node_timeout, max_gap=2 * settings.sweep_interval + 5)
        self._suspect: set[str] = set()  # queues short of messages at the last sweep

    def __call__(self) -> int:
        with transaction(self.sessions) as s:
            beats = nodes.all_nodes(s)
        live = self.liveness.live(beats, time.monotonic())
        orphans = release_orphans(self.sessions, self.broker, live)
        restarted = self.restore_after_redis_restart() + self.restore_unheld(live)
        lost = self.send_lost(live)
        stuck = sweep_once(
            self.sessions,
            self.broker.send,
            self.broker.depth,
            self.settings.stuck_after,
            time_limit=self.settings.task_time_limit,
        )
        return orphans.restored + orphans.sent + restarted + lost + stuck

    def restore_after_redis_restart(self) -> int:
        """Messages delivered before the Redis server (re)started: the connection that took
        them died with the old server, and the tasks it ran were cancelled on connection loss
        (`worker_cancel_long_running_tasks_on_connection_loss`). Nobody holds them."""
        tags = self.broker.unacked_before(self.broker.server_started_at() - CLOCK_MARGIN_S)
        self.broker.restore(tags)
        if tags:
            log.warning("Redis restarted: %d unacknowledged message(s) put back", len(tags))
        return len(tags)

    def restore_unheld(self, live: set[str]) -> int:
        """Messages delivered long ago whose row no live node holds: a node took them and
        died before (or after) running them. Long ago means past any retry wait a live worker
        may keep a message for, plus a missed heartbeat's worth."""
        patience = self.settings.retry_backoff_max + self.settings.node_timeout + 30
        old = set(self.broker.unacked_before(time.time() - patience))
        if not old:
            return 0
        entries = [u for u in self.broker.unacked_messages() if u.tag in old]
        with transaction(self.sessions) as s:
            held = {r.id for r in ledger.open_rows(s) if r.claimed_by in live}
        tags = [u.tag for u in entries if u.ledger_id not in held]
        self.broker.restore(tags)
        if tags:
            log.warning("%d message(s) held by no live worker: put back", len(tags))
        return len(tags)

    def send_lost(self, live: set[str]) -> int:
        """Rows in flight whose message is in no queue and held by no one: send them again."""
        now = utcnow()
        with transaction(self.sessions) as s:
            rows = ledger.open_rows(s)
        unacked = self.broker.unacked_messages()
        held = {q: sum(1 for u in unacked if u.queue == q) for q in QUEUES}
        wanted = count_open(rows)
        short = {q for q in QUEUES if wanted[q] > self.broker.depth(q) + held[q]}
        confirmed, self._suspect = short & self._suspect, short
        if not confirmed:
            return 0
        present = {u.ledger_id for u in unacked}
        for queue in confirmed:
            present |= self.broker.waiting_ids(queue)
        # A row just recorded may not be in Redis yet (its sender is still publishing): only
        # rows quiet for a while count as lost, or rows sent before this Redis server started
        # (whatever was sent to the one before is here by now, from its AOF, or gone).
        quiet = now - timedelta(seconds=LOST_AFTER_S)
        redis_up = datetime.fromtimestamp(self.broker.server_started_at(), UTC)
        lost = [
            r
            for r in rows
            if queue_for(r.state) in confirmed
            and r.id not in present
            and (r.updated_at < quiet or r.updated_at < redis_up)
            # A live node's claim made before Redis restarted is not running any more either.
            and (r.claimed_by not in live or (r.started_at or now) < redis_up)
        ]
        for row in lost:
            self.broker.send(queue_for(row.state), row.id)
        with transaction(self.sessions) as s:
            ledger.touch(s, [r.id for r in lost], utcnow())
        if lost:
            log.warning("%d file(s) whose message Redis lost: sent again", len(lost))
        return len(lost)


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
            queue = queue_for(state)
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
    return Sweeper(settings, sessions, broker)
