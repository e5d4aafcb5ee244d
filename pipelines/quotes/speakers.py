"""Speaker phrases and what they stand for, resolved in reading order as a reader does.

A name → its canonical form (or the relative it names: "Ms Morrow" → Elizabeth Morrow); "she
said" → the person last named or speaking whose stated gender agrees, else nobody; "the
ambassador" → the person introduced with that title; "the retired general" → the person
speaking just before in the same passage, or the anonymous "a retired general" introduced
earlier, whichever is nearer; otherwise the description as written. Never a place, a
fragment or a pronoun: a phrase that is none of these gives no speaker.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from pipelines.entities import TITLE_WORDS, NameIndex, strip_other, strip_person, wordset
from pipelines.quotes.patterns import (
    APPOSITIVE,
    APPOSITIVE_REACH,
    DETERMINER,
    INDEFINITE,
    INDEFINITE_SPAN,
    INDEFINITE_TRIES,
    LEAD,
    MAX_SPEAKER_CHARS,
    PREP,
    PRONOUN,
    ROLE_PREFIX,
    ROLE_WORDS,
    SENTENCE_END,
    VERB,
)
from pipelines.quotes.people import NOUN_GENDER, PRONOUN_GENDER, People, agrees
from pipelines.records import Mention
from pipelines.textindex import Indefinites, Mentions, trailing_caps

# A lower-case phrase opening with one of these is a clause fragment, not a source.
_FRAGMENT = wordset(
    """when if because that which what how where who whom it this these those there and
    but or as while although though after before since until so then also not"""
)
# Where a description's own words end: "a western diplomat | briefed on the talks".
_DESCRIPTION_END = re.compile(
    r",|\s(?:who|which|whose|speaking|briefed|familiar|asked|declining|requesting)\b"
)
_PLACES = ("GPE", "LOC", "FAC")
_NAMING_ROLES = "|".join(
    sorted(
        ROLE_WORDS
        | wordset(
            """organiser organizer executive owner activist campaigner resident farmer
            worker nurse doctor commissioner councillor captain coach manager founder
            student teacher surgeon midwife researcher superintendent florist baker
            shopkeeper driver pilot engineer scientist astronaut neighbour friend colleague
            campaigner"""
        )
    )
)
# Two or three capitalised words after a lower-case role word, each bounded (linear time).
_ROLE_NAME = re.compile(
    rf"\b(?i:{_NAMING_ROLES}) (?P<name>[A-Z][\w'’-]{{1,30}}(?: [A-Z][\w'’-]{{1,30}}){{1,2}})\b"
)
# A name right after one of these is an object, not who speaks: "tells Martin", "adviser
# to Gen Petraeus", "met Biden".
_OBJECT_CUES = wordset(
    """to at in on with from for of about against than as tells told tell asked asks
    praised thanked met meets called urged accused blamed criticised criticized"""
)
# Words closing a subject phrase that are not part of it: "the official also", "he later".
_TRAILING = re.compile(
    r"(?:\s+(?:also|later|then|again|once|has|had|have|would|will|[a-z]\w*ly))+$"
)
_LINKS = wordset("in at of from for on with to by who whose and later also")
_SKIPPED_BEFORE_NAME = TITLE_WORDS | {"the", "his", "her", "their", "its"}
_AUXILIARY = wordset("is was were are has had have would will said says told")
_SUBJECT_WORDS = 8  # "In the village of Chester, shop owner Linda MacDonald said"
_SENTENCE_REACH = 300  # characters looked back for a sentence start
HISTORY_TRIES = 6  # earlier speakers tried for a pronoun of the wrong gender

# Confidence of each way a speaker is found: how often that rule was right on the dev half
# of the gold set, rounded down (see docs/extraction.md); a quote's confidence multiplies it
# by how its speaker phrase was found.
CONFIDENCE = {
    "name": 0.95,
    "relative": 0.85,
    "org": 0.85,
    "description": 0.85,
    "role": 0.85,
    "antecedent": 0.8,
    "indefinite": 0.85,
    "pronoun": 0.8,
    "pronoun-gender": 0.9,
}


@dataclass(frozen=True, slots=True)
class Speaker:
    kind: str  # person | pronoun | description | org
    value: str  # canonical name, pronoun, or description as written
    pos: int  # where the speaker phrase starts in the body
    scope: int  # where a description may find the speaker it stands for


@dataclass(frozen=True, slots=True)
class Resolved:
    value: str
    kind: str  # person | description | org
    confidence: float


def _plural(value: str) -> bool:
    head = PREP.split(" " + value + " ")[0].split()
    word = head[-1].lower() if head else ""
    return word.endswith("s") and not word.endswith("ss") and value[:1].islower()


def _head(description: str) -> str:
    words = PREP.split(" " + re.sub(r"^(?:the|a|an|one)\s+", "", description, flags=re.I) + " ")
    head = words[0].split()
    return head[-1].lower().strip(".,") if head else ""


def _role_named(body: str, persons: Sequence[Mention]) -> list[Mention]:
    """ "Protest organiser Maya Ruiz", "chief executive Gareth Holt": a capitalised name
    right after a role word is a person even where NER missed it or called it ORG."""
    starts = {m.start for m in persons}
    found = []
    for m in _ROLE_NAME.finditer(body):
        if m.start("name") not in starts:
            name = m.group("name")
            found.append(Mention(name, "PERSON", name, m.start("name"), m.end("name")))
    return found


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


class Resolver:
    """Resolves speaker phrases in reading order against one article's mentions."""

    def __init__(
        self, body: str, mentions: Sequence[Mention], quoted: Sequence[tuple[int, int]]
    ) -> None:
        self.body = body
        named = [m for m in mentions if m.label == "PERSON"]
        self.persons = Mentions(named + _role_named(body, named))
        self.others = Mentions([m for m in mentions if m.label != "PERSON"])
        self.names = NameIndex([strip_person(m.text) for m in self.persons.items])
        self.people = People(body, self.persons, self.names)
        self.antecedents = self._antecedents(quoted)
        # Attributions resolved so far, by plurality: sorted positions and resolutions.
        self.history: dict[bool, tuple[list[int], list[Resolved]]] = {
            False: ([], []),
            True: ([], []),
        }
        self.roles: dict[str, tuple[list[int], list[str]]] = {}
        for pos, role, canonical in self._roles():
            positions, canonicals = self.roles.setdefault(role, ([], []))
            positions.append(pos)  # persons are sorted by start: positions stay sorted
            canonicals.append(canonical)

    @cached_property
    def indefinites(self) -> Indefinites:
        return Indefinites(self.body)

    def _antecedents(self, quoted: Sequence[tuple[int, int]]) -> tuple[list[int], list[str]]:
        """Persons a pronoun can stand for: named outside quotations ("Lagarde" inside a
        quote is talked about, not talking), not as an object or owner ("Okafor's manager"),
        and as the subject of their sentence: its first person, in its first few words
        ("Myart-Cruz said Carvalho had money": she is, Carvalho is not)."""
        opens = [lo for lo, _ in quoted]
        found: list[tuple[int, str]] = []
        last_sentence = -1
        for m in self.persons.items:
            k = bisect_right(opens, m.start) - 1
            if (k >= 0 and m.start < quoted[k][1]) or self.is_object(m):
                continue
            sentence = self._sentence_start(m.start)
            lead = self.body[sentence : m.start].split()
            while lead and lead[-1].lower().rstrip(".") in _SKIPPED_BEFORE_NAME:
                lead.pop()
            agent = bool(lead) and lead[-1] == "by"  # "outlined by Ambassador Qumi"
            if sentence == last_sentence or (len(lead) > _SUBJECT_WORDS and not agent):
                continue
            last_sentence = sentence
            found.append((m.start, self.people.mention_name(m)))
        found += [(r.pos, r.name) for r in self.people.relatives]
        found.sort()
        return [p for p, _ in found], [n for _, n in found]

    def _sentence_start(self, pos: int) -> int:
        """Where the sentence holding `pos` starts (bounded look-back)."""
        lo = max(0, pos - _SENTENCE_REACH)
        # endpos one past `pos`: the end's look-ahead must see the capital at `pos`.
        ends = [m.end() for m in SENTENCE_END.finditer(self.body, lo, pos + 1) if m.end() <= pos]
        return ends[-1] if ends else max(lo, self.body.rfind("\n", lo, pos) + 1)

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
            canonical = self.people.mention_name(m)
            for w in words:
                role = ROLE_PREFIX.get(w, w)
                if role in ROLE_WORDS:
                    roles.append((m.start, role, canonical))
        return roles

    def _appositive(self, pos: int) -> list[str]:
        reach = pos + APPOSITIVE_REACH
        after = APPOSITIVE.match(self.body, pos, reach)
        if after is None:
            return []
        words = after.group(1).lower().split()
        cut = after.end() == reach < len(self.body) and _is_word_char(self.body[reach])
        return words[:-1] if cut else words  # a word cut by the reach is not a role

    # --- what a phrase names --------------------------------------------------------------

    def classify(self, lo: int, hi: int, scope: int) -> Speaker | None:
        """The speaker named by body[lo:hi], a subject or object phrase of a speech verb."""
        lo = hi - len(self.body[lo:hi].lstrip())
        lead = LEAD.match(self.body[lo:hi])  # `^` anchors at a slice's start, not at pos
        if lead:
            lo += lead.end()
        text = self.body[lo:hi].strip().rstrip(".")
        lo = hi - len(self.body[lo:hi].lstrip())
        text = _TRAILING.sub("", text)
        if not text or len(text) > MAX_SPEAKER_CHARS or len(text.split()) > 12:
            return None
        if PRONOUN.match(text):
            return Speaker("pronoun", text.lower(), lo, scope)
        person = self._person_in(lo, hi + 1)
        if person is not None:
            return Speaker("person", person, lo, scope)
        if DETERMINER.match(text) or self._owned(text):
            text = _DESCRIPTION_END.split(text)[0].strip()
            org = self.others.within(lo, hi + 1)
            if org and strip_other(text) == strip_other(org[0].text):
                return Speaker("org", strip_other(org[0].text), lo, scope)
            return Speaker("description", text[0].lower() + text[1:], lo, scope)
        caps = trailing_caps(text)
        if caps and self.names.knows(caps):
            return Speaker("person", self.people.resolve(caps, lo), lo, scope)
        if text[0].isupper() and all(w[0].isupper() for w in text.split()):
            if any(m.label in _PLACES for m in self.others.within(lo, hi + 1)):
                return None  # "Kandahar said" is a misreading, not a source
            return Speaker("org", strip_other(text), lo, scope)  # "The White House"
        words = text.split()
        if words[0].lower() in _FRAGMENT or len(words) > 6:
            return None
        if any(w.lower() in _AUXILIARY or VERB.fullmatch(w) for w in words):
            return None  # "said commanders had": a clause, not a source
        text = _DESCRIPTION_END.split(text)[0].strip()
        return Speaker("description", text[0].lower() + text[1:], lo, scope)

    def is_object(self, m: Mention) -> bool:
        """ "tells Martin", "adviser to Gen Petraeus", "Okafor's manager": a person named
        as an object or owner, who is not the one speaking."""
        if self.body.startswith(("'s", "’s"), m.end):
            return True
        before = self.body[max(0, m.start - 40) : m.start].split()
        while before and before[-1].lower().rstrip(".") in _SKIPPED_BEFORE_NAME:
            before.pop()
        return bool(before) and before[-1].lower().strip(",") in _OBJECT_CUES

    def _names_speaker(self, m: Mention, hi: int) -> bool:
        """A name in a speaker phrase that is the speaker: not an object or owner, and not
        a modifier ("a former Bush administration official")."""
        if self.is_object(m):
            return False
        rest = self.body[m.end : hi].split()
        phrase = self.body[max(0, m.start - 60) : m.start].split()
        described = any(w.lower() in ("a", "an", "the", "one") for w in phrase[-4:])
        return not (described and rest and rest[0][:1].islower() and rest[0] not in _LINKS)

    def _owned(self, text: str) -> bool:
        """ "Okafor's former manager", "the airline's chief": a description of a person."""
        first = text.split()[0]
        return first.endswith(("'s", "’s")) or first.lower() in ("its", "his", "her", "their")

    def _person_in(self, lo: int, hi: int) -> str | None:
        """The person a phrase names: its last name that is not an owner ("Mashinsky's
        lawyer, Marc Mukasey"), or a relative introduced by first name in it."""
        inside = [m for m in self.persons.within(lo, hi) if self._names_speaker(m, hi)]
        relatives = self.people.relatives_between(lo, hi)
        if relatives and (not inside or relatives[-1].pos >= inside[-1].start):
            return relatives[-1].name
        return self.people.mention_name(inside[-1]) if inside else None

    # --- what it stands for -----------------------------------------------------------

    def resolve(self, sp: Speaker) -> Resolved | None:
        if sp.kind == "pronoun":
            found = self._pronoun(sp)
        elif sp.kind == "description" and sp.value.startswith("the "):
            found = self._definite(sp)
        elif sp.kind == "person":
            found = Resolved(sp.value, "person", CONFIDENCE["name"])
        else:
            found = Resolved(sp.value, sp.kind, CONFIDENCE[sp.kind])
        if found is not None:  # a resolved "she said" is the passage's last speaker too
            positions, values = self.history[found.kind != "person" and _plural(found.value)]
            at = bisect_right(positions, sp.pos)  # after equal positions: the latest wins
            positions.insert(at, sp.pos)
            values.insert(at, found)
        return found

    def gender(self, found: Resolved) -> str | None:
        if found.kind == "person":
            return self.people.gender.get(found.value)
        return NOUN_GENDER.get(_head(found.value))

    def _pronoun(self, sp: Speaker) -> Resolved | None:
        if sp.value not in PRONOUN_GENDER and sp.value != "they":
            return None  # "I" and "we" in running text are the writer's or a group's
        plural = sp.value == "they"
        positions, values = self.history[plural]
        i = bisect_left(positions, sp.pos) - 1  # the last attribution before the pronoun
        if plural:
            return values[i] if i >= 0 else None
        said = PRONOUN_GENDER[sp.value]
        a_pos, a_names = self.antecedents
        j = bisect_left(a_pos, sp.pos) - 1
        # A person named after the last attribution is the likelier antecedent ("… Qumi in
        # an interview. He said …"), if the gender the text gives them agrees.
        if j >= 0 and (i < 0 or a_pos[j] > positions[i]):
            gender = self.people.gender.get(a_names[j])
            if agrees(gender, said):
                conf = CONFIDENCE["pronoun-gender" if gender else "pronoun"]
                return Resolved(a_names[j], "person", conf)
        for k in range(i, max(i - HISTORY_TRIES, -1), -1):
            gender = self.gender(values[k])
            if agrees(gender, said):
                conf = CONFIDENCE["pronoun-gender" if gender else "pronoun"]
                return Resolved(values[k].value, values[k].kind, conf)
        return None

    def _definite(self, sp: Speaker) -> Resolved:
        head = _head(sp.value)
        # The nearest of: the person introduced with this role, the speaker of this
        # passage, the anonymous source introduced with these words ("Prime Minister
        # Ishiba" … "Noda said …. “…,” the former prime minister said" is Noda).
        found: list[tuple[int, Resolved]] = []
        if head in self.roles:
            positions, canonicals = self.roles[head]
            i = bisect_left(positions, sp.pos) - 1
            if i >= 0:
                found.append((positions[i], Resolved(canonicals[i], "person", CONFIDENCE["role"])))
        if recent := self._recent_speaker(sp, NOUN_GENDER.get(head)):
            found.append(recent)
        if indefinite := self._indefinite(sp, head):
            conf = CONFIDENCE["indefinite"]
            found.append((indefinite[0], Resolved(indefinite[1], "description", conf)))
        if found:
            return max(found, key=lambda f: f[0])[1]
        return Resolved(sp.value, "description", CONFIDENCE["description"])

    def _recent_speaker(self, sp: Speaker, said: str | None) -> tuple[int, Resolved] | None:
        """The speaker last attributed in this passage, whom "the retired general said" or
        "the union official said" names again."""
        positions, values = self.history[False]
        i = bisect_left(positions, sp.pos) - 1
        if i < 0 or positions[i] < sp.scope:
            return None
        found = values[i]
        if not agrees(self.gender(found), said):
            return None
        return positions[i], Resolved(found.value, found.kind, CONFIDENCE["antecedent"])

    def _indefinite(self, sp: Speaker, head: str) -> tuple[int, str] | None:
        mods = {w.lower() for w in sp.value[4:].split() if w.lower() not in ("in", "the")}
        starts = self.indefinites.before(head, sp.pos, INDEFINITE_TRIES)
        pattern = re.compile(INDEFINITE.format(head=re.escape(head)))
        for start in starts:  # nearest first, as the last match before was preferred
            m = pattern.match(self.body, start, min(sp.pos, start + INDEFINITE_SPAN))
            found = m.group(0).strip() if m else ""
            if found and mods <= {w.lower() for w in found.split()}:
                return start, found[0].lower() + found[1:]
        return None

    def last_subject(self, lo: int, hi: int) -> tuple[int, str] | None:
        """The last person named as a subject outside quotations in body[lo:hi]."""
        a_pos, a_names = self.antecedents
        i = bisect_left(a_pos, hi) - 1
        return (a_pos[i], a_names[i]) if i >= 0 and a_pos[i] >= lo else None
