"""Idempotent writes and the queries the rest of the code needs.

Every function takes a session and never commits: the caller owns the transaction, so a
task's whole effect lands in one commit or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    LargeBinary,
    SmallInteger,
    String,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    null,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Article, ArticleEntity, Band, Entity, LedgerEntry, Mention, Quote, State
from pipelines.fingerprint import (
    SCHEME,
    signature_from_bytes,
    signature_to_bytes,
    similarity,
)
from pipelines.records import Analysis, ArticleDraft, Fingerprint

# Any constant works; it names the one lock that serialises duplicate decisions on PostgreSQL.
_DEDUP_LOCK_KEY = 0x44_57_44_55_50  # "DWDUP"
_T = TypeVar("_T")


# --------------------------------------------------------------------------- ledger


@dataclass(frozen=True, slots=True)
class SeenFile:
    source_path: str
    sha256: str
    size: int


def _insert_or_skip(session: Session, model: type[object]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()


def _insert_ignore(session: Session, model: type[object], rows: list[dict[str, object]]) -> None:
    if rows:
        session.execute(_insert_or_skip(session, model), rows)


class Registered(NamedTuple):
    id: int
    source_path: str
    sha256: str
    state: str


def register_files(session: Session, files: Sequence[SeenFile], now: datetime) -> list[Registered]:
    """Record each file once per (path, content); return their ledger rows, old or new.

    Plain tuples, not ORM rows: the watcher registers thousands a second in a burst.
    """
    rows: list[dict[str, object]] = [
        {
            "source_path": f.source_path,
            "sha256": f.sha256,
            "size": f.size,
            "item": 0,
            "state": State.PENDING,
            "attempts": 0,
            "tries": 0,
            "seen_at": now,
            "updated_at": now,
        }
        for f in files
    ]
    if not rows:
        return []
    columns = (LedgerEntry.id, LedgerEntry.source_path, LedgerEntry.sha256, LedgerEntry.state)
    inserted = _insert_or_skip(session, LedgerEntry).returning(*columns)
    # RETURNING names the new rows; only files seen before need a second query.
    found = [Registered(*r) for r in session.execute(inserted, rows)]
    keys = {(f.source_path, f.sha256) for f in files} - {(r[1], r[2]) for r in found}
    for chunk in _chunks(sorted(keys), 400):
        query = select(*columns).where(
            LedgerEntry.item == 0, *_pair_in(LedgerEntry.source_path, LedgerEntry.sha256, chunk)
        )
        found.extend(Registered(*r) for r in session.execute(query) if (r[1], r[2]) in keys)
    return found


def _pair_in(first: Any, second: Any, pairs: Sequence[tuple[Any, Any]]) -> tuple[Any, Any]:
    """`first IN (…) AND second IN (…)`: a superset of the pairs, filtered by the caller.

    A row-value `(a, b) IN (…)` makes SQLite scan the whole table; two plain INs use the
    composite index on both columns.
    """
    return first.in_({a for a, _ in pairs}), second.in_({b for _, b in pairs})


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def pending_ids(session: Session, limit: int) -> list[int]:
    """Rows recorded but not yet on a queue (the watcher's outbox), oldest first."""
    query = (
        select(LedgerEntry.id)
        .where(LedgerEntry.state == State.PENDING)
        .order_by(LedgerEntry.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_queued(session: Session, ids: Iterable[int], now: datetime) -> None:
    id_list = list(ids)
    if not id_list:
        return
    session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id.in_(id_list), LedgerEntry.state == State.PENDING)
        .values(state=State.QUEUED, queued_at=now, updated_at=now)
    )


def claim(session: Session, ledger_id: int, stage: str, now: datetime) -> LedgerEntry | None:
    """Take a row for `stage` ("ingest" or "nlp"), counting the delivery.

    Returns None when there is nothing to do: the row is finished, or belongs to the other
    stage (a stale redelivery). Committed by the caller before any parsing, so a file that
    kills its worker is still counted (celery#6103 ignores the redelivered flag).
    """
    row = session.get(LedgerEntry, ledger_id, with_for_update=True)
    if row is None or row.state in State.TERMINAL:
        return None
    expected = {State.NLP} if stage == "nlp" else {State.PENDING, State.QUEUED, State.PROCESSING}
    if row.state not in expected:
        return None
    row.attempts += 1
    row.tries += 1
    row.started_at = now
    row.updated_at = now
    if stage == "ingest":
        row.state = State.PROCESSING
    return row


def to_nlp(session: Session, row: LedgerEntry, draft_json: str, now: datetime) -> None:
    row.state = State.NLP
    row.tries = 0
    row.draft = draft_json
    row.queued_at = now
    row.updated_at = now


def add_items(
    session: Session, parent: LedgerEntry, drafts_json: Sequence[tuple[int, str]], now: datetime
) -> list[LedgerEntry]:
    """Give each article of a multi-article file its own ledger row (idempotent)."""
    rows: list[dict[str, object]] = [
        {
            "source_path": parent.source_path,
            "sha256": parent.sha256,
            "size": parent.size,
            "item": item,
            "parent_id": parent.id,
            "state": State.NLP,
            "attempts": 0,
            "tries": 0,
            "draft": draft,
            "seen_at": parent.seen_at,
            "queued_at": now,
            "updated_at": now,
        }
        for item, draft in drafts_json
    ]
    _insert_ignore(session, LedgerEntry, rows)
    parent.state = State.SPLIT
    parent.finished_at = now
    parent.updated_at = now
    return list(
        session.scalars(
            select(LedgerEntry).where(LedgerEntry.parent_id == parent.id).order_by(LedgerEntry.item)
        )
    )


def mark_failed(
    session: Session,
    row: LedgerEntry,
    code: str,
    reason: str,
    now: datetime,
    stored_path: str | None = None,
) -> None:
    row.state = State.FAILED
    row.reason_code = code
    row.reason = reason
    row.finished_at = now
    row.updated_at = now
    if stored_path is not None:
        row.stored_path = stored_path


def siblings_unfinished(session: Session, parent_id: int) -> int:
    query = select(func.count()).where(
        LedgerEntry.parent_id == parent_id, LedgerEntry.state.not_in(State.TERMINAL)
    )
    return int(session.scalar(query) or 0)


def stuck_entries(session: Session, older_than: datetime, limit: int) -> list[LedgerEntry]:
    """In-flight rows untouched since `older_than`: their message was probably lost; and
    `pending` rows as old, which no outbox managed to publish."""
    states = [*State.IN_FLIGHT, State.PENDING]
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.state.in_(states), LedgerEntry.updated_at < older_than)
        .order_by(LedgerEntry.updated_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def touch(session: Session, ids: Iterable[int], now: datetime) -> None:
    id_list = list(ids)
    if id_list:
        session.execute(
            update(LedgerEntry).where(LedgerEntry.id.in_(id_list)).values(updated_at=now)
        )


def failed_entries(session: Session) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.state == State.FAILED).order_by(LedgerEntry.id)
    return list(session.scalars(query))


def reset_for_retry(
    session: Session, ids: Sequence[int] | None, now: datetime
) -> list[LedgerEntry]:
    """Put failed rows (all of them when `ids` is None) back to pending for another round."""
    query = select(LedgerEntry).where(LedgerEntry.state == State.FAILED)
    if ids is not None:
        query = query.where(LedgerEntry.id.in_(list(ids)))
    rows = list(session.scalars(query))
    for row in rows:
        # An article of a multi-article file goes straight back to NLP with its stored draft.
        row.state = State.NLP if row.draft is not None and row.parent_id else State.PENDING
        row.tries = 0
        row.reason_code = None
        row.reason = None
        row.finished_at = None
        row.updated_at = now
    return rows


# --------------------------------------------------------------------------- articles


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    canonical_id: int
    kind: str  # "exact" or "near"
    similarity: float


def lock_dedup(session: Session) -> None:
    """Serialise duplicate decisions so two near-copies stored at once still see each other.

    SQLite writers already hold the database lock (BEGIN IMMEDIATE); PostgreSQL takes a
    transaction-scoped advisory lock, released at commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _DEDUP_LOCK_KEY})


def find_exact(session: Session, content_hash: str) -> Article | None:
    query = (
        select(Article).where(Article.content_hash == content_hash).order_by(Article.id).limit(1)
    )
    return session.scalar(query)


# find_duplicate's rows, told apart by their first column.
_EXACT, _HIT, _CANDIDATE = "exact", "hit", "candidate"


def _lookup_statement(dialect: str) -> CompoundSelect[str, int, int | None, bytes, int, int]:
    """The earliest exact copy, the band hits and the hit articles' signatures, in one round
    trip: each statement cost ~0.2 ms of SQLAlchemy, driver and network, about what the server
    spends on the whole lookup (bench/dedup_db.py, docs/dedup.md).

    Band hits are looked up by key alone (the index holds nothing else; keys are salted per
    band) and their band is checked by the caller. Each candidate's 512-byte signature comes
    back once, however many of its bands match.
    """
    if dialect == "postgresql":
        # One array parameter instead of an IN list of 42: cheaper to bind and to plan.
        matches = Band.key == any_(bindparam("keys", type_=postgresql.ARRAY(BigInteger)))
    else:
        matches = Band.key.in_(bindparam("keys", expanding=True))
    hits = select(Band.article_id, Band.band, Band.key).where(matches).cte("hits")
    first = (
        select(func.min(Article.id))
        .where(Article.content_hash == bindparam("exact"))
        .scalar_subquery()
    )
    no_signature = cast(null(), LargeBinary)
    return union_all(
        select(
            _kind(_EXACT),
            Article.id,
            Article.cluster_id,
            no_signature,
            cast(null(), SmallInteger),
            cast(null(), BigInteger),
        ).where(Article.id == first),
        select(_kind(_HIT), hits.c.article_id, null(), no_signature, hits.c.band, hits.c.key),
        select(
            _kind(_CANDIDATE), Article.id, Article.cluster_id, Article.signature, null(), null()
        ).where(Article.id.in_(select(hits.c.article_id)), Article.fingerprint_scheme == SCHEME),
    )


def _kind(name: str) -> ColumnElement[str]:
    return literal_column(f"'{name}'", String)


# Built once per dialect: building it took ~0.6 ms, more than running it.
_LOOKUP = {dialect: _lookup_statement(dialect) for dialect in ("postgresql", "sqlite")}


def find_duplicate(session: Session, fp: Fingerprint, threshold: float) -> DuplicateLink | None:
    """Exact copy first; else the most similar stored article sharing an LSH band."""
    statement = _LOOKUP[session.get_bind().dialect.name]
    rows = session.execute(statement, {"exact": fp.exact, "keys": list(fp.bands)}).all()
    wanted = set(enumerate(fp.bands))
    ids: set[int] = set()
    candidates: list[tuple[int, int | None, bytes]] = []
    for kind, article_id, cluster_id, signature, band, key in rows:
        if kind == _EXACT:
            return DuplicateLink(cluster_id or article_id, "exact", 1.0)
        if kind == _HIT and (band, key) in wanted:
            ids.add(article_id)
        elif kind == _CANDIDATE:
            candidates.append((article_id, cluster_id, signature))
    best: DuplicateLink | None = None
    for article_id, cluster_id, signature in candidates:
        if article_id not in ids:
            continue
        sim = similarity(fp.signature, signature_from_bytes(signature))
        if sim < threshold:
            continue
        link = DuplicateLink(cluster_id or article_id, "near", sim)
        # The earliest canonical wins; among its members, report the closest similarity.
        if best is None or (link.canonical_id, -link.similarity) < (
            best.canonical_id,
            -best.similarity,
        ):
            best = link
    return best


def article_for_ledger(session: Session, ledger_id: int) -> Article | None:
    return session.scalar(select(Article).where(Article.ledger_id == ledger_id))


def store_article(
    session: Session,
    row: LedgerEntry,
    draft: ArticleDraft,
    fp: Fingerprint,
    analysis: Analysis | None,
    *,
    threshold: float,
    now: datetime,
    stored_path: str | None,
) -> Article:
    """Store one article with its entities, quotes, duplicate link and ledger state.

    Idempotent: a second call for the same ledger row returns the stored article. With
    `analysis` None the article is an exact copy and borrows its canonical's analysis.
    """
    existing = article_for_ledger(session, row.id)
    if existing is not None:
        return existing
    lock_dedup(session)
    link = find_duplicate(session, fp, threshold)
    article = Article(
        ledger_id=row.id,
        source_path=row.source_path,
        sha256=row.sha256,
        content_hash=fp.exact,
        title=draft.title,
        byline=draft.byline,
        published=draft.published,
        language=draft.language,
        dateline=draft.dateline,
        caption=draft.caption,
        source=draft.source,
        url=draft.url,
        body=draft.body,
        word_count=draft.word_count,
        signature=signature_to_bytes(fp.signature),
        fingerprint_scheme=SCHEME,
        created_at=now,
    )
    if link is not None:
        article.duplicate_of = link.canonical_id
        article.duplicate_kind = link.kind
        article.similarity = link.similarity
        article.cluster_id = link.canonical_id
    session.add(article)
    session.flush()
    if link is None:
        article.cluster_id = article.id
    if link is None or link.kind == "near":
        # Exact copies add nothing to the index: their text is already there.
        bands = [{"article_id": article.id, "band": i, "key": k} for i, k in enumerate(fp.bands)]
        _insert_rows(session, Band, bands)
    if analysis is not None:
        _store_analysis(session, article.id, analysis)
    row.state = State.DONE
    row.finished_at = now
    row.updated_at = now
    row.draft = None
    if stored_path is not None:
        row.stored_path = stored_path
    return article


def _store_analysis(session: Session, article_id: int, analysis: Analysis) -> None:
    keys = sorted({(m.label, m.canonical) for m in analysis.mentions})
    ids = _entity_ids(session, keys)
    counts = Counter((m.label, m.canonical) for m in analysis.mentions)
    # Plain multi-row INSERTs: no ORM objects, no ids read back (the flush of ~180 objects
    # an article was about half of the store time, bench/db_store.py).
    _insert_rows(
        session,
        ArticleEntity,
        [{"article_id": article_id, "entity_id": ids[k], "count": n} for k, n in counts.items()],
    )
    mentions = [
        {
            "article_id": article_id,
            "entity_id": ids[(m.label, m.canonical)],
            "text": m.text,
            "start": m.start,
            "end": m.end,
        }
        for m in analysis.mentions
    ]
    _insert_rows(session, Mention, mentions)
    quotes = [
        {
            "article_id": article_id,
            "text": q.text,
            "speaker": q.speaker,
            "start": q.start,
            "end": q.end,
            "scare": q.scare,
        }
        for q in analysis.quotes
    ]
    _insert_rows(session, Quote, quotes)


def _insert_rows(session: Session, model: type[object], rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        session.execute(insert(model), rows)


def _entity_ids(session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Upsert (label, canonical) rows; concurrent workers may insert the same entity."""
    _insert_ignore(session, Entity, [{"label": lbl, "canonical": can} for lbl, can in keys])
    wanted = set(keys)
    found: dict[tuple[str, str], int] = {}
    for chunk in _chunks(keys, 400):
        query = select(Entity.id, Entity.label, Entity.canonical).where(
            *_pair_in(Entity.label, Entity.canonical, chunk)
        )
        for entity_id, label, canonical in session.execute(query):
            if (label, canonical) in wanted:
                found[(label, canonical)] = entity_id
    return found


# --------------------------------------------------------------------------- reading


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
        out.append(max(0.0, (_aware(finished) - _aware(seen)).total_seconds()))
    return out


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; all we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def entries_for_paths(session: Session, paths: Sequence[str]) -> list[LedgerEntry]:
    """Every ledger row (items of multi-article files included) of these source paths."""
    found: list[LedgerEntry] = []
    for chunk in _chunks(list(paths), 400):
        found.extend(session.scalars(select(LedgerEntry).where(LedgerEntry.source_path.in_(chunk))))
    return found


def articles_for_ledgers(session: Session, ledger_ids: Sequence[int]) -> list[Article]:
    found: list[Article] = []
    for chunk in _chunks(list(ledger_ids), 400):
        found.extend(session.scalars(select(Article).where(Article.ledger_id.in_(chunk))))
    return found


# ---- monitor queries (read-only: the status snapshot and the dashboard)


def files_seen(session: Session) -> int:
    """Files the watcher recorded (articles of multi-article files are not files)."""
    query = select(func.count()).where(LedgerEntry.parent_id.is_(None))
    return int(session.scalar(query) or 0)


def last_stored_at(session: Session) -> datetime | None:
    found = session.scalar(
        select(func.max(LedgerEntry.finished_at)).where(LedgerEntry.state == State.DONE)
    )
    return None if found is None else _aware(found)


def unfinished_paths(session: Session) -> tuple[set[str], datetime | None]:
    """Source paths of rows not yet finished, and when the oldest of them was seen."""
    query = select(LedgerEntry.source_path, LedgerEntry.seen_at).where(
        LedgerEntry.state.not_in(State.TERMINAL)
    )
    paths: set[str] = set()
    oldest: datetime | None = None
    for path, seen in session.execute(query).tuples():
        paths.add(path)
        seen = _aware(seen)
        oldest = seen if oldest is None or seen < oldest else oldest
    return paths, oldest


def known_paths(session: Session, paths: Sequence[str]) -> set[str]:
    """Which of these source paths the ledger holds at all."""
    found: set[str] = set()
    for chunk in _chunks(list(paths), 400):
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
            "created_at": _aware(a.created_at).isoformat(),
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
            "failed_at": _aware(r.finished_at).isoformat() if r.finished_at else None,
        }
        for r in session.scalars(query)
    ]
