"""One query model behind every face (CLI, HTTP API, page): text, filters, order, cursor.

Pages are cut by a keyset cursor, never an offset: the cursor holds the last row's sort key,
so articles stored between two requests neither repeat nor push rows onto the next page.
On PostgreSQL relevance is `ts_rank_cd`, a property of the article and the query alone, so a
relevance cursor is exact too. SQLite's `bm25` weighs terms by the whole collection: there a
relevance page can shift when articles arrive between requests (the other orders never do).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Double,
    Select,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
    union,
)
from sqlalchemy.orm import Session, aliased

from db.clusters import resolve_cluster
from db.models import Article, ArticleEntity, Entity, Mention, Quote
from db.queries import LEDE_CHARS, Titler, export_records, title_as_is
from db.sqlutil import aware
from db.textquery import InvalidQuery, TextQuery, check_id, check_value, parse

Order = Literal["relevance", "published", "stored", "oldest"]
ORDERS: tuple[Order, ...] = ("relevance", "published", "stored", "oldest")
MAX_LIMIT = 100
EXPORT_PAGE = MAX_LIMIT
MARK_START, MARK_END = "\ue000", "\ue001"  # around matched words in snippets; faces render them
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None
    entity: str | None = None  # a canonical name or any surface form of it
    entity_id: int | None = None
    label: str | None = None  # e.g. PERSON, ORG, GPE
    speaker: str | None = None  # a quoted speaker, by any name of theirs
    published_since: date | None = None
    published_until: date | None = None  # inclusive
    stored_since: date | None = None  # a day in UTC
    stored_until: date | None = None  # inclusive: the whole day, UTC
    language: str | None = None
    source_prefix: str | None = None  # a folder under the inbox, e.g. "reuters/"
    cluster_id: int | None = None
    originals_only: bool = False
    order: Order | None = None  # relevance when there is text, else stored (newest first)
    limit: int = 20
    cursor: str | None = None
    snippets: bool = True  # export has no use for them

    def filters_key(self) -> str:
        """What a cursor is bound to: the same question, not just the same order."""
        fields = {k: v for k, v in asdict(self).items() if k not in ("cursor", "limit", "snippets")}
        return hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Hit:
    id: int
    title: str | None
    published: str | None
    language: str | None
    source_path: str
    stored_at: datetime
    duplicate_of: int | None
    duplicate_kind: str | None
    cluster_id: int | None
    score: float | None
    snippet: str  # matched words between MARK_START and MARK_END
    display_title: str | None = None  # the title, or one derived from the lede (titler)
    title_derived: bool = False
    record: dict[str, object] | None = None  # the export record, when asked for (JSON faces)


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None


def search(
    session: Session, query: SearchQuery, titler: Titler = title_as_is, *, records: bool = False
) -> SearchPage:
    """One page of what `query` matches; with `records`, each hit carries its export record
    (DESIGN.md §3: the JSON faces answer with the export record's names)."""
    order = _order_of(query)
    _check_values(query)
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be 1 to {MAX_LIMIT}")
    textq = parse(query.text) if query.text else None
    dialect = session.get_bind().dialect.name
    score = _score(dialect, textq)
    key = _sort_key(order, score)
    columns: list[Any] = [Article] if score is None else [Article, score.label("score")]
    stmt: Select[Any] = select(*columns)
    stmt = _with_text(stmt, dialect, textq)
    stmt = stmt.where(*_filters(session, query))
    if query.cursor:
        after = _decode_cursor(query, order)
        stmt = stmt.where(
            tuple_(*key) > tuple_(*after) if order == "oldest" else tuple_(*key) < tuple_(*after)
        )
    ordered = (k.asc() if order == "oldest" else k.desc() for k in key)
    stmt = stmt.order_by(*ordered).limit(query.limit + 1)
    rows = session.execute(stmt).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    articles = [row[0] for row in rows]
    scores = [row[1] if score is not None else None for row in rows]
    snippets = _snippets(session, dialect, textq if query.snippets else None, articles)
    full = export_records(session, articles, titler) if records else [None] * len(articles)
    hits = [_hit(a, s, snippets, titler, r) for a, s, r in zip(articles, scores, full, strict=True)]
    cursor = _encode_cursor(query, order, hits[-1]) if more and hits else None
    return SearchPage(hits, cursor)


def _check_values(query: SearchQuery) -> None:
    for name in ("entity", "label", "speaker", "language", "source_prefix"):
        value = getattr(query, name)
        if value is not None:
            check_value(name, value)
    for name in ("entity_id", "cluster_id"):
        number = getattr(query, name)
        if number is not None:
            check_id(name, number)


def _order_of(query: SearchQuery) -> Order:
    order = query.order or ("relevance" if query.text else "stored")
    if order not in ORDERS:
        raise InvalidQuery(f"order must be one of {', '.join(ORDERS)}")
    if order == "relevance" and not query.text:
        raise InvalidQuery("relevance order needs a text query")
    return order


FTS5_TABLE = table("articles_fts", column("rowid"))


def _fts5() -> Any:
    """The FTS5 table's hidden column of its own name: what MATCH, bm25 and snippet take."""
    return literal_column("articles_fts")


def _score(dialect: str, textq: TextQuery | None) -> ColumnElement[float] | None:
    if textq is None:
        return None
    if dialect == "postgresql":
        # float8, not ts_rank_cd's float4: a float4 reaches Python rounded to its shortest
        # decimal, and the cursor's key would no longer equal the row's.
        rank = func.ts_rank_cd(literal_column("articles.search"), _tsquery(textq))
        return cast(rank, Double)
    # bm25 is lower for better matches; a title hit weighs ten body hits.
    return -func.bm25(_fts5(), 10.0, 1.0)


def _tsquery(textq: TextQuery) -> ColumnElement[Any]:
    return func.websearch_to_tsquery(text("'english'::regconfig"), textq.to_websearch())


def _with_text(stmt: Select[Any], dialect: str, textq: TextQuery | None) -> Select[Any]:
    if textq is None:
        return stmt
    if dialect == "postgresql":
        return stmt.where(literal_column("articles.search").op("@@")(_tsquery(textq)))
    stmt = stmt.join(FTS5_TABLE, FTS5_TABLE.c.rowid == Article.id)
    return stmt.where(_fts5().op("MATCH")(textq.to_fts5()))


def _sort_key(order: Order, score: ColumnElement[float] | None) -> list[Any]:
    if order == "relevance":
        assert score is not None
        return [score, Article.id]
    if order == "published":
        return [func.coalesce(Article.published, ""), Article.id]
    return [Article.id]


def _filters(session: Session, q: SearchQuery) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if q.entity is not None or q.entity_id is not None:
        ids = _entity_ids(session, q.entity, q.entity_id, None)
        out.append(_analysed_in(_articles_with(ids)))
    if q.label:  # a filter of its own: "mentions Vidal" and "mentions some ORG"
        labelled = select(Entity.id).where(Entity.label == q.label).scalar_subquery()
        out.append(_analysed_in(_articles_with(labelled)))
    if q.speaker:
        quoted = select(Quote.article_id).where(said_by(session, q.speaker))
        out.append(_analysed_in(quoted))
    out.extend(_date_filters(q))
    if q.language:
        out.append(func.lower(Article.language) == q.language.lower())
    if q.source_prefix:
        out.append(Article.source_path.startswith(q.source_prefix, autoescape=True))
    if q.cluster_id is not None:  # a cluster merged into an older one answers as that one
        out.append(Article.cluster_id == resolve_cluster(session, q.cluster_id))
    if q.originals_only:
        out.append(Article.duplicate_of.is_(None))
    return out


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _date_filters(q: SearchQuery) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if q.published_since:
        out.append(Article.published >= q.published_since.isoformat())
    if q.published_until:  # inclusive: anything on that day, date or datetime
        out.append(Article.published < (q.published_until + timedelta(days=1)).isoformat())
    if q.stored_since:
        out.append(Article.created_at >= _utc_start(q.stored_since))
    if q.stored_until:
        out.append(Article.created_at < _utc_start(q.stored_until + timedelta(days=1)))
    return out


def _articles_with(entity_ids: Any) -> Select[Any]:
    return select(ArticleEntity.article_id).where(ArticleEntity.entity_id.in_(entity_ids))


def _analysed_in(article_ids: Select[Any]) -> ColumnElement[bool]:
    """An exact copy is analysed as its canonical: it matches what its canonical matches.

    One IN over a UNION, not an OR of two INs: with the OR PostgreSQL walked the whole
    articles index testing each row (30 ms at 20k articles); this lets it join from the ids.
    """
    copy = aliased(Article)  # not the outer query's row: a subquery of its own
    copies = select(copy.id).where(
        copy.duplicate_kind == "exact", copy.duplicate_of.in_(article_ids.scalar_subquery())
    )
    return Article.id.in_(union(article_ids, copies).scalar_subquery())


def _entity_ids(
    session: Session, name: str | None, entity_id: int | None, label: str | None
) -> list[int]:
    """The entities a name stands for: by canonical name or by any surface form."""
    if entity_id is not None:
        found: Select[Any] = select(Entity.id).where(Entity.id == entity_id)
    else:
        assert name is not None
        lowered = name.strip().lower()
        # A UNION of two index lookups: an OR of the two made PostgreSQL scan `entities`.
        found = (
            union(
                select(Entity.id).where(func.lower(Entity.canonical) == lowered),
                select(Mention.entity_id).where(func.lower(Mention.text) == lowered),
            )
            .subquery()
            .select()
        )
    ids = list(session.scalars(found))
    if label and ids:
        ids = list(
            session.scalars(select(Entity.id).where(Entity.id.in_(ids), Entity.label == label))
        )
    return ids


def said_by(session: Session, speaker: str) -> ColumnElement[bool]:
    """Quotations by a person under any of their names: linked to their entity, or with a
    speaker string that is one of its names ("Ms Ardern" finds "Jacinda Ardern"'s quotes)."""
    ids = _entity_ids(session, speaker, None, "PERSON")
    names = {speaker.strip().lower()}
    if ids:
        canonical = select(Entity.canonical).where(Entity.id.in_(ids))
        names.update(n.lower() for n in session.scalars(canonical))
        surfaces = select(Mention.text).where(Mention.entity_id.in_(ids)).distinct()
        names.update(n.lower() for n in session.scalars(surfaces))
    by_name = func.lower(Quote.speaker).in_(sorted(names))
    return or_(by_name, Quote.speaker_entity_id.in_(ids)) if ids else by_name


def _snippets(
    session: Session, dialect: str, textq: TextQuery | None, articles: Sequence[Article]
) -> dict[int, str]:
    if textq is None or not articles:
        return {a.id: a.body[:SNIPPET_CHARS] for a in articles}
    ids = [a.id for a in articles]
    if dialect == "postgresql":
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=12"
        config = text("'english'::regconfig")
        made = func.ts_headline(config, Article.body, _tsquery(textq), options)
        stmt = select(Article.id, made).where(Article.id.in_(ids))
    else:
        made = func.snippet(_fts5(), 1, MARK_START, MARK_END, "…", 24)
        stmt = (
            select(Article.id, made)
            .join(FTS5_TABLE, FTS5_TABLE.c.rowid == Article.id)
            .where(_fts5().op("MATCH")(textq.to_fts5()), Article.id.in_(ids))
        )
    found: dict[int, str] = {i: s for i, s in session.execute(stmt).tuples()}
    return {a.id: found.get(a.id) or a.body[:SNIPPET_CHARS] for a in articles}


def _hit(
    article: Article,
    score: float | None,
    snippets: dict[int, str],
    titler: Titler,
    record: dict[str, object] | None,
) -> Hit:
    shown, derived = titler(article.title, article.body[:LEDE_CHARS])
    return Hit(
        id=article.id,
        title=article.title,
        published=article.published,
        language=article.language,
        source_path=article.source_path,
        stored_at=aware(article.created_at),
        duplicate_of=article.duplicate_of,
        duplicate_kind=article.duplicate_kind,
        cluster_id=article.cluster_id,
        score=None if score is None else float(score),
        snippet=snippets.get(article.id, ""),
        display_title=shown,
        title_derived=derived,
        record=record,
    )


def _key_of(order: Order, hit: Hit) -> list[Any]:
    if order == "relevance":
        return [hit.score, hit.id]
    if order == "published":
        return [hit.published or "", hit.id]
    return [hit.id]


def _encode_cursor(query: SearchQuery, order: Order, last: Hit) -> str:
    payload = {"o": order, "q": query.filters_key(), "k": _key_of(order, last)}
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _decode_cursor(query: SearchQuery, order: Order) -> list[Any]:
    assert query.cursor is not None
    try:
        raw = base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4))
        payload = json.loads(raw)
        key = payload["k"]
        shape = _key_shape(order)
        fits = payload["o"] == order and isinstance(key, list) and len(key) == len(shape)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidQuery("cursor is not one this service gave out") from exc
    if not fits or not all(isinstance(v, t) for v, t in zip(key, _key_shape(order), strict=True)):
        raise InvalidQuery("cursor is not one this service gave out")
    if payload.get("q") != query.filters_key():
        raise InvalidQuery("cursor belongs to another query: repeat the query without it")
    return list(key)


def _key_shape(order: Order) -> tuple[type | tuple[type, ...], ...]:
    if order == "relevance":
        return ((int, float), int)
    if order == "published":
        return (str, int)
    return (int,)


def export_matching(
    session: Session, query: SearchQuery, titler: Titler = title_as_is
) -> Iterator[dict[str, object]]:
    """The export record of every article a query matches, oldest first, a page at a time
    (memory stays flat whatever the store's size)."""
    query = replace(query, order="oldest", limit=EXPORT_PAGE, cursor=None, snippets=False)
    while True:
        page = search(session, query)
        ids = [hit.id for hit in page.hits]
        articles = session.scalars(select(Article).where(Article.id.in_(ids)).order_by(Article.id))
        yield from export_records(session, list(articles), titler)
        session.expunge_all()  # nothing of a written page stays in the session
        if page.next_cursor is None:
            return
        query = replace(query, cursor=page.next_cursor)
