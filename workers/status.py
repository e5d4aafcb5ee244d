"""One snapshot of the service for every face: `status`, `/api/status` and `/metrics`.

`collect` reads the broker and the database directly (cheap). Workers come from a
`WorkerTracker`'s cache: the caller decides when it asks them (about one second).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from db import queries
from db.models import State
from db.session import transaction
from pipelines.display import title_and_flag
from workers.broker import Broker
from workers.clock import utcnow
from workers.files import Folders, relative_key
from workers.queues import INGEST_QUEUE, NLP_QUEUE, QUEUES
from workers.settings import Settings
from workers.snapshot import (
    TEXT_LIMIT,
    ArticleCounts,
    ArticleRow,
    FailureRow,
    FileCounts,
    Latency,
    LostWorker,
    NlpTime,
    QueueStats,
    QueueView,
    Quiet,
    Snapshot,
    Throughput,
    WorkerView,
)
from workers.tracker import WorkerTracker

INBOX_SCAN_LIMIT = 50_000  # files; beyond this the unsent count is a lower bound
RECENT_ARTICLES = 10
RECENT_FAILURES = 20


def _percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 3)


# --------------------------------------------------------------------------- database


@dataclass(frozen=True, slots=True)
class DatabaseView:
    states: Mapping[str, int]
    articles: ArticleCounts
    seen: int
    throughput: Throughput
    latency: Latency
    nlp: NlpTime
    last_stored_at: datetime | None
    recent_articles: tuple[ArticleRow, ...]
    recent_failures: tuple[FailureRow, ...]
    unfinished: frozenset[str]  # source paths of rows not finished yet
    oldest_unfinished: datetime | None

    @property
    def in_flight(self) -> int:
        return sum(self.states.get(k, 0) for k in State.IN_FLIGHT)

    @property
    def pending(self) -> int:
        return self.states.get(State.PENDING, 0)


def database_view(sessions: sessionmaker[Session]) -> DatabaseView:
    now = utcnow()
    with transaction(sessions) as s:
        states = queries.state_counts(s)
        rates = [queries.finished_since(s, now - timedelta(minutes=m)) / m for m in (1, 5, 15)]
        latencies = queries.recent_latencies(s)
        nlp = queries.recent_nlp_seconds(s)
        unfinished, oldest = queries.unfinished_paths(s)
        view = DatabaseView(
            states=states,
            articles=_article_counts(states, queries.duplicate_count(s)),
            seen=queries.files_seen(s),
            throughput=Throughput(*(round(r, 2) for r in rates)),
            latency=Latency(_percentile(latencies, 50), _percentile(latencies, 95)),
            nlp=NlpTime(
                avg=round(statistics.fmean(nlp), 3) if nlp else None,
                p95=_percentile(nlp, 95),
                samples=len(nlp),
            ),
            last_stored_at=queries.last_stored_at(s),
            recent_articles=tuple(
                queries.recent_articles(
                    s, RECENT_ARTICLES, max_chars=TEXT_LIMIT, titler=title_and_flag
                )
            ),
            recent_failures=tuple(
                queries.failed_rows(s, newest=RECENT_FAILURES, max_chars=TEXT_LIMIT)
            ),
            unfinished=frozenset(unfinished),
            oldest_unfinished=oldest,
        )
    return view


def _article_counts(states: Mapping[str, int], duplicates: int) -> ArticleCounts:
    in_flight = sum(states.get(k, 0) for k in State.IN_FLIGHT)
    pending = states.get(State.PENDING, 0)
    return ArticleCounts(
        done=states.get(State.DONE, 0),
        failed=states.get(State.FAILED, 0),
        duplicates=duplicates,
        queued=in_flight + pending,
        pending=pending,
        processing=states.get(State.PROCESSING, 0) + states.get(State.NLP, 0),
    )


# --------------------------------------------------------------------------- inbox


@dataclass(frozen=True, slots=True)
class InboxBacklog:
    unsent: int  # files in the inbox the ledger has never recorded
    oldest_mtime: float | None
    truncated: bool


def inbox_backlog(
    settings: Settings, sessions: sessionmaker[Session], unfinished: frozenset[str]
) -> InboxBacklog:
    """Count files waiting in the inbox that the watcher has not recorded yet.

    One directory walk plus a lookup of only the paths that are not already known to be in
    flight, so a large backlog of queued files costs one set membership each. Keys are the
    ledger's own (`relative_key`): a name that is not UTF-8 is looked up as its `\\xNN` text,
    never as the lone surrogates a database refuses.
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
    backlog: InboxBacklog,
    waiting_in_ledger: int,
    last_stored_at: datetime | None,
    oldest_seen: datetime | None,
    quiet_after: float,
) -> Quiet:
    """`gone_quiet`: work is waiting and nothing was stored for `quiet_after` seconds.

    The clock starts at the later of the last store and the arrival of the oldest waiting
    work, so a file dropped after an idle night does not raise the flag at once.
    """
    starts = [oldest_seen.timestamp()] if oldest_seen is not None else []
    if backlog.oldest_mtime is not None:
        starts.append(backlog.oldest_mtime)
    waiting = waiting_in_ledger + backlog.unsent
    since = last_stored_at.timestamp() if last_stored_at else None
    if starts:
        since = max(since or 0.0, min(starts))
    quiet_for = None if since is None else round(max(0.0, time.time() - since), 1)
    return Quiet(
        gone_quiet=bool(waiting and quiet_for is not None and quiet_for >= quiet_after),
        quiet_for_seconds=quiet_for if waiting else 0.0,
        quiet_after_seconds=quiet_after,
    )


def _files(db: DatabaseView, backlog: InboxBacklog) -> FileCounts:
    return FileCounts(
        seen=db.seen,
        pending=db.pending,
        in_flight=db.in_flight,
        unsent_in_inbox=backlog.unsent,
        inbox_backlog=db.pending + backlog.unsent,
        inbox_scan_truncated=backlog.truncated,
    )


# --------------------------------------------------------------------------- broker


def broker_view(broker: Broker) -> dict[str, QueueStats] | None:
    """Per queue what Redis holds; None when Redis does not answer.

    Reads only `broker.client` (a redis-py client, safe to share between threads)."""
    if not broker.ping():
        return None
    unacked = broker.unacked()
    names = list(QUEUES) + sorted(q for q in unacked if q not in QUEUES and q != "unknown")
    return {
        q: QueueStats(
            depth=broker.depth(q),
            unacked=unacked.get(q, 0),
            oldest_age_seconds=_round(broker.oldest_age(q)),
        )
        for q in names
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# Ledger states whose next step is a message on this queue.
_STAGE_STATES = {INGEST_QUEUE: (State.QUEUED, State.PROCESSING), NLP_QUEUE: (State.NLP,)}


def _queue_views(
    stats: Mapping[str, QueueStats], workers: tuple[WorkerView, ...], states: Mapping[str, int]
) -> tuple[QueueView, ...]:
    """Per queue: live workers, ledger rows waiting on it, and whether anything consumes it.

    The ledger count matters because a depth of 0 can hide work: a worker whose process is
    frozen still holds the blocking pop it issued, so Redis hands it the next message, which
    leaves the list and sits unread in that worker's socket (neither waiting nor unacked).
    """
    views = []
    for name, q in stats.items():
        takers = [w for w in workers if name in w.queues]
        in_ledger = sum(states.get(st, 0) for st in _STAGE_STATES.get(name, ()))
        waiting = bool(q.depth) or in_ledger > 0
        consuming = not waiting or any(w.consuming for w in takers)
        views.append(QueueView(name, q, len(takers), in_ledger, consuming))
    return tuple(views)


# --------------------------------------------------------------------------- snapshot

_BROKER_DOWN = QueueStats(depth=None, unacked=None, oldest_age_seconds=None)


def collect(
    settings: Settings,
    sessions: sessionmaker[Session],
    broker: Broker,
    tracker: WorkerTracker,
    *,
    refresh_workers: bool = False,
) -> Snapshot:
    """The snapshot. Workers come from `tracker`'s cache; `refresh_workers` asks them first
    (about a second; only when Redis answers)."""
    stats = broker_view(broker)
    workers: tuple[WorkerView, ...] = ()
    lost: tuple[LostWorker, ...] = ()
    if stats is not None:
        if refresh_workers:
            tracker.refresh()
        workers, lost = tracker.view(stats)
    db = database_view(sessions)
    backlog = inbox_backlog(settings, sessions, db.unfinished)
    waiting = db.pending + db.in_flight
    return Snapshot(
        generated_at=utcnow(),
        broker_up=stats is not None,
        queues=_queue_views(stats or dict.fromkeys(QUEUES, _BROKER_DOWN), workers, db.states),
        workers=workers,
        workers_lost=lost,
        articles=db.articles,
        ledger_states=db.states,
        files=_files(db, backlog),
        throughput=db.throughput,
        latency=db.latency,
        nlp=db.nlp,
        quiet=quiet_view(
            backlog, waiting, db.last_stored_at, db.oldest_unfinished, settings.quiet_after
        ),
        last_stored_at=db.last_stored_at,
        recent_articles=db.recent_articles,
        recent_failures=db.recent_failures,
    )
