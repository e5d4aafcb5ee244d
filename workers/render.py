"""Terminal faces of `status`, `failed list` and `extract`, with Rich.

Names, titles and reasons come from dropped files. Every one of them reaches the terminal
through `safe`: as a `Text` (never parsed as markup, so `a[/b] c.txt` prints as itself) with
control characters shown as escapes (`\\x1b`), so a file name cannot move the cursor, clear
the screen or retitle the window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from db.queries import ArticleRow, FailureRow, clip
from pipelines.display import display_title
from workers.snapshot import TEXT_LIMIT, Snapshot, plain

# C0, DEL and C1 controls, line/paragraph separators, and the bidi overrides and isolates
# that make text display in another order than it is stored.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def safe(value: object, limit: int | None = TEXT_LIMIT, style: str = "") -> Text:
    """`value` as inert terminal text: no markup, controls escaped, cut to `limit`."""
    text = "" if value is None else str(value)
    if limit is not None:
        text = clip(text, limit)
    return Text(_CONTROL.sub(_visible, text), style=style)


def _row(table: Table, *cells: object) -> None:
    table.add_row(*(c if isinstance(c, Text) else safe(c) for c in cells))


def _na(value: object) -> object:
    return "" if value is None else value


# --------------------------------------------------------------------------- status


def status_view(snap: Snapshot) -> Group:
    parts: list[RenderableType] = [_queues_table(snap), _workers_table(snap), _counts(snap)]
    f, t, lat, nlp = snap.files, snap.throughput, snap.latency, snap.nlp
    parts.append(
        Text(
            f"files seen {f.seen}, inbox backlog {f.inbox_backlog} "
            f"(not yet sent {f.unsent_in_inbox}); stored/min 1m {t.m1}, 5m {t.m5}, "
            f"15m {t.m15}; latency p50 {lat.p50} s, p95 {lat.p95} s; "
            f"NLP {nlp.avg} s/article (p95 {nlp.p95})"
        )
    )
    if not snap.broker_up:
        parts.append(Text("Redis does not answer", style="bold red"))
    if snap.quiet.gone_quiet:
        parts.append(Text(f"GONE QUIET for {snap.quiet.quiet_for_seconds} s", style="bold red"))
    if snap.recent_articles:
        parts.append(articles_table(snap.recent_articles[:5]))
    if snap.recent_failures:
        parts.append(failed_table(snap.recent_failures[:5], title="recent failures"))
    return Group(*parts)


def _counts(snap: Snapshot) -> Table:
    counts: Mapping[str, int] = plain(snap.articles)
    table = Table(*counts, title="articles")
    _row(table, *counts.values())
    return table


def _queues_table(snap: Snapshot) -> Table:
    table = Table("queue", "depth", "unacked", "oldest (s)", "in ledger", "consuming")
    table.title = "queues"
    for q in snap.queues:
        known = q.stats.depth is not None
        consuming = Text("yes") if q.consuming else Text("NO", style="red")
        cells = (q.stats.depth, q.stats.unacked, q.stats.oldest_age_seconds, q.ledger_in_flight)
        _row(table, q.name, *cells, consuming if known else Text(""))
    return table


def _workers_table(snap: Snapshot) -> Table:
    table = Table("worker", "queues", "state", "active", "processed", "heartbeat", title="workers")
    for w in snap.workers:
        beat = f"{w.heartbeat_age_seconds:.0f} s ago"
        _row(table, w.name, ",".join(w.queues), w.state, w.active, w.processed, beat)
    for lost in snap.workers_lost:
        name, gone = safe(lost.name, style="red"), Text("lost", style="red")
        _row(table, name, "", gone, "", "", lost.last_heartbeat.isoformat())
    return table


def title_text(title: str | None, derived: bool) -> Text:
    """A title for a list: a derived one (no title in the file) in italics, marked."""
    if not title:
        return Text("(no title)", style="dim")
    if derived:
        return Text.assemble(safe(title, style="italic"), (" (derived)", "dim"))
    return safe(title)


def articles_table(rows: Iterable[ArticleRow], title: str = "recent articles") -> Table:
    table = Table("id", "title", "duplicate of", "source_path", title=title)
    for a in rows:
        _row(
            table,
            a.id,
            title_text(a.display_title, a.title_derived),
            _na(a.duplicate_of),
            a.source_path,
        )
    return table


# --------------------------------------------------------------------------- failed list


def failed_table(rows: Iterable[FailureRow], title: str = "failed") -> Table:
    """Failures for a person: reasons cut to TEXT_LIMIT (`failed list --json` has them
    whole)."""
    table = Table("id", "source_path", "code", "attempts", "reason", title=title)
    for r in rows:
        _row(table, r.id, r.source_path, _na(r.code), r.attempts, _na(r.reason))
    return table


# --------------------------------------------------------------------------- doctor

_STATUS_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def doctor_table(checks: Iterable[Any]) -> Table:
    """`dropwire doctor`'s checks (workers.doctor.Check), one a row."""
    table = Table("check", "status", "detail", "fix", title="doctor")
    for c in checks:
        status = Text(c.status, style=_STATUS_STYLE.get(c.status, ""))
        _row(table, c.name, status, safe(c.detail, limit=None), safe(c.fix, limit=None))
    return table


# --------------------------------------------------------------------------- extract

QUOTE_LIMIT = 2000


def print_record(console: Console, record: Mapping[str, Any]) -> None:
    """One extracted article, as `dropwire extract` shows it."""
    shown = display_title(record.get("title"), record.get("body"))
    if shown is None:
        console.rule(Text("(no title)", style="dim"))
    elif shown.derived:  # not the file's: the lede's first clause, marked
        console.rule(
            Text.assemble(safe(shown.text, limit=200, style="italic"), (" (derived)", "dim"))
        )
    else:
        console.rule(safe(shown.text, limit=200))
    for key in ("byline", "published", "dateline", "language", "word_count"):
        if record.get(key) is not None:
            console.print(Text.assemble((key, "bold"), ": ", safe(record[key])))
    table = Table("entity", "label", "count")
    for e in record["entities"]:
        _row(table, e["canonical"], e["label"], e["count"])
    console.print(table)
    for q in record["quotes"]:
        speaker = q["speaker"] or "unattributed"
        quote = safe(q["text"], limit=QUOTE_LIMIT, style="italic")
        console.print(Text.assemble("“", quote, "”", " — ", safe(speaker)))
