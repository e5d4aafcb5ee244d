"""Articles stored per second through `db.storage.store_article`, SQLite vs PostgreSQL.

    .venv/bin/python bench/db.py [--n 1000] [--rounds 4] [--pg-url URL]

Each article is one transaction as the NLP task does it (dedup lock, ledger row, article,
LSH bands, entities, mentions, quotes, ledger done), on distinct bodies (so the dedup lookup
does its real work) with real analyses: `--k` articles are run through the Analyzer once and
their entities and quotes reused. SQLite is a temp file (WAL, as the service sets it up);
PostgreSQL (127.0.0.1:5432, db `test`) gets a schema of its own, dropped afterwards. The two
alternate in `--rounds` rounds so load drift hits both alike.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from _common import MODEL, header, make_corpus, pg_schema
from sqlalchemy.orm import Session, sessionmaker

from db import ledger, storage
from db.migrate import upgrade
from db.models import LedgerEntry
from db.session import make_engine, make_session_factory, transaction
from pipelines.extract import read_articles
from pipelines.fingerprint import THRESHOLD, fingerprint
from pipelines.nlp import Analyzer
from pipelines.records import Analysis, ArticleDraft, Fingerprint

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Item:
    name: str
    draft: ArticleDraft
    fp: Fingerprint
    analysis: Analysis


def items(n: int, k: int) -> list[Item]:
    corpus = make_corpus(n, seed=21, prefix="d")
    drafts = [read_articles(name, data, max_bytes=1 << 24)[0] for name, data in corpus]
    analyses = Analyzer(MODEL).analyze(drafts[:k])
    return [
        Item(name, d, fingerprint(d.body), analyses[i % k])
        for i, ((name, _), d) in enumerate(zip(corpus, drafts, strict=True))
    ]


def _sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def register(sessions: sessionmaker[Session], batch: Sequence[Item]) -> list[int]:
    seen = [ledger.SeenFile(i.name, _sha(i.name), len(i.draft.body)) for i in batch]
    with transaction(sessions) as s:
        rows = ledger.register_files(s, seen, datetime.now(UTC))
        by_path = {r.source_path: r.id for r in rows}
    return [by_path[i.name] for i in batch]


def store(sessions: sessionmaker[Session], batch: Sequence[Item]) -> float:
    """Store each item in its own transaction; returns the seconds taken."""
    ids = register(sessions, batch)  # not timed: the watcher's work
    started = time.perf_counter()
    for ledger_id, item in zip(ids, batch, strict=True):
        with transaction(sessions) as s:
            storage.lock_dedup(s)
            row = s.get(LedgerEntry, ledger_id)
            assert row is not None
            storage.store_article(
                s,
                row,
                item.draft,
                item.fp,
                item.analysis,
                threshold=THRESHOLD,
                now=datetime.now(UTC),
            )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="articles per database")
    parser.add_argument("--k", type=int, default=48, help="distinct analyses")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()
    data = items(2 * args.n, args.k)
    ents = sum(len(i.analysis.mentions) for i in data) / len(data)
    quotes = sum(len(i.analysis.quotes) for i in data) / len(data)
    header(
        f"bench/db: {args.n} articles per database, {ents:.0f} mentions, {quotes:.1f} quotes avg"
    )
    with tempfile.TemporaryDirectory(prefix="dropwire-db-") as tmp, pg_schema(args.pg_url) as pg:
        urls = {"sqlite": f"sqlite:///{Path(tmp) / 'bench.db'}", "postgresql": pg}
        factories = {}
        for name, url in urls.items():
            upgrade(url)
            factories[name] = make_session_factory(make_engine(url))
        seconds = dict.fromkeys(urls, 0.0)
        size = args.n // args.rounds
        for r in range(args.rounds):
            for j, name in enumerate(urls):
                part = data[(2 * r + j) * size : (2 * r + j + 1) * size]
                seconds[name] += store(factories[name], part)
        for f in factories.values():
            f.kw["bind"].dispose()
    rate = {name: size * args.rounds / sec for name, sec in seconds.items()}
    for name, r in rate.items():
        print(f"{name:<11} {r:7.1f} articles/s ({1000 / r:.1f} ms each, one transaction each)")
    print(f"postgresql / sqlite: {rate['postgresql'] / rate['sqlite']:.2f}")
    header("bench/db done (schema dropped)")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
