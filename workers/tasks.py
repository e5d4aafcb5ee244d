"""Thin Celery tasks: a ledger id in, one service call, errors mapped to retry or failure."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)

from workers import service
from workers.queues import INGEST_TASK, NLP_QUEUE, NLP_TASK
from workers.runtime import Runtime, runtime_for

log = logging.getLogger(__name__)

# Faults of the infrastructure, not of the file: waiting and trying again can fix them.
# A database that went away mid-transaction shows up as OperationalError or InterfaceError
# ("the connection is closed"); SQLite's "database is locked" is an OperationalError too.
TRANSIENT = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    BrokerError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)
MAX_RETRIES = 8


def _context(task: Task) -> Runtime:
    return runtime_for(task.app.dropwire_settings)


def _backoff(task: Task) -> int:
    cap = int(task.app.dropwire_settings.retry_backoff_max)
    return int(min(cap, 2 ** (task.request.retries + 1)))


def _run(task: Task, ledger_id: int, stage: Any) -> Any:
    ctx = _context(task)
    try:
        # The node name goes with the claim: while that node heart-beats, the row is its own.
        return stage(ctx, ledger_id, task.request.hostname)
    except SoftTimeLimitExceeded:
        limit = ctx.settings.task_soft_time_limit
        service.fail(ctx, ledger_id, "timeout", f"processing took longer than {limit} s")
        return None
    except TRANSIENT as exc:
        log.warning("ledger %s: transient %s, retrying", ledger_id, type(exc).__name__)
        raise task.retry(exc=exc, countdown=_backoff(task), max_retries=MAX_RETRIES) from exc
    except DataError as exc:
        # The database refused this article's data (a value it cannot hold): trying again
        # cannot help, so it is a permanent failure with the database's own reason.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        service.fail(ctx, ledger_id, "db_refused", f"the database refused it: {reason}"[:2000])
        return None
    except DBAPIError as exc:
        # Anything else from the driver is the connection's state, not the file's (a call
        # interrupted mid-transaction leaves "connection in transaction status ACTIVE"):
        # fresh connections, then try again.
        log.warning("ledger %s: database %s, retrying", ledger_id, type(exc).__name__)
        ctx.reset_connections()
        raise task.retry(exc=exc, countdown=_backoff(task), max_retries=MAX_RETRIES) from exc
    except Exception as exc:  # a poison file: record why, move it aside, keep the worker going
        log.exception("ledger %s: unexpected error", ledger_id)
        service.fail(ctx, ledger_id, "error", f"{type(exc).__name__}: {exc}"[:2000])
        return None


@shared_task(bind=True, name=INGEST_TASK, acks_late=True)
def ingest(self: Task, ledger_id: int) -> None:
    outcome = _run(self, ledger_id, service.ingest)
    if outcome is None:
        return
    try:
        if outcome.to_nlp:
            # One pipelined write however many articles the file held: the rows wait in
            # state `nlp` meanwhile, and the sweeper must not take them for lost.
            _context(self).broker.send_many(NLP_QUEUE, outcome.to_nlp)
    except TRANSIENT as exc:
        # The rows are committed in state `nlp`; the sweeper sends them once Redis is back.
        log.warning("cannot send %s to the nlp queue (%s); the sweeper will", outcome.to_nlp, exc)


@shared_task(bind=True, name=NLP_TASK, acks_late=True)
def analyse(self: Task, ledger_id: int) -> None:
    _run(self, ledger_id, service.analyse)
