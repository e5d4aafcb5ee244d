"""Direct quotations and their speakers, from the body text and its NER mentions.

Rule-based on purpose: news attribution is formulaic ("…," Mr. Bush said), and rules run in
microseconds without the parser. Speakers are resolved in reading order, as a reader does:
a name → its canonical form; "he said" → the person last speaking or named; "the
ambassador" → the person introduced with that title; "the official" → the anonymous
"a senior US official in Baghdad" introduced earlier. Anonymous stays anonymous.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from pipelines.entities import NameIndex, strip_other, strip_person, wordset
from pipelines.records import Mention, Quote
from pipelines.textindex import (
    Indefinites,
    Lines,
    Mentions,
    first_above,
    last_at_most,
    trailing_caps,
)

SCARE_MAX_WORDS = 3
_MAX_AFTER_WORDS = 9  # "…," a senior US official in Baghdad warned: longer is a new clause
_VERBS = (
    r"said|says|say|told|tells|tell|added|adds|warned|warns|asked|asks|explained|explains|"
    r"noted|stated|claimed|insisted|insists|argued|argues|continued|"
    r"replied|replies|wrote|writes|admitted|admits|declared|declares|announced|announces|"
    r"conceded|concedes|acknowledged|acknowledges|recalled|recalls|cautioned|cautions|"
    r"predicted|predicts|suggested|suggests|urged|urges|vowed|vows|complained|complains|"
    r"stressed|stresses|emphasi[sz]ed|observed|remarked|maintained|responded|responds|"
    r"quipped|boasted|testified|reported|joked|added|recounted|countered|confirmed|"
    r"confirms|denied|denies|according to"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b", re.I)
_AUX = r"(?:(?:also|later|then|again|has|had|have|would|will|once|\w+ly)\s+)?"
# The leading punctuation run is possessive (*+): the speaker phrase may not give back
# characters to it, which made a long run of dashes cost (run length x 90) per quote.
_AFTER_SUBJECT = re.compile(
    rf"^[\s,;:—–-]*+(?P<sp>[^,;:!?\"“”]{{1,90}}?)\s+{_AUX}(?:{_VERBS})\b", re.I
)
_AFTER_INVERTED = re.compile(rf"^[\s,;:—–-]*+(?:{_VERBS})\s+(?P<sp>[^,;:!?\"“”(]+)", re.I)
# Bounds that make every attribution step cost O(1) however long a sentence or paragraph
# is. A speaker phrase is at most 12 words; over _MAX_SPEAKER_CHARS it is not one either.
_MAX_SPEAKER_CHARS = 250
_AFTER_WINDOW = 2 * _MAX_SPEAKER_CHARS  # looked at after a closing mark
_SUBJECT_WINDOW = 600  # looked back from a verb for its subject, appositives included
_APPOSITIVE_REACH = 120  # ", the deputy foreign minister" after a name
_INDEFINITE_TRIES = 16  # nearest "a … official" phrases tried for "the official"
_INDEFINITE_SPAN = 300  # longest "a senior US official in Baghdad" phrase matched
_LEAD = re.compile(
    r"^(?:(?:but|and|so|yet|also|then|however|earlier|later|meanwhile|instead|as|while)\b[\s,]*)+",
    re.I,
)
_ACCORDING = re.compile(r"\s*([^,;:\"“]+)")
_PRONOUN = re.compile(r"^(?:he|she|they|i|we)$", re.I)
_DETERMINER = re.compile(
    r"^(?:a|an|the|one|another|two|three|several|some|many|most|other)\s", re.I
)
_PREP = re.compile(r"\s(?:in|at|to|from|for|with|of|on)\s", re.I)
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|Prof|St|Jr|Sr|No|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Ltd|Co)|\b[A-Z]|\.[A-Z])$"
)
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_COORDINATED = re.compile(r"\band\s+(?:\w+ly\s+)?$")
# The first finite verb of a sentence opening ("A spokesman rejected …") ends its subject.
_FIRST_VERB = re.compile(r"\s(?:\w+ed|said|says|told|is|was|were|has|had)\b")
_CLAUSE = re.compile(r"[,;:(—–]|\s-\s|\bthat\s")
# Words that introduce a named person and can later stand for them ("the ambassador").
ROLE_WORDS = wordset(
    """president ambassador spokesman spokeswoman spokesperson secretary minister general
    senator governor commander chairman chairwoman director mayor chief leader judge
    prosecutor officer professor expert analyst correspondent adviser advisor envoy premier
    chancellor king queen prince lawyer attorney economist"""
)
_APPOSITIVE = re.compile(r",\s+(?:the\s+|a\s+|an\s+)?((?:[\w-]+\s+){0,3}[\w-]+)")
_ROLE_PREFIX = {"gen": "general", "sen": "senator", "gov": "governor", "prof": "professor"}
# "a senior US official in Baghdad": article, up to five modifiers, head, capitalised place.
_INDEFINITE = (
    r"\b(?i:a|an|one)\s+(?:[\w'’-]+\s+){{0,5}}?(?i:{head})\b"
    r"(?:\s+(?:in|to|at|from|for|with|of)\s+(?:the\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)?"
)


@dataclass(frozen=True, slots=True)
class Span:
    """A quotation: inner text body[start:end], marks at open and close-1."""

    open: int
    start: int
    end: int
    close: int


# --- finding quotation spans -----------------------------------------------------------


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


# --- sentences and clauses -------------------------------------------------------------


def _sentence_ends(body: str) -> list[int]:
    ends = []
    for m in _SENTENCE_END.finditer(body):
        if not _ABBREV.search(body[max(0, m.start() - 6) : m.start()]):
            ends.append(m.end())
    return ends


# --- speakers ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Speaker:
    kind: str  # person | pronoun | description | org
    value: str  # canonical name, pronoun, or description as written
    pos: int  # where the speaker phrase starts in the body


class _Resolver:
    """Resolves speaker phrases in reading order against one article's mentions."""

    def __init__(self, body: str, mentions: Sequence[Mention]) -> None:
        self.body = body
        self.persons = Mentions([m for m in mentions if m.label == "PERSON"])
        self.others = Mentions([m for m in mentions if m.label in ("ORG", "NORP", "GPE")])
        self.names = NameIndex([strip_person(m.text) for m in self.persons.items])
        # Attributions resolved so far, by plurality: sorted positions and resolved values.
        self.history: dict[bool, tuple[list[int], list[str]]] = {False: ([], []), True: ([], [])}
        self.roles: dict[str, tuple[list[int], list[str]]] = {}
        for pos, role, canonical in self._roles():
            positions, canonicals = self.roles.setdefault(role, ([], []))
            positions.append(pos)  # persons are sorted by start: positions stay sorted
            canonicals.append(canonical)

    @cached_property
    def indefinites(self) -> Indefinites:
        return Indefinites(self.body)

    def _roles(self) -> list[tuple[int, str, str]]:
        """(pos, role, canonical) from "Iranian Ambassador Hassan Kazemi Qumi" and from
        appositives ("Bagheri, deputy foreign minister"); "adviser to Petraeus" is not one."""
        roles = []
        for m in self.persons.items:
            words = [w.lower().strip(".,") for w in m.text.split()[:-1]]
            for w in reversed(self.body[max(0, m.start - 60) : m.start].split()):
                if not (w[0].isupper() or w.lower() in ROLE_WORDS):
                    break
                words.append(w.lower().strip(".,"))
            words += self._appositive(m.end)
            canonical = self.names.resolve(m.text)
            for w in words:
                role = _ROLE_PREFIX.get(w, w)
                if role in ROLE_WORDS:
                    roles.append((m.start, role, canonical))
        return roles

    def _appositive(self, pos: int) -> list[str]:
        reach = pos + _APPOSITIVE_REACH
        after = _APPOSITIVE.match(self.body, pos, reach)
        if after is None:
            return []
        words = after.group(1).lower().split()
        cut = after.end() == reach < len(self.body) and _is_word_char(self.body[reach])
        return words[:-1] if cut else words  # a word cut by the reach is not a role

    def classify(self, lo: int, hi: int) -> Speaker | None:
        """The speaker named by body[lo:hi], a subject or object phrase of a speech verb."""
        raw = self.body[lo:hi]
        lead = _LEAD.match(raw)
        if lead:
            lo += lead.end()
        text = self.body[lo:hi].strip().rstrip(".")
        lo = hi - len(self.body[lo:hi].lstrip())
        if not text or len(text) > _MAX_SPEAKER_CHARS or len(text.split()) > 12:
            return None
        if _PRONOUN.match(text):
            return Speaker("pronoun", text.lower(), lo)
        inside = self.persons.within(lo, hi + 1)
        if _DETERMINER.match(text):
            org = self.others.within(lo, hi + 1)
            if org and strip_other(text) == strip_other(org[0].text):
                return Speaker("org", strip_other(org[0].text), lo)
            return Speaker("description", text[0].lower() + text[1:], lo)
        if inside:
            return Speaker("person", self.names.resolve(inside[-1].text), lo)
        caps = trailing_caps(text)
        if caps and self.names.knows(caps):
            return Speaker("person", self.names.resolve(caps), lo)
        if text[0].isupper() and all(w[0].isupper() for w in text.split()):
            return Speaker("org", strip_other(text), lo)  # "The White House", NER missed
        return Speaker("description", text[0].lower() + text[1:], lo)

    def resolve(self, sp: Speaker) -> str:
        if sp.kind == "pronoun":
            value = self._pronoun(sp)
        elif sp.kind == "description" and sp.value.startswith("the "):
            value = self._definite(sp)
        else:
            value = sp.value
        if sp.kind != "pronoun" and value:
            positions, values = self.history[_plural(value)]
            at = bisect_right(positions, sp.pos)  # after equal positions: the latest wins
            positions.insert(at, sp.pos)
            values.insert(at, value)
        return value

    def _pronoun(self, sp: Speaker) -> str:
        plural = sp.value in ("they", "we")
        positions, values = self.history[plural]
        i = bisect_left(positions, sp.pos) - 1  # the last attribution before the pronoun
        named = self.persons.last_ending_by(sp.pos)
        # A person named after the last attribution is the likelier antecedent ("… Qumi in
        # an interview. He said …").
        if not plural and named and (i < 0 or named.start > positions[i]):
            return self.names.resolve(named.text)
        return values[i] if i >= 0 else sp.value

    def _definite(self, sp: Speaker) -> str:
        words = _PREP.split(" " + sp.value[4:] + " ")[0].split()
        head = words[-1].lower() if words else ""
        if head in self.roles:
            positions, canonicals = self.roles[head]
            i = bisect_left(positions, sp.pos) - 1
            if i >= 0:
                return canonicals[i]
        mods = {w.lower() for w in sp.value[4:].split() if w.lower() not in ("in", "the")}
        starts = self.indefinites.before(head, sp.pos, _INDEFINITE_TRIES)
        if not starts:
            return sp.value
        pattern = re.compile(_INDEFINITE.format(head=re.escape(head)))
        for start in starts:  # nearest first, as the last match before was preferred
            m = pattern.match(self.body, start, min(sp.pos, start + _INDEFINITE_SPAN))
            found = m.group(0).strip() if m else ""
            if found and mods <= {w.lower() for w in found.split()}:
                return found[0].lower() + found[1:]
        return sp.value


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


def _plural(value: str) -> bool:
    head = _PREP.split(" " + value + " ")[0].split()
    word = head[-1].lower() if head else ""
    return word.endswith("s") and not word.endswith("ss") and value[:1].islower()


# --- attribution ------------------------------------------------------------------------


class _Attributor:
    def __init__(self, body: str, mentions: Sequence[Mention], lines: Lines) -> None:
        self.body = body
        self.lines = lines
        self.resolver = _Resolver(body, mentions)
        self.ends = _sentence_ends(body)
        # Speech verbs and clause separators, found in one pass each and then looked up by
        # position (scanning up to each quote or verb again cost ~250 ns a character).
        self.verbs = list(_VERB.finditer(body))
        self.verb_starts = [m.start() for m in self.verbs]
        seps = [(m.start(), m.end()) for m in _CLAUSE.finditer(body)]
        self.sep_starts, self.sep_ends = [s for s, _ in seps], [e for _, e in seps]

    def _sentence_start(self, pos: int, floor: int) -> int:
        return last_at_most(self.ends, pos, floor)

    def _sentence_end(self, pos: int, ceiling: int) -> int:
        return first_above(self.ends, pos, ceiling)

    def after(self, span: Span, ceiling: int) -> Speaker | None:
        """ "…," Mr. Bush said / "…," said the official / "…," according to X."""
        inner = self.body[span.start : span.end].rstrip('"”’ ')
        lo = span.close
        end = self._sentence_end(lo, ceiling)
        text = self.body[lo : min(end, lo + _AFTER_WINDOW)]
        if inner.endswith(".") and not text.lstrip().startswith(","):
            return None  # the quoted sentence ended; what follows is a new sentence
        if m := _AFTER_INVERTED.match(text):
            if m.end("sp") == len(text) < end - lo:
                return None  # the phrase runs past the window: too long for a speaker
            return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"))
        m = _AFTER_SUBJECT.match(text)
        if m and len(m.group("sp").split()) <= _MAX_AFTER_WORDS:
            return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"))
        return None

    def before(self, span: Span, floor: int) -> Speaker | None:
        """Mr. Bush said that "…" / he said, "…" / X, a minister, said: "…"."""
        lo = self._sentence_start(span.open, floor)
        k = bisect_left(self.verb_starts, span.open) - 1  # the last verb before the quote
        if k < 0 or self.verb_starts[k] < lo:
            return None
        verb = self.verbs[k]
        if verb.group(0).lower() == "according to":
            end = min(span.open, verb.end() + _AFTER_WINDOW)
            m = _ACCORDING.match(self.body, verb.end(), end)
            if m is None or m.end(1) == end < span.open:
                return None  # none, or one running past the window: not a speaker
            return self.resolver.classify(verb.end(), m.end(1))
        if _COORDINATED.search(self.body, lo, verb.start()):
            return self._sentence_subject(span.open)
        return self.subject(lo, verb.start())

    def _sentence_subject(self, pos: int) -> Speaker | None:
        """ "A spokesman …, who asked not to be named, rejected … and said": the subject
        of the whole sentence, its first clause."""
        para_lo, _ = self.lines.bounds(pos)
        lo = self._sentence_start(pos, para_lo)
        limit = min(pos, lo + _SUBJECT_WINDOW)
        k = bisect_left(self.sep_starts, lo)
        sep = self.sep_starts[k] if k < len(self.sep_starts) and self.sep_ends[k] <= limit else None
        if sep is None and limit < pos:
            return None  # a first clause this long is not a subject phrase
        hi = pos if sep is None else sep
        verb = _FIRST_VERB.search(self.body, lo, hi)
        return self.resolver.classify(lo, verb.start() if verb else hi)

    def subject(self, lo: int, verb_at: int) -> Speaker | None:
        """The phrase before a verb: its own clause, or past an appositive to the name.

        Only the last `_SUBJECT_WINDOW` characters are looked at: a clause reaching further
        back is too long to be a subject, and many verbs in one long sentence would
        otherwise each rescan it from its start.
        """
        cut = max(lo, verb_at - _SUBJECT_WINDOW)
        first, last = bisect_left(self.sep_starts, cut), bisect_left(self.sep_starts, verb_at)
        starts = [cut, *self.sep_ends[first:last]]
        ends = [*self.sep_starts[first:last], verb_at]
        for n, (c_lo, c_hi) in enumerate(reversed(list(zip(starts, ends, strict=True)))):
            if c_lo == cut > lo:
                return None
            chunk = self.body[c_lo:c_hi].strip()
            if n == 0 and chunk:
                return self.resolver.classify(c_lo, c_hi)
            # "Bagheri, deputy foreign minister for …, said": skip the lower-case appositive.
            if chunk and (chunk[0].isupper() or _DETERMINER.match(chunk)):
                return self.resolver.classify(c_lo, c_hi)
        return None

    def attributions(self, spans: Sequence[Span]) -> list[Speaker]:
        """Every "X said" outside quotations, so later "he" and "the official" resolve."""
        found = []
        opens, closes = [s.open for s in spans], [s.close for s in spans]
        for at in self.verb_starts:
            k = bisect_right(opens, at) - 1  # spans are disjoint: only this one can hold it
            if k >= 0 and at < closes[k]:
                continue
            para_lo, _ = self.lines.bounds(at)
            lo = max(self._sentence_start(at, para_lo), last_at_most(closes, at, para_lo))
            if (sp := self.subject(lo, at)) is not None:
                found.append(sp)
        return found


def _words(text: str) -> int:
    return len(re.findall(r"[\w%'’-]+", text))


def extract_quotes(body: str, mentions: Sequence[Mention]) -> tuple[Quote, ...]:
    """Every direct quotation in `body` with its resolved speaker and offsets."""
    spans = find_spans(body)
    lines = Lines(body)
    att = _Attributor(body, mentions, lines)
    closes = [s.close for s in spans]  # sorted: top-level spans do not overlap
    quote_speakers: dict[int, Speaker | None] = {}
    for k, span in enumerate(spans):
        lo, _ = lines.bounds(span.open)
        _, hi = lines.bounds(span.close - 1)  # a multi-paragraph quote ends later
        # Spans are sorted: the next one opens first, and the last earlier close is nearest.
        nxt = spans[k + 1].open if k + 1 < len(spans) and spans[k + 1].open < hi else hi
        prev_close = last_at_most(closes, span.open, lo, stop=k)
        quote_speakers[k] = att.after(span, nxt) or att.before(span, prev_close)
    # Resolve quote speakers and plain attributions together, in reading order.
    events = [(sp.pos, -1, sp) for sp in att.attributions(spans)]
    events += [(sp.pos, k, sp) for k, sp in quote_speakers.items() if sp is not None]
    resolved: dict[int, str] = {}
    seen: dict[int, str] = {}  # one phrase can attribute several quotes: resolve it once
    for pos, k, sp in sorted(events, key=lambda e: (e[0], e[1])):
        if pos not in seen:
            seen[pos] = att.resolver.resolve(sp)
        if k >= 0:
            resolved[k] = seen[pos]
    return _assemble(body, spans, resolved, lines)


def _is_scare(text: str) -> bool:
    """One to three words that are not a sentence of their own ("Never," he said)."""
    sentence = text[:1].isupper() and text.rstrip('"”’')[-1:] in ".,!?"
    return _words(text) <= SCARE_MAX_WORDS and not sentence


def _assemble(
    body: str, spans: Sequence[Span], resolved: dict[int, str], lines: Lines
) -> tuple[Quote, ...]:
    out: list[Quote] = []
    last: tuple[int, str | None] | None = None  # (paragraph start, speaker) of last full quote
    for k, span in enumerate(spans):
        text = body[span.start : span.end]
        para_lo, _ = lines.bounds(span.open)
        scare = _is_scare(text)
        speaker = resolved.get(k)
        if speaker is None and not scare and last is not None:
            # A quote with no attribution continues the previous speaker: same paragraph,
            # or a paragraph that is itself a continuation right after it.
            prev_para_lo, _ = lines.bounds(max(para_lo - 2, 0))
            if last[0] in (para_lo, prev_para_lo):
                speaker = last[1]
        out.append(Quote(text, speaker, span.start, span.end, scare))
        if not scare:
            last = (lines.bounds(span.end)[0], speaker)
    return tuple(out)
