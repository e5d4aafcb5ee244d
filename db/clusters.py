"""Duplicate clusters that merge: a bridging copy verifies against two clusters, and they
become one under the older id, the younger redirecting (docs/dedup.md, "Clusters that merge").

Called inside `db.storage.store_article`'s transaction, under the dedup lock, so two workers
never merge at once and a decision always sees the merges committed before it. Every function
takes a session and never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Article, ClusterMerge
from db.sqlutil import insert_ignore


def merge_clusters(
    session: Session, into: int, merged: Sequence[int], now: datetime, by: int | None = None
) -> None:
    """Fold the clusters `merged` into the older cluster `into`.

    Members take `into` as their cluster id; near copies (and the merged clusters' canonicals,
    which become near copies themselves) name `into` as what they duplicate. Exact copies keep
    naming their exact original: that is whose analysis they show. Redirects to a merged id
    are re-pointed, so one look-up resolves any old id. Running it twice changes nothing more.
    """
    old = sorted(set(merged) - {into})
    if not old:
        return
    session.execute(
        update(Article)
        .where(Article.id.in_(old), Article.duplicate_of.is_(None))
        .values(duplicate_of=into, duplicate_kind="near")
    )
    session.execute(
        update(Article)
        .where(Article.cluster_id.in_(old), Article.duplicate_kind == "near")
        .values(duplicate_of=into)
    )
    session.execute(update(Article).where(Article.cluster_id.in_(old)).values(cluster_id=into))
    session.execute(update(ClusterMerge).where(ClusterMerge.into_id.in_(old)).values(into_id=into))
    rows: list[dict[str, object]] = [
        {"old_id": o, "into_id": into, "by_article_id": by, "merged_at": now} for o in old
    ]
    insert_ignore(session, ClusterMerge, rows)


def resolve_cluster(session: Session, cluster_id: int) -> int:
    """The live id of a cluster id seen before (itself unless it was merged away)."""
    into = session.scalar(select(ClusterMerge.into_id).where(ClusterMerge.old_id == cluster_id))
    return cluster_id if into is None else into


def merged_into(session: Session, cluster_ids: Sequence[int]) -> dict[int, list[int]]:
    """For each live cluster id given, the ids merged into it (for export and the page)."""
    out: dict[int, list[int]] = {}
    if not cluster_ids:
        return out
    query = (
        select(ClusterMerge.into_id, ClusterMerge.old_id)
        .where(ClusterMerge.into_id.in_(sorted(set(cluster_ids))))
        .order_by(ClusterMerge.old_id)
    )
    for into, old in session.execute(query):
        out.setdefault(into, []).append(old)
    return out
