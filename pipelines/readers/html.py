"""HTML through trafilatura: main text plus title, author, date and site name."""

from __future__ import annotations

from typing import Any

import trafilatura

from pipelines.limits import Limits
from pipelines.readers import Parsed
from pipelines.records import RejectedInput


def _extract(html: str) -> dict[str, Any] | None:
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=False,
            as_dict=True,
        )
    # trafilatura raises assorted parser errors on hostile markup; all mean "not HTML".
    except Exception as exc:
        raise RejectedInput("unparseable", f"the HTML could not be parsed ({exc})") from None
    return doc if isinstance(doc, dict) else None


def _text(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    return value.strip() or None if isinstance(value, str) else None


def read_html(html: str, limits: Limits | None = None) -> list[Parsed]:
    """`limits` is accepted for a uniform reader signature; the caps apply in `finish`."""
    doc = _extract(html)
    body = _text(doc, "text") if doc else None
    if doc is None or body is None:
        raise RejectedInput("no_text", "the HTML holds no article text")
    return [
        Parsed(
            text=body,
            title=_text(doc, "title"),
            author=_text(doc, "author"),
            date=_text(doc, "date"),
            source=_text(doc, "sitename"),
            url=_text(doc, "url"),
            language=_text(doc, "language"),
            lines_are_paragraphs=True,
        )
    ]
