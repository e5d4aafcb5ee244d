"""`dropwire ingest`'s parts: expanding the paths given, copying files into the inbox, and
waiting with a progress bar until what was sent is stored or failed."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from db import ledger, queries
from db.models import State
from db.session import transaction
from workers.cli_base import sessions_for
from workers.files import Folders
from workers.settings import Settings


def expand(settings: Settings, paths: tuple[Path, ...]) -> Iterator[Path]:
    """The files named, folders walked like the inbox: never done/ or failed/, no dot-files,
    partial names or symlinks."""
    from workers.files import iter_inbox

    skip = Folders.from_settings(settings).skip
    for path in paths:
        if path.is_dir():
            yield from sorted(iter_inbox(path.resolve(), skip))
        elif path.is_file():
            yield path
        else:
            raise click.ClickException(f"{path}: no such file or folder")


def into_inbox(settings: Settings, path: Path) -> Path:
    """Files outside the inbox are copied in (temp name, then rename), so workers only ever
    read inside it."""
    inbox = settings.inbox.resolve()
    resolved = path.resolve()
    if resolved.is_relative_to(inbox) and not path.is_symlink():
        return resolved
    target = inbox / resolved.name
    if target.exists():
        target = inbox / f"{resolved.stem}.{time.time_ns()}{resolved.suffix}"
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(resolved, partial)
    os.replace(partial, target)
    return target


def wait_for(
    settings: Settings, console: Console, keys: list[str], timeout: float | None
) -> dict[str, int]:
    sessions = sessions_for(settings, readonly=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    with Progress(
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        bar = progress.add_task("files", total=len(keys))
        while True:
            summary = _summarise(sessions, keys)
            progress.update(bar, total=summary["total"], completed=summary["finished"])
            if summary["unfinished"] == 0:
                return summary
            if deadline is not None and time.monotonic() > deadline:
                return summary
            time.sleep(0.5)


def _summarise(sessions: Any, keys: list[str]) -> dict[str, int]:
    with transaction(sessions) as s:
        rows = ledger.entries_for_paths(s, keys)
        articles = {a.ledger_id: a for a in queries.articles_for_ledgers(s, [r.id for r in rows])}
    leaves = [r for r in rows if r.state != State.SPLIT]
    done = [r for r in leaves if r.state == State.DONE]
    dupes = sum(1 for r in done if articles.get(r.id) and articles[r.id].duplicate_of)
    failed = sum(1 for r in leaves if r.state == State.FAILED)
    seen = {r.source_path for r in rows}
    unfinished = sum(1 for r in leaves if r.state not in State.TERMINAL) + len(set(keys) - seen)
    return {
        "total": len(leaves) + len(set(keys) - seen),
        "finished": len(done) + failed,
        "stored": len(done) - dupes,
        "duplicates": dupes,
        "failed": failed,
        "unfinished": unfinished,
    }
