"""`/metrics`: the snapshot as Prometheus text. Names start `dropwire_`; queue metrics carry a
`queue` label (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from workers.snapshot import QueueView, Snapshot, WorkerView, plain

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LEDGER_STATES = ("pending", "queued", "processing", "nlp", "split", "done", "failed")


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _labelled(
    name: str, doc: str, label: str, values: Mapping[str, float | None]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in values.items():
        if value is not None:
            family.add_metric([key], float(value))
    return family


# Per-queue and per-worker families: (name, help, value of one queue or worker).
_PER_QUEUE: tuple[tuple[str, str, Callable[[QueueView], float | None]], ...] = (
    ("dropwire_queue_depth", "Messages waiting", lambda q: q.stats.depth),
    ("dropwire_queue_unacked", "Messages taken, not yet acknowledged", lambda q: q.stats.unacked),
    (
        "dropwire_queue_oldest_age_seconds",
        "Age of the oldest waiting message",
        lambda q: q.stats.oldest_age_seconds,
    ),
    ("dropwire_queue_workers", "Live workers taking from it", lambda q: q.workers),
    # With Redis away nothing is known about consumption: no sample rather than a guess.
    (
        "dropwire_queue_consuming",
        "0 when messages wait and no worker takes them",
        lambda q: None if q.stats.depth is None else int(q.consuming),
    ),
)
_PER_WORKER: tuple[tuple[str, str, Callable[[WorkerView], float | None]], ...] = (
    ("dropwire_worker_active_tasks", "Tasks running", lambda w: w.active),
    ("dropwire_worker_consuming", "1 if the worker takes work", lambda w: int(w.consuming)),
    (
        "dropwire_worker_heartbeat_age_seconds",
        "Seconds since the worker last answered",
        lambda w: w.heartbeat_age_seconds,
    ),
)


def _queue_metrics(snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    for name, doc, value in _PER_QUEUE:
        yield _labelled(name, doc, "queue", {q.name: value(q) for q in snap.queues})


def _worker_metrics(snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    workers = snap.workers
    yield _gauge("dropwire_workers", "Live Celery workers", len(workers))
    yield _gauge(
        "dropwire_workers_consuming",
        "Live workers that take work (or have none waiting)",
        sum(1 for w in workers if w.consuming),
    )
    yield _gauge("dropwire_workers_lost", "Workers that stopped answering", len(snap.workers_lost))
    for name, doc, value in _PER_WORKER:
        yield _labelled(name, doc, "worker", {w.name: value(w) for w in workers})


def _file_metrics(snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    files = snap.files
    outcomes = plain(snap.articles)  # done, failed, duplicates, queued, pending, processing
    yield _labelled("dropwire_files", "Files and articles by outcome", "state", outcomes)
    states = {s: snap.ledger_states.get(s, 0) for s in LEDGER_STATES}
    yield _labelled("dropwire_ledger_rows", "Ledger rows by state", "state", states)
    yield _gauge("dropwire_files_seen", "Files the watcher recorded", files.seen)
    yield _labelled(
        "dropwire_inbox_backlog",
        "Files not yet sent: ledger pending, or in the inbox and not recorded",
        "kind",
        {"pending": files.pending, "unsent": files.unsent_in_inbox},
    )


def _rate_metrics(snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    yield _gauge("dropwire_broker_up", "1 if Redis answers", int(snap.broker_up))
    yield _labelled(
        "dropwire_throughput_per_minute",
        "Articles stored per minute",
        "window",
        snap.throughput.by_window(),
    )
    yield _labelled(
        "dropwire_latency_seconds",
        "Drop-to-stored latency of recent articles",
        "quantile",
        {"0.5": snap.latency.p50, "0.95": snap.latency.p95},
    )
    yield _labelled(
        "dropwire_nlp_seconds",
        "NLP seconds per article, recent articles",
        "stat",
        {"avg": snap.nlp.avg, "p95": snap.nlp.p95},
    )
    yield _gauge(
        "dropwire_gone_quiet",
        "1 when work waits and nothing was stored for quiet_after seconds",
        int(snap.quiet.gone_quiet),
    )
    yield _gauge(
        "dropwire_quiet_seconds",
        "Seconds with work waiting and nothing stored",
        snap.quiet.quiet_for_seconds or 0.0,
    )


class _SnapshotCollector:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for part in (_queue_metrics, _worker_metrics, _file_metrics, _rate_metrics):
            yield from part(self.snapshot)


def metrics_text(snapshot: Snapshot) -> bytes:
    registry = CollectorRegistry()
    registry.register(_SnapshotCollector(snapshot))
    return bytes(generate_latest(registry))
