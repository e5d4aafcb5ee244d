"""Format readers and content sniffing."""

from __future__ import annotations

import pytest

from pipelines.readers.jsonl import read_json, read_jsonl
from pipelines.readers.sniff import sniff
from pipelines.readers.txt import looks_like_headline, read_txt
from pipelines.records import RejectedInput


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Storm closes Channel ports", True),
        ("Is Iran winning the proxy war?", True),
        ("The council met on Tuesday to debate the budget.", False),
        ('"We will respond," Bush says', False),
        ("By Jane Doe", False),
        ("x " * 40, False),
    ],
)
def test_headline_shape(line: str, expected: bool) -> None:
    assert looks_like_headline(line, ["Body follows here."]) is expected


def test_headline_needs_a_body() -> None:
    assert not looks_like_headline("Storm closes Channel ports", [])


def test_header_block() -> None:
    [p] = read_txt("Title: T\nAuthor: A B\nDate: 2020-01-02\nURL: http://x\n\nBody.")
    assert (p.title, p.author, p.date, p.url, p.text.strip()) == (
        "T",
        "A B",
        "2020-01-02",
        "http://x",
        "Body.",
    )


def test_lone_key_value_line_is_body() -> None:
    [p] = read_txt("Source: officials briefed reporters on the plan today and left.")
    assert p.title is None and p.text.startswith("Source:")


def test_json_field_aliases() -> None:
    [p] = read_json('{"headline": "H", "text": "B", "authors": ["A", "C"], "link": "u"}')
    assert (p.title, p.text, p.author, p.url) == ("H", "B", "A, C", "u")


def test_jsonl_blank_lines_keep_numbering() -> None:
    items = read_jsonl('{"body": "a"}\n\n{"body": "b"}\n')
    assert [p.item for p in items] == [1, 3]


def test_jsonl_missing_body_names_line() -> None:
    with pytest.raises(RejectedInput) as info:
        read_jsonl('{"body": "a"}\n{"title": "no body"}\n')
    assert info.value.code == "no_text" and "line 2" in info.value.reason


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('{"a": 1}', "json"),
        ('{"a": 1}\n{"a": 2}', "jsonl"),
        ("<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("Just some words in a file.", "txt"),
        ("0101 0202 3.14 ++ -- ==", None),
    ],
)
def test_sniff(text: str, fmt: str | None) -> None:
    assert sniff(text) == fmt
