"""RSS of the one NLP worker child of a real `dropwire up --workers 1` over N articles.

    .venv/bin/python bench/memory.py [--n 10000]

Short articles (~120 words) that each carry never-seen names and words: the worst case for
spaCy's vocabulary (spaCy#3618) per second of run time. All N are dropped at once; a thread
samples the Celery pool child's RSS (psutil) against the ledger's stored count. The baseline
is taken once 5% are stored (model loaded, allocator warm). Goal: growth within 50 MB.
The child's pid is checked: a recycled child (worker_max_memory_per_child) would hide a leak.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from _common import Ledger, goal_mark, header, nlp_children, service, wait_finished, warm_up
from extraction_memory import article

GOAL_MB = 50.0


def corpus(n: int) -> list[tuple[str, bytes]]:
    rng = random.Random(5)
    out = []
    for i in range(n):
        body = article(i, rng).body
        out.append((f"m{i:06d}.txt", f"Dispatch {i} from the wire\n\n{body}\n".encode()))
    return out


def sample(ledger: Ledger, child: psutil.Process, stop: threading.Event) -> list[tuple[int, float]]:
    """(stored, RSS MB) about once a second until `stop`."""
    samples: list[tuple[int, float]] = []

    def loop() -> None:
        while not stop.wait(1.0):
            samples.append((ledger.finished(), child.memory_info().rss / 2**20))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    samples.append((0, child.memory_info().rss / 2**20))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    files = corpus(args.n)
    header(f"bench/memory: {args.n} short articles with unseen names, 1 NLP worker, real service")
    with (
        tempfile.TemporaryDirectory(prefix="dropwire-memory-") as tmp,
        service(Path(tmp), 1) as svc,
    ):
        ledger = warm_up(svc, 1)
        (child,) = nlp_children(svc)
        pid, offset = child.pid, ledger.finished()
        stop = threading.Event()
        samples = sample(ledger, child, stop)
        started = time.perf_counter()
        for name, data in files:
            svc.drop(name, data)
        wait_finished(ledger, offset + args.n, timeout=600 + args.n)
        elapsed = time.perf_counter() - started
        stop.set()
        samples.append((ledger.finished(), child.memory_info().rss / 2**20))
        same = [c.pid for c in nlp_children(svc)] == [pid]
    report([(done - offset, rss) for done, rss in samples], args.n, elapsed, same)


def report(samples: list[tuple[int, float]], n: int, elapsed: float, same_child: bool) -> None:
    base = next(rss for done, rss in samples if done >= n * 0.05)
    print(f"{n} stored in {elapsed:.0f} s ({n / elapsed:.1f} docs/s); same child: {same_child}")
    print(f"RSS at start {samples[0][1]:.1f} MB; baseline at 5% stored {base:.1f} MB")
    for tenth in range(1, 11):
        done, rss = next((d, r) for d, r in samples if d >= n * tenth / 10)
        print(f"  after {done:6d}: RSS {rss:.1f} MB ({rss - base:+.1f})")
    end, peak = samples[-1][1], max(rss for done, rss in samples if done >= n * 0.05)
    growth = max(end, peak) - base
    print(
        f"growth after the baseline: end {end - base:+.1f} MB, peak {peak - base:+.1f} MB "
        f"(goal within {GOAL_MB:.0f} MB: {goal_mark(growth <= GOAL_MB and same_child)})"
    )
    header("bench/memory done")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
