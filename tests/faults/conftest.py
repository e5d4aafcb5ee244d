"""The fault suite's common ground: short timeouts, private servers, the at-rest check.

Every scenario ends in `at_rest(...)`, written once here: every dropped file has exactly one
`done` or `failed` ledger row, no article is stored twice (by ledger id or by source path),
the queues and `unacked` are empty and no row is left pending/queued/processing/nlp. Its
figures (files, lost, duplicated, seconds to recover) are printed at the end of the run and
appended to a JSON-lines report (`DROPWIRE_FAULTS_REPORT`, default under pytest's temp dir).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from db.models import Article, LedgerEntry, State
from db.session import make_engine, make_session_factory, transaction
from tests.faults.servers import PostgresCluster, RedisServer, postgres_cluster, redis_server
from tests.support.service import Service, wait_for
from workers.settings import Settings

REPO = Path(__file__).resolve().parents[2]
# The settings a user gets: every timeout at its default (the service must recover by its own
# means, not by a visibility timeout tuned down to seconds). A scenario may tune only its
# fault, and says why. Two things are set: one worker process per queue (the 2-core machine
# also runs the test, PostgreSQL and Redis), and the test-only fault hooks.
DEFAULTS = ("min_file_age", "rescan_interval", "stuck_after", "sweep_interval")
FAULT_ENV = {
    **{f"DROPWIRE_{name.upper()}": str(Settings.model_fields[name].default) for name in DEFAULTS},
    "DROPWIRE_NLP_WORKERS": "1",
    "DROPWIRE_INGEST_WORKERS": "1",
    "DROPWIRE_WORKER_IMPORTS": json.dumps(["tests.faults.inject"]),
    "PYTHONPATH": str(REPO),  # the workers import tests.faults.inject from the checkout
}
IN_FLIGHT = (State.PENDING, State.QUEUED, State.PROCESSING, State.NLP)
_results: list[dict[str, Any]] = []


VOCAB = "harbour council budget river station school tariff league bridge clinic market ferry"
VOCAB += " orchard archive tunnel garden"
VOCAB_WORDS = VOCAB.split()


def article_text(n: int, words: int = 40) -> bytes:
    """A tiny, unique article: cheap for spaCy, never a near-duplicate of another."""
    body = " ".join(
        VOCAB_WORDS[(n * 7 + i * (n % 13 + 3)) % len(VOCAB_WORDS)] + str(n * 31 + i)
        for i in range(words)
    )
    return f"Report {n} from Springfield\n\nMayor Ada Brown spoke on {n}. {body}.\n".encode()


def drop_articles(svc: Service, names: Sequence[str], first: int = 0, kinds: int = 0) -> None:
    """Drop one small article per name (number `first` on; `kinds` > 0 repeats that many)."""
    for i, name in enumerate(names, start=first):
        svc.drop(name, article_text(i % kinds if kinds else i))


def stored(svc: Service) -> int:
    """Ledger rows `done` so far."""
    return ledger_states(svc.root, svc.env)[State.DONE]


def wait_stored(svc: Service, at_least: int, timeout: float = 60) -> int:
    """Wait until `at_least` rows are `done`; returns how many are."""
    wait_for(lambda: stored(svc) >= at_least, timeout, f"{at_least} files stored")
    return stored(svc)


def fault(kind: str) -> bytes:
    """A file the test-only hook turns into a raise, crash or hang (`kind@nlp`: in NLP)."""
    return f"#dropwire-fault:{kind}\n\nThis file misbehaves on purpose ({kind}).\n".encode()


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresCluster]:
    """A private PostgreSQL cluster for the whole run (scenarios stop and start it)."""
    with postgres_cluster() as cluster:
        yield cluster


_db_counter = iter(range(1, 10_000))


@pytest.fixture
def pg_url(pg: PostgresCluster) -> str:
    pg.start() if not _pg_up(pg) else None
    return pg.create_database(f"faults_{os.getpid()}_{next(_db_counter)}")


def _pg_up(pg: PostgresCluster) -> bool:
    return (pg.data / "postmaster.pid").exists()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A private, persistent (AOF) Redis the test may kill and restart."""
    with redis_server(tmp_path / "redis", appendonly=True) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> dict[str, str]:
    """Both databases: {} (SQLite under the data dir) or a fresh private PostgreSQL database."""
    if request.param == "sqlite":
        return {}
    return {"DROPWIRE_DATABASE_URL": request.getfixturevalue("pg_url")}


def fault_env(**extra: str) -> dict[str, str]:
    return {**FAULT_ENV, **extra}


# --------------------------------------------------------------------------- the check


@dataclass
class Figures:
    scenario: str
    files: int
    done: int = 0
    failed: int = 0
    lost: int = 0
    duplicated: int = 0
    recover_s: float = 0.0
    total_s: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)


def _urls(root: Path, env: dict[str, str]) -> tuple[str, str]:
    db = env.get("DROPWIRE_DATABASE_URL") or f"sqlite:///{(root / 'var' / 'dropwire.db')}"
    redis_url = env.get("DROPWIRE_REDIS_URL")
    if not redis_url:
        redis_url = json.loads((root / "var" / "redis.json").read_text())["url"]
    return db, redis_url


@dataclass
class _Snapshot:
    rows: list[tuple[int, str, str, str | None, str | None, int | None]]
    articles: list[tuple[int, str]]
    queues: dict[str, int]

    def rows_by_path(self) -> dict[str, list[tuple[int, str, str, str | None, str | None]]]:
        out: dict[str, list[tuple[int, str, str, str | None, str | None]]] = {}
        for ledger_id, path, state, code, stored, parent in self.rows:
            if parent is None:
                out.setdefault(path, []).append((ledger_id, path, state, code, stored))
        return out


def _snapshot(sessions: Any, client: redis.Redis) -> _Snapshot:
    with transaction(sessions) as s:
        rows = [
            (r.id, r.source_path, r.state, r.reason_code, r.stored_path, r.parent_id)
            for r in s.scalars(select(LedgerEntry))
        ]
        articles = [(a, p) for a, p in s.execute(select(Article.ledger_id, Article.source_path))]
    try:
        queues = {
            "ingest": int(client.llen("ingest")),
            "nlp": int(client.llen("nlp")),
            "unacked": int(client.hlen("unacked")),
        }
    except redis.RedisError:
        queues = {"ingest": -1, "nlp": -1, "unacked": -1}
    return _Snapshot(rows, articles, queues)


def _final_rows(rows: list[tuple[int, str, str, str | None, str | None]]) -> list[Any]:
    """A row closed as `changed` was superseded by a newer content of the same path."""
    return [r for r in rows if r[3] != "changed"]


def _settled(snap: _Snapshot, names: set[str], inbox: Path) -> bool:
    if any((inbox / n).exists() for n in names):
        return False
    by_path = snap.rows_by_path()
    if any(state in IN_FLIGHT for _, _, state, _, _, _ in snap.rows):
        return False
    if any(v != 0 for v in snap.queues.values()):
        return False
    return all(
        len(_final_rows(by_path.get(n, []))) == 1
        and _final_rows(by_path[n])[0][2] in (State.DONE, State.FAILED)
        for n in names
    )


def at_rest(
    root: Path,
    env: dict[str, str],
    names: Iterable[str],
    *,
    scenario: str,
    fault_over: float,
    started: float | None = None,
    timeout: float = 120,
    failed: Iterable[str] = (),
    notes: dict[str, Any] | None = None,
) -> Figures:
    """Wait (up to `timeout`) until the service is at rest, then check it; record figures.

    `fault_over` is the monotonic time the fault ended: recovery time is measured from it.
    `failed` names the files expected to end `failed`; every other file must be `done`.
    """
    wanted, expect_failed = set(names), set(failed)
    db_url, redis_url = _urls(root, env)
    engine = make_engine(db_url, readonly=True)
    sessions = make_session_factory(engine)
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
    deadline = time.monotonic() + timeout
    while True:
        snap = _snapshot(sessions, client)
        if _settled(snap, wanted, root / "inbox") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    recover = time.monotonic() - fault_over
    engine.dispose()

    by_path = snap.rows_by_path()
    final = {n: _final_rows(by_path.get(n, [])) for n in wanted}
    per_ledger = Counter(ledger_id for ledger_id, _ in snap.articles)
    per_path = Counter(path for _, path in snap.articles)
    figures = Figures(
        scenario=scenario,
        files=len(wanted),
        done=sum(1 for rows in final.values() if rows and rows[0][2] == State.DONE),
        failed=sum(1 for rows in final.values() if rows and rows[0][2] == State.FAILED),
        lost=sum(1 for rows in final.values() if not rows),
        duplicated=sum(n - 1 for n in per_path.values() if n > 1)
        + sum(n - 1 for n in per_ledger.values() if n > 1),
        recover_s=round(recover, 1),
        total_s=round(time.monotonic() - (started or fault_over), 1),
        notes=notes or {},
    )
    _record(figures)

    stuck = Counter(state for _, _, state, _, _, _ in snap.rows if state in IN_FLIGHT)
    problems: list[str] = []
    if stuck:
        problems.append(f"rows stuck in flight: {dict(stuck)}")
    if any(v != 0 for v in snap.queues.values()):
        problems.append(f"queues not empty: {snap.queues}")
    twice = {n: [r[2] for r in rows] for n, rows in final.items() if len(rows) != 1}
    if twice:
        problems.append(f"files without exactly one final row: {dict(list(twice.items())[:10])}")
    if figures.duplicated:
        problems.append(f"articles stored twice: {figures.duplicated}")
    done_ids = {r[0][0] for r in final.values() if r and r[0][2] == State.DONE}
    missing_article = done_ids - set(per_ledger)
    if missing_article:
        problems.append(f"done rows without an article: {sorted(missing_article)[:10]}")
    wrong = sorted(
        n
        for n, rows in final.items()
        if rows and (rows[0][2] == State.FAILED) != (n in expect_failed)
    )
    if wrong:
        detail = {n: (final[n][0][2], final[n][0][3]) for n in wrong[:10]}
        problems.append(f"unexpected outcome: {detail}")
    moved = [n for n, rows in final.items() if rows and not _file_where_ledger_says(rows[0])]
    if moved:
        problems.append(f"file not where the ledger says: {moved[:10]}")
    inbox = root / "inbox"
    left = [n for n in wanted if (inbox / n).exists()]
    if left:
        problems.append(f"files left in the inbox: {left[:10]}")
    assert not problems, f"{scenario}: not at rest: {'; '.join(problems)} ({figures})"
    return figures


def _file_where_ledger_says(row: tuple[int, str, str, str | None, str | None]) -> bool:
    stored = row[4]
    return stored is not None and Path(stored).is_file()


def count_articles(root: Path, env: dict[str, str]) -> int:
    db_url, _ = _urls(root, env)
    engine = make_engine(db_url, readonly=True)
    try:
        with transaction(make_session_factory(engine)) as s:
            return int(s.scalar(select(func.count()).select_from(Article)) or 0)
    finally:
        engine.dispose()


def ledger_states(root: Path, env: dict[str, str]) -> Counter[str]:
    db_url, _ = _urls(root, env)
    engine = make_engine(db_url, readonly=True)
    try:
        with transaction(make_session_factory(engine)) as s:
            query = select(LedgerEntry.state, func.count()).group_by(LedgerEntry.state)
            return Counter({state: int(n) for state, n in s.execute(query).tuples()})
    finally:
        engine.dispose()


def _record(figures: Figures) -> None:
    line = asdict(figures)
    _results.append(line)
    report = os.environ.get("DROPWIRE_FAULTS_REPORT")
    if report:
        with open(report, "a") as fh:
            fh.write(json.dumps(line) + "\n")
    print(f"\nFAULTS {json.dumps(line)}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _results:
        return
    terminalreporter.section("fault scenarios: files, lost, duplicated, time to recover")
    for r in _results:
        notes = f"  {r['notes']}" if r["notes"] else ""
        terminalreporter.write_line(
            f"{r['scenario']:<44} files {r['files']:>6}  done {r['done']:>6}  "
            f"failed {r['failed']:>3}  lost {r['lost']}  duplicated {r['duplicated']}  "
            f"recovered in {r['recover_s']} s (total {r['total_s']} s){notes}"
        )
