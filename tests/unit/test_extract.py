"""read_articles: the contract workers rely on, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import extract
from pipelines.extract import read_articles
from pipelines.limits import Limits
from pipelines.records import RejectedInput

DATA = Path(__file__).resolve().parents[1] / "data" / "extraction" / "articles"
MAX = 10_000_000


def read(name: str, data: bytes) -> list:
    return read_articles(name, data, Limits(max_bytes=MAX))


def rejected(name: str, data: bytes, max_bytes: int = MAX) -> RejectedInput:
    with pytest.raises(RejectedInput) as info:
        read_articles(name, data, Limits(max_bytes=max_bytes))
    assert info.value.reason
    return info.value


def test_sample_with_footer() -> None:
    [d] = read("a.txt", (DATA / "000_981d7471d11f99af.txt").read_bytes())
    assert d.title == "U.S. And Iran Fighting Proxy War In Iraq"
    assert d.byline == "Scott Conroy"
    assert d.caption and d.caption.startswith("Armed fighters")
    assert "Twitter" not in d.body and "Political Reporter" not in d.body
    assert d.body.startswith("Outright war between")
    assert any("On Twitter" in r for r in d.removed)
    assert d.language == "en"


def test_sample_pasted_twice_keeps_one_copy() -> None:
    data = (DATA / "003_20ada37b2adb50da.txt").read_bytes()
    [d] = read("b.txt", data)
    assert d.title == "Iran's secret plan for summer offensive to force US out of Iraq"
    assert d.body.count("Iran is secretly forging ties") == 1
    assert d.body.count("Mohammad Reza Bagheri") == 1
    assert "\n\n" in d.body  # paragraphs kept
    assert d.word_count < len(data.split()) * 0.55


def test_header_block_and_dateline() -> None:
    [d] = read("w.txt", (DATA / "composed_wire.txt").read_bytes())
    assert d.title == "Iraq offers talks as pressure on militias grows"
    assert d.byline == "Jane Halloran"
    assert d.published == "2007-05-22T14:05:00+00:00"
    assert d.dateline == "BAGHDAD, May 22 (Reuters)"
    assert d.body.startswith("Iraq's government offered")
    assert "Copyright" not in d.body and "Read more" not in d.body


def test_paragraphs_only_have_no_title() -> None:
    text = (
        "The council met on Tuesday to debate the budget for next year.\n\n"
        "Members argued for three hours before adjourning without a vote.\n"
    )
    [d] = read("p.txt", text.encode())
    assert d.title is None
    assert d.body.startswith("The council met")


def test_markdown_heading_is_title() -> None:
    [d] = read("m.md", b"# Storm hits coast\n\nWinds reached 120 km/h overnight.\n")
    assert d.title == "Storm hits coast"
    assert d.body == "Winds reached 120 km/h overnight."


def test_jsonl_items_are_line_numbers() -> None:
    drafts = read("f.jsonl", (DATA / "composed_feed.jsonl").read_bytes())
    assert [d.item for d in drafts] == [1, 2]
    assert drafts[0].title == "Farmers in Punjab protest water cuts"
    assert drafts[0].byline == "Ravi Menon" and drafts[0].url == "https://example.com/punjab"
    assert drafts[1].published == "2021-03-05"


def test_json_single_object() -> None:
    obj = {"headline": "H", "content": "Body text here.", "date": "2020-02-29"}
    [d] = read("x.json", json.dumps(obj).encode())
    assert (d.title, d.body, d.published, d.item) == ("H", "Body text here.", "2020-02-29", 0)


def test_html_metadata() -> None:
    [d] = read("p.html", (DATA / "composed_page.html").read_bytes())
    assert d.title == "Mayor unveils flood plan"
    assert d.byline == "Tom Reyes"
    assert d.published == "2022-09-14"
    assert d.source == "Riverside Gazette"
    assert not d.body.startswith("Mayor unveils")  # the <h1> repeats the title
    assert "Copyright" not in d.body


def test_sniffs_unknown_extensions() -> None:
    [d] = read("story.dat", b'{"title": "T", "body": "Some text."}')
    assert d.title == "T"
    [h] = read("story", b"<html><body><article><p>" + b"Plenty of words here. " * 10 + b"</p>")
    assert h.body.startswith("Plenty of words")
    assert read("notes.log", b"Plain words in a file.\n")[0].body == "Plain words in a file."


def test_cp1252_and_mojibake_are_repaired() -> None:
    [d] = read("a.txt", "Caf\u00e9 owners said \u201cno\u201d to the plan.".encode("cp1252"))
    assert "Café" in d.body and "“no”" in d.body
    [m] = read("b.txt", "Caf\u00e9 society".encode().decode("latin-1").encode())
    assert m.body == "Café society"


def test_utf16_with_bom() -> None:
    [d] = read("a.txt", "\ufeffHello from a UTF-16 file.".encode("utf-16"))
    assert d.body == "Hello from a UTF-16 file."


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("e.txt", b"", "empty"),
        ("e.txt", b"  \n\t\n ", "empty"),
        ("b.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("n.html", b"<html><body><div></div><script>var x=1;</script></body></html>", "no_text"),
        ("j.json", b'{"title": "x", "body": ', "unparseable"),
        ("j.json", b'{"title": "no body"}', "no_text"),
        ("j.json", b"[1, 2]", "unparseable"),
        ("r.csv", b"1,2,3\n4,5,6\n7,8,9\n", "unsupported"),
        ("s.txt", b"Share this article\n\nFollow us on Twitter\n", "no_text"),
    ],
)
def test_bad_input_is_rejected(name: str, data: bytes, code: str) -> None:
    assert rejected(name, data).code == code


def test_malformed_jsonl_names_the_line() -> None:
    data = b'{"body": "one"}\n{"body": "two"}\n{"body": oops}\n'
    err = rejected("f.jsonl", data)
    assert err.code == "unparseable" and "line 3" in err.reason


def test_twenty_megabytes_rejected_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The size limit is checked before any work is spent on the bytes (what that saves:
    bench/pipeline_costs.py)."""
    decoded: list[int] = []

    def decode(data: bytes) -> str:
        decoded.append(len(data))
        return data.decode("ascii")

    monkeypatch.setattr(extract, "decode_text", decode)
    limit = 10 * 1024 * 1024
    err = rejected("big.txt", b"word " * (4 * 1024 * 1024), max_bytes=limit)
    assert err.code == "too_large" and f"{limit:,}" in err.reason
    assert "DROPWIRE_MAX_FILE_BYTES" in err.reason
    assert rejected("one-over.txt", b"Some words. " * 8, max_bytes=95).code == "too_large"
    assert decoded == []
    [d] = read_articles("at-limit.txt", b"Some words. " * 8, max_bytes=96)  # 96 bytes: allowed
    assert d.body.startswith("Some words.") and decoded == [96]


def test_max_bytes_keyword_still_works() -> None:
    # The older call form workers and bench use: `max_bytes` overrides the limits'.
    with pytest.raises(RejectedInput) as info:
        read_articles("a.txt", b"Some words here.", max_bytes=10)
    assert info.value.code == "too_large"
    assert read_articles("a.txt", b"Some words here.", Limits(max_bytes=5), max_bytes=100)
    assert read_articles("a.txt", b"Some words here.")  # Limits() by default


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["a.txt", "a.md", "a.html", "a.json", "a.jsonl", "a.bin", "a"]),
    data=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.text(alphabet='{}[]":,\n<>/ pabc1', max_size=300).map(str.encode),
    ),
)
def test_any_bytes_give_drafts_or_a_reason(name: str, data: bytes) -> None:
    try:
        drafts = read_articles(name, data, Limits(max_bytes=1500))
    except RejectedInput as err:
        assert err.code and err.reason.strip()
        return
    assert drafts
    for d in drafts:
        assert d.body.strip()
