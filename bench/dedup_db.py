"""Near-duplicate lookup time in the service's own index: the `bands` table in SQL.

bench/dedup.py sweeps an in-memory index; this one times the code path the workers run,
`db.storage.find_duplicate` (exact lookup, band lookup, verification of the candidates' texts),
with 10k, 100k and 1M synthetic articles indexed in SQLite and in PostgreSQL, and prints the
on-disk bytes per indexed article. Half the queries are copies of an indexed article (they must
be found): edited, OCR-noised (4-7% of characters) or cut to 50-65% under a new header, in
turn (tests/data/dedup/build.py); half are new text. Each size is timed twice, with different
queries: right after the load, and with the lookup's indexes read into the OS cache first
(see `sweep`).

    .venv/bin/python bench/dedup_db.py [--sizes 10000,100000,1000000] [--queries 200]
                                       [--pg-url URL | --no-pg]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from _common import pg_schema
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db import storage
from db.migrate import upgrade
from db.session import make_engine
from pipelines.fingerprint import BANDS, NUM_PERM, SCHEME, THRESHOLD, band_keys, fingerprint
from tests.support.scripts import load_script

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORDS = Path(__file__).resolve().parents[1] / "tests" / "data" / "dedup" / "source"
CHUNK = 20_000
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def _vocabulary() -> list[str]:
    words = {w for p in WORDS.glob("*.txt") for w in p.read_text().split()}
    return sorted(words)


def _article(rng: random.Random, vocab: list[str], n: int = 400) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n))


def _edited(body: str, rng: random.Random) -> str:
    words = body.split()
    for _ in range(8):
        words[rng.randrange(len(words))] = rng.choice(words)
    return "WIRE — " + " ".join(words[: int(len(words) * 0.9)])


def _copy(body: str, rng: random.Random, k: int) -> str:
    """The k-th planted copy: edited, OCR-noised or cut, in turn."""
    build = load_script(WORDS.parent / "build.py")
    return [_edited, build.ocr, build.cut][k % 3](body, rng)  # type: ignore[no-any-return]


def _synthetic(first: int, count: int, seed: int) -> Iterator[tuple[int, bytes, np.ndarray]]:
    """(article id, signature bytes, band keys) for synthetic articles, in chunks."""
    gen = np.random.default_rng(seed)
    for lo in range(first, first + count, CHUNK):
        n = min(CHUNK, first + count - lo)
        sigs = gen.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
        keys = band_keys(sigs)
        for i in range(n):
            yield lo + i, sigs[i].astype("<u4").tobytes(), keys[i]


def _ledger_row(article_id: int) -> tuple[object, ...]:
    return (article_id, f"synthetic/{article_id}.txt", "0" * 64, 1, 0, "done", 1, 0, NOW, NOW)


def _article_row(article_id: int, signature: bytes) -> tuple[object, ...]:
    return (
        article_id,
        article_id,
        f"synthetic/{article_id}.txt",
        "0" * 64,
        f"{article_id:064x}",
        "",
        0,
        signature,
        article_id,
        NOW,
        SCHEME,
    )


LEDGER_COLS = "id, source_path, sha256, size, item, state, attempts, tries, seen_at, updated_at"
ARTICLE_COLS = (
    "id, ledger_id, source_path, sha256, content_hash, body, word_count, signature, "
    "cluster_id, created_at, fingerprint_scheme"
)


def _fill_sqlite(engine: Engine, first: int, count: int, seed: int) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        # Bulk load only: a big page cache keeps random-key index inserts in memory.
        cur.execute("PRAGMA cache_size=-3000000")
        cur.execute("BEGIN")
        ledger, articles, bands = [], [], []
        for article_id, sig, keys in _synthetic(first, count, seed):
            ledger.append(_ledger_row(article_id))
            articles.append(_article_row(article_id, sig))
            bands.extend((article_id, b, int(k)) for b, k in enumerate(keys))
            if len(ledger) >= CHUNK:
                _sqlite_flush(cur, ledger, articles, bands)
        _sqlite_flush(cur, ledger, articles, bands)
        cur.execute("COMMIT")
    finally:
        raw.close()


def _sqlite_flush(cur: object, ledger: list, articles: list, bands: list) -> None:  # type: ignore[type-arg]
    execute = cur.executemany  # type: ignore[attr-defined]
    execute(f"INSERT INTO ledger ({LEDGER_COLS}) VALUES ({','.join('?' * 10)})", ledger)
    execute(f"INSERT INTO articles ({ARTICLE_COLS}) VALUES ({','.join('?' * 11)})", articles)
    execute("INSERT INTO bands (article_id, band, key) VALUES (?, ?, ?)", bands)
    ledger.clear(), articles.clear(), bands.clear()


def _fill_postgres(engine: Engine, first: int, count: int, seed: int) -> None:
    """Server-side generated rows: random band keys, one shared dummy signature. Synthetic
    articles only need keys (a random key almost never matches a query's); the planted ones
    carry real signatures. Loading 42M rows row by row from Python took over 20 minutes."""
    last = first + count - 1
    dummy = "\\x" + "00" * (NUM_PERM * 4)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        # Random-key B-tree inserts and a foreign-key check per row made the 1M load take
        # ~25 minutes: drop the band table's secondary index and foreign key for the load and
        # build them again after it, from their own definitions (same final schema).
        rebuild = _drop_band_extras(conn)
        conn.execute(text("SELECT setseed(:s)"), {"s": (seed % 1000) / 1000})
        conn.execute(
            text(
                f"INSERT INTO ledger ({LEDGER_COLS}) SELECT i, 'synthetic/' || i || '.txt', "
                "repeat('0', 64), 1, 0, 'done', 1, 0, now(), now() "
                "FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS i"
            ),
            {"a": first, "b": last},
        )
        conn.execute(
            text(
                f"INSERT INTO articles ({ARTICLE_COLS}) SELECT i, i, 'synthetic/' || i || '.txt', "
                "repeat('0', 64), lpad(to_hex(i), 64, '0'), '', 0, CAST(:sig AS bytea), i, now(), "
                ":scheme FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS i"
            ),
            {"a": first, "b": last, "sig": dummy, "scheme": SCHEME},
        )
        conn.execute(
            text(
                "INSERT INTO bands (article_id, band, key) SELECT i, b, "
                "(floor((random() - 0.5) * 18446744073709551615::numeric))::bigint "
                "FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS i, "
                "generate_series(0, CAST(:nb AS int) - 1) AS b"
            ),
            {"a": first, "b": last, "nb": BANDS},
        )
        for ddl in rebuild:
            conn.execute(text(ddl))
    # Steady state, as autovacuum leaves it: hint bits set and the visibility map built.
    # Named tables: a bare VACUUM would also process every other schema in the database.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE ledger, articles, bands"))


def _drop_band_extras(conn: Connection) -> list[str]:
    """Drop the bands table's foreign keys and non-key indexes; return the DDL that restores
    them (read back from the catalog, so it follows the migration)."""
    rows = conn.execute(
        text(
            "SELECT 'ALTER TABLE bands DROP CONSTRAINT ' || quote_ident(conname), "
            "'ALTER TABLE bands ADD CONSTRAINT ' || quote_ident(conname) || ' ' || "
            "pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST('bands' AS regclass) AND contype = 'f' "
            "UNION ALL SELECT 'DROP INDEX ' || quote_ident(indexname), indexdef "
            "FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'bands' "
            "AND indexname <> 'bands_pkey'"
        )
    ).all()
    for drop, _ in rows:
        conn.execute(text(drop))
    return [create for _, create in rows]


def _plant(session: Session, bodies: list[str], first_id: int) -> None:
    """Real articles (with real signatures) to find edited copies of."""
    for offset, body in enumerate(bodies):
        fp = fingerprint(body)
        article_id = first_id + offset
        session.execute(
            text(
                f"INSERT INTO ledger ({LEDGER_COLS}) VALUES "
                "(:i, :p, :s, 1, 0, 'done', 1, 0, :t, :t)"
            ),
            {"i": article_id, "p": f"planted/{article_id}.txt", "s": "0" * 64, "t": NOW},
        )
        session.execute(
            text(
                f"INSERT INTO articles ({ARTICLE_COLS}) VALUES "
                "(:i, :i, :p, :s, :h, :body, 0, :sig, :i, :t, :scheme)"
            ),
            {
                "i": article_id,
                "p": f"planted/{article_id}.txt",
                "s": "0" * 64,
                "h": fp.exact,
                "body": body,
                "sig": bytes(np.asarray(fp.signature, dtype="<u4").tobytes()),
                "t": NOW,
                "scheme": SCHEME,
            },
        )
        for b, k in enumerate(fp.bands):
            session.execute(
                text("INSERT INTO bands (article_id, band, key) VALUES (:a, :b, :k)"),
                {"a": article_id, "b": b, "k": k},
            )


def _time_queries(engine: Engine, queries: list[tuple[str, bool]]) -> tuple[float, float, int]:
    """Mean and p95 milliseconds of find_duplicate; how many planted copies were found.
    Also prints the mean for new texts (the lookup alone: no candidate to verify) and for
    copies (lookup plus verification of the candidates' texts) apart."""
    times, found, apart = [], 0, {True: [], False: []}  # type: ignore[var-annotated]
    with Session(engine) as session:
        # Untimed: the statement's one-off compilation (a worker compiles it once per process).
        storage.find_duplicate(session, fingerprint("warm up"), "warm up", THRESHOLD)
        # Fingerprinted before the loop, outside the timing: the bench times the lookup (and
        # fingerprinting between lookups evicts the CPU caches the lookup then runs in: a
        # worker's NLP between two lookups does the same, whatever the scheme).
        prints = [fingerprint(body) for body, _ in queries]
        for (body, planted), fp in zip(queries, prints, strict=True):
            start = time.perf_counter()
            link = storage.find_duplicate(session, fp, body, THRESHOLD)
            times.append((time.perf_counter() - start) * 1000)
            apart[planted].append(times[-1])
            found += int(planted and link is not None and link.kind == "near")
        session.rollback()
    print(
        f"  {'':21}new texts {statistics.fmean(apart[False]):6.3f} ms mean, "
        f"copies {statistics.fmean(apart[True]):6.3f} ms mean",
        flush=True,
    )
    times.sort()
    return statistics.fmean(times), times[int(len(times) * 0.95) - 1], found


def _warm_sqlite(engine: Engine, path: Path | None) -> str:
    """Read the database file once, so its pages sit in the OS cache."""
    assert path is not None
    for part in path.parent.glob(path.name + "*"):
        with part.open("rb") as f:
            while f.read(1 << 20):
                pass
    return "file read into the OS cache"


# The indexes a lookup probes; their pages are what a long-running server keeps in memory.
LOOKUP_INDEXES = ("ix_bands_key", "ix_articles_content_hash")


def _warm_postgres(engine: Engine, path: Path | None) -> str:
    """Read the lookup's indexes into the OS cache (pg_prewarm 'read': not into PostgreSQL's
    own buffers), as on a server whose RAM holds them. Without pg_prewarm: left as it is."""
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
            schema = conn.execute(
                text(
                    "SELECT extnamespace::regnamespace::text FROM pg_extension "
                    "WHERE extname = 'pg_prewarm'"
                )
            ).scalar_one()
            for index in LOOKUP_INDEXES:
                conn.execute(
                    text(f"SELECT {schema}.pg_prewarm(CAST(:i AS regclass), 'read')"),
                    {"i": index},
                )
    except DBAPIError as exc:
        return f"not warmed (pg_prewarm: {type(exc.orig).__name__})"
    return "indexes read into the OS cache (pg_prewarm 'read')"


def _disk_bytes(engine: Engine, path: Path | None) -> int:
    if path is not None:
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            ).scalar_one()
        )


Db = tuple[str, Engine, Path | None, Callable[..., None], Callable[[Engine, Path | None], str]]


@contextmanager
def _sqlite() -> Iterator[Db]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        engine = make_engine(url)
        yield "sqlite", engine, path, _fill_sqlite, _warm_sqlite
        engine.dispose()


@contextmanager
def _postgres(base: str) -> Iterator[Db]:
    with pg_schema(base) as url:  # dropped with everything in it, pg_prewarm included
        upgrade(url)
        engine = make_engine(url)
        yield "postgresql", engine, None, _fill_postgres, _warm_postgres
        engine.dispose()


def _query_set(
    rng: random.Random, vocab: list[str], planted: list[str], n: int
) -> list[tuple[str, bool]]:
    """Edited copies of every planted article (to be found) and new texts, shuffled."""
    queries = [(_copy(b, rng, k), True) for k, b in enumerate(planted)]
    queries += [(_article(rng, vocab), False) for _ in range(n - len(planted))]
    rng.shuffle(queries)
    return queries


Row = tuple[str, int, str, float, float, int, int, float]


def sweep(db: Db, sizes: list[int], n_queries: int) -> list[Row]:
    """Per size, two passes with different queries: straight after the load (the OS cache
    holds whatever the load and VACUUM left in it), then with the lookup's index read into
    the OS cache first, as on a long-running server whose RAM holds it. A second pass over
    the same queries would find their pages in PostgreSQL's buffers: that is not measured."""
    name, engine, path, fill, warm = db
    rng = random.Random(7)
    vocab = _vocabulary()
    planted = [_article(rng, vocab) for _ in range(n_queries // 2)]
    passes = [_query_set(rng, vocab, planted, n_queries) for _ in range(2)]
    rows: list[Row] = []
    indexed = 0
    for size in sizes:
        start = time.perf_counter()
        fill(engine, indexed + 1, size - indexed, seed=size)
        indexed = size
        with Session(engine) as session, session.begin():
            _plant(session, planted, first_id=10**9 + size)
        print(
            f"  {name:10} {size:>9,} indexed: filled in {time.perf_counter() - start:,.0f} s, "
            f"load {_load()}",
            flush=True,
        )
        per_article = _disk_bytes(engine, path) / (size + len(planted))
        for label, queries in zip(("after load", "warm"), passes, strict=True):
            if label == "warm":
                print(f"  {'':10} {'':9}  {warm(engine, path)}", flush=True)
            mean, p95, found = _time_queries(engine, queries)
            rows.append((name, size, label, mean, p95, found, len(planted), per_article))
            print(
                f"  {name:10} {size:>9,} indexed, {label:10}: {mean:6.3f} ms mean, "
                f"{p95:6.3f} ms p95, found {found}/{len(planted)} planted copies, "
                f"{per_article:,.0f} B/article on disk",
                flush=True,
            )
        with Session(engine) as session, session.begin():  # unplant for the next size
            session.execute(text("DELETE FROM bands WHERE article_id >= :n"), {"n": 10**9})
            session.execute(text("DELETE FROM articles WHERE id >= :n"), {"n": 10**9})
            session.execute(text("DELETE FROM ledger WHERE id >= :n"), {"n": 10**9})
    return rows


def _load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg()) + " (1/5/15 min)"


def _verdict(name: str, rows: list[Row]) -> None:
    for label in ("after load", "warm"):
        mine = [r for r in rows if r[2] == label]
        small, large = mine[0], mine[-1]
        ratio = large[3] / small[3]
        every = all(r[5] == r[6] for r in mine)
        ok = ratio <= 2.0 and large[3] < 5.0 and every
        print(
            f"  {name} ({label}): {large[1]:,} vs {small[1]:,} = {ratio:.2f}x (goal <= 2x), "
            f"{large[3]:.3f} ms at {large[1]:,} (goal < 5 ms), every planted copy found: "
            f"{every} -> {'PASS' if ok else 'FAIL'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pg-url", default=os.environ.get("DROPWIRE_TEST_PG_URL", PG_URL))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"find_duplicate (exact + band lookup + verify), {SCHEME}, cover {THRESHOLD}; "
        f"load {_load()}"
    )
    dbs = ([] if args.no_sqlite else [_sqlite()]) + ([] if args.no_pg else [_postgres(args.pg_url)])
    for factory in dbs:
        with factory as db:
            rows = sweep(db, sizes, args.queries)
        _verdict(db[0], rows)
    print(f"  load at the end {_load()}")


if __name__ == "__main__":
    main()
