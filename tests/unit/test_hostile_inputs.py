"""Files anyone can write: clean fields after format decoding, caps, pathological contents."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, fields
from typing import Any

import ftfy
import pytest

from pipelines import decode, extract
from pipelines.extract import finish, read_articles
from pipelines.limits import Limits
from pipelines.readers import Parsed
from pipelines.readers.html import MAX_ELEMENTS
from pipelines.records import ArticleDraft, RejectedInput
from pipelines.sanitize import is_safe, safe_text

BODY = "The council met on Tuesday and debated the budget for a long time. "
TEXT_FIELDS = [f.name for f in fields(ArticleDraft) if f.name not in ("item", "removed", "authors")]
# What a field may never hold: NUL, C0/C1 controls other than \n and \t, lone surrogates.
FORBIDDEN = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]


def texts(draft: ArticleDraft) -> list[str]:
    values = [getattr(draft, name) for name in TEXT_FIELDS]
    return [v for v in values if v is not None] + list(draft.removed) + list(draft.authors)


def assert_clean(draft: ArticleDraft) -> None:
    for text in texts(draft):
        assert is_safe(text), repr(text)
        text.encode("utf-8")  # what psycopg does: no lone surrogate survives


def rejected(name: str, data: bytes, limits: Limits | None = None) -> RejectedInput:
    with pytest.raises(RejectedInput) as info:
        read_articles(name, data, limits or Limits())
    assert info.value.code and info.value.reason.strip()
    return info.value


# --- item 2: clean after the format is decoded -------------------------------------------


def test_safe_text() -> None:
    assert safe_text("a\x00b\x1b[31mc\x7f\x85\x9fd") == "ab[31mcd"
    assert safe_text("keep\ttabs\nand lines") == "keep\ttabs\nand lines"
    assert safe_text("crlf\r\nand\rcr") == "crlf\nand\ncr"
    assert safe_text("lone \ud800 and \udfff") == "lone \ufffd and \ufffd"
    assert safe_text("pair 😀 kept") == "pair 😀 kept"
    for c in FORBIDDEN:
        assert not is_safe(c), repr(c)
        assert safe_text(f"a{c}b") == ("a\nb" if c == "\r" else "ab"), repr(c)
    assert safe_text(safe_text("x\r\x00\ud800")) == safe_text("x\r\x00\ud800")


def test_json_escapes_cannot_reach_the_database() -> None:
    bad = "x\\u0000y\\u001b[31m\\u0085z\\ud800w\\u007f"
    doc = (
        "{"
        + ", ".join(
            f'"{key}": "{value}"'
            for key, value in [
                ("title", "Title " + bad),
                ("body", BODY + bad + "\\r\\n\\r\\nSecond paragraph " + bad),
                ("author", "Jane " + bad),
                ("date", "2007-05-22" + bad),
                ("source", "Wire " + bad),
                ("url", "https://example.com/" + bad),
                ("language", "e\\u0000n"),
            ]
        )
        + "}"
    )
    [d] = read_articles("a.json", doc.encode(), Limits())
    assert_clean(d)
    assert d.title == "Title xy[31mz\ufffdw"
    assert "\ufffd" in d.body and "\x00" not in d.body
    assert d.body.count("\n\n") == 1  # the escaped CRLF blank line still splits paragraphs
    assert d.source == "Wire xy[31mz\ufffdw" and d.url and "\x00" not in d.url


def test_jsonl_escapes_are_cleaned_in_every_item() -> None:
    lines = [json.dumps({"title": f"T{i}\u0000", "body": BODY + "\ud800"}) for i in range(3)]
    drafts = read_articles("a.jsonl", "\n".join(lines).encode(), Limits())
    assert len(drafts) == 3
    for d in drafts:
        assert_clean(d)


def test_html_character_references_to_controls() -> None:
    para = f"<p>{BODY * 3}Bad &#27;[31m &#1; &#x1B; &#12; &#x85; &#127; &#xD800; &#0; end.</p>"
    page = (
        "<html><head><title>Title &#27;here&#0;</title></head><body><article>"
        + para * 5
        + "</article></body></html>"
    )
    [d] = read_articles("a.html", page.encode(), Limits())  # a control reference lost the page
    assert_clean(d)
    assert d.title == "Title here"
    assert "Bad [31m" in d.body and "end." in d.body


def test_finish_cleans_whatever_a_reader_returns() -> None:
    parsed = Parsed(
        text=BODY + "\x00\x1b\ud800\x9b",
        title="T\x00",
        author="Jane Doe\x1b",
        date="2007-05-22\x00",
        source="S\ud800",
        url="u\x07",
        language="e\x00n",
    )
    d = finish(parsed, Limits())
    assert_clean(d)
    assert (d.title, d.source, d.url, d.language) == ("T", "S\ufffd", "u", "en")


def test_rejection_reasons_are_safe_and_short() -> None:
    err = RejectedInput("unparseable", "bad \x00 \ud800 " + "x" * 10_000)
    assert is_safe(err.reason) and len(err.reason) <= 500


def test_unknown_suffix_reason_stays_short() -> None:
    err = rejected("a." + "\x00" * 5000, b"0101 0202 3.14 ++ -- ==")
    assert err.code == "unsupported" and len(err.reason) < 100 and is_safe(err.reason)


# --- item 3: caps passed in ---------------------------------------------------------------


def test_limits_defaults_and_validation() -> None:
    limits = Limits()
    assert (limits.max_bytes, limits.max_title_chars, limits.max_items) == (
        10 * 1024 * 1024,
        2_000,
        10_000,
    )
    with pytest.raises(FrozenInstanceError):
        limits.max_items = 5  # type: ignore[misc]
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError):
            Limits(max_items=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("a.txt", lambda t: f"Title: {t}\nAuthor: Jane Doe\n\n{BODY}".encode()),
        ("a.json", lambda t: json.dumps({"title": t, "body": BODY}).encode()),
        ("a.jsonl", lambda t: json.dumps({"title": t, "body": BODY}).encode()),
        (
            "a.html",
            lambda t: (
                f"<html><head><title>{t}</title></head><body><article>"
                f"{('<p>' + BODY * 3 + '</p>') * 5}</article></body></html>"
            ).encode(),
        ),
    ],
)
def test_title_over_the_cap_is_rejected(name: str, make: Any) -> None:
    limits = Limits(max_title_chars=300)
    [d] = read_articles(name, make("w" * 300), limits)
    assert d.title == "w" * 300
    err = rejected(name, make("w" * 301), limits)
    assert err.code == "title_too_long"
    assert "301" in err.reason and "300" in err.reason
    assert "DROPWIRE_MAX_TITLE_CHARS" in err.reason


def test_title_cap_counts_folded_whitespace() -> None:
    title = "a" + " " * 5000 + "b"  # folds to "a b"
    [d] = read_articles("a.json", json.dumps({"title": title, "body": BODY}).encode(), Limits())
    assert d.title == "a b"


def test_too_many_jsonl_items_are_refused_while_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    finished: list[Parsed] = []
    real_finish = extract.finish
    monkeypatch.setattr(extract, "finish", lambda p, lim: finished.append(p) or real_finish(p, lim))
    # 1 MB of tiny items; the line after the limit is not even JSON: it is never parsed.
    data = b'{"body":"x"}\n' * 10 + b"not json\n" + b'{"body":"x"}\n' * 77_000
    err = rejected("a.jsonl", data, Limits(max_items=10))
    assert err.code == "too_many_items"
    assert "77,011" in err.reason and "10" in err.reason
    assert "DROPWIRE_MAX_ITEMS_PER_FILE" in err.reason
    assert finished == []  # no draft was built


def test_too_many_json_list_items() -> None:
    data = json.dumps([{"body": "x"}] * 11).encode()
    assert rejected("a.json", data, Limits(max_items=10)).code == "too_many_items"
    assert len(read_articles("a.json", data, Limits(max_items=11))) == 11


def test_items_at_the_limit_are_read() -> None:
    data = b'{"body": "x y"}\n\n' * 10
    assert len(read_articles("a.jsonl", data, Limits(max_items=10))) == 10


def test_short_metadata_fields_are_cut() -> None:
    doc = {
        "title": "T",
        "body": BODY,
        "source": "s" * 500,
        "url": "https://example.com/" + "p" * 500,
        "language": "english" * 100,
    }
    [d] = read_articles("a.json", json.dumps(doc).encode(), Limits(max_field_chars=50))
    assert d.source == "s" * 50
    assert d.url == ("https://example.com/" + "p" * 500)[:50]
    assert d.language == "en"
    caption = "\n\n".join(f"Photo: caption number {i} of many." for i in range(200))
    [c] = read_articles("c.txt", (BODY + "\n\n" + caption).encode(), Limits(max_field_chars=50))
    assert c.caption is not None and len(c.caption) <= 50


def test_long_bylines_are_not_bylines() -> None:
    doc = {"body": BODY, "author": "Jane Doe " + "and Jo " * 1000}
    [d] = read_articles("a.json", json.dumps(doc).encode(), Limits())
    assert d.byline is None


# --- item 4: pathological contents -------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text(codec: str) -> None:
    text = "Hello from a UTF-16 file. Café, naïve, “quoted”.\n\nSecond paragraph here."
    [d] = read_articles("a.txt", text.encode(codec), Limits())
    assert d.body == text


def test_utf16_shaped_binary_is_still_binary() -> None:
    data = bytes(b for i in range(4000) for b in (i % 7 + 1, 0))  # control "characters"
    assert rejected("a.txt", data).code == "binary"


def test_invalid_utf8_among_valid_utf8_keeps_the_text() -> None:
    data = "Café naïve résumé words here. ".encode() * 20 + b"\xff\xfe bad \xc3 bytes"
    [d] = read_articles("a.txt", data, Limits())
    assert d.body.startswith("Café naïve résumé") and "\ufffd" in d.body
    assert_clean(d)


def test_legacy_8bit_still_goes_to_charset_detection() -> None:
    data = "Les cafés du marché ont fermé très tôt, déclarent les élus.".encode("cp1252")
    [d] = read_articles("a.txt", data, Limits())
    assert "cafés" in d.body and "\ufffd" not in d.body


def test_ftfy_runs_per_segment_not_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = ftfy.fix_and_explain

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(ftfy, "fix_and_explain", counting)
    text = "é\n" * 20_000  # a call per line made 5 million short lines cost minutes
    assert decode.decode_text(text.encode()) == text
    assert calls <= 2 * len(text) / 512 + 2


@pytest.mark.parametrize(
    ("name", "data", "codes"),
    [
        ("a.json", b"[" * 100_000, {"unparseable"}),
        ("a.json", b'{"a":' * 100_000, {"unparseable"}),
        ("a.jsonl", b"[" * 100_000 + b"\n", {"unparseable"}),
        ("a.html", b"<html><body>" + b"<div>" * 100_000 + b"text" + b"</div>" * 100_000, None),
        ("a.html", b"<div><span></span><b></b></div>" * 20_000, {"too_complex"}),
        ("a.html", b"<div></div>" * 1000, {"no_text"}),
        ("a.txt", b"<p></p>" * 1000, None),
        ("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 50, {"binary"}),
        ("a.txt", bytes(range(256)) * 100, {"binary"}),
        ("a.json", b"12345", {"unparseable"}),
        ("a.json", b"null", {"unparseable"}),
        ("a.json", b"[1, 2]", {"unparseable"}),
        ("a.json", b'"just a string"', {"unparseable"}),
        ("a.json", b"1" * 5000, {"unparseable"}),
        ("a.json", b"[]", {"no_text"}),
        ("a.jsonl", b"null\n", {"unparseable"}),
    ],
)
def test_pathological_files_end_cleanly(name: str, data: bytes, codes: set[str] | None) -> None:
    """Drafts with clean fields, or RejectedInput with a code: never another exception."""
    try:
        drafts = read_articles(name, data, Limits())
    except RejectedInput as err:
        assert err.reason.strip() and (codes is None or err.code in codes), err
        return
    assert codes is None, f"expected one of {codes}, got {len(drafts)} drafts"
    for d in drafts:
        assert_clean(d)


def test_json_reasons_say_what_was_found() -> None:
    assert "found a number" in rejected("a.json", b"12345").reason
    assert "found null" in rejected("a.json", b"null").reason
    assert "nested too deeply" in rejected("a.json", b"[" * 100_000).reason


def test_json_with_ten_thousand_keys() -> None:
    obj: dict[str, Any] = {f"k{i}": i for i in range(10_000)}
    obj["body"] = BODY
    [d] = read_articles("a.json", json.dumps(obj).encode(), Limits())
    assert d.body == BODY.strip()


def test_html_element_cap() -> None:
    page = b"<html><body><article><p>" + BODY.encode() * 5 + b"</p>"
    small = page + b"<span></span>" * (MAX_ELEMENTS - 10) + b"</article></body></html>"
    assert read_articles("a.html", small, Limits())
    big = page + b"<span></span>" * MAX_ELEMENTS + b"</article></body></html>"
    err = rejected("a.html", big)
    assert err.code == "too_complex" and f"{MAX_ELEMENTS:,}" in err.reason
