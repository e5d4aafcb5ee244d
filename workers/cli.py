"""The `dropwire` command (names and flags are a contract: DESIGN.md §3)."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from db import queries
from db.migrate import upgrade
from db.session import transaction
from db.textquery import MAX_ID
from workers.cli_base import (
    DEBUG_KEY,
    DropwireGroup,
    broker_for,
    require_database_of,
    require_inbox,
    sessions_for,
    settings_from,
    setup_logging,
)
from workers.cli_ingest import expand, into_inbox, wait_for
from workers.cli_read import (
    entities_command,
    export_command,
    quotes_command,
    search_command,
    show_command,
)
from workers.doctor import CHECKS
from workers.faults import EXIT_CONFIG, EXIT_DOCTOR, Fault, require_folder, require_redis_url
from workers.runtime import Runtime
from workers.watcher import build_watcher

console = Console(stderr=True)


@click.group(cls=DropwireGroup)
@click.version_option(package_name="dropwire", prog_name="dropwire")
@click.option("--log-level", default="INFO", show_default=True)
@click.option("--debug", is_flag=True, help="Show the traceback of an error, not one line")
@click.pass_context
def main(ctx: click.Context, log_level: str, debug: bool) -> None:
    """Dropwire: news files in a drop folder → extracted, deduplicated articles in SQL.

    Settings come from DROPWIRE_* variables (README, Settings). Exit codes: 3 bad setting,
    4 folder, 5 database, 6 schema, 7 Redis, 8 doctor failed; --debug shows the traceback.

    \b
    Example:
      dropwire up --inbox ./inbox
      dropwire status
      dropwire doctor
    """
    ctx.meta[DEBUG_KEY] = debug
    setup_logging(log_level)


# ---------------------------------------------------------------------------- service


@main.command()
@click.option("--inbox", type=click.Path(path_type=Path), help="Drop folder to watch")
@click.option("--workers", "nlp_workers", type=int, help="NLP worker processes (default: CPUs)")
@click.option("--monitor-port", type=int, help="Monitor port on 127.0.0.1 (default 8787)")
def up(inbox: Path | None, nlp_workers: int | None, monitor_port: int | None) -> None:
    """Run watcher, workers and monitor until Ctrl-C.

    \b
    Example:
      dropwire up --inbox ./inbox --workers 2 --monitor-port 8787
    """
    from workers.supervisor import run_service

    settings = settings_from(inbox=inbox, nlp_workers=nlp_workers, monitor_port=monitor_port)
    require_folder(settings.data_dir, "DROPWIRE_DATA_DIR", create=True)
    require_inbox(settings)
    if settings.redis_url is not None:  # else `up` starts its own
        require_redis_url(settings.redis_url)
    sys.exit(run_service(settings, console))


@main.command()
def migrate() -> None:
    """Apply the database migrations and exit.

    \b
    Example:
      DROPWIRE_DATABASE_URL=postgresql+psycopg://dropwire@db/dropwire dropwire migrate
    """
    settings = settings_from()
    if settings.database_url is None:  # the SQLite file lives in the data dir
        require_folder(settings.data_dir, "DROPWIRE_DATA_DIR", create=True)
    upgrade(settings.effective_database_url)
    console.print("database is at the latest schema")


@main.command()
@click.option("--batch", default=200, show_default=True, help="Articles per transaction.")
def refingerprint(batch: int) -> None:
    """Re-fingerprint stored articles under the current dedup scheme, the service running.

    Until it has run, articles stored under an older scheme are found as exact copies only.

    \b
    Example:
      dropwire refingerprint --batch 500
    """
    from db.refingerprint import refingerprint_batch

    sessions = sessions_for(settings_from())
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
    """Run the watcher (and sweeper) alone, for a deployment with separate processes.

    \b
    Example:
      dropwire watch
    """
    settings = settings_from()
    require_inbox(settings)
    sessions_for(settings)
    runtime = Runtime.from_settings(settings)
    watcher = build_watcher(runtime, broker_for(settings))
    _run_until_signal(watcher.run)


@main.command()
def sweep() -> None:
    """Run the sweeper alone: re-send ledger rows stuck in flight.

    \b
    Example:
      dropwire sweep
    """
    from workers.sweeper import sweeper_for

    settings = settings_from()
    sweep_now = sweeper_for(settings, sessions_for(settings), broker_for(settings))

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
    """Serve the dashboard, /api/status and /metrics.

    \b
    Example:
      dropwire monitor --host 0.0.0.0 --port 8787
    """
    from workers.monitor import serve

    settings = settings_from(monitor_host=host, monitor_port=port)
    # The database only: the monitor keeps serving (broker_up 0) while Redis is away.
    require_database_of(settings)
    _run_until_signal(lambda stop: serve(settings, stop))


def _run_until_signal(target: Any) -> None:
    import signal

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    target(stop)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON")
@click.option(
    "--skip",
    multiple=True,
    type=click.Choice(sorted(CHECKS)),
    help="Leave a check out (repeatable); compose skips `workers` before they start",
)
def doctor(as_json: bool, skip: tuple[str, ...]) -> None:
    """Check this deployment: Redis, database, spaCy model, folders, disk, timeouts, workers.

    Each check prints ok, warn or fail with what to do; the exit status is 8 when any fails.

    \b
    Example:
      dropwire doctor --json | jq '.checks[] | select(.status != "ok")'
    """
    from workers.doctor import run_checks, unchecked_settings, worst
    from workers.render import doctor_table

    try:
        settings = unchecked_settings()
    except ValueError as exc:
        raise Fault(f"bad settings: {exc}", EXIT_CONFIG) from exc
    checks = run_checks(settings, frozenset(skip))
    verdict = worst(checks)
    if as_json:
        body = {"status": verdict, "checks": [c.as_json() for c in checks]}
        click.echo(json.dumps(body, indent=2))
    else:
        Console().print(doctor_table(checks))
    if verdict == "fail":
        sys.exit(EXIT_DOCTOR)


# ---------------------------------------------------------------------------- ingest


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--wait", is_flag=True, help="Return when every file is stored or failed")
@click.option("--timeout", type=float, default=None, help="Give up waiting after this many s")
def ingest(paths: tuple[Path, ...], wait: bool, timeout: float | None) -> None:
    """Enqueue files or folders once.

    \b
    Example:
      dropwire ingest ~/wire/*.txt --wait --timeout 600
    """
    settings = settings_from()
    require_inbox(settings)
    require_database_of(settings)
    files = [into_inbox(settings, p) for p in expand(settings, paths)]
    if not files:
        raise click.ClickException("no files to ingest")
    watcher = build_watcher(Runtime.from_settings(settings), broker_for(settings))
    keys = watcher.take(files)
    console.print(f"enqueued {len(keys)} file(s)")
    if wait:
        summary = wait_for(settings, console, keys, timeout)
        console.print(
            f"stored {summary['stored']}, duplicates {summary['duplicates']}, "
            f"failed {summary['failed']}"
        )
        if summary["unfinished"]:
            raise click.ClickException(f"{summary['unfinished']} file(s) still in progress")


# ---------------------------------------------------------------------------- reading


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON")
def extract(file: Path, as_json: bool) -> None:
    """Run extraction in-process on one file; touches no queue or database.

    \b
    Example:
      dropwire extract inbox/wire-0412.txt --json
    """
    from workers.extraction import ExtractFailed, extract_with_limit
    from workers.render import print_record

    try:
        records = extract_with_limit(file, settings_from())
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
    """Queues, workers, files, throughput, latency and what failed.

    \b
    Example:
      dropwire status --watch --interval 5
      dropwire status --json
    """
    from rich.live import Live

    from workers.render import status_view
    from workers.snapshot import Snapshot, to_json
    from workers.status import collect
    from workers.tracker import WorkerTracker

    settings = settings_from()
    broker = broker_for(settings)
    sessions = sessions_for(settings, readonly=True)
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


@main.group()
def failed() -> None:
    """Inspect and re-run what failed.

    \b
    Example:
      dropwire failed list
      dropwire failed retry --all
    """


@failed.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON")
def failed_list(as_json: bool) -> None:
    """What failed and why (reasons cut to fit; --json has them whole).

    \b
    Example:
      dropwire failed list --json
    """
    from workers.render import failed_table
    from workers.snapshot import plain

    settings = settings_from()
    with transaction(sessions_for(settings, readonly=True)) as s:
        rows = queries.failed_rows(s)
    if as_json:
        # Whole reasons and paths: this is the machine face. ASCII JSON stays valid whatever
        # a file name held.
        click.echo(json.dumps(plain(rows), indent=2))
        return
    Console().print(failed_table(rows))


@failed.command("retry")
@click.argument("ids", nargs=-1, type=click.IntRange(1, MAX_ID))
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed file")
def failed_retry(ids: tuple[int, ...], retry_all: bool) -> None:
    """Send failed files again (their file comes back from failed/ first).

    \b
    Example:
      dropwire failed retry 12 15
      dropwire failed retry --all
    """
    from workers.retry import retry_failed

    if not ids and not retry_all:
        raise click.ClickException("name ledger ids to retry, or --all")
    settings = settings_from()
    require_inbox(settings)
    broker = broker_for(settings)
    count = retry_failed(
        settings, sessions_for(settings), broker.send, None if retry_all else list(ids)
    )
    console.print(f"sent {count} file(s) again")


# ---------------------------------------------------------------------------- read side
# The read commands live in their own module and join the group here.
main.add_command(search_command, "search")
main.add_command(show_command, "show")
main.add_command(quotes_command, "quotes")
main.add_command(entities_command, "entities")
main.add_command(export_command, "export")
