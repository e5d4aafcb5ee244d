"""PostgreSQL's plans for the search queries that filter by entity: `EXPLAIN ANALYZE` of the
entity + window query and the combined query, on the fill of bench/search.py.

    .venv/bin/python bench/search_plans.py [--size 20000]
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

import search as fill
from _common import pg_schema
from sqlalchemy import Engine, event

from db.migrate import upgrade
from db.search import SearchQuery, search
from db.session import make_engine, make_session_factory

WINDOW = {"published_since": date(2025, 3, 1), "published_until": date(2025, 3, 31)}
QUERIES = {
    "entity + window": SearchQuery(entity="Name 50", limit=20, **WINDOW),  # type: ignore[arg-type]
    "combined": SearchQuery(
        text=fill._word(100),
        entity="Name 50",
        language="en",
        originals_only=True,
        limit=20,
        **WINDOW,  # type: ignore[arg-type]
    ),
}


def _explain(engine: Engine, statement: str, params: Any) -> list[str]:
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("EXPLAIN ANALYZE " + statement, params)
        return [line for (line,) in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--pg-url", default=fill.PG_URL)
    args = parser.parse_args()
    with pg_schema(args.pg_url) as url:
        upgrade(url)
        engine = make_engine(url)
        fill._fill_postgres(engine, args.size)
        sent: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", lambda *a: sent.append((a[2], a[3])))
        sessions = make_session_factory(engine)
        for name, query in QUERIES.items():
            with sessions() as s:
                started = time.perf_counter()
                search(s, query)
                took = (time.perf_counter() - started) * 1000
            main_query = next(q for q in reversed(sent) if "ORDER BY" in q[0])
            print(f"\n{name}: {took:.1f} ms through db.search")
            print("\n".join("  " + line for line in _explain(engine, *main_query)))
            sent.clear()
        engine.dispose()


if __name__ == "__main__":
    main()
