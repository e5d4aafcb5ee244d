"""Talking to Redis directly: publishing tasks and reading queue state for the monitor."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from typing import Any

import redis
from celery import Celery

from workers.queues import INGEST_QUEUE, INGEST_TASK, NLP_QUEUE, NLP_TASK

TASK_FOR_QUEUE = {INGEST_QUEUE: INGEST_TASK, NLP_QUEUE: NLP_TASK}


@dataclass
class Broker:
    app: Celery
    url: str

    def __post_init__(self) -> None:
        self.client = redis.Redis.from_url(self.url, socket_connect_timeout=3, socket_timeout=5)
        self._producer: Any = None

    def send(self, queue: str, ledger_id: int) -> None:
        """Publish one task. Not thread-safe: one Broker per thread that sends."""
        # One producer (and connection) kept across sends: acquiring one from the pool for
        # every message was most of the watcher's publishing cost.
        if self._producer is None:
            self._producer = self.app.producer_pool.acquire(block=True)
        try:
            # The send time rides along so the monitor can show the oldest message's age.
            self.app.send_task(
                TASK_FOR_QUEUE[queue],
                args=[ledger_id],
                queue=queue,
                retry=False,
                headers={"dropwire_sent_at": time.time()},
                producer=self._producer,
            )
        except Exception:
            self._drop_producer()  # a broken connection must not be reused
            raise

    def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                producer.connection.close()
            with contextlib.suppress(Exception):
                producer.release()

    def publish_ingest(self, ledger_id: int) -> None:
        self.send(INGEST_QUEUE, ledger_id)

    def depth(self, queue: str) -> int:
        return int(self.client.llen(queue))

    def unacked(self) -> dict[str, int]:
        """Messages taken by a worker but not yet acknowledged, per queue."""
        counts = {INGEST_QUEUE: 0, NLP_QUEUE: 0}
        for raw in self.client.hvals("unacked"):
            queue = _queue_of(raw)
            counts[queue] = counts.get(queue, 0) + 1
        return counts

    def oldest_age(self, queue: str) -> float | None:
        """Seconds the oldest waiting message has waited (kombu pushes left, pops right)."""
        raw = self.client.lindex(queue, -1)
        if raw is None:
            return None
        try:
            sent = json.loads(raw)["headers"].get("dropwire_sent_at")
        except (ValueError, KeyError, TypeError):
            return None
        return None if sent is None else max(0.0, time.time() - float(sent))

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False


def _queue_of(raw: bytes | str) -> str:
    try:
        message, _exchange, routing_key = json.loads(raw)
        return str(routing_key or message["properties"]["delivery_info"]["routing_key"])
    except (ValueError, KeyError, TypeError):
        return "unknown"
