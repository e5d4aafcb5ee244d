"""Cleaning: repeated blocks, boilerplate, captions, footers, datelines, paragraphs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipelines.clean import clean, fold_repeats, paragraphs
from pipelines.metadata import clean_byline, detect_language, parse_date, split_dateline


def test_hard_wrapped_lines_are_joined_long_lines_kept_apart() -> None:
    wrapped = "The minister said the budget would be\nbalanced by the end of the decade.\n"
    assert paragraphs(wrapped) == [
        "The minister said the budget would be balanced by the end of the decade."
    ]
    long_lines = "A" * 120 + ".\n" + "B" * 120 + "."
    assert len(paragraphs(long_lines)) == 2
    assert paragraphs("By Jane Doe\n" + "x " * 80) == ["By Jane Doe", ("x " * 80).strip()]


def test_repeated_paragraph_kept_once_in_place() -> None:
    a, b = "First paragraph has several words in it.", "Second one also has words."
    kept, dropped = fold_repeats([a, b, a, b, "Yes.", "Yes."])
    assert kept == [a, b, "Yes.", "Yes."]  # short lines may legitimately repeat
    assert dropped == [a, b]


words = st.text(alphabet="abcdefgh ", min_size=1, max_size=40).map(lambda t: t.strip() or "x")


@given(st.lists(words, max_size=12), st.randoms(use_true_random=False))
def test_folding_never_loses_unique_text_and_is_deterministic(paras: list[str], rnd) -> None:
    doubled = paras + rnd.sample(paras, len(paras))
    kept, _ = fold_repeats(doubled)
    assert set(kept) == set(doubled)
    assert fold_repeats(doubled) == (kept, _)


def test_boilerplate_caption_and_footer() -> None:
    text = "\n\n".join(
        [
            "By Maria Lopez",
            "A firefighter sprays water on a burning house in this 2019 file photo.",
            "Fires burned across the valley on Sunday, officials said.",
            "Read more: how fires start",
            "© 2019 Valley News",
            "Follow Maria Lopez On Twitter»",
            "Maria Lopez is a staff reporter for Valley News.",
        ]
    )
    c = clean(text)
    assert c.body == "Fires burned across the valley on Sunday, officials said."
    assert c.byline == "Maria Lopez"
    assert c.caption and "file photo" in c.caption
    assert len(c.removed) == 5


def test_long_paragraphs_are_never_treated_as_boilerplate() -> None:
    para = "Share prices fell sharply on Monday as investors " + "worried about rates " * 20
    assert clean(para).body == para.strip()


def test_dateline_is_split_off() -> None:
    c = clean("WASHINGTON (AP) — The Senate voted on Friday.")
    assert (c.dateline, c.body) == ("WASHINGTON (AP)", "The Senate voted on Friday.")
    assert split_dateline("U.S. officials - who declined")[0] is None


def test_bylines_reject_junk() -> None:
    assert clean_byline("By JANE DOE, Associated Press") == "Jane Doe"
    for junk in ["Email The Author", "Follow @jdoe", "Read more", "Posted 12 May 2020", ""]:
        assert clean_byline(junk) is None


def test_dates_to_iso() -> None:
    assert parse_date("May 22, 2007") == "2007-05-22"
    assert parse_date("Tue, 22 May 2007 10:00:00 GMT") == "2007-05-22T10:00:00+00:00"
    assert parse_date("2007-05-22") == "2007-05-22"
    assert parse_date("May 22") is None  # no year: never guessed
    assert parse_date("not a date") is None


def test_language_detection() -> None:
    en = "The minister said that the plan was not ready and he would wait."
    assert detect_language(en) == "en"
    fr = "Le ministre a dit que le plan n'est pas prêt et qu'il faut attendre la fin du mois."
    assert detect_language(fr) == "fr"
    assert detect_language("Министр сказал, что план не готов.") == "ru"
    assert detect_language("Hi") is None
