"""The status snapshot and its faces (`status`, `status --json`, `failed list`, metrics) on a
real database (SQLite and PostgreSQL) and a real Redis, with hostile rows in the ledger and
articles tables and hostile file names waiting in the inbox.

What they prove: the JSON keeps every name the contract fixes; the snapshot's size follows
the number of rows, not their content; no face crashes on Rich markup or passes a terminal
escape through raw; a name that is not UTF-8 is looked up by its ledger key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from tests.support.hostile import (
    ESC,
    FAILED_PATHS,
    LONG_REASON,
    MARKUP_PATH,
    TITLES,
    insert_hostile_rows,
    local_settings,
    make_hostile_inbox,
)
from workers.cli import main
from workers.metrics import metrics_text
from workers.runtime import Runtime
from workers.settings import Settings
from workers.snapshot import TEXT_LIMIT, Snapshot, to_json
from workers.status import collect
from workers.tracker import WorkerTracker

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return local_settings(tmp_path, database_url)


def snapshot(settings: Settings, sessions: sessionmaker[Session]) -> Snapshot:
    runtime = Runtime.from_settings(settings)
    broker = runtime.new_broker()
    return collect(settings, sessions, broker, WorkerTracker(runtime.app, timeout=0.2))


def test_json_keeps_every_contract_name(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    snap = to_json(snapshot(settings, sessions))
    # DESIGN.md §3, fixed for other tools.
    assert {"ingest", "nlp"} <= set(snap["queues"])
    assert all("depth" in q for q in snap["queues"].values())
    assert isinstance(snap["workers"], list)
    assert {"done", "failed", "duplicates", "queued"} <= set(snap["articles"])
    assert isinstance(snap["throughput_per_min"], float)
    assert set(snap["latency_seconds"]) == {"p50", "p95"}
    # What the dashboard and the existing tests read.
    page = {
        "generated_at", "broker_up", "workers_lost", "files", "throughput", "nlp_seconds",
        "gone_quiet", "quiet_for_seconds", "recent_articles", "recent_failures", "monitor",
        "ledger_states", "last_stored_at", "quiet_after_seconds",
    }  # fmt: skip
    assert page <= set(snap)
    assert set(snap["throughput"]) == {"1m", "5m", "15m"}
    assert snap["throughput"]["1m"] == snap["throughput_per_min"]
    assert {"seen", "pending", "in_flight", "unsent_in_inbox", "inbox_backlog"} <= set(
        snap["files"]
    )
    queue = {"depth", "unacked", "oldest_age_seconds", "workers", "ledger_in_flight", "consuming"}
    assert set(snap["queues"]["ingest"]) == queue
    assert snap["broker_up"] is True and snap["monitor"] is None
    json.dumps(snap, allow_nan=False)  # plain JSON values only


def test_snapshot_size_follows_rows_not_content(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    inserted = insert_hostile_rows(sessions)
    snap = snapshot(settings, sessions)
    body = json.dumps(to_json(snap))
    # Two 3 MB texts went in; what comes out is bounded by rows × TEXT_LIMIT.
    assert len(body) < 60_000, len(body)
    titles = {a.id: a.title or "" for a in snap.recent_articles}
    assert set(titles) == set(inserted.article_ids)
    assert all(len(t) <= TEXT_LIMIT for t in titles.values())
    assert sorted(titles.values())[0] in TITLES  # short titles come through whole
    long_title = max(titles.values(), key=len)
    assert long_title == "T" * (TEXT_LIMIT - 1) + "…"
    failures = {f.id: f for f in snap.recent_failures}
    assert set(failures) == set(inserted.failed_ids)
    assert {f.source_path for f in failures.values()} >= set(FAILED_PATHS[1:])
    assert all(len(f.reason or "") <= TEXT_LIMIT for f in failures.values())
    assert all(len(f.source_path) <= TEXT_LIMIT for f in failures.values())
    assert snap.articles.failed == len(FAILED_PATHS) and snap.articles.done == len(TITLES)


def test_inbox_backlog_looks_up_non_utf8_names_by_their_ledger_key(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """A name that is not UTF-8 waits in the inbox; PostgreSQL refuses a lone surrogate, so
    a walk that passed one would fail the snapshot. The same name already in the ledger (as
    `caf\\xe9 \\xff.txt`) must count as known, the two others as not yet sent."""
    insert_hostile_rows(sessions)
    make_hostile_inbox(settings.inbox)
    snap = snapshot(settings, sessions)
    assert snap.files.unsent_in_inbox == 2
    assert snap.files.inbox_backlog == 2 and not snap.files.inbox_scan_truncated


def test_metrics_read_the_same_snapshot(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    insert_hostile_rows(sessions)
    text = metrics_text(snapshot(settings, sessions)).decode()
    assert 'dropwire_queue_depth{queue="ingest"} 0.0' in text
    assert f'dropwire_files{{state="failed"}} {float(len(FAILED_PATHS))}' in text
    assert f'dropwire_files{{state="done"}} {float(len(TITLES))}' in text
    assert "dropwire_throughput_per_minute{window=" in text
    assert "dropwire_latency_seconds{quantile=" in text


def _env(settings: Settings) -> dict[str, str]:
    return {
        "DROPWIRE_DATABASE_URL": settings.effective_database_url,
        "DROPWIRE_REDIS_URL": settings.effective_redis_url,
        "DROPWIRE_INBOX": str(settings.inbox),
        "DROPWIRE_DATA_DIR": str(settings.data_dir),
        "COLUMNS": "2000",  # no wrapping inside a name, so the names can be looked for
    }


def _run(settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env=_env(settings), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_terminal_faces_print_markup_as_text_and_escape_controls(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    insert_hostile_rows(sessions)
    for args in (("status",), ("failed", "list")):
        out = _run(settings, *args)
        assert ESC not in out and "\x9b" not in out and "\u202e" not in out, args
        assert MARKUP_PATH in out, args  # markup printed as itself, not parsed (no crash)
        assert "clear\\x1b[2J\\x1b]0;pwned\\x07.txt" in out, args
        assert "line\\nbreak\\r.txt" in out, args
        assert "caf\\xe9 \\xff.txt" in out, args
        assert "…" in out and len(out) < 200_000, args  # the 3 MB reason is cut for a person
    assert "bidi\\u202etxt.exe" in out  # `failed list` shows all seven


def test_failed_list_json_keeps_the_whole_data(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    inserted = insert_hostile_rows(sessions)
    rows = json.loads(_run(settings, "failed", "list", "--json"))
    assert [r["id"] for r in rows] == sorted(inserted.failed_ids)
    by_path = {r["source_path"]: r for r in rows}
    assert set(by_path) == set(FAILED_PATHS)
    assert by_path[MARKUP_PATH]["reason"] == LONG_REASON
    assert {"id", "source_path", "reason", "attempts"} <= set(rows[0])


def test_status_json_is_the_snapshot(settings: Settings, sessions: sessionmaker[Session]) -> None:
    insert_hostile_rows(sessions)
    snap = json.loads(_run(settings, "status", "--json"))
    assert snap["articles"]["failed"] == len(FAILED_PATHS)
    assert all(len(a["title"]) <= TEXT_LIMIT for a in snap["recent_articles"])


def test_extract_prints_a_hostile_file_as_text(tmp_path: Path) -> None:
    """`dropwire extract` on a file in a folder named `a[` (so its path reads `a[/b] c.txt`)
    whose headline holds markup and an escape, then on a name that is not UTF-8."""
    folder = tmp_path / "a["
    folder.mkdir()
    story = (
        f"Markets [/b] close [red]higher{ESC}[2J\n\n"
        'LONDON (Wire) - Shares rose on Monday, said Anna Berg of the [bold]Bank. "We are '
        'pleased [/]," she told reporters.\n'
    ).encode()
    hostile = folder / "b] c.txt"
    hostile.write_bytes(story)
    odd = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(odd, "wb") as fh:
        fh.write(story)
    env = {"COLUMNS": "200"}
    for path in (str(hostile), os.fsdecode(odd)):
        result = CliRunner().invoke(main, ["extract", path], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert ESC not in result.output
        # (The pipeline's cleaning drops the escape from the title itself.)
        assert "Markets [/b] close [red]higher" in result.output
        assert "We are pleased [/]," in result.output
        as_json = CliRunner().invoke(main, ["extract", "--json", path], env=env)
        assert as_json.exit_code == 0, as_json.output
        assert json.loads(as_json.output)["title"].startswith("Markets [/b]")
