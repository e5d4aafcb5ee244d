"""Position lookups over one article body for quote attribution, each O(log n) or bounded.

Attribution asks, for every quote and every speech verb, "where does this paragraph start",
"which sentence end comes last before here", "which person mention ends last before here".
Answering by rescanning the body or the mention list made one long paragraph quadratic;
these indexes are built once per body and answered by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from pipelines.records import Mention


class Lines:
    """Paragraph (line) bounds: what `body.rfind("\\n", 0, pos) + 1, body.find("\\n", pos)`
    gave, without scanning the paragraph."""

    def __init__(self, body: str) -> None:
        self.size = len(body)
        self.breaks = [m.start() for m in re.finditer("\n", body)]

    def bounds(self, pos: int) -> tuple[int, int]:
        i = bisect_left(self.breaks, pos)
        lo = self.breaks[i - 1] + 1 if i else 0
        return lo, self.breaks[i] if i < len(self.breaks) else self.size


def last_at_most(values: Sequence[int], pos: int, floor: int, stop: int | None = None) -> int:
    """The last of sorted `values[:stop]` in [floor, pos], else `floor`."""
    i = bisect_right(values, pos, 0, len(values) if stop is None else stop) - 1
    return values[i] if i >= 0 and values[i] >= floor else floor


def first_above(values: Sequence[int], pos: int, ceiling: int) -> int:
    """The first of sorted `values` in (pos, ceiling], else `ceiling`."""
    i = bisect_right(values, pos)
    return values[i] if i < len(values) and values[i] <= ceiling else ceiling


class Mentions:
    """Mentions sorted by start, with the two range questions the resolver asks."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.items = sorted(mentions, key=lambda m: m.start)  # stable: NER order is kept
        self.starts = [m.start for m in self.items]
        # For "the last (in order) mention ending at or before pos": ends sorted, and for
        # each prefix of that order the highest list index seen.
        order = sorted(range(len(self.items)), key=lambda i: self.items[i].end)
        self.ends = [self.items[i].end for i in order]
        self.latest: list[int] = []
        for i in order:
            self.latest.append(max(i, self.latest[-1]) if self.latest else i)

    def within(self, lo: int, hi: int) -> list[Mention]:
        """Mentions with lo <= start and end <= hi, in order."""
        first, last = bisect_left(self.starts, lo), bisect_right(self.starts, hi)
        return [m for m in self.items[first:last] if m.end <= hi]

    def last_ending_by(self, pos: int) -> Mention | None:
        """The last mention (in order) with end <= pos."""
        i = bisect_right(self.ends, pos) - 1
        return self.items[self.latest[i]] if i >= 0 else None


def _in_piece(c: str) -> bool:
    return c.isalnum() or c in "_'’.-"


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def trailing_caps(text: str) -> str | None:
    """What ``re.search(r"(?:\\b[A-Z][\\w'’.-]*\\s*){1,4}$", text)`` found, token by token.

    That regex could split "A.B.C.D…" into its four pieces in O(n^3) ways from each start
    (160 characters took 10 s). Here: up to four whole tokens of the piece class that open
    with A-Z, or the tail of the token before them from its leftmost capital at a word
    boundary after which every character is of the class.
    """
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    start, count = None, 0
    for pos, tok in reversed(tokens):
        if count == 4:
            break
        if "A" <= tok[0] <= "Z" and all(_in_piece(c) for c in tok):
            start, count = pos, count + 1
            continue
        q = len(tok)
        while q > 0 and _in_piece(tok[q - 1]):
            q -= 1
        for p in range(max(q, 1), len(tok)):
            if "A" <= tok[p] <= "Z" and not _is_word(tok[p - 1]):
                start = pos + p
                break
        break
    return None if start is None else text[start:]


_INDEFINITE_START = re.compile(r"\b(?i:a|an|one)\s+")
_HEAD_KEY = re.compile(r"\w+")
_INDEFINITE_WORDS = 6  # up to five modifiers and the head
_INDEFINITE_REACH = 200  # characters after the article where those words are looked for


def head_key(word: str) -> str:
    """The leading word characters of a head, lowercased: how candidates are filed."""
    m = _HEAD_KEY.match(word)
    return m.group(0).lower() if m else ""


class Indefinites:
    """Starts of "a/an/one …" phrases filed under each of their first six words.

    "the official" looks back for "a senior US official"; instead of running its pattern
    over the whole body before every such phrase, only the starts filed under "official"
    are tried, nearest first.
    """

    def __init__(self, body: str) -> None:
        self.by_word: dict[str, list[int]] = {}
        for m in _INDEFINITE_START.finditer(body):
            words = body[m.end() : m.end() + _INDEFINITE_REACH].split()[:_INDEFINITE_WORDS]
            for key in {head_key(w) for w in words} - {""}:
                self.by_word.setdefault(key, []).append(m.start())

    def before(self, head: str, pos: int, limit: int) -> list[int]:
        """Up to `limit` starts filed under `head` that lie before `pos`, nearest first."""
        starts = self.by_word.get(head_key(head), [])
        i = bisect_left(starts, pos)
        return starts[max(0, i - limit) : i][::-1]
