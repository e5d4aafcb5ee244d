"""Near-duplicate detection: the hard set by kind against peers, sweeps and index scaling.

    .venv/bin/python bench/dedup.py            # everything (about 2-3 minutes, < 2 GB)
    .venv/bin/python bench/dedup.py hard       # the hard set: every kind apart, peers beside
    .venv/bin/python bench/dedup.py sweep      # only the precision/recall tables (docs/dedup.md)
    .venv/bin/python bench/dedup.py compare    # only the datasketch comparison
    .venv/bin/python bench/dedup.py scale      # only the 10k / 100k / 1M index timings

Figures are measured in this run and printed beside their goals.
"""

from __future__ import annotations

import gc
import itertools
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines import fingerprint as fp  # noqa: E402
from tests.support.scripts import load_script  # noqa: E402

ev = load_script(ROOT / "tests" / "data" / "dedup" / "evaluate.py")
THRESHOLDS = [round(t, 2) for t in np.arange(0.10, 0.91, 0.05)]
# The word-shingle scheme of v1 (minhash-w3-p128-b42x3-v1), kept for the sweep tables: its
# threshold was an estimated Jaccard; v2's `fp.THRESHOLD` is a coverage, not comparable.
WORD_THRESHOLD = 0.3


def p_candidate(s: float, bands: int, rows: int) -> float:
    """Probability that LSH makes a pair of similarity s a candidate."""
    return float(1 - (1 - s**rows) ** bands)


# --- sweep -----------------------------------------------------------------------------------


def jaccard_table(docs: Sequence[Any]) -> None:
    """True (not estimated) Jaccard per shingle size: positive pairs vs hard negatives."""
    print("\n### True Jaccard by shingle size (all pairs of the evaluation set)\n")
    print("| words/shingle | dup pairs min | p5 | median | hard-neg max | median | min/max ratio |")
    print("|---|---|---|---|---|---|---|")
    for n in (1, 2, 3, 4, 5):
        sets = [
            set(fp.shingle_hashes(fp.word_hashes(fp.normalize(d.text)), n).tolist()) for d in docs
        ]
        pos, hard = [], []
        for i, j in itertools.combinations(range(len(docs)), 2):
            jac = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
            if docs[i].cluster == docs[j].cluster:
                pos.append(jac)
            elif docs[i].story == docs[j].story:
                hard.append(jac)
        p, h = np.array(pos), np.array(hard)
        print(
            f"| {n} | {p.min():.3f} | {np.percentile(p, 5):.3f} | {np.median(p):.3f} "
            f"| {h.max():.3f} | {np.median(h):.3f} | {p.min() / h.max():.1f} |"
        )


def transform_table(docs: Sequence[Any]) -> None:
    """Estimated similarity of each variant to its original, by transformation."""
    sigs = ev.signatures(docs, fp.SHINGLE, fp.NUM_PERM)
    orig = {d.cluster: i for i, d in enumerate(docs) if d.id.endswith("/original")}
    by: dict[str, list[float]] = {}
    for i, d in enumerate(docs):
        kind = d.id.rsplit("/", 1)[1]
        if kind != "original":
            sim = np.count_nonzero(sigs[i] == sigs[orig[d.cluster]]) / fp.NUM_PERM
            by.setdefault(kind.rstrip("123"), []).append(sim)
    print(f"\n### Similarity to the original (word shingles, {fp.SHINGLE} words)\n")
    print("| variant | n | min | median |")
    print("|---|---|---|---|")
    for kind, sims in by.items():
        print(f"| {kind} | {len(sims)} | {min(sims):.3f} | {np.median(sims):.3f} |")


def threshold_curve(docs: Sequence[Any], exacts: list[str]) -> None:
    """Precision/recall/ARI of the chosen scheme over thresholds."""
    sigs = ev.signatures(docs, fp.SHINGLE, fp.NUM_PERM)
    print(
        f"\n### Curve: {fp.SHINGLE}-word shingles, {fp.NUM_PERM} permutations, "
        f"{fp.BANDS} bands x {fp.ROWS} rows\n"
    )
    print("| threshold | precision | recall | ARI | false merges (hard neg.) | P(candidate) at t |")
    print("|---|---|---|---|---|---|")
    for t in THRESHOLDS:
        s = ev.score(docs, ev.cluster_signatures(exacts, sigs, fp.BANDS, t))
        mark = " **v1**" if t == WORD_THRESHOLD else ""
        print(
            f"| {t:.2f}{mark} | {s.precision:.3f} | {s.recall:.3f} | {s.ari:.3f} "
            f"| {s.false_merges} ({s.hard_negative_merges}) "
            f"| {p_candidate(t, fp.BANDS, fp.ROWS):.3f} |"
        )


def config_grid(docs: Sequence[Any], exacts: list[str]) -> None:
    """Each (shingle, permutations, bands x rows): thresholds with ARI >= 0.99, ARI at THRESHOLD."""
    print(f"\n### Word configurations (ARI at t = {WORD_THRESHOLD}; plateau: ARI >= 0.99)\n")
    print("| words | perms | bands x rows | ARI | plateau | false merges at worst t |")
    print("|---|---|---|---|---|---|")
    for n in (2, 3, 4, 5):
        full = ev.signatures(docs, n, 256)
        for perms, rows in itertools.product((64, 128, 256), (2, 3, 4, 8)):
            bands = perms // rows
            sigs = np.ascontiguousarray(full[:, :perms])
            scores = {
                t: ev.score(docs, ev.cluster_signatures(exacts, sigs, bands, t)) for t in THRESHOLDS
            }
            good = [t for t, s in scores.items() if s.ari >= 0.99]
            plateau = f"{min(good):.2f}-{max(good):.2f}" if good else "none"
            worst = max(s.false_merges for s in scores.values())
            print(
                f"| {n} | {perms} | {bands} x {rows} | {scores[WORD_THRESHOLD].ari:.3f} "
                f"| {plateau} | {worst} |"
            )


def sweep() -> None:
    docs = ev.load()
    exacts = [fp.exact_hash(d.text) for d in docs]
    print(f"## Sweep over {len(docs)} articles, {len({d.cluster for d in docs})} true clusters")
    jaccard_table(docs)
    transform_table(docs)
    threshold_curve(docs, exacts)
    config_grid(docs, exacts)


# --- datasketch comparison -------------------------------------------------------------------


def _ours(docs: Sequence[Any]) -> tuple[list[int], float, float]:
    t0 = time.perf_counter()
    for d in docs:
        fp.fingerprint(d.text)
    t1 = time.perf_counter()
    labels = ev.cluster_dropwire(docs)  # fingerprints again, so its time includes them
    return labels, t1 - t0, time.perf_counter() - t1


def _datasketch(docs: Sequence[Any], threshold: float) -> tuple[list[int], float, float]:
    """datasketch MinHash + MinHashLSH as documented: LSH candidates are the duplicates."""
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    hashes = []
    for d in docs:
        words = fp.normalize(d.text).split()
        grams = {" ".join(words[i : i + fp.SHINGLE]).encode() for i in range(len(words) - 2)}
        m = MinHash(num_perm=128)
        m.update_batch(list(grams))
        hashes.append(m)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    exacts = [fp.exact_hash(d.text) for d in docs]
    labels = ev.cluster(
        exacts, lambda i: [j for j in lsh.query(hashes[i]) if j < i], lambda i, j: 1.0, 0.0
    )
    return labels, t1 - t0, time.perf_counter() - t1


def compare() -> None:
    docs = ev.load()
    print(f"\n## Detector vs datasketch on the evaluation set ({len(docs)} articles)\n")
    print(
        "| detector | precision | recall | ARI | hard-neg merges | fingerprint ms/article "
        "| cluster ms/article |"
    )
    print("|---|---|---|---|---|---|---|")
    runs: list[tuple[str, Callable[[], tuple[list[int], float, float]]]] = [
        (f"dropwire ({fp.SCHEME}, t={fp.THRESHOLD})", lambda: _ours(docs)),
        ("datasketch MinHashLSH defaults (t=0.9, 128 perm)", lambda: _datasketch(docs, 0.9)),
        ("datasketch MinHashLSH t=0.3, 128 perm", lambda: _datasketch(docs, 0.3)),
    ]
    for name, run in runs:
        labels, t_fp, t_cl = run()
        s = ev.score(docs, labels)
        print(
            f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.ari:.3f} "
            f"| {s.hard_negative_merges} | {t_fp / len(docs) * 1e3:.3f} "
            f"| {t_cl / len(docs) * 1e3:.3f} |"
        )
    words = [len(d.text.split()) for d in docs]
    long_text = " ".join(d.text for d in docs)
    body = " ".join(long_text.split()[:800])
    per = _time_per_call(lambda: fp.fingerprint(body), 300)
    print(
        f"\nfingerprint() of an 800-word article: {per * 1e3:.3f} ms (goal: well under 1 ms); "
        f"evaluation articles average {np.mean(words):.0f} words"
    )


def _time_per_call(fn: Callable[[], object], n: int) -> float:
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


# --- the hard set: every kind apart, peers side by side ---------------------------------------

HARD_KINDS = ("ocr", "cut", "drop_typos", "reorder")
EASY_KINDS = ("header_footer", "edit", "typos", "truncate", "reflow", "combo")


def _word_grams(text: str, size: int) -> list[bytes]:
    words = fp.normalize(text).split()
    return [" ".join(words[i : i + size]).encode() for i in range(max(1, len(words) - size + 1))]


def _minhash_peer(
    docs: Sequence[Any], size: int, threshold: float, perms: int, verify: bool
) -> list[int]:
    """datasketch MinHash + MinHashLSH over word shingles; with `verify`, candidates must also
    reach `threshold` in estimated Jaccard (NEWS-COPY's setup); without, candidates are copies."""
    from datasketch import MinHash, MinHashLSH

    hashes = []
    for d in docs:
        m = MinHash(num_perm=perms)
        m.update_batch(_word_grams(d.text, size))
        hashes.append(m)
    lsh = MinHashLSH(threshold=threshold, num_perm=perms)
    for i, m in enumerate(hashes):
        lsh.insert(i, m)

    def is_copy(i: int, j: int) -> bool:
        return not verify or hashes[i].jaccard(hashes[j]) >= threshold

    exacts = [fp.exact_hash(d.text) for d in docs]
    return ev.cluster_merging(exacts, lambda i: [j for j in lsh.query(hashes[i]) if j < i], is_copy)


def _simhash_peer(docs: Sequence[Any], threshold: float) -> list[int]:
    """trafilatura's 64-bit Simhash: a pair is a copy at similarity >= threshold (all pairs)."""
    from trafilatura.deduplication import Simhash

    values = np.array([Simhash(d.text).hash for d in docs], dtype=np.uint64)
    near = [
        set(np.flatnonzero(1 - np.bitwise_count(values[:i] ^ values[i]) / 64 >= threshold).tolist())
        for i in range(len(docs))
    ]
    exacts = [fp.exact_hash(d.text) for d in docs]
    return ev.cluster_merging(exacts, lambda i: near[i], lambda i, j: True)


def _exact_peer(docs: Sequence[Any]) -> list[int]:
    return ev.cluster_merging(
        [fp.exact_hash(d.text) for d in docs], lambda i: [], lambda i, j: False
    )


def _kind_row(name: str, docs: Sequence[Any], labels: list[int], seconds: float) -> str:
    kinds = ev.per_kind(docs, labels)
    s = ev.score(docs, labels)

    def share(names: Sequence[str]) -> str:
        found, total = (sum(kinds[k][i] for k in names) for i in (0, 1))
        return f"{found / total:.1%}"

    cells = [share([k]) for k in HARD_KINDS] + [share(HARD_KINDS), share(EASY_KINDS)]
    cells += [str(kinds[k][0]) for k in ev.NEGATIVE_KINDS]
    return (
        f"| {name} | " + " | ".join(cells) + f" | {s.false_merges} | {s.ari:.4f} "
        f"| {seconds / len(docs) * 1e3:.2f} |"
    )


def hard() -> None:
    docs = ev.load_hard()
    stories = len({d.story for d in docs})
    print(f"## The hard set: {len(docs)} articles, {stories} stories (tests/data/dedup/build.py)\n")
    print(
        "| detector | ocr | cut | drop_typos | reorder | **hard** | easy kinds "
        "| same-story merged | quoting merged | false-merge pairs | ARI | ms/article |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    runs: list[tuple[str, Callable[[], list[int]]]] = [
        (
            f"dropwire {fp.SCHEME}, cover {fp.THRESHOLD}/{fp.MIN_COVER}",
            lambda: ev.cluster_dropwire(docs),
        ),
        ("exact hash", lambda: _exact_peer(docs)),
        (
            "datasketch MinHashLSH defaults (w3, t=0.9, 128)",
            lambda: _minhash_peer(docs, 3, 0.9, 128, False),
        ),
        (
            "MinHash NEWS-COPY tuned (w2, t=0.45, 256, verified)",
            lambda: _minhash_peer(docs, 2, 0.45, 256, True),
        ),
        ("datasketch MinHashLSH w3, t=0.3, 128", lambda: _minhash_peer(docs, 3, 0.3, 128, False)),
        ("trafilatura Simhash, sim >= 0.90", lambda: _simhash_peer(docs, 0.90)),
        ("trafilatura Simhash, sim >= 0.80", lambda: _simhash_peer(docs, 0.80)),
    ]
    for name, run in runs:
        t0 = time.perf_counter()
        labels = run()
        print(_kind_row(name, docs, labels, time.perf_counter() - t0))
    header = (
        "| value | ocr | cut | drop_typos | reorder | **hard** | easy kinds "
        "| same-story merged | quoting merged | false-merge pairs | ARI | ms/article |\n"
        + "|---" * 12
        + "|"
    )
    print(f"\n### dropwire over its coverage threshold (MIN_COVER {fp.MIN_COVER})\n")
    print(header)
    for t in (0.5, 0.6, 0.7, 0.8, 0.9):
        t0 = time.perf_counter()
        labels = ev.cluster_dropwire(docs, t)
        print(_kind_row(f"{t:.2f}", docs, labels, time.perf_counter() - t0))
    print(f"\n### dropwire over MIN_COVER (threshold {fp.THRESHOLD})\n")
    print(header)
    for m in (0.2, 0.3, 0.42, 0.5, 0.6):
        t0 = time.perf_counter()
        labels = ev.cluster_dropwire(docs, fp.THRESHOLD, m)
        print(_kind_row(f"{m:.2f}", docs, labels, time.perf_counter() - t0))


# --- index scaling ---------------------------------------------------------------------------

U32 = npt.NDArray[np.uint32]
# Synthetic signatures have no text to verify: a signature match stands in for `fp.verify`.
STAND_IN_THRESHOLD = 0.3


class BandIndex:
    """In-memory stand-in for the (band_index, key) table: a hash directory over sorted keys.

    Keys are salted per band, so all bands share one array. Keys are uniform 64-bit values, so
    their top bits address a directory of offsets (about two keys a slot): a lookup is two
    reads near each other whatever the size, not a binary search over the whole array.
    """

    def __init__(self, sigs: U32) -> None:
        self.sigs = sigs
        keys = (
            np.concatenate(
                [fp.band_keys(sigs[lo : lo + 100_000]) for lo in range(0, len(sigs), 100_000)]
            )
            .ravel()
            .view(np.uint64)
        )
        bits = max(8, int(np.ceil(np.log2(keys.size / 2))))
        self.shift = np.uint64(64 - bits)
        order = np.argsort(keys)
        self.keys = keys[order]
        self.ids = (order // fp.BANDS).astype(np.int32)
        counts = np.bincount((self.keys >> self.shift).astype(np.int64), minlength=1 << bits)
        self.dir = np.zeros((1 << bits) + 1, dtype=np.uint32)
        np.cumsum(counts, out=self.dir[1:])

    def nbytes(self) -> int:
        return int(self.sigs.nbytes + self.keys.nbytes + self.ids.nbytes + self.dir.nbytes)

    def dedup(self, sig: U32, bands: npt.NDArray[np.int64]) -> int:
        """Earliest indexed article with similarity >= THRESHOLD, or -1."""
        q = bands.view(np.uint64)
        slot = (q >> self.shift).astype(np.int64)
        start, stop = self.dir[slot], self.dir[slot + 1]
        span = (stop - start).astype(np.int64)
        pos = np.repeat(start.astype(np.int64) - np.cumsum(span) + span, span) + np.arange(
            span.sum()
        )
        cands = np.unique(self.ids[pos[self.keys[pos] == np.repeat(q, span)]])
        if not cands.size:
            return -1
        sims = np.count_nonzero(self.sigs[cands] == sig, axis=1) / fp.NUM_PERM
        hits = cands[sims >= STAND_IN_THRESHOLD]
        return int(hits[0]) if hits.size else -1


def synthetic(n: int, rng: np.random.Generator) -> U32:
    """Random signatures, a fifth of them near-copies (20-60% of slots redrawn) of earlier ones."""
    sigs = rng.integers(0, 1 << 32, size=(n, fp.NUM_PERM), dtype=np.uint32)
    copies = rng.choice(np.arange(1, n), size=n // 5, replace=False)
    rows = sigs[(rng.random(copies.size) * copies).astype(np.int64)]
    redraw = rng.random(rows.shape) < rng.uniform(0.2, 0.6, size=(copies.size, 1))
    rows[redraw] = rng.integers(0, 1 << 32, size=int(redraw.sum()), dtype=np.uint32)
    sigs[copies] = rows
    return sigs


def queries(index_sigs: U32, rng: np.random.Generator, n: int = 2000) -> U32:
    """Half near-copies of indexed articles (hits), half fresh signatures (misses)."""
    base = index_sigs[rng.integers(0, len(index_sigs), size=n // 2)].copy()
    mask = rng.random(base.shape) < 0.3
    base[mask] = rng.integers(0, 1 << 32, size=int(mask.sum()), dtype=np.uint32)
    fresh = rng.integers(0, 1 << 32, size=(n - n // 2, fp.NUM_PERM), dtype=np.uint32)
    return np.concatenate([base, fresh])


def scale() -> None:
    print(f"\n## Dedup lookup at scale ({fp.SCHEME}, signature stand-in {STAND_IN_THRESHOLD})\n")
    print(
        "| indexed | build s | query+verify ms/article (mean) | p99 ms | hit rate "
        "| index bytes/article | RSS MB |"
    )
    print("|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(20240521)
    proc = psutil.Process()
    means: dict[int, float] = {}
    for n in (10_000, 100_000, 1_000_000):
        t0 = time.perf_counter()
        index = BandIndex(synthetic(n, rng))
        build = time.perf_counter() - t0
        qs = queries(index.sigs, rng)
        keys = fp.band_keys(qs)  # computed by fingerprint(), not part of the lookup
        for q, k in zip(qs[:50], keys[:50], strict=True):  # warm caches and code paths
            index.dedup(q, k)
        times, hits = [], 0
        for q, k in zip(qs, keys, strict=True):
            t = time.perf_counter()
            hits += index.dedup(q, k) >= 0
            times.append(time.perf_counter() - t)
        ms = np.array(times) * 1e3
        means[n] = float(ms.mean())
        print(
            f"| {n:,} | {build:.1f} | {ms.mean():.4f} | {np.percentile(ms, 99):.4f} "
            f"| {hits / len(qs):.2f} | {index.nbytes() / n:.0f} "
            f"| {proc.memory_info().rss / 2**20:.0f} |"
        )
        del index, qs
        gc.collect()
    ratio = means[1_000_000] / means[10_000]
    print(
        f"\n1M / 10k time ratio: {ratio:.2f} (goal <= 2); at 1M: {means[1_000_000]:.4f} ms "
        f"per article (goal < 5 ms); index bytes/article = signature {fp.NUM_PERM * 4} "
        f"+ {fp.BANDS} band keys x (8 key + 4 id) + directory"
    )


def main(argv: list[str]) -> None:
    parts = {"hard": hard, "sweep": sweep, "compare": compare, "scale": scale}
    chosen = argv or list(parts)
    t0 = time.perf_counter()
    for name in chosen:
        parts[name]()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(
        f"\n(bench ran {time.perf_counter() - t0:.0f} s, goal < 300 s; "
        f"peak RSS {peak:.0f} MB, goal < 6144 MB)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
