"""The monitor's HTTP face over real sockets: a `MonitorServer` on a free port, over a real
Redis and a real database (SQLite and PostgreSQL).

What they prove: a foreign Host header is refused (DNS rebinding); malformed and hostile
requests get a short JSON 4xx, never a 500 or a traceback; hostile rows keep `/api/status`
small; concurrent reads and retries all succeed; `serve` stops when told.
"""

from __future__ import annotations

import http.client
import json
import socket
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.migrate import upgrade
from tests.support.hostile import MARKUP_PATH, insert_hostile_rows, local_settings
from tests.support.service import free_port, wait_for
from workers.monitor import Monitor, MonitorServer, serve
from workers.runtime import Runtime
from workers.settings import Settings

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

TOKEN = "http-test-token"
RETRY_HEAD = (
    b"POST /api/retry HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN.encode()
)


def monitor_settings(root: Path, database_url: str) -> Settings:
    return local_settings(
        root,
        database_url,
        monitor_port=0,
        monitor_token=TOKEN,
        monitor_allowed_hosts="dropwire.internal, monitor:8787",
    )


@contextmanager
def running(settings: Settings) -> Iterator[MonitorServer]:
    server = MonitorServer(Monitor(Runtime.from_settings(settings))).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def shared() -> Iterator[MonitorServer]:
    """One monitor over an empty SQLite ledger for the tests that only send requests."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/monitor.db"
        upgrade(url)
        with running(monitor_settings(Path(tmp), url)) as server:
            yield server


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return monitor_settings(tmp_path, database_url)


@pytest.fixture
def server(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[MonitorServer]:
    """A monitor over SQLite and over PostgreSQL, for tests that put rows in the database."""
    with running(settings) as server:
        yield server


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request; a `Host` in `headers` replaces the one http.client would send."""
    headers = dict(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host="Host" in headers)
        for name, value in headers.items():
            conn.putheader(name, value)
        if body is not None and "Content-Length" not in headers:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def raw(port: int, data: bytes) -> Reply:
    """Bytes straight onto the socket, for requests http.client refuses to send."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return Reply(int(status_line.split()[1]), headers, body)


def retry(port: int, body: bytes, token: str | None = TOKEN, **headers: str) -> Reply:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    headers.setdefault("Content-Type", "application/json")
    return request(port, "POST", "/api/retry", body, headers)


def assert_short_json_error(reply: Reply, status: int) -> None:
    assert reply.status == status, (reply.status, reply.body[:300])
    assert reply.headers["content-type"].startswith("application/json")
    assert set(reply.json()) == {"error"} and len(reply.body) < 300, reply.body
    assert b"Traceback" not in reply.body


# --------------------------------------------------------------------------- Host


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example:{port}",
        "localhost.evil.example",
        "[::2]:{port}",
        "localhost:notaport",
        "",
    ],
)
def test_a_foreign_host_is_refused(shared: MonitorServer, host: str) -> None:
    for path in ("/api/status", "/metrics", "/", "/api/history"):
        reply = request(shared.port, "GET", path, headers={"Host": host.format(port=shared.port)})
        assert_short_json_error(reply, 400)
        assert "Host" in reply.json()["error"]
    posted = retry(shared.port, b'{"all": true}', Host="evil.example")
    assert_short_json_error(posted, 400)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "127.0.0.1",
        "localhost:{port}",
        "LOCALHOST",
        "[::1]:{port}",
        "[::1]",
        "dropwire.internal",
        "monitor:{port}",
    ],
)
def test_own_and_configured_hosts_are_served(shared: MonitorServer, host: str) -> None:
    reply = request(
        shared.port, "GET", "/api/status", headers={"Host": host.format(port=shared.port)}
    )
    assert reply.status == 200 and "queues" in reply.json()


def test_a_request_without_host_or_with_two_is_refused(shared: MonitorServer) -> None:
    assert_short_json_error(raw(shared.port, b"GET /api/status HTTP/1.0\r\n\r\n"), 400)
    twice = b"GET /api/status HTTP/1.0\r\nHost: localhost\r\nHost: evil.example\r\n\r\n"
    assert_short_json_error(raw(shared.port, twice), 400)


# --------------------------------------------------------------------------- bad requests


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1e3", b"10, 20"])
def test_a_bad_content_length_gets_a_json_400(shared: MonitorServer, length: bytes) -> None:
    request_bytes = RETRY_HEAD + b"\r\nContent-Length: " + length + b'\r\n\r\n{"all": true}'
    assert_short_json_error(raw(shared.port, request_bytes), 400)


def test_a_body_over_the_limit_is_refused_before_it_is_read(shared: MonitorServer) -> None:
    # 10 MB announced, 13 bytes sent: the answer comes from the header alone.
    declared = raw(shared.port, RETRY_HEAD + b'\r\nContent-Length: 10000000\r\n\r\n{"all": true}')
    assert_short_json_error(declared, 413)
    huge = retry(shared.port, b"[" * 100_000)
    assert_short_json_error(huge, 413)
    # Chunked: no length to check up front, refused once the limit is crossed.
    chunk = b"x" * 16_384
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)) + b"0\r\n\r\n"
    head = RETRY_HEAD + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert_short_json_error(raw(shared.port, head + chunked), 413)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe{}",
        b"[" * 30_000,  # under the size limit: the JSON parser's depth limit answers
        b'{"all": true, "ids": [1]}',
        b'{"all": false}',
        b"{}",
        b"[1, 2]",
        b'{"ids": []}',
        b'{"ids": ["1"]}',
        b'{"ids": [true]}',
        b'{"ids": [0]}',
        b'{"ids": [99999999999999999999]}',  # past INTEGER: refused here, not by the driver
        b'{"ids": [1.5]}',
        b'{"ids": [1], "extra": 1}',
        b'{"ids": [' + b",".join(b"1" for _ in range(10_001)) + b"]}",
    ],
)
def test_a_bad_retry_body_gets_a_json_400(shared: MonitorServer, body: bytes) -> None:
    assert_short_json_error(retry(shared.port, body), 400)


def test_retry_needs_the_token(shared: MonitorServer) -> None:
    assert_short_json_error(retry(shared.port, b'{"all": true}', token=None), 403)
    assert_short_json_error(retry(shared.port, b'{"all": true}', token="wrong"), 403)
    assert_short_json_error(retry(shared.port, b"[" * 100_000, token=None), 403)


def test_unknown_routes_and_methods_and_bad_queries_are_json_4xx(shared: MonitorServer) -> None:
    assert_short_json_error(request(shared.port, "GET", "/nope"), 404)
    assert_short_json_error(request(shared.port, "GET", "/static/../settings.py"), 404)
    assert_short_json_error(request(shared.port, "DELETE", "/api/status"), 405)
    assert_short_json_error(request(shared.port, "GET", "/api/history?since=abc"), 400)
    assert_short_json_error(request(shared.port, "GET", "/api/history?since=nan"), 400)


# --------------------------------------------------------------------------- reading


def test_every_route_answers_with_the_security_headers(shared: MonitorServer) -> None:
    for path in ("/", "/static/app.js", "/api/status", "/metrics", "/api/history", "/nope"):
        reply = request(shared.port, "GET", path)
        assert reply.status in (200, 404), path
        assert "default-src 'self'" in reply.headers["content-security-policy"], path
        assert reply.headers["x-content-type-options"] == "nosniff", path
        assert reply.headers["cache-control"] == "no-store", path
    metrics = request(shared.port, "GET", "/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert b'dropwire_queue_depth{queue="ingest"}' in metrics.body


def test_openapi_describes_the_routes_and_the_retry_body(shared: MonitorServer) -> None:
    spec = request(shared.port, "GET", "/api/openapi.json").json()
    assert {"/api/status", "/api/history", "/metrics", "/api/retry"} <= set(spec["paths"])
    body = spec["paths"]["/api/retry"]["post"]["requestBody"]["content"]["application/json"]
    assert {"ids", "all"} <= set(body["schema"]["properties"])


def test_hostile_rows_keep_api_status_small_and_valid(
    server: MonitorServer, sessions: sessionmaker[Session]
) -> None:
    inserted = insert_hostile_rows(sessions)
    reply = request(server.port, "GET", "/api/status")
    assert reply.status == 200 and len(reply.body) < 60_000, len(reply.body)
    reply.body.decode("ascii")  # ASCII JSON: whatever the names held
    snap = reply.json()
    assert {f["id"] for f in snap["recent_failures"]} == set(inserted.failed_ids)
    assert MARKUP_PATH in {f["source_path"] for f in snap["recent_failures"]}
    assert snap["monitor"] == {"actions_enabled": True}


def test_concurrent_reads_and_retries_all_succeed(
    server: MonitorServer, sessions: sessionmaker[Session]
) -> None:
    """Status and metrics readers and retry posters at once: every request answers 200 and
    every failed row is sent exactly once, however the retries interleave."""
    failed = insert_hostile_rows(sessions).failed_ids
    jobs: list[tuple[str, str, bytes | None]] = []
    for i in range(6):
        jobs += [("GET", "/api/status", None), ("GET", "/metrics", None)]
        jobs.append(("POST", "/api/retry", json.dumps({"ids": failed[i % 3 :: 3]}).encode()))
    jobs.append(("POST", "/api/retry", b'{"all": true}'))

    def run(job: tuple[str, str, bytes | None]) -> Reply:
        method, path, body = job
        if method == "POST":
            assert body is not None
            return retry(server.port, body)
        return request(server.port, method, path)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        replies = list(pool.map(run, jobs))
    assert [r.status for r in replies] == [200] * len(jobs), [r.body for r in replies]
    sent = sum(r.json()["sent"] for job, r in zip(jobs, replies, strict=True) if job[0] == "POST")
    assert sent == len(failed)


# --------------------------------------------------------------------------- lifecycle


def test_serve_answers_until_stop_is_set(settings: Settings) -> None:
    port = free_port()
    stop = threading.Event()
    bound = settings.model_copy(update={"monitor_port": port})
    thread = threading.Thread(target=serve, args=(bound, stop), daemon=True)
    thread.start()

    def answers() -> bool:
        try:
            return request(port, "GET", "/api/history").status == 200
        except OSError:
            return False

    wait_for(answers, 30, "the monitor to answer")
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    with pytest.raises(OSError):
        request(port, "GET", "/api/history")


def test_a_port_in_use_raises_in_the_caller(settings: Settings) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        busy = settings.model_copy(update={"monitor_port": taken.getsockname()[1]})
        with pytest.raises(OSError):
            serve(busy, threading.Event())
