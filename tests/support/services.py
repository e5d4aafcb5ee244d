"""Real PostgreSQL and Redis for tests.

In CI (`DROPWIRE_REQUIRE_SERVICES=1`, set by .ci/run) a missing service fails the test;
elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import redis
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("DROPWIRE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("DROPWIRE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRED = os.environ.get("DROPWIRE_REQUIRE_SERVICES") == "1"


def unavailable(what: str, exc: BaseException) -> None:
    message = f"{what} is not reachable ({type(exc).__name__}: {exc})"
    if REQUIRED:
        pytest.fail(message + " and DROPWIRE_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def pg_schema_url() -> Iterator[str]:
    """A URL whose connections live in a new, empty schema; dropped afterwards."""
    try:
        admin = create_engine(PG_URL)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        unavailable("PostgreSQL", exc)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def migrated_pg_url() -> Iterator[str]:
    """`pg_schema_url` with every migration applied."""
    gen = pg_schema_url()
    url = next(gen)
    from db.migrate import upgrade  # here: this module must load without the project's db

    upgrade(url)
    yield url
    next(gen, None)


_next_db = iter(range(1, 16))


def redis_db_url() -> str:
    """A real Redis database of its own (1–15), emptied first."""
    base = REDIS_URL.rsplit("/", 1)[0]
    try:
        number = next(_next_db)
    except StopIteration:
        number = 15
    url = f"{base}/{number}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
    except redis.RedisError as exc:
        unavailable("Redis", exc)
    return url
