"""`render.safe`, the one way text from dropped files reaches a terminal, and the faces built
on it, printed by a real Rich console to a string."""

from __future__ import annotations

import io

from rich.console import Console

from workers.render import print_record, safe, title_text

ESC = "\x1b"


def printed(renderable: object) -> str:
    out = io.StringIO()
    Console(file=out, width=200, force_terminal=False).print(renderable)
    return out.getvalue()


def test_markup_is_printed_as_itself() -> None:
    for text in ("a[/b] c.txt", "[red]ALERT[/red]", "[/]", "[link=file:///etc]x[/link]"):
        assert printed(safe(text)).strip() == text


def test_control_characters_are_shown_not_sent() -> None:
    shown = printed(safe(f"{ESC}[2J{ESC}]0;title\x07 a\nb\tc\x00 \x9b1m \x7f"))
    assert ESC not in shown and "\x07" not in shown and "\x9b" not in shown
    assert shown.strip() == "\\x1b[2J\\x1b]0;title\\x07 a\\nb\\tc\\x00 \\x9b1m \\x7f"


def test_bidi_overrides_are_shown() -> None:
    assert printed(safe("invoice\u202etxt.exe")).strip() == "invoice\\u202etxt.exe"


def test_long_text_is_cut_with_an_ellipsis() -> None:
    assert safe("x" * 10_000, limit=300).plain == "x" * 299 + "…"
    assert safe("short").plain == "short"
    assert len(safe("y" * 10_000, limit=None).plain) == 10_000
    assert safe(None).plain == ""


def test_an_extracted_record_with_hostile_fields_prints() -> None:
    record = {
        "title": f"Markets [/b] close {ESC}[31mhigher",
        "byline": "By [bold]Ann[/]",
        "word_count": 3,
        "entities": [{"canonical": "[/] Corp", "label": "ORG", "count": 2}],
        "quotes": [{"text": "We [red]won", "speaker": f"Bo{ESC}b"}],
    }
    out = io.StringIO()
    print_record(Console(file=out, width=200), record)
    text = out.getvalue()
    assert ESC not in text
    for part in (
        "Markets [/b] close \\x1b[31mhigher",
        "By [bold]Ann[/]",
        "[/] Corp",
        "We [red]won",
    ):
        assert part in text


def test_a_derived_title_is_marked_and_stays_inert() -> None:
    derived = title_text(f"Floods{ESC}[2J [red]close[/red] the barrier", derived=True)
    shown = printed(derived)
    assert "(derived)" in shown and ESC not in shown and "[red]close[/red]" in shown
    assert any(span.style == "italic" for span in derived.spans)
    assert "(derived)" not in printed(title_text("Rates rise", derived=False))
    assert printed(title_text(None, derived=False)).strip() == "(no title)"


def test_extract_shows_the_lede_of_an_untitled_article() -> None:
    out = io.StringIO()
    record = {
        "title": None,
        "body": "BAGHDAD (AP) - Car bombs hit the capital. More.",
        "entities": [],
        "quotes": [],
    }
    print_record(Console(file=out, width=120, force_terminal=False), record)
    assert "Car bombs hit the capital (derived)" in out.getvalue()
