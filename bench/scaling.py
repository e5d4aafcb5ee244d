"""Scaling: the same batch through a fresh warm service with 1, then 2 NLP workers.

    .venv/bin/python bench/scaling.py [--n 150] [--rounds 1]

Each run starts its own `dropwire up` (embedded Redis, SQLite), warms it, drops the batch at
once and times first drop to last commit. `--rounds 2` runs 1, 2, 2, 1 workers (ABBA) to
cancel drift in the machine's load. Prints the speed-up (goal >= 1.8x) and, since the machine
is shared, the CPU the service got: a speed-up short of 2x with the service below 2 cores is
the neighbour's load, not the service.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import ServiceRun, goal_mark, header, make_corpus, service, timed_batch, warm_up

GOAL = 1.8


def one_run(workers: int, corpus: list[tuple[str, bytes]]) -> ServiceRun:
    with (
        tempfile.TemporaryDirectory(prefix="dropwire-scaling-") as tmp,
        service(Path(tmp), workers) as svc,
    ):
        ledger = warm_up(svc, workers)
        run = timed_batch(svc, ledger, corpus, timeout=30 * len(corpus))
    cores = run.cpu_seconds / run.seconds
    print(
        f"  {workers} NLP worker(s): {run.docs_per_s:.2f} docs/s ({run.docs} in "
        f"{run.seconds:.1f} s; service used {cores:.2f} cores; {run.failed} failed)"
    )
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=150, help="articles per run")
    parser.add_argument("--rounds", type=int, default=1, help="2: ABBA order (1,2,2,1)")
    args = parser.parse_args()
    corpus = make_corpus(args.n, seed=11, prefix="s")
    header(f"bench/scaling: {args.n} articles per run, {args.rounds} round(s)")
    order = [1, 2] if args.rounds == 1 else [1, 2, 2, 1] * (args.rounds // 2)
    runs: dict[int, list[ServiceRun]] = {1: [], 2: []}
    for workers in order:
        runs[workers].append(one_run(workers, corpus))
    rate = {w: sum(r.docs for r in rs) / sum(r.seconds for r in rs) for w, rs in runs.items()}
    cores = {
        w: sum(r.cpu_seconds for r in rs) / sum(r.seconds for r in rs) for w, rs in runs.items()
    }
    speedup = rate[2] / rate[1]
    per_core = (rate[2] / cores[2]) / (rate[1] / cores[1])
    print(
        f"speed-up 2 vs 1 NLP workers: {speedup:.2f}x (goal >= {GOAL}x: "
        f"{goal_mark(speedup >= GOAL)})"
    )
    print(
        f"service cores used: {cores[1]:.2f} with 1 worker, {cores[2]:.2f} with 2; "
        f"docs per service CPU-second, 2 vs 1: {per_core:.2f} (1.0 = no loss from contention)"
    )
    header("bench/scaling done")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
