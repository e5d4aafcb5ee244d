"""Article metadata from headers and text: byline, dateline, published date, language."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime

from dateutil import parser as dateparser

# --- bylines -------------------------------------------------------------------------

_BY = re.compile(r"^\s*(?:written\s+)?by[:\s]+", re.I)
# Words that show a "byline" is page furniture, not a person ("Email The Author").
_JUNK = re.compile(
    r"\b(e-?mail|author|twitter|facebook|follow|share|print|comments?|subscribe|click|"
    r"read|more|http|www|login|sign)\b|@",
    re.I,
)
_TRAILING_ROLE = re.compile(
    r"\s*(?:[,|;/]|\s[-—–]\s).*$"  # "Jane Doe, Staff Writer" / "Jane Doe | Reuters"
)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|de|da|van|von|der|al|bin|la|le|and|&)$")
_MAX_BYLINE_WORDS = 8
# Longer than this (roles and outlet included) is not a byline; the bound also keeps every
# regex below on short input.
_MAX_BYLINE_CHARS = 300


def clean_byline(raw: str | None) -> str | None:
    """A person-like byline from a header, "By X" line or footer, or None for junk."""
    if not raw:
        return None
    text = " ".join(raw.split())
    if len(text) > _MAX_BYLINE_CHARS:
        return None
    text = _BY.sub("", text)
    if " and " not in text:
        text = _TRAILING_ROLE.sub("", text)
    text = text.strip(" .,;:-—–»«")
    words = text.split()
    if not words or len(words) > _MAX_BYLINE_WORDS or _JUNK.search(text):
        return None
    if any(ch.isdigit() for ch in text) or not all(_NAME_WORD.match(w) for w in words):
        return None
    if text.isupper() and len(words) > 1:
        text = text.title()  # "JANE DOE" from wire headers
    return text


# --- author lists ----------------------------------------------------------------------

# "By", "Par", "Von", "Por", "di", "door", "av", "بقلم", "كتب" open a byline.
_LEAD = re.compile(
    r"^\s*(?:(?:written\s+|posted\s+)?by|par|von|por|di|door|av|af|بقلم|كتب)\s*[:：]?\s+", re.I
)
# "Posted by Jim Lee on April 3, 2024": the date after the name is not part of it.
_TRAILING_DATE = re.compile(
    r"\s+(?:on|le|el|am|il|em)\s+\S{0,12}\d.*$|\s+on\s+[A-Z][a-z]+\.?\s+\d.*$"
)
# "A, B and C", "A y B", "A et B", "A und B", "A e B", "A / B", "A; B", Arabic "A وB".
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;/|&]|\s(?:and|y|et|und|e|i|en|og|och)\s)\s*|\s+و(?=\S)", re.I)
_NOT_A_PERSON = re.compile(
    r"\b(?:staff|writer|reporters?|correspondents?|editors?|editorial|news|agency|press|"
    r"desk|team|service|media|wire|contributors?|associated|bureau|redacci[oó]n|r[ée]daction|"
    r"redaktion|agencia|agences?|the|com)\b|https?:|www\.|@|\.\w{2,4}$|\d",
    re.I,
)
_PARTICLE = frozenset(
    [
        "de",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "della",
        "di",
        "van",
        "von",
        "der",
        "den",
        "du",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "ben",
        "y",
    ]
)
_MAX_NAME_WORDS = 5
# Latin-script words of a name start upper-case ("Soo-yeon" after a hyphen is fine).
_LATIN_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.\-]*$")


def person_name(raw: str, *, single_word: bool = False) -> str | None:
    """`raw` as a person's name, or None for an outlet, a role, a URL or a sentence."""
    text = " ".join(raw.split()).strip(" .,;:-—–|·•»«")
    words = text.split()
    if not words or len(words) > _MAX_NAME_WORDS or _NOT_A_PERSON.search(text):
        return None
    if len(words) == 1 and not single_word:
        return None  # "Akron", "Berlin": a place or a section, not a byline
    latin = [w for w in words if w.isascii() or _LATIN_WORD.match(w)]
    if latin and not all(_LATIN_WORD.match(w) or w.lower() in _PARTICLE for w in latin):
        return None
    if text.isupper() and len(words) > 1:
        text = text.title()  # "JANE DOE" from wire headers
    return text


def strip_lead(byline: str) -> str:
    """A byline without its "By"/"Par"/"Por"/... word."""
    return _LEAD.sub("", " ".join(byline[:_MAX_BYLINE_CHARS].split()))


def split_authors(raw: str | None, *, single_word: bool = False) -> list[str]:
    """Every person a byline names: "By A, B and C, cleveland.com" is [A, B, C]."""
    if not raw or len(raw) > _MAX_BYLINE_CHARS:
        return []
    text = _TRAILING_DATE.sub("", _LEAD.sub("", " ".join(raw.split())))
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(text):
        name = person_name(part, single_word=single_word)
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def is_byline(paragraph: str, known: list[str]) -> bool:
    """A line that only names authors: "By A and B, CNN", or the known names bare."""
    if len(paragraph) > _MAX_BYLINE_CHARS:
        return False
    names = split_authors(paragraph)
    if not names:
        return False
    if _LEAD.match(paragraph):
        return True
    folded = {k.casefold() for k in known}
    return all(n.casefold() in folded for n in names)


def join_authors(names: list[str] | tuple[str, ...]) -> str | None:
    """One byline string for the export's `byline`: "A", "A and B", "A, B and C"."""
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- datelines -----------------------------------------------------------------------

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "BAGHDAD, May 22 (Reuters) -", "WASHINGTON (AP) —", "LONDON, England --"
_DATELINE = re.compile(
    rf"^(?P<dl>[A-Z][A-Z.'’\- ]{{2,40}}"
    rf"(?:,\s*[A-Z][A-Za-z.'’\- ]{{1,30}}?)?"
    rf"(?:,\s*{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"
    rf"(?:\s*\([A-Za-z .&'-]{{2,30}}\))?)"
    r"\s*(?:--|[-—–])\s+(?=\S)"
)
# The longest dateline the pattern allows is ~150 characters; matching only a prefix this
# long bounds the backtracking of its optional parts and unbounded \s* by a constant.
_DATELINE_WINDOW = 200


def split_dateline(paragraph: str) -> tuple[str | None, str]:
    """(dateline, rest) when the paragraph opens with a wire dateline, else (None, paragraph)."""
    m = _DATELINE.match(paragraph[:_DATELINE_WINDOW])
    if m is None:
        return None, paragraph
    city = m.group("dl").split(",")[0].split("(")[0]
    if sum(c.isupper() for c in city) < 3 or any(c.islower() for c in city):
        return None, paragraph  # "U.S. officials -" is a sentence, not a dateline
    return m.group("dl").strip(), paragraph[m.end() :]


# --- dates ---------------------------------------------------------------------------

_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|T\d{2}")
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$")
_MIN_YEAR = 1800
_HOUR = 3600
_TZINFOS = {
    "UTC": 0,
    "GMT": 0,
    "BST": _HOUR,
    "CET": _HOUR,
    "CEST": 2 * _HOUR,
    "EST": -5 * _HOUR,
    "EDT": -4 * _HOUR,
    "CST": -6 * _HOUR,
    "CDT": -5 * _HOUR,
    "MST": -7 * _HOUR,
    "MDT": -6 * _HOUR,
    "PST": -8 * _HOUR,
    "PDT": -7 * _HOUR,
}


def parse_date(raw: str | None) -> str | None:
    """ISO 8601 (date, or datetime when a time is given) from common formats, else None.

    A date with no year ("May 22") is not guessed: a wrong year is worse than none.
    Numeric day/month order follows the US convention (05/06/2007 is May 6).
    """
    if not raw:
        return None
    text = " ".join(raw.split())[:80]
    if _EPOCH.match(text):
        return datetime.fromtimestamp(float(text), tz=UTC).isoformat()
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if not _YEAR.search(text):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown zone names: keep the local time
            parsed = dateparser.parse(
                text, fuzzy=True, default=datetime(2000, 1, 1), tzinfos=_TZINFOS
            )
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None or parsed.year < _MIN_YEAR:
        return None
    if _HAS_TIME.search(text):
        return parsed.isoformat()
    return parsed.date().isoformat()


_DATE_LINE = re.compile(
    r"^(?:(?:published|updated|posted|last updated)(?:\s+on)?\s*:?\s*)?"
    rf"(?P<d>(?:\w+day,?\s+)?(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})(?:[ T,]+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*[A-Z]{2,4})?)?)\s*$",
    re.I,
)
# "Last updated on: Wednesday, September 22, 2007 10:00:00 A.M. EDT" is 66 characters; a
# longer paragraph is not a date line, and its \s*:?\s* runs could trade spaces.
_MAX_DATE_LINE = 120


def date_line(paragraph: str) -> str | None:
    """The ISO date of a paragraph that is only a date ("Published May 22, 2007")."""
    paragraph = paragraph.strip()
    if len(paragraph) > _MAX_DATE_LINE:
        return None
    m = _DATE_LINE.match(paragraph)
    return parse_date(m.group("d")) if m else None


# --- language ------------------------------------------------------------------------

_STOPWORDS = {
    "en": "the of and to in is that for it was on with he as at by this from are have but not",
    "fr": "le la les de des et est une un du que qui dans pour pas sur au il elle avec",
    "de": "der die das und ist nicht ein eine zu den mit von sich auf dem des im für auch",
    "es": "el la los las de y que en un una es por con para se del al lo como más",
    "it": "il la di che e è per un una non del della sono si le con gli dei nel",
    "pt": "o a os as de e que em um uma é para com não do da dos das no na se",
    "nl": "de het een en van is dat op te in niet zijn met voor die er aan ook",
}
_STOPSETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_SCRIPTS = (
    ("ru", "\u0400", "\u04ff"),
    ("ar", "\u0600", "\u06ff"),
    ("he", "\u0590", "\u05ff"),
    ("el", "\u0370", "\u03ff"),
    ("hi", "\u0900", "\u097f"),
    ("ja", "\u3040", "\u30ff"),
    ("ko", "\uac00", "\ud7af"),
    ("zh", "\u4e00", "\u9fff"),
)
# What `detect_language` can name; a page declaring another language is taken at its word.
DETECTABLE = frozenset(_STOPSETS) | {lang for lang, _, _ in _SCRIPTS}
_WORD = re.compile(r"[^\W\d_]+")
_MIN_WORDS = 8
_MIN_STOP_SHARE = 0.08


def _script_language(letters: str) -> str | None:
    counts = {lang: sum(lo <= c <= hi for c in letters) for lang, lo, hi in _SCRIPTS}
    # Japanese text is full of Han characters too; any kana at all makes it Japanese.
    if counts["ja"] > 0.05 * len(letters):
        return "ja"
    lang, count = max(counts.items(), key=lambda kv: kv[1])
    return lang if count > 0.3 * len(letters) else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code by script, then by stopword share; None when too short to tell."""
    sample = text[:5000]
    letters = "".join(ch for ch in sample if ch.isalpha())
    if not letters:
        return None
    by_script = _script_language(letters)
    if by_script is not None:
        return by_script
    words = [w.casefold() for w in _WORD.findall(sample)]
    if len(words) < _MIN_WORDS:
        return None
    scores = {lang: sum(w in s for w in words) / len(words) for lang, s in _STOPSETS.items()}
    lang, score = max(scores.items(), key=lambda kv: kv[1])
    return lang if score >= _MIN_STOP_SHARE else None
