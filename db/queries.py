"""Read-only queries: the export record, the status snapshot and the dashboard."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from db.models import Article, ArticleEntity, Entity, LedgerEntry, Mention, Quote, State
from db.sqlutil import aware, chunks


def export_articles(session: Session, batch: int = 500) -> Iterator[dict[str, object]]:
    """Every stored article as its export record (DESIGN.md §3), in id order."""
    last_id = 0
    while True:
        articles = list(
            session.scalars(
                select(Article).where(Article.id > last_id).order_by(Article.id).limit(batch)
            )
        )
        if not articles:
            return
        analysed = {a.id: _analysed_as(a) for a in articles}
        sources = sorted(set(analysed.values()))
        entities = _entities_by_article(session, sources)
        quotes = _quotes_by_article(session, sources)
        for a in articles:
            source = analysed[a.id]
            yield {
                "id": a.id,
                "source_path": a.source_path,
                "sha256": a.sha256,
                "title": a.title,
                "byline": a.byline,
                "published": a.published,
                "language": a.language,
                "dateline": a.dateline,
                "caption": a.caption,
                "source": a.source,
                "url": a.url,
                "body": a.body,
                "word_count": a.word_count,
                "entities": entities.get(source, []),
                "quotes": quotes.get(source, []),
                "duplicate_of": a.duplicate_of,
                "duplicate_kind": a.duplicate_kind,
                "similarity": a.similarity,
                "cluster_id": a.cluster_id,
                "status": State.DONE,
            }
        last_id = articles[-1].id


def _analysed_as(article: Article) -> int:
    """Whose entities and quotes an article shows: exact copies borrow their canonical's."""
    if article.duplicate_kind == "exact" and article.duplicate_of is not None:
        return article.duplicate_of
    return article.id


def _entities_by_article(session: Session, ids: list[int]) -> dict[int, list[dict[str, object]]]:
    out: dict[int, list[dict[str, object]]] = {}
    query = (
        select(ArticleEntity.article_id, Entity.label, Entity.canonical, ArticleEntity.count)
        .join(Entity, Entity.id == ArticleEntity.entity_id)
        .where(ArticleEntity.article_id.in_(ids))
        .order_by(ArticleEntity.article_id, ArticleEntity.count.desc(), Entity.canonical)
    )
    texts = _mention_texts(session, ids)
    for article_id, label, canonical, count in session.execute(query):
        out.setdefault(article_id, []).append(
            {
                "text": texts.get((article_id, label, canonical), canonical),
                "label": label,
                "canonical": canonical,
                "count": count,
            }
        )
    return out


def _mention_texts(session: Session, ids: list[int]) -> dict[tuple[int, str, str], str]:
    """The first surface form of each entity in each article."""
    query = (
        select(Mention.article_id, Entity.label, Entity.canonical, Mention.text)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.article_id.in_(ids))
        .order_by(Mention.article_id, Mention.start)
    )
    out: dict[tuple[int, str, str], str] = {}
    for article_id, label, canonical, surface in session.execute(query):
        out.setdefault((article_id, label, canonical), surface)
    return out


def _quotes_by_article(session: Session, ids: list[int]) -> dict[int, list[dict[str, object]]]:
    out: dict[int, list[dict[str, object]]] = {}
    query = select(Quote).where(Quote.article_id.in_(ids)).order_by(Quote.article_id, Quote.start)
    for q in session.scalars(query):
        out.setdefault(q.article_id, []).append(
            {"text": q.text, "speaker": q.speaker, "start": q.start, "end": q.end, "scare": q.scare}
        )
    return out


def articles_mentioning(session: Session, label: str, canonical: str) -> list[int]:
    """Ids of every article that mentions one entity: the cross-article query in one join."""
    query = (
        select(ArticleEntity.article_id)
        .join(Entity, Entity.id == ArticleEntity.entity_id)
        .where(Entity.label == label, Entity.canonical == canonical)
        .order_by(ArticleEntity.article_id)
    )
    return list(session.scalars(query))


def state_counts(session: Session) -> dict[str, int]:
    query = select(LedgerEntry.state, func.count()).group_by(LedgerEntry.state)
    return {state: int(n) for state, n in session.execute(query).tuples()}


def duplicate_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(Article.duplicate_of.is_not(None))) or 0)


def finished_since(session: Session, since: datetime) -> int:
    query = select(func.count()).where(
        LedgerEntry.state == State.DONE, LedgerEntry.finished_at >= since
    )
    return int(session.scalar(query) or 0)


def recent_latencies(session: Session, limit: int = 1000) -> list[float]:
    """Drop-to-stored seconds of the most recently stored articles."""
    query = (
        select(LedgerEntry.seen_at, LedgerEntry.finished_at)
        .where(LedgerEntry.state == State.DONE, LedgerEntry.finished_at.is_not(None))
        .order_by(LedgerEntry.finished_at.desc())
        .limit(limit)
    )
    out = []
    for seen, finished in session.execute(query).tuples():
        if finished is None:
            continue
        out.append(max(0.0, (aware(finished) - aware(seen)).total_seconds()))
    return out


def articles_for_ledgers(session: Session, ledger_ids: Sequence[int]) -> list[Article]:
    found: list[Article] = []
    for chunk in chunks(list(ledger_ids), 400):
        found.extend(session.scalars(select(Article).where(Article.ledger_id.in_(chunk))))
    return found


def files_seen(session: Session) -> int:
    """Files the watcher recorded (articles of multi-article files are not files)."""
    query = select(func.count()).where(LedgerEntry.parent_id.is_(None))
    return int(session.scalar(query) or 0)


def last_stored_at(session: Session) -> datetime | None:
    found = session.scalar(
        select(func.max(LedgerEntry.finished_at)).where(LedgerEntry.state == State.DONE)
    )
    return None if found is None else aware(found)


def unfinished_paths(session: Session) -> tuple[set[str], datetime | None]:
    """Source paths of rows not yet finished, and when the oldest of them was seen."""
    query = select(LedgerEntry.source_path, LedgerEntry.seen_at).where(
        LedgerEntry.state.not_in(State.TERMINAL)
    )
    paths: set[str] = set()
    oldest: datetime | None = None
    for path, seen in session.execute(query).tuples():
        paths.add(path)
        seen = aware(seen)
        oldest = seen if oldest is None or seen < oldest else oldest
    return paths, oldest


def known_paths(session: Session, paths: Sequence[str]) -> set[str]:
    """Which of these source paths the ledger holds at all."""
    found: set[str] = set()
    for chunk in chunks(list(paths), 400):
        query = select(LedgerEntry.source_path).where(LedgerEntry.source_path.in_(chunk))
        found.update(session.scalars(query))
    return found


def recent_nlp_seconds(session: Session, limit: int = 200) -> list[float]:
    """NLP seconds of the most recently stored articles that ran NLP."""
    query = (
        select(LedgerEntry.nlp_seconds)
        .where(LedgerEntry.state == State.DONE, LedgerEntry.nlp_seconds.is_not(None))
        .order_by(LedgerEntry.finished_at.desc())
        .limit(limit)
    )
    return [float(v) for v in session.scalars(query) if v is not None]


def recent_articles(session: Session, limit: int = 10, top: int = 5) -> list[dict[str, object]]:
    """The newest stored articles with their `top` entities and duplicate link."""
    articles = list(session.scalars(select(Article).order_by(Article.id.desc()).limit(limit)))
    analysed = {a.id: _analysed_as(a) for a in articles}
    entities = _entities_by_article(session, sorted(set(analysed.values())))
    return [
        {
            "id": a.id,
            "title": a.title,
            "source_path": a.source_path,
            "word_count": a.word_count,
            "duplicate_of": a.duplicate_of,
            "duplicate_kind": a.duplicate_kind,
            "similarity": a.similarity,
            "created_at": aware(a.created_at).isoformat(),
            "entities": [
                {"canonical": e["canonical"], "label": e["label"], "count": e["count"]}
                for e in entities.get(analysed[a.id], [])[:top]
            ],
        }
        for a in articles
    ]


def recent_failures(session: Session, limit: int = 20) -> list[dict[str, object]]:
    """The newest failed rows, as `failed list --json` shows them."""
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.state == State.FAILED)
        .order_by(LedgerEntry.updated_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "source_path": r.source_path if not r.item else f"{r.source_path}#{r.item}",
            "reason": r.reason,
            "code": r.reason_code,
            "attempts": r.attempts,
            "failed_at": aware(r.finished_at).isoformat() if r.finished_at else None,
        }
        for r in session.scalars(query)
    ]
