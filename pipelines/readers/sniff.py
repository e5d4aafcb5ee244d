"""Guess the format of a file whose name does not say it."""

from __future__ import annotations

import re

_HTML = re.compile(r"<(!doctype\s+html|html|head|body|article|p|div)[\s>]", re.I)
_MIN_LETTER_SHARE = 0.5
# The prolog (declaration, comments, DOCTYPE and its internal subset) a wire file may open
# with; the root element's name and namespace come after it.
_PROLOG_WINDOW = 65_536
_ROOT = re.compile(r"<(?:[\w.-]+:)?(?P<name>[\w.-]+)(?P<attrs>[^>]{0,4096})")
_NEWSML_NS = "iptc.org/std/nar/"  # NewsML-G2 2.x: http://iptc.org/std/nar/2006-10-01/


def _skip_prolog(head: str) -> int:
    """Where the root element's "<" is, or -1 (an index moves on; nothing is copied, so a
    window of ten thousand comments costs one pass)."""
    at = 0
    while True:
        while at < len(head) and head[at] in "\ufeff \t\r\n":
            at += 1
        for start, end in (("<?", "?>"), ("<!--", "-->")):
            if head.startswith(start, at):
                cut = head.find(end, at + len(start))
                if cut < 0:
                    return -1
                at = cut + len(end)
                break
        else:
            if head[at : at + 9].upper() != "<!DOCTYPE":
                return at
            close = head.find(">", at)
            if close < 0:
                return -1
            if "[" in head[at:close]:  # an internal subset: it ends at "]>"
                close = head.find("]>", at)
                if close < 0:
                    return -1
                close += 1
            at = close + 1


def sniff_wire(text: str) -> str | None:
    """`nitf` or `newsml` when the root element says so (the file name may not)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("<"):
        return None
    head = text[:_PROLOG_WINDOW]
    at = _skip_prolog(head)
    m = _ROOT.match(head, at) if at >= 0 else None
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
