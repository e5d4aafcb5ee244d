"""Fingerprint contract: normalisation, exact hash, MinHash, band keys, storage form."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import tracemalloc
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import fingerprint as fp

ROOT = Path(__file__).resolve().parents[2]
WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzé0123456789", min_size=1, max_size=10),
    min_size=1,
    max_size=60,
)
SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", " — ", ", ", ". ", '" ', " \u2019"])
TEXT = (
    "Outright war between the United States and Iran remains only a remote possibility, "
    "but the two countries already are fighting a proxy war inside Iraq, reports CBS News. "
    "\u201cWe will respond firmly,\u201d Mr. Bush said in an interview on Monday."
)


def _render(words: list[str], seps: list[str], upper: list[bool]) -> str:
    """The words with other separators (cycled) and some upper-cased."""
    out = []
    for i, w in enumerate(words):
        up = upper[i] if i < len(upper) else False
        out += [w.upper() if up else w, seps[i % len(seps)] if seps else " "]
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(WORDS, st.lists(SEPARATORS, max_size=60), st.lists(st.booleans(), max_size=60))
def test_layout_case_and_punctuation_do_not_change_exact_hash(
    words: list[str], seps: list[str], upper: list[bool]
) -> None:
    assert fp.exact_hash(_render(words, seps, upper)) == fp.exact_hash(" ".join(words))


@settings(max_examples=200, deadline=None)
@given(WORDS, WORDS)
def test_exact_hashes_are_equal_only_for_the_same_words(a: list[str], b: list[str]) -> None:
    # WORDS are already normalised (lower-case letters and digits): equal lists, equal text.
    assert (fp.exact_hash(" ".join(a)) == fp.exact_hash(" ".join(b))) == (a == b)


def test_curly_quotes_dashes_and_invisible_characters_fold() -> None:
    plain = 'He said "it\'s over" - the end. Government'
    fancy = "HE  said \u201cit\u2019s over\u201d \u2014 the\u00a0end.\nGov\u00adern\u200bment"
    assert fp.exact_hash(plain) == fp.exact_hash(fancy)
    assert fp.normalize(fancy) == "he said it s over the end government"
    assert fp.exact_hash("the end") != fp.exact_hash("the ends")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fast_path_matches_unicode_regex(text: str) -> None:
    """The ASCII byte-table shortcut must give exactly what casefold + \\w+ give."""
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    reference = " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))
    assert fp.normalize(text) == reference


def test_fingerprint_shape_and_ranges() -> None:
    f = fp.fingerprint(TEXT)
    assert re.fullmatch(r"[0-9a-f]{64}", f.exact)
    assert len(f.signature) == fp.NUM_PERM and len(f.bands) == fp.BANDS
    assert all(0 <= v < 2**32 for v in f.signature)
    assert all(-(2**63) <= k < 2**63 for k in f.bands)
    assert len(set(f.bands)) == fp.BANDS  # salted per band
    assert fp.BANDS * fp.ROWS <= fp.NUM_PERM and 0 < fp.MIN_COVER < fp.THRESHOLD < 1


def test_scheme_is_pinned() -> None:
    """Stored signatures stay comparable only while these values hold: bump SCHEME otherwise."""
    f = fp.fingerprint(TEXT)
    assert f.exact == "3b70891e0f6a5e82bf85ed20f66c75a7da23213c0ceb3976676fac4fcdd06576"
    assert f.signature[:4] == (20417312, 5740461, 32624135, 12520745)
    assert f.bands[:2] == (4476049959726945016, -224439587018477109)
    assert fp.SCHEME == "minhash-c9-p128-b42x3-v2"


def test_deterministic_across_processes() -> None:
    code = (
        "from pipelines.fingerprint import fingerprint as f; import sys; "
        "x = f(sys.argv[1]); print(x.exact, x.signature, x.bands)"
    )
    f = fp.fingerprint(TEXT)
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", code, TEXT], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        assert out == f"{f.exact} {f.signature} {f.bands}"


def test_similarity_estimates_jaccard() -> None:
    rng = np.random.default_rng(7)
    vocab = [f"w{i}" for i in range(5000)]
    shared = list(rng.choice(vocab, 400))
    a = " ".join(shared + list(rng.choice(vocab, 200)))
    b = " ".join(shared + list(rng.choice(vocab, 200)))
    sets = [set(fp.char_grams(fp.normalize(t), fp.CHARS).tolist()) for t in (a, b)]
    true = len(sets[0] & sets[1]) / len(sets[0] | sets[1])
    est = fp.similarity(fp.fingerprint(a).signature, fp.fingerprint(b).signature)
    assert abs(est - true) < 0.15  # 128 permutations: standard error < 0.045
    assert fp.similarity(fp.fingerprint(a).signature, fp.fingerprint(a).signature) == 1.0
    c = " ".join(rng.choice(vocab, 600))
    assert fp.similarity(fp.fingerprint(a).signature, fp.fingerprint(c).signature) < 0.1


def test_word_order_matters_and_short_texts_have_signatures() -> None:
    fwd, rev = fp.fingerprint("one two three four five"), fp.fingerprint("five four three two one")
    assert fwd.exact != rev.exact
    assert fp.similarity(fwd.signature, rev.signature) < 0.3
    short = fp.fingerprint("Brief")
    assert short.signature != fp.fingerprint("").signature
    assert fp.fingerprint("").signature == (2**32 - 1,) * fp.NUM_PERM


def test_char_grams_ignore_spaces_and_follow_the_text() -> None:
    """OCR loses and inserts spaces: the character shingles must not see them."""
    joined, split = fp.char_grams("newyork city", 5), fp.char_grams("new york ci ty", 5)
    assert joined.tolist() == split.tolist()
    assert fp.char_grams("abcdefgh", 5).size == 4
    assert fp.char_grams("abc", 5).size == 1 and fp.char_grams("", 5).size == 0
    assert fp.char_grams("abcdefgh", 5)[0] != fp.char_grams("bacdefgh", 5)[0]


def test_covered_counts_whole_windows_not_scattered_shingles() -> None:
    rng = np.random.default_rng(3)
    grams = rng.integers(0, 2**32, size=400, dtype=np.uint64)
    assert fp.covered(grams, np.unique(grams)) == 1.0
    scattered = np.unique(grams[::3])  # a third of every window: under WINDOW_HIT
    assert fp.covered(grams, scattered) == 0.0
    half = np.unique(grams[:200])  # the first half, every shingle of it
    assert fp.covered(grams, half) == pytest.approx(0.5, abs=fp.WINDOW / 400)
    assert fp.covered(np.empty(0, dtype=np.uint64), half) == 0.0


def test_verify_tells_a_cut_copy_from_a_quoting_article() -> None:
    words = " ".join(f"w{i}x" for i in range(600))
    own = " ".join(f"q{i}z" for i in range(600))
    head = words[: len(words) * 55 // 100]  # a copy cut to 55%
    quote = own + " " + words[: len(words) * 4 // 10]  # an article of its own quoting 40%
    assert fp.verify(head, words) is not None
    assert fp.verify(words, head) is not None  # symmetric
    assert fp.verify(quote, words) is None
    assert fp.verify(own, words) is None


def test_long_tokens_and_long_texts() -> None:
    token = "x" * 300
    hashes = fp.word_hashes(fp.normalize(f"{token} y {token}"))
    assert hashes[0] == hashes[2] != hashes[1]
    words = " ".join(f"w{i}" for i in range(20_000))  # more shingles than one MinHash block
    sh = fp.shingle_hashes(fp.word_hashes(words))
    naive = ((sh[:, None] * fp._PERM_A[:8] + fp._PERM_B[:8]) >> np.uint64(32)).min(axis=0)
    assert fp.minhash(sh, 8).tolist() == naive.tolist()


def test_band_keys_follow_their_rows() -> None:
    sig = np.array(fp.fingerprint(TEXT).signature, dtype=np.uint32)
    other = sig.copy()
    other[fp.ROWS] ^= 1  # first row of band 1
    a, b = fp.band_keys(sig), fp.band_keys(other)
    assert (a != b).tolist() == [i == 1 for i in range(fp.BANDS)]
    assert fp.band_keys(np.stack([sig, other])).tolist() == [a.tolist(), b.tolist()]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=300))
def test_signature_bytes_round_trip(sig: list[int]) -> None:
    data = fp.signature_to_bytes(tuple(sig))
    assert len(data) == 4 * len(sig)
    assert fp.signature_from_bytes(data) == tuple(sig)


def test_signature_bytes_are_little_endian_and_checked() -> None:
    assert fp.signature_to_bytes((1, 2**32 - 1)) == b"\x01\x00\x00\x00\xff\xff\xff\xff"
    with pytest.raises(ValueError):
        fp.signature_to_bytes((2**32,))
    with pytest.raises(ValueError):
        fp.signature_to_bytes((-1,))
    with pytest.raises(ValueError):
        fp.signature_from_bytes(b"\x00" * 5)
    with pytest.raises(ValueError):
        fp.similarity((1, 2), (1, 2, 3))


def _python_lines(call: Callable[[], object]) -> int:
    """Lines of Python run by `call()`, in every Python function it calls (NumPy's C loops are
    not lines: they are what fingerprinting should spend its time in)."""
    lines = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if event == "line":
            lines += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(previous)
    return lines


def _peak_bytes(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("accent", ["", "\u00e9"], ids=["ascii", "unicode"])
def test_fingerprint_work_grows_no_faster_than_the_text(accent: str) -> None:
    """Measured without a clock (the time per article is in bench/pipeline_costs.py): from an
    800-word article to one 8 times longer, the Python lines run stay flat (a few MinHash
    blocks of 16k character shingles more), where a Python loop over words or shingles would
    run thousands more, and peak memory grows a few times (MinHash works in blocks), where
    anything quadratic would take 64 times."""
    vocab = itertools.cycle(TEXT.split())
    words = [f"{w}{accent}{i}" for i, w in zip(range(6400), vocab, strict=False)]
    short, long = " ".join(words[:800]), " ".join(words)
    fp.fingerprint(long)  # warm: lazily grown tables
    lines = [_python_lines(partial(fp.fingerprint, text)) for text in (short, long)]
    assert lines[1] < 1.5 * lines[0], lines
    peaks = [_peak_bytes(partial(fp.fingerprint, text)) for text in (short, long)]
    assert peaks[1] < 16 * peaks[0], peaks
