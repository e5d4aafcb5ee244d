"""Bytes to text: reject what is not text, detect the encoding, repair mojibake, NFC."""

from __future__ import annotations

import unicodedata

import charset_normalizer
import ftfy

from pipelines.records import RejectedInput

# A NUL byte or a high share of control characters means a binary file, not text in an
# unusual encoding; checked on a prefix so a 20 MB file costs nothing extra.
_SNIFF_BYTES = 8192
_MAX_CONTROL_SHARE = 0.05


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > _MAX_CONTROL_SHARE * max(len(head), 1)


def decode_text(data: bytes) -> str:
    """Decode `data` to clean Unicode text or raise `RejectedInput`."""
    if not data.strip():
        raise RejectedInput("empty", "the file is empty or holds only whitespace")
    if _looks_binary(data):
        raise RejectedInput("binary", "the file is binary (NUL or control bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise RejectedInput(
                "undecodable", "no text encoding decodes these bytes"
            ) from None
        text = str(best)
    text = ftfy.fix_text(text, normalization="NFC")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise RejectedInput("empty", "the file holds no visible text")
    return text
