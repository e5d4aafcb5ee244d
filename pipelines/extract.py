"""The reading half of extraction: one file's bytes to cleaned article drafts.

This is the entry point `workers` call; it picks the reader by the file name (or by
sniffing the content) and enforces the size limit before any work is spent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from pipelines import metadata
from pipelines.clean import clean
from pipelines.decode import decode_text
from pipelines.readers import Parsed
from pipelines.readers.html import read_html
from pipelines.readers.jsonl import read_json, read_jsonl
from pipelines.readers.sniff import sniff
from pipelines.readers.txt import read_txt
from pipelines.records import ArticleDraft, RejectedInput

Reader = Callable[[str], list[Parsed]]
READERS: dict[str, Reader] = {
    "txt": read_txt,
    "html": read_html,
    "json": read_json,
    "jsonl": read_jsonl,
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
}


def _format(name: str, text: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    found = sniff(text)
    if found is None:
        raise RejectedInput(
            "unsupported", f"files ending in {suffix or '(no suffix)'!r} that are not text"
        )
    return found


def _language(parsed: Parsed, body: str) -> str | None:
    declared = (parsed.language or "").strip().lower()[:2]
    return declared if declared.isalpha() and len(declared) == 2 else metadata.detect_language(body)


def finish(parsed: Parsed) -> ArticleDraft:
    """Clean one parsed article and normalise its metadata into a draft."""
    cleaned = clean(
        parsed.text, title=parsed.title, lines_are_paragraphs=parsed.lines_are_paragraphs
    )
    if not cleaned.body.strip():
        where = f"item {parsed.item}" if parsed.item else "the file"
        raise RejectedInput("no_text", f"{where} has no article text after cleaning")
    title = " ".join(parsed.title.split()) if parsed.title else None
    return ArticleDraft(
        body=cleaned.body,
        title=title or None,
        byline=metadata.clean_byline(parsed.author) or cleaned.byline,
        published=metadata.parse_date(parsed.date) or cleaned.published,
        language=_language(parsed, cleaned.body),
        dateline=cleaned.dateline,
        caption=cleaned.caption,
        source=parsed.source,
        url=parsed.url,
        item=parsed.item,
        removed=tuple(cleaned.removed),
    )


def read_articles(name: str, data: bytes, *, max_bytes: int) -> list[ArticleDraft]:
    """Read every article in one file, or raise `RejectedInput` with the reason."""
    if len(data) > max_bytes:
        raise RejectedInput(
            "too_large", f"the file is {len(data)} bytes, over the limit of {max_bytes}"
        )
    text = decode_text(data)
    parsed = READERS[_format(name, text)](text)
    return [finish(p) for p in parsed]
