"""Body cleaning: paragraphs, repeated blocks, boilerplate, captions, footers, dateline.

Every rule removes a whole paragraph or a leading dateline, never part of a sentence, and
every removal is recorded so an operator can see what was taken out and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines import metadata

# Hard-wrapped text (lines cut at ~72 columns) is re-joined; long lines are paragraphs.
_WRAP_MIN, _WRAP_MAX = 30, 100
_MIN_REPEAT_WORDS = 5  # "Yes." may legitimately repeat; a sentence-long paragraph may not
_SHORT = 200  # boilerplate rules only ever match paragraphs this short
_FOOTER_ZONE = 3  # author bios and credits sit in the last few paragraphs

_SOCIAL = re.compile(
    r"^\W*(?:follow|like|share|tweet|join)\b.{0,80}$|"
    r"\bon\s+(?:twitter|facebook|instagram|linkedin|threads|bluesky)\W*$|"
    r"^\W*(?:share|tweet|e-?mail|print|comments?)(?:\s+(?:this|on \w+))?"
    r"(?:\s+(?:article|story))?\W*$",
    re.I,
)
_FURNITURE = re.compile(
    r"^\W*(?:read more|related(?: articles?| stories| coverage)?|see also|more from|"
    r"continue reading|click here|advertisement|sign up|subscribe|watch:|listen:|"
    r"email the author|view comments|back to top|recommended)\b",
    re.I,
)
_COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.I)
_CAPTION = re.compile(
    r"\bin (?:this|an?|the)\b(?:\s+[\w,-]+){0,5}?\s+(?:file\s+)?(?:photo|picture|image)\b|"
    r"\((?:AP|AFP|Reuters|Getty Images|EPA)(?:\s+Photo\b|\s*/)|"
    r"^\W*(?:photo|image|caption|pictured|above|below)\s*[:—–-]|"
    r"\b(?:photo(?:graph)?|image)\s*(?:by|credit|courtesy)\b|"
    r"(?:getty images|ap photo|/\s*reuters)\W*$",
    re.I,
)
_NAME = r"[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}"
_BIO = re.compile(
    rf"^\W*(?P<name>{_NAME})\s+(?:is|was)\s+(?:a|an|the)\b.{{0,160}}?\b(?:reporter|"
    r"correspondent|writer|editor|columnist|contributor|journalist|producer|"
    r"bureau chief|analyst for)\b",
    re.I,
)
_CREDIT = re.compile(
    r"^\W*(?:(?:additional\s+)?(?:reporting|writing|editing)\s+by\b.*|"
    rf"{_NAME}(?:\s+and\s+{_NAME})?\s+contributed(?:\s+reporting)?\s+to\s+this\s+report\W*)$",
    re.I,
)
_REPORTING_BY = re.compile(r"(?:reporting|writing)\s+by\s+([^;.]+)", re.I)
_BY_LINE = re.compile(r"^\s*by\s+[A-Z]", re.I)
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@dataclass(slots=True)
class Cleaned:
    body: str
    caption: str | None = None
    byline: str | None = None
    dateline: str | None = None
    published: str | None = None
    removed: list[str] = field(default_factory=list)


def _is_wrapped(lines: list[str]) -> bool:
    return len(lines) > 1 and all(_WRAP_MIN <= len(ln) <= _WRAP_MAX for ln in lines[:-1])


def _flush(block: list[str], out: list[str], lines_are_paragraphs: bool) -> None:
    if not lines_are_paragraphs and _is_wrapped(block):
        out.append(" ".join(block))
    else:
        out.extend(block)


def paragraphs(text: str, *, lines_are_paragraphs: bool = False) -> list[str]:
    """Blank-line blocks; inside a block, hard-wrapped lines are joined, others kept apart.

    One pass over the lines (a whitespace-only line ends a block) instead of a regex split
    on newline, whitespace, newline, which rescanned long runs of blank lines.
    """
    out: list[str] = []
    block: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if line:
            block.append(line)
        elif block:
            _flush(block, out, lines_are_paragraphs)
            block = []
    if block:
        _flush(block, out, lines_are_paragraphs)
    return out


def _key(paragraph: str) -> str:
    return " ".join(paragraph.translate(_QUOTES).casefold().split())


def fold_repeats(paras: list[str]) -> tuple[list[str], list[str]]:
    """Keep the first copy of every repeated paragraph (a pasted-twice body folds to one).

    Exact comparison after case, quote style and whitespace folding: deterministic, and it
    can never drop text that appears only once.
    """
    seen: set[str] = set()
    kept: list[str] = []
    dropped: list[str] = []
    for para in paras:
        key = _key(para)
        if key in seen and len(key.split()) >= _MIN_REPEAT_WORDS:
            dropped.append(para)
            continue
        seen.add(key)
        kept.append(para)
    return kept, dropped


def _boilerplate(para: str) -> bool:
    if len(para) > _SHORT:
        return False
    return bool(_SOCIAL.search(para) or _FURNITURE.search(para) or _COPYRIGHT.search(para))


def _footer_byline(para: str) -> tuple[bool, str | None]:
    """(is a footer, byline it names) for author bios and reporting credits."""
    if len(para) > _SHORT + 100:
        return False, None
    if bio := _BIO.match(para):
        return True, metadata.clean_byline(bio.group("name"))
    if _CREDIT.match(para):
        credit = _REPORTING_BY.search(para)
        return True, metadata.clean_byline(credit.group(1)) if credit else None
    return False, None


@dataclass(slots=True)
class _State:
    kept: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    published: str | None = None


def _classify(paras: list[str], cleaned: Cleaned) -> _State:
    state = _State()
    footer_from = len(paras) - _FOOTER_ZONE
    for i, para in enumerate(paras):
        head = i < _FOOTER_ZONE
        if head and _BY_LINE.match(para) and (name := metadata.clean_byline(para)):
            state.bylines.append(name)
        elif head and state.published is None and (when := metadata.date_line(para)):
            state.published = when
        elif _boilerplate(para):
            pass
        elif i >= footer_from and (footer := _footer_byline(para))[0]:
            if footer[1]:
                state.bylines.append(footer[1])
        elif len(para) <= _SHORT + 100 and _CAPTION.search(para):
            state.captions.append(para)
            continue
        else:
            state.kept.append(para)
            continue
        cleaned.removed.append(para)
    return state


def clean(text: str, *, title: str | None = None, lines_are_paragraphs: bool = False) -> Cleaned:
    paras = paragraphs(text, lines_are_paragraphs=lines_are_paragraphs)
    paras, repeats = fold_repeats(paras)
    cleaned = Cleaned(body="", removed=list(repeats))
    if title and paras and _key(paras[0]) == _key(title):
        cleaned.removed.append(paras.pop(0))  # HTML repeats the <title> as its <h1>
    state = _classify(paras, cleaned)
    kept = state.kept
    if kept:
        cleaned.dateline, first = metadata.split_dateline(kept[0])
        kept[0] = first
    cleaned.body = "\n\n".join(p for p in kept if p)
    cleaned.caption = "\n".join(state.captions) or None
    cleaned.byline = state.bylines[0] if state.bylines else None
    cleaned.published = state.published
    return cleaned
