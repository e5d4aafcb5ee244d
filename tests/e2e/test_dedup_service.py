"""Near-duplicates across parallel workers and across a restart of everything (issue 4).

200 variants of 10 articles (five same-story pairs written independently: hard negatives)
dropped at once into a service with two NLP worker processes must form exactly 10 clusters;
after a restart with an empty Redis, new variants still join the clusters stored before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.scripts import load_script
from tests.support.service import Service, running_service, wait_for
from tests.support.services import pg_schema_url, redis_db_url

pytestmark = pytest.mark.e2e
DEDUP_DATA = Path(__file__).resolve().parents[1] / "data" / "dedup"
BASES = 10


def _variants(rounds: list[str]) -> dict[str, tuple[str, str]]:
    """file name -> (base article, text), seeded by the build script's transformations."""
    build = load_script(DEDUP_DATA / "build.py")
    files: dict[str, tuple[str, str]] = {}
    for path in sorted((DEDUP_DATA / "source").glob("*.txt"))[:BASES]:
        text = path.read_text(encoding="utf-8")
        for seed in rounds:
            for name, variant, _ in build.variants(f"{path.stem}{seed}", text):
                files[f"{path.stem}{seed}-{name}.txt"] = (path.stem, variant)
    return files


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    if request.param == "sqlite":
        yield {}
        return
    schemas = pg_schema_url()
    yield {"DROPWIRE_DATABASE_URL": next(schemas)}
    next(schemas, None)


def _clusters(
    records: list[dict[str, Any]], files: dict[str, tuple[str, str]]
) -> dict[str, set[int]]:
    by_base: dict[str, set[int]] = defaultdict(set)
    for r in records:
        by_base[files[r["source_path"]][0]].add(r["cluster_id"])
    return by_base


def _drop_all(service: Service, files: dict[str, tuple[str, str]]) -> None:
    for name, (_, text) in files.items():
        service.drop(name, text.encode())


def _export_when(service: Service, count: int, timeout: float) -> list[dict[str, Any]]:
    def ready() -> list[dict[str, Any]] | None:
        records = service.export()
        return records if len(records) >= count else None

    return wait_for(ready, timeout, f"{count} articles stored", interval=1.0)


def test_parallel_near_duplicates_form_one_cluster_per_article_even_after_restart(
    tmp_path: Path, database: dict[str, str]
) -> None:
    first = _variants(["", "~2"])
    assert len(first) >= 200
    first = dict(sorted(first.items())[:200])
    env = {"DROPWIRE_NLP_WORKERS": "2", "DROPWIRE_INGEST_WORKERS": "2", **database}
    with running_service(tmp_path, DROPWIRE_REDIS_URL=redis_db_url(), **env) as service:
        _drop_all(service, first)
        records = _export_when(service, len(first), 420)
        assert service.failed() == []
    clusters = _clusters(records, first)
    assert len(clusters) == BASES
    assert all(len(ids) == 1 for ids in clusters.values()), clusters
    assert len({next(iter(ids)) for ids in clusters.values()}) == BASES  # no false merge
    canon = {r["id"] for r in records if r["duplicate_of"] is None}
    assert canon == {next(iter(ids)) for ids in clusters.values()}

    # Everything stops; Redis comes back empty (a new database). The index is in SQL.
    later = {k: v for k, v in _variants(["~3"]).items() if k.endswith(("-combo1.txt", "-edit.txt"))}
    with running_service(tmp_path, DROPWIRE_REDIS_URL=redis_db_url(), **env) as service:
        _drop_all(service, later)
        records = _export_when(service, len(first) + len(later), 180)
    after = _clusters(records, {**first, **later})
    assert after == clusters


def _bridged(stories: int) -> dict[str, tuple[str, str]]:
    """Per story of the hard set: its first 60% and its last 60% of the words (each a cut
    copy of the whole, not of each other) and the whole article, which bridges the two."""
    build = load_script(DEDUP_DATA / "build.py")
    files: dict[str, tuple[str, str]] = {}
    for k in range(stories):
        rows = build.hard_story_rows(k)
        whole = next(str(r["text"]) for r in rows if str(r["id"]).endswith("-a/original"))
        words = whole.split(" ")
        head, tail = (
            " ".join(words[: len(words) * 6 // 10]),
            " ".join(words[len(words) * 4 // 10 :]),
        )
        for part, text in (("head", head), ("tail", tail), ("whole", whole)):
            files[f"s{k:02d}-{part}.txt"] = (f"s{k:02d}", text)
    return files


def test_bridging_copies_merge_clusters_across_parallel_workers(
    tmp_path: Path, database: dict[str, str]
) -> None:
    """Both halves and the whole dropped at once, story after story: whichever worker stores
    what first, every story ends as one cluster named by its oldest member, and no two stories
    share one."""
    files = _bridged(20)
    env = {"DROPWIRE_NLP_WORKERS": "2", "DROPWIRE_INGEST_WORKERS": "2", **database}
    with running_service(tmp_path, DROPWIRE_REDIS_URL=redis_db_url(), **env) as service:
        _drop_all(service, files)
        records = _export_when(service, len(files), 300)
        assert service.failed() == []
    clusters = _clusters(records, files)
    assert all(len(ids) == 1 for ids in clusters.values()), clusters
    oldest = defaultdict(list)
    for r in records:
        oldest[files[r["source_path"]][0]].append(r["id"])
    assert {b: next(iter(ids)) for b, ids in clusters.items()} == {
        b: min(ids) for b, ids in oldest.items()
    }
    assert len({next(iter(ids)) for ids in clusters.values()}) == len(clusters)
