"""The stages on real databases and files, without Celery: idempotency and bad input."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db import ledger, queries
from db.models import Article, LedgerEntry, State
from db.session import transaction
from workers import service
from workers.runtime import Runtime
from workers.settings import Settings


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Runtime:
    settings = Settings(
        inbox=tmp_path / "inbox", data_dir=tmp_path / "var", database_url=database_url,
        redis_url="redis://unused", max_file_bytes=100_000,
    )  # fmt: skip
    settings.inbox.mkdir()
    return Runtime(settings)


def _drop(ctx: Runtime, name: str, data: bytes) -> int:
    path = ctx.settings.inbox / name
    path.write_bytes(data)
    sha, size = hashlib.sha256(data).hexdigest(), len(data)
    with transaction(ctx.sessions) as s:
        (row,) = ledger.register_files(s, [ledger.SeenFile(name, sha, size)], datetime.now(UTC))
        return row.id


def _run(ctx: Runtime, ledger_id: int) -> None:
    outcome = service.ingest(ctx, ledger_id)
    for nlp_id in outcome.to_nlp:
        service.analyse(ctx, nlp_id)


def _run_in_child(settings: Settings, ledger_id: int, start: Any) -> None:
    start.wait(timeout=30)
    _run(Runtime(settings), ledger_id)


def _count(sessions: sessionmaker[Session], model: type[object]) -> int:
    with transaction(sessions) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_task_twice_stores_once(ctx: Runtime, samples: dict[str, bytes]) -> None:
    data = next(iter(samples.values()))
    ledger_id = _drop(ctx, "wire.txt", data)
    _run(ctx, ledger_id)
    _run(ctx, ledger_id)  # a redelivery after success
    service.analyse(ctx, ledger_id)
    assert _count(ctx.sessions, Article) == 1
    assert (ctx.settings.resolved_done_dir / "wire.txt").read_bytes() == data
    assert not (ctx.settings.inbox / "wire.txt").exists()


def test_an_exact_copy_is_linked_without_nlp(
    ctx: Runtime, samples: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = next(iter(samples.values()))
    _run(ctx, _drop(ctx, "first.txt", data))
    calls: list[int] = []
    real = ctx.analyzer.analyze
    monkeypatch.setattr(ctx.analyzer, "analyze", lambda d: calls.append(1) or real(d))
    copy_id = _drop(ctx, "copy.txt", data.replace(b"\n\n", b"\n\n\n"))
    outcome = service.ingest(ctx, copy_id)
    assert outcome.to_nlp == [] and outcome.state == State.DONE
    assert calls == []
    with transaction(ctx.sessions) as s:
        records = {r["source_path"]: r for r in queries.export_articles(s)}
    assert records["copy.txt"]["duplicate_of"] == records["first.txt"]["id"]
    assert records["copy.txt"]["entities"] == records["first.txt"]["entities"]


def test_two_copies_dropped_at_once_store_one_canonical(
    ctx: Runtime, samples: dict[str, bytes]
) -> None:
    data = next(iter(samples.values()))
    ids = [_drop(ctx, f"copy{i}.txt", data) for i in range(2)]
    ctx.analyzer.nlp  # noqa: B018 - load the model before forking, as a worker pool would
    # Two processes, as in production (spaCy objects are not shared between threads).
    start = multiprocessing.get_context("fork").Barrier(2)
    procs = [
        multiprocessing.get_context("fork").Process(
            target=_run_in_child, args=(ctx.settings, i, start)
        )
        for i in ids
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    with transaction(ctx.sessions) as s:
        records = list(queries.export_articles(s))
    assert len(records) == 2
    assert sorted(r["duplicate_of"] is None for r in records) == [False, True]
    assert len({r["cluster_id"] for r in records}) == 1


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "empty"),
        ("binary.txt", bytes(range(256)) * 20, "binary"),
        ("huge.txt", b"word " * 30_000, "too_large"),
    ],
)
def test_bad_input_ends_in_failed_with_a_reason(
    ctx: Runtime, name: str, data: bytes, code: str
) -> None:
    ledger_id = _drop(ctx, name, data)
    _run(ctx, ledger_id)
    with transaction(ctx.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        assert row is not None
        assert (row.state, row.reason_code) == (State.FAILED, code)
        assert row.reason
    assert (ctx.settings.resolved_failed_dir / name).read_bytes() == data
    assert not (ctx.settings.inbox / name).exists()


def test_a_value_the_database_refuses_is_a_permanent_failure_with_its_reason(
    ctx: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever reaches the store that the database cannot hold (a NUL on PostgreSQL) fails
    the file at once with the database's reason, instead of retries ending in `gave_up`."""
    from types import SimpleNamespace

    from workers import tasks

    ledger_id = _drop(ctx, "nul.txt", b"A report\n\nThe council met on Monday.\n")
    service.ingest(ctx, ledger_id)
    # A value past every cleaning step, as a bug or a new reader might let through.
    real = service.draft_from_json
    monkeypatch.setattr(
        service, "draft_from_json", lambda d: dataclasses.replace(real(d), title="Mon\x00day")
    )
    task = SimpleNamespace(
        app=SimpleNamespace(dropwire_settings=ctx.settings),
        request=SimpleNamespace(hostname="test@host", retries=0),
    )
    tasks._run(task, ledger_id, service.analyse)  # type: ignore[arg-type]
    with transaction(ctx.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        assert row is not None
        if database_url.startswith("postgresql"):
            assert (row.state, row.reason_code) == (State.FAILED, "db_refused"), row.reason
            assert "0x00" in (row.reason or "") or "NUL" in (row.reason or ""), row.reason
        else:  # SQLite stores a NUL as it is
            assert row.state == State.DONE
