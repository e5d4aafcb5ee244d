"""One snapshot of the service for every face: `status`, `/api/status` and `/metrics`.

`collect` reads the broker and the database directly (cheap). Workers are asked through a
Celery broadcast, which waits its whole timeout for replies, so a `WorkerTracker` caches
their answers; the monitor keeps one tracker fresh from a background thread.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from db import queries
from db.models import State
from db.session import transaction
from workers.broker import Broker
from workers.clock import utcnow
from workers.files import Folders, relative_key
from workers.queues import INGEST_QUEUE, NLP_QUEUE, QUEUES
from workers.settings import Settings

QUIET_AFTER_S = 300.0
# A message that waited this long while a worker had a free slot was not taken: prefetch is 1,
# so a healthy worker takes the next message as soon as a slot frees.
STALL_GRACE_S = 15.0
CONSUMING_WINDOW_S = 60.0
INBOX_SCAN_LIMIT = 50_000  # files; beyond this the unsent count is a lower bound
RECENT_ARTICLES = 10
RECENT_FAILURES = 20


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 3)


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()


# --------------------------------------------------------------------------- database


def database_view(sessions: sessionmaker[Session]) -> dict[str, Any]:
    now = utcnow()
    with transaction(sessions) as s:
        states = queries.state_counts(s)
        duplicates = queries.duplicate_count(s)
        throughput = {
            f"{m}m": round(queries.finished_since(s, now - timedelta(minutes=m)) / m, 2)
            for m in (1, 5, 15)
        }
        latencies = queries.recent_latencies(s)
        nlp = queries.recent_nlp_seconds(s)
        seen = queries.files_seen(s)
        last_stored = queries.last_stored_at(s)
        recent = queries.recent_articles(s, RECENT_ARTICLES)
        failures = queries.recent_failures(s, RECENT_FAILURES)
    in_flight = sum(states.get(k, 0) for k in State.IN_FLIGHT)
    return {
        "articles": {
            "done": states.get(State.DONE, 0),
            "failed": states.get(State.FAILED, 0),
            "duplicates": duplicates,
            "queued": in_flight + states.get(State.PENDING, 0),
            "pending": states.get(State.PENDING, 0),
            "processing": states.get(State.PROCESSING, 0) + states.get(State.NLP, 0),
        },
        "ledger_states": states,
        "files": {"seen": seen, "pending": states.get(State.PENDING, 0), "in_flight": in_flight},
        "throughput_per_min": throughput["1m"],
        "throughput": throughput,
        "latency_seconds": {"p50": _percentile(latencies, 50), "p95": _percentile(latencies, 95)},
        "nlp_seconds": {
            "avg": round(statistics.fmean(nlp), 3) if nlp else None,
            "p95": _percentile(nlp, 95),
            "samples": len(nlp),
        },
        "last_stored_at": last_stored.isoformat() if last_stored else None,
        "recent_articles": recent,
        "recent_failures": failures,
    }


# --------------------------------------------------------------------------- inbox


@dataclass(frozen=True, slots=True)
class InboxBacklog:
    unsent: int  # files in the inbox the ledger has never recorded
    oldest_mtime: float | None
    truncated: bool


def inbox_backlog(
    settings: Settings, sessions: sessionmaker[Session], unfinished: set[str]
) -> InboxBacklog:
    """Count files waiting in the inbox that the watcher has not recorded yet.

    One directory walk plus a lookup of only the paths that are not already known to be in
    flight, so a large backlog of queued files costs one set membership each.
    """
    inbox = settings.inbox.resolve()
    mtimes: dict[str, float] = {}
    truncated = False
    for path in Folders.from_settings(settings).walk():
        if len(mtimes) >= INBOX_SCAN_LIMIT:
            truncated = True
            break
        try:
            mtimes[relative_key(inbox, path)] = path.stat().st_mtime
        except (OSError, ValueError):
            continue
    candidates = [p for p in mtimes if p not in unfinished]
    known: set[str] = set()
    if candidates:
        with transaction(sessions) as s:
            known = queries.known_paths(s, candidates)
    unsent = [mtimes[p] for p in candidates if p not in known]
    return InboxBacklog(len(unsent), min(unsent) if unsent else None, truncated)


def quiet_view(
    backlog: InboxBacklog | None,
    db: dict[str, Any],
    oldest_seen: datetime | None,
    quiet_after: float,
) -> dict[str, Any]:
    """`gone_quiet`: work is waiting and nothing was stored for `quiet_after` seconds.

    The clock starts at the later of the last store and the arrival of the oldest waiting
    work, so a file dropped after an idle night does not raise the flag at once.
    """
    starts = [t.timestamp() for t in (oldest_seen,) if t is not None]
    if backlog is not None and backlog.oldest_mtime is not None:
        starts.append(backlog.oldest_mtime)
    unsent = backlog.unsent if backlog else 0
    waiting = db["files"]["pending"] + db["files"]["in_flight"] + unsent
    last = db["last_stored_at"]
    since = max([datetime.fromisoformat(last).timestamp()] if last else [], default=None)
    if starts:
        since = max(since or 0.0, min(starts))
    quiet_for = None if since is None else round(max(0.0, time.time() - since), 1)
    return {
        "gone_quiet": bool(waiting and quiet_for is not None and quiet_for >= quiet_after),
        "quiet_for_seconds": quiet_for if waiting else 0.0,
        "quiet_after_seconds": quiet_after,
    }


# --------------------------------------------------------------------------- broker


def broker_view(broker: Broker) -> dict[str, Any]:
    if not broker.ping():
        return {"broker_up": False, "queues": {q: {"depth": None} for q in QUEUES}}
    unacked = broker.unacked()
    names = list(QUEUES) + sorted(q for q in unacked if q not in QUEUES and q != "unknown")
    return {
        "broker_up": True,
        "queues": {
            q: {
                "depth": broker.depth(q),
                "unacked": unacked.get(q, 0),
                "oldest_age_seconds": _round(broker.oldest_age(q)),
            }
            for q in names
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --------------------------------------------------------------------------- workers


@dataclass
class _Worker:
    name: str
    queues: list[str]
    active: int
    concurrency: int | None
    pid: int | None
    processed: int
    last_heartbeat: float  # wall clock of its last reply
    progress_at: float | None  # wall clock when `processed` last moved (None: not yet seen)


class WorkerTracker:
    """Live Celery workers, from `inspect` broadcasts, cached for `ttl` seconds.

    Remembers when each worker's processed count last moved: together with its active tasks
    and the depth of its queues that tells a consuming worker from one that answers but
    takes nothing. A worker that stops answering moves to `lost` with its last heartbeat.
    """

    def __init__(self, app: Celery, *, timeout: float = 1.0, ttl: float = 5.0) -> None:
        self.app = app
        self.timeout = timeout
        self.ttl = ttl
        self._workers: dict[str, _Worker] = {}
        self._lost: dict[str, float] = {}
        self._refreshed: float | None = None
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()

    def refresh(self) -> None:
        if not self._refreshing.acquire(blocking=False):
            return  # another thread is asking already; its answer will do
        try:
            replies = self._ask()
            now = time.time()
            with self._lock:
                self._merge(replies, now)
                self._refreshed = time.monotonic()
        finally:
            self._refreshing.release()

    def _ask(self) -> dict[str, dict[str, Any]] | None:
        inspector = self.app.control.inspect(timeout=self.timeout)
        calls = {
            "stats": inspector.stats,
            "queues": inspector.active_queues,
            "active": inspector.active,
        }
        try:
            # Each broadcast waits its full timeout: ask the three questions at once.
            with ThreadPoolExecutor(max_workers=3) as pool:
                futures = {k: pool.submit(f) for k, f in calls.items()}
                return {k: f.result() or {} for k, f in futures.items()}
        except Exception:
            return None  # broker away: keep what we knew, it ages visibly

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
            moved = prev is not None and processed != prev.processed
            self._workers[name] = _Worker(
                name=name,
                queues=sorted(q["name"] for q in queues.get(name, [])),
                active=len(active.get(name, [])),
                concurrency=(info.get("pool") or {}).get("max-concurrency"),
                pid=info.get("pid"),
                processed=processed,
                last_heartbeat=now,
                progress_at=now if moved else (prev.progress_at if prev else None),
            )
        horizon = now - 3600  # forget workers lost more than an hour ago
        self._lost = {n: t for n, t in self._lost.items() if t >= horizon}

    def view(self, queues: dict[str, Any], *, refresh_if_stale: bool = True) -> dict[str, Any]:
        stale = self._refreshed is None or time.monotonic() - self._refreshed > self.ttl
        if refresh_if_stale and stale:
            self.refresh()
        now = time.time()
        with self._lock:
            workers = [_describe(w, queues, now) for w in sorted(self._workers.values(), key=_name)]
            lost = [
                {"name": n, "last_heartbeat": _iso(t), "heartbeat_age_seconds": round(now - t, 1)}
                for n, t in sorted(self._lost.items())
            ]
        return {"workers": workers, "workers_lost": lost}


def _name(w: _Worker) -> str:
    return w.name


def _describe(w: _Worker, queues: dict[str, Any], now: float) -> dict[str, Any]:
    waiting = sum(int(queues.get(q, {}).get("depth") or 0) for q in w.queues)
    oldest = max(
        (float(queues.get(q, {}).get("oldest_age_seconds") or 0.0) for q in w.queues), default=0.0
    )
    moved_recently = w.progress_at is not None and now - w.progress_at <= CONSUMING_WINDOW_S
    if w.active > 0:
        state = "busy"
    elif waiting == 0:
        state = "idle"  # nothing to take is not a fault
    elif moved_recently or oldest < STALL_GRACE_S:
        state = "busy"
    else:
        state = "stalled"  # messages wait, a slot is free, and it takes nothing
    return {
        "name": w.name,
        "queues": w.queues,
        "active": w.active,
        "concurrency": w.concurrency,
        "pid": w.pid,
        "processed": w.processed,
        "last_heartbeat": _iso(w.last_heartbeat),
        "heartbeat_age_seconds": round(now - w.last_heartbeat, 1),
        "last_progress_age_seconds": None
        if w.progress_at is None
        else round(now - w.progress_at, 1),
        "state": state,
        "consuming": state != "stalled",
    }


def workers_view(app: Celery, timeout: float = 1.0) -> list[dict[str, Any]]:
    """One-shot list of live workers (kept for callers that want only this)."""
    workers: list[dict[str, Any]] = WorkerTracker(app, timeout=timeout).view({})["workers"]
    return workers


# --------------------------------------------------------------------------- snapshot

# Ledger states whose next step is a message on this queue.
_STAGE_STATES = {INGEST_QUEUE: (State.QUEUED, State.PROCESSING), NLP_QUEUE: (State.NLP,)}


def _flag_queues(snapshot: dict[str, Any]) -> None:
    """Per queue: live workers, ledger rows waiting on it, and whether anything consumes it.

    The ledger count matters because a depth of 0 can hide work: a worker whose process is
    frozen still holds the blocking pop it issued, so Redis hands it the next message, which
    leaves the list and sits unread in that worker's socket (neither waiting nor unacked).
    """
    states = snapshot["ledger_states"]
    for name, q in snapshot["queues"].items():
        takers = [w for w in snapshot["workers"] if name in w["queues"]]
        in_ledger = sum(states.get(st, 0) for st in _STAGE_STATES.get(name, ()))
        q["workers"] = len(takers)
        q["ledger_in_flight"] = in_ledger
        waiting = bool(q.get("depth")) or in_ledger > 0
        q["consuming"] = not waiting or any(w["consuming"] for w in takers)


def collect(
    sessions: sessionmaker[Session],
    broker: Broker,
    app: Celery,
    *,
    quiet_after: float = QUIET_AFTER_S,
    tracker: WorkerTracker | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The snapshot. With a long-lived `tracker` (the monitor) worker info comes from its
    cache; without one the workers are asked now (about one second)."""
    snapshot: dict[str, Any] = {"generated_at": utcnow().isoformat()}
    snapshot.update(broker_view(broker))
    if snapshot["broker_up"]:
        own = tracker or WorkerTracker(app)
        snapshot.update(own.view(snapshot["queues"], refresh_if_stale=tracker is None))
    else:
        snapshot.update({"workers": [], "workers_lost": []})
    db = database_view(sessions)
    snapshot.update(db)
    _flag_queues(snapshot)
    settings = settings or getattr(app, "dropwire_settings", None)
    with transaction(sessions) as s:
        unfinished, oldest_seen = queries.unfinished_paths(s)
    backlog = inbox_backlog(settings, sessions, unfinished) if settings is not None else None
    files = snapshot["files"]
    files["unsent_in_inbox"] = backlog.unsent if backlog else None
    files["inbox_backlog"] = files["pending"] + (backlog.unsent if backlog else 0)
    files["inbox_scan_truncated"] = bool(backlog and backlog.truncated)
    snapshot.update(quiet_view(backlog, db, oldest_seen, quiet_after))
    return snapshot
