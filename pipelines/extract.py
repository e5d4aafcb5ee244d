"""The reading half of extraction: one file's bytes to cleaned article drafts.

This is the entry point `workers` call; it picks the reader by the file name and enforces
the size limit before any work is spent.
"""

from __future__ import annotations

from pathlib import PurePath

from pipelines.decode import decode_text
from pipelines.readers.txt import read_txt
from pipelines.records import ArticleDraft, RejectedInput

TEXT_SUFFIXES = {".txt", ".md", ""}


def read_articles(name: str, data: bytes, *, max_bytes: int) -> list[ArticleDraft]:
    """Read every article in one file, or raise `RejectedInput` with the reason."""
    if len(data) > max_bytes:
        raise RejectedInput(
            "too_large", f"the file is {len(data)} bytes, over the limit of {max_bytes}"
        )
    suffix = PurePath(name).suffix.lower()
    text = decode_text(data)
    if suffix in TEXT_SUFFIXES:
        return read_txt(text)
    raise RejectedInput("unsupported", f"no reader for files ending in {suffix!r}")
