"""Worker nodes and their heartbeats: the facts recovery decides from.

Each Celery worker node writes its heartbeat here every few seconds from its main process
(workers.heartbeat). A row a node claimed is held as long as that node beats; once it has
missed a few beats, or stopped, the row is sent again (workers.recovery). Functions take a
session and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import Node
from db.sqlutil import aware, insert_or_skip


@dataclass(frozen=True, slots=True)
class NodeBeat:
    name: str
    host: str
    pid: int
    queues: str
    beat_at: datetime
    stopped: bool


def beat(
    session: Session, name: str, host: str, pid: int, queues: Sequence[str], now: datetime
) -> None:
    """Record that `name` is alive now (inserting it on its first beat)."""
    values = {"host": host, "pid": pid, "queues": ",".join(queues)[:255], "beat_at": now}
    updated = session.execute(
        update(Node).where(Node.name == name).values(stopped_at=None, **values)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert_or_skip(session, Node).values(name=name, started_at=now, **values))


def stop(session: Session, name: str, now: datetime) -> None:
    """A node that shut down cleanly holds nothing from now on."""
    session.execute(update(Node).where(Node.name == name).values(stopped_at=now, beat_at=now))


def all_nodes(session: Session) -> list[NodeBeat]:
    rows = session.execute(
        select(Node.name, Node.host, Node.pid, Node.queues, Node.beat_at, Node.stopped_at)
    )
    return [
        NodeBeat(name, host, pid, queues, aware(beat_at), stopped is not None)
        for name, host, pid, queues, beat_at, stopped in rows
    ]


def forget_older_than(session: Session, cutoff: datetime) -> None:
    """Nodes silent for long (a day) are history: keep the table small."""
    session.execute(delete(Node).where(Node.beat_at < cutoff))


def silent_for(node: NodeBeat, now: datetime) -> timedelta:
    return now - node.beat_at
