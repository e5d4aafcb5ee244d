"""Security items of the fault issue that need no running service (the pickle message, the
hostile file name and the embedded Redis's password are exercised by real processes in
test_poison.py and test_kill.py)."""

from __future__ import annotations

import pytest
from redis.connection import SSLConnection

from workers.app import create_app
from workers.broker import Broker
from workers.settings import load_settings

pytestmark = pytest.mark.faults


@pytest.mark.parametrize(
    "url",
    [
        "redis://:s3cr%40t@redis.internal:6379/0",
        "redis://dropwire:s3cr%40t@redis.internal:6379/2",
        "rediss://:s3cr%40t@redis.internal:6380/0?ssl_cert_reqs=required",
    ],
)
def test_redis_urls_with_a_password_and_tls_are_accepted(url: str) -> None:
    settings = load_settings(redis_url=url, database_url="sqlite://")
    app = create_app(settings)
    assert app.conf.broker_url == url
    connection = app.connection_for_write()
    assert connection.password == "s3cr@t"
    assert connection.transport_cls == ("rediss" if url.startswith("rediss") else "redis")
    client = Broker(app, url).client  # the monitor's and the watcher's direct client
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["password"] == "s3cr@t"
    tls = client.connection_pool.connection_class is SSLConnection
    assert tls == url.startswith("rediss")


def test_only_json_is_accepted_on_the_queues() -> None:
    app = create_app(load_settings(redis_url="redis://127.0.0.1:1/0", database_url="sqlite://"))
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.event_serializer == "json"


def test_retry_waits_must_stay_below_the_visibility_timeout() -> None:
    with pytest.raises(ValueError, match="retry_backoff_max"):
        load_settings(retry_backoff_max=60, visibility_timeout=30, task_time_limit=20,
                      task_soft_time_limit=10)  # fmt: skip
