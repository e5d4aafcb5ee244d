"""Who said what, and who is named: quotations by speaker and entities by how often they appear.

Both answer by any name a person goes by in the store (`search.said_by`): "Ardern" finds the
quotes of the speaker recorded as "Jacinda Ardern" when the two are one entity.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Article, ArticleEntity, Entity, Quote
from db.search import MAX_LIMIT, said_by
from db.textquery import InvalidQuery, check_id, check_value


@dataclass(frozen=True)
class QuoteHit:
    """DESIGN.md §3's quote names (article_id, text, speaker, start, end), and where it is."""

    id: int
    article_id: int
    text: str
    speaker: str | None
    start: int
    end: int
    confidence: float | None
    title: str | None
    published: str | None


def quotes_by(
    session: Session, speaker: str, *, limit: int = 20, before_id: int | None = None
) -> list[QuoteHit]:
    """A speaker's quotations, newest stored first; `before_id` is the last id of a page."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be 1 to {MAX_LIMIT}")
    if not check_value("speaker", speaker).strip():
        raise InvalidQuery("a speaker's name is needed")
    query = (
        select(Quote, Article.title, Article.published)
        .join(Article, Article.id == Quote.article_id)
        .where(said_by(session, speaker), Quote.scare.is_(False))
        .order_by(Quote.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(Quote.id < check_id("before", before_id))
    return [
        QuoteHit(
            q.id, q.article_id, q.text, q.speaker, q.start, q.end, q.confidence, title, published
        )
        for q, title, published in session.execute(query).tuples()
    ]


@dataclass(frozen=True)
class EntityCount:
    id: int
    label: str
    canonical: str
    articles: int
    mentions: int


def top_entities(session: Session, *, top: int = 20, label: str | None = None) -> list[EntityCount]:
    """The entities named in the most articles (exact copies not counted twice)."""
    if not 1 <= top <= 1000:
        raise InvalidQuery("top must be 1 to 1000")
    if label is not None:
        check_value("label", label)
    articles = func.count(ArticleEntity.article_id)
    query = (
        select(Entity.id, Entity.label, Entity.canonical, articles, func.sum(ArticleEntity.count))
        .join(ArticleEntity, ArticleEntity.entity_id == Entity.id)
        .group_by(Entity.id, Entity.label, Entity.canonical)
        .order_by(articles.desc(), Entity.canonical)
        .limit(top)
    )
    if label:
        query = query.where(Entity.label == label)
    return [
        EntityCount(i, lab, canonical, int(n), int(m or 0))
        for i, lab, canonical, n, m in session.execute(query).tuples()
    ]
