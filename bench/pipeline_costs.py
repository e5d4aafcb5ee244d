"""What the pure pipeline spends before NLP, per file: the size guard and the fingerprint.

    .venv/bin/python bench/pipeline_costs.py [--rounds 5]

Moved here from wall-clock asserts in the unit tests (which now bound the work without a
clock: tests/unit/test_extract.py, tests/unit/test_fingerprint.py). Every figure is measured
in this run and paired with a ratio to something measured right beside it:

- rejecting a 20 MB file over a 10 MB limit, against decoding the same bytes (what the check
  spares; ASCII, the cheapest text to decode, so the ratio is a lower bound);
- fingerprinting an 800-word article, against a per-shingle Python MinHash that gives the same
  signature, and the cost per word at 8 times the length (1.0 = linear).

Below a goal it says so and still exits 0, like the other scripts. Takes about 10 seconds.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from _common import goal_mark, header

from pipelines import fingerprint as fp
from pipelines.decode import decode_text
from pipelines.extract import read_articles
from pipelines.records import RejectedInput

LIMIT = 10 * 1024 * 1024
BIG = b"word " * (4 * 1024 * 1024)  # 20 MiB
REJECT_GOAL_S = 0.1  # the bound the unit test used to assert
FINGERPRINT_GOAL_S = 0.005  # the same
WORDS = 800
TEXT = (
    "Outright war between the United States and Iran remains only a remote possibility, "
    "but the two countries already are fighting a proxy war inside Iraq, reports CBS News. "
    "\u201cWe will respond firmly,\u201d Mr. Bush said in an interview on Monday."
)


def per_call(call: Callable[[], object], calls: int, rounds: int) -> float:
    """Median over `rounds` of the mean seconds per call (after one warm-up call)."""
    call()
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        means.append((time.perf_counter() - started) / calls)
    return statistics.median(means)


def reject_too_large() -> None:
    try:
        read_articles("big.txt", BIG, max_bytes=LIMIT)
    except RejectedInput as err:
        assert err.code == "too_large", err
    else:
        raise AssertionError("a 20 MB file was accepted under a 10 MB limit")


def python_minhash(text: str) -> tuple[int, ...]:
    """The same signature as `fp.minhash`, one shingle at a time in Python: the baseline."""
    shingles = fp.shingle_hashes(fp.word_hashes(fp.normalize(text)))
    a, b = fp._PERM_A[: fp.NUM_PERM], fp._PERM_B[: fp.NUM_PERM]
    best = np.full(fp.NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for x in shingles:
        best = np.minimum(best, x * a + b)
    return tuple((best >> np.uint64(32)).astype(np.uint32).tolist())


def article(words: int) -> str:
    """`words` words of news text, each made distinct so no shingle repeats."""
    vocab = itertools.cycle(TEXT.split())
    return " ".join(f"{w}{i}" for i, w in zip(range(words), vocab, strict=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per figure")
    args = parser.parse_args()
    header("bench/pipeline_costs: size guard and fingerprint, per file")

    reject = per_call(reject_too_large, 200, args.rounds)
    decode = per_call(lambda: decode_text(BIG), 1, args.rounds)
    print(
        f"\nsize guard: a 20 MB file over a 10 MB limit rejected in {reject * 1e6:.1f} µs "
        f"(goal < {REJECT_GOAL_S * 1e3:.0f} ms: {goal_mark(reject < REJECT_GOAL_S)}); "
        f"decoding it would take {decode * 1e3:.0f} ms, {decode / reject:,.0f}x as long"
    )

    short, long = article(WORDS), article(8 * WORDS)
    assert python_minhash(short) == fp.fingerprint(short).signature
    ours = per_call(lambda: fp.fingerprint(short), 50, args.rounds)
    baseline = per_call(lambda: python_minhash(short), 2, args.rounds)
    ours_long = per_call(lambda: fp.fingerprint(long), 10, args.rounds)
    print(
        f"fingerprint: {WORDS} words in {ours * 1e3:.3f} ms "
        f"(goal < {FINGERPRINT_GOAL_S * 1e3:.0f} ms: {goal_mark(ours < FINGERPRINT_GOAL_S)}); "
        f"a per-shingle Python MinHash takes {baseline * 1e3:.1f} ms: {baseline / ours:.0f}x; "
        f"{8 * WORDS} words in {ours_long * 1e3:.3f} ms: "
        f"{ours_long / 8 / ours:.2f} of the per-word cost at {WORDS} (1.0 = linear)"
    )
    header("bench/pipeline_costs done")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
