"""Read-only queries: the export record, the status snapshot and the dashboard."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    case,
    func,
    select,
)
from sqlalchemy.orm import Session

from db.clusters import merged_into
from db.models import Article, ArticleEntity, Entity, LedgerEntry, Mention, Quote, State
from db.sqlutil import aware, chunks

# (title, body or its opening) → (the title to show, whether it was derived). The rule lives in
# pipelines.display; db only applies the one it is given (it imports no pipeline logic).
Titler = Callable[[str | None, str | None], tuple[str | None, bool]]
# How much of the body a titler is given when an article has no title.
LEDE_CHARS = 400


def title_as_is(title: str | None, _body: str | None) -> tuple[str | None, bool]:
    return title, False


def export_articles(
    session: Session, batch: int = 500, titler: Titler = title_as_is
) -> Iterator[dict[str, object]]:
    """Every stored article as its export record (DESIGN.md §3), in id order; `title` is what
    the file said (None for none), `display_title` what `titler` makes of it."""
    last_id = 0
    while True:
        articles = list(
            session.scalars(
                select(Article).where(Article.id > last_id).order_by(Article.id).limit(batch)
            )
        )
        if not articles:
            return
        yield from export_records(session, articles, titler)
        last_id = articles[-1].id


def export_records(
    session: Session, articles: Sequence[Article], titler: Titler = title_as_is
) -> list[dict[str, object]]:
    """The export record (DESIGN.md §3) of each article, in the order given."""
    titles = {a.id: titler(a.title, a.body) for a in articles}
    analysed = {a.id: _analysed_as(a.id, a.duplicate_of, a.duplicate_kind) for a in articles}
    sources = sorted(set(analysed.values()))
    entities = _entities_by_article(session, sources)
    quotes = _quotes_by_article(session, sources)
    merged = merged_into(session, [a.cluster_id for a in articles if a.cluster_id])
    return [
        {
            "id": a.id,
            "source_path": a.source_path,
            "sha256": a.sha256,
            "title": a.title,
            "display_title": titles[a.id][0],
            "display_title_derived": titles[a.id][1],
            "byline": a.byline,
            "published": a.published,
            "language": a.language,
            "dateline": a.dateline,
            "caption": a.caption,
            "source": a.source,
            "url": a.url,
            "body": a.body,
            "word_count": a.word_count,
            "entities": entities.get(analysed[a.id], []),
            "quotes": quotes.get(analysed[a.id], []),
            "duplicate_of": a.duplicate_of,
            "duplicate_kind": a.duplicate_kind,
            "similarity": a.similarity,
            "cluster_id": a.cluster_id,
            # Cluster ids folded into this one by bridging copies (docs/dedup.md).
            "merged_clusters": merged.get(a.cluster_id or 0, []),
            "status": State.DONE,
        }
        for a in articles
    ]


def _analysed_as(article_id: int, duplicate_of: int | None, duplicate_kind: str | None) -> int:
    """Whose entities and quotes an article shows: exact copies borrow their canonical's."""
    if duplicate_kind == "exact" and duplicate_of is not None:
        return duplicate_of
    return article_id


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
            {
                "text": q.text,
                "speaker": q.speaker,
                "start": q.start,
                "end": q.end,
                "scare": q.scare,
                "confidence": q.confidence,
            }
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


def clip(text: str, max_chars: int) -> str:
    """`text` cut to at most `max_chars` characters, an ellipsis marking the cut."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _capped(column: Any, max_chars: int | None) -> Any:
    # Cut in SQL: a multi-megabyte title never leaves the database for a list that shows
    # 300 characters of it. One character more than shown tells `clip` a cut happened.
    return column if max_chars is None else func.substr(column, 1, max_chars + 1)


def _clip_or_none(text: str | None, max_chars: int | None) -> str | None:
    return text if text is None or max_chars is None else clip(text, max_chars)


@dataclass(frozen=True, slots=True)
class EntityCount:
    canonical: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """A stored article as the dashboard lists it (no body)."""

    id: int
    title: str | None
    display_title: str | None  # the title, or one derived from the lede (title_derived)
    title_derived: bool
    source_path: str
    word_count: int
    duplicate_of: int | None
    duplicate_kind: str | None
    similarity: float | None
    created_at: datetime
    entities: tuple[EntityCount, ...]


@dataclass(frozen=True, slots=True)
class FailureRow:
    id: int
    source_path: str  # `path#item` for an article of a multi-article file
    reason: str | None
    code: str | None
    attempts: int
    failed_at: datetime | None
    stored_path: str | None


def _chips(entities: list[dict[str, object]], max_chars: int | None) -> tuple[EntityCount, ...]:
    return tuple(
        EntityCount(
            canonical=_clip_or_none(cast(str, e["canonical"]), max_chars) or "",
            label=cast(str, e["label"]),
            count=cast(int, e["count"]),
        )
        for e in entities
    )


def recent_articles(
    session: Session,
    limit: int = 10,
    top: int = 5,
    max_chars: int | None = None,
    titler: Titler = title_as_is,
) -> list[ArticleRow]:
    """The newest stored articles with their `top` entities and duplicate link; texts cut to
    `max_chars` when given."""
    # Only an untitled article's opening leaves the database, never a whole body.
    lede = case((Article.title.is_(None), func.substr(Article.body, 1, LEDE_CHARS)), else_=None)
    query = (
        select(
            Article.id,
            _capped(Article.title, max_chars),
            lede,
            _capped(Article.source_path, max_chars),
            Article.word_count,
            Article.duplicate_of,
            Article.duplicate_kind,
            Article.similarity,
            Article.created_at,
        )
        .order_by(Article.id.desc())
        .limit(limit)
    )
    rows = list(session.execute(query).tuples())
    analysed = {r[0]: _analysed_as(r[0], r[5], r[6]) for r in rows}
    entities = _entities_by_article(session, sorted(set(analysed.values())))
    out = []
    for id_, title, opening, path, words, dup_of, dup_kind, similarity, created in rows:
        shown, derived = titler(title, opening)
        chips = _chips(entities.get(analysed[id_], [])[:top], max_chars)
        out.append(
            ArticleRow(
                id=id_,
                title=_clip_or_none(title, max_chars),
                display_title=_clip_or_none(shown, max_chars),
                title_derived=derived,
                source_path=_clip_or_none(path, max_chars) or "",
                word_count=words,
                duplicate_of=dup_of,
                duplicate_kind=dup_kind,
                similarity=similarity,
                created_at=aware(created),
                entities=chips,
            )
        )
    return out


def failed_rows(
    session: Session, *, newest: int | None = None, max_chars: int | None = None
) -> list[FailureRow]:
    """Failed ledger rows: the `newest` few, newest first (the dashboard), or every one in id
    order (`failed list`). Texts are cut to `max_chars` when given."""
    query = select(
        LedgerEntry.id,
        _capped(LedgerEntry.source_path, max_chars),
        LedgerEntry.item,
        _capped(LedgerEntry.reason, max_chars),
        LedgerEntry.reason_code,
        LedgerEntry.attempts,
        LedgerEntry.finished_at,
        _capped(LedgerEntry.stored_path, max_chars),
    ).where(LedgerEntry.state == State.FAILED)
    if newest is None:
        query = query.order_by(LedgerEntry.id)
    else:
        query = query.order_by(LedgerEntry.updated_at.desc(), LedgerEntry.id.desc()).limit(newest)
    return [
        FailureRow(
            id=id_,
            source_path=(_clip_or_none(path, max_chars) or "") + (f"#{item}" if item else ""),
            reason=_clip_or_none(reason, max_chars),
            code=code,
            attempts=attempts,
            failed_at=aware(finished) if finished else None,
            stored_path=_clip_or_none(stored, max_chars),
        )
        for id_, path, item, reason, code, attempts, finished, stored in session.execute(
            query
        ).tuples()
    ]
