"""Clusters that merge, on real SQLite and PostgreSQL: a bridging copy verifies against two
clusters stored apart, and they become one under the older id (docs/dedup.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from db import clusters, ledger, queries, storage
from db.models import Article, ClusterMerge, LedgerEntry
from db.session import transaction
from pipelines.fingerprint import THRESHOLD, fingerprint, verify
from pipelines.records import Analysis, ArticleDraft
from tests.support.scripts import load_script

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
BUILD = Path(__file__).resolve().parents[1] / "data" / "dedup" / "build.py"


def _article(k: int) -> str:
    rows = load_script(BUILD).hard_story_rows(k)
    return str(next(r["text"] for r in rows if r["id"].endswith("-a/original")))


def _halves(text: str) -> tuple[str, str]:
    """The first and the last 60% of the words: each a cut copy of the text, not of each other."""
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    head = text[: ends[len(ends) * 6 // 10 - 1]]
    tail = text[ends[len(ends) * 4 // 10 - 1] :]
    return head, tail


def _store(sessions: sessionmaker[Session], path: str, body: str) -> int:
    with transaction(sessions) as s:
        (row,) = ledger.register_files(s, [ledger.SeenFile(path, path.ljust(64, "0"), 10)], NOW)
    with transaction(sessions) as s:
        entry = s.get(LedgerEntry, row.id)
        assert entry is not None
        draft = ArticleDraft(body=body, title=path)
        article = storage.store_article(
            s, entry, draft, fingerprint(body), Analysis((), ()), threshold=THRESHOLD, now=NOW
        )
        return article.id


def _cluster_ids(sessions: sessionmaker[Session]) -> dict[int, int | None]:
    with transaction(sessions) as s:
        return dict(s.execute(select(Article.id, Article.cluster_id)).tuples().all())


def test_a_bridging_copy_merges_two_clusters_under_the_older_id(
    sessions: sessionmaker[Session],
) -> None:
    whole = _article(0)
    head, tail = _halves(whole)
    assert verify(head, tail) is None and verify(head, whole) and verify(tail, whole)
    first = _store(sessions, "head.txt", head)
    second = _store(sessions, "tail.txt", tail)
    assert _cluster_ids(sessions) == {first: first, second: second}  # apart until the bridge
    bridge = _store(sessions, "whole.txt", whole)
    assert _cluster_ids(sessions) == {first: first, second: first, bridge: first}
    with transaction(sessions) as s:
        merged = s.get(Article, second)
        assert merged is not None
        assert (merged.duplicate_of, merged.duplicate_kind) == (first, "near")
        assert clusters.resolve_cluster(s, second) == first
        assert clusters.resolve_cluster(s, first) == first
        assert clusters.merged_into(s, [first]) == {first: [second]}
        record = {r["id"]: r for r in queries.export_articles(s)}
    assert {r["cluster_id"] for r in record.values()} == {first}
    assert all(r["merged_clusters"] == [second] for r in record.values())
    assert record[bridge]["duplicate_of"] == first


def test_merging_is_idempotent_and_flattens_chains(sessions: sessionmaker[Session]) -> None:
    ids = [_store(sessions, f"s{k}.txt", _article(k)) for k in (1, 2, 3)]
    assert len(set(_cluster_ids(sessions).values())) == 3  # unrelated stories stay apart
    a, b, c = ids
    for _ in range(2):  # the second round changes nothing
        with transaction(sessions) as s:
            clusters.merge_clusters(s, b, [c], NOW)
        with transaction(sessions) as s:
            clusters.merge_clusters(s, a, [b], NOW)
    assert set(_cluster_ids(sessions).values()) == {a}
    with transaction(sessions) as s:
        assert clusters.resolve_cluster(s, c) == a  # one look-up, not a chain
        assert s.scalar(select(func.count()).select_from(ClusterMerge)) == 2


def test_storing_the_bridge_again_changes_nothing(sessions: sessionmaker[Session]) -> None:
    whole = _article(4)
    head, tail = _halves(whole)
    first, _second = _store(sessions, "h.txt", head), _store(sessions, "t.txt", tail)
    _store(sessions, "w.txt", whole)
    before = _cluster_ids(sessions)
    with transaction(sessions) as s:  # the same ledger row stored twice (a redelivery)
        entry = s.scalar(select(LedgerEntry).where(LedgerEntry.source_path == "w.txt"))
        assert entry is not None
        storage.store_article(
            s, entry, ArticleDraft(body=whole), fingerprint(whole), None, threshold=THRESHOLD,
            now=NOW,
        )  # fmt: skip
    assert _cluster_ids(sessions) == before
    assert set(before.values()) == {first}


def test_refingerprinting_brings_old_scheme_articles_back_as_candidates(
    sessions: sessionmaker[Session],
) -> None:
    from db.models import Band
    from db.refingerprint import refingerprint_batch

    whole = _article(5)
    head, tail = _halves(whole)
    old = _store(sessions, "old.txt", whole)
    with transaction(sessions) as s:  # as a v1 row: another scheme, other band keys
        s.execute(update(Article).values(fingerprint_scheme="minhash-w3-p128-b42x3-v1"))
        s.execute(update(Band).values(key=Band.key + 1))
    unseen = _store(sessions, "before.txt", head)
    assert _cluster_ids(sessions)[unseen] == unseen  # the old row is no candidate
    with transaction(sessions) as s:
        assert refingerprint_batch(s, limit=10) == 1
    with transaction(sessions) as s:
        assert refingerprint_batch(s, limit=10) == 0  # nothing left: idempotent
        keys = s.scalars(select(Band.key).where(Band.article_id == old).order_by(Band.band))
        assert tuple(keys) == fingerprint(whole).bands
    found = _store(sessions, "after.txt", tail)  # a copy of the old article only
    assert _cluster_ids(sessions)[found] == old
