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


def speakers(body: str, *names: str) -> list[str | None]:
    return [s for _, s, _ in quotes(body, *names)]


def test_speaker_with_an_aside_before_the_verb() -> None:
    body = '"It was a fault," the airline\'s chief, Andrew Watterson, said in a video.'
    assert speakers(body, "Andrew Watterson") == ["Andrew Watterson"]


def test_question_quote_followed_by_its_speaker() -> None:
    body = 'Mayor Ann Lee spoke first. "How can he say that?" Ray Lopez said.'
    assert speakers(body, "Ann Lee", "Ray Lopez") == ["Ray Lopez"]


def test_attribution_at_the_end_of_the_sentence() -> None:
    body = 'Joe Dunn spoke. "80% to 90%" of the fighters came from Syria, he said.'
    assert speakers(body, "Joe Dunn") == ["Joe Dunn"]


def test_no_verb_quote_takes_the_subject_of_the_sentence_before() -> None:
    body = (
        "The maker, Eisai, said it would apply this year. Its chief medical officer, "
        'Lynn Kramer, pointed to side effects. "We take that seriously."'
    )
    assert speakers(body, "Lynn Kramer") == ["Lynn Kramer"]


def test_a_name_inside_the_quote_or_as_object_is_not_the_speaker() -> None:
    body = (
        'Jon Alterman spoke. "They want turmoil," Alterman tells Martin. '
        '"Lagarde sounded cautious."'
    )
    assert speakers(body, "Jon Alterman", "Martin", "Lagarde") == ["Jon Alterman"] * 2


def test_partial_quote_after_a_cue_verb_or_in_the_subjects_sentence() -> None:
    body = (
        'Wes Streeting called the figures "unacceptable". '
        'He accused lenders of treating it as "a box-ticking exercise".'
    )
    assert speakers(body, "Wes Streeting") == ["Wes Streeting"] * 2


def test_relative_introduced_by_first_name_and_honorific_of_her_gender() -> None:
    body = (
        "Kylie Morrow's mother Elizabeth spent three nights on the roof. "
        '"Nobody came," she said.\n\n"I thought that was it," Ms Morrow said.'
    )
    assert speakers(body, "Kylie Morrow") == ["Elizabeth Morrow"] * 2


def test_pronoun_takes_the_last_person_whose_stated_gender_agrees() -> None:
    body = (
        'Mr Raj Patel spoke. "It was over," Mr Patel said. Ms Ann Cole disagreed. '
        '"It was not," said Ms Cole. "Nonsense," he said.'
    )
    assert speakers(body, "Raj Patel", "Patel", "Ann Cole", "Cole") == [
        "Raj Patel",
        "Ann Cole",
        "Raj Patel",
    ]


def test_pronoun_with_no_antecedent_gives_no_speaker() -> None:
    assert speakers('"We will go on," she said.') == [None]


def test_description_names_the_person_speaking_just_before() -> None:
    body = (
        "A retired Marine Corps general spoke to the panel.\n\n"
        "Frank McKenzie said commanders had warned. "
        '"We said it in writing," the retired Marine Corps general said.'
    )
    assert speakers(body, "Frank McKenzie") == ["Frank McKenzie"]


def test_description_trimmed_and_modifier_name_not_the_speaker() -> None:
    body = (
        '"It is over," a former Bush administration official said. '
        '"There is a text," a western diplomat briefed on the talks said.'
    )
    assert speakers(body, "Bush") == ["a former Bush administration official", "a western diplomat"]


def test_a_place_or_fragment_is_never_the_speaker() -> None:
    body = '"Go home," Kandahar said. "Stay," but when said.'
    mentions = build_mentions(body, [("GPE", body.index("Kandahar"), body.index("Kandahar") + 8)])
    assert [q.speaker for q in extract_quotes(body, mentions)] == [None, None]


def test_every_attribution_has_a_confidence_and_a_kind() -> None:
    body = '"We are ready," the ambassador said. "No," said John Smith. "Maybe," I said.'
    found = extract_quotes(body, persons(body, "John Smith"))
    assert [(q.speaker_kind, q.confidence > 0) for q in found] == [
        ("description", True),
        ("person", True),
        (None, False),
    ]
