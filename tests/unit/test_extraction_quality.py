"""The labelled set: quote recall, speaker accuracy and person recall meet their goals,
and each article's metadata and cleaning come out as labelled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelines.nlp import Analyzer
from tests.support.scripts import load_script

BENCH = Path(__file__).resolve().parents[2] / "bench" / "extraction.py"
GOAL = 0.9

bench = load_script(BENCH)
CASES = bench.load_cases()


@pytest.fixture(scope="session")
def score() -> Any:
    return bench.score(CASES, Analyzer(bench.DEFAULT_MODEL))


def test_labelled_set_covers_real_and_composed() -> None:
    assert {c.label["composed"] for c in CASES} == {True, False}
    assert sum(len(c.label["quotes"]) for c in CASES) >= 50


def test_quote_recall(score: Any) -> None:
    assert score.quote_recall >= GOAL, score.misses


def test_speaker_accuracy(score: Any) -> None:
    assert score.speaker_accuracy >= GOAL, score.misses


def test_person_recall(score: Any) -> None:
    assert score.person_recall >= GOAL, score.misses


def test_scare_quotes_flagged(score: Any) -> None:
    assert score.scare_right == score.scare


def _case_id(case: Any) -> str:
    return f"{Path(case.label['file']).stem}-{case.label['item']}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_metadata_and_cleaning(case: Any) -> None:
    label, draft = case.label, case.draft
    for field in ("title", "byline", "published", "dateline"):
        if field in label:
            assert getattr(draft, field) == label[field], field
    if "caption_contains" in label:
        assert draft.caption and label["caption_contains"] in draft.caption
    for text in label.get("body_excludes", []):
        assert text not in draft.body
    for text in label.get("body_once", []):
        assert draft.body.count(text) == 1
