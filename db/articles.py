"""One article whole: what `dropwire show` and `/api/articles/{id}` give.

The export record (DESIGN.md §3) plus what a reader of one article wants beside it: every
mention with its offsets in the body, the copies of this article, the article it copies and
the other members of its duplicate cluster.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Article, Entity, Mention
from db.queries import export_records
from db.textquery import MAX_ID

MAX_RELATED = 200  # a wire story can have thousands of copies; the page shows the first ones


def article_record(session: Session, article_id: int) -> dict[str, object] | None:
    if not 1 <= article_id <= MAX_ID:
        return None  # no such id can exist
    article = session.get(Article, article_id)
    if article is None:
        return None
    [record] = export_records(session, [article])
    record["mentions"] = _mentions(session, _offsets_from(session, article))
    record["copies"] = _ids(session, Article.duplicate_of == article.id, article.id)
    record["cluster"] = (
        []
        if article.cluster_id is None
        else _ids(session, Article.cluster_id == article.cluster_id, article.id)
    )
    return record


def _offsets_from(session: Session, article: Article) -> int | None:
    """Whose mention offsets fit this body: its own, or an exact copy's canonical's when the
    two bodies are the same string (an exact copy may differ in spacing only)."""
    if article.duplicate_kind != "exact" or article.duplicate_of is None:
        return article.id
    canonical = session.get(Article, article.duplicate_of)
    return canonical.id if canonical is not None and canonical.body == article.body else None


def _mentions(session: Session, article_id: int | None) -> list[dict[str, object]]:
    if article_id is None:
        return []
    query = (
        select(Mention.text, Mention.start, Mention.end, Entity.id, Entity.label, Entity.canonical)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.article_id == article_id)
        .order_by(Mention.start)
    )
    return [
        {"text": t, "start": s, "end": e, "entity_id": i, "label": label, "canonical": c}
        for t, s, e, i, label, c in session.execute(query).tuples()
    ]


def _ids(session: Session, where: object, exclude: int) -> list[int]:
    query = (
        select(Article.id)
        .where(where, Article.id != exclude)  # type: ignore[arg-type]
        .order_by(Article.id)
        .limit(MAX_RELATED)
    )
    return list(session.scalars(query))
