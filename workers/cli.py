"""The `dropwire` command (names and flags are a contract: DESIGN.md §3)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from db import ledger, queries
from db.migrate import upgrade
from db.models import State
from db.session import transaction
from workers.files import Folders
from workers.runtime import Runtime
from workers.settings import Settings, load_settings
from workers.watcher import build_watcher

console = Console(stderr=True)


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        raise click.ClickException(f"bad settings: {exc}") from exc


def _sessions(settings: Settings, *, readonly: bool = False) -> Any:
    runtime = Runtime.from_settings(settings)
    return runtime.read_sessions if readonly else runtime.sessions


def _broker(settings: Settings) -> Any:
    try:
        return Runtime.from_settings(settings).new_broker()
    except RuntimeError as exc:  # no Redis URL and no embedded server to find
        raise click.ClickException(str(exc)) from exc


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@click.group()
@click.option("--log-level", default="INFO", show_default=True)
def main(log_level: str) -> None:
    """Dropwire: news files in a drop folder → extracted, deduplicated articles in SQL."""
    _setup_logging(log_level)


# ---------------------------------------------------------------------------- service


@main.command()
@click.option("--inbox", type=click.Path(path_type=Path), help="Drop folder to watch")
@click.option("--workers", "nlp_workers", type=int, help="NLP worker processes (default: CPUs)")
@click.option("--monitor-port", type=int, help="Monitor port on 127.0.0.1 (default 8787)")
def up(inbox: Path | None, nlp_workers: int | None, monitor_port: int | None) -> None:
    """Run watcher, workers and monitor until Ctrl-C."""
    from workers.supervisor import run_service

    settings = _settings(inbox=inbox, nlp_workers=nlp_workers, monitor_port=monitor_port)
    sys.exit(run_service(settings, console))


@main.command()
def migrate() -> None:
    """Apply the database migrations and exit."""
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    console.print("database is at the latest schema")


@main.command()
@click.option("--batch", default=200, show_default=True, help="Articles per transaction.")
def refingerprint(batch: int) -> None:
    """Re-fingerprint stored articles under the current dedup scheme, the service running."""
    from db.refingerprint import refingerprint_batch

    sessions = _sessions(_settings())
    done = 0
    while True:
        with transaction(sessions) as session:  # one batch a commit: workers go on between
            count = refingerprint_batch(session, batch)
        if not count:
            break
        done += count
        click.echo(f"re-fingerprinted {done}")
    click.echo(f"done: {done} articles re-fingerprinted")


@main.command()
def watch() -> None:
    """Run the watcher (and sweeper) alone, for a deployment with separate processes."""
    settings = _settings()
    runtime = Runtime.from_settings(settings)
    watcher = build_watcher(runtime, _broker(settings))
    _run_until_signal(watcher.run)


@main.command()
def sweep() -> None:
    """Run the sweeper alone: re-send ledger rows stuck in flight."""
    from workers.sweeper import sweeper_for

    settings = _settings()
    sweep_now = sweeper_for(settings, _sessions(settings), _broker(settings))

    def loop(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sweep_now()
            except Exception:
                logging.getLogger(__name__).exception("sweep failed; will retry")
            stop.wait(settings.sweep_interval)

    _run_until_signal(loop)


@main.command()
@click.option("--host", help="Bind address (default 127.0.0.1)")
@click.option("--port", type=int, help="Port (default 8787)")
def monitor(host: str | None, port: int | None) -> None:
    """Serve the dashboard, /api/status and /metrics."""
    from workers.monitor import serve

    settings = _settings(monitor_host=host, monitor_port=port)
    _run_until_signal(lambda stop: serve(settings, stop))


def _run_until_signal(target: Any) -> None:
    import signal

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    target(stop)


# ---------------------------------------------------------------------------- ingest


def _expand(settings: Settings, paths: tuple[Path, ...]) -> Iterator[Path]:
    """The files named, folders walked like the inbox: never done/ or failed/, no dot-files,
    partial names or symlinks."""
    from workers.files import iter_inbox

    skip = Folders.from_settings(settings).skip
    for path in paths:
        if path.is_dir():
            yield from sorted(iter_inbox(path.resolve(), skip))
        elif path.is_file():
            yield path
        else:
            raise click.ClickException(f"{path}: no such file or folder")


def _into_inbox(settings: Settings, path: Path) -> Path:
    """Files outside the inbox are copied in (temp name, then rename), so workers only ever
    read inside it."""
    inbox = settings.inbox.resolve()
    resolved = path.resolve()
    if resolved.is_relative_to(inbox) and not path.is_symlink():
        return resolved
    target = inbox / resolved.name
    if target.exists():
        target = inbox / f"{resolved.stem}.{time.time_ns()}{resolved.suffix}"
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(resolved, partial)
    os.replace(partial, target)
    return target


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--wait", is_flag=True, help="Return when every file is stored or failed")
@click.option("--timeout", type=float, default=None, help="Give up waiting after this many s")
def ingest(paths: tuple[Path, ...], wait: bool, timeout: float | None) -> None:
    """Enqueue files or folders once."""
    settings = _settings()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    files = [_into_inbox(settings, p) for p in _expand(settings, paths)]
    if not files:
        raise click.ClickException("no files to ingest")
    watcher = build_watcher(Runtime.from_settings(settings), _broker(settings))
    keys = watcher.take(files)
    console.print(f"enqueued {len(keys)} file(s)")
    if wait:
        summary = _wait_for(settings, keys, timeout)
        console.print(
            f"stored {summary['stored']}, duplicates {summary['duplicates']}, "
            f"failed {summary['failed']}"
        )
        if summary["unfinished"]:
            raise click.ClickException(f"{summary['unfinished']} file(s) still in progress")


def _wait_for(settings: Settings, keys: list[str], timeout: float | None) -> dict[str, int]:
    sessions = _sessions(settings, readonly=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    with Progress(
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        bar = progress.add_task("files", total=len(keys))
        while True:
            summary = _summarise(sessions, keys)
            progress.update(bar, total=summary["total"], completed=summary["finished"])
            if summary["unfinished"] == 0:
                return summary
            if deadline is not None and time.monotonic() > deadline:
                return summary
            time.sleep(0.5)


def _summarise(sessions: Any, keys: list[str]) -> dict[str, int]:
    with transaction(sessions) as s:
        rows = ledger.entries_for_paths(s, keys)
        articles = {a.ledger_id: a for a in queries.articles_for_ledgers(s, [r.id for r in rows])}
    leaves = [r for r in rows if r.state != State.SPLIT]
    done = [r for r in leaves if r.state == State.DONE]
    dupes = sum(1 for r in done if articles.get(r.id) and articles[r.id].duplicate_of)
    failed = sum(1 for r in leaves if r.state == State.FAILED)
    seen = {r.source_path for r in rows}
    unfinished = sum(1 for r in leaves if r.state not in State.TERMINAL) + len(set(keys) - seen)
    return {
        "total": len(leaves) + len(set(keys) - seen),
        "finished": len(done) + failed,
        "stored": len(done) - dupes,
        "duplicates": dupes,
        "failed": failed,
        "unfinished": unfinished,
    }


# ---------------------------------------------------------------------------- reading


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON")
def extract(file: Path, as_json: bool) -> None:
    """Run extraction in-process on one file; touches no queue or database."""
    from workers.extraction import ExtractFailed, extract_with_limit
    from workers.render import print_record

    try:
        records = extract_with_limit(file, _settings())
    except ExtractFailed as exc:
        raise click.ClickException(f"rejected ({exc.code}): {exc.reason}") from exc
    if as_json:
        out = records[0] if len(records) == 1 else records
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for record in records:
        print_record(Console(), record)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON")
@click.option("--watch", is_flag=True, help="Refresh the table until Ctrl-C")
@click.option("--interval", type=float, default=2.0, show_default=True, help="Refresh every N s")
def status(as_json: bool, watch: bool, interval: float) -> None:
    """Queues, workers, files, throughput, latency and what failed."""
    from rich.live import Live

    from workers.render import status_view
    from workers.snapshot import Snapshot, to_json
    from workers.status import collect
    from workers.tracker import WorkerTracker

    settings = _settings()
    broker = _broker(settings)
    sessions = _sessions(settings, readonly=True)
    tracker = WorkerTracker(broker.app)

    def snapshot() -> Snapshot:
        return collect(settings, sessions, broker, tracker, refresh_workers=True)

    if as_json:
        click.echo(json.dumps(to_json(snapshot()), indent=2))
    elif not watch:
        Console().print(status_view(snapshot()))
    else:
        with Live(status_view(snapshot()), console=Console()) as live:
            try:
                while True:
                    time.sleep(interval)
                    live.update(status_view(snapshot()))
            except KeyboardInterrupt:
                pass


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
def export(fmt: str) -> None:
    """Every stored article as one JSON object a line."""
    settings = _settings()
    sessions = _sessions(settings, readonly=True)
    try:
        with transaction(sessions) as s:
            for record in queries.export_articles(s):
                click.echo(json.dumps(record, ensure_ascii=False))
    except BrokenPipeError:
        # `dropwire export | head`: the reader has all it wanted. Point stdout at devnull so
        # the interpreter's final flush does not complain about the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@main.group()
def failed() -> None:
    """Inspect and re-run what failed."""


@failed.command("list")
@click.option("--json", "as_json", is_flag=True)
def failed_list(as_json: bool) -> None:
    from workers.render import failed_table
    from workers.snapshot import plain

    settings = _settings()
    with transaction(_sessions(settings, readonly=True)) as s:
        rows = queries.failed_rows(s)
    if as_json:
        # Whole reasons and paths: this is the machine face. ASCII JSON stays valid whatever
        # a file name held.
        click.echo(json.dumps(plain(rows), indent=2))
        return
    Console().print(failed_table(rows))


@failed.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed file")
def failed_retry(ids: tuple[int, ...], retry_all: bool) -> None:
    """Send failed files again (their file comes back from failed/ first)."""
    from workers.retry import retry_failed

    if not ids and not retry_all:
        raise click.ClickException("name ledger ids to retry, or --all")
    settings = _settings()
    broker = _broker(settings)
    count = retry_failed(
        settings, _sessions(settings), broker.send, None if retry_all else list(ids)
    )
    console.print(f"sent {count} file(s) again")
