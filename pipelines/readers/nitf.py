"""IPTC NITF 3.x: one article per file, fields from `head/docdata` and `body.head`.

The body is `body.content`'s paragraphs (`p`, subheads, list items, `block`s walked in
order); tables and media captions are kept apart (`Parsed.tables`, `Parsed.captions`), not
mixed into the text.
"""

from __future__ import annotations

from typing import Any

from pipelines.limits import Limits
from pipelines.readers import Parsed
from pipelines.readers.wire_xml import first_text, iso_date, lang, parse, table_text, text_of
from pipelines.records import RejectedInput

_PARAGRAPHS = {"p", "hl2", "pre", "li", "bq"}
_CONTAINERS = {"block", "ol", "ul", "dl"}


class NitfBody:
    """`body.content` walked in order (also NITF carried in a NewsML-G2 inlineXML)."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.tables: list[str] = []
        self.captions: list[str] = []

    def walk(self, parent: Any) -> None:
        for el in parent:
            if not isinstance(el.tag, str):
                continue
            if el.tag in _PARAGRAPHS:
                if found := text_of(el):
                    self.paragraphs.append(found)
            elif el.tag in _CONTAINERS:
                self.walk(el)
            elif el.tag in ("table", "nitf-table"):
                if found := table_text(el):
                    self.tables.append(found)
            elif el.tag == "media":
                self.captions += [c for m in el.iter("media-caption") if (c := text_of(m))]


def _urgency(root: Any) -> int | None:
    value = _attr(root, "head/docdata/urgency", "ed-urg") or ""
    return int(value) if value.isdigit() and len(value) < 3 else None


def _subjects(root: Any) -> tuple[str, ...]:
    out = []
    for el in root.iterfind("head/tobject/tobject.subject"):
        code = el.get("tobject.subject.refnum") or el.get("tobject.subject.code") or ""
        name = el.get("tobject.subject.matter") or el.get("tobject.subject.type") or ""
        if pair := " ".join(f"{code} {name}".split()):
            out.append(pair)
    return tuple(out)


def _byline(root: Any) -> tuple[str | None, tuple[str, ...]]:
    el = root.find("body/body.head/byline")
    if el is None:
        return None, ()
    people = tuple(p for e in el.iter("person") if (p := text_of(e)))
    for title in list(el.iter("byttl")):  # "AP Science Writer" is not part of the name
        title.getparent().remove(title)
    return text_of(el), people


def _dateline(root: Any) -> tuple[str | None, str | None]:
    """(the dateline as printed, the story date's normalised value)."""
    el = root.find("body/body.head/dateline")
    if el is None:
        return None, None
    story = el.find("story.date")
    return text_of(el), iso_date(story.get("norm")) if story is not None else None


def _attr(root: Any, path: str, name: str) -> str | None:
    el = root.find(path)
    value = el.get(name) if el is not None else None
    return value.strip() or None if value else None


def read_nitf(text: str, limits: Limits | None = None) -> list[Parsed]:
    """`limits` is accepted for a uniform reader signature; the caps apply in `finish`."""
    root = parse(text, "NITF")
    if root.tag != "nitf":
        raise RejectedInput("unparseable", f"the root element is <{root.tag}>, not <nitf>")
    content = root.find("body/body.content")
    body = NitfBody()
    if content is not None:
        body.walk(content)
    if not body.paragraphs:
        raise RejectedInput("no_text", "the NITF file has no paragraphs in body.content")
    author, people = _byline(root)
    dateline, story_date = _dateline(root)
    docdata = "head/docdata"
    return [
        Parsed(
            text="\n".join(body.paragraphs),
            title=first_text(root, "body/body.head/hedline/hl1", "head/title"),
            author=author,
            authors=people,
            date=iso_date(_attr(root, f"{docdata}/date.issue", "norm")) or story_date,
            dateline=dateline,
            source=_attr(root, "head/docdata/doc.copyright", "holder"),
            language=lang(root),
            lines_are_paragraphs=True,
            guid=_attr(root, f"{docdata}/doc-id", "id-string"),
            version=_attr(root, f"{docdata}/du-key", "version"),
            status=_attr(root, docdata, "management-status"),
            urgency=_urgency(root),
            subjects=_subjects(root),
            keywords=tuple(
                k for el in root.iterfind(f"{docdata}/key-list/keyword") if (k := el.get("key"))
            ),
            tables=tuple(body.tables),
            captions=tuple(body.captions),
        )
    ]
