"""Watcher burst: N tiny files into a watched inbox; files/s into the ledger and onto the queue.

    .venv/bin/python bench/watcher.py [--n 100000] [--redis-url URL] [--timeout S]

The real `Watcher` (inotify + rescans + outbox) with a real SQLite ledger and a real Redis
(embedded, under a temp dir; or `--redis-url`, which must be a database of its own, e.g.
`redis://127.0.0.1:6379/15`: its `ingest` list is deleted afterwards). No Celery worker
consumes: this measures the watcher, not NLP. The files are written beforehand outside the
inbox; the burst is a producer process renaming them in as fast as it can (complete files
renamed in, as producers should), so the figure is the watcher's rate, not how fast one
process can write small files. Goal: >= 2,000 files/s, none missed.
Production settings (min file age 1 s, rescan every 30 s). Everything is purged afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import redis
from _common import goal_mark, header
from sqlalchemy import text

from db.migrate import upgrade
from db.session import make_engine, make_session_factory
from workers import embedded
from workers.app import create_app
from workers.broker import Broker
from workers.queues import INGEST_QUEUE
from workers.settings import load_settings
from workers.watcher import Watcher

GOAL = 2000.0
PER_DIR = 10_000  # files per sub-folder, as a busy drop share would have


def stage(staging: Path, n: int) -> None:
    """Write `n` tiny distinct files outside the inbox (same file system), before the clock."""
    for i in range(n):
        folder = staging / f"d{i // PER_DIR:03d}"
        if i % PER_DIR == 0:
            folder.mkdir(parents=True)
        (folder / f"f{i:07d}.txt").write_text(f"Wire item {i}\n\nA short dispatch number {i}.\n")


def produce(staging: str, inbox: str, n: int, ready: Any, go: Any) -> None:
    """The burst: rename each complete file into the inbox, as fast as the kernel allows."""
    ready.set()  # started and imported: the clock starts at the first rename, not at spawn
    go.wait()
    for i in range(n):
        rel = os.path.join(f"d{i // PER_DIR:03d}", f"f{i:07d}.txt")
        if i % PER_DIR == 0:
            os.makedirs(os.path.join(inbox, os.path.dirname(rel)), exist_ok=True)
        os.rename(os.path.join(staging, rel), os.path.join(inbox, rel))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    header(f"bench/watcher: burst of {args.n} files")
    with tempfile.TemporaryDirectory(prefix="dropwire-watcher-") as tmp:
        root = Path(tmp)
        server = None if args.redis_url else embedded.start(root / "var")
        url = args.redis_url or (server.url if server else "")
        try:
            run(root, url, args.n, args.timeout)
        finally:
            redis.Redis.from_url(url).delete(INGEST_QUEUE)
            if server is not None:
                server.stop()
    header("bench/watcher done (purged: temp dir, queue)")


def run(root: Path, url: str, n: int, timeout: float) -> None:
    settings = load_settings(
        inbox=root / "inbox",
        data_dir=root / "var",
        redis_url=url,
        min_file_age=1.0,
        rescan_interval=30.0,
        sweep_interval=1e6,
    )
    upgrade(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    broker = Broker(create_app(settings), url)
    watcher = Watcher(settings, make_session_factory(engine), broker.publish_ingest)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    watcher.started.wait(30)
    stage(root / "staging", n)
    ctx = mp.get_context("spawn")
    ready, go = ctx.Event(), ctx.Event()
    producer = ctx.Process(
        target=produce, args=(str(root / "staging"), str(settings.inbox), n, ready, go)
    )
    producer.start()
    ready.wait(60)
    started = time.perf_counter()
    go.set()
    produced_at, registered_at = wait_counts(watcher, producer, n, started, timeout)
    sent_at = time.perf_counter() - started if watcher.sent >= n else float("nan")
    stop.set()
    thread.join(30)
    with engine.connect() as c:
        rows = int(c.execute(text("SELECT count(DISTINCT source_path) FROM ledger")).scalar_one())
        queued = int(
            c.execute(text("SELECT count(*) FROM ledger WHERE state = 'queued'")).scalar_one()
        )
    depth = broker.depth(INGEST_QUEUE)
    report(n, produced_at, registered_at, sent_at, rows, queued, depth)


def wait_counts(
    watcher: Watcher, producer: mp.process.BaseProcess, n: int, started: float, timeout: float
) -> tuple[float, float]:
    """Poll the watcher's counters; returns when the producer ended and all were registered."""
    produced_at = registered_at = float("nan")
    while time.perf_counter() - started < timeout:
        now = time.perf_counter() - started
        if produced_at != produced_at and not producer.is_alive():  # NaN: not yet
            produced_at = now
        if registered_at != registered_at and watcher.registered >= n:
            registered_at = now
        if watcher.sent >= n:
            break
        time.sleep(0.05)
    producer.join()
    return produced_at, registered_at


def report(
    n: int, produced: float, registered: float, sent: float, rows: int, queued: int, depth: int
) -> None:
    rate = n / sent
    missed = n - rows
    print(f"producer renamed {n} files in in {produced:.1f} s ({n / produced:.0f} files/s)")
    print(f"in the ledger: all {n} after {registered:.1f} s = {n / registered:.0f} files/s")
    print(
        f"sent to the queue: all after {sent:.1f} s = {rate:.0f} files/s "
        f"(goal >= {GOAL:.0f}: {goal_mark(rate >= GOAL)})"
    )
    print(
        f"missed: {missed} (ledger holds {rows} distinct paths, {queued} queued; Redis ingest "
        f"depth {depth}) (goal 0: {goal_mark(missed == 0 and depth == n)})"
    )


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
