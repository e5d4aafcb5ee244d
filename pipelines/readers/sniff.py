"""Guess the format of a file whose name does not say it."""

from __future__ import annotations

import re

_HTML = re.compile(r"<(!doctype\s+html|html|head|body|article|p|div)[\s>]", re.I)
_MIN_LETTER_SHARE = 0.5


def sniff(text: str) -> str | None:
    """`json`, `jsonl`, `html`, `txt`, or None when it does not look like an article."""
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
