"""Every `dropwire` command through every infrastructure fault: one line naming what is wrong
and what to do, no password, no traceback, the documented exit code (workers/faults.py).

Reachable services are the real PostgreSQL and Redis of tests/support/services.py; the faults
are dead ports, a database that does not exist, one left at the first migration, a wrong Redis
password, URLs that are not URLs, a missing data dir and an inbox that is a file."""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner, Result

from db.migrate import alembic_config
from tests.support.services import migrated_pg_url, pg_schema_url, redis_db_url
from workers import faults
from workers.cli import main

SECRET = "s3cret-do-not-print"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples"


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]
    needs: frozenset[str]  # db, redis, inbox
    long_running: bool = False
    healthy_code: int = 0  # its exit code when nothing is broken (`show` of no article: 1)


COMMANDS = {
    "up": Command(
        ("up", "--workers", "1", "--monitor-port", "0"), frozenset({"db", "redis", "inbox"}), True
    ),
    "migrate": Command(("migrate",), frozenset({"db"})),
    "watch": Command(("watch",), frozenset({"db", "redis", "inbox"}), True),
    "sweep": Command(("sweep",), frozenset({"db", "redis"}), True),
    "monitor": Command(("monitor", "--port", "0"), frozenset({"db"}), True),
    "ingest": Command(("ingest", "{sample}"), frozenset({"db", "redis", "inbox"})),
    "extract": Command(("extract", "{sample}"), frozenset()),
    "status": Command(("status", "--json"), frozenset({"db", "redis"})),
    "status-table": Command(("status",), frozenset({"db", "redis"})),
    "export": Command(("export",), frozenset({"db"})),
    "failed list": Command(("failed", "list", "--json"), frozenset({"db"})),
    "failed retry": Command(("failed", "retry", "--all"), frozenset({"db", "redis", "inbox"})),
    "export filtered": Command(("export", "--since", "2026-01-01"), frozenset({"db"})),
    "search": Command(("search", "harbour", "--entity", "Vella"), frozenset({"db"})),
    "show": Command(("show", "1"), frozenset({"db"}), healthy_code=1),
    "quotes": Command(("quotes", "--speaker", "Clara Vella"), frozenset({"db"})),
    "entities": Command(("entities", "--top", "5"), frozenset({"db"})),
    "refingerprint": Command(("refingerprint",), frozenset({"db"})),
}
# Commands walked elsewhere: doctor reports faults as checks (test_doctor_names_every_fault).
WALKED_ELSEWHERE = {"doctor"}


@dataclass(frozen=True)
class Fault:
    breaks: str  # what it breaks: db, redis or inbox
    code: int
    # Commands that mend this fault by design (`migrate` creates the data dir and migrates).
    mended_by: frozenset[str] = field(default_factory=frozenset)


FAULTS = {
    "no data dir": Fault("db redis", faults.EXIT_FOLDER, frozenset({"migrate", "up"})),
    "database missing": Fault("db", faults.EXIT_DATABASE),
    "database unreachable": Fault("db", faults.EXIT_DATABASE),
    "database at an older schema": Fault("db", faults.EXIT_SCHEMA, frozenset({"migrate", "up"})),
    "database URL not a URL": Fault("db", faults.EXIT_CONFIG),
    "redis unreachable": Fault("redis", faults.EXIT_REDIS),
    "redis refuses the password": Fault("redis", faults.EXIT_REDIS),
    "redis URL not a Redis URL": Fault("redis", faults.EXIT_CONFIG),
    "inbox is not a folder": Fault("inbox", faults.EXIT_FOLDER),
}


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    yield from migrated_pg_url()


@pytest.fixture
def pg_old_url() -> Iterator[Callable[[], str]]:
    """A factory of a schema left at the first migration (made only when a case asks, and
    fresh each time: `migrate` mends it)."""
    made: list[Iterator[str]] = []

    def make() -> str:
        gen = pg_schema_url()
        made.append(gen)
        url = next(gen)
        command.upgrade(alembic_config(url), "0001")
        return url

    yield make
    for gen in made:
        next(gen, None)


@pytest.fixture(scope="module")
def redis_url() -> str:
    return redis_db_url()


@pytest.fixture
def healthy(tmp_path: Path, pg_url: str, redis_url: str) -> dict[str, str | None]:
    (tmp_path / "var").mkdir()
    return {
        "DROPWIRE_DATA_DIR": str(tmp_path / "var"),
        "DROPWIRE_INBOX": str(tmp_path / "inbox"),
        "DROPWIRE_DATABASE_URL": pg_url,
        "DROPWIRE_REDIS_URL": redis_url,
        "DROPWIRE_DONE_DIR": None,
        "DROPWIRE_FAILED_DIR": None,
    }


def faulty_env(
    name: str, env: dict[str, str | None], tmp_path: Path, pg_old_url: Callable[[], str]
) -> dict[str, str | None]:
    user_pg = f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1"
    changes: dict[str, Callable[[], dict[str, str | None]]] = {
        "no data dir": lambda: {
            "DROPWIRE_DATA_DIR": str(tmp_path / "never-ran"),
            "DROPWIRE_DATABASE_URL": None,
            "DROPWIRE_REDIS_URL": None,
        },
        "database missing": lambda: {"DROPWIRE_DATABASE_URL": f"{user_pg}:5432/no_such_db_x7"},
        "database unreachable": lambda: {"DROPWIRE_DATABASE_URL": f"{user_pg}:{dead_port()}/test"},
        "database at an older schema": lambda: {"DROPWIRE_DATABASE_URL": pg_old_url()},
        "database URL not a URL": lambda: {"DROPWIRE_DATABASE_URL": f"postgres//u:{SECRET}@db"},
        "redis unreachable": lambda: {
            "DROPWIRE_REDIS_URL": f"redis://:{SECRET}@127.0.0.1:{dead_port()}/0"
        },
        "redis refuses the password": lambda: {
            "DROPWIRE_REDIS_URL": f"redis://nobody:{SECRET}@127.0.0.1:6379/0"
        },
        "redis URL not a Redis URL": lambda: {
            "DROPWIRE_REDIS_URL": f"http://u:{SECRET}@127.0.0.1/"
        },
        "inbox is not a folder": lambda: {"DROPWIRE_INBOX": str(tmp_path / "inbox-file")},
    }
    (tmp_path / "inbox-file").write_text("a file where the inbox should be")
    return {**env, **changes[name]()}


@pytest.fixture(autouse=True)
def keep_signal_handlers() -> Iterator[None]:
    """`up` sets SIGINT/SIGTERM handlers before it meets a fault: give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run(args: tuple[str, ...], env: dict[str, str | None]) -> Result:
    sample = str(next(SAMPLE.glob("*.txt")))
    argv = [a.format(sample=sample) for a in args]
    return CliRunner().invoke(main, ["--log-level", "WARNING", *argv], env=env)


def cases() -> Iterator[tuple[str, str]]:
    for fault_name, fault in FAULTS.items():
        for cmd_name, cmd in COMMANDS.items():
            hit = bool(cmd.needs & set(fault.breaks.split())) and cmd_name not in fault.mended_by
            if hit or not cmd.long_running:  # a long-running command the fault spares runs on
                yield cmd_name, fault_name


@pytest.mark.parametrize(("cmd_name", "fault_name"), list(cases()))
def test_every_command_through_every_fault(
    cmd_name: str,
    fault_name: str,
    healthy: dict[str, str | None],
    tmp_path: Path,
    pg_old_url: Callable[[], str],
) -> None:
    cmd, fault = COMMANDS[cmd_name], FAULTS[fault_name]
    result = run(cmd.args, faulty_env(fault_name, healthy, tmp_path, pg_old_url))
    hit = bool(cmd.needs & set(fault.breaks.split())) and cmd_name not in fault.mended_by
    if not hit:
        assert result.exit_code == cmd.healthy_code, (result.stderr, result.exception)
        return
    assert result.exit_code == fault.code, (result.exit_code, result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert SECRET not in result.output + result.stderr
    assert ": " in lines[0][len("Error: ") :], "names what is wrong, then what to do"


@pytest.mark.parametrize("cmd_name", [n for n, c in COMMANDS.items() if not c.long_running])
def test_every_short_command_succeeds_without_a_fault(
    cmd_name: str, healthy: dict[str, str | None]
) -> None:
    result = run(COMMANDS[cmd_name].args, healthy)
    assert result.exit_code == COMMANDS[cmd_name].healthy_code, (result.stderr, result.exception)


def test_every_command_of_the_cli_is_walked() -> None:
    walked = {c.args[0] for c in COMMANDS.values()} | WALKED_ELSEWHERE
    assert set(main.commands) <= walked, set(main.commands) - walked


def test_debug_shows_the_traceback(
    healthy: dict[str, str | None], tmp_path: Path, pg_old_url: Callable[[], str]
) -> None:
    env = faulty_env("database unreachable", healthy, tmp_path, pg_old_url)
    plain = CliRunner().invoke(main, ["export"], env=env)
    debug = CliRunner().invoke(main, ["--debug", "export"], env=env)
    assert plain.exit_code == debug.exit_code == faults.EXIT_DATABASE
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr and "OperationalError" in debug.stderr


def test_a_bug_is_not_dressed_up_as_a_fault() -> None:
    assert faults.translate(ZeroDivisionError("x")) is None
    assert faults.translate(KeyError("x")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("redis://:pw@h:6379/0", "redis://:***@h:6379/0"),
        ("postgresql+psycopg://u:p%40ss@h/db", "postgresql+psycopg://u:***@h/db"),
        ("at redis://u:x@h and sqlite:///var/db", "at redis://u:***@h and sqlite:///var/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
)
def test_mask(text: str, expected: str) -> None:
    assert faults.mask(text) == expected


# The doctor reports instead of stopping at the first fault: each fault is a failing check.
DOCTOR_FINDS = {
    "no data dir": {"redis", "database"},
    "database missing": {"database"},
    "database unreachable": {"database"},
    "database at an older schema": {"database"},
    "database URL not a URL": {"database"},
    "redis unreachable": {"redis"},
    "redis refuses the password": {"redis"},
    "redis URL not a Redis URL": {"redis"},
    "inbox is not a folder": {"folders"},
}


@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_doctor_names_every_fault(
    fault_name: str,
    healthy: dict[str, str | None],
    tmp_path: Path,
    pg_old_url: Callable[[], str],
) -> None:
    env = faulty_env(fault_name, healthy, tmp_path, pg_old_url)
    args = ("doctor", "--json", "--skip", "workers", "--skip", "spacy_model")
    healthy_run = run(args, healthy)
    assert healthy_run.exit_code == 0, healthy_run.stdout
    result = run(args, env)
    assert result.exit_code == faults.EXIT_DOCTOR, (result.stdout, result.stderr)
    failing = {c["name"] for c in json.loads(result.stdout)["checks"] if c["status"] == "fail"}
    assert failing == DOCTOR_FINDS[fault_name]
    assert SECRET not in result.output + result.stderr
