"""Near-duplicate quality on the labelled evaluation set (tests/data/dedup, docs/dedup.md).

Clusters the set exactly as the service does, through the public API: candidates are earlier
articles sharing any (band index, band key) of `Fingerprint.bands`, verified with
`similarity()` at `THRESHOLD`, linked to the earliest match, merged with union-find.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pipelines import fingerprint as fp
from pipelines.records import Fingerprint
from tests.support.scripts import load_script

DATA = Path(__file__).resolve().parents[1] / "data" / "dedup"

ev = load_script(DATA / "evaluate.py")


@pytest.fixture(scope="module")
def docs() -> list[Any]:
    return ev.load()


@pytest.fixture(scope="module")
def prints(docs: list[Any]) -> list[Fingerprint]:
    return [fp.fingerprint(d.text) for d in docs]


def cluster_like_service(prints: list[Fingerprint], threshold: float = fp.THRESHOLD) -> list[int]:
    index: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(prints):
        for band, key in enumerate(p.bands):
            index[band, key].append(i)

    def candidates(i: int) -> set[int]:
        bands = enumerate(prints[i].bands)
        return {j for band, key in bands for j in index[band, key] if j < i}

    def sim(i: int, j: int) -> float:
        return fp.similarity(prints[i].signature, prints[j].signature)

    return ev.cluster([p.exact for p in prints], candidates, sim, threshold)


def test_clusters_match_truth(docs: list[Any], prints: list[Fingerprint]) -> None:
    scores = ev.score(docs, cluster_like_service(prints))
    assert scores.hard_negative_merges == 0
    assert scores.false_merges == 0
    assert scores.precision >= 0.99
    assert scores.recall >= 0.95
    assert scores.ari >= 0.95


def test_every_transformation_is_caught(docs: list[Any], prints: list[Fingerprint]) -> None:
    labels = cluster_like_service(prints)
    home = {d.cluster: labels[i] for i, d in enumerate(docs) if d.id.endswith("/original")}
    missed = [d.id for i, d in enumerate(docs) if labels[i] != home[d.cluster]]
    assert missed == []


def test_the_two_samples_never_merge(docs: list[Any], prints: list[Fingerprint]) -> None:
    labels = cluster_like_service(prints)
    a = {labels[i] for i, d in enumerate(docs) if d.cluster == "iraq-a"}
    b = {labels[i] for i, d in enumerate(docs) if d.cluster == "iraq-b"}
    assert a and b and not a & b


def test_the_set_has_teeth(docs: list[Any], prints: list[Fingerprint]) -> None:
    """A strict threshold loses most duplicates, and unigrams merge the hard negatives."""
    strict = ev.score(docs, cluster_like_service(prints, threshold=0.9))
    assert strict.recall < 0.5
    unigrams = ev.evaluate(docs, shingle=1, num_perm=fp.NUM_PERM, bands=fp.BANDS, threshold=0.3)
    assert unigrams.hard_negative_merges > 0


def test_adjusted_rand_index_known_values() -> None:
    assert ev.ari([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.5714, abs=1e-4)
    assert ev.ari([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.2424, abs=1e-4)
    assert ev.ari([1, 1, 2], [7, 7, 9]) == 1.0


def test_evaluation_set_is_what_the_generator_builds() -> None:
    built = load_script(DATA / "build.py").build()
    stored = [json.loads(line) for line in (DATA / "eval.jsonl").read_text("utf-8").splitlines()]
    assert built == stored, "run tests/data/dedup/build.py and commit eval.jsonl"
    clusters = {r["cluster"] for r in stored}
    assert all(f"{r['story']}-a" in clusters and f"{r['story']}-b" in clusters for r in stored)
