"""Private Redis and PostgreSQL servers that a fault test may stop, kill and restart.

The machine's shared servers (127.0.0.1:5432 and :6379) are never touched: each of these runs
on a free port under a temporary folder and goes away with the test (or the session).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.support.service import free_port, wait_for

PG_BIN = Path(os.environ.get("DROPWIRE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _require(binary: str | Path) -> str:
    found = shutil.which(str(binary))
    if not found:
        pytest.skip(f"{binary} is not installed")
    return found


# --------------------------------------------------------------------------- Redis


@dataclass
class RedisServer:
    """One `redis-server` on a fixed port, so clients reconnect to the same URL after restarts."""

    folder: Path
    appendonly: bool
    port: int = field(default_factory=free_port)
    password: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [
            _require("redis-server"),
            "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec",
            "--save", "", "--maxmemory-policy", "noeviction", "--daemonize", "no",
            "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for(self._pings, 20, f"redis-server on port {self.port}", interval=0.05)

    def _pings(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"redis-server exited: {(self.folder / 'redis.log').read_text()}")
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL: a crash. Without AOF everything queued and unacked is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM: Redis fsyncs its AOF and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, *, crash: bool) -> None:
        self.kill() if crash else self.stop()
        self.start()


@contextlib.contextmanager
def redis_server(folder: Path, *, appendonly: bool = True) -> Iterator[RedisServer]:
    server = RedisServer(folder, appendonly=appendonly)
    server.start()
    try:
        yield server
    finally:
        server.kill()


# --------------------------------------------------------------------------- PostgreSQL


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` OS user then."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres OS user for a private cluster")
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class PostgresCluster:
    """A private cluster (initdb + pg_ctl) that a test may stop and start."""

    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_as_postgres(), *args], capture_output=True, text=True, check=check, timeout=120
        )

    def init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"no PostgreSQL binaries in {PG_BIN}")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8")  # fmt: skip
        self.start()

    def start(self) -> None:
        # fsync off: a crash of the server process loses nothing (the WAL is in the OS cache),
        # only a crash of the machine would. synchronous_commit stays on: with it off an
        # immediate stop forgets commits the clients were told about.
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.folder / "postgres.log"), "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)  # fmt: skip

    def create_database(self, name: str) -> str:
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as
    # the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="dropwire-pg-"))
    os.chmod(folder, 0o755)
    cluster = PostgresCluster(folder / "cluster")
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_down(server: PostgresCluster | RedisServer, timeout: float = 20) -> None:
    def down() -> bool:
        if isinstance(server, RedisServer):
            try:
                server.client().ping()
            except redis.RedisError:
                return True
            return False
        try:
            engine = create_engine(server.url(), connect_args={"connect_timeout": 1})
            with engine.connect():
                pass
        except Exception:
            return True
        finally:
            engine.dispose()
        return False

    deadline = time.monotonic() + timeout
    while not down():
        if time.monotonic() > deadline:
            raise AssertionError("server still answers")
        time.sleep(0.1)
