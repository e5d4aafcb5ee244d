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
    # Wire formats (NITF, NewsML-G2). `finish` does not carry these into the draft yet: the
    # service has no column for them (issue 16's versions and kills).
    guid: str | None = None
    version: str | None = None
    updated: str | None = None  # NewsML-G2 versionCreated
    status: str | None = None  # NITF management-status, NewsML-G2 pubStatus ("usable", ...)
    urgency: int | None = None
    slugline: str | None = None
    subjects: tuple[str, ...] = ()  # "code name" pairs as the file gives them
    keywords: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()  # kept apart from the text, one table per entry
    captions: tuple[str, ...] = ()  # media captions, kept apart from the text
