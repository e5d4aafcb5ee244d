"""The read side of `dropwire`: `search`, `show`, `quotes`, `entities` (db.search, db.directory)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from db import queries
from db.articles import article_record
from db.directory import quotes_by, top_entities
from db.search import ORDERS, Hit, SearchQuery, export_matching, search
from db.session import transaction
from db.textquery import InvalidQuery
from pipelines.display import title_and_flag
from workers.cli_base import sessions_for, settings_from
from workers.hits import hit_json, split_marks
from workers.render import print_record, safe

out = Console(highlight=False, soft_wrap=True)
DAY = click.DateTime(formats=["%Y-%m-%d"])


def _read_sessions() -> Any:
    """Read sessions on a database that answers and is at the latest migration (else one
    line and an exit code, from workers.cli_base)."""
    return sessions_for(settings_from(), readonly=True)


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


_FILTERS = (
    click.option("--entity", help="A person, organisation or place, by any of its names"),
    click.option("--entity-id", type=int, help="An entity by its id (see `show --json`)"),
    click.option("--label", help="Articles mentioning any entity of this label (PERSON, ORG…)"),
    click.option("--speaker", help="Articles quoting this person, by any of their names"),
    click.option("--since", type=DAY, help="Published on or after this day (YYYY-MM-DD)"),
    click.option("--until", type=DAY, help="Published on or before this day"),
    click.option("--stored-since", type=DAY, help="Stored on or after this day (UTC)"),
    click.option("--stored-until", type=DAY, help="Stored on or before this day (UTC)"),
    click.option("--language", help="Language code, e.g. en"),
    click.option("--source", "source_prefix", help="Path prefix under the inbox, e.g. reuters/"),
    click.option("--cluster", "cluster_id", type=int, help="Members of one duplicate cluster"),
    click.option("--originals", is_flag=True, help="Leave out copies of other articles"),
)


def filter_options(command: Any) -> Any:
    """The filters `search` and `export` share, as click options."""
    for option in reversed(_FILTERS):
        command = option(command)
    return command


def query_from(options: dict[str, Any], **rest: Any) -> SearchQuery:
    """A SearchQuery from the filter options (and `rest`: text, order, limit, cursor)."""
    return SearchQuery(
        entity=options["entity"],
        entity_id=options["entity_id"],
        label=options["label"],
        speaker=options["speaker"],
        published_since=_day(options["since"]),
        published_until=_day(options["until"]),
        stored_since=_day(options["stored_since"]),
        stored_until=_day(options["stored_until"]),
        language=options["language"],
        source_prefix=options["source_prefix"],
        cluster_id=options["cluster_id"],
        originals_only=options["originals"],
        **rest,
    )


def has_filters(options: dict[str, Any]) -> bool:
    return any(options[k] not in (None, False) for k in options)


@click.command()
@click.argument("text", required=False)
@filter_options
@click.option(
    "--order", type=click.Choice(ORDERS), help="Default: relevance with TEXT, else stored"
)
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--cursor", help="Next page: the cursor a previous page printed")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: hits and next_cursor")
def search_command(
    text: str | None, order: Any, limit: int, cursor: str | None, as_json: bool, **filters: Any
) -> None:
    """Find stored articles: full text and filters, combined.

    TEXT takes words (all must match), "quoted phrases", OR, and -word to exclude
    (put `--` before a TEXT that starts with -).

    \b
    Example:
      dropwire search '"central bank" -crypto' --since 2026-11-01 --entity "Lagarde"
    """
    query = query_from(filters, text=text, order=order, limit=limit, cursor=cursor)
    try:
        with transaction(_read_sessions()) as s:
            page = search(s, query, title_and_flag, records=as_json)
    except InvalidQuery as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        hits = [hit_json(h) for h in page.hits]
        click.echo(json.dumps({"hits": hits, "next_cursor": page.next_cursor}, ensure_ascii=False))
        return
    for hit in page.hits:
        _print_hit(hit)
    if page.next_cursor:
        out.print(Text.assemble("more: --cursor ", safe(page.next_cursor, limit=None)))
    elif not page.hits:
        out.print("no articles match")


def _print_hit(hit: Hit) -> None:
    title_style = "italic" if hit.title_derived else "bold"  # derived from the lede
    head = Text.assemble(
        (f"{hit.id:>8}  ", "bold"),
        safe(hit.published or "-", limit=10),
        "  ",
        safe(hit.display_title or "(no title)", limit=100, style=title_style),
        "  ",
        safe(hit.source_path, limit=80, style="dim"),
    )
    if hit.duplicate_of is not None:
        head.append(f"  copy of {hit.duplicate_of}", style="dim")
    out.print(head)
    snippet, spans = split_marks(hit.snippet)
    line = Text("          ")
    at = 0
    for start, end in spans:
        line.append_text(safe(snippet[at:start], limit=None))
        line.append_text(safe(snippet[start:end], limit=None, style="reverse"))
        at = end
    line.append_text(safe(snippet[at:], limit=None))
    out.print(line)


@click.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The whole record as JSON")
def show_command(article_id: int, as_json: bool) -> None:
    """One stored article whole: text, entities with offsets, quotes, copies and cluster.

    \b
    Example:
      dropwire show 42 --json | jq '.quotes[] | {speaker, text}'
    """
    with transaction(_read_sessions()) as s:
        record = article_record(s, article_id)
    if record is None:
        raise click.ClickException(f"no article with id {article_id}")
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    console = Console(highlight=False)
    print_record(console, record)
    console.print(safe(record["body"], limit=None))
    for key in ("duplicate_of", "copies", "cluster"):
        if record.get(key):
            console.print(Text.assemble((key, "bold"), ": ", safe(record[key], limit=None)))


@click.command()
@click.option("--speaker", required=True, help="A person, by any of their names")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--before", "before_id", type=int, help="Next page: quotes older than this id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line")
def quotes_command(speaker: str, limit: int, before_id: int | None, as_json: bool) -> None:
    """What a person said: their quotations, newest first.

    \b
    Example:
      dropwire quotes --speaker "Robert Gates" --limit 5
    """
    try:
        with transaction(_read_sessions()) as s:
            found = quotes_by(s, speaker, limit=limit, before_id=before_id)
    except InvalidQuery as exc:
        raise click.UsageError(str(exc)) from exc
    for q in found:
        if as_json:
            click.echo(json.dumps(asdict(q), ensure_ascii=False))
            continue
        out.print(
            Text.assemble(
                (f"{q.id:>8}  ", "bold"),
                "“",
                safe(q.text, style="italic"),
                "” — ",
                safe(q.speaker),
                ("  in ", "dim"),
                safe(q.title or f"article {q.article_id}"),
            )
        )
    if not found and not as_json:
        out.print("no quotations by that name")


@click.command()
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--label", help="Only this label: PERSON, ORG, GPE…")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line")
def entities_command(top: int, label: str | None, as_json: bool) -> None:
    """The people, organisations and places named in the most articles.

    \b
    Example:
      dropwire entities --top 10 --label PERSON
    """
    try:
        with transaction(_read_sessions()) as s:
            found = top_entities(s, top=top, label=label)
    except InvalidQuery as exc:
        raise click.UsageError(str(exc)) from exc
    for e in found:
        if as_json:
            click.echo(json.dumps(asdict(e), ensure_ascii=False))
        else:
            out.print(
                Text.assemble(
                    f"{e.articles:>8}  ",
                    safe(e.label, limit=12),
                    "  ",
                    safe(e.canonical, style="bold"),
                    (f"  #{e.id}", "dim"),
                )
            )


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@filter_options
def export_command(fmt: str, **filters: Any) -> None:
    """Every stored article, or those the filters match, as one JSON object a line.

    \b
    Example:
      dropwire export --format jsonl > articles.jsonl
      dropwire export --since 2026-11-01 --entity "Robert Gates" > gates.jsonl
    """
    try:
        with transaction(_read_sessions()) as s:
            records = (
                export_matching(s, query_from(filters), titler=title_and_flag)
                if has_filters(filters)
                else queries.export_articles(s, titler=title_and_flag)
            )
            for record in records:
                click.echo(json.dumps(record, ensure_ascii=False))
    except BrokenPipeError:
        # `dropwire export | head`: the reader has all it wanted. Point stdout at devnull so
        # the interpreter's final flush does not complain about the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
