"""Canonical names inside one article: "Gen Petraeus's" and "Petraeus" → "David Petraeus".

Names are resolved per article only: a surname means the person the article names in full,
which says nothing about the same surname in another article.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from pipelines.records import Mention

# Labels that name something; dates, numbers and amounts are not entities to index.
NAMED_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLE_WORDS = wordset(
    """mr mrs ms miss mx dr prof professor gen general lt col colonel maj major capt captain
    sgt sergeant adm admiral cmdr commander president vice prime minister sen senator rep
    representative gov governor secretary defense defence foreign ambassador judge justice
    rev reverend sir dame lord lady king queen prince princess pope sheikh ayatollah
    chancellor mayor chairman chief deputy former late spokesman spokeswoman leader
    campaigner astronaut activist coach superintendent sheriff inspector detective
    commissioner councillor chairwoman"""
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ALIASES = {
    "us": "United States",
    "u.s.": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "united states": "United States",
    "united states of america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "un": "United Nations",
    "u.n.": "United Nations",
    "united nations": "United Nations",
}


def _tokens(name: str) -> list[str]:
    return name.split()


def strip_person(text: str) -> str:
    """Drop a possessive and leading titles: "Gen Petraeus's" → "Petraeus"."""
    words = _POSSESSIVE.sub("", " ".join(text.split())).split()
    first = 0  # one slice, not pop(0) per title word
    while first < len(words) - 1 and words[first].lower().rstrip(".") in TITLE_WORDS:
        first += 1
    return " ".join(words[first:])


def strip_other(text: str) -> str:
    """Drop a possessive and a leading article: "the Guard's" → "Guard"; fold aliases."""
    text = _POSSESSIVE.sub("", " ".join(text.split()))
    text = re.sub(r"^the\s+", "", text, flags=re.I)
    return _ALIASES.get(text.lower(), text)


def _covers(full: list[str], short: list[str]) -> bool:
    """`short` names the same person as `full`: its surname, or a subset in order."""
    if len(short) >= len(full) or short[-1] != full[-1]:
        return False
    it = iter(full)
    return all(any(tok == f for f in it) for tok in short)


# Comparing every form with every other was quadratic in the names of one article; forms
# are compared only within their surname, best candidate first, and at most this many.
_MAX_CANDIDATES = 32


def person_canonicals(forms: Iterable[str]) -> dict[str, str]:
    """Map each stripped person form to the longest full form it abbreviates.

    When a surname fits several full names ("Bush": George and Laura), the most frequent
    full form wins, then the first seen: deterministic for the same article. Only the
    `_MAX_CANDIDATES` best-ranked longer forms with the same surname are tried.
    """
    counts = Counter(forms)
    tokens = {f: _tokens(f) for f in counts}
    words = {f: frozenset(t) for f, t in tokens.items()}  # a cheap test before _covers
    by_surname: dict[str, list[str]] = {}
    for form in counts:
        if tokens[form]:
            by_surname.setdefault(tokens[form][-1], []).append(form)
    for group in by_surname.values():  # best first, by the key `max` used to pick with
        rank = {g: (len(tokens[g]), counts[g], -i) for i, g in enumerate(group)}
        group.sort(key=rank.__getitem__, reverse=True)
    result: dict[str, str] = {}
    for form, short in tokens.items():
        result[form] = form
        for full in by_surname.get(short[-1], [])[:_MAX_CANDIDATES] if short else ():
            if len(tokens[full]) <= len(short):
                break  # sorted longest first: no longer form follows
            if short[0] in words[full] and _covers(tokens[full], short):
                result[form] = full
                break
    return result


class NameIndex:
    """Every person named in one article, and how to resolve a bare form to its canonical."""

    def __init__(self, person_forms: Sequence[str]) -> None:
        self.canonical = person_canonicals(f for f in person_forms if f)
        self.surnames = {_tokens(f)[-1]: c for f, c in self.canonical.items()}

    def resolve(self, text: str) -> str:
        form = strip_person(text)
        if form in self.canonical:
            return self.canonical[form]
        last = _tokens(form)[-1] if form else form
        return self.surnames.get(last, form)

    def knows(self, text: str) -> bool:
        form = strip_person(text)
        return bool(form) and (form in self.canonical or _tokens(form)[-1] in self.surnames)


# A capitalised word right before a PERSON span that NER left out of it ("Sheriff Curtis
# |Johnson|", "delegate, Abdulrahman |Al Gwaiz|") is the first name, unless it is a title
# or a role ("Sheriff") or opens the sentence ("Yesterday Johnson").
_FIRST_NAME_BEFORE = re.compile(r"(?<=[a-z,;:(] )([A-Z][a-z]{1,20}) $")
_NOT_FIRST_NAMES = TITLE_WORDS | wordset(
    """sheriff inspector detective constable officer coach manager captain striker
    superintendent commissioner coroner bishop father justice the a an"""
)


def _widened(body: str, label: str, start: int, ends: set[int]) -> int:
    """Where a PERSON span really starts: one capitalised first name earlier, at most."""
    if label != "PERSON":
        return start
    m = _FIRST_NAME_BEFORE.search(body, max(0, start - 24), start)
    if m is None or m.end(1) in ends or m.group(1).lower() in _NOT_FIRST_NAMES:
        return start  # none, part of another entity, or a title
    return m.start(1)


def build_mentions(body: str, ents: Iterable[tuple[str, int, int]]) -> tuple[Mention, ...]:
    """Mentions with canonical names from raw (label, start, end) NER spans over `body`."""
    spans = [(label, s, e) for label, s, e in ents if label in NAMED_LABELS]
    ends = {e for _, _, e in spans}
    spans = [(label, _widened(body, label, s, ends), e) for label, s, e in spans]
    people = NameIndex([strip_person(body[s:e]) for label, s, e in spans if label == "PERSON"])
    multiword_surnames = {_tokens(c)[-1] for c in people.canonical.values() if len(_tokens(c)) > 1}
    out: list[Mention] = []
    for label, s, e in spans:
        text = body[s:e]
        # NER often tags a lone surname as ORG ("tells Martin"); the article already
        # named that person in full, so the surname is the person.
        if label == "ORG" and strip_other(text) in multiword_surnames:
            label = "PERSON"
        canonical = people.resolve(text) if label == "PERSON" else strip_other(text)
        out.append(Mention(text, label, canonical or text, s, e))
    return tuple(out)
