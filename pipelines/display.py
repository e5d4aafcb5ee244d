"""A title to show for an article that has none: the lede's first clause, marked as derived.

Pure and cheap, applied where an article is read (export, status, the monitor's page), never
stored: the article keeps `title = None` (what the file said), and a better rule applies to
every article already stored without a migration or a backfill. It reads only the body's
first `LEDE_CHARS` characters, so a query can fetch a prefix of the body, not the whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEDE_CHARS = 400
MAX_CHARS = 80

# "WASHINGTON (Reuters) - ", "LONDON, May 3 — ": a wire dateline before the lede proper.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .'-]{1,40}(?:,[^—–\-\n(]{1,30})?\s*(?:\([^)\n]{1,40}\))?\s*[—–-]{1,2}\s+"
)
# The end of the first clause: a sentence end, a semicolon, colon or dash, each before a space.
_CLAUSE_END = re.compile(r"[.!?;:](?=\s|$)|\s[—–]\s|\s-{1,2}\s")


# "Mr." "Gen." "J." "U.S." "No. 10": a full stop after these ends no sentence.
_TITLES = (
    "Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Col|Lt|Sgt|Capt|Cmdr|Adm|Gov|Sen|Rep|Rev|Prof|Pres|No|Mt|Ft"
    "|Inc|Co|Corp|Ltd|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc"
)
_ABBREVIATION = re.compile(rf"(?:\b(?:{_TITLES}|[A-Z])|\b(?:[A-Za-z]\.)+[A-Za-z])$")


def _ends(text: str, at: int) -> bool:
    return text[at] != "." or not _ABBREVIATION.search(text[:at])


@dataclass(frozen=True, slots=True)
class DisplayTitle:
    text: str
    derived: bool  # True: not in the file, taken from the lede


def first_clause(body: str, max_chars: int = MAX_CHARS) -> str:
    """The lede's first clause (dateline left out), cut at a word to `max_chars` with "…"."""
    lede = " ".join(body[:LEDE_CHARS].split())
    lede = _DATELINE.sub("", lede, count=1)
    end = next((m.start() for m in _CLAUSE_END.finditer(lede) if _ends(lede, m.start())), None)
    clause = (lede[:end] if end is not None else lede).strip(" \"'“”‘’,")
    if len(clause) <= max_chars:
        return clause
    cut = clause[: max_chars - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def display_title(title: str | None, body: str | None) -> DisplayTitle | None:
    """The title itself when there is one; else the lede's first clause, derived; None when
    the body gives nothing either."""
    if title and title.strip():
        return DisplayTitle(title, derived=False)
    clause = first_clause(body or "")
    return DisplayTitle(clause, derived=True) if clause else None


def title_and_flag(title: str | None, body: str | None) -> tuple[str | None, bool]:
    """`display_title` as the (text, derived) pair db.queries takes as its `titler`."""
    shown = display_title(title, body)
    return (shown.text, shown.derived) if shown else (None, False)
