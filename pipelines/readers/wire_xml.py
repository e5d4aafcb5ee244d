"""Safe XML for the wire readers (NITF, NewsML-G2): parse, refuse what is hostile, walk.

lxml (already a dependency, `pipelines.page_meta`) with entity expansion, DTD loading and
network access off, and libxml2's size and depth guards left on (`huge_tree=False`).
defusedxml would add a dependency for the same switches. A document that declares its own
entities is refused before parsing: wire formats need none, and refusing is simpler to
reason about than reading a billion-laughs file "inertly".
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from pipelines.records import RejectedInput

_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]{0,400}\?>")
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(text: str, kind: str) -> Any:
    """The root element, namespaces stripped from tags; `RejectedInput` when unsafe or broken."""
    body = _DECLARATION.sub("", text, count=1)
    subset_end = body.find("]>") if "<!DOCTYPE" in body else -1  # internal DTD subset
    if subset_end >= 0 and _ENTITY_DECL.search(body, 0, subset_end):
        raise RejectedInput(
            "unsafe_xml",
            f"the {kind} file declares XML entities (<!ENTITY>), which wire files do not "
            "need; refused unread (entity expansion and external entities are never followed)",
        )
    try:
        root = etree.fromstring(body.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise RejectedInput("unparseable", f"the {kind} XML is malformed ({exc})") from None
    # An undeclared reference (its DTD is never loaded) is dropped, its tail kept.
    etree.strip_elements(root, etree.Entity, with_tail=False)
    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
    return root


def lang(el: Any) -> str | None:
    value = el.get(_XML_LANG)
    return value.strip() or None if value else None


def text_of(el: Any | None) -> str | None:
    """All text under an element (entity references left unresolved are skipped)."""
    if el is None:
        return None
    words = "".join(el.itertext())
    return " ".join(words.split()) or None


def table_text(el: Any) -> str | None:
    """A table as rows of " | "-separated cells, one row a line."""
    rows = [" | ".join(filter(None, (text_of(c) for c in tr))) for tr in el.iter("tr")]
    return "\n".join(r for r in rows if r) or text_of(el)


def first_text(root: Any, *paths: str) -> str | None:
    for path in paths:
        found = text_of(root.find(path))
        if found:
            return found
    return None


_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})?)?$")


def iso_date(raw: str | None) -> str | None:
    """NITF's compact ISO 8601 ("20240305T101500Z") in extended form; others as given."""
    if not raw:
        return None
    raw = raw.strip()
    m = _COMPACT.match(raw)
    if not m:
        return raw or None
    y, mo, d, h, mi, s, zone = m.groups()
    if h is None:
        return f"{y}-{mo}-{d}"
    zone = "+00:00" if zone in (None, "Z") else f"{zone[:3]}:{zone[3:]}"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s or '00'}{zone}"
