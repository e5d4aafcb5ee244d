"""Guess the format of a file whose name does not say it."""

from __future__ import annotations

import re

_HTML = re.compile(r"<(!doctype\s+html|html|head|body|article|p|div)[\s>]", re.I)
_MIN_LETTER_SHARE = 0.5
# The prolog (declaration, comments, DOCTYPE and its internal subset) a wire file may open
# with; the root element's name and namespace come after it.
_PROLOG_WINDOW = 65_536
_ROOT = re.compile(r"<(?:[\w.-]+:)?(?P<name>[\w.-]+)(?P<attrs>[^>]{0,4096})")
_NEWSML_NS = "iptc.org/std/nir/"


def _skip_prolog(head: str) -> str:
    """The text from the root element's "<" on (each step a `find`: linear in the window)."""
    while True:
        head = head.lstrip("\ufeff \t\r\n")
        for start, end in (("<?", "?>"), ("<!--", "-->")):
            if head.startswith(start):
                cut = head.find(end, len(start))
                if cut < 0:
                    return ""
                head = head[cut + len(end) :]
                break
        else:
            if not head.upper().startswith("<!DOCTYPE"):
                return head
            subset = head.find("]>") if "[" in head[: head.find(">") + 1] else -1
            cut = subset + 2 if subset >= 0 else head.find(">") + 1
            if cut <= 0:
                return ""
            head = head[cut:]


def sniff_wire(text: str) -> str | None:
    """`nitf` or `newsml` when the root element says so (the file name may not)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("<"):
        return None
    m = _ROOT.match(_skip_prolog(text[:_PROLOG_WINDOW]))
    if m is None:
        return None
    if m["name"] == "nitf":
        return "nitf"
    if m["name"] in ("newsMessage", "newsItem") and _NEWSML_NS in m["attrs"]:
        return "newsml"
    return None


def sniff(text: str) -> str | None:
    """`nitf`, `newsml`, `json`, `jsonl`, `html`, `txt`, or None when it does not look like
    an article."""
    if wire := sniff_wire(text):
        return wire
    head = text.lstrip()[:4096]
    if head.startswith(("{", "[")):
        lines = [ln for ln in text.split("\n") if ln.strip()]
        if len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines):
            return "jsonl"
        return "json"
    if _HTML.search(head):
        return "html"
    visible = [c for c in head if not c.isspace()]
    letters = sum(c.isalpha() for c in visible)
    if visible and letters / len(visible) >= _MIN_LETTER_SHARE:
        return "txt"
    return None
