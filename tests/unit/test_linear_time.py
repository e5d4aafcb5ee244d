"""Every regex and loop that sees untrusted text runs in linear time (or on bounded input).

Timing tests compare n with 8n in the same run (see conftest.growth): no fixed wall-clock
limit. Where a bound is structural (a regex only ever sees a short prefix), the test
checks the bound itself.
"""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import fingerprint as fp
from pipelines import metadata
from pipelines.clean import clean, fold_repeats, paragraphs
from pipelines.entities import build_mentions, person_canonicals, strip_person
from pipelines.extract import read_articles
from pipelines.limits import Limits
from pipelines.quotes import extract_quotes, find_spans
from pipelines.readers.sniff import sniff
from pipelines.readers.txt import read_txt
from pipelines.records import Mention
from pipelines.textindex import trailing_caps

Linear = Callable[..., None]
BIG = Limits(max_bytes=64 * 1024 * 1024)


def persons(body: str, *names: str) -> tuple[Mention, ...]:
    ents = [("PERSON", m.start(), m.end()) for n in names for m in re.finditer(re.escape(n), body)]
    return build_mentions(body, sorted(ents, key=lambda e: e[1]))


# --- txt reader ----------------------------------------------------------------------------


def test_header_line_of_spaces_is_linear(assert_linear: Linear) -> None:
    # The old `\s*(.+?)\s*$` took ~9 s on 30,000 spaces.
    assert_linear(lambda n: "Title: a" + " " * n + "b\n\nBody text here.", read_txt, 1000)


def test_header_value_is_kept_whole() -> None:
    [p] = read_txt("Title:   a" + " " * 50_000 + "b  \nAuthor: X Y\n\nBody.")
    assert p.title == "a" + " " * 50_000 + "b" and p.author == "X Y"


def test_blank_lines_after_header_are_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: "Title: T\n" + " \n" * n + "Body text.", read_txt, 20_000)


def test_headline_detection_on_one_huge_line_is_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: "Storm closes ports\n" + "word " * n, read_txt, 20_000)


# --- metadata ------------------------------------------------------------------------------


def test_byline_is_bounded(assert_linear: Linear) -> None:
    assert metadata.clean_byline("By Jane Doe, " + "x" * 10_000) is None  # not a byline
    assert metadata.clean_byline("By JANE DOE, Associated Press") == "Jane Doe"
    assert_linear(lambda n: "By Jane Doe, staff " * n, metadata.clean_byline, 2000)


def test_dateline_regex_sees_only_a_prefix(assert_linear: Linear) -> None:
    # The prefix bound is the proof: a whitespace run past it ends any dateline.
    assert metadata.split_dateline("WASHINGTON" + " " * 500 + "— text")[0] is None
    assert metadata.split_dateline("BAGHDAD, May 22 (Reuters) - Text")[0] == (
        "BAGHDAD, May 22 (Reuters)"
    )
    assert_linear(lambda n: "ABC, D" + " " * n + "x", metadata.split_dateline, 20_000)


def test_date_line_is_bounded(assert_linear: Linear) -> None:
    # `\s*:?\s*` … `\s*$` took 36 s on "Published" + 10,000 spaces.
    assert metadata.date_line("Published: May 22, 2007") == "2007-05-22"
    assert metadata.date_line("Published" + " " * 200 + "May 22, 2007") is None
    assert_linear(lambda n: "Published" + " " * n + "x", metadata.date_line, 500)


def test_parse_date_is_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: "May 22, 2007 " + "x " * n, metadata.parse_date, 20_000)


# --- clean ---------------------------------------------------------------------------------


def _wrapped(n: int) -> str:
    """One paragraph of n hard-wrapped 60-character lines."""
    return "\n".join(f"line {i:08d} of a wrapped paragraph with some more words" for i in range(n))


def test_paragraphs_are_linear(assert_linear: Linear) -> None:
    assert_linear(_wrapped, paragraphs, 2000)
    assert_linear(lambda n: "a\n" + " \n" * n + "b", paragraphs, 20_000)


def test_paragraph_split_is_unchanged() -> None:
    text = "A b.\n \t \nC d.\n\x1c\nE\n\n\nF " + "x" * 120 + "\nG " + "y" * 120
    assert paragraphs(text) == ["A b.", "C d.", "E", "F " + "x" * 120, "G " + "y" * 120]


def test_fold_repeats_is_linear(assert_linear: Linear) -> None:
    def build(n: int) -> list[str]:
        return [f"paragraph number {i % (n // 2 + 1)} with five words" for i in range(n)]

    assert_linear(build, fold_repeats, 2000)


def test_clean_of_one_huge_paragraph_is_linear(assert_linear: Linear) -> None:
    hostile = 'By A.B. "x," he said. Published May 22, 2007 © Follow us on Twitter » '
    assert_linear(lambda n: hostile * n, clean, 500)
    assert_linear(lambda n: "\n\n".join([hostile] * n), clean, 500)


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


# --- sniffing and fingerprints -------------------------------------------------------------


def test_sniff_is_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: '{"a": 1}\n' * n, sniff, 5000)
    assert_linear(lambda n: "<" * n, sniff, 5000)


def test_normalize_is_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: "Ünïcode — “words” " * n, fp.normalize, 2000)
    assert_linear(lambda n: "x" * n, fp.fingerprint, 20_000)


def test_normalize_memory_is_proportional() -> None:
    text = "— “ ” · " * 250_000  # 2 million non-ASCII punctuation characters
    tracemalloc.start()
    try:
        fp.normalize(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # One list of every non-ASCII character took ~80 bytes a character.
    assert peak < 20 * len(text)


def test_one_long_word_does_not_grow_the_cached_table() -> None:
    fp.fingerprint("x" * 1_000_000)
    assert len(fp._char_pow) <= fp._MAX_CACHED_POW


# --- the whole reading path ----------------------------------------------------------------


def _read(name: str) -> Callable[[bytes], Any]:
    return lambda data: read_articles(name, data, BIG)


def test_read_articles_on_one_line_up_to_10_mb(assert_linear: Linear) -> None:
    unit = b'Title: a    b "x," he said. By A.A.A. May 22, 2007, officials '  # 64 bytes
    assert_linear(lambda n: unit * n, _read("a.txt"), 10 * 1024 * 1024 // 64 // 8, repeats=2)


def test_read_articles_on_one_paragraph_up_to_1_mb(assert_linear: Linear) -> None:
    # Non-ASCII, so ftfy's repair runs over every line too.
    def build(n: int) -> bytes:
        return _wrapped(n).replace("more", "mör").encode()

    assert_linear(build, _read("a.txt"), 2200, repeats=2)


def test_read_articles_on_many_short_lines_is_linear(assert_linear: Linear) -> None:
    assert_linear(lambda n: "é\n".encode() * n + b"Body text.", _read("a.txt"), 20_000)


def test_read_articles_on_json_and_html_is_linear(assert_linear: Linear) -> None:
    def json_body(n: int) -> bytes:
        return b'{"title": "T", "body": "' + b"word \\u00e9 " * n + b'"}'

    assert_linear(json_body, _read("a.json"), 5000)
    assert_linear(lambda n: b'{"body": "x y"}\n' * n, _read("a.jsonl"), 200, repeats=2)
    html = b"<p>Some words of an article, long enough to be kept as text.</p>"
    assert_linear(lambda n: b"<html><body><article>" + html * n, _read("a.html"), 200)


def test_relatives_and_honorifics_are_linear(assert_linear: Linear) -> None:
    body = 'Kylie Morrow\'s mother Elizabeth spoke. "Nobody came," Ms Morrow said. '
    assert_linear(lambda n: body * n, lambda b: extract_quotes(b, ()), 200)


def test_role_names_pronouns_and_carried_quotes_are_linear(assert_linear: Linear) -> None:
    body = 'Protest organiser Maya Ruiz spoke. "No," she said. "Never again." '
    assert_linear(lambda n: body * n, lambda b: extract_quotes(b, ()), 200)
