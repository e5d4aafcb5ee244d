"""Do hostile entries slow the real articles? Pace with and without them, in one run.

    .venv/bin/python bench/hostile.py [--n 60] [--rounds 2] [--workers 2]

One warm `dropwire up` (embedded Redis, SQLite, the default settings). Each round drops `n`
real articles alone, then plants one entry of every kind in tests/hostile/entries.py (names,
special files, swaps, contents: about 45) into a folder of its own and at once drops `n` other
real articles. Prints, per round, the real articles' pace (first drop to last stored, and the
median drop-to-stored latency) and the ratio hostile/clean (goal: ~1.0, i.e. no slower).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import Ledger, drop_all, header, make_corpus, service, warm_up

from tests.hostile.entries import catalogue
from tests.support.service import Service, wait_for


def _round(svc: Service, ledger: Ledger, n: int, prefix: str, seed: int) -> tuple[float, float]:
    """(articles per second, p50 latency) of `n` real articles named `prefix…`."""
    corpus = make_corpus(n, seed=seed, prefix=prefix)
    started = drop_all(svc, corpus)
    wait_for(lambda: len(ledger.times(prefix)) >= n, 900, f"{n} '{prefix}' articles", 0.5)
    times = ledger.times(prefix)
    last = max(f for _, f in times).timestamp()
    return n / (last - started), statistics.median((f - s).total_seconds() for s, f in times)


def _plant(svc: Service, outside: Path, k: int) -> int:
    folder = svc.inbox / f"hostile-{k}"
    folder.mkdir()
    entries = catalogue()
    for entry in entries:
        entry.plant(folder, outside)
    for entry in entries:
        if entry.later is not None:
            entry.later(folder, outside)
    return len(entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    header(f"hostile entries next to {args.n} real articles, {args.rounds} round(s)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        outside = root / "outside"
        outside.mkdir()
        (outside / "secret.txt").write_text("not for the database\n")
        with service(root, args.workers) as svc:
            ledger = warm_up(svc, args.workers)
            ratios = []
            for k in range(args.rounds):
                clean, clean_p50 = _round(svc, ledger, args.n, f"c{k}-", seed=100 + k)
                planted = _plant(svc, outside, k)
                t0 = time.perf_counter()
                hostile, hostile_p50 = _round(svc, ledger, args.n, f"h{k}-", seed=200 + k)
                ratios.append(hostile / clean)
                print(
                    f"round {k + 1}: clean {clean:.2f} articles/s (p50 {clean_p50:.1f} s); "
                    f"with {planted} hostile entries {hostile:.2f} articles/s "
                    f"(p50 {hostile_p50:.1f} s, {time.perf_counter() - t0:.0f} s); "
                    f"ratio {hostile / clean:.2f}"
                )
    print(f"pace with hostile entries / pace without: mean {statistics.fmean(ratios):.2f}")


if __name__ == "__main__":
    main()
