"""One reader per input format; each turns decoded text into `Parsed` articles.

Readers only split a format into fields; cleaning and metadata normalisation are shared
(`pipelines.extract.finish`), so a byline or date is treated alike whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Parsed:
    """One article's fields as the format gave them, before cleaning."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    item: int = 0
    authors: tuple[str, ...] = ()  # every author, when the format names them one by one
    dateline: str | None = None  # when the format gives it apart from the text
    removed: tuple[str, ...] = ()  # what the reader already took out of the text, for audit
    # Formats that already give one paragraph per line (HTML extraction, JSON bodies
    # without blank lines) must not have their lines re-joined as hard wraps.
    lines_are_paragraphs: bool = False
