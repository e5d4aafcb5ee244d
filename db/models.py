"""SQLAlchemy 2.0 models.

`ledger` has one row per accepted file (and per article inside a multi-article file): it is
the source of truth for what was seen, sent, stored or failed. `articles` has one row per
stored article, duplicates included; a duplicate points at its canonical article.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class State:
    """Ledger states. A row only moves forward, except `failed` → `pending` on retry."""

    PENDING = "pending"  # seen and recorded, not yet on a queue (e.g. Redis was down)
    QUEUED = "queued"  # sent to the ingest queue
    PROCESSING = "processing"  # an ingest worker took it
    NLP = "nlp"  # read and new: sent to the nlp queue
    SPLIT = "split"  # a multi-article file: its articles have ledger rows of their own
    DONE = "done"
    FAILED = "failed"

    TERMINAL = frozenset({DONE, FAILED, SPLIT})
    IN_FLIGHT = frozenset({QUEUED, PROCESSING, NLP})


class LedgerEntry(Base):
    __tablename__ = "ledger"
    __table_args__ = (
        UniqueConstraint("source_path", "sha256", "item", name="uq_ledger_file_item"),
        Index("ix_ledger_state_updated", "state", "updated_at"),
        Index("ix_ledger_finished", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_path: Mapped[str] = mapped_column(Text)  # relative to the inbox, POSIX separators
    # The name's bytes when they are not UTF-8 (`source_path` then shows them as \xNN):
    # what the file is opened and moved by.
    source_raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))  # of the whole file's bytes
    size: Mapped[int] = mapped_column(BigInteger)
    item: Mapped[int] = mapped_column(Integer, default=0)  # article number inside the file
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("ledger.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=State.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # deliveries ever, for operators
    # Deliveries in the current stage since the last retry: what the poison-file limit counts.
    tries: Mapped[int] = mapped_column(Integer, default=0)
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    stored_path: Mapped[str | None] = mapped_column(Text)  # where the file is now, if moved
    draft: Mapped[str | None] = mapped_column(Text)  # the read article (JSON) between stages
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    nlp_seconds: Mapped[float | None] = mapped_column(Float)
    # The worker node that holds the row now (processing, or nlp being analysed): when that
    # node stops heart-beating, the row is sent again (db.nodes, workers.recovery).
    claimed_by: Mapped[str | None] = mapped_column(String(255))


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledger.id"), unique=True)
    source_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))  # of the source file
    content_hash: Mapped[str] = mapped_column(String(64), index=True)  # normalised body
    title: Mapped[str | None] = mapped_column(Text)  # Text: no 255-character cap on titles
    byline: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(16))
    dateline: Mapped[str | None] = mapped_column(Text)
    caption: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)  # MinHash, for near-duplicate checks
    # Signatures of different fingerprint schemes are not comparable: a change of parameters
    # must not link articles by accident (pipelines.fingerprint.SCHEME).
    fingerprint_scheme: Mapped[str] = mapped_column(String(64), default="")
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    duplicate_kind: Mapped[str | None] = mapped_column(String(8))  # "exact" or "near"
    similarity: Mapped[float | None] = mapped_column(Float)
    cluster_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    mentions: Mapped[list[Mention]] = relationship(back_populates="article")
    quotes: Mapped[list[Quote]] = relationship(back_populates="article")


class Entity(Base):
    """One row per (label, canonical name) across all articles."""

    __tablename__ = "entities"
    __table_args__ = (UniqueConstraint("label", "canonical", name="uq_entity_label_canonical"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(32))
    canonical: Mapped[str] = mapped_column(Text)


class ArticleEntity(Base):
    """How often an article mentions an entity: "all articles that mention X" is one join."""

    __tablename__ = "article_entities"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer)


class Mention(Base):
    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)

    article: Mapped[Article] = relationship(back_populates="mentions")


class Quote(Base):
    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    scare: Mapped[bool] = mapped_column(Boolean, default=False)
    # How likely the speaker is right (the rules' measured precision), 0 when there is none.
    confidence: Mapped[float | None] = mapped_column(Float)
    # The speaker's row in `entities` when the speaker is a person the article names: how
    # a query finds every quote of one person by any of their names.
    speaker_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)

    article: Mapped[Article] = relationship(back_populates="quotes")


class Band(Base):
    """LSH band keys of every canonical-candidate article: the near-duplicate index."""

    __tablename__ = "bands"
    # Key only: keys are salted per band, so the key finds the row, and a lookup that matches
    # nothing (most of them) never visits the table. With band and article_id in it the index
    # was 40% bigger (1.26 vs 0.90 GB at 1M articles on PostgreSQL) and no faster.
    __table_args__ = (Index("ix_bands_key", "key"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)


class ClusterMerge(Base):
    """A cluster id that no longer names a cluster: a bridging copy merged it into `into_id`.

    Cluster ids are the oldest canonical's article id, so the older cluster keeps its id and
    the younger one redirects here; chains are flattened as they form (`into_id` is always a
    live cluster id).
    """

    __tablename__ = "cluster_merges"

    old_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    into_id: Mapped[int] = mapped_column(Integer, index=True)
    by_article_id: Mapped[int | None] = mapped_column(Integer)  # the bridging copy
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Node(Base):
    """A Celery worker node and its heartbeat: whether the rows it claimed are still held."""

    __tablename__ = "nodes"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    queues: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
