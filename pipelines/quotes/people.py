"""Who the people of one article are beyond NER's names: their gender where the article
says it, and relatives introduced by a first name only.

"Kylie Morrow's mother Elizabeth" introduces Elizabeth Morrow; a later "Ms Morrow" is her,
not Kylie (the honorific's gender agrees with "mother"). Gender is taken only from what the
text states — an honorific (Mr, Ms), a relation word (wife, father), a gendered role
(spokeswoman) — never guessed from a first name, so an unknown gender agrees with both.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pipelines.entities import NameIndex, strip_person
from pipelines.records import Mention
from pipelines.textindex import Mentions

FEMALE, MALE = "f", "m"
_TITLE_GENDER = {
    "mr": MALE,
    "sir": MALE,
    "lord": MALE,
    "king": MALE,
    "prince": MALE,
    "father": MALE,  # "Father Brian McKee", the priest
    "mrs": FEMALE,
    "ms": FEMALE,
    "miss": FEMALE,
    "dame": FEMALE,
    "lady": FEMALE,
    "queen": FEMALE,
    "princess": FEMALE,
}
_RELATION_GENDER = {
    "mother": FEMALE,
    "wife": FEMALE,
    "sister": FEMALE,
    "daughter": FEMALE,
    "widow": FEMALE,
    "aunt": FEMALE,
    "grandmother": FEMALE,
    "niece": FEMALE,
    "father": MALE,
    "husband": MALE,
    "brother": MALE,
    "son": MALE,
    "widower": MALE,
    "uncle": MALE,
    "grandfather": MALE,
    "nephew": MALE,
}
# Nouns that say a description's gender: "the woman said" is not Mr Patel.
NOUN_GENDER = {
    **_RELATION_GENDER,
    "woman": FEMALE,
    "girl": FEMALE,
    "spokeswoman": FEMALE,
    "chairwoman": FEMALE,
    "businesswoman": FEMALE,
    "congresswoman": FEMALE,
    "man": MALE,
    "boy": MALE,
    "spokesman": MALE,
    "chairman": MALE,
    "businessman": MALE,
    "congressman": MALE,
    "englishman": MALE,
    "priest": MALE,
}
PRONOUN_GENDER = {"he": MALE, "she": FEMALE}
_RELATIONS = "|".join(_RELATION_GENDER)
# "Thabo Mokoena's wife Nomsa", "his wife Angela": the owner, the relation, a first name.
# Every run is bounded: an unbounded owner made "A.A.A…" quadratic.
_RELATION = re.compile(
    r"(?:(?P<owner>[A-Z][\w-]{0,40})['’]s?|\b(?P<pron>[Hh]is|[Hh]er))\s+"
    r"(?:(?:late|former|estranged|eldest|youngest|elder|younger|\d+-year-old)\s+)?"
    rf"(?P<rel>{_RELATIONS})\s+(?P<first>[A-Z][a-z]{{1,30}})\b(?!\s+[A-Z])"
)
_TITLE_REACH = 12  # characters looked at before a name for "Mrs "


@dataclass(frozen=True, slots=True)
class Relative:
    """A person introduced by a relation to someone named: first name plus their surname."""

    pos: int  # where the first name stands
    first: str
    surname: str
    gender: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.surname}"


_Filed = tuple[list[int], list["Relative"]]  # positions and relatives, in text order
_NONE: _Filed = ([], [])


def _latest(filed: _Filed, pos: int) -> Relative | None:
    """The last relative filed that was introduced at or before `pos`."""
    i = bisect_right(filed[0], pos) - 1
    return filed[1][i] if i >= 0 else None


def agrees(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def title_gender(text: str) -> str | None:
    """The gender an honorific at the start of `text` states, if any."""
    word = text.split()[0].lower().rstrip(".") if text.split() else ""
    return _TITLE_GENDER.get(word)


class People:
    """Gender and relatives of the persons named in one article."""

    def __init__(self, body: str, persons: Mentions, names: NameIndex) -> None:
        self.body = body
        self.names = names
        self.gender: dict[str, str] = {}
        for m in persons.items:
            before = body[max(0, m.start - _TITLE_REACH) : m.start].split()
            said = title_gender(m.text) or (title_gender(before[-1]) if before else None)
            if said:
                self.gender.setdefault(names.resolve(m.text), said)
        self.relatives: list[Relative] = []
        for r in _RELATION.finditer(body):
            owner = r.group("owner")
            if owner is None:  # "his wife Angela": the person last named before "his"
                named = persons.last_ending_by(r.start())
                owner = named.text if named else None
            surname = strip_person(names.resolve(owner)).split()[-1:] if owner else []
            if surname and surname[0] != r.group("first"):
                gender = _RELATION_GENDER[r.group("rel")]
                relative = Relative(r.start("first"), r.group("first"), surname[0], gender)
                self.relatives.append(relative)
                self.gender.setdefault(relative.name, gender)
        self._index()

    def _index(self) -> None:
        """Relatives by first name and by (surname, gender), each in text order."""
        self.by_first: dict[str, _Filed] = {}
        self.by_surname: dict[tuple[str, str], _Filed] = {}
        for rel in self.relatives:
            for filed in (
                self.by_first.setdefault(rel.first, ([], [])),
                self.by_surname.setdefault((rel.surname, rel.gender), ([], [])),
            ):
                filed[0].append(rel.pos)
                filed[1].append(rel)
        self.positions = [r.pos for r in self.relatives]

    def resolve(self, text: str, pos: int, title: str = "") -> str:
        """The canonical person `text` (a name as written at `pos`, after the word `title`)
        stands for: the latest relative introduced before it that it names, else its name."""
        form = strip_person(text)
        said = title_gender(text) or (title_gender(title) if title else None)
        if " " not in form:
            candidates = [_latest(self.by_first.get(form, _NONE), pos)]
            if said:
                candidates.append(_latest(self.by_surname.get((form, said), _NONE), pos))
            found = [c for c in candidates if c is not None]
            if found:
                return max(found, key=lambda r: r.pos).name
        return self.names.resolve(text)

    def relatives_between(self, lo: int, hi: int) -> list[Relative]:
        return self.relatives[bisect_left(self.positions, lo) : bisect_left(self.positions, hi)]

    def mention_name(self, m: Mention) -> str:
        """A mention's person; "Mr" NER left outside the span still says the gender."""
        before = self.body[max(0, m.start - _TITLE_REACH) : m.start].split()
        return self.resolve(m.text, m.start, before[-1] if before else "")
