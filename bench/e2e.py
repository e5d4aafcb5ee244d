"""End to end: N articles dropped at once into a warm `dropwire up --workers 2`.

    .venv/bin/python bench/e2e.py [--n 500] [--peer-n N] [--workers 2]

Prints, all measured in this run: the service's docs/s (first drop to last commit), the
ceiling (plain `nlp.pipe`, same model with all its default components, 2 warm processes, the
same cleaned bodies; measured before and after the service, mean used), their ratio (goal
>= 0.85), drop-to-stored p50/p95 from the ledger (seen_at -> finished_at), the near-duplicate
rate of the output (should be ~0: the texts are distinct), and a naive peer (one process:
read, full spaCy, SQLAlchemy insert into SQLite, commit per file) with the service's speed-up.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _common import (
    MODEL,
    Rate,
    ServiceRun,
    bodies,
    ceiling,
    goal_mark,
    header,
    make_corpus,
    service,
    timed_batch,
    warm_up,
    words,
)
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Text, create_engine

RATIO_GOAL = 0.85


def naive_peer(corpus: Sequence[tuple[str, bytes]], folder: Path) -> float:
    """One process looping over the files: decode, full spaCy, insert, commit; docs/s."""
    import spacy

    for name, data in corpus:
        (folder / name).write_bytes(data)
    nlp = spacy.load(MODEL)
    list(nlp.pipe(["Warm-up text about Washington."]))
    engine = create_engine(f"sqlite:///{folder / 'peer.db'}")
    meta = MetaData()
    table = Table(
        "articles",
        meta,
        Column("id", Integer, primary_key=True),
        Column("path", String, unique=True),
        Column("body", Text),
        Column("entities", JSON),
    )
    meta.create_all(engine)
    started = time.perf_counter()
    for name, _ in corpus:
        body = (folder / name).read_text(encoding="utf-8")
        doc = nlp(body)
        ents = [[e.text, e.label_, e.start_char, e.end_char] for e in doc.ents]
        with engine.begin() as conn:
            conn.execute(table.insert(), {"path": name, "body": body, "entities": ents})
    return len(corpus) / (time.perf_counter() - started)


def report(
    args: argparse.Namespace, run: ServiceRun, before: Rate, after: Rate, peer: float
) -> None:
    ceil = (before.docs_per_s + after.docs_per_s) / 2
    ceil_cpu = (before.docs + after.docs) / (before.cpu_seconds + after.cpu_seconds)
    ratio, cpu_ratio = run.docs_per_s / ceil, run.docs_per_cpu_s / ceil_cpu
    n_peer = args.peer_n or args.n
    print(f"\n{'figure':<58} {'value':>12}  goal")
    rows = [
        ("service docs/s (first drop -> last commit)", f"{run.docs_per_s:.1f}", ""),
        (
            f"ceiling docs/s (nlp.pipe, all components, {args.workers} proc)",
            f"{ceil:.1f}",
            f"mean of {before.docs_per_s:.1f} before, {after.docs_per_s:.1f} after",
        ),
        (
            "ratio service / ceiling (wall)",
            f"{ratio:.2f}",
            f">= {RATIO_GOAL}: {goal_mark(ratio >= RATIO_GOAL)}",
        ),
        (
            "ratio per CPU-second (load-independent)",
            f"{cpu_ratio:.2f}",
            f"service {1000 / run.docs_per_cpu_s:.0f} vs ceiling {1000 / ceil_cpu:.0f} CPU ms/doc",
        ),
        (
            "drop-to-stored p50 / p95 (s)",
            f"{run.pct(50):.1f} / {run.pct(95):.1f}",
            f"ledger seen_at -> finished_at, {run.docs} dropped at once",
        ),
        ("near-duplicates in the output", f"{run.near_dups} / {run.docs}", "~0 (distinct texts)"),
        ("failed", str(run.failed), "0"),
        (f"naive peer docs/s (1 proc, full spaCy, SQLite, {n_peer} files)", f"{peer:.1f}", ""),
        ("service / naive peer", f"{run.docs_per_s / peer:.1f}x", ""),
    ]
    for name, value, goal in rows:
        print(f"{name:<58} {value:>12}  {goal}")
    roles = ", ".join(f"{r} {sec:.1f}" for r, sec in sorted(run.cpu_by_role.items()))
    print(f"service CPU in the batch: {run.cpu_seconds:.1f} s over {run.seconds:.1f} s; {roles}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="articles in the timed batch")
    parser.add_argument("--peer-n", type=int, default=0, help="articles for the peer (0: n)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    corpus = make_corpus(args.n, seed=7, prefix="a")
    texts = bodies(corpus)
    header(f"bench/e2e: {args.n} articles, {words(texts) // len(texts)} words avg, {MODEL}")

    before = ceiling(texts, args.workers)
    print(f"ceiling before the service: {before.docs_per_s:.1f} docs/s")
    with tempfile.TemporaryDirectory(prefix="dropwire-e2e-") as tmp:
        with service(Path(tmp) / "svc", args.workers) as svc:
            ledger = warm_up(svc, args.workers)
            run = timed_batch(svc, ledger, corpus, timeout=30 * args.n)
        print(f"service: {run.docs_per_s:.1f} docs/s")
        after = ceiling(texts, args.workers)
        print(f"ceiling after the service: {after.docs_per_s:.1f} docs/s")
        peer_dir = Path(tmp) / "peer"
        peer_dir.mkdir()
        peer = naive_peer(corpus[: args.peer_n or args.n], peer_dir)
    report(args, run, before, after, peer)
    header("bench/e2e done")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
