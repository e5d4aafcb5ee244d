"""Content identity: normalisation, exact hash, word shingles, MinHash and LSH band keys."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

from pipelines.records import Fingerprint

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 5

_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.RandomState(1)
_A = _rng.randint(1, 1 << 32, size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, 1 << 32, size=NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalize(text: str) -> str:
    """Case, Unicode quotes, punctuation and whitespace folded away."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(_WORD.findall(text))


def exact_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def _shingle_hashes(words: list[str]) -> np.ndarray:
    n = max(1, len(words) - SHINGLE + 1)
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(n)}
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") for g in grams),
        dtype=np.uint64,
        count=len(grams),
    )


def minhash(text: str) -> np.ndarray:
    words = normalize(text).split()
    if not words:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    h = _shingle_hashes(words)
    perm = (np.outer(h, _A) + _B) % _MERSENNE
    return (perm & np.uint64(0xFFFFFFFF)).min(axis=0).astype(np.uint32)


def band_keys(signature: np.ndarray) -> tuple[int, ...]:
    keys = []
    for b in range(BANDS):
        chunk = signature[b * ROWS : (b + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, person=b"band%04d" % b).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(np.asarray(a) == np.asarray(b)))


def fingerprint(text: str) -> Fingerprint:
    sig = minhash(text)
    return Fingerprint(exact=exact_hash(text), signature=tuple(int(x) for x in sig), bands=band_keys(sig))
