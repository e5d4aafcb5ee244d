"""Bytes to text: reject what is not text, detect the encoding, repair mojibake, NFC."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator

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
# UTF-16 without a BOM: mostly-Latin text has a NUL in every other byte, on the same side.
_UTF16_MIN_NUL_SHARE = 0.3  # of the code units, on the high-byte side
_UTF16_MAX_OTHER_NULS = 0.02  # of the code units, on the low-byte side
# Valid UTF-8 with a few bad bytes (a truncated paste, one corrupt sequence) is UTF-8 with
# replacement characters; a legacy 8-bit file instead has hardly any valid multi-byte runs.
_MIN_GOOD_PER_BAD = 4
# Control characters other than tab and newline carry no text; form feeds become breaks.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\ufeff]")
# ftfy fixes each segment in a Python call (~30 µs): one call per line made a file of
# 5 million short lines cost minutes. Short lines are fixed together in segments of about
# this size; a long line (a paragraph) is still a segment of its own.
_SEGMENT_CHARS = 512
_MAX_SEGMENT_CHARS = 1_000_000  # ftfy's own bound on one segment
_FTFY = ftfy.TextFixerConfig(normalization="NFC", uncurl_quotes=False, explain=False)
# Pure ASCII needs ftfy only for entities, terminal escapes and carriage returns.
_ASCII_FIXABLE = re.compile(r"[&\x1b\r]")


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def _utf16_encoding(data: bytes) -> str | None:
    """`utf-16-le`/`utf-16-be` for BOM-less UTF-16 of mostly Latin text, else None."""
    head = data[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    if len(data) % 2 or len(head) < 2:
        return None
    units = len(head) // 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    for nuls, other, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls >= _UTF16_MIN_NUL_SHARE * units and other <= _UTF16_MAX_OTHER_NULS * units:
            return name
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > _MAX_CONTROL_SHARE * max(len(head), 1)


def _text_looks_binary(text: str) -> bool:
    """The same test on decoded text: UTF-16 "text" of control characters is binary."""
    head = text[: _SNIFF_BYTES // 2]
    controls = sum(1 for c in head if c < " " and c not in "\t\n\f\r\x1b")
    return controls > _MAX_CONTROL_SHARE * max(len(head), 1)


def _mostly_utf8(data: bytes) -> str | None:
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII, decoded
    return text if good >= _MIN_GOOD_PER_BAD * bad else None


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
    if (utf16 := _utf16_encoding(data)) is not None:
        text = data.decode(utf16, "replace")
        if _text_looks_binary(text):
            raise RejectedInput("binary", "the file is binary (NUL or control bytes), not text")
        return text
    if _looks_binary(data):
        raise RejectedInput("binary", "the file is binary (NUL or control bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (repaired := _mostly_utf8(data)) is not None:
        return repaired
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise RejectedInput("undecodable", "no text encoding decodes these bytes")
    return str(best)


def _segments(text: str) -> Iterator[str]:
    """Lines as ftfy would fix them, but short lines grouped up to `_SEGMENT_CHARS`.

    A long line stays a segment of its own (cut at `_MAX_SEGMENT_CHARS` like fix_text does);
    a group of short lines ends at the last line break inside the window, so any two
    consecutive segments span at least `_SEGMENT_CHARS`: O(len / _SEGMENT_CHARS) segments.
    """
    start, size = 0, len(text)
    while start < size:
        limit = start + _MAX_SEGMENT_CHARS
        first = text.find("\n", start, limit) + 1 or min(size, limit)
        if first - start >= _SEGMENT_CHARS or first == size:
            end = first
        else:
            end = text.rfind("\n", first - 1, start + _SEGMENT_CHARS) + 1
        yield text[start:end]
        start = end


def _repair(text: str) -> str:
    """ftfy's fix_text, segment by segment (see `_SEGMENT_CHARS`), skipping clean ASCII."""
    config = _FTFY
    out = []
    for segment in _segments(text):
        # As in fix_text: once a segment shows markup, entities are no longer unescaped.
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        if segment.isascii() and not _ASCII_FIXABLE.search(segment):
            out.append(segment)
        else:
            out.append(ftfy.fix_and_explain(segment, config).text)
    return "".join(out)


def decode_text(data: bytes) -> str:
    """Decode `data` to clean Unicode text or raise `RejectedInput`."""
    if not data.strip():
        raise RejectedInput("empty", "the file is empty or holds only whitespace")
    text = _decode(data)
    # Curly quotes stay curly: they tell opening from closing for quotation extraction.
    text = _repair(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = unicodedata.normalize("NFC", _CONTROLS.sub("", text))
    if not text.strip():
        raise RejectedInput("empty", "the file holds no visible text")
    return text
