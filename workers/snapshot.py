"""The status snapshot: one typed object that `status`, `/api/status`, `/metrics` and the
history read; `to_json` is the only place it becomes JSON.

The JSON names are a contract (DESIGN.md §3: `queues.*.depth`, `workers`, `articles`,
`throughput_per_min`, `latency_seconds`) and the dashboard reads the rest; change them here
and in `workers/static/app.js` together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from typing import Any

from db.queries import ArticleRow, EntityCount, FailureRow

# Texts in the snapshot's lists are cut to this, so its size follows the number of rows,
# not what a dropped file put in its name or title.
TEXT_LIMIT = 300

__all__ = ["TEXT_LIMIT", "ArticleRow", "EntityCount", "FailureRow"]


@dataclass(frozen=True, slots=True)
class QueueStats:
    """What Redis says about one queue (None: Redis does not answer)."""

    depth: int | None
    unacked: int | None
    oldest_age_seconds: float | None


@dataclass(frozen=True, slots=True)
class QueueView:
    name: str
    stats: QueueStats
    workers: int  # live workers taking from it
    ledger_in_flight: int  # ledger rows whose next step is a message on it
    consuming: bool  # False: work waits and no live worker takes it


@dataclass(frozen=True, slots=True)
class WorkerView:
    name: str
    queues: tuple[str, ...]
    active: int
    concurrency: int | None
    pid: int | None
    processed: int
    last_heartbeat: datetime
    heartbeat_age_seconds: float
    last_progress_age_seconds: float | None
    state: str  # busy, idle or stalled
    consuming: bool


@dataclass(frozen=True, slots=True)
class LostWorker:
    name: str
    last_heartbeat: datetime
    heartbeat_age_seconds: float


@dataclass(frozen=True, slots=True)
class ArticleCounts:
    done: int
    failed: int
    duplicates: int
    queued: int  # pending + in flight
    pending: int
    processing: int


@dataclass(frozen=True, slots=True)
class FileCounts:
    seen: int
    pending: int
    in_flight: int
    unsent_in_inbox: int  # files in the inbox the ledger has not recorded
    inbox_backlog: int
    inbox_scan_truncated: bool


@dataclass(frozen=True, slots=True)
class Throughput:
    """Articles stored per minute over the last 1, 5 and 15 minutes."""

    m1: float
    m5: float
    m15: float

    def by_window(self) -> dict[str, float]:
        return {"1m": self.m1, "5m": self.m5, "15m": self.m15}


@dataclass(frozen=True, slots=True)
class Latency:
    """Drop-to-stored seconds of recent articles."""

    p50: float | None
    p95: float | None


@dataclass(frozen=True, slots=True)
class NlpTime:
    avg: float | None
    p95: float | None
    samples: int


@dataclass(frozen=True, slots=True)
class Quiet:
    gone_quiet: bool
    quiet_for_seconds: float | None
    quiet_after_seconds: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    generated_at: datetime
    broker_up: bool
    queues: tuple[QueueView, ...]
    workers: tuple[WorkerView, ...]
    workers_lost: tuple[LostWorker, ...]
    articles: ArticleCounts
    ledger_states: Mapping[str, int]
    files: FileCounts
    throughput: Throughput
    latency: Latency
    nlp: NlpTime
    quiet: Quiet
    last_stored_at: datetime | None
    recent_articles: tuple[ArticleRow, ...]
    recent_failures: tuple[FailureRow, ...]
    actions_enabled: bool | None = None  # set by the monitor; None for the CLI


# --------------------------------------------------------------------------- JSON


def plain(value: Any) -> Any:
    """A snapshot part as JSON values: dataclasses become objects (field names are the JSON
    names), datetimes ISO text, tuples lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def _queue(q: QueueView) -> dict[str, Any]:
    # Redis's numbers sit beside the derived ones, flat, as the page and scrapers read them.
    view = plain(q)
    del view["name"]
    return {**view.pop("stats"), **view}


def to_json(s: Snapshot) -> dict[str, Any]:
    """The snapshot as `status --json` and `/api/status` give it."""
    return {
        "generated_at": plain(s.generated_at),
        "broker_up": s.broker_up,
        "queues": {q.name: _queue(q) for q in s.queues},
        "workers": plain(s.workers),
        "workers_lost": plain(s.workers_lost),
        "articles": plain(s.articles),
        "ledger_states": plain(s.ledger_states),
        "files": plain(s.files),
        "throughput_per_min": s.throughput.m1,
        "throughput": s.throughput.by_window(),
        "latency_seconds": plain(s.latency),
        "nlp_seconds": plain(s.nlp),
        **plain(s.quiet),  # gone_quiet, quiet_for_seconds, quiet_after_seconds
        "last_stored_at": plain(s.last_stored_at),
        "recent_articles": plain(s.recent_articles),
        "recent_failures": plain(s.recent_failures),
        "monitor": None if s.actions_enabled is None else {"actions_enabled": s.actions_enabled},
    }
