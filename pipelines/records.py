"""The records that flow through every stage.

Frozen dataclasses so a stage can never mutate what an earlier stage produced; offsets are
always character offsets into `ArticleDraft.body` as stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.sanitize import safe_text

MAX_REASON_CHARS = 500


class RejectedInput(Exception):
    """A permanent, input-caused failure: retrying cannot help.

    `code` is a short stable token operators can group by (``empty``, ``binary``,
    ``too_large``, ``undecodable``, ``unparseable``, ``no_text``, ``unsupported``,
    ``title_too_long``, ``too_many_items``, ``too_complex``, ``unsafe_xml``); `reason` is the
    human sentence shown by `failed list`. A reason can quote a parser's message about
    hostile input, so it is made safe to store and cut to `MAX_REASON_CHARS`.
    """

    def __init__(self, code: str, reason: str) -> None:
        reason = safe_text(reason)[:MAX_REASON_CHARS]
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """One article as read and cleaned from a file, before any NLP."""

    body: str
    title: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    language: str | None = None
    dateline: str | None = None
    caption: str | None = None
    source: str | None = None
    url: str | None = None
    item: int = 0  # position inside a multi-article file (.jsonl line number), else 0
    removed: tuple[str, ...] = ()  # boilerplate lines cleaning took out, for audit
    authors: tuple[str, ...] = ()  # every author the byline names, in its order

    @property
    def word_count(self) -> int:
        return len(self.body.split())


@dataclass(frozen=True, slots=True)
class Mention:
    """One named-entity mention with its offsets and its in-article canonical name."""

    text: str
    label: str
    canonical: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    speaker: str | None
    start: int
    end: int
    scare: bool = False  # a one-to-three word scare quote, not a statement
    confidence: float = 0.0  # how likely the speaker is right, from the rules that found it
    speaker_kind: str | None = None  # person (a canonical name) | description | org


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the NLP stage adds to one draft."""

    mentions: tuple[Mention, ...] = ()
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Content identity of a body: exact hash of the normalised text plus a MinHash signature.

    `signature` is the MinHash as unsigned 32-bit integers; `bands` are the LSH band keys
    (one signed 64-bit integer per band, so they fit a BIGINT column).
    """

    exact: str
    signature: tuple[int, ...] = field(repr=False)
    bands: tuple[int, ...] = field(repr=False)
