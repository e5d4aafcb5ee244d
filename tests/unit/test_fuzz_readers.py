"""Fuzz the whole reading path: any name, any bytes, near-valid formats, small caps.

`read_articles` either returns drafts whose every text field is safe to store (no NUL, no
C0/C1 control other than newline and tab, no lone surrogate) and within the caps, or raises
`RejectedInput` with a code and a reason. Nothing else: no other exception type.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipelines.extract import read_articles
from pipelines.limits import Limits
from pipelines.records import ArticleDraft, RejectedInput
from pipelines.sanitize import is_safe

# Explicit so the run stays within ~30 s on a busy machine; no example database is written
# into the repository.
FUZZ = settings(
    max_examples=800,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOSTILE_CHARS = st.sampled_from(
    ["\x00", "\x1b", "\x07", "\x7f", "\x85", "\x9b", "\ud800", "\udfff", "\r", "\u2028", "\ufeff"]
)
CHARS = st.one_of(st.characters(), HOSTILE_CHARS)
WORDS = st.sampled_from(["the", "council", "said", "Smith", "“Yes,”", '"no"', "By", "May 22,"])
SHORT_TEXT = st.text(CHARS, max_size=40)
PROSE = st.lists(st.one_of(WORDS, SHORT_TEXT), max_size=40).map(" ".join)

NAMES = st.one_of(
    st.text(CHARS, max_size=300),
    st.builds(
        lambda stem, suffix: stem + suffix,
        st.text(CHARS, max_size=20),
        st.sampled_from(
            [
                ".txt",
                ".md",
                ".html",
                ".htm",
                ".json",
                ".jsonl",
                ".ndjson",
                ".csv",
                "",
                ".TXT",
                ".xml",
                ".nitf",
            ]
        ),
    ),
    st.sampled_from(["[/b]", "a[/b].txt", "<script>.html", "../../etc/passwd", "x" * 5000]),
)

KEYS = st.sampled_from(
    [
        "title",
        "headline",
        "body",
        "text",
        "content",
        "author",
        "authors",
        "byline",
        "date",
        "published",
        "url",
        "link",
        "source",
        "language",
        "lang",
        "x",
    ]
)
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), PROSE, SHORT_TEXT
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=6)),
    max_leaves=20,
)
ARTICLE = st.dictionaries(KEYS, st.one_of(PROSE, JSON_VALUES), min_size=1, max_size=8)


def _encode(text: str, ascii_only: bool) -> bytes:
    return text.encode("ascii" if ascii_only else "utf-8", "surrogatepass")


def _json_file(value: Any, ascii_only: bool, cut: int) -> bytes:
    data = _encode(json.dumps(value, ensure_ascii=ascii_only), ascii_only)
    return data[:cut] if cut else data  # sometimes truncated: near-valid


JSON_FILES = st.builds(
    _json_file,
    st.one_of(ARTICLE, st.lists(ARTICLE, max_size=6), JSON_VALUES),
    st.booleans(),
    st.integers(0, 300),
)
JSONL_FILES = st.builds(
    lambda items, ascii_only, sep: sep.join(
        _encode(json.dumps(i, ensure_ascii=ascii_only), ascii_only) for i in items
    ),
    st.lists(st.one_of(ARTICLE, JSON_VALUES), min_size=1, max_size=8),
    st.booleans(),
    st.sampled_from([b"\n", b"\r\n", b"\n\n", b"\n \n"]),
)
TAGS = st.sampled_from(["p", "div", "article", "h1", "title", "span", "script", "b", "meta"])
ENTITIES = st.sampled_from(["&#0;", "&#27;", "&#x1b;", "&#x85;", "&#xD800;", "&amp;", "&#12"])


@st.composite
def html_files(draw: st.DrawFn) -> bytes:
    parts = ["<html><head><title>", draw(PROSE), "</title></head><body>"]
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(TAGS)
        inner = draw(st.lists(st.one_of(PROSE, ENTITIES), max_size=4))
        parts += [f"<{tag}>", " ".join(inner), f"</{tag}>" if draw(st.booleans()) else ""]
    return _encode("".join(parts), False)


@st.composite
def txt_files(draw: st.DrawFn) -> bytes:
    keys = ["Title", "Author", "By", "Date", "URL", "Source", "Language", "Headline"]
    lines = [
        f"{draw(st.sampled_from(keys))}: {draw(SHORT_TEXT)}" for _ in range(draw(st.integers(0, 4)))
    ]
    lines += ["", draw(st.one_of(PROSE, st.just("# Heading"))), ""]
    lines += draw(st.lists(PROSE, max_size=6))
    text = "\n".join(lines)
    codec = draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]))
    return text.encode(codec, "replace" if codec == "cp1252" else "surrogatepass")


_NITF = (
    '{prolog}<nitf><head><title>{a}</title><docdata management-status="{b}">'
    '<doc-id id-string="{b}"/><urgency ed-urg="{b}"/><date.issue norm="{b}"/></docdata></head>'
    "<body><body.head><hedline><hl1>{a}</hl1></hedline><byline>{a}</byline>"
    "<dateline>{a}</dateline></body.head><body.content><p>{c}</p><table><tr><td>{a}</td></tr>"
    "</table><media><media-caption>{a}</media-caption></media><block><p>{c}</p></block>"
    "</body.content></body></nitf>"
)
_NEWSML_ITEM = (
    '<newsItem guid="{b}" version="{b}" xml:lang="{b}"><itemMeta><firstCreated>{a}'
    '</firstCreated><pubStatus qcode="{b}"/></itemMeta><contentMeta><urgency>{b}</urgency>'
    '<located literal="{b}"/><subject qcode="{b}"><name>{a}</name></subject><headline>{a}'
    '</headline><by>{a}</by><language tag="{b}"/></contentMeta><contentSet>{body}</contentSet>'
    "</newsItem>"
)
_NEWSML_BODIES = (
    "<inlineData>{c}</inlineData>",
    '<inlineXML><html xmlns="http://www.w3.org/1999/xhtml"><body><p>{c}</p><figure><figcaption>'
    "{a}</figcaption></figure></body></html></inlineXML>",
    "",
)
_PROLOGS = ("", '<?xml version="1.0"?>', '<!DOCTYPE nitf SYSTEM "x.dtd">', "<!-- c -->", "\ufeff")


@st.composite
def wire_files(draw: st.DrawFn) -> bytes:
    """Near-valid NITF and NewsML-G2: hostile text, escaped or not, sometimes truncated."""
    raw = draw(st.booleans())

    def text() -> str:
        value = draw(PROSE)
        return value if raw else escape(value, {'"': "&quot;"})

    if draw(st.booleans()):
        doc = _NITF.format(prolog=draw(st.sampled_from(_PROLOGS)), a=text(), b=text(), c=text())
    else:
        items = "".join(
            _NEWSML_ITEM.format(
                a=text(),
                b=text(),
                body=draw(st.sampled_from(_NEWSML_BODIES)).format(a=text(), c=text()),
            )
            for _ in range(draw(st.integers(1, 4)))
        )
        doc = f'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>{items}</itemSet></newsMessage>'
    data = _encode(doc, False)
    cut = draw(st.integers(0, len(data)))
    return data[:cut] if draw(st.booleans()) else data


DATA = st.one_of(
    st.binary(max_size=3000),
    st.text(CHARS, max_size=1000).map(lambda t: _encode(t, False)),
    JSON_FILES,
    JSONL_FILES,
    html_files(),
    txt_files(),
    wire_files(),
)
LIMITS = st.builds(
    Limits,
    max_bytes=st.one_of(st.just(1 << 20), st.just(1 << 20), st.integers(1, 4000)),
    max_title_chars=st.integers(1, 80),
    max_items=st.integers(1, 6),
    max_field_chars=st.integers(1, 60),
)
CAPPED = ("byline", "published", "language", "dateline", "caption", "source", "url")


def check(draft: ArticleDraft, limits: Limits) -> None:
    assert draft.body.strip()
    for f in fields(ArticleDraft):
        value = getattr(draft, f.name)
        for text in value if f.name == "removed" else [value]:
            if isinstance(text, str):
                assert is_safe(text), (f.name, text)
                text.encode("utf-8")
    assert draft.title is None or len(draft.title) <= limits.max_title_chars
    for name in CAPPED:
        value = getattr(draft, name)
        assert value is None or len(value) <= limits.max_field_chars, name


@FUZZ
@given(name=NAMES, data=DATA, limits=LIMITS)
def test_read_articles_gives_clean_drafts_or_a_reason(
    name: str, data: bytes, limits: Limits
) -> None:
    try:
        drafts = read_articles(name, data, limits)
    except RejectedInput as err:
        event(f"rejected: {err.code}")  # shown by --hypothesis-show-statistics
        assert err.code and err.code.strip() == err.code
        assert err.reason.strip() and is_safe(err.reason)
        return
    event("drafts")
    assert 1 <= len(drafts) <= limits.max_items
    for draft in drafts:
        check(draft, limits)
