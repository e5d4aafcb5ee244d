"""Content identity: normalisation, exact hash, word shingles, MinHash and LSH band keys.

Everything here is pure and deterministic across processes, platforms and library upgrades:
the hash constants come from SHA-256 of fixed labels (not from Python's `hash()` or a
NumPy random stream, whose algorithm may change between releases), and all arithmetic is
explicit unsigned 64-bit wrap-around. A stored signature stays comparable forever, as long as
`SCHEME` is unchanged; change it (and re-fingerprint) whenever a parameter below changes.

How the DB layer uses it: look up stored articles sharing any (band index, band key) with the
new one (candidates: MinHash over character 9-grams, which OCR noise and cuts leave mostly
intact where word shingles break), then `verify()` each candidate's text against the new one:
a copy is covered window by window by the other text (>= `THRESHOLD` of one side, >=
`MIN_COVER` of the other); an independent report of the same story or an article quoting
another shares a few windows only. The parameters come from the sweeps in docs/dedup.md.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from pipelines.records import Fingerprint

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

# Chosen from the sweeps in docs/dedup.md (bench/dedup.py).
SHINGLE: Final = 3  # words per shingle of the word-level scheme (peers and sweeps use it)
CHARS: Final = 9  # characters per candidate shingle (spaces removed): OCR-noise survivors
NUM_PERM: Final = 128  # MinHash permutations = signature length (512 bytes stored)
BANDS: Final = 42  # LSH bands of ROWS rows; the last NUM_PERM % BANDS slots are in no band
ROWS: Final = NUM_PERM // BANDS  # 3: a pair at similarity 0.4 is a candidate 94% of the time
VERIFY_CHARS: Final = 7  # characters per verification shingle
WINDOW: Final = 40  # verification shingles per window
WINDOW_HIT: Final = 0.5  # share of a window's shingles found in the other text to cover it
THRESHOLD: Final = 0.7  # covered share of the better-covered text: a copy of the other
MIN_COVER: Final = 0.42  # ... and of the other text: refuses a long article quoting a short one
SCHEME: Final = f"minhash-c{CHARS}-p{NUM_PERM}-b{BANDS}x{ROWS}-v2"  # stored beside signatures

MAX_PERM: Final = 512  # constants are generated for this many; any prefix is a valid scheme
_EMPTY: Final = 0xFFFFFFFF  # every slot of an empty text's signature
_CHUNK: Final = 16384  # shingles per MinHash block (16 MB of work): bounds memory on huge bodies

_WORD = re.compile(r"\w+")
# Invisible characters that split a word in two when they sit inside it (soft hyphen,
# zero-width space/joiners, word joiner, BOM): scraped pages are full of them.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# ASCII fast path: the byte table that does what casefold + \w+ do on ASCII text.
_ASCII_FOLD = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c == 95) else 32
    for c in range(256)
)


def _constants(label: str, count: int) -> U64:
    """`count` 64-bit constants derived from SHA-256: stable across NumPy versions."""
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        digest = hashlib.sha256(f"dropwire/{label}/{i}".encode()).digest()
        out[i] = int.from_bytes(digest[:8], "little")
    return out


_PERM_A: Final = _constants("perm-a", MAX_PERM) | np.uint64(1)
_PERM_B: Final = _constants("perm-b", MAX_PERM)
_GRAM_K: Final = _constants("gram", 16) | np.uint64(1)  # odd: each is invertible mod 2**64
_BAND_SALT: Final = _constants("band", MAX_PERM)
_BAND_K: Final = _constants("band-row", MAX_PERM) | np.uint64(1)
_CHAR_P: Final = np.uint64(0x100000001B3)  # FNV-64 prime: odd, spreads bytes over the word


def _power_table(size: int) -> U64:
    """P**0 .. P**(size-1) mod 2**64 (NumPy integer products wrap, which is what we want)."""
    table = np.ones(size, dtype=np.uint64)
    np.cumprod(np.full(size - 1, _CHAR_P, dtype=np.uint64), out=table[1:])
    return table


_char_pow: U64 = _power_table(64)
_MAX_CACHED_POW: Final = 1 << 12  # longer words get a table of their own, not kept


def normalize(text: str) -> str:
    """Words of the text, casefolded, joined by single spaces.

    Folds Unicode compatibility forms (NFKC), case, punctuation (curly or straight quotes
    included) and whitespace, so the same article re-typeset by another outlet gets the same
    exact hash. Words are runs of Unicode word characters (`\\w+`).
    """
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    # The distinct characters, not a list of every non-ASCII one (10 MB of them was a list
    # of 10 million one-character strings).
    if text.isascii() or all(not c.isalnum() and c != "_" for c in set(text) if c > "\x7f"):
        # Only punctuation/spaces outside ASCII (dashes, quotes, bullets): each becomes a
        # separator, and a byte table folds the rest ~10x faster than the regex below.
        folded = text.encode("ascii", "replace").translate(_ASCII_FOLD)
        return " ".join(folded.decode("ascii").split())
    return " ".join(_WORD.findall(text.casefold()))


def exact_hash(text: str) -> str:
    """SHA-256 hex of the normalised text."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def _mix64(x: U64) -> U64:
    """SplitMix64 finaliser: a bijection that spreads every input bit over the output."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _powers(length: int) -> U64:
    """P**0 .. P**(length-1) mod 2**64, grown on demand (long tokens are rare).

    A one-word 10 MB body once grew the module's table to 128 MB for the life of the
    process; beyond `_MAX_CACHED_POW` the table is built for this call only.
    """
    global _char_pow
    if length > _MAX_CACHED_POW:
        return _power_table(length)
    if length > len(_char_pow):
        _char_pow = _power_table(1 << (length - 1).bit_length())
    return _char_pow[:length]


def word_hashes(normalized: str) -> U64:
    """One 64-bit hash per word of a `normalize()`d string, vectorised (no Python loop).

    Each word hashes as sum(byte_k * P**k) over its bytes (k from the word start), then mixed.
    """
    data = np.frombuffer(normalized.encode("utf-8"), dtype=np.uint8)
    if data.size == 0:
        return np.empty(0, dtype=np.uint64)
    spaces = np.flatnonzero(data == 0x20)
    starts = np.concatenate(([0], spaces + 1))
    lengths = np.diff(np.concatenate((starts, [data.size + 1])))  # word + its space
    offset = np.arange(data.size) - np.repeat(starts, lengths)[: data.size]
    contrib = data.astype(np.uint64) * _powers(int(lengths.max()))[offset]
    contrib[spaces] = 0  # so the last word (no trailing space) hashes like any other
    return _mix64(np.add.reduceat(contrib, starts))


def shingle_hashes(words: U64, size: int = SHINGLE) -> U64:
    """32-bit hashes (held in uint64) of every run of `size` consecutive words.

    A text shorter than `size` words is one shingle; an empty text has none.
    """
    n = min(size, words.size)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    count = words.size - n + 1
    acc = np.zeros(count, dtype=np.uint64)
    for j in range(n):  # position-weighted sum, so "a b" and "b a" differ
        acc += words[j : j + count] * _GRAM_K[j]
    return _mix64(acc) >> np.uint64(32)


def minhash(shingles: U64, num_perm: int = NUM_PERM) -> U32:
    """MinHash signature: for each permutation, the least (a*x + b) >> 32 over the shingles.

    Multiply-add-shift on 32-bit keys with 64-bit a, b is a strongly universal hash, and taking
    the top bits after the min (the shift is monotone) saves a pass over the matrix.
    """
    if shingles.size == 0:
        return np.full(num_perm, _EMPTY, dtype=np.uint32)
    a, b = _PERM_A[:num_perm], _PERM_B[:num_perm]
    best = np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    buf = np.empty((min(_CHUNK, shingles.size), num_perm), dtype=np.uint64)
    for lo in range(0, shingles.size, _CHUNK):
        block = shingles[lo : lo + _CHUNK]
        view = buf[: block.size]
        np.multiply(block[:, None], a, out=view)
        view += b
        np.minimum(best, view.min(axis=0), out=best)
    return (best >> np.uint64(32)).astype(np.uint32)


def band_keys(signatures: U32, bands: int = BANDS) -> I64:
    """LSH band keys of one signature (shape (P,)) or many (shape (N, P)) -> (BANDS,) / (N, BANDS).

    A band's rows are combined with odd multipliers plus a per-band salt, then mixed, so equal
    rows in different bands give different keys; the result is reinterpreted as signed to fit
    a BIGINT column.
    """
    sig = np.asarray(signatures, dtype=np.uint32)
    rows = sig.shape[-1] // bands
    grid = sig[..., : bands * rows].reshape(*sig.shape[:-1], bands, rows).astype(np.uint64)
    grid *= _BAND_K[:rows]
    return _mix64(grid.sum(axis=-1, dtype=np.uint64) + _BAND_SALT[:bands]).view(np.int64)


def char_grams(normalized: str, size: int) -> U64:
    """32-bit hashes (in uint64) of every run of `size` characters of a `normalize()`d text
    with its spaces removed (OCR drops and inserts spaces), in text order.

    Characters are UTF-8 bytes here: a run may split a multi-byte character, which is harmless
    for a hash. A text shorter than `size` bytes is one shingle; an empty text has none.
    """
    data = np.frombuffer(normalized.replace(" ", "").encode("utf-8"), dtype=np.uint8)
    n = min(size, data.size)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    count = data.size - n + 1
    acc = np.zeros(count, dtype=np.uint64)
    wide = data.astype(np.uint64)
    for j in range(n):  # position-weighted sum: "ab" and "ba" differ
        acc += wide[j : j + count] * _GRAM_K[j]
    return _mix64(acc) >> np.uint64(32)


def covered(grams: U64, other: U64) -> float:
    """Share of `grams` (in text order) lying in windows of `WINDOW` shingles of which at least
    `WINDOW_HIT` are in the set `other` (sorted, unique).

    Windows, not single shingles: stock phrases that any two reports share ("said in a
    statement") light up a shingle here and there, a copied passage lights up whole windows,
    and character noise leaves most of each window's shingles intact.
    """
    if grams.size == 0 or other.size == 0:
        return 0.0
    # searchsorted over the sorted set: ~8x faster than np.isin on arrays of this size.
    at = np.searchsorted(other, grams)
    at[at == other.size] = 0
    hits = (other[at] == grams).astype(np.float64)
    windows = max(1, grams.size // WINDOW)
    starts = (np.arange(windows) * grams.size) // windows
    lengths = np.diff(np.append(starts, grams.size))
    share = np.add.reduceat(hits, starts) / lengths
    return float(lengths[share >= WINDOW_HIT].sum()) / grams.size


def distinct(grams: U64) -> U64:
    """Sorted distinct values (np.unique's sort path; its default was ~5x slower here)."""
    ordered = np.sort(grams)
    keep = np.empty(ordered.size, dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def verify_grams(text: str) -> U64:
    """The verification shingles of a body, in text order."""
    return char_grams(normalize(text), VERIFY_CHARS)


def cover_pair(a: U64, b: U64) -> tuple[float, float]:
    """(share of a covered by b, share of b covered by a) for two `verify_grams()` arrays."""
    return covered(a, distinct(b)), covered(b, distinct(a))


def is_copy(
    cover: tuple[float, float], threshold: float = THRESHOLD, min_cover: float = MIN_COVER
) -> bool:
    """One text is mostly the other (>= threshold) and the other is not mostly new."""
    return max(cover) >= threshold and min(cover) >= min_cover


def verify(a: str, b: str, threshold: float = THRESHOLD) -> float | None:
    """The better coverage when `a` and `b` are copies of one article, else None."""
    cover = cover_pair(verify_grams(a), verify_grams(b))
    return max(cover) if is_copy(cover, threshold) else None


def char_signature(text: str, size: int = CHARS, num_perm: int = NUM_PERM) -> U32:
    """MinHash over the distinct character shingles of a text (the candidate signature)."""
    return minhash(distinct(char_grams(normalize(text), size)), num_perm)


def signature_of(text: str, shingle: int = SHINGLE, num_perm: int = NUM_PERM) -> U32:
    """MinHash signature of a text with explicit parameters (the sweep and bench use these)."""
    return minhash(shingle_hashes(word_hashes(normalize(text)), shingle), num_perm)


def fingerprint(text: str) -> Fingerprint:
    """Exact hash, MinHash signature (character shingles) and LSH band keys of one body."""
    norm = normalize(text)
    sig = minhash(distinct(char_grams(norm, CHARS)))
    return Fingerprint(
        exact=hashlib.sha256(norm.encode("utf-8")).hexdigest(),
        signature=tuple(sig.tolist()),
        bands=tuple(band_keys(sig).tolist()),
    )


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of MinHash slots where two signatures agree."""
    if len(a) != len(b) or not a:
        raise ValueError(f"signatures of different schemes: lengths {len(a)} and {len(b)}")
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


def signature_to_bytes(signature: Sequence[int]) -> bytes:
    """Compact storage form: unsigned 32-bit little-endian, 4 bytes a slot."""
    values = np.asarray(signature, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() > _EMPTY):
        raise ValueError("signature values must be unsigned 32-bit integers")
    return values.astype("<u4").tobytes()


def signature_from_bytes(data: bytes) -> tuple[int, ...]:
    """Inverse of `signature_to_bytes`."""
    if len(data) % 4:
        raise ValueError(f"signature bytes must be a multiple of 4 long, got {len(data)}")
    return tuple(np.frombuffer(data, dtype="<u4").tolist())
