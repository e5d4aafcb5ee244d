"""The read API on the monitor: `/api/articles`, `/api/articles/{id}`, `/api/quotes`,
`/api/entities`.

The same query model as `dropwire search` (db.search). When `read_token` is configured every
route here needs `Authorization: Bearer <read_token>` (the monitor token also reads).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from db.articles import article_record
from db.directory import quotes_by, top_entities
from db.search import MAX_LIMIT, Order, SearchQuery, search
from db.session import transaction
from db.textquery import MAX_QUERY_CHARS, InvalidQuery
from pipelines.display import title_and_flag
from workers.guards import bearer_matches
from workers.hits import hit_json

if TYPE_CHECKING:
    from workers.monitor import Monitor

TEXT_PARAM = 200  # filter values (names, prefixes) longer than this are refused


class HitOut(BaseModel):
    """The export record's names (DESIGN.md §3) and the hit's own: snippet, highlights, score."""

    model_config = ConfigDict(extra="allow")

    id: int
    title: str | None
    display_title: str | None
    display_title_derived: bool
    published: str | None
    language: str | None
    source_path: str
    stored_at: str
    duplicate_of: int | None
    duplicate_kind: str | None
    cluster_id: int | None
    score: float | None
    snippet: str
    highlights: list[list[int]]


class ArticlesPage(BaseModel):
    hits: list[HitOut]
    next_cursor: str | None


def _reader(monitor: Monitor) -> Any:
    def check(request: Request) -> None:
        if not monitor.settings.read_token:
            return  # reading is open unless a read token is configured
        wanted = [t for t in (monitor.settings.read_token, monitor.settings.monitor_token) if t]
        if not bearer_matches(request.headers.get("authorization"), wanted):
            raise HTTPException(401, "a valid Authorization: Bearer token is needed to read")

    return Depends(check)


Text = Annotated[str | None, Query(max_length=TEXT_PARAM)]


SEARCH_PAGE = Path(__file__).parent / "static" / "search.html"


def add_search_page(app: FastAPI) -> None:
    page = SEARCH_PAGE.read_bytes()

    @app.get("/search", include_in_schema=False)
    def search_page() -> Response:
        return Response(page, media_type="text/html; charset=utf-8")


def add_article_routes(app: FastAPI, monitor: Monitor) -> None:
    add_search_page(app)
    reader = _reader(monitor)

    @app.get("/api/articles", summary="Search stored articles", dependencies=[reader])
    def articles(
        q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, description="Text")] = None,
        entity: Text = None,
        entity_id: int | None = None,
        label: Annotated[str | None, Query(max_length=32)] = None,
        speaker: Text = None,
        since: Annotated[date | None, Query(description="Published on or after")] = None,
        until: Annotated[date | None, Query(description="Published on or before")] = None,
        stored_since: date | None = None,
        stored_until: date | None = None,
        language: Annotated[str | None, Query(max_length=16)] = None,
        source: Text = None,
        cluster: int | None = None,
        originals: bool = False,
        order: Order | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
        cursor: Annotated[str | None, Query(max_length=1000)] = None,
    ) -> ArticlesPage:
        query = SearchQuery(
            text=q, entity=entity, entity_id=entity_id, label=label, speaker=speaker,
            published_since=since, published_until=until,
            stored_since=stored_since, stored_until=stored_until,
            language=language, source_prefix=source, cluster_id=cluster,
            originals_only=originals, order=order, limit=limit, cursor=cursor,
        )  # fmt: skip
        try:
            with transaction(monitor.read_sessions) as s:
                page = search(s, query, title_and_flag, records=True)
        except InvalidQuery as exc:
            raise HTTPException(400, str(exc)) from None
        hits = [HitOut.model_validate(hit_json(h)) for h in page.hits]
        return ArticlesPage(hits=hits, next_cursor=page.next_cursor)

    @app.get(
        "/api/articles/{article_id}",
        summary="One article whole: text, entities with offsets, quotes, copies, cluster",
        dependencies=[reader],
        responses={404: {}},
    )
    def article(article_id: int) -> dict[str, Any]:
        with transaction(monitor.read_sessions) as s:
            record = article_record(s, article_id)
        if record is None:
            raise HTTPException(404, f"no article with id {article_id}")
        return record


def add_directory_routes(app: FastAPI, monitor: Monitor) -> None:
    reader = _reader(monitor)

    @app.get("/api/quotes", summary="A speaker's quotations, newest first", dependencies=[reader])
    def quotes(
        speaker: Annotated[str, Query(min_length=1, max_length=TEXT_PARAM)],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
        before: Annotated[int | None, Query(description="Quotes older than this id")] = None,
    ) -> list[dict[str, Any]]:
        try:
            with transaction(monitor.read_sessions) as s:
                found = quotes_by(s, speaker, limit=limit, before_id=before)
        except InvalidQuery as exc:
            raise HTTPException(400, str(exc)) from None
        return [asdict(q) for q in found]

    @app.get("/api/entities", summary="Entities named in the most articles", dependencies=[reader])
    def entities(
        top: Annotated[int, Query(ge=1, le=1000)] = 20,
        label: Annotated[str | None, Query(max_length=32)] = None,
    ) -> list[dict[str, Any]]:
        try:
            with transaction(monitor.read_sessions) as s:
                return [asdict(e) for e in top_entities(s, top=top, label=label)]
        except InvalidQuery as exc:
            raise HTTPException(400, str(exc)) from None
