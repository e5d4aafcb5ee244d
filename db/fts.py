"""Full-text search kept by the database itself, in the same transaction as the article.

PostgreSQL: a stored generated `tsvector` column on `articles` (title weighted above body)
with a GIN index. SQLite: an FTS5 table over `articles` (external content, porter stemming)
kept by triggers. Neither is in the ORM models: the ORM never writes them, the database does,
so an article is searchable the moment its transaction commits and never before.

A later SQLite migration that *recreates* `articles` (alembic batch mode with a table copy)
drops these triggers with the old table: it must run SQLITE_UPGRADE's triggers again.
"""

from __future__ import annotations

from collections.abc import Iterable

# PostgreSQL's tsvector holds at most 1 MB: a longer body would make the article's INSERT
# fail. Index the first 100,000 characters (a very long article); the body is kept whole.
PG_INDEXED_CHARS = 100_000
PG_CONFIG = "english"

# Name lookups compare lowercased: a speaker or entity by any spelling of its case.
LOOKUP_INDEXES = (
    "CREATE INDEX ix_mentions_text_lower ON mentions (lower(text))",
    "CREATE INDEX ix_quotes_speaker_lower ON quotes (lower(speaker))",
    "CREATE INDEX ix_entities_canonical_lower ON entities (lower(canonical))",
)
LOOKUP_DROPS = tuple(
    f"DROP INDEX IF EXISTS {name}"
    for name in ("ix_mentions_text_lower", "ix_quotes_speaker_lower", "ix_entities_canonical_lower")
)

PG_UPGRADE = (
    f"""ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{PG_CONFIG}', coalesce(title, '')), 'A')
        || setweight(to_tsvector('{PG_CONFIG}', left(body, {PG_INDEXED_CHARS})), 'B')
    ) STORED""",
    "CREATE INDEX ix_articles_search ON articles USING gin (search)",
)
PG_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_articles_search",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search",
)

_FTS_ROW = "coalesce({0}.title, ''), {0}.body"
SQLITE_UPGRADE = (
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, {_FTS_ROW.format("new")});
    END""",
    f"""CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body)
        VALUES ('delete', old.id, {_FTS_ROW.format("old")});
    END""",
    f"""CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body)
        VALUES ('delete', old.id, {_FTS_ROW.format("old")});
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, {_FTS_ROW.format("new")});
    END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",  # index what is stored
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
)

# What the database keeps that the models do not describe (FTS5's shadow tables included).
KEPT_BY_DATABASE = frozenset(
    {"search", "ix_articles_search", "articles_fts"}
    | {"ix_mentions_text_lower", "ix_quotes_speaker_lower", "ix_entities_canonical_lower"}
    | {f"articles_fts_{part}" for part in ("data", "idx", "docsize", "config", "content")}
)


def upgrade_statements(dialect: str) -> Iterable[str]:
    return (PG_UPGRADE if dialect == "postgresql" else SQLITE_UPGRADE) + LOOKUP_INDEXES


def downgrade_statements(dialect: str) -> Iterable[str]:
    return LOOKUP_DROPS + (PG_DOWNGRADE if dialect == "postgresql" else SQLITE_DOWNGRADE)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's autogenerate hook: leave the search structures to the migration."""
    return name not in KEPT_BY_DATABASE
