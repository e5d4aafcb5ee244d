"""A page's main text without what duplicates its metadata or surrounds the story.

trafilatura finds the main text but keeps the page's own echo of its metadata at the top
(headline, standfirst, "By" line, date line, "Name | Place | Date", a photo's file name and
caption) and some furniture inside it ("Related:", "READ MORE", newsletter and cookie text).
`strip_echoes` takes those out, reads what they say (authors, date, dateline) and records
every removal. Pure: paragraphs and `PageMeta` in, `Stripped` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines import date_lines, metadata
from pipelines.page_meta import PageMeta

_HEAD_ZONE = 8  # paragraphs before the story where a page repeats its metadata
_STORY_WORDS = 30  # a paragraph this long is story, not a label, dek or byline
_MAX_META_LINE = 200
# Longer than this is story text (titles are cut to 1,000 characters too): the checks below
# then cost nothing on a hostile megabyte paragraph.
_MAX_ECHO = 1000
_PHOTO_FILE = re.compile(r"^\S{1,120}\.(?:jpe?g|png|gif|webp|tiff?|heic|avif)$", re.I)
_FURNITURE = re.compile(
    r"^\W*(?:related|read more|more|see also|also read|lee también|lire aussi|mehr zum thema|"
    r"leggi anche|watch|listen)\s*:|"
    # Newsletter and cookie boxes; a story may mention cookies or a newsletter in passing.
    r"\b(?:sign up|subscribe)\b.{0,80}\bnewsletter|\bnewsletter\b.{0,60}\b(?:sign up|"
    r"subscribe|inbox|abonnieren)|\b(?:we use|use of|accept(?: all)?|utilisent des|"
    r"verwenden)\s+cookies\b|\bcookie (?:policy|settings|preferences)\b|"
    r"^\W*\(?end\)?\W*$|^[\W_]*$|^\W*(?:skip\s+)?advertisement\W*$|"
    r"\bcontributed(?:\s+reporting)?\s+to\s+this\s+(?:report|story|article)\b|"
    r"\ba version of this article appears in print\b|"
    # Paywall teasers: "Cet article est réservé aux abonnés", "nur für Abonnenten".
    r"\b(?:réservée?s? aux abonnés|il vous reste \d+ ?%|for subscribers only|subscriber-only|"
    r"nur für abonnenten|exclusivo para suscriptores|riservato agli abbonati)|"
    # A contact line closing the story: "By Choi Jae-hee (cjh@heraldcorp.com)".
    r"^[^.!?@]{0,80}\(?[\w.+-]+@[\w-]+\.[\w.]+\)?\W*$",
    re.I,
)
# NYT and others put the dateline on its own line: "Reporting from Kyiv, Ukraine".
# ... or as "Madrid -" above the story, its date gone with the page chrome.
_PLACE_ALONE = re.compile(r"^(?P<place>[^\W\d_][\w.'’]*(?: [\w.'’]+){0,3})\s*[-—–]$")
_REPORTING_FROM = re.compile(
    r"^(?:reporting|reported)\s+from\s+(?P<place>[^\W\d][^.!?]{1,60})$", re.I
)
_MAX_FURNITURE = 220
_PARTS = re.compile(r"\s+[|·•]\s+")
# "Washington (CNN) —", "Lyon (AFP) -", "Almería, 5 mar (EFE).-", "بيروت (رويترز) -",
# "SANTANDER, 2 Mar. (EUROPA PRESS) -", "Lisboa, 10 out 2024 (Lusa) -".
_AGENCY_DATELINE = re.compile(
    r"^(?P<dl>[^\W\d_][\w.'’\- ]{1,40}?(?:,\s*[\w.' ]{1,25}?)?\s*\([^()\n]{2,30}\))"
    r"\s*\.?\s*(?:--|[-—–])\s*(?=\S)"
)
# "ROMA, 12 APR -": a capitalised place and a day-month, no agency.
_PLACE_DAY_DATELINE = re.compile(
    r"^(?P<dl>[A-ZÀ-Ý][A-ZÀ-Ý'’\- ]{1,30},\s*\d{1,2}\s+[A-Za-zÀ-ÿ]{3,9}\.?)\s*(?:--|[-—–])\s+(?=\S)"
)
# "(CNN Español) -- ": the agency alone.
_AGENCY_ONLY_DATELINE = re.compile(r"^(?P<dl>\([^()\n]{2,30}\))\s*(?:--|[-—–])\s*(?=\S)")
# "МОСКВА, 5 марта. /ТАСС/. ": an upper-case place, a day, the agency between slashes.
_SLASH_DATELINE = re.compile(
    r"^(?P<dl>(?P<place>[^\W\d_][^\W\d_ '’-]{1,30})(?:,\s*\d{1,2}\s+[^\W\d_]{3,9}\.?)?"
    r"\s*/[^/\n]{2,20}/)\.?\s+(?=\S)"
)
_DATELINE_WINDOW = 120


@dataclass(slots=True)
class Stripped:
    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    dateline: str | None = None


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _pipe_line(text: str) -> tuple[str, str, str] | None:
    """("Name", "Place", day) from "Talia Naquin | Akron | March 12, 2024"."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != 3 or len(text) > _MAX_META_LINE:
        return None
    names = metadata.split_authors(parts[0])
    day = metadata.parse_date(parts[2])
    if len(names) != 1 or not day or not parts[1] or any(c.isdigit() for c in parts[1]):
        return None
    return names[0], parts[1], day[:10]


def _echo(para: str, meta: PageMeta, out: Stripped, known: list[str]) -> bool:
    """Is `para` the page repeating its own metadata? Records what it says."""
    if len(para) > _MAX_ECHO:
        return False
    key = _fold(para)
    if key in {_fold(t) for t in (*meta.titles, *meta.standfirsts)}:
        return True
    if key in {_fold(c) for c in meta.captions} or _PHOTO_FILE.match(para):
        return True
    short = len(para) <= _MAX_META_LINE
    if short and (place := _REPORTING_FROM.match(para) or _PLACE_ALONE.match(para)):
        out.dateline = out.dateline or place.group("place").strip()
        return True
    if piped := _pipe_line(para):
        out.authors.append(piped[0])
        out.dateline, out.published = piped[1], out.published or piped[2]
        return True
    parts = _PARTS.split(para) if len(para) <= _MAX_META_LINE else [para]
    found: list[str] = []
    for part in parts:
        if metadata.is_byline(part, known):
            found += metadata.split_authors(part)
        elif (day := date_lines.day_of_line(part)) is None:
            return False
        elif day != date_lines.UNDATED:
            out.published = out.published or day
    out.authors += [n for n in found if n not in out.authors]
    return True


def _furniture(para: str, captions: set[str]) -> bool:
    if len(para) > _MAX_ECHO:
        return False
    if _fold(para) in captions or _PHOTO_FILE.match(para):
        return True
    return len(para) <= _MAX_FURNITURE and bool(_FURNITURE.search(para))


def split_page_dateline(paragraph: str) -> tuple[str | None, str]:
    """(dateline, rest) for wire, agency and "PLACE, day month -" openings."""
    dateline, rest = metadata.split_dateline(paragraph)
    if dateline:
        return dateline, rest
    head = paragraph[:_DATELINE_WINDOW]
    for pattern in (_AGENCY_DATELINE, _PLACE_DAY_DATELINE, _AGENCY_ONLY_DATELINE):
        if m := pattern.match(head):
            return m.group("dl").strip(), paragraph[m.end() :]
    if (m := _SLASH_DATELINE.match(head)) and m.group("place").isupper():
        return m.group("dl").strip(), paragraph[m.end() :]
    return None, paragraph


def strip_echoes(paragraphs: list[str], meta: PageMeta, known: list[str]) -> Stripped:
    """Drop the metadata echo before the story and furniture inside it; split the dateline.

    Everything up to the last echo in the head zone goes (a section label before the
    headline, a standfirst before the byline); after that only furniture is removed.
    """
    out = Stripped(paragraphs=[])
    last_echo = -1
    for i, para in enumerate(paragraphs[:_HEAD_ZONE]):
        if _echo(para, meta, out, known):
            last_echo = i
        elif len(para) > _MAX_ECHO or len(para.split()) >= _STORY_WORDS:
            break  # the story has begun: a caption after its lead must not take the lead

    out.removed += paragraphs[: last_echo + 1]
    captions = {_fold(c) for c in meta.captions}
    for para in paragraphs[last_echo + 1 :]:
        (out.removed if _furniture(para, captions) else out.paragraphs).append(para)
    if out.paragraphs:
        dateline, rest = split_page_dateline(out.paragraphs[0])
        if dateline and out.dateline is None:
            out.dateline, out.paragraphs[0] = dateline, rest.lstrip()
    return out
