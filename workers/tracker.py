"""Live Celery workers for the status snapshot, from `inspect` broadcasts.

A broadcast waits its whole timeout for replies, so the tracker caches the answers: the
monitor refreshes one tracker from a background thread and every request reads the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from celery import Celery

from workers.snapshot import LostWorker, QueueStats, WorkerView

# A message that waited this long while a worker had a free slot was not taken: prefetch is 1,
# so a healthy worker takes the next message as soon as a slot frees.
STALL_GRACE_S = 15.0
CONSUMING_WINDOW_S = 60.0
LOST_HORIZON_S = 3600.0  # forget workers lost longer ago than this
# `inspect` calls, and the names their replies are kept under.
_QUESTIONS = {"stats": "stats", "queues": "active_queues", "active": "active"}


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the last broadcast said about one worker; its ages and state are filled in by
    `view`, against the queues of the moment."""

    reply: WorkerView
    last_heartbeat: float  # wall clock of its last reply
    progress_at: float | None  # wall clock when `processed` last moved (None: not yet seen)


def _when(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class WorkerTracker:
    """Live Celery workers, asked with `refresh()`, read with `view()`.

    Remembers when each worker's processed count last moved: together with its active tasks
    and the depth of its queues that tells a consuming worker from one that answers but
    takes nothing. A worker that stops answering moves to `lost` with its last heartbeat.
    """

    def __init__(self, app: Celery, *, timeout: float = 1.0) -> None:
        self.app = app
        self.timeout = timeout
        self._workers: dict[str, _Seen] = {}
        self._lost: dict[str, float] = {}
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()

    def refresh(self) -> None:
        if not self._refreshing.acquire(blocking=False):
            return  # another thread is asking already; its answer will do
        try:
            replies = self._ask()
            with self._lock:
                self._merge(replies, time.time())
        finally:
            self._refreshing.release()

    def _ask(self) -> dict[str, dict[str, Any]] | None:
        try:
            # Each broadcast waits its full timeout: ask the three questions at once.
            with ThreadPoolExecutor(max_workers=3) as pool:
                futures = {k: pool.submit(self._broadcast, q) for k, q in _QUESTIONS.items()}
                return {k: f.result() or {} for k, f in futures.items()}
        except Exception:
            return None  # broker away: keep what we knew, it ages visibly

    def _broadcast(self, question: str) -> dict[str, Any] | None:
        # A connection of its own, closed after: a pooled one would keep the reply queue's
        # BRPOP in flight, and kombu's after-fork cleanup of the pool then blocks a forked
        # child reading the parent's socket. (Connections are not thread-safe either.)
        with self.app.connection_for_write() as conn:
            inspector = self.app.control.inspect(timeout=self.timeout, connection=conn)
            reply: dict[str, Any] | None = getattr(inspector, question)()
            return reply

    def _merge(self, replies: dict[str, dict[str, Any]] | None, now: float) -> None:
        if replies is None:
            return
        stats, queues, active = replies["stats"], replies["queues"], replies["active"]
        names = set(stats) | set(queues)
        for name in set(self._workers) - names:
            self._lost[name] = self._workers.pop(name).last_heartbeat
        for name in names:
            self._lost.pop(name, None)
            info = stats.get(name, {})
            processed = sum(int(v) for v in (info.get("total") or {}).values())
            prev = self._workers.get(name)
            moved = prev is not None and processed != prev.reply.processed
            reply = WorkerView(
                name=name,
                queues=tuple(sorted(q["name"] for q in queues.get(name, []))),
                active=len(active.get(name, [])),
                concurrency=(info.get("pool") or {}).get("max-concurrency"),
                pid=info.get("pid"),
                processed=processed,
                last_heartbeat=_when(now),
                heartbeat_age_seconds=0.0,
                last_progress_age_seconds=None,
                state="idle",
                consuming=True,
            )
            progress_at = now if moved else (prev.progress_at if prev else None)
            self._workers[name] = _Seen(reply, now, progress_at)
        horizon = now - LOST_HORIZON_S
        self._lost = {n: t for n, t in self._lost.items() if t >= horizon}

    def view(
        self, queues: Mapping[str, QueueStats]
    ) -> tuple[tuple[WorkerView, ...], tuple[LostWorker, ...]]:
        """The live workers (with their state against these queues) and the lost ones."""
        now = time.time()
        with self._lock:
            seen = sorted(self._workers.values(), key=lambda w: w.reply.name)
            lost = sorted(self._lost.items())
        workers = tuple(_describe(w, queues, now) for w in seen)
        gone = tuple(LostWorker(n, _when(t), round(now - t, 1)) for n, t in lost)
        return workers, gone


def _state(w: _Seen, queues: Mapping[str, QueueStats], now: float) -> str:
    mine = [q for name in w.reply.queues if (q := queues.get(name))]
    waiting = sum(q.depth or 0 for q in mine)
    oldest = max((q.oldest_age_seconds or 0.0 for q in mine), default=0.0)
    moved_recently = w.progress_at is not None and now - w.progress_at <= CONSUMING_WINDOW_S
    if w.reply.active > 0:
        return "busy"
    if waiting == 0:
        return "idle"  # nothing to take is not a fault
    if moved_recently or oldest < STALL_GRACE_S:
        return "busy"
    return "stalled"  # messages wait, a slot is free, and it takes nothing


def _describe(w: _Seen, queues: Mapping[str, QueueStats], now: float) -> WorkerView:
    state = _state(w, queues, now)
    return replace(
        w.reply,
        heartbeat_age_seconds=round(now - w.last_heartbeat, 1),
        last_progress_age_seconds=None if w.progress_at is None else round(now - w.progress_at, 1),
        state=state,
        consuming=state != "stalled",
    )
