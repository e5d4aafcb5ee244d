"""The reading half of extraction: one file's bytes to cleaned article drafts.

This is the entry point `workers` call; it picks the reader by a wire file's root element
(NITF, NewsML-G2), else by the file name, else by sniffing the content, and enforces the
size limit before any work is spent. Every draft leaves through `finish`, which applies the
text invariant (`pipelines.sanitize`) and the caps (`pipelines.limits.Limits`) whatever
reader produced it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath

from pipelines import metadata
from pipelines.clean import clean
from pipelines.decode import decode_text
from pipelines.limits import SETTING_MAX_BYTES, SETTING_MAX_TITLE, Limits
from pipelines.readers import Parsed
from pipelines.readers.html import read_html
from pipelines.readers.jsonl import read_json, read_jsonl
from pipelines.readers.newsml import read_newsml
from pipelines.readers.nitf import read_nitf
from pipelines.readers.sniff import sniff, sniff_wire
from pipelines.readers.txt import read_txt
from pipelines.records import ArticleDraft, RejectedInput
from pipelines.sanitize import safe_optional, safe_text

Reader = Callable[[str, Limits], list[Parsed]]
READERS: dict[str, Reader] = {
    "txt": read_txt,
    "html": read_html,
    "json": read_json,
    "jsonl": read_jsonl,
    "nitf": read_nitf,
    "newsml": read_newsml,
}
SUFFIXES = {
    ".txt": "txt",
    ".md": "txt",
    ".markdown": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".nitf": "nitf",
}


_MAX_SUFFIX = 16  # a longer "suffix" is part of a name, not a format


def _format(name: str, text: str) -> str:
    """A wire file's root element wins over any suffix (agencies name files .txt, .xml or
    nothing); otherwise the suffix, then sniffing."""
    if wire := sniff_wire(text):
        return wire
    suffix = PurePath(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    found = sniff(text)
    if found is None:
        shown = repr(suffix) if 0 < len(suffix) <= _MAX_SUFFIX else "(no known suffix)"
        raise RejectedInput(
            "unsupported", f"the file name ends in {shown} and its content is not text"
        )
    return found


def _language(parsed: Parsed, body: str) -> str | None:
    declared = (parsed.language or "").strip().lower()[:2]
    return declared if declared.isalpha() and len(declared) == 2 else metadata.detect_language(body)


def _safe_parsed(parsed: Parsed) -> Parsed:
    """Readers decode escapes and entities after the bytes were cleaned: clean again here."""
    return replace(
        parsed,
        text=safe_text(parsed.text),
        title=safe_optional(parsed.title),
        author=safe_optional(parsed.author),
        date=safe_optional(parsed.date),
        source=safe_optional(parsed.source),
        url=safe_optional(parsed.url),
        language=safe_optional(parsed.language),
        authors=tuple(safe_text(a) for a in parsed.authors),
        dateline=safe_optional(parsed.dateline),
    )


def _where(parsed: Parsed) -> str:
    return f"item {parsed.item}" if parsed.item else "the file"


def _title(parsed: Parsed, limits: Limits) -> str | None:
    title = " ".join(parsed.title.split()) if parsed.title else None
    if title and len(title) > limits.max_title_chars:
        raise RejectedInput(
            "title_too_long",
            f"{_where(parsed)} has a title of {len(title):,} characters, over the limit of "
            f"{limits.max_title_chars:,} ({SETTING_MAX_TITLE})",
        )
    return title or None


def _cut(text: str | None, limit: int) -> str | None:
    """Secondary metadata is cut, not rejected: see `Limits`."""
    if text is None:
        return None
    return safe_text(text)[:limit].strip() or None


_MAX_AUTHORS = 20


def _authors(parsed: Parsed, from_body: str | None, cap: int) -> tuple[str, ...]:
    """The reader's named authors, else the one byline of the header or the body."""
    if parsed.authors:
        names = [_cut(a, cap) for a in parsed.authors[:_MAX_AUTHORS]]
        return tuple(n for n in names if n)
    byline = _cut(metadata.clean_byline(parsed.author) or from_body, cap)
    return (byline,) if byline else ()


def finish(parsed: Parsed, limits: Limits | None = None) -> ArticleDraft:
    """Clean one parsed article and normalise its metadata into a draft.

    Every text field of the draft passes `safe_text` here (so no reader can forget it), the
    title is checked against `limits.max_title_chars` and the short metadata fields are cut
    to `limits.max_field_chars`.
    """
    limits = limits or Limits()
    parsed = _safe_parsed(parsed)
    title = _title(parsed, limits)  # before cleaning: a refused file costs nothing more
    cleaned = clean(
        parsed.text, title=parsed.title, lines_are_paragraphs=parsed.lines_are_paragraphs
    )
    if not cleaned.body.strip():
        raise RejectedInput("no_text", f"{_where(parsed)} has no article text after cleaning")
    cap = limits.max_field_chars
    authors = _authors(parsed, cleaned.byline, cap)
    return ArticleDraft(
        body=safe_text(cleaned.body),
        title=safe_optional(title),
        byline=_cut(metadata.join_authors(authors), cap),
        authors=authors,
        published=_cut(metadata.parse_date(parsed.date) or cleaned.published, cap),
        language=_cut(_language(parsed, cleaned.body), cap),
        dateline=_cut(parsed.dateline or cleaned.dateline, cap),
        caption=_cut(cleaned.caption, cap),
        source=_cut(parsed.source, cap),
        url=_cut(parsed.url, cap),
        item=parsed.item,
        removed=tuple(safe_text(r) for r in (*parsed.removed, *cleaned.removed)),
    )


def read_articles(
    name: str, data: bytes, limits: Limits | None = None, *, max_bytes: int | None = None
) -> list[ArticleDraft]:
    """Read every article in one file, or raise `RejectedInput` with the reason.

    `limits` defaults to `Limits()`; the keyword `max_bytes`, when given, overrides
    `limits.max_bytes` (the older call form, kept for existing callers).
    """
    limits = limits or Limits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    if len(data) > limits.max_bytes:
        raise RejectedInput(
            "too_large",
            f"the file is {len(data):,} bytes, over the limit of {limits.max_bytes:,} "
            f"({SETTING_MAX_BYTES})",
        )
    text = decode_text(data)
    parsed = READERS[_format(name, text)](text, limits)
    return [finish(p, limits) for p in parsed]
