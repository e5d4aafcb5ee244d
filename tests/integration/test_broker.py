"""Publishing through a real Redis: batched sends land as ordinary Celery messages."""

from __future__ import annotations

import base64
import json

import redis

from tests.support.services import redis_db_url
from workers.app import create_app
from workers.broker import Broker
from workers.queues import INGEST_QUEUE, INGEST_TASK, NLP_QUEUE, NLP_TASK
from workers.settings import load_settings


def _broker(url: str, **overrides: object) -> Broker:
    return Broker(create_app(load_settings(redis_url=url, **overrides)), url)


def test_a_batch_is_one_message_per_id_in_order_with_the_send_time() -> None:
    url = redis_db_url()
    broker = _broker(url)
    ids = list(range(1, 1201))  # more than one pipeline's worth of commands
    broker.send_many(INGEST_QUEUE, ids)
    broker.send(NLP_QUEUE, 7)
    client = redis.Redis.from_url(url)
    assert broker.depth(INGEST_QUEUE) == len(ids)
    # kombu pushes left and workers pop right: the oldest is at the right end.
    messages = [json.loads(raw) for raw in reversed(client.lrange(INGEST_QUEUE, 0, -1))]
    assert [m["headers"]["task"] for m in messages] == [INGEST_TASK] * len(ids)
    assert [json.loads(_body(m))[0] for m in messages] == [[i] for i in ids]
    assert all(isinstance(m["headers"]["dropwire_sent_at"], float) for m in messages)
    (nlp,) = [json.loads(raw) for raw in client.lrange(NLP_QUEUE, 0, -1)]
    assert nlp["headers"]["task"] == NLP_TASK
    assert broker.oldest_age(INGEST_QUEUE) is not None
    client.flushdb()


def _body(message: dict[str, object]) -> str:
    """The task's (args, kwargs, embed), as kombu's Redis transport stores it: base64 JSON."""
    assert isinstance(message["body"], str)
    return base64.b64decode(message["body"]).decode()


def test_task_events_are_off_unless_asked_for() -> None:
    url = redis_db_url()
    client = redis.Redis.from_url(url)
    quiet, loud = _broker(url), _broker(url, task_events=True)
    assert not quiet.app.conf.task_send_sent_event
    assert not quiet.app.conf.worker_send_task_events
    assert loud.app.conf.task_send_sent_event and loud.app.conf.worker_send_task_events
    pubsub = client.pubsub()
    # Fan-out channels are global across databases; kombu prefixes them with ours.
    pubsub.psubscribe(f"/{url.rsplit('/', 1)[1]}.celeryev/*")
    pubsub.get_message(timeout=1)  # the subscription confirmation
    quiet.send_many(INGEST_QUEUE, [1, 2])
    assert pubsub.get_message(timeout=0.5) is None
    loud.send_many(INGEST_QUEUE, [3])
    event = pubsub.get_message(timeout=5)
    assert event is not None and event["channel"].endswith(b"task.sent")
    pubsub.close()
    client.flushdb()
