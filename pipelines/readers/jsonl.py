"""JSON (one object, or a list of objects) and JSON Lines (one article per line)."""

from __future__ import annotations

import json
from typing import Any

from pipelines.limits import SETTING_MAX_ITEMS, Limits
from pipelines.readers import Parsed
from pipelines.records import RejectedInput

_TITLE = ("title", "headline")
_BODY = ("body", "text", "content", "article", "story")
_AUTHOR = ("author", "byline", "authors")
_DATE = ("published", "date", "published_at", "publish_date", "pubdate", "datetime")
_URL = ("url", "link")
_SOURCE = ("source", "sitename", "publisher")
_LANGUAGE = ("language", "lang")
_KINDS = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first present key as text; lists (several authors) are joined."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if isinstance(v, str | int | float))
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value).strip()
            if text:
                return text
    return None


def _article(obj: object, item: int, where: str) -> Parsed:
    if not isinstance(obj, dict):
        kind = "null" if obj is None else _KINDS.get(type(obj), type(obj).__name__)
        raise RejectedInput("unparseable", f"{where}: expected a JSON object, found {kind}")
    body = _first(obj, _BODY)
    if body is None:
        raise RejectedInput("no_text", f"{where}: no body/text/content field with text")
    return Parsed(
        text=body,
        title=_first(obj, _TITLE),
        author=_first(obj, _AUTHOR),
        date=_first(obj, _DATE),
        source=_first(obj, _SOURCE),
        url=_first(obj, _URL),
        language=_first(obj, _LANGUAGE),
        item=item,
    )


def _loads(text: str, where: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise RejectedInput("unparseable", f"{where}: the JSON is nested too deeply") from None
    except ValueError as exc:  # also integers over Python's 4,300-digit conversion limit
        raise RejectedInput("unparseable", f"{where}: malformed JSON ({exc})") from None


def _too_many(count: int, limits: Limits) -> RejectedInput:
    return RejectedInput(
        "too_many_items",
        f"the file holds {count:,} articles, over the limit of {limits.max_items:,} per file "
        f"({SETTING_MAX_ITEMS})",
    )


def read_json(text: str, limits: Limits | None = None) -> list[Parsed]:
    limits = limits or Limits()
    data = _loads(text, "the file")
    if isinstance(data, list):
        if not data:
            raise RejectedInput("no_text", "the file holds an empty JSON list")
        if len(data) > limits.max_items:
            raise _too_many(len(data), limits)
        return [_article(obj, i, f"element {i}") for i, obj in enumerate(data, start=1)]
    return [_article(data, 0, "the file")]


def read_jsonl(text: str, limits: Limits | None = None) -> list[Parsed]:
    limits = limits or Limits()
    out: list[Parsed] = []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if len(out) == limits.max_items:  # refuse before parsing one item too many
                raise _too_many(sum(1 for ln in lines if ln.strip()), limits)
            where = f"line {number}"
            out.append(_article(_loads(line, where), number, where))
    if not out:
        raise RejectedInput("no_text", "the file holds no JSON lines")
    return out
