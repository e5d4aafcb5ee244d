"""Quotation spans: where each direct quotation opens and closes, and sentence ends."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.quotes.patterns import ABBREV, SENTENCE_END


@dataclass(frozen=True, slots=True)
class Span:
    """A quotation: inner text body[start:end], marks at open and close-1."""

    open: int
    start: int
    end: int
    close: int


def _paragraphs(body: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", body)]


_MARKS = re.compile('["“”]')


def _mark_kind(body: str, i: int, lo: int, hi: int, depth: int) -> str | None:
    ch = body[i]
    if ch == "“":
        return "open"
    if ch == "”":
        return "close"
    prev = body[i - 1] if i > lo else " "
    nxt = body[i + 1] if i + 1 < hi else " "
    can_open = (prev.isspace() or prev in "([{—–-/") and not nxt.isspace()
    can_close = not prev.isspace() and (nxt.isspace() or nxt in ".,;:!?)]}—–-'’")
    if can_open and not can_close:
        return "open"
    if can_close and not can_open:
        return "close"
    if prev.isspace() and nxt.isspace():
        return None  # a lone mark between spaces (inches, ditto) quotes nothing
    return "close" if depth else "open"


def _trimmed(body: str, open_at: int, end: int, close: int) -> Span | None:
    start = open_at + 1
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Span(open_at, start, end, close) if end > start else None


def find_spans(body: str) -> list[Span]:
    """Top-level quotation spans; nested quotes stay inside their outer quote.

    A quote left open at a paragraph's end continues when the next paragraph opens with a
    quotation mark (the newspaper convention for multi-paragraph quotes); otherwise it ends
    with its paragraph, so one stray mark never swallows the rest of the article.
    """
    spans: list[Span] = []
    paras = _paragraphs(body)
    pending: int | None = None  # open mark of a quote carried into this paragraph
    for n, (lo, hi) in enumerate(paras):
        depth, opened = (1, pending) if pending is not None else (0, -1)
        skip_first = pending is not None
        pending = None
        for mark in _MARKS.finditer(body, lo, hi):
            i = mark.start()
            if skip_first:  # the continuation mark that reopens the carried quote
                skip_first = False
                if i == lo:
                    continue
            kind = _mark_kind(body, i, lo, hi, depth)
            if kind == "open":
                if depth == 0:
                    opened = i
                depth += 1
            elif kind == "close" and depth:
                depth -= 1
                if depth == 0 and (span := _trimmed(body, opened, i, i + 1)):
                    spans.append(span)
        if depth:
            nxt = paras[n + 1][0] if n + 1 < len(paras) else None
            if depth == 1 and nxt is not None and body[nxt] in '"“':
                pending = opened
            elif span := _trimmed(body, opened, hi, hi):
                spans.append(span)
    return spans


def sentence_ends(body: str) -> list[int]:
    """Offsets where a sentence ends (after its punctuation and closing marks and spaces)."""
    ends = []
    for m in SENTENCE_END.finditer(body):
        if not ABBREV.search(body[max(0, m.start() - 6) : m.start()]):
            ends.append(m.end())
    return ends
