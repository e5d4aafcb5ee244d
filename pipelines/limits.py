"""Caps on what one file may make the pipeline do, passed in by the caller (never read here).

`workers` builds one `Limits` from its settings; the setting names appear in the rejection
reasons so an operator knows which knob a refused file ran into.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MIB = 1024 * 1024

# The workers' environment variables behind each cap, named in rejection reasons only.
SETTING_MAX_BYTES = "DROPWIRE_MAX_FILE_BYTES"
SETTING_MAX_TITLE = "DROPWIRE_MAX_TITLE_CHARS"
SETTING_MAX_ITEMS = "DROPWIRE_MAX_ITEMS_PER_FILE"
SETTING_MAX_FIELD = "DROPWIRE_MAX_FIELD_CHARS"


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file may cost.

    - `max_bytes`: a larger file is rejected (``too_large``) before it is decoded.
    - `max_title_chars`: a longer title (after whitespace folding) rejects the file
      (``title_too_long``): a "title" that long is a parsing accident or an attack, and
      cutting it would store a wrong headline.
    - `max_items`: a JSON list or JSON Lines file with more articles is rejected
      (``too_many_items``) as soon as the reader sees one item too many.
    - `max_field_chars`: byline, published, language, dateline, caption, source and url are
      cut to this many characters instead: they are secondary, and losing the tail of an
      over-long caption or URL should not cost the article.
    """

    max_bytes: int = 10 * MIB
    max_title_chars: int = 2_000
    max_items: int = 10_000
    max_field_chars: int = 2_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{f.name} must be a positive integer, got {value!r}")
