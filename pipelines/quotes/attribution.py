"""Which phrase attributes each quotation: after it, before it, at the end of its sentence,
before a colon, or none (then the speaker of the passage carries on)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from pipelines.quotes.patterns import (
    ACCORDING,
    AFTER_APPOSED,
    AFTER_INVERTED,
    AFTER_SUBJECT,
    AFTER_WINDOW,
    CLAUSE,
    COLON_CLAUSE,
    COORDINATED,
    CUE_VERB,
    DETERMINER,
    FIRST_VERB,
    MAX_AFTER_WORDS,
    SENTENCE_END_ATTRIBUTION,
    SUBJECT_WINDOW,
    VERB,
)
from pipelines.quotes.spans import Span, sentence_ends
from pipelines.quotes.speakers import Resolver, Speaker
from pipelines.records import Mention
from pipelines.textindex import Lines, first_above, last_at_most

# How the phrase was found scales the confidence of what it names.
PLACE_FACTOR = {"after": 1.0, "before": 0.95, "sentence-end": 0.9, "colon": 0.85}


class Attributor:
    def __init__(self, body: str, mentions: Sequence[Mention], spans: Sequence[Span]) -> None:
        self.body = body
        self.lines = Lines(body)
        self.resolver = Resolver(body, mentions, [(s.open, s.close) for s in spans])
        self.ends = sentence_ends(body)
        # Verbs and clause separators, found in one pass each and then looked up by
        # position (scanning up to each quote or verb again cost ~250 ns a character).
        self.verbs = list(CUE_VERB.finditer(body))
        self.verb_starts = [m.start() for m in self.verbs]
        seps = [(m.start(), m.end()) for m in CLAUSE.finditer(body)]
        self.sep_starts, self.sep_ends = [s for s, _ in seps], [e for _, e in seps]

    def _sentence_start(self, pos: int, floor: int) -> int:
        return last_at_most(self.ends, pos, floor)

    def _sentence_end(self, pos: int, ceiling: int) -> int:
        return first_above(self.ends, pos, ceiling)

    def scope(self, span_open: int) -> int:
        """Where the passage a quotation belongs to starts: its paragraph, or the one
        before when the quotation opens its paragraph ("“…,” the union official said")."""
        para_lo, _ = self.lines.bounds(span_open)
        if self._sentence_start(span_open, para_lo) > para_lo or para_lo == 0:
            return para_lo
        prev = para_lo - 1  # the line break ending the paragraph before; skip blank lines
        for _ in range(4):
            if prev > 0 and self.body[prev - 1] == "\n":
                prev -= 1
        return self.lines.bounds(max(prev - 1, 0))[0]

    def find(self, span: Span, ceiling: int, floor: int) -> tuple[Speaker, str] | None:
        """The phrase attributing one quotation and where it stood."""
        if (sp := self.after(span, ceiling)) is not None:
            return sp, "after"
        if (sp := self.before(span, floor)) is not None:
            return sp, "before"
        if (sp := self.sentence_end(span, ceiling)) is not None:
            return sp, "sentence-end"
        if (sp := self.colon(span, floor)) is not None:
            return sp, "colon"
        return None

    def after(self, span: Span, ceiling: int) -> Speaker | None:
        """ "…," Mr. Bush said / "…," said the official / "…," the chief, X, said."""
        inner = self.body[span.start : span.end].rstrip('"”’ ')
        lo = span.close
        gap = len(self.body[lo : lo + 8]) - len(self.body[lo : lo + 8].lstrip())
        end = self._sentence_end(lo + gap, ceiling)  # an end right after the mark is the quote's
        text = self.body[lo : min(end, lo + AFTER_WINDOW)]
        if inner.endswith(".") and not text.lstrip().startswith(","):
            return None  # the quoted sentence ended; what follows is a new sentence
        scope = self.scope(span.open)
        if m := AFTER_INVERTED.match(text):
            if m.end("sp") == len(text) < end - lo:
                return None  # the phrase runs past the window: too long for a speaker
            return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"), scope)
        m = AFTER_SUBJECT.match(text)
        if m and len(m.group("sp").split()) <= MAX_AFTER_WORDS:
            return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"), scope)
        m = AFTER_APPOSED.match(text)
        if m and len(m.group("sp").split()) <= 2 * MAX_AFTER_WORDS:
            return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"), scope)
        return None

    def before(self, span: Span, floor: int) -> Speaker | None:
        """Mr. Bush said that "…" / he said, "…" / X, a minister, said: "…" / X called it
        "…"."""
        lo = self._sentence_start(span.open, floor)
        k = bisect_left(self.verb_starts, span.open) - 1  # the last verb before the quote
        if k < 0 or self.verb_starts[k] < lo:
            return self._partial_subject(span, lo)
        verb = self.verbs[k]
        scope = self.scope(span.open)
        if verb.group(0).lower() == "according to":
            end = min(span.open, verb.end() + AFTER_WINDOW)
            m = ACCORDING.match(self.body, verb.end(), end)
            if m is None or m.end(1) == end < span.open:
                return None  # none, or one running past the window: not a speaker
            return self.resolver.classify(verb.end(), m.end(1), scope)
        if COORDINATED.search(self.body, lo, verb.start()):
            return self._sentence_subject(span.open, scope)
        return self.subject(lo, verb.start(), scope)

    def _partial_subject(self, span: Span, lo: int) -> Speaker | None:
        """ "He accused lenders of treating it as “a box-ticking exercise”": a partial
        quote inside a sentence belongs to the sentence's subject, if that is a person."""
        if span.open - lo < 2 or self.body[span.start : span.start + 1].isupper():
            return None
        sp = self._sentence_subject(span.open, self.scope(span.open))
        return sp if sp is not None and sp.kind in ("person", "pronoun") else None

    def sentence_end(self, span: Span, ceiling: int) -> Speaker | None:
        """ "“80% to 90%” of the jihadis came from Syria, he said.": the sentence's own
        attribution at its end, when no other quotation stands between."""
        lo = span.close
        end = self._sentence_end(lo, ceiling)
        tail = self.body[lo : min(end, lo + AFTER_WINDOW)].rstrip()
        if end - lo > AFTER_WINDOW or any(c in tail for c in '“”"'):
            return None
        m = SENTENCE_END_ATTRIBUTION.search(tail)
        if m is None:
            return None
        return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"), self.scope(span.open))

    def colon(self, span: Span, floor: int) -> Speaker | None:
        """ "Asked about the fee, Okafor smiled: “…”": the person named before the colon."""
        lo = max(self._sentence_start(span.open, floor), span.open - AFTER_WINDOW)
        m = COLON_CLAUSE.search(self.body[lo : span.open])  # a slice: `^` is its start
        if m is None:
            return None
        clause_lo, clause_hi = lo + m.start("clause"), lo + m.end("clause")
        sp = self.resolver.classify(clause_lo, clause_hi, self.scope(span.open))
        return sp if sp is not None and sp.kind == "person" else None

    def _sentence_subject(self, pos: int, scope: int) -> Speaker | None:
        """ "A spokesman …, who asked not to be named, rejected … and said": the subject
        of the whole sentence, its first clause."""
        para_lo, _ = self.lines.bounds(pos)
        lo = self._sentence_start(pos, para_lo)
        limit = min(pos, lo + SUBJECT_WINDOW)
        k = bisect_left(self.sep_starts, lo)
        sep = self.sep_starts[k] if k < len(self.sep_starts) and self.sep_ends[k] <= limit else None
        if sep is None and limit < pos:
            return None  # a first clause this long is not a subject phrase
        hi = pos if sep is None else sep
        verb = FIRST_VERB.search(self.body, lo, hi)
        return self.resolver.classify(lo, verb.start() if verb else hi, scope)

    def subject(self, lo: int, verb_at: int, scope: int) -> Speaker | None:
        """The phrase before a verb: its own clause, or past an appositive to the name.

        Only the last `SUBJECT_WINDOW` characters are looked at: a clause reaching further
        back is too long to be a subject, and many verbs in one long sentence would
        otherwise each rescan it from its start.
        """
        cut = max(lo, verb_at - SUBJECT_WINDOW)
        first, last = bisect_left(self.sep_starts, cut), bisect_left(self.sep_starts, verb_at)
        starts = [cut, *self.sep_ends[first:last]]
        ends = [*self.sep_starts[first:last], verb_at]
        clauses = list(reversed(list(zip(starts, ends, strict=True))))
        for n, (c_lo, c_hi) in enumerate(clauses):
            if c_lo == cut > lo:
                return None
            chunk = self.body[c_lo:c_hi].strip()
            if n == 0 and chunk:
                return self.resolver.classify(c_lo, c_hi, scope)
            # "Bagheri, deputy foreign minister for …, said": skip the lower-case appositive.
            if chunk and (chunk[0].isupper() or DETERMINER.match(chunk)):
                named = self._named_before(clauses, n, lo, scope)
                return named or self.resolver.classify(c_lo, c_hi, scope)
        return None

    def _named_before(
        self, clauses: list[tuple[int, int]], n: int, lo: int, scope: int
    ) -> Speaker | None:
        """ "Phil Klotzbach, a hurricane researcher at …, said": the appositive describes
        the person named just before it, who is the speaker."""
        if n + 1 >= len(clauses) or clauses[n + 1][0] < lo:
            return None
        if not DETERMINER.match(self.body[clauses[n][0] : clauses[n][1]].strip()):
            return None
        sp = self.resolver.classify(*clauses[n + 1], scope)
        return sp if sp is not None and sp.kind == "person" else None

    def attributions(self, spans: Sequence[Span]) -> list[Speaker]:
        """Every "X said" outside quotations, so later "he" and "the official" resolve."""
        found = []
        opens, closes = [s.open for s in spans], [s.close for s in spans]
        for verb in self.verbs:
            at = verb.start()
            if not VERB.fullmatch(verb.group(0)):
                continue  # "called" introduces a partial quote, not a statement
            k = bisect_right(opens, at) - 1  # spans are disjoint: only this one can hold it
            if k >= 0 and at < closes[k]:
                continue
            para_lo, _ = self.lines.bounds(at)
            lo = max(self._sentence_start(at, para_lo), last_at_most(closes, at, para_lo))
            if (sp := self.subject(lo, at, para_lo)) is not None:
                found.append(sp)
        return found
