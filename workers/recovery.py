"""Getting work back after a crash, decided from what the database holds.

Redis imitates acknowledgements: a message a worker took sits in `unacked` until that worker
acks it, and kombu puts it back only after the visibility timeout (600 s by default). The
ledger knows better: which node claimed which row (`ledger.claimed_by`) and whether that node
still heart-beats (`db.nodes`). So:

- `recover_at_start`: `dropwire up` starting when no node of the cluster is alive (or after
  taking over an orphaned embedded Redis) puts every unacknowledged message back at once and
  sends again every row in flight whose message is nowhere; rows held by a live node on
  another host are left to it.
- `release_orphans`: while running, the claims of a node that missed its beats are released
  and their messages restored (or sent again): seconds, not the visibility timeout.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from db import ledger, nodes
from db.models import State
from db.session import transaction
from workers.broker import Broker
from workers.clock import utcnow
from workers.queues import INGEST_QUEUE, NLP_QUEUE, QUEUES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recovered:
    restored: int = 0  # unacknowledged messages put back on their queue
    sent: int = 0  # rows whose message was nowhere: sent again
    released: int = 0  # claims of nodes that are gone

    def __bool__(self) -> bool:
        return bool(self.restored or self.sent or self.released)


def queue_for(state: str) -> str:
    return NLP_QUEUE if state == State.NLP else INGEST_QUEUE


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_nodes(
    session: Session, now: datetime, timeout: float, *, this_host_is_gone: bool = False
) -> set[str]:
    """Nodes that beat within `timeout` and have not stopped. On this host a node whose
    process is gone is dead at once, whatever its last beat; with `this_host_is_gone` (a
    takeover) every node of this host is."""
    host = socket.gethostname()
    live = set()
    for node in nodes.all_nodes(session):
        if node.stopped or nodes.silent_for(node, now) > timedelta(seconds=timeout):
            continue
        if node.host == host and (this_host_is_gone or not _pid_alive(node.pid)):
            continue
        live.add(node.name)
    return live


class Liveness:
    """Which nodes are alive, judged on this process's own clock: a node is gone once the beat
    it recorded has not changed for `timeout` seconds of our watching (so clocks of other
    hosts do not matter), or at once when it stopped or, on this host, its process is gone.

    Watching counts only while it works: after a gap (the database was away, so nobody's
    beat could be written) every node gets a full `timeout` again before it is judged."""

    def __init__(self, timeout: float, max_gap: float) -> None:
        self.timeout = timeout
        self.max_gap = max_gap
        self._seen: dict[str, tuple[datetime, float]] = {}  # name → (beat, when it changed)
        self._last: float | None = None

    def live(self, beats: Iterable[nodes.NodeBeat], now: float) -> set[str]:
        if self._last is None or now - self._last > self.max_gap:
            self._seen.clear()
        self._last = now
        host = socket.gethostname()
        live = set()
        for node in beats:
            if node.stopped or (node.host == host and not _pid_alive(node.pid)):
                continue
            seen = self._seen.get(node.name)
            if seen is None or seen[0] != node.beat_at:
                self._seen[node.name] = seen = (node.beat_at, now)
            if now - seen[1] <= self.timeout:
                live.add(node.name)
        return live


def release_orphans(sessions: sessionmaker[Session], broker: Broker, live: set[str]) -> Recovered:
    """Claims of nodes not in `live`: put their messages back, or send anew."""
    now = utcnow()
    with transaction(sessions) as s:
        released = ledger.release(s, ledger.claimed_by_others(s, live), now)
        states = {r.id: r.state for r in ledger.open_rows(s) if r.id in set(released)}
    if not released:
        return Recovered()
    restored, sent = _restore_or_send(sessions, broker, states)
    log.warning(
        "%d file(s) held by worker nodes that stopped heart-beating: %d restored, %d sent again",
        len(released),
        restored,
        sent,
    )
    return Recovered(restored, sent, len(released))


def recover_at_start(
    sessions: sessionmaker[Session], broker: Broker, node_timeout: float, *, took_over: bool
) -> Recovered:
    """Before `up` starts its workers: if nothing alive can hold a message, put back what
    no one holds and send what is nowhere; otherwise only release the dead nodes' claims."""
    now = utcnow()
    with transaction(sessions) as s:
        live = live_nodes(s, now, node_timeout, this_host_is_gone=took_over)
    if live and not took_over:
        return release_orphans(sessions, broker, live)
    with transaction(sessions) as s:
        released = ledger.release(s, ledger.claimed_by_others(s, live), now)
        held = {r.id for r in ledger.open_rows(s) if r.claimed_by in live}
        open_rows = {r.id: r.state for r in ledger.open_rows(s) if r.id not in held}
    unacked = [u for u in broker.unacked_messages() if u.ledger_id not in held]
    broker.restore([u.tag for u in unacked])
    present: set[int] = set()
    for queue in QUEUES:
        present |= broker.waiting_ids(queue)
    missing = {i: st for i, st in open_rows.items() if i not in present}
    _send(sessions, broker, missing)
    found = Recovered(len(unacked), len(missing), len(released))
    if found:
        log.warning("recovered after a stop: %s", found)
    return found


def _restore_or_send(
    sessions: sessionmaker[Session], broker: Broker, states: dict[int, str]
) -> tuple[int, int]:
    """Restore the unacked messages of these rows; send a new one for the rest."""
    tags = {u.ledger_id: u.tag for u in broker.unacked_messages() if u.ledger_id in states}
    broker.restore(list(tags.values()))
    rest = {i: st for i, st in states.items() if i not in tags}
    _send(sessions, broker, rest)
    with transaction(sessions) as s:
        ledger.touch(s, tags, utcnow())
    return len(tags), len(rest)


def _send(sessions: sessionmaker[Session], broker: Broker, rows: dict[int, str]) -> None:
    by_queue: dict[str, list[int]] = {}
    for ledger_id, state in sorted(rows.items()):
        by_queue.setdefault(queue_for(state), []).append(ledger_id)
    for queue, ids in by_queue.items():
        broker.send_many(queue, ids)
    with transaction(sessions) as s:
        ledger.touch(s, rows, utcnow())


def count_open(rows: Iterable[ledger.OpenRow]) -> dict[str, int]:
    counts = dict.fromkeys(QUEUES, 0)
    for row in rows:
        counts[queue_for(row.state)] += 1
    return counts
