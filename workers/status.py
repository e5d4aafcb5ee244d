"""One snapshot of the service for every face: `status`, `/api/status` and `/metrics`."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from db import repository as repo
from db.models import State
from db.session import transaction
from workers.broker import Broker
from workers.queues import QUEUES
from workers.service import utcnow


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 3)


def database_view(sessions: sessionmaker[Session]) -> dict[str, Any]:
    now = utcnow()
    with transaction(sessions) as s:
        states = repo.state_counts(s)
        duplicates = repo.duplicate_count(s)
        throughput = {
            f"{m}m": round(repo.finished_since(s, now - timedelta(minutes=m)) / m, 2)
            for m in (1, 5, 15)
        }
        latencies = repo.recent_latencies(s)
    in_flight = sum(states.get(k, 0) for k in (State.PENDING, *State.IN_FLIGHT))
    return {
        "articles": {
            "done": states.get(State.DONE, 0),
            "failed": states.get(State.FAILED, 0),
            "duplicates": duplicates,
            "queued": in_flight,
            "pending": states.get(State.PENDING, 0),
            "processing": states.get(State.PROCESSING, 0) + states.get(State.NLP, 0),
        },
        "ledger_states": states,
        "throughput_per_min": throughput["1m"],
        "throughput": throughput,
        "latency_seconds": {"p50": _percentile(latencies, 50), "p95": _percentile(latencies, 95)},
    }


def broker_view(broker: Broker) -> dict[str, Any]:
    if not broker.ping():
        return {"broker_up": False, "queues": {q: {"depth": None} for q in QUEUES}}
    unacked = broker.unacked()
    return {
        "broker_up": True,
        "queues": {
            q: {
                "depth": broker.depth(q),
                "unacked": unacked.get(q, 0),
                "oldest_age_seconds": broker.oldest_age(q),
            }
            for q in QUEUES
        },
    }


def workers_view(app: Celery, timeout: float = 1.0) -> list[dict[str, Any]]:
    try:
        inspector = app.control.inspect(timeout=timeout)
        queues = inspector.active_queues() or {}
        active = inspector.active() or {}
    except Exception:
        return []
    return [
        {
            "name": name,
            "queues": sorted(q["name"] for q in queues.get(name, [])),
            "active": len(active.get(name, [])),
        }
        for name in sorted(queues)
    ]


def collect(sessions: sessionmaker[Session], broker: Broker, app: Celery) -> dict[str, Any]:
    snapshot: dict[str, Any] = {"generated_at": utcnow().isoformat()}
    snapshot.update(broker_view(broker))
    snapshot["workers"] = workers_view(app) if snapshot["broker_up"] else []
    snapshot.update(database_view(sessions))
    return snapshot
