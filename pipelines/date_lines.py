"""Lines that only give a date, in the languages of the page set: "Updated: Mar. 4, 2024,
7:12 p.m. | Published: Mar. 4, 2024", "Publié le 6 juin 2024 à 19h45", "20 فبراير 2024"."""

from __future__ import annotations

import re

from pipelines import metadata

UNDATED = "undated"
# dateutil reads English month names only and silently misreads others ("2 de marzo de
# 2024" came out as February): other languages' names are put in English first.
_MONTHS = {
    "jan": "janvier januar enero gennaio janeiro يناير",
    "feb": "février fevrier februar febrero febbraio fevereiro فبراير",
    "mar": "mars märz marzo março مارس",
    "apr": "avril abril aprile أبريل إبريل",
    "may": "mai mayo maggio maio مايو",
    "jun": "juin juni junio giugno junho يونيو",
    "jul": "juillet juli julio luglio julho يوليو",
    "aug": "août aout august agosto أغسطس",
    "sep": "septembre september septiembre settembre setembro سبتمبر",
    "oct": "octobre oktober octubre ottobre outubro أكتوبر",
    "nov": "novembre november noviembre novembro نوفمبر",
    "dec": "décembre decembre dezember diciembre dicembre dezembro ديسمبر",
}
_ENGLISH = {name: en for en, names in _MONTHS.items() for name in names.split()}
# Short forms: "4 mar", "10 out 2024", "05 Mar. 2024", "12 APR", "27 feb".
_ENGLISH |= {
    "ene": "jan",
    "gen": "jan",
    "fév": "feb",
    "fev": "feb",
    "avr": "apr",
    "abr": "apr",
    "mag": "may",
    "giu": "jun",
    "lug": "jul",
    "aoû": "aug",
    "ago": "aug",
    "set": "sep",
    "okt": "oct",
    "ott": "oct",
    "out": "oct",
    "déc": "dec",
    "dez": "dec",
    "dic": "dec",
}
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_SLASHED = re.compile(r"\b(\d{1,2})/(\d{1,2})/\d{4}\b")
_WORDS = re.compile(r"[^\W\d_]+")


def _in_english(text: str) -> str:
    return _WORDS.sub(lambda m: _ENGLISH.get(m.group(0).casefold(), m.group(0)), text)


_MAX_META_LINE = 200
# Words a date line holds besides numbers and month names ("Updated: ... | Published: ...").
_DATE_WORDS = frozenset(
    [
        "updated",
        "published",
        "posted",
        "last",
        "on",
        "at",
        "am",
        "pm",
        "a.m.",
        "p.m.",
        "edt",
        "est",
        "cdt",
        "cst",
        "mdt",
        "mst",
        "pdt",
        "pst",
        "gmt",
        "bst",
        "utc",
        "cet",
        "cest",
        "uhr",
        "publié",
        "le",
        "à",
        "h",
        "mis",
        "jour",
        "publicado",
        "actualizado",
        "el",
        "de",
        "a",
        "las",
        "veröffentlicht",
        "aktualisiert",
        "am",
        "um",
        "pubblicato",
        "aggiornato",
        "il",
        "alle",
        "publicado",
        "atualizado",
        "em",
        "às",
    ]
)
_MONTH_STEMS = tuple(
    [
        "jan",
        "feb",
        "fév",
        "fev",
        "mar",
        "mär",
        "apr",
        "avr",
        "abr",
        "may",
        "mai",
        "mag",
        "jun",
        "juin",
        "giu",
        "jul",
        "juil",
        "lug",
        "aug",
        "aoû",
        "ago",
        "sep",
        "set",
        "oct",
        "okt",
        "ott",
        "out",
        "nov",
        "dec",
        "déc",
        "dez",
        "dic",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
)
_ARABIC_MONTHS = frozenset(
    [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "إبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]
)
_TOKEN = re.compile(r"[^\W\d_][\w.]*|\d+")
_FRENCH_TIME = re.compile(r"(\d)h(\d\d)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def day_of_line(text: str) -> str | None:
    """The ISO day of a line that is only a date with its labels ("Published: ..."),
    `UNDATED` for a date line with no readable day, None for any other line."""
    if len(text) > _MAX_META_LINE or (not _YEAR.search(text) and "/" not in text):
        return metadata.date_line(text)
    text = _FRENCH_TIME.sub(r"\1:\2", text)  # "19h45"
    for token in _TOKEN.findall(text.casefold()):
        if token.isdigit() or token in _DATE_WORDS or token in _ARABIC_MONTHS:
            continue
        if not token.startswith(_MONTH_STEMS) or len(token) > 10:
            return None
    published = re.search(r"(?:published|publié|publicado|veröffentlicht)\W+(.+)", text, re.I)
    if dotted := _DOTTED.search(text):  # "06.03.2024": day first wherever dots are used
        day_, month, year = (int(g) for g in dotted.groups())
        return f"{year:04d}-{month:02d}-{day_:02d}" if 1 <= month <= 12 and day_ <= 31 else UNDATED
    if (slashed := _SLASHED.search(text)) and max(map(int, slashed.groups())) <= 12:
        return UNDATED  # "12/09/2024" is September in Lyon and December in Ohio: no guess
    when = _in_english((published.group(1) if published else text).split("|")[0])
    day = metadata.parse_date(when) or metadata.date_line(text)
    return day[:10] if day else UNDATED
