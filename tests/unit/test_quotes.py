"""Quotation spans and speakers, with hand-made mentions (no model needed)."""

from __future__ import annotations

import re

from pipelines.entities import build_mentions
from pipelines.quotes import extract_quotes, find_spans
from pipelines.records import Mention


def persons(body: str, *names: str) -> tuple[Mention, ...]:
    ents = [("PERSON", m.start(), m.end()) for n in names for m in re.finditer(re.escape(n), body)]
    return build_mentions(body, sorted(ents, key=lambda e: e[1]))


def quotes(body: str, *names: str) -> list[tuple[str, str | None, bool]]:
    found = extract_quotes(body, persons(body, *names))
    for q in found:
        assert body[q.start : q.end] == q.text
    return [(q.text, q.speaker, q.scare) for q in found]


def test_split_quote_both_halves_attributed() -> None:
    body = '"If Iran escalates," Mr. Bush said, "we will respond firmly."'
    assert quotes(body, "Bush") == [
        ("If Iran escalates,", "Bush", False),
        ("we will respond firmly.", "Bush", False),
    ]


def test_nested_straight_quotes_stay_inside() -> None:
    body = 'He said, "the so-called "surge" has failed," and left.'
    inner = [body[s.start : s.end] for s in find_spans(body)]
    assert inner == ['the so-called "surge" has failed,']


def test_multi_paragraph_quote_is_one_span() -> None:
    body = '"First part of it.\n\n"Second part," said Jane Roe.'
    [(text, speaker, _)] = quotes(body, "Jane Roe")
    assert text.startswith("First part") and text.endswith("Second part,")
    assert speaker == "Jane Roe"


def test_unclosed_quote_stops_at_paragraph_end() -> None:
    body = 'She said "this never closes.\n\nA new paragraph with no quote.'
    [span] = find_spans(body)
    assert body[span.start : span.end] == "this never closes."


def test_continuation_paragraph_inherits_speaker() -> None:
    body = '"One thing," said John Smith.\n\n"Another thing entirely, and more."'
    assert [s for _, s, _ in quotes(body, "John Smith")] == ["John Smith", "John Smith"]


def test_pronoun_and_role_and_anonymous() -> None:
    body = (
        "Iranian Ambassador Hassan Qumi spoke on Monday. "
        '"We are ready," the ambassador said.\n\n'
        'A senior US official in Baghdad disagreed. "They are not," the official said. '
        '"Not at all," he said.'
    )
    assert [s for _, s, _ in quotes(body, "Hassan Qumi")] == [
        "Hassan Qumi",
        "a senior US official in Baghdad",
        "a senior US official in Baghdad",
    ]


def test_description_with_no_antecedent_stays_as_written() -> None:
    assert quotes('"It is late," the witness said.') == [("It is late,", "the witness", False)]


def test_scare_quotes() -> None:
    body = 'Critics call it a "surge to nowhere" and "failed policy." "No," Smith said.'
    got = quotes(body, "Smith")
    assert [(t, scare) for t, _, scare in got] == [
        ("surge to nowhere", True),
        ("failed policy.", True),
        ("No,", False),
    ]
    assert got[2][1] == "Smith"


def test_appositive_speaker() -> None:
    body = 'Interviewed today, Ann Lee, deputy minister for trade, said: "We agree."'
    assert quotes(body, "Ann Lee") == [("We agree.", "Ann Lee", False)]


def test_no_quotes_no_crash() -> None:
    assert quotes("") == [] and quotes('"') == [] and quotes('" " "') == []
