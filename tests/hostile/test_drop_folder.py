"""A hostile drop folder: every kind in `entries.catalogue()` dropped into a running service
on PostgreSQL and real Redis, next to real articles, with the settings a user gets.

For each entry: it ends stored with clean fields, or failed with a specific reason (never a
generic error); the real articles are all stored; every face keeps answering (the CLI's
status, failed list and export, the monitor's JSON, metrics and page); nothing outside the
inbox tree is read, written or moved, even with done/ swapped for a link out of the tree.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.models import Article, LedgerEntry, State
from db.session import make_engine, make_session_factory, transaction
from tests.faults.conftest import FAULT_ENV, article_text
from tests.hostile.entries import GENERIC, Hostile, catalogue, write
from tests.support.service import Service, running_service, wait_for
from tests.support.services import pg_schema_url, redis_db_url

pytestmark = pytest.mark.hostile
REAL = 12
SECRET = b"root-secret: this text must never reach the database\n"
# The defaults a user gets; one worker process per queue on this 2-core machine.
ENV = {k: v for k, v in FAULT_ENV.items() if k != "DROPWIRE_WORKER_IMPORTS"}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    schemas = pg_schema_url()
    env = {**ENV, "DROPWIRE_REDIS_URL": redis_db_url(), "DROPWIRE_DATABASE_URL": next(schemas)}
    with running_service(tmp_path, **env) as svc:
        yield svc
    next(schemas, None)


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under `root` with its size and mtime, links not followed."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            st = os.lstat(os.path.join(folder, name))
            out[os.path.join(folder, name)] = (st.st_size, st.st_mtime_ns)
    return out


def _rows(svc: Service) -> tuple[list[LedgerEntry], list[Article]]:
    engine = make_engine(svc.env["DROPWIRE_DATABASE_URL"], readonly=True)
    try:
        with transaction(make_session_factory(engine)) as s:
            rows = list(s.scalars(select(LedgerEntry).where(LedgerEntry.parent_id.is_(None))))
            articles = list(s.scalars(select(Article)))
            return rows, articles
    finally:
        engine.dispose()


def _unsettled(svc: Service, names: set[str]) -> list[str]:
    """What is not finished yet: names without a final row, and rows still in flight."""
    rows, _ = _rows(svc)
    final = {r.source_path for r in rows if r.state in State.TERMINAL}
    waiting = [f"{n!r}: not recorded or not finished" for n in sorted(names - final)]
    return waiting + [
        f"{r.source_path!r}: {r.state}" for r in rows if r.state not in State.TERMINAL
    ]


def _wait_settled(svc: Service, names: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while left := _unsettled(svc, names):
        if time.monotonic() > deadline:
            raise AssertionError("not settled:\n" + "\n".join(left[:40]) + "\n" + svc.log()[-3000:])
        time.sleep(1.0)


def _stored_twice(svc: Service, names: set[str]) -> bool:
    rows, _ = _rows(svc)
    done = [r.source_path for r in rows if r.state == State.DONE and r.source_path in names]
    return all(done.count(n) == 2 for n in names)


def _http(svc: Service, path: str) -> tuple[int, bytes]:
    url = f"http://127.0.0.1:{svc.env['DROPWIRE_MONITOR_PORT']}{path}"
    with urllib.request.urlopen(url, timeout=30) as reply:
        return reply.status, reply.read()


@pytest.mark.timeout(1800)
def test_a_hostile_drop_folder_next_to_real_articles(
    service: Service, tmp_path: Path, samples: dict[str, bytes]
) -> None:
    outside = tmp_path / "outside"
    (outside / "trap").mkdir(parents=True)
    (outside / "secret.txt").write_bytes(SECRET)
    before = _tree(outside)
    inbox = service.inbox
    # done/ swapped for a link out of the tree: stored files must not follow it.
    os.rename(inbox / "done", tmp_path / "old-done")
    os.symlink(outside / "trap", inbox / "done")

    hostile = catalogue()
    real = {f"real-{i:02d}.txt": article_text(700 + i, 120) for i in range(REAL - 2)}
    real.update({f"sample-{n}": data for n, data in samples.items()})
    for entry in hostile:
        entry.plant(inbox, outside)
    for entry in hostile:
        if entry.later is not None:
            entry.later(inbox, outside)
    for name, data in real.items():
        service.drop(name, data)
    names = {e.text for e in hostile} | set(real)
    _wait_settled(service, names, 900)

    # The same names again with new content: their twins are already in done/.
    twins = [e for e in hostile if e.kind in ("255-byte name", "name not UTF-8")]
    for n, entry in enumerate(twins):
        write(entry.name, article_text(950 + n))(inbox, outside)
    wait_for(lambda: _stored_twice(service, {e.text for e in twins}), 300, "the twins stored")

    rows, articles = _rows(service)
    _check_entries(hostile, rows)
    by_ledger = {a.ledger_id: a for a in articles}
    stored = {r.source_path for r in rows if r.state == State.DONE}
    assert set(real) <= stored, set(real) - stored
    for article in articles:
        _check_clean(article)
    assert not any(SECRET.decode().strip() in a.body for a in articles)
    assert not any("root:x:0:0" in a.body for a in articles)
    assert _tree(outside) == before, "something outside the inbox changed"
    assert not (tmp_path / "PWNED").exists() and not (inbox / "PWNED").exists()
    _check_faces(service, len(by_ledger))
    for entry in hostile:
        for sock in entry.keeps_open:
            sock.close()


def _check_entries(hostile: list[Hostile], rows: list[LedgerEntry]) -> None:
    by_path: dict[str, list[LedgerEntry]] = {}
    for r in rows:
        by_path.setdefault(r.source_path, []).append(r)
    problems = []
    for entry in hostile:
        found = [r for r in by_path.get(entry.text, []) if r.reason_code != "changed"]
        outcomes = {(r.state, r.reason_code) for r in found}
        ok = bool(found) and all(_acceptable(entry, state, code) for state, code in outcomes)
        if not ok:
            problems.append(f"{entry.kind}: {sorted(outcomes, key=str)}")
    assert not problems, "\n".join(problems)


def _acceptable(entry: Hostile, state: str, code: str | None) -> bool:
    if code in GENERIC:
        return False
    if state == State.DONE:
        return entry.expect in ("done", "either")
    if state == State.FAILED:
        return entry.expect in ("failed", "either") and code in entry.codes
    return state == State.SPLIT and entry.expect != "failed"


def _check_clean(article: Article) -> None:
    for field in ("title", "byline", "body", "dateline", "source"):
        value = getattr(article, field) or ""
        assert "\x00" not in value and "\x1b" not in value, (field, value[:80])
        value.encode("utf-8")  # no lone surrogates
    # The path is the file's real name (control characters and all, escaped by every face),
    # always valid text.
    article.source_path.encode("utf-8")


def _check_faces(svc: Service, stored: int) -> None:
    for args in (["status"], ["failed", "list"], ["export"]):
        result = svc.cli_result(*args, timeout=120)
        assert result.returncode == 0, (args, result.stderr[-2000:])
        assert "\x1b[2J" not in result.stdout  # a title's escape never reaches the terminal
    snapshot = json.loads(svc.cli("status", "--json", timeout=120))
    assert snapshot["articles"]["failed"] > 0
    failures: list[dict[str, Any]] = json.loads(svc.cli("failed", "list", "--json"))
    assert all(f["reason"] for f in failures)
    assert len(svc.export()) == stored
    status, body = _http(svc, "/api/status")
    assert status == 200 and len(body) < 200_000, len(body)  # small, whatever the input
    status, metrics = _http(svc, "/metrics")
    assert status == 200 and b"dropwire_queue_depth" in metrics
    status, _page = _http(svc, "/")
    assert status == 200
