"""Storing an article: duplicate lookup under one lock, then article, analysis and bands.

Every function takes a session and never commits: a task's whole effect lands in one commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    SmallInteger,
    String,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from db.clusters import merge_clusters
from db.models import Article, ArticleEntity, Band, Entity, LedgerEntry, Mention, Quote
from db.sqlutil import chunks, insert_ignore, insert_rows, pair_in
from pipelines.fingerprint import (
    SCHEME,
    cover_pair,
    is_copy,
    signature_to_bytes,
    verify_grams,
)
from pipelines.records import Analysis, ArticleDraft, Fingerprint

# Any constant works; it names the one lock that serialises duplicate decisions on PostgreSQL.
_DEDUP_LOCK_KEY = 0x44_57_44_55_50  # "DWDUP"


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    canonical_id: int
    kind: str  # "exact" or "near"
    similarity: float
    # Near copies only: every other cluster the article verified against (a bridging copy);
    # they merge into `canonical_id`, the oldest.
    merged: tuple[int, ...] = ()


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


def _lookup_statement(dialect: str) -> CompoundSelect[str, int, int | None, str, int, int]:
    """The earliest exact copy, the band hits and the hit articles' bodies, in one round
    trip: each statement cost ~0.2 ms of SQLAlchemy, driver and network, about what the server
    spends on the whole lookup (bench/dedup_db.py, docs/dedup.md).

    Band hits are looked up by key alone (the index holds nothing else; keys are salted per
    band) and their band is checked by the caller. Each candidate's body (what `verify`
    compares) comes back once, however many of its bands match.
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
    no_body = cast(null(), Text)
    return union_all(
        select(
            _kind(_EXACT),
            Article.id,
            Article.cluster_id,
            no_body,
            cast(null(), SmallInteger),
            cast(null(), BigInteger),
        ).where(Article.id == first),
        select(_kind(_HIT), hits.c.article_id, null(), no_body, hits.c.band, hits.c.key),
        select(
            _kind(_CANDIDATE), Article.id, Article.cluster_id, Article.body, null(), null()
        ).where(Article.id.in_(select(hits.c.article_id)), Article.fingerprint_scheme == SCHEME),
    )


def _kind(name: str) -> ColumnElement[str]:
    return literal_column(f"'{name}'", String)


# Built once per dialect: building it took ~0.6 ms, more than running it.
_LOOKUP = {dialect: _lookup_statement(dialect) for dialect in ("postgresql", "sqlite")}


def find_duplicate(
    session: Session, fp: Fingerprint, body: str, threshold: float
) -> DuplicateLink | None:
    """Exact copy first; else every stored article sharing an LSH band whose text verifies
    as a copy of `body` (`pipelines.fingerprint.is_copy`), grouped by cluster."""
    statement = _LOOKUP[session.get_bind().dialect.name]
    rows = session.execute(statement, {"exact": fp.exact, "keys": list(fp.bands)}).all()
    wanted = set(enumerate(fp.bands))
    ids: set[int] = set()
    candidates: list[tuple[int, int | None, str]] = []
    for kind, article_id, cluster_id, text_, band, key in rows:
        if kind == _EXACT:
            return DuplicateLink(cluster_id or article_id, "exact", 1.0)
        if kind == _HIT and (band, key) in wanted:
            ids.add(article_id)
        elif kind == _CANDIDATE:
            candidates.append((article_id, cluster_id, text_))
    return _verified_link(body, [c for c in candidates if c[0] in ids], threshold)


def _verified_link(
    body: str, candidates: Sequence[tuple[int, int | None, str]], threshold: float
) -> DuplicateLink | None:
    """The oldest verified cluster, the best coverage seen, the other clusters to merge.

    One verified member is enough for a cluster: the rest of a big cluster (a wire story and
    its hundred re-publications) is not read, canonicals (oldest members) first.
    """
    if not candidates:
        return None
    grams = verify_grams(body)
    best: dict[int, float] = {}
    for article_id, cluster_id, text_ in sorted(candidates, key=lambda c: c[0]):
        if (cluster_id or article_id) in best:
            continue
        cover = cover_pair(grams, verify_grams(text_))
        if is_copy(cover, threshold):
            cluster = cluster_id or article_id
            best[cluster] = max(best.get(cluster, 0.0), max(cover))
    if not best:
        return None
    oldest, *others = sorted(best)
    return DuplicateLink(oldest, "near", max(best.values()), tuple(others))


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
) -> Article:
    """Store one article with its entities, quotes and duplicate link (the ledger row's state
    is `db.ledger.store`'s, in the same transaction).

    Idempotent: a second call for the same ledger row returns the stored article. With
    `analysis` None the article is an exact copy and borrows its canonical's analysis.
    """
    existing = article_for_ledger(session, row.id)
    if existing is not None:
        return existing
    lock_dedup(session)
    link = find_duplicate(session, fp, draft.body, threshold)
    article = _new_article(row, draft, fp, now)
    if link is not None:
        article.duplicate_of = link.canonical_id
        article.duplicate_kind = link.kind
        article.similarity = link.similarity
        article.cluster_id = link.canonical_id
    session.add(article)
    session.flush()
    if link is None:
        article.cluster_id = article.id
    elif link.merged:  # a bridging copy: its clusters become one, the oldest id stays
        merge_clusters(session, link.canonical_id, link.merged, now, by=article.id)
    if link is None or link.kind == "near":
        # Exact copies add nothing to the index: their text is already there.
        bands = [{"article_id": article.id, "band": i, "key": k} for i, k in enumerate(fp.bands)]
        insert_rows(session, Band, bands)
    if analysis is not None:
        _store_analysis(session, article.id, analysis)
    return article


def _new_article(row: LedgerEntry, draft: ArticleDraft, fp: Fingerprint, now: datetime) -> Article:
    return Article(
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


def _store_analysis(session: Session, article_id: int, analysis: Analysis) -> None:
    # A person speaker NER never tagged as such ("Kylie Morrow's mother Elizabeth" →
    # Elizabeth Morrow) still gets an entity row, so every person's quotes link to one.
    speakers = {("PERSON", q.speaker) for q in analysis.quotes if q.speaker_kind == "person"}
    keys = sorted({(m.label, m.canonical) for m in analysis.mentions} | _named(speakers))
    ids = _entity_ids(session, keys)
    counts = Counter((m.label, m.canonical) for m in analysis.mentions)
    # Plain multi-row INSERTs: no ORM objects, no ids read back (the flush of ~180 objects
    # an article was about half of the store time, bench/db_store.py).
    insert_rows(
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
    insert_rows(session, Mention, mentions)
    quotes = [
        {
            "article_id": article_id,
            "text": q.text,
            "speaker": q.speaker,
            "start": q.start,
            "end": q.end,
            "scare": q.scare,
            "confidence": q.confidence,
            "speaker_entity_id": ids.get(("PERSON", q.speaker or ""))
            if q.speaker_kind == "person"
            else None,
        }
        for q in analysis.quotes
    ]
    insert_rows(session, Quote, quotes)


def _named(keys: set[tuple[str, str | None]]) -> set[tuple[str, str]]:
    return {(label, name) for label, name in keys if name}


def _entity_ids(session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Upsert (label, canonical) rows; concurrent workers may insert the same entity."""
    insert_ignore(session, Entity, [{"label": lbl, "canonical": can} for lbl, can in keys])
    wanted = set(keys)
    found: dict[tuple[str, str], int] = {}
    for chunk in chunks(keys, 400):
        query = select(Entity.id, Entity.label, Entity.canonical).where(
            *pair_in(Entity.label, Entity.canonical, chunk)
        )
        for entity_id, label, canonical in session.execute(query):
            if (label, canonical) in wanted:
                found[(label, canonical)] = entity_id
    return found
