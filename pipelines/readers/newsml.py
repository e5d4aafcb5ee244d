"""IPTC NewsML-G2 2.x: every `newsItem` of a `newsMessage`, or one lone `newsItem`.

Each news item is one `Parsed`, numbered from 1 in document order (packageItems and
conceptItems are not articles and are passed over). The body is the first `inlineXML`
(XHTML: its block elements in order, tables and figure captions kept apart, a leading
dateline split as HTML pages' are, `pipelines.page_body`) or else the first `inlineData`.
"""

from __future__ import annotations

from typing import Any

from pipelines.limits import SETTING_MAX_ITEMS, Limits
from pipelines.page_body import split_page_dateline
from pipelines.readers import Parsed
from pipelines.readers.nitf import NitfBody
from pipelines.readers.wire_xml import first_text, lang, parse, table_text, text_of
from pipelines.records import RejectedInput

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote"}
_APART = {"table", "figure", "figcaption", "caption", "script", "style", "head"}


def _qcode(el: Any | None) -> str | None:
    if el is None:
        return None
    value = el.get("qcode") or el.get("literal") or ""
    return value.strip() or None


def _xhtml(inline: Any) -> tuple[list[str], list[str], list[str]]:
    """(paragraphs, tables, captions) of an inlineXML's XHTML."""
    paragraphs: list[str] = []
    tables = [t for el in inline.iter("table") if (t := table_text(el))]
    captions = [c for el in inline.iter("figcaption") if (c := text_of(el))]
    for el in inline.iter(*_BLOCKS):
        if any(a.tag in _APART or a.tag in _BLOCKS for a in el.iterancestors()):
            continue  # inside a table or figure, or already read with its block
        if found := text_of(el):
            paragraphs.append(found)
    if not paragraphs and not tables and (found := text_of(inline)):
        paragraphs.append(found)  # bare text with no block markup
    return paragraphs, tables, captions


def _body(item: Any) -> tuple[list[str], list[str], list[str]]:
    inline = item.find("contentSet/inlineXML")
    nitf = inline.find(".//body.content") if inline is not None else None
    if nitf is not None:  # contenttype application/nitf+xml (IPTC's LISTING 25)
        body = NitfBody()
        body.walk(nitf)
        return body.paragraphs, body.tables, body.captions
    if inline is not None:
        return _xhtml(inline)
    data = item.find("contentSet/inlineData")
    raw = data.text if data is not None and data.text else ""
    paragraphs = [" ".join(p.split()) for p in raw.replace("\r", "").split("\n\n")]
    return [p for p in paragraphs if p], [], []


def _subjects(meta: Any) -> tuple[str, ...]:
    out = []
    for el in meta.iterfind("subject"):
        name = text_of(el.find("name"))
        if pair := " ".join(f"{_qcode(el) or ''} {name or ''}".split()):
            out.append(pair)
    return tuple(out)


def _located(meta: Any) -> str | None:
    el = meta.find("located")
    return (text_of(el.find("name")) or _qcode(el)) if el is not None else None


def _urgency(meta: Any) -> int | None:
    value = (meta.findtext("urgency") or "").strip()
    return int(value) if value.isdigit() and len(value) < 3 else None


def _item(item: Any, number: int) -> Parsed:
    where = f"newsItem {number}" if number else "the newsItem"
    paragraphs, tables, captions = _body(item)
    if not paragraphs:
        raise RejectedInput("no_text", f"{where} has no inlineXML or inlineData text")
    meta = item.find("contentMeta")
    meta = meta if meta is not None else item
    dateline, rest = split_page_dateline(paragraphs[0])
    if dateline:
        paragraphs[0] = rest.lstrip() or paragraphs[0]
    authors = tuple(a for el in meta.iterfind("by") if (a := text_of(el))) or tuple(
        a for el in meta.iterfind("creator/name") if (a := text_of(el))
    )
    return Parsed(
        text="\n".join(paragraphs),
        title=first_text(meta, "headline") or first_text(item, ".//hedline/hl1"),
        author=", ".join(authors) or None,
        date=first_text(
            item, "itemMeta/firstCreated", "contentMeta/contentCreated", "itemMeta/versionCreated"
        ),
        dateline=dateline or _located(meta),
        source=first_text(item, "itemMeta/provider/name", "rightsInfo/copyrightHolder/name")
        or _qcode(item.find("itemMeta/provider")),
        language=_language_tag(meta) or lang(item),
        item=number,
        lines_are_paragraphs=True,
        guid=(item.get("guid") or "").strip() or None,
        version=(item.get("version") or "").strip() or None,
        updated=first_text(item, "itemMeta/versionCreated"),
        status=_qcode(item.find("itemMeta/pubStatus")),
        urgency=_urgency(meta),
        slugline=first_text(meta, "slugline"),
        subjects=_subjects(meta),
        keywords=tuple(k for el in meta.iterfind("keyword") if (k := text_of(el))),
        tables=tuple(tables),
        captions=tuple(captions),
    )


def _language_tag(meta: Any) -> str | None:
    el = meta.find("language")
    return (el.get("tag") or "").strip() or None if el is not None else None


def read_newsml(text: str, limits: Limits | None = None) -> list[Parsed]:
    limits = limits or Limits()
    root = parse(text, "NewsML-G2")
    if root.tag == "newsItem":
        return [_item(root, 0)]
    if root.tag != "newsMessage":
        raise RejectedInput(
            "unparseable", f"the root element is <{root.tag}>, not <newsMessage> or <newsItem>"
        )
    items = list(root.iterfind("itemSet/newsItem"))
    if not items:
        raise RejectedInput("no_text", "the newsMessage holds no newsItem")
    if len(items) > limits.max_items:
        raise RejectedInput(
            "too_many_items",
            f"the newsMessage holds {len(items):,} newsItems, over the limit of "
            f"{limits.max_items:,} per file ({SETTING_MAX_ITEMS})",
        )
    return [_item(item, number) for number, item in enumerate(items, start=1)]
