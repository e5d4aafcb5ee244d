"""HTML pages: what the page says about itself, then trafilatura's main text without the
page's echo of that metadata (`pipelines.page_meta`, `pipelines.page_body`)."""

from __future__ import annotations

import re
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from pipelines import metadata
from pipelines.limits import Limits
from pipelines.page_body import strip_echoes
from pipelines.page_meta import PageMeta, choose_authors, choose_date, not_site, page_metadata
from pipelines.readers import Parsed
from pipelines.records import RejectedInput

# trafilatura spends 0.1-0.4 ms per element (its fallbacks walk the tree several times;
# nested divs cost most), so a 10 MB file of bare tags would hold a worker for minutes and
# 25,000 deeply nested divs took 9 s. News pages have a few thousand elements; one with
# more than this is not an article page. (libxml2 itself stops nesting at 256 levels.)
MAX_ELEMENTS = 25_000
# A character reference to a C0 control (&#27;, &#x1b;) makes trafilatura drop the whole
# page (lxml refuses such characters in the tree it builds), so those references are
# removed first; the lookaheads keep "&#123;" from being read as "&#12" + "3".
_CONTROL_REF = re.compile(
    r"&#(?:[xX]0*(?P<hex>[01]?[0-9a-fA-F])(?![0-9a-fA-F])|0*(?P<dec>[0-9]{1,2})(?![0-9]));?"
)


def _drop_control(m: re.Match[str]) -> str:
    code = int(m["hex"], 16) if m["hex"] else int(m["dec"])
    return "" if code < 32 and code not in (9, 10, 13) else m.group(0)


def _load(html: str) -> Any:
    """The lxml tree trafilatura would build (None: not HTML), refused when too large."""
    html = _CONTROL_REF.sub(_drop_control, html)
    try:
        tree = load_html(html)
    # lxml and trafilatura raise assorted parser errors on hostile markup; all mean "not HTML".
    except Exception as exc:
        raise RejectedInput("unparseable", f"the HTML could not be parsed ({exc})") from None
    if tree is None:
        return None
    count = sum(1 for _ in tree.iter())
    if count > MAX_ELEMENTS:
        raise RejectedInput(
            "too_complex",
            f"the HTML has {count:,} elements, over the {MAX_ELEMENTS:,} an article page "
            "could need",
        )
    return tree


def _main_text(tree: Any) -> dict[str, Any] | None:
    try:
        doc = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=False,
        )
    except Exception as exc:
        raise RejectedInput("unparseable", f"the HTML could not be parsed ({exc})") from None
    found: Any = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else doc
    return found if isinstance(found, dict) else None


def _text(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _language(declared: str | None, body: str) -> str | None:
    """The declared language unless the text plainly is another: templates keep "en-US"
    on Spanish pages. A language the detector cannot name is taken at the page's word."""
    if declared and declared not in metadata.DETECTABLE:
        return declared
    return metadata.detect_language(body) or declared


def _parsed(meta: PageMeta, doc: dict[str, Any], body: str) -> Parsed:
    paragraphs = [" ".join(p.split()) for p in body.split("\n") if p.strip()]
    known = [n for names in meta.author_sources.values() for n in names]
    stripped = strip_echoes(paragraphs, meta, known)
    authors = dict(meta.author_sources)
    if stripped.authors:
        authors["body"] = tuple(stripped.authors)
    chosen = choose_authors(authors) or tuple(
        # trafilatura's own guess, held to the same rules ("ZEIT ONLINE, dpa" names no one)
        not_site(metadata.split_authors(_text(doc, "author")), meta.site_names)
    )
    dates = dict(meta.date_sources)
    if stripped.published:
        dates["body"] = stripped.published
    text = "\n".join(stripped.paragraphs)
    return Parsed(
        text=text,
        title=meta.headline or _text(doc, "title"),
        author=metadata.join_authors(chosen),
        authors=chosen,
        date=choose_date(dates) or _text(doc, "date"),
        dateline=meta.dateline or stripped.dateline,
        source=(meta.site_names or (None,))[0] or _text(doc, "sitename"),
        url=meta.url or _text(doc, "url"),
        language=_language(meta.language, text),
        lines_are_paragraphs=True,
        removed=tuple(stripped.removed),
    )


def read_html(html: str, limits: Limits | None = None) -> list[Parsed]:
    """`limits` is accepted for a uniform reader signature; the caps apply in `finish`."""
    tree = _load(html)
    if tree is None:
        raise RejectedInput("no_text", "the HTML holds no article text")
    meta = page_metadata(tree)  # before trafilatura, which prunes the tree it is given
    if meta.is_article is False:
        raise RejectedInput("not_article", meta.kind_reason or "the page is not an article")
    doc = _main_text(tree)
    body = _text(doc, "text") if doc else None
    if doc is None or body is None:
        raise RejectedInput("no_text", "the HTML holds no article text")
    return [_parsed(meta, doc, body)]
