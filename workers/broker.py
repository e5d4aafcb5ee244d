"""Talking to Redis directly: publishing tasks and reading queue state for the monitor."""

from __future__ import annotations

import base64
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
# Every message names its ledger row in a header: recovery reads queues and `unacked` by it.
LEDGER_HEADER = "dropwire_ledger_id"
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
                        headers={"dropwire_sent_at": time.time(), LEDGER_HEADER: ledger_id},
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

    def waiting_ids(self, queue: str, page: int = 5000) -> set[int]:
        """Ledger ids of every message waiting in `queue` (read in pages)."""
        found: set[int] = set()
        start = 0
        while raw := self.client.lrange(queue, start, start + page - 1):
            found.update(i for i in map(ledger_id_of, raw) if i is not None)
            start += page
        return found

    def unacked_messages(self) -> list[Unacked]:
        """Messages delivered to a worker and not yet acknowledged."""
        out = []
        for tag, raw in self.client.hgetall("unacked").items():
            try:
                message, _exchange, routing_key = json.loads(raw)
            except (ValueError, TypeError):
                continue
            queue = str(routing_key or "")
            out.append(Unacked(_text(tag), queue, _ledger_id(message)))
        return out

    def server_started_at(self) -> float:
        """When the Redis server process started (by its own clock), to tell messages
        delivered before a restart: no consumer connection holds those any more."""
        now, _micros = self.client.time()
        return float(now) - float(self.client.info("server")["uptime_in_seconds"])

    def unacked_before(self, when: float) -> list[str]:
        """Tags of unacknowledged messages delivered before `when` (Unix time)."""
        found = self.client.zrangebyscore("unacked_index", "-inf", when)
        return [_text(t) for t in found if isinstance(t, bytes | str)]

    def restore(self, tags: list[str]) -> None:
        """Put unacknowledged messages back at the head of their queue, as kombu does after
        the visibility timeout, but now."""
        if not tags:
            return
        with self.app.connection_for_write() as conn:
            qos = conn.default_channel.qos
            for tag in tags:
                qos.restore_by_tag(tag, leftmost=False)

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


@dataclass(frozen=True, slots=True)
class Unacked:
    tag: str
    queue: str
    ledger_id: int | None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def ledger_id_of(raw: bytes | str) -> int | None:
    """The ledger id a raw queued message carries."""
    try:
        message = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return _ledger_id(message)


def _ledger_id(message: Any) -> int | None:
    if not isinstance(message, dict):
        return None
    headers = message.get("headers") or {}
    found = headers.get(LEDGER_HEADER)
    if isinstance(found, int):
        return found
    # Celery's own re-sends (task.retry) carry the original arguments only in the body.
    try:
        body = message["body"]
        if (message.get("properties") or {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return int(args[0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
