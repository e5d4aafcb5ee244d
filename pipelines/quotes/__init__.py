"""Direct quotations and their speakers, from the body text and its NER mentions.

Rule-based on purpose: news attribution is formulaic ("…," Mr. Bush said), and rules run in
microseconds without the parser. `spans` finds the quotations, `attribution` the phrase
that attributes each, `speakers` what that phrase stands for (`people` knows the article's
relatives and stated genders). A quotation with no attribution of its own takes the speaker
of its passage; when none can be found the speaker is empty rather than a guess. The rules
and the case each exists for are in docs/extraction.md.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipelines.quotes.attribution import PLACE_FACTOR, Attributor
from pipelines.quotes.patterns import SCARE_MAX_WORDS
from pipelines.quotes.spans import Span, find_spans
from pipelines.quotes.speakers import CONFIDENCE, Resolved, Speaker
from pipelines.records import Mention, Quote
from pipelines.textindex import last_at_most

__all__ = ["SCARE_MAX_WORDS", "Span", "extract_quotes", "find_spans"]

CARRIED_FACTOR = 0.85  # a quotation that takes its passage's speaker, with no verb of its own


@dataclass(frozen=True, slots=True)
class _Said:
    """One resolved attribution, where its phrase stands."""

    pos: int
    found: Resolved


def _words(text: str) -> int:
    return len(re.findall(r"[\w%'’-]+", text))


def _is_scare(text: str) -> bool:
    """One to three words that are not a sentence of their own ("Never," he said)."""
    sentence = text[:1].isupper() and text.rstrip('"”’')[-1:] in ".,!?"
    return _words(text) <= SCARE_MAX_WORDS and not sentence


def _phrases(att: Attributor, spans: Sequence[Span]) -> dict[int, tuple[Speaker, str]]:
    """The attributing phrase of each quotation that has one, by quotation index."""
    lines = att.lines
    closes = [s.close for s in spans]  # sorted: top-level spans do not overlap
    found: dict[int, tuple[Speaker, str]] = {}
    for k, span in enumerate(spans):
        lo, _ = lines.bounds(span.open)
        _, hi = lines.bounds(span.close - 1)  # a multi-paragraph quote ends later
        # Spans are sorted: the next one opens first, and the last earlier close is nearest.
        nxt = spans[k + 1].open if k + 1 < len(spans) and spans[k + 1].open < hi else hi
        prev_close = last_at_most(closes, span.open, lo, stop=k)
        if (phrase := att.find(span, nxt, prev_close)) is not None:
            found[k] = phrase
    return found


def extract_quotes(body: str, mentions: Sequence[Mention]) -> tuple[Quote, ...]:
    """Every direct quotation in `body` with its resolved speaker and offsets."""
    spans = find_spans(body)
    att = Attributor(body, mentions, spans)
    phrases = _phrases(att, spans)
    # Resolve quote speakers and plain attributions together, in reading order.
    events = [(sp.pos, -1, sp, "") for sp in att.attributions(spans)]
    events += [(sp.pos, k, sp, place) for k, (sp, place) in phrases.items()]
    resolved: dict[int, Resolved] = {}
    seen: dict[int, Resolved | None] = {}  # one phrase can attribute several quotes
    said: list[_Said] = []
    # At one position the quotation's own phrase goes first: it knows the quote's passage.
    for pos, k, sp, place in sorted(events, key=lambda e: (e[0], e[1] < 0, e[1])):
        if pos not in seen:
            seen[pos] = found = att.resolver.resolve(sp)
            if found is not None:
                said.append(_Said(pos, found))
        if k >= 0 and (found := seen[pos]) is not None:
            conf = round(found.confidence * PLACE_FACTOR[place], 2)
            resolved[k] = Resolved(found.value, found.kind, conf)
    return _assemble(body, spans, resolved, att, said, set(phrases))


def _carried(
    span: Span,
    last: tuple[int, Resolved | None] | None,
    att: Attributor,
    said: list[_Said],
    said_pos: list[int],
) -> Resolved | None:
    """The speaker of the passage a quotation with no attribution belongs to: whoever spoke
    or was named last in it — the previous quotation's speaker, an "X said" sentence, or a
    person named as the subject ("Its chief, Lynn Kramer, pointed to …. “…”")."""
    scope = att.scope(span.open)
    candidates: list[tuple[int, Resolved | None]] = []
    if last is not None and last[0] >= scope:
        candidates.append(last)
    # `said` is in reading order: only the last attribution before the quote can win.
    k = bisect_left(said_pos, span.open) - 1
    if k >= 0 and said[k].pos >= scope:
        candidates.append((said[k].pos, said[k].found))
    conf = CONFIDENCE["antecedent"]
    if subject := att.resolver.last_subject(scope, span.open):
        candidates.append((subject[0], Resolved(subject[1], "person", conf)))
    if not candidates:
        return None
    found = max(candidates, key=lambda c: c[0])[1]
    if found is None:
        return None
    return Resolved(found.value, found.kind, round(found.confidence * CARRIED_FACTOR, 2))


def _assemble(
    body: str,
    spans: Sequence[Span],
    resolved: dict[int, Resolved],
    att: Attributor,
    said: list[_Said],
    attributed: set[int],
) -> tuple[Quote, ...]:
    """Quote records; a quotation with no phrase of its own takes its passage's speaker
    (one whose own phrase named nobody, "“…,” I said", stays empty)."""
    out: list[Quote] = []
    said_pos = [s.pos for s in said]  # sorted: attributions were resolved in reading order
    last: tuple[int, Resolved | None] | None = None  # (close, speaker) of the last full quote
    for k, span in enumerate(spans):
        text = body[span.start : span.end]
        scare = _is_scare(text)
        found = resolved.get(k)
        if found is None and not scare and k not in attributed:
            found = _carried(span, last, att, said, said_pos)
        if found is None:
            out.append(Quote(text, None, span.start, span.end, scare))
        else:
            quote = Quote(text, found.value, span.start, span.end, scare, found.confidence)
            out.append(replace(quote, speaker_kind=found.kind))
        if not scare:
            last = (span.close, found)
    return tuple(out)
