"""The quotation gold set: its size and labels hold, and attribution keeps its scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelines.nlp import Analyzer
from tests.support.scripts import load_script

BENCH = Path(__file__).resolve().parents[2] / "bench" / "extraction.py"
bench = load_script(BENCH)
gold = bench.quote_gold


def test_gold_set_is_large_enough_and_covers_every_kind() -> None:
    articles = [a for split in gold.SPLITS for a in gold.load_split(split)]
    quotes = [q for a in articles for q in a.quotes]
    assert len(articles) >= 40 and len(quotes) >= 120
    assert {k for q in quotes for k in q.kinds} == gold.KINDS
    assert {a.ident for a in articles} >= {"000_981d7471d11f99af", "003_20ada37b2adb50da"}


def test_a_quotation_without_a_label_is_refused() -> None:
    with pytest.raises(ValueError, match="unlabelled"):
        gold.parse_article("dev", "x", "“One,” she said.{{Ann|after}} “Two,” he said.\n")


def test_a_multi_paragraph_quote_is_one_label() -> None:
    article = gold.parse_article(
        "dev", "x", "“First part.\n\n“Second part,” Ann Lee said.{{Ann Lee|multi}}\n"
    )
    [quote] = article.quotes
    assert gold.norm_quote(quote.text) == "first part. second part"


@pytest.fixture(scope="module")
def reports() -> dict[str, Any]:
    analyzer = Analyzer(bench.DEFAULT_MODEL)
    out = {}
    for split in gold.SPLITS:
        articles = gold.load_split(split)
        out[split] = gold.score_articles(articles, bench.ours_on_gold(articles, analyzer))
    return out


# (found, named right, described right), a little under the scores when the rules were
# last changed (docs/extraction.md). dev and test were tuned on; holdout never was.
FLOORS = {"dev": (0.97, 0.95, 0.9), "test": (0.97, 0.9, 0.9), "holdout": (0.97, 0.8, 0.75)}


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_quotations_found_and_speakers_right(reports: dict[str, Any], split: str) -> None:
    report, (found, named, described) = reports[split], FLOORS[split]
    rows = report.rows
    assert rows["ALL"].found / rows["ALL"].total >= found, report.misses
    assert rows["named"].right / rows["named"].scored >= named, report.misses
    assert rows["described"].right / rows["described"].scored >= described, report.misses
