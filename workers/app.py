"""The Celery app: Redis broker, JSON only, late acks, prefetch 1, two queues.

`celery -A workers.app worker -Q nlp` finds the module-level `app`, built from the
environment's settings; everything else builds its own with `create_app(settings)`.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_shutdown
from kombu.entity import Queue

from workers.heartbeat import Heartbeat
from workers.queues import INGEST_QUEUE, INGEST_TASK, NLP_QUEUE, NLP_TASK
from workers.settings import Settings, load_settings

# Set by `dropwire up` for the workers it starts: the pid they must not outlive.
PARENT_ENV = "DROPWIRE_PARENT_PID"


def _transport_options(settings: Settings) -> dict[str, object]:
    restore_interval = max(1, min(10, settings.visibility_timeout // 8))
    restore_throttle = max(1, min(10, settings.visibility_timeout // 2 // restore_interval))
    return {
        "visibility_timeout": settings.visibility_timeout,
        # kombu scans `unacked` for expired messages only every interval × throttle seconds
        # (10 × 10 by default): keep that scan within half the visibility timeout, so a killed
        # worker's message comes back about when the timeout says, not minutes later.
        "unacked_restore_interval": restore_interval,
        "unacked_restore_throttle": restore_throttle,
        # Publishing must not hang forever when Redis is away; the ledger keeps the file.
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
        "health_check_interval": 25,
    }


def create_app(settings: Settings) -> Celery:
    app = Celery("dropwire", include=["workers.tasks"])
    transport = _transport_options(settings)
    app.conf.update(
        broker_url=settings.effective_redis_url,
        broker_transport_options=transport,
        # The shortest of these three wins (celery#7651): set them alike.
        result_backend_transport_options={"visibility_timeout": settings.visibility_timeout},
        visibility_timeout=settings.visibility_timeout,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        event_serializer="json",
        task_ignore_result=True,  # the ledger is the state
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # A task that raised is recorded in the ledger: ack it. A task killed by the hard
        # time limit is not (its process died): put it back, so the next delivery is counted
        # by `claim` and the file ends `failed` after max_attempts instead of staying in flight.
        task_acks_on_failure=True,
        task_acks_on_timeout=False,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        # Events cost a Redis PUBLISH and a serialised message per task state (a third of the
        # watcher's publishing time); the monitor reads queues, the ledger and `inspect`.
        worker_send_task_events=settings.task_events,
        task_send_sent_event=settings.task_events,
        task_soft_time_limit=settings.task_soft_time_limit,
        task_time_limit=settings.task_time_limit,
        task_default_queue=INGEST_QUEUE,
        task_queues=[Queue(INGEST_QUEUE), Queue(NLP_QUEUE)],
        task_routes={INGEST_TASK: {"queue": INGEST_QUEUE}, NLP_TASK: {"queue": NLP_QUEUE}},
        worker_hijack_root_logger=False,
        worker_max_memory_per_child=1_500_000,  # KiB: a leak recycles the child, not the host
        # Modules each worker imports at start, e.g. to connect Celery signal handlers.
        imports=list(settings.worker_imports),
    )
    app.dropwire_settings = settings  # read by workers.context in each worker process
    return app


@worker_init.connect
def _preload_nlp_model(sender: Any = None, **_: Any) -> None:
    """An NLP worker loads spaCy once in its main process, before the pool forks.

    Every pool child, and every child started again after a crash or a time-limit kill, has
    the model at once (shared copy-on-write): no delivery spends its time limit loading it.
    """
    app = getattr(sender, "app", None)
    settings = getattr(app, "dropwire_settings", None)
    if app is None or settings is None:
        return
    if NLP_QUEUE in (app.amqp.queues.consume_from or {}):
        from pipelines.nlp import load_model

        load_model(settings.spacy_model)


_heartbeat: list[Heartbeat] = []


@worker_init.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    """The node beats from its main process, before the pool starts taking tasks."""
    app = getattr(sender, "app", None)
    settings = getattr(app, "dropwire_settings", None)
    if app is None or settings is None:
        return
    queues = sorted(app.amqp.queues.consume_from or {})
    beat = Heartbeat(
        settings.effective_database_url, sender.hostname, queues, settings.heartbeat_interval
    )
    beat.start()
    _heartbeat.append(beat)


@worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    while _heartbeat:
        _heartbeat.pop().stop()


@worker_init.connect
def _exit_with_parent(**_: Any) -> None:
    """A worker started by `dropwire up` stops (warm shutdown) once `up` is gone.

    `up` starts workers in sessions of their own, so a Ctrl-C reaches only `up`, which stops
    them in order. Killed outright (SIGKILL, the OOM killer), it cannot: without this its
    workers would keep consuming beside the ones the next `up` starts.
    """
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def __getattr__(name: str) -> Celery:
    """`celery -A workers.app` reads `app`; built on first use (PEP 562) so that importing this
    module never needs a reachable Redis, and a missing URL fails with a clear message."""
    if name == "app":
        built = create_app(load_settings())
        globals()["app"] = built
        return built
    raise AttributeError(name)
