"""Talking to Redis directly: publishing tasks and reading queue state for the monitor."""

from __future__ import annotations

import contextlib
import json
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import redis
from celery import Celery

from workers.queues import INGEST_QUEUE, INGEST_TASK, NLP_QUEUE, NLP_TASK

TASK_FOR_QUEUE = {INGEST_QUEUE: INGEST_TASK, NLP_QUEUE: NLP_TASK}
# Redis commands per pipelined write (a message's LPUSH; with task events, a PUBLISH too).
PIPELINE_COMMANDS = 1000


@dataclass
class Broker:
    app: Celery
    url: str

    def __post_init__(self) -> None:
        self.client = redis.Redis.from_url(self.url, socket_connect_timeout=3, socket_timeout=5)
        self._producer: Any = None

    def send(self, queue: str, ledger_id: int) -> None:
        """Publish one task. Not thread-safe: one Broker per thread that sends."""
        self._publish(queue, [ledger_id], batched=False)

    def send_many(self, queue: str, ledger_ids: list[int]) -> None:
        """Publish one task per ledger id, written to Redis in pipelined round trips.

        All or nothing for the caller: if this raises, treat none as sent. Some may have
        reached Redis anyway; a second message for a row is harmless (tasks claim the row).
        Not thread-safe: one Broker per thread that sends.
        """
        self._publish(queue, ledger_ids, batched=len(ledger_ids) > 1)

    def _publish(self, queue: str, ledger_ids: list[int], *, batched: bool) -> None:
        # One producer (and connection) kept across sends: acquiring one from the pool for
        # every message was most of the watcher's publishing cost.
        if self._producer is None:
            self._producer = self.app.producer_pool.acquire(block=True)
        producer = self._producer
        try:
            # kombu's producer batch buffers each message's LPUSH in a Redis pipeline; it costs
            # a connection of its own, so a single message goes straight.
            with producer.batch(max_size=PIPELINE_COMMANDS) if batched else nullcontext():
                for ledger_id in ledger_ids:
                    self.app.send_task(
                        TASK_FOR_QUEUE[queue],
                        args=[ledger_id],
                        queue=queue,
                        retry=False,
                        # The send time rides along so the monitor can show the oldest
                        # message's age.
                        headers={"dropwire_sent_at": time.time()},
                        producer=producer,
                        # Redis routes the default exchange by queue name: declaring the queue
                        # again with every message only cost time.
                        declare=[],
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

    def publish_ingest(self, ledger_ids: list[int]) -> None:
        self.send_many(INGEST_QUEUE, ledger_ids)

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
