"""`dropwire doctor`: each check against a real PostgreSQL and Redis, and against the fault it
is there to find."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import nodes
from db.session import make_engine, make_session_factory, transaction
from tests.support.services import migrated_pg_url, pg_schema_url, redis_db_url
from workers import doctor
from workers.cli import main
from workers.clock import utcnow
from workers.faults import EXIT_DOCTOR
from workers.queues import QUEUES
from workers.settings import Settings

SECRET = "s3cret-do-not-print"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    yield from migrated_pg_url()


@pytest.fixture
def settings(tmp_path: Path, pg_url: str) -> Settings:
    (tmp_path / "var").mkdir()
    return Settings(
        data_dir=tmp_path / "var",
        inbox=tmp_path / "inbox",
        database_url=pg_url,
        redis_url=redis_db_url(),
    )


def beat(url: str, name: str, queues: tuple[str, ...], age: float) -> None:
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as s:
        nodes.beat(s, name, "host", 1, queues, utcnow() - timedelta(seconds=age))
    engine.dispose()


def env_of(settings: Settings) -> dict[str, str | None]:
    return {
        "DROPWIRE_DATA_DIR": str(settings.data_dir),
        "DROPWIRE_INBOX": str(settings.inbox),
        "DROPWIRE_DATABASE_URL": settings.database_url,
        "DROPWIRE_REDIS_URL": settings.redis_url,
    }


def test_workers_check_wants_a_live_node_on_every_queue(settings: Settings, pg_url: str) -> None:
    beat(pg_url, f"ingest-{os.getpid()}", ("ingest",), age=0)
    partial = doctor.check_workers(settings)
    assert partial.status == "fail" and "nlp" in partial.detail, partial
    beat(pg_url, f"nlp-stale-{os.getpid()}", ("nlp",), age=settings.node_timeout + 5)
    assert doctor.check_workers(settings).status == "fail", "a stale heartbeat is no worker"
    beat(pg_url, f"nlp-{os.getpid()}", ("nlp",), age=0)
    assert doctor.check_workers(settings).status == "ok"


def test_a_sound_deployment_passes_every_check(settings: Settings, pg_url: str) -> None:
    for q in QUEUES:
        beat(pg_url, f"{q}-sound-{os.getpid()}", (q,), age=0)
    result = CliRunner().invoke(main, ["doctor", "--json"], env=env_of(settings))
    report = json.loads(result.stdout)
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses.keys() == doctor.CHECKS.keys()
    assert all(s == "ok" for s in statuses.values()), report
    assert result.exit_code == 0 and report["status"] == "ok"


def test_a_failing_check_fails_the_doctor_and_says_what_to_do(settings: Settings) -> None:
    env = {**env_of(settings), "DROPWIRE_REDIS_URL": f"redis://:{SECRET}@127.0.0.1:1/0"}
    skip = ["--skip", "spacy_model", "--skip", "workers"]
    result = CliRunner().invoke(main, ["doctor", "--json", *skip], env=env)
    assert result.exit_code == EXIT_DOCTOR
    report = json.loads(result.stdout)
    redis_check = next(c for c in report["checks"] if c["name"] == "redis")
    assert redis_check["status"] == "fail" and redis_check["fix"], redis_check
    assert SECRET not in result.stdout + result.stderr
    assert {c["name"] for c in report["checks"]}.isdisjoint({"spacy_model", "workers"})


def test_database_behind_its_migrations_fails(settings: Settings) -> None:
    gen = pg_schema_url()
    empty = next(gen)  # a schema never migrated
    try:
        check = doctor.check_database(settings.model_copy(update={"database_url": empty}))
    finally:
        next(gen, None)
    assert check.status == "fail" and "dropwire migrate" in check.fix, check


@pytest.mark.parametrize(
    ("policy", "status"),
    [("noeviction", "ok"), ("volatile-lru", "warn"), ("allkeys-lru", "fail")],
)
def test_eviction_policy(policy: str, status: str) -> None:
    assert doctor.policy_check(policy).status == status


def test_timeouts_out_of_order_fail_and_a_short_stuck_after_warns(settings: Settings) -> None:
    assert doctor.check_timeouts(settings).status == "ok"
    bad = settings.model_copy(update={"task_time_limit": settings.visibility_timeout + 1})
    assert doctor.check_timeouts(bad).status == "fail"
    early = settings.model_copy(update={"stuck_after": float(settings.visibility_timeout)})
    assert doctor.check_timeouts(early).status == "warn"


def test_an_inbox_that_is_a_file_fails(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    check = doctor.check_folders_writable(
        settings.model_copy(update={"inbox": tmp_path / "a-file"})
    )
    assert check.status == "fail" and "DROPWIRE_INBOX" in check.detail, check


def test_done_on_another_filesystem_fails(settings: Settings) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == settings.data_dir.stat().st_dev:
        pytest.skip("no second filesystem here")
    assert doctor.check_one_filesystem(settings).status == "ok"
    moved = settings.model_copy(update={"done_dir": shm / "dropwire-done"})
    assert doctor.check_one_filesystem(moved).status == "fail"


def test_disk_space_thresholds(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert doctor.check_disk_space(settings).status == "ok"
    monkeypatch.setattr(doctor, "WARN_FREE_BYTES", 1 << 62)
    assert doctor.check_disk_space(settings).status == "warn"
    monkeypatch.setattr(doctor, "FAIL_FREE_BYTES", 1 << 61)
    assert doctor.check_disk_space(settings).status == "fail"


def test_a_missing_spacy_model_fails(settings: Settings) -> None:
    check = doctor.check_spacy_model(settings.model_copy(update={"spacy_model": "no_such_model"}))
    assert check.status == "fail" and "DROPWIRE_SPACY_MODEL" in check.fix
