"""Direct quotations and their speakers, from the body text and its NER mentions.

Rule-based on purpose: news attribution is formulaic ("…," Mr. Bush said), and rules run in
microseconds without the parser. Speakers are resolved in reading order, as a reader does:
a name → its canonical form; "he said" → the person last speaking or named; "the
ambassador" → the person introduced with that title; "the official" → the anonymous
"a senior US official in Baghdad" introduced earlier. Anonymous stays anonymous.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.entities import NameIndex, strip_other, strip_person, wordset
from pipelines.records import Mention, Quote

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
_AFTER_SUBJECT = re.compile(
    rf"^[\s,;:—–-]*(?P<sp>[^,;:!?\"“”]{{1,90}}?)\s+{_AUX}(?:{_VERBS})\b", re.I
)
_AFTER_INVERTED = re.compile(rf"^[\s,;:—–-]*(?:{_VERBS})\s+(?P<sp>[^,;:!?\"“”(]+)", re.I)
_LEAD = re.compile(
    r"^(?:(?:but|and|so|yet|also|then|however|earlier|later|meanwhile|instead|as|while)\b[\s,]*)+",
    re.I,
)
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
        for i in range(lo, hi):
            if body[i] not in '"“”':
                continue
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


def _para_bounds(body: str, pos: int) -> tuple[int, int]:
    lo = body.rfind("\n", 0, pos) + 1
    hi = body.find("\n", pos)
    return lo, (len(body) if hi < 0 else hi)


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
        self.persons = [m for m in mentions if m.label == "PERSON"]
        self.others = [m for m in mentions if m.label in ("ORG", "NORP", "GPE")]
        self.names = NameIndex([strip_person(m.text) for m in self.persons])
        self.history: list[tuple[int, str, str]] = []  # (pos, kind, resolved) of attributions
        self.roles = self._roles()

    def _roles(self) -> list[tuple[int, str, str]]:
        """(pos, role, canonical) from "Iranian Ambassador Hassan Kazemi Qumi" and from
        appositives ("Bagheri, deputy foreign minister"); "adviser to Petraeus" is not one."""
        roles = []
        for m in self.persons:
            words = [w.lower().strip(".,") for w in m.text.split()[:-1]]
            for w in reversed(self.body[max(0, m.start - 60) : m.start].split()):
                if not (w[0].isupper() or w.lower() in ROLE_WORDS):
                    break
                words.append(w.lower().strip(".,"))
            after = _APPOSITIVE.match(self.body, m.end)
            words += after.group(1).lower().split() if after else []
            canonical = self.names.resolve(m.text)
            for w in words:
                role = _ROLE_PREFIX.get(w, w)
                if role in ROLE_WORDS:
                    roles.append((m.start, role, canonical))
        return roles

    def classify(self, lo: int, hi: int) -> Speaker | None:
        """The speaker named by body[lo:hi], a subject or object phrase of a speech verb."""
        raw = self.body[lo:hi]
        lead = _LEAD.match(raw)
        if lead:
            lo += lead.end()
        text = self.body[lo:hi].strip().rstrip(".")
        lo = hi - len(self.body[lo:hi].lstrip())
        if not text or len(text.split()) > 12:
            return None
        if _PRONOUN.match(text):
            return Speaker("pronoun", text.lower(), lo)
        inside = [m for m in self.persons if m.start >= lo and m.end <= hi + 1]
        if _DETERMINER.match(text):
            org = [m for m in self.others if m.start >= lo and m.end <= hi + 1]
            if org and strip_other(text) == strip_other(org[0].text):
                return Speaker("org", strip_other(org[0].text), lo)
            return Speaker("description", text[0].lower() + text[1:], lo)
        if inside:
            return Speaker("person", self.names.resolve(inside[-1].text), lo)
        caps = re.search(r"(?:\b[A-Z][\w'’.-]*\s*){1,4}$", text)
        if caps and self.names.knows(caps.group(0)):
            return Speaker("person", self.names.resolve(caps.group(0)), lo)
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
            self.history.append((sp.pos, sp.kind, value))
        return value

    def _pronoun(self, sp: Speaker) -> str:
        plural = sp.value in ("they", "we")
        last = next(
            (h for h in reversed(self.history) if h[0] < sp.pos and _plural(h[2]) == plural),
            None,
        )
        named = [m for m in self.persons if m.end <= sp.pos]
        # A person named after the last attribution is the likelier antecedent ("… Qumi in
        # an interview. He said …").
        if not plural and named and (last is None or named[-1].start > last[0]):
            return self.names.resolve(named[-1].text)
        return last[2] if last else sp.value

    def _definite(self, sp: Speaker) -> str:
        words = _PREP.split(" " + sp.value[4:] + " ")[0].split()
        head = words[-1].lower() if words else ""
        role = [r for r in self.roles if r[0] < sp.pos and r[1] == head]
        if role:
            return role[-1][2]
        mods = {w.lower() for w in sp.value[4:].split() if w.lower() not in ("in", "the")}
        pattern = re.compile(_INDEFINITE.format(head=re.escape(head)))
        for m in reversed(list(pattern.finditer(self.body, 0, sp.pos))):
            found = m.group(0).strip()
            if mods <= {w.lower() for w in found.split()}:
                return found[0].lower() + found[1:]
        return sp.value


def _plural(value: str) -> bool:
    head = _PREP.split(" " + value + " ")[0].split()
    word = head[-1].lower() if head else ""
    return word.endswith("s") and not word.endswith("ss") and value[:1].islower()


# --- attribution ------------------------------------------------------------------------


class _Attributor:
    def __init__(self, body: str, mentions: Sequence[Mention]) -> None:
        self.body = body
        self.resolver = _Resolver(body, mentions)
        self.ends = _sentence_ends(body)

    def _sentence_start(self, pos: int, floor: int) -> int:
        starts = [e for e in self.ends if floor <= e <= pos]
        return starts[-1] if starts else floor

    def _sentence_end(self, pos: int, ceiling: int) -> int:
        return next((e for e in self.ends if pos < e <= ceiling), ceiling)

    def after(self, span: Span, ceiling: int) -> Speaker | None:
        """ "…," Mr. Bush said / "…," said the official / "…," according to X."""
        inner = self.body[span.start : span.end].rstrip('"”’ ')
        lo = span.close
        text = self.body[lo : self._sentence_end(lo, ceiling)]
        if inner.endswith(".") and not text.lstrip().startswith(","):
            return None  # the quoted sentence ended; what follows is a new sentence
        if m := _AFTER_INVERTED.match(text):
            return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"))
        m = _AFTER_SUBJECT.match(text)
        if m and len(m.group("sp").split()) <= _MAX_AFTER_WORDS:
            return self.resolver.classify(lo + m.start("sp"), lo + m.end("sp"))
        return None

    def before(self, span: Span, floor: int) -> Speaker | None:
        """Mr. Bush said that "…" / he said, "…" / X, a minister, said: "…"."""
        lo = self._sentence_start(span.open, floor)
        verbs = list(_VERB.finditer(self.body, lo, span.open))
        if not verbs:
            return None
        verb = verbs[-1]
        if verb.group(0).lower() == "according to":
            end = span.open
            m = re.match(r"\s*([^,;:\"“]+)", self.body[verb.end() : end])
            return self.resolver.classify(verb.end(), verb.end() + m.end(1)) if m else None
        if _COORDINATED.search(self.body, lo, verb.start()):
            return self._sentence_subject(span.open)
        return self.subject(lo, verb.start())

    def _sentence_subject(self, pos: int) -> Speaker | None:
        """ "A spokesman …, who asked not to be named, rejected … and said": the subject
        of the whole sentence, its first clause."""
        para_lo, _ = _para_bounds(self.body, pos)
        lo = self._sentence_start(pos, para_lo)
        sep = _CLAUSE.search(self.body, lo, pos)
        hi = sep.start() if sep else pos
        verb = _FIRST_VERB.search(self.body, lo, hi)
        return self.resolver.classify(lo, verb.start() if verb else hi)

    def subject(self, lo: int, verb_at: int) -> Speaker | None:
        """The phrase before a verb: its own clause, or past an appositive to the name."""
        seps = list(_CLAUSE.finditer(self.body, lo, verb_at))
        starts = [lo] + [m.end() for m in seps]
        ends = [m.start() for m in seps] + [verb_at]
        for n, (c_lo, c_hi) in enumerate(reversed(list(zip(starts, ends, strict=True)))):
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
        for verb in _VERB.finditer(self.body):
            if any(s.open <= verb.start() < s.close for s in spans):
                continue
            para_lo, _ = _para_bounds(self.body, verb.start())
            lo = max(
                self._sentence_start(verb.start(), para_lo),
                _last_close(spans, verb.start(), para_lo),
            )
            if (sp := self.subject(lo, verb.start())) is not None:
                found.append(sp)
        return found


def _last_close(spans: Sequence[Span], pos: int, floor: int) -> int:
    closes = [s.close for s in spans if floor <= s.close <= pos]
    return closes[-1] if closes else floor


def _words(text: str) -> int:
    return len(re.findall(r"[\w%'’-]+", text))


def extract_quotes(body: str, mentions: Sequence[Mention]) -> tuple[Quote, ...]:
    """Every direct quotation in `body` with its resolved speaker and offsets."""
    spans = find_spans(body)
    att = _Attributor(body, mentions)
    quote_speakers: dict[int, Speaker | None] = {}
    for k, span in enumerate(spans):
        lo, _ = _para_bounds(body, span.open)
        _, hi = _para_bounds(body, span.close - 1)  # a multi-paragraph quote ends later
        nxt = next((s.open for s in spans[k + 1 :] if s.open < hi), hi)
        prev_close = _last_close(spans[:k], span.open, lo)
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
    return _assemble(body, spans, resolved)


def _is_scare(text: str) -> bool:
    """One to three words that are not a sentence of their own ("Never," he said)."""
    sentence = text[:1].isupper() and text.rstrip('"”’')[-1:] in ".,!?"
    return _words(text) <= SCARE_MAX_WORDS and not sentence


def _assemble(body: str, spans: Sequence[Span], resolved: dict[int, str]) -> tuple[Quote, ...]:
    out: list[Quote] = []
    last: tuple[int, str | None] | None = None  # (paragraph start, speaker) of last full quote
    for k, span in enumerate(spans):
        text = body[span.start : span.end]
        para_lo, _ = _para_bounds(body, span.open)
        scare = _is_scare(text)
        speaker = resolved.get(k)
        if speaker is None and not scare and last is not None:
            # A quote with no attribution continues the previous speaker: same paragraph,
            # or a paragraph that is itself a continuation right after it.
            prev_para_lo, _ = _para_bounds(body, max(para_lo - 2, 0))
            if last[0] in (para_lo, prev_para_lo):
                speaker = last[1]
        out.append(Quote(text, speaker, span.start, span.end, scare))
        if not scare:
            last = (_para_bounds(body, span.end)[0], speaker)
    return tuple(out)
