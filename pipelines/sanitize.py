"""The one text invariant every stored field keeps, whatever format it was decoded from.

JSON escapes (``"\\u0000"``, ``"\\ud800"``) and HTML character references (``&#27;``) create
characters after the bytes were decoded, so cleaning the bytes alone is not enough: a NUL
makes PostgreSQL raise DataError, and a lone surrogate cannot be encoded to UTF-8 at all.
"""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL, except tab and newline; carriage returns are
# turned into newlines first so CRLF and old Mac text keep their line breaks.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_NEWLINES = re.compile("\r\n?")
REPLACEMENT = "\ufffd"


def safe_text(text: str) -> str:
    """`text` without NUL, C0/C1 controls other than ``\\n``/``\\t``, or lone surrogates.

    Lone surrogates become U+FFFD (a surrogate pair in a str is already one code point,
    so any surrogate code unit left is unpaired). Idempotent; linear: one pass per pattern.
    """
    text = _NEWLINES.sub("\n", text)
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub(REPLACEMENT, text)


def safe_optional(text: str | None) -> str | None:
    return None if text is None else safe_text(text)


def is_safe(text: str) -> bool:
    """True when `text` keeps the invariant (for tests and assertions)."""
    return not (_CONTROLS.search(text) or _SURROGATES.search(text) or "\r" in text)
