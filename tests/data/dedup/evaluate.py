"""Cluster the evaluation set the way the service does, and score the result.

Shared by tests/unit/test_dedup_quality.py and bench/dedup.py (loaded by file path, since
tests/ is not a package). The service's rule, mirrored here: articles arrive in file order;
an exact-hash match links to the earliest article with that hash; otherwise the candidates are
the earlier articles sharing any (band index, band key); the new article links to the earliest
candidate whose estimated similarity is >= threshold. Links are merged with union-find.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipelines import fingerprint as fp

EVAL_SET = Path(__file__).resolve().parent / "eval.jsonl"
Sig = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class Doc:
    id: str
    cluster: str  # true cluster: the base article it was derived from
    story: str  # bases of one story are hard negatives of each other
    transforms: tuple[str, ...]
    text: str
    kind: str = ""  # hard set: original, a copy's transformation, same_story or quoting


@dataclass(frozen=True)
class Scores:
    precision: float  # pairwise, over pairs put in one predicted cluster
    recall: float  # pairwise, over pairs of one true cluster
    ari: float
    false_merges: int  # predicted-together pairs from different true clusters
    hard_negative_merges: int  # ... of which from the same story


def load(path: Path = EVAL_SET) -> list[Doc]:
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        docs.append(Doc(r["id"], r["cluster"], r["story"], tuple(r["transforms"]), r["text"]))
    return docs


def load_hard(stories: int | None = None) -> list[Doc]:
    """The hard set, rebuilt from its seed by build.py (not stored: 4,500 articles)."""
    from tests.support.scripts import load_script

    build = load_script(Path(__file__).resolve().parent / "build.py")
    rows = build.build_hard() if stories is None else build.build_hard(stories)
    return [
        Doc(r["id"], r["cluster"], r["story"], (r["kind"],), r["text"], r["kind"]) for r in rows
    ]


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, child: int, canonical: int) -> None:
        """Attach `child`'s set under `canonical`'s root (the earliest article wins)."""
        self.parent[self.find(child)] = self.find(canonical)


def cluster(
    exacts: Sequence[str],
    candidates: Callable[[int], Sequence[int]],
    sim: Callable[[int, int], float],
    threshold: float,
) -> list[int]:
    """Labels in arrival order; `candidates(i)` gives earlier articles sharing a band key."""
    uf = UnionFind(len(exacts))
    first_with_hash: dict[str, int] = {}
    for i, exact in enumerate(exacts):
        if exact in first_with_hash:
            uf.union(i, first_with_hash[exact])
            continue
        first_with_hash[exact] = i
        linked = [j for j in sorted(candidates(i)) if sim(i, j) >= threshold]
        if linked:
            uf.union(i, linked[0])
    return [uf.find(i) for i in range(len(exacts))]


def cluster_merging(
    exacts: Sequence[str],
    candidates: Callable[[int], Sequence[int]],
    is_copy: Callable[[int, int], bool],
) -> list[int]:
    """The service's rule since clusters merge: an article joins every cluster it verifies
    against, and a bridging article merges them under the earliest (docs/dedup.md)."""
    uf = UnionFind(len(exacts))
    first_with_hash: dict[str, int] = {}
    for i, exact in enumerate(exacts):
        if exact in first_with_hash:
            uf.union(i, first_with_hash[exact])
            continue
        first_with_hash[exact] = i
        for j in sorted(candidates(i)):
            if uf.find(j) != uf.find(i) and is_copy(i, j):
                old, new = sorted((uf.find(i), uf.find(j)))
                uf.union(new, old)
    return [uf.find(i) for i in range(len(exacts))]


def cluster_dropwire(
    docs: Sequence[Doc], threshold: float = fp.THRESHOLD, min_cover: float = fp.MIN_COVER
) -> list[int]:
    """The service's scheme on a set: character-shingle bands, then `fp.is_copy` on the texts."""
    prints = [fp.fingerprint(d.text) for d in docs]
    grams = [fp.verify_grams(d.text) for d in docs]
    sets = [fp.distinct(g) for g in grams]
    index: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(prints):
        for b, k in enumerate(p.bands):
            index[b, k].append(i)

    def candidates(i: int) -> set[int]:
        return {j for b, k in enumerate(prints[i].bands) for j in index[b, k] if j < i}

    def is_copy(i: int, j: int) -> bool:
        cover = fp.covered(grams[i], sets[j]), fp.covered(grams[j], sets[i])
        return fp.is_copy(cover, threshold, min_cover)

    return cluster_merging([p.exact for p in prints], candidates, is_copy)


NEGATIVE_KINDS = ("same_story", "quoting")


def per_kind(docs: Sequence[Doc], labels: Sequence[int]) -> dict[str, tuple[int, int]]:
    """kind -> (count, total). A copy counts when it sits in its original's predicted cluster;
    a negative (`same_story`, `quoting`) counts when its cluster holds any other true cluster."""
    home = {d.cluster: labels[i] for i, d in enumerate(docs) if d.id.endswith("/original")}
    members: dict[int, set[str]] = defaultdict(set)
    for i, d in enumerate(docs):
        members[labels[i]].add(d.cluster)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, d in enumerate(docs):
        if d.kind in NEGATIVE_KINDS:
            out[d.kind][0] += len(members[labels[i]]) > 1
        elif d.kind != "original":
            out[d.kind][0] += labels[i] == home[d.cluster]
        else:
            continue
        out[d.kind][1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def cluster_signatures(exacts: Sequence[str], sigs: Sig, bands: int, threshold: float) -> list[int]:
    """`cluster` with a band-key index over MinHash signatures (rows in arrival order)."""
    keys = fp.band_keys(sigs, bands)
    index: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, row in enumerate(keys.tolist()):
        for b, k in enumerate(row):
            index[b, k].append(i)

    def candidates(i: int) -> set[int]:
        return {j for b, k in enumerate(keys[i].tolist()) for j in index[b, k] if j < i}

    def sim(i: int, j: int) -> float:
        return float(np.count_nonzero(sigs[i] == sigs[j])) / sigs.shape[1]

    return cluster(exacts, candidates, sim, threshold)


def signatures(docs: Sequence[Doc], shingle: int, num_perm: int) -> Sig:
    return np.stack([fp.signature_of(d.text, shingle, num_perm) for d in docs])


def ari(true: Sequence[object], pred: Sequence[object]) -> float:
    """Adjusted Rand index (Hubert & Arabie): pair agreement corrected for chance."""
    n_ij = _pairs(list(zip(true, pred, strict=True)))
    a, b, n = _pairs(list(true)), _pairs(list(pred)), comb(len(true), 2)
    expected = a * b / n if n else 0.0
    top = (a + b) / 2
    return 1.0 if top == expected else (n_ij - expected) / (top - expected)


def _pairs(labels: list[object]) -> int:
    counts: dict[object, int] = defaultdict(int)
    for x in labels:
        counts[x] += 1
    return sum(comb(c, 2) for c in counts.values())


def score(docs: Sequence[Doc], labels: Sequence[int]) -> Scores:
    true = [d.cluster for d in docs]
    together = _pairs(list(zip(true, labels, strict=True)))
    predicted, actual = _pairs(list(labels)), _pairs(list(true))
    wrong = [
        (x, y)
        for i, x in enumerate(docs)
        for j, y in enumerate(docs[:i])
        if labels[i] == labels[j] and x.cluster != y.cluster
    ]
    return Scores(
        precision=together / predicted if predicted else 1.0,
        recall=together / actual if actual else 1.0,
        ari=ari(true, labels),
        false_merges=len(wrong),
        hard_negative_merges=sum(x.story == y.story for x, y in wrong),
    )


def evaluate(
    docs: Sequence[Doc], shingle: int, num_perm: int, bands: int, threshold: float
) -> Scores:
    """Fingerprint, cluster and score the set with explicit parameters."""
    exacts = [fp.exact_hash(d.text) for d in docs]
    sigs = signatures(docs, shingle, num_perm)
    return score(docs, cluster_signatures(exacts, sigs, bands, threshold))
