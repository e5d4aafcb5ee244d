"""The display title of an untitled article: the lede's first clause, marked as derived."""

from __future__ import annotations

import pytest

from pipelines.display import MAX_CHARS, display_title, first_clause


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "WASHINGTON (Reuters) - The Fed raised rates, its third rise. More.",
            "The Fed raised rates, its third rise",
        ),
        (
            "LONDON, May 3 — Floods closed the Thames barrier; ministers met.",
            "Floods closed the Thames barrier",
        ),
        ("Mr. Smith went to Washington. Then home.", "Mr. Smith went to Washington"),
        ("U.S. troops left Basra on Friday. Next", "U.S. troops left Basra on Friday"),
        ("Prices fell 3.5 percent in May. Next", "Prices fell 3.5 percent in May"),
        ('"We will rebuild," the mayor said. Next', 'We will rebuild," the mayor said'),
        ("  \n\t ", ""),
        ("", ""),
    ],
)
def test_first_clause(body: str, expected: str) -> None:
    assert first_clause(body) == expected


def test_a_long_clause_is_cut_at_a_word_and_marked() -> None:
    body = "Police said " + "very " * 40 + "many people were hurt."
    clause = first_clause(body)
    assert len(clause) <= MAX_CHARS and clause.endswith("…")
    assert body.startswith(clause[:-1].rstrip())


def test_a_title_is_kept_and_only_an_untitled_article_is_derived() -> None:
    assert display_title("Rates rise", "The Fed acted.") == display_title("Rates rise", None)
    shown = display_title(None, "The Fed acted. More.")
    assert shown is not None and shown.derived and shown.text == "The Fed acted"
    blank = display_title("   ", "The Fed acted.")
    assert blank is not None and blank.derived
    assert display_title(None, "   ") is None and display_title(None, None) is None


def test_only_the_opening_is_read() -> None:
    huge = "word " * 2_000_000  # 10 MB with no clause end
    assert len(first_clause(huge)) <= MAX_CHARS
