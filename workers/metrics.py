"""`/metrics`: the snapshot as Prometheus text. Names start `dropwire_`; queue metrics carry a
`queue` label (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from workers.snapshot import Snapshot, plain

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


def _queue_metrics(snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    qs = snap.queues
    yield _labelled(
        "dropwire_queue_depth", "Messages waiting", "queue", {q.name: q.stats.depth for q in qs}
    )
    yield _labelled(
        "dropwire_queue_unacked",
        "Messages taken, not yet acknowledged",
        "queue",
        {q.name: q.stats.unacked for q in qs},
    )
    yield _labelled(
        "dropwire_queue_oldest_age_seconds",
        "Age of the oldest waiting message",
        "queue",
        {q.name: q.stats.oldest_age_seconds for q in qs},
    )
    yield _labelled(
        "dropwire_queue_workers",
        "Live workers taking from it",
        "queue",
        {q.name: q.workers for q in qs},
    )
    yield _labelled(
        "dropwire_queue_consuming",
        "0 when messages wait and no worker takes them",
        "queue",
        # With Redis away nothing is known about consumption: no sample rather than a guess.
        {q.name: None if q.stats.depth is None else int(q.consuming) for q in qs},
    )


def _worker_metrics(snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    workers = snap.workers
    yield _gauge("dropwire_workers", "Live Celery workers", len(workers))
    yield _gauge(
        "dropwire_workers_consuming",
        "Live workers that take work (or have none waiting)",
        sum(1 for w in workers if w.consuming),
    )
    yield _gauge("dropwire_workers_lost", "Workers that stopped answering", len(snap.workers_lost))
    yield _labelled(
        "dropwire_worker_active_tasks",
        "Tasks running",
        "worker",
        {w.name: w.active for w in workers},
    )
    yield _labelled(
        "dropwire_worker_consuming",
        "1 if the worker takes work",
        "worker",
        {w.name: int(w.consuming) for w in workers},
    )
    yield _labelled(
        "dropwire_worker_heartbeat_age_seconds",
        "Seconds since the worker last answered",
        "worker",
        {w.name: w.heartbeat_age_seconds for w in workers},
    )


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
