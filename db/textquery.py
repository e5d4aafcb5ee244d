"""The search box's syntax, parsed once and written for each database.

The syntax is PostgreSQL's `websearch_to_tsquery`: words (all must match), "quoted phrases",
`OR` between alternatives, `-word` or `-"phrase"` to exclude. Parsing it here, not in the
database, means the two stores answer the same syntax, and SQLite's FTS5 never sees a
user's string: every term reaches it inside double quotes, so no input is an FTS5 syntax
error. A query that cannot be answered is refused with a reason (`InvalidQuery`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
MAX_TERMS = 32

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


class InvalidQuery(ValueError):
    """A query or filter that cannot be answered; the message says why (a 400, an exit 2)."""


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase's words in order
    excluded: bool = False


@dataclass(frozen=True, slots=True)
class TextQuery:
    """Alternatives (OR) of conjunctions: each group is every term it holds."""

    groups: tuple[tuple[Term, ...], ...]

    def to_fts5(self) -> str:
        return " OR ".join(f"({_fts5_group(group)})" for group in self.groups)

    def to_websearch(self) -> str:
        return " or ".join(" ".join(_websearch_term(t) for t in group) for group in self.groups)


MAX_VALUE_CHARS = 200


def check_value(name: str, value: str) -> str:
    """A filter's text (a name, a label, a folder), refused when no store could hold it:
    PostgreSQL text cannot contain NUL, and no name runs to pages."""
    if "\x00" in value:
        raise InvalidQuery(f"{name} contains a NUL character")
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidQuery(f"{name} over {MAX_VALUE_CHARS} characters")
    return value


MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger number is no id, and a driver error


def check_id(name: str, value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise InvalidQuery(f"{name} must be 1 to {MAX_ID}")
    return value


def parse(text: str) -> TextQuery:
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"query over {MAX_QUERY_CHARS} characters")
    groups: list[list[Term]] = [[]]
    count = 0
    for match in _TOKEN.finditer(text):
        minus, phrase, bare = match.groups()
        if bare == "OR":
            groups.append([])
            continue
        excluded = bool(minus) or (bare is not None and bare.startswith("-"))
        words = tuple(w.lower() for w in _WORD.findall(phrase if bare is None else bare))
        if not words:
            continue  # punctuation alone matches nothing and excludes nothing
        groups[-1].append(Term(words, excluded))
        count += len(words)
    if count > MAX_TERMS:
        raise InvalidQuery(f"query over {MAX_TERMS} words")
    kept = tuple(tuple(g) for g in groups if g)
    if not kept:
        raise InvalidQuery("query has no words to search for")
    for group in kept:
        if all(term.excluded for term in group):
            raise InvalidQuery("each alternative needs a word that is not excluded (-word)")
    return TextQuery(kept)


def _quoted(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _fts5_group(group: tuple[Term, ...]) -> str:
    wanted = " AND ".join(_quoted(t.words) for t in group if not t.excluded)
    return wanted + "".join(f" NOT {_quoted(t.words)}" for t in group if t.excluded)


def _websearch_term(term: Term) -> str:
    # Quoted even when one word: a bare "or" would be read as the operator.
    return f"-{_quoted(term.words)}" if term.excluded else _quoted(term.words)
