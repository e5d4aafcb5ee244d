"""Every regex and loop that sees untrusted text runs in linear time (or on bounded input).

Timing tests compare n with 8n in the same run (see conftest.growth): no fixed wall-clock
limit. Where a bound is structural (a regex only ever sees a short prefix), the test
checks the bound itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.entities import build_mentions, person_canonicals, strip_person
from pipelines.quotes import extract_quotes, find_spans
from pipelines.records import Mention
from pipelines.textindex import trailing_caps

Linear = Callable[..., None]


def persons(body: str, *names: str) -> tuple[Mention, ...]:
    ents = [("PERSON", m.start(), m.end()) for n in names for m in re.finditer(re.escape(n), body)]
    return build_mentions(body, sorted(ents, key=lambda e: e[1]))


# --- quotes --------------------------------------------------------------------------------


def test_quotes_in_one_paragraph_are_linear(assert_linear: Linear) -> None:
    def build(n: int) -> tuple[str, tuple[Mention, ...]]:
        body = '"We will go," he said. "Fine," said John Smith. ' * n
        return body, persons(body, "John Smith")

    assert_linear(build, lambda a: extract_quotes(*a), 200)


def test_quotes_in_one_long_sentence_are_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: 'and "x" ' * n, lambda b: extract_quotes(b, ()), 500)


def test_definite_speakers_are_linear(assert_linear: Linear) -> None:
    body = 'A senior official spoke. "We will go," the official said. '
    assert_linear(lambda n: body * n, lambda b: extract_quotes(b, ()), 200)


def test_speech_verbs_without_quotes_are_linear(assert_linear: Linear) -> None:
    def build(n: int) -> tuple[str, tuple[Mention, ...]]:
        body = "Smith said and then he said " * n
        return body, persons(body, "Smith")

    assert_linear(build, lambda a: extract_quotes(*a), 200)


def test_capitalised_speaker_regex_does_not_backtrack(assert_linear: Linear) -> None:
    # `(?:\b[A-Z][\w'’.-]*\s*){1,4}$` split "A.A.A…A)" in O(n^3) ways per start.
    assert_linear(lambda n: '"Hi," ' + "A." * n + "A) said.", lambda b: extract_quotes(b, ()), 12)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="AB ab.-'’,_1é\"É", max_size=14))
def test_trailing_caps_matches_the_old_regex(text: str) -> None:
    text = text.strip()
    old = re.search(r"(?:\b[A-Z][\w'’.-]*\s*){1,4}$", text)
    assert trailing_caps(text) == (old.group(0) if old else None)


def test_find_spans_is_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: 'He said "a b" and "c\n\n"d" ' * n, find_spans, 500)


# --- entities ------------------------------------------------------------------------------


def test_person_canonicals_are_linear(assert_linear: Linear) -> None:
    def build(n: int) -> list[str]:
        return [f"X{i} Smith" for i in range(n)] + [f"A{i} B{i} Smith" for i in range(n)]

    assert_linear(build, person_canonicals, 200)


def test_strip_person_is_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: "Mr " * n + "Smith", strip_person, 20_000)
