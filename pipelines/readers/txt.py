"""Plain text and Markdown: optional `Key: value` header block, optional headline, body."""

from __future__ import annotations

import re

from pipelines.limits import Limits
from pipelines.readers import Parsed

# Only the key is matched by a regex; the value is the rest of the line, stripped. The old
# `\s*(.+?)\s*$` let the lazy value and the trailing spaces trade characters: quadratic
# on one long line of spaces.
_HEADER_KEY = re.compile(
    r"(title|headline|author|byline|by|date|published|source|url|link|language|lang)\s*:",
    re.I,
)
_FIELD = {
    "title": "title",
    "headline": "title",
    "author": "author",
    "byline": "author",
    "by": "author",
    "date": "date",
    "published": "date",
    "source": "source",
    "url": "url",
    "link": "url",
    "language": "language",
    "lang": "language",
}
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MAX_LONE_HEADER = 80
_MAX_TITLE_CHARS = 160
_MAX_TITLE_WORDS = 25
# A headline does not end like a sentence; a question mark is fine ("Is Iran winning?").
_SENTENCE_END = (".", ",", ";", ":", '"', "”", "’")
_NOT_TITLE = re.compile(r"^(by\s|[\"“‘'(\[*•-]|\d{1,2}[:/.])", re.I)


def _header(line: str) -> tuple[str, str] | None:
    """(field, value) of one `Key: value` line, else None."""
    line = line.strip()
    m = _HEADER_KEY.match(line)
    value = line[m.end() :].strip() if m else ""
    return (_FIELD[m.group(1).lower()], value) if m and value else None


def _header_block(lines: list[str]) -> tuple[dict[str, str], int]:
    """Fields of a leading `Key: value` block and the index of the first line after it."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(lines) and (header := _header(lines[i])):
        fields.setdefault(*header)
        i += 1
    if not fields or i == len(lines):
        return {}, 0  # a header with nothing after it is the text itself
    # One lone "Source: officials …" line opening a paragraph is body text, not a header.
    if i == 1 and (lines[i].strip() or len(lines[0]) > _MAX_LONE_HEADER):
        return {}, 0
    return fields, i


def looks_like_headline(line: str, rest: list[str]) -> bool:
    """Short, not a sentence, and followed by more text: a headline, not a paragraph."""
    line = line.strip()
    if not line or not any(r.strip() for r in rest):
        return False
    if len(line) > _MAX_TITLE_CHARS or len(line.split()) > _MAX_TITLE_WORDS:
        return False
    if line.endswith(_SENTENCE_END) or _NOT_TITLE.match(line):
        return False
    return any(c.isupper() for c in line[:2])


def _first_text_line(lines: list[str], start: int) -> int:
    while start < len(lines) and not lines[start].strip():
        start += 1
    return start


def read_txt(text: str, limits: Limits | None = None) -> list[Parsed]:
    """`limits` is accepted for a uniform reader signature; the caps apply in `finish`."""
    lines = text.strip("\n").split("\n")
    fields, start = _header_block(lines)
    # One slice, not pop(0) per blank line: that was quadratic on a million blank lines.
    lines = lines[_first_text_line(lines, start) :]
    title = fields.get("title")
    if lines:
        first = _MD_HEADING.sub("", lines[0]).strip()
        headed = _MD_HEADING.match(lines[0]) is not None
        if title is None and (headed or looks_like_headline(first, lines[1:])):
            title, lines = first, lines[1:]
        elif title is not None and first.casefold() == title.casefold():
            lines = lines[1:]  # the header title repeated as the first line
    body = "\n".join(_MD_HEADING.sub("", ln) for ln in lines)
    return [
        Parsed(
            text=body,
            title=title,
            author=fields.get("author"),
            date=fields.get("date"),
            source=fields.get("source"),
            url=fields.get("url"),
            language=fields.get("language"),
        )
    ]
