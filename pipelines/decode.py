"""Bytes to text: reject what is not text, detect the encoding, repair mojibake, NFC."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer
import ftfy

from pipelines.records import RejectedInput

# A NUL byte or a high share of control characters means a binary file, not text in an
# unusual encoding; checked on a prefix so a large file costs nothing extra.
_SNIFF_BYTES = 8192
_MAX_CONTROL_SHARE = 0.05
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters other than tab and newline carry no text; form feeds become breaks.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\ufeff]")


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > _MAX_CONTROL_SHARE * max(len(head), 1)


def _decode(data: bytes) -> str:
    bom = _bom_encoding(data)
    if bom is not None:
        name, skip = bom
        try:
            return data[skip:].decode(name)
        except UnicodeDecodeError:
            raise RejectedInput(
                "undecodable", f"the file starts with a {name} mark but is not {name}"
            ) from None
    if _looks_binary(data):
        raise RejectedInput("binary", "the file is binary (NUL or control bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise RejectedInput("undecodable", "no text encoding decodes these bytes")
    return str(best)


def decode_text(data: bytes) -> str:
    """Decode `data` to clean Unicode text or raise `RejectedInput`."""
    if not data.strip():
        raise RejectedInput("empty", "the file is empty or holds only whitespace")
    text = _decode(data)
    # Curly quotes stay curly: they tell opening from closing for quotation extraction.
    text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = unicodedata.normalize("NFC", _CONTROLS.sub("", text))
    if not text.strip():
        raise RejectedInput("empty", "the file holds no visible text")
    return text
